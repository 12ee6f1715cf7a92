// The region's Container Apps environment (internal, zone redundant, in the
// apps subnet) and the private zone that resolves its apps. Promise: zone
// resilience, and no public endpoint for any tenant's app.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// app 2024-03-01: named workload profiles ("Consumption"); the default
	// 2022-10-01 API only knows the preview profile shape.
	appv20240301 "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"
)

// containerAppsEnvironment is the region's zone-redundant, internal
// environment in the apps subnet, with a Consumption workload profile.
//
// Its logs reach the workspace through a diagnostic setting
// (internalEnvironment).
func (b *clusterBuilder) containerAppsEnvironment() error {
	// Traffic between apps of different tenants inside the environment is
	// encrypted.
	env, err := b.internalEnvironment("cae", clusterEnvironmentName(b.key), clusterEnvironmentInfraResourceGroupName(b.key), subnetApps, "container-apps",
		&appv20240301.ManagedEnvironmentPeerTrafficConfigurationArgs{
			Encryption: &appv20240301.ManagedEnvironmentEncryptionArgs{Enabled: pulumi.Bool(true)},
		})
	if err != nil {
		return err
	}
	b.environment = env
	b.c.EnvironmentID = env.ID().ToStringOutput()
	b.c.Platform.EnvironmentID = env.ID().ToStringOutput()
	b.c.Platform.EnvironmentName = env.Name
	b.c.Platform.EnvironmentDefaultDomain = env.DefaultDomain
	b.c.Platform.EnvironmentStaticIP = env.StaticIp
	b.c.Platform.EnvironmentWorkloadProfile = consumptionProfile

	// An internal environment publishes no DNS: a private zone named after
	// its default domain, with every name pointing at its static IP, lets
	// the gateway (and the VNet) resolve <app>.<default domain>.
	zone, link, err := b.privateZone("cae-dns", env.DefaultDomain)
	if err != nil {
		return err
	}
	record, err := network.NewPrivateRecordSet(b.ctx, b.name+"-cae-dns-wildcard", &network.PrivateRecordSetArgs{
		PrivateZoneName:       zone.Name,
		ResourceGroupName:     b.rg.Name,
		RecordType:            pulumi.String("A"),
		RelativeRecordSetName: pulumi.String("*"),
		Ttl:                   pulumi.Float64(dnsTTL),
		ARecords:              network.ARecordArray{network.ARecordArgs{Ipv4Address: env.StaticIp}},
		// Record sets take metadata, not tags.
		Metadata: b.tags("container-apps"),
	}, b.child()...)
	b.environmentDNS = []pulumi.Resource{zone, link, record}
	return err
}

// internalEnvironment is a zone-redundant Container Apps environment with a
// Consumption workload profile in one of the VNet's subnets. Internal: it
// gets a private static IP in the subnet and no public endpoint (the
// gateway is the way in). What its apps and jobs print goes to the region's
// workspace.
func (b *clusterBuilder) internalEnvironment(logical, name, infraGroup, subnet, part string, peer *appv20240301.ManagedEnvironmentPeerTrafficConfigurationArgs) (*appv20240301.ManagedEnvironment, error) {
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
		WorkloadProfiles: appv20240301.WorkloadProfileArray{
			appv20240301.WorkloadProfileArgs{
				Name:                pulumi.String(consumptionProfile),
				WorkloadProfileType: pulumi.String(consumptionProfile),
			},
		},
		Tags: b.tags(part),
	}
	if peer != nil {
		args.PeerTrafficConfiguration = peer
	}
	env, err := appv20240301.NewManagedEnvironment(b.ctx, b.name+"-"+logical, args, b.child()...)
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
