// The container tenants' Container Apps environments: one per tenant, each
// internal, zone redundant, on a Dedicated workload profile of its own, in a
// subnet of its own, with the private zone that resolves its app. Promise:
// a tenant's compute and network boundary are its own (Microsoft documents
// the environment as the secure boundary: apps in one environment share its
// network, learn.microsoft.com/azure/container-apps/environment), zone
// resilience, and no public endpoint for any tenant's app.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// app 2024-03-01: named workload profiles (Consumption and Dedicated);
	// the default 2022-10-01 API only knows the preview profile shape.
	appv20240301 "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"

	"github.com/kpax/kpax-cloud/spec"
)

// TenantEnvironment is a container tenant's own Container Apps environment,
// which the cluster builds (it owns the VNet, and the gateway needs the
// environment's domain) and the tenant's app runs in.
type TenantEnvironment struct {
	ID, Name pulumi.StringOutput
	// DefaultDomain: the app named N is reached inside the VNet at
	// N.<default domain>.
	DefaultDomain pulumi.StringOutput
	// WorkloadProfile is the name of the tenant's Dedicated profile.
	WorkloadProfile string
	// Ready are the environment's private zone, link and wildcard record:
	// until they exist nothing in the VNet resolves the app.
	Ready []pulumi.Resource
}

// dedicatedProfile is the profile name every tenant environment gives its
// Dedicated nodes.
const dedicatedProfile = "dedicated"

// tenantEnvironments builds each running container tenant's environment.
func (b *clusterBuilder) tenantEnvironments() error {
	b.c.Platform.Environments = map[string]TenantEnvironment{}
	for _, t := range b.tenants {
		if !hasEnvironment(t) {
			continue
		}
		profile, err := spec.ProfileFor(t, len(b.region.Zones))
		if err != nil {
			return fmt.Errorf("tenant %s: %w", t.Name, err)
		}
		env, err := b.internalEnvironment("cae-"+t.Name, tenantEnvironmentName(t), tenantEnvironmentInfraResourceGroupName(b.key, t), tenantEnvironmentSubnetKey(t), "container-apps",
			appv20240301.WorkloadProfileArray{appv20240301.WorkloadProfileArgs{
				Name:                pulumi.String(dedicatedProfile),
				WorkloadProfileType: pulumi.String(profile.Type),
				MinimumCount:        pulumi.Int(profile.MinNodes),
				MaximumCount:        pulumi.Int(profile.MaxNodes),
			}},
			// The app's own replicas talk to each other encrypted.
			&appv20240301.ManagedEnvironmentPeerTrafficConfigurationArgs{
				Encryption: &appv20240301.ManagedEnvironmentEncryptionArgs{Enabled: pulumi.Bool(true)},
			})
		if err != nil {
			return err
		}
		// An internal environment publishes no DNS: a private zone named
		// after its default domain, with every name pointing at its static
		// IP, lets the gateway resolve <app>.<default domain>.
		zone, link, err := b.privateZone("cae-dns-"+t.Name, env.DefaultDomain)
		if err != nil {
			return err
		}
		record, err := network.NewPrivateRecordSet(b.ctx, b.name+"-cae-dns-wildcard-"+t.Name, &network.PrivateRecordSetArgs{
			PrivateZoneName:       zone.Name,
			ResourceGroupName:     b.rg.Name,
			RecordType:            pulumi.String("A"),
			RelativeRecordSetName: pulumi.String("*"),
			Ttl:                   pulumi.Float64(dnsTTL),
			ARecords:              network.ARecordArray{network.ARecordArgs{Ipv4Address: env.StaticIp}},
			// Record sets take metadata, not tags.
			Metadata: b.tags("container-apps"),
		}, b.child()...)
		if err != nil {
			return err
		}
		b.c.Platform.Environments[t.Name] = TenantEnvironment{
			ID:              env.ID().ToStringOutput(),
			Name:            env.Name,
			DefaultDomain:   env.DefaultDomain,
			WorkloadProfile: dedicatedProfile,
			Ready:           []pulumi.Resource{zone, link, record},
		}
	}
	return nil
}

// hasEnvironment: a container tenant with compute (active or suspended) has
// an environment; a decommissioned one has none, and frees its slot.
func hasEnvironment(t *spec.Tenant) bool {
	return t.Runtime == spec.RuntimeContainer && t.Container != nil && t.HasCompute()
}

// internalEnvironment is a zone-redundant Container Apps environment in one
// of the VNet's subnets, with the given workload profiles. Internal: it
// gets a private static IP in the subnet and no public endpoint (the
// gateway is the way in). What its apps and jobs print goes to the region's
// workspace, through Azure Monitor.
//
// The subnet, the zone redundancy and the infrastructure group are fixed at
// creation, and ARM ignores or refuses a change to them
// (docs/update-semantics.md): a change replaces the environment, deleting
// it first, since its name stays.
func (b *clusterBuilder) internalEnvironment(logical, name, infraGroup, subnet, part string, profiles appv20240301.WorkloadProfileArray, peer *appv20240301.ManagedEnvironmentPeerTrafficConfigurationArgs) (*appv20240301.ManagedEnvironment, error) {
	args := &appv20240301.ManagedEnvironmentArgs{
		EnvironmentName:             pulumi.String(name),
		ResourceGroupName:           b.rg.Name,
		Location:                    b.location,
		InfrastructureResourceGroup: pulumi.String(infraGroup),
		ZoneRedundant:               pulumi.Bool(true),
		VnetConfiguration: &appv20240301.VnetConfigurationArgs{
			InfrastructureSubnetId: b.subnetIDs[subnet],
			Internal:               pulumi.Bool(true),
		},
		// Logs go through Azure Monitor, i.e. the diagnostic setting below,
		// not the "log-analytics" destination, which writes with the
		// workspace's shared key that the workspace refuses (local auth
		// is off, cluster_monitoring.go). logAnalyticsConfiguration "must
		// only be provided when destination is configured as
		// 'log-analytics'" (AppLogsConfiguration, REST API 2024-03-01;
		// learn.microsoft.com/azure/container-apps/log-options).
		AppLogsConfiguration: &appv20240301.AppLogsConfigurationArgs{
			Destination: pulumi.String("azure-monitor"),
		},
		WorkloadProfiles: profiles,
		Tags:             b.tags(part),
	}
	if peer != nil {
		args.PeerTrafficConfiguration = peer
	}
	env, err := appv20240301.NewManagedEnvironment(b.ctx, b.name+"-"+logical, args, b.child(
		pulumi.ReplaceOnChanges([]string{"vnetConfiguration", "zoneRedundant", "infrastructureResourceGroup"}),
		pulumi.DeleteBeforeReplace(true),
	)...)
	if err != nil {
		return nil, err
	}
	// The console and system logs (category group allLogs:
	// ContainerAppConsoleLogs, ContainerAppSystemLogs) and metrics, to the
	// region's workspace, in their resource-specific tables.
	if err := b.diagnostics(logical, env.ID().ToStringOutput(), allLogs, nil, allMetrics, true); err != nil {
		return nil, err
	}
	return env, nil
}

// consumptionProfiles is the serverless profile alone: the operators' jobs
// environment, which runs short jobs and holds no tenant.
func consumptionProfiles() appv20240301.WorkloadProfileArray {
	return appv20240301.WorkloadProfileArray{appv20240301.WorkloadProfileArgs{
		Name:                pulumi.String(consumptionProfile),
		WorkloadProfileType: pulumi.String(consumptionProfile),
	}}
}
