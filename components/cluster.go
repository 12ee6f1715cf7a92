package components

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/sql/v2"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// Versioned API packages of modules already in go.mod, each used only
	// where the module's default API version lacks a property we need:
	//   - app 2024-03-01: named workload profiles ("Consumption"); the
	//     default 2022-10-01 API only knows the preview profile shape.
	//   - network 2024-05-01: a subnet's defaultOutboundAccess and a Bastion
	//     host's zones; the default 2023-02-01 API has neither.
	//   - recoveryservices 2024-01-01: the vault's redundancySettings
	//     (zone-redundant storage, cross-region restore) and immutability.
	appv20240301 "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"
	networkv20240501 "github.com/pulumi/pulumi-azure-native-sdk/network/v2/v20240501"
	recoveryservicesv20240101 "github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2/v20240101"

	"github.com/kpax/kpax-cloud/spec"
)

// RegionalClusterArgs are the inputs of a region's shared platform.
type RegionalClusterArgs struct {
	// Region is the region's fully defaulted spec.
	Region *spec.Region
	// Tenants are the region's tenants in every state: active and suspended
	// ones get a route on the gateway, and every one of them (decommissioned
	// included, its data is kept) decides which SQL servers and backup
	// policies exist.
	Tenants []*spec.Tenant
	// Stamp is which of the region's stamps this cluster is (0 means 1).
	// Stamp 1 keeps the region's names and owns its public DNS zone; stamp
	// n > 1 is an independent copy with names keyed <region><n>, the n-th
	// /16 of the region, and its tenants' records in stamp 1's zone.
	Stamp int
	// DNSSubscriptionID is the subscription of stamp 1, which holds the
	// region's public zone, when this stamp lives in another subscription.
	DNSSubscriptionID string
}

// RegionalCluster is a region's shared, zone-redundant platform: network,
// monitoring, vaults, the Container Apps environment, the front door and the
// shared SQL servers. Tenant stacks use it through Platform.
type RegionalCluster struct {
	pulumi.ResourceState

	// Platform is everything a tenant stack needs of the cluster.
	Platform Platform

	ResourceGroupName pulumi.StringOutput
	VNetID            pulumi.StringOutput
	WorkspaceID       pulumi.StringOutput
	KeyVaultName      pulumi.StringOutput
	RecoveryVaultID   pulumi.StringOutput
	EnvironmentID     pulumi.StringOutput
	GatewayID         pulumi.StringOutput
	// DataCollectionRuleID is the Azure Monitor rule tenant VMs report to
	// (TenantArgs.DataCollectionRuleID).
	DataCollectionRuleID pulumi.StringOutput
	// GatewayPublicIPAddress is the address every tenant hostname points at.
	GatewayPublicIPAddress pulumi.StringOutput
	// DNSZoneName is the region's public zone; operators delegate it to the
	// name servers Azure gives the zone.
	DNSZoneName pulumi.StringOutput
}

// Fixed settings of the cluster. Each is a deliberate choice, not a default
// left to Azure.
const (
	// clusterSuffixLength is the length of the random suffix of the
	// cluster's globally unique names (Key Vault, SQL servers).
	clusterSuffixLength = 5
	// workspaceRetentionDays is how long Log Analytics keeps logs
	// (PerGB2018 allows 30-730 days).
	workspaceRetentionDays = 90
	// clusterKeyVaultSoftDeleteDays is the longest soft-delete retention
	// Azure allows for a vault.
	clusterKeyVaultSoftDeleteDays = 90
	// recoveryVaultSoftDeleteDays is how long deleted backup data is kept
	// (14-180 days).
	recoveryVaultSoftDeleteDays = 14
	// vmInstantRestoreDays keeps VM snapshots for fast restores; 2 is valid
	// for both standard (1-5) and enhanced (1-30) policies.
	vmInstantRestoreDays = 2
	// backupScheduleDate is the date part the vault requires in a daily
	// schedule's times; only the time of day matters. A constant so that
	// the policy never changes between runs.
	backupScheduleDate = "2024-01-01"
	// gatewayMinCapacity keeps one instance up after losing a zone;
	// gatewayMaxCapacity bounds the bill.
	gatewayMinCapacity = 2
	gatewayMaxCapacity = 10
	// Request routing rule priorities (1-20000, unique per gateway): tenants
	// first, in name order, then the HTTP redirect, then the catch-all.
	gatewayFirstTenantPriority = 1000
	gatewayTenantPriorityStep  = 10
	gatewayRedirectPriority    = 19900
	gatewayDefaultPriority     = 20000
	// gatewayCertificateName is the gateway's name for the wildcard
	// certificate it reads from the platform Key Vault.
	gatewayCertificateName = "wildcard"
	// consumptionProfile is the environment's serverless workload profile;
	// tenants' container apps run in it.
	consumptionProfile = "Consumption"
	// gatewayWAFRuleSetType and gatewayWAFRuleSetVersion are the WAF's
	// managed rule set (OWASP CRS 3.2).
	gatewayWAFRuleSetType    = "OWASP"
	gatewayWAFRuleSetVersion = "3.2"
)

// clusterPrivateDNSZones are the private-link zones tenants' private
// endpoints register in, by Platform.PrivateDNSZoneIDs key.
var clusterPrivateDNSZones = map[string]string{
	"sqlServer": "privatelink.database.windows.net",
	"blob":      "privatelink.blob.core.windows.net",
	"file":      "privatelink.file.core.windows.net",
	"vault":     "privatelink.vaultcore.azure.net",
}

// managementPorts are SSH, RDP and WinRM: never reachable from the internet.
var managementPorts = []string{"22", "3389", "5985", "5986"}

// NewRegionalCluster builds a region's shared platform.
func NewRegionalCluster(ctx *pulumi.Context, name string, args *RegionalClusterArgs, opts ...pulumi.ResourceOption) (*RegionalCluster, error) {
	if args == nil {
		return nil, errors.New("regional cluster: args are required")
	}
	if args.Region == nil {
		return nil, errors.New("regional cluster: args.Region is required")
	}
	r := args.Region
	stamp := args.Stamp
	if stamp == 0 {
		stamp = 1
	}
	subnets, space, err := validateClusterArgs(args, stamp)
	if err != nil {
		return nil, fmt.Errorf("regional cluster %q: %w", r.Name, err)
	}

	c := &RegionalCluster{}
	if err := ctx.RegisterComponentResource("kpax:components:RegionalCluster", name, c, opts...); err != nil {
		return nil, err
	}
	b := &clusterBuilder{
		ctx:    ctx,
		name:   name,
		region: r,
		stamp:  stamp,

		dnsSubscriptionID: args.DNSSubscriptionID,
		key:               spec.StampKey(r.Name, stamp),
		space:             space,
		tenants:           sortedTenants(args.Tenants),
		subnets:           subnets,
		c:                 c,
		location:          pulumi.String(r.Location),
		zones:             pulumi.ToStringArray(r.Zones),
	}
	if err := b.build(); err != nil {
		return nil, fmt.Errorf("regional cluster %q: %w", r.Name, err)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"resourceGroupName":      c.ResourceGroupName,
		"vnetId":                 c.VNetID,
		"workspaceId":            c.WorkspaceID,
		"keyVaultName":           c.KeyVaultName,
		"recoveryVaultId":        c.RecoveryVaultID,
		"environmentId":          c.EnvironmentID,
		"gatewayId":              c.GatewayID,
		"dataCollectionRuleId":   c.DataCollectionRuleID,
		"gatewayPublicIpAddress": c.GatewayPublicIPAddress,
		"dnsZoneName":            c.DNSZoneName,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// validateClusterArgs reports every problem of the args at once and returns
// the subnet plan of the region.
func validateClusterArgs(args *RegionalClusterArgs, stamp int) (subnetPlan, string, error) {
	r := args.Region
	var errs []error
	if len(r.Zones) == 0 {
		errs = append(errs, errors.New("region has no zones"))
	}
	if stamp < 1 || stamp > r.Stamps {
		errs = append(errs, fmt.Errorf("stamp %d is not one of the region's stamps (1-%d)", stamp, r.Stamps))
	}
	if r.Registry.Server == "" || subscriptionScope(r.Registry.ResourceID) == "" {
		errs = append(errs, errors.New("region has no registry (server and resourceId): its tenants could not pull the server image"))
	}
	if n := len(clusterKeyVaultName(spec.StampKey(r.Name, stamp), strings.Repeat("x", clusterSuffixLength))); n > 24 {
		errs = append(errs, fmt.Errorf("region key too long for a Key Vault name (%d > 24 characters)", n))
	}
	space, err := r.StampAddressSpace(stamp)
	if err != nil {
		errs = append(errs, err)
	}
	subnets, err := deriveSubnets(space)
	if err != nil {
		errs = append(errs, err)
	}
	for i, t := range args.Tenants {
		switch {
		case t == nil:
			errs = append(errs, fmt.Errorf("tenants[%d] is nil", i))
		case t.Region != r.Name:
			errs = append(errs, fmt.Errorf("tenant %q belongs to region %q", t.Name, t.Region))
		case t.Stamp != stamp:
			errs = append(errs, fmt.Errorf("tenant %q belongs to stamp %d", t.Name, t.Stamp))
		}
	}
	return subnets, space, errors.Join(errs...)
}

// sortedTenants orders tenants by name, the stable key every per-tenant
// list of the cluster (gateway routes, priorities) is built from.
func sortedTenants(in []*spec.Tenant) []*spec.Tenant {
	out := append([]*spec.Tenant(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// clusterBuilder carries what the parts of the cluster share while it is
// built. Each method builds one part and records what later parts need.
type clusterBuilder struct {
	ctx    *pulumi.Context
	name   string
	region *spec.Region
	stamp  int
	// dnsSubscriptionID: RegionalClusterArgs.DNSSubscriptionID.
	dnsSubscriptionID string
	key               string // names the stamp's resources: spec.StampKey
	space             string // the stamp's VNet range: spec.Region.StampAddressSpace
	tenants           []*spec.Tenant
	subnets           subnetPlan
	c                 *RegionalCluster
	location          pulumi.StringInput
	zones             pulumi.StringArray

	subscription pulumi.StringOutput // the subscription ID
	tenantID     pulumi.StringOutput // the Entra tenant ID
	suffix       *random.RandomString
	rg           *resources.ResourceGroup
	workspace    *operationalinsights.Workspace
	vnet         *network.VirtualNetwork
	subnetIDs    map[string]pulumi.StringOutput
	privateZones map[string]*network.PrivateZone
	keyVault     *keyvault.Vault
	environment  *appv20240301.ManagedEnvironment
}

func (b *clusterBuilder) child(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)
}

func (b *clusterBuilder) tags(part string) pulumi.StringMap { return regionTags(b.region, part) }

func (b *clusterBuilder) build() error {
	cfg := authorization.GetClientConfigOutput(b.ctx)
	b.subscription = cfg.SubscriptionId()
	b.tenantID = cfg.TenantId()
	steps := []struct {
		what string
		run  func() error
	}{
		{"resource group", b.resourceGroup},
		{"suffix", b.randomSuffix},
		{"log analytics", b.logAnalytics},
		{"network", b.network},
		{"private dns", b.privateDNS},
		{"public dns", b.publicDNS},
		{"bastion", b.bastion},
		{"key vault", b.platformKeyVault},
		{"recovery vault", b.recoveryVault},
		{"container apps environment", b.containerAppsEnvironment},
		{"application gateway", b.applicationGateway},
		{"registry pull identity", b.registryPull},
		{"sql servers", b.sqlServers},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	b.c.Platform.Location = b.region.Location
	b.c.Platform.Zones = append([]string(nil), b.region.Zones...)
	b.c.Platform.OperatorsGroupObjectID = b.region.Operators.GroupObjectID
	b.c.Platform.OperatorsGroupName = b.region.Operators.GroupName
	return nil
}

func (b *clusterBuilder) resourceGroup() error {
	rg, err := resources.NewResourceGroup(b.ctx, b.name+"-rg", &resources.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(platformResourceGroupName(b.key)),
		Location:          b.location,
		Tags:              b.tags("resource-group"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.rg = rg
	b.c.ResourceGroupName = rg.Name
	b.c.Platform.ResourceGroupName = rg.Name
	return nil
}

// randomSuffix makes the cluster's globally unique names unique. It has no
// keepers: once created it never changes, and neither do the names.
func (b *clusterBuilder) randomSuffix() error {
	s, err := random.NewRandomString(b.ctx, b.name+"-suffix", &random.RandomStringArgs{
		Length:  pulumi.Int(clusterSuffixLength),
		Lower:   pulumi.Bool(true),
		Numeric: pulumi.Bool(true),
		Upper:   pulumi.Bool(false),
		Special: pulumi.Bool(false),
	}, b.child()...)
	b.suffix = s
	return err
}

// diagnostics sends a resource's logs (category groups, "allLogs") and
// metrics ("AllMetrics") to the region's workspace. dedicated asks for
// resource-specific tables where the resource supports them.
func (b *clusterBuilder) diagnostics(part string, resourceURI pulumi.StringInput, logGroups, logCategories, metrics []string, dedicated bool) error {
	var logs insights.LogSettingsArray
	for _, g := range logGroups {
		logs = append(logs, insights.LogSettingsArgs{CategoryGroup: pulumi.String(g), Enabled: pulumi.Bool(true)})
	}
	for _, c := range logCategories {
		logs = append(logs, insights.LogSettingsArgs{Category: pulumi.String(c), Enabled: pulumi.Bool(true)})
	}
	var ms insights.MetricSettingsArray
	for _, m := range metrics {
		ms = append(ms, insights.MetricSettingsArgs{Category: pulumi.String(m), Enabled: pulumi.Bool(true)})
	}
	args := &insights.DiagnosticSettingArgs{
		Name:        pulumi.String(diagnosticSettingName),
		ResourceUri: resourceURI,
		WorkspaceId: b.workspace.ID().ToStringOutput(),
		Logs:        logs,
		Metrics:     ms,
	}
	if dedicated {
		args.LogAnalyticsDestinationType = pulumi.String("Dedicated")
	}
	_, err := insights.NewDiagnosticSetting(b.ctx, b.name+"-diag-"+part, args, b.child()...)
	return err
}

var (
	allLogs    = []string{"allLogs"}
	allMetrics = []string{"AllMetrics"}
)

func (b *clusterBuilder) logAnalytics() error {
	ws, err := operationalinsights.NewWorkspace(b.ctx, b.name+"-log", &operationalinsights.WorkspaceArgs{
		WorkspaceName:     pulumi.String(clusterWorkspaceName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Sku:               &operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")},
		RetentionInDays:   pulumi.Int(workspaceRetentionDays),
		// Local (shared key) auth stays on: the Container Apps environment
		// ships its logs with the workspace's shared key.
		Features: &operationalinsights.WorkspaceFeaturesArgs{
			DisableLocalAuth: pulumi.Bool(false),
			EnableLogAccessUsingOnlyResourcePermissions: pulumi.Bool(true),
		},
		Tags: b.tags("monitoring"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.workspace = ws
	b.c.WorkspaceID = ws.ID().ToStringOutput()
	b.c.Platform.WorkspaceID = ws.ID().ToStringOutput()
	// The workspace's own audit log (queries, changes) goes to itself.
	if err := b.diagnostics("log", ws.ID().ToStringOutput(), allLogs, nil, allMetrics, false); err != nil {
		return err
	}
	return b.vmDataCollectionRule()
}

// vmDataCollectionRule is what the Azure Monitor agent on tenant VMs
// collects: the security-relevant syslog facilities (sign-ins through
// Bastion land in auth/authpriv) from Warning up, and every auth message.
// Tenant VMs are associated with it (TenantArgs.DataCollectionRuleID).
func (b *clusterBuilder) vmDataCollectionRule() error {
	const destination = "workspace"
	dcr, err := insights.NewDataCollectionRule(b.ctx, b.name+"-dcr-vm", &insights.DataCollectionRuleArgs{
		DataCollectionRuleName: pulumi.String(clusterDataCollectionRuleName(b.key)),
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Kind:                   pulumi.String("Linux"),
		Description:            pulumi.String("kpax-cloud: guest logs of tenant VMs"),
		DataSources: &insights.DataCollectionRuleDataSourcesArgs{
			Syslog: insights.SyslogDataSourceArray{
				insights.SyslogDataSourceArgs{
					Name:          pulumi.String("auth"),
					Streams:       pulumi.StringArray{pulumi.String("Microsoft-Syslog")},
					FacilityNames: pulumi.StringArray{pulumi.String("auth"), pulumi.String("authpriv")},
					LogLevels:     pulumi.StringArray{pulumi.String("*")},
				},
				insights.SyslogDataSourceArgs{
					Name:          pulumi.String("system"),
					Streams:       pulumi.StringArray{pulumi.String("Microsoft-Syslog")},
					FacilityNames: pulumi.StringArray{pulumi.String("daemon"), pulumi.String("kern"), pulumi.String("syslog"), pulumi.String("cron")},
					LogLevels: pulumi.StringArray{pulumi.String("Warning"), pulumi.String("Error"), pulumi.String("Critical"),
						pulumi.String("Alert"), pulumi.String("Emergency")},
				},
			},
		},
		Destinations: &insights.DataCollectionRuleDestinationsArgs{
			LogAnalytics: insights.LogAnalyticsDestinationArray{
				insights.LogAnalyticsDestinationArgs{Name: pulumi.String(destination), WorkspaceResourceId: b.workspace.ID().ToStringOutput()},
			},
		},
		DataFlows: insights.DataFlowArray{
			insights.DataFlowArgs{
				Streams:      pulumi.StringArray{pulumi.String("Microsoft-Syslog")},
				Destinations: pulumi.StringArray{pulumi.String(destination)},
			},
		},
		Tags: b.tags("monitoring"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.DataCollectionRuleID = dcr.ID().ToStringOutput()
	b.c.Platform.DataCollectionRuleID = dcr.ID().ToStringOutput()
	return nil
}

// network builds the VNet, its subnets with their NSGs, and the NAT egress.
//
// The subnets are separate Subnet resources and the VNet declares none
// inline: a VNet that lists subnets inline and separate Subnet resources in
// the same VNet fight over the list on every update, and inline subnets
// cannot depend on resources that need the VNet. The azure-native provider
// keeps a VNet's existing subnets when its subnets input is absent.
func (b *clusterBuilder) network() error {
	r := b.key
	vnet, err := network.NewVirtualNetwork(b.ctx, b.name+"-vnet", &network.VirtualNetworkArgs{
		VirtualNetworkName: pulumi.String(clusterVNetName(r)),
		ResourceGroupName:  b.rg.Name,
		Location:           b.location,
		AddressSpace: &network.AddressSpaceArgs{
			AddressPrefixes: pulumi.StringArray{pulumi.String(b.space)},
		},
		Tags: b.tags("network"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.vnet = vnet
	b.c.VNetID = vnet.ID().ToStringOutput()
	b.c.Platform.VNetID = vnet.ID().ToStringOutput()
	if err := b.diagnostics("vnet", vnet.ID().ToStringOutput(), allLogs, nil, allMetrics, false); err != nil {
		return err
	}

	// NAT egress for the subnets whose workloads call out (VMs, apps).
	// A NAT gateway is a zonal resource: it cannot span zones, and a subnet
	// takes one NAT gateway, so a zone-redundant egress would need one
	// subnet per zone, which the zone-spanning apps environment and scale
	// sets cannot use. We pin it to the region's first zone rather than
	// leave "no zone" (where Azure picks a zone we cannot see): the failure
	// domain is then known and documented. Losing that zone stops new
	// outbound connections from the other zones until it is back; inbound
	// traffic (gateway) and private endpoints are unaffected. Its public IP
	// is zone redundant, so the address survives and can be moved.
	natIP, err := b.publicIP("nat")
	if err != nil {
		return err
	}
	nat, err := network.NewNatGateway(b.ctx, b.name+"-nat", &network.NatGatewayArgs{
		NatGatewayName:       pulumi.String(clusterNATGatewayName(r)),
		ResourceGroupName:    b.rg.Name,
		Location:             b.location,
		Sku:                  &network.NatGatewaySkuArgs{Name: pulumi.String("Standard")},
		Zones:                pulumi.StringArray{pulumi.String(b.region.Zones[0])},
		IdleTimeoutInMinutes: pulumi.Int(4),
		PublicIpAddresses:    network.SubResourceArray{network.SubResourceArgs{Id: natIP.ID().ToStringOutput()}},
		Tags:                 b.tags("network"),
	}, b.child()...)
	if err != nil {
		return err
	}
	if err := b.diagnostics("nat", nat.ID().ToStringOutput(), nil, nil, allMetrics, false); err != nil {
		return err
	}

	b.subnetIDs = map[string]pulumi.StringOutput{}
	var previous pulumi.Resource
	for _, s := range b.subnets.all() {
		args := &networkv20240501.SubnetArgs{
			SubnetName:         pulumi.String(s.Name),
			VirtualNetworkName: vnet.Name,
			ResourceGroupName:  b.rg.Name,
			AddressPrefix:      pulumi.String(s.Prefix),
		}
		if s.Key != subnetBastion {
			// The AzureBastionSubnet takes no NSG here: Bastion only works
			// with an NSG carrying its exact set of rules (GatewayManager and
			// Internet on 443, AzureLoadBalancer, 8080/5701 between hosts,
			// outbound 22/3389 to the VNet and 443 to AzureCloud), and the
			// service already exposes only 443 on its public IP. The VMs'
			// NSG is where management ports are restricted (to this subnet).
			nsg, err := b.networkSecurityGroup(s.Key)
			if err != nil {
				return err
			}
			args.NetworkSecurityGroup = &networkv20240501.NetworkSecurityGroupTypeArgs{Id: nsg.ID().ToStringOutput()}
		}
		switch s.Key {
		case subnetApps:
			args.Delegations = networkv20240501.DelegationArray{networkv20240501.DelegationArgs{
				Name:        pulumi.String("Microsoft.App.environments"),
				ServiceName: pulumi.String("Microsoft.App/environments"),
			}}
			args.NatGateway = &networkv20240501.SubResourceArgs{Id: nat.ID().ToStringOutput()}
		case subnetVMs:
			args.NatGateway = &networkv20240501.SubResourceArgs{Id: nat.ID().ToStringOutput()}
			// VMs reach the internet through the NAT gateway only, never
			// through Azure's implicit default outbound address.
			args.DefaultOutboundAccess = pulumi.Bool(false)
		case subnetEndpoints:
			// Private endpoints never call out; NSG rules apply to them.
			args.DefaultOutboundAccess = pulumi.Bool(false)
			args.PrivateEndpointNetworkPolicies = pulumi.String("Enabled")
		}
		// defaultOutboundAccess stays unset on the apps, gateway and Bastion
		// subnets: their outbound traffic is managed by the service (the
		// apps subnet also has the NAT gateway), and Azure documents
		// private subnets as unsupported for delegated and gateway subnets.
		opts := b.child()
		if previous != nil {
			// One subnet at a time: Azure rejects concurrent changes to
			// the subnets of one VNet (AnotherOperationInProgress).
			opts = append(opts, pulumi.DependsOn([]pulumi.Resource{previous}))
		}
		subnet, err := networkv20240501.NewSubnet(b.ctx, b.name+"-snet-"+s.Key, args, opts...)
		if err != nil {
			return err
		}
		previous = subnet
		b.subnetIDs[s.Key] = subnet.ID().ToStringOutput()
	}
	b.c.Platform.VMSubnetID = b.subnetIDs[subnetVMs]
	b.c.Platform.EndpointSubnetID = b.subnetIDs[subnetEndpoints]
	b.c.Platform.GatewaySubnetPrefix = b.subnets.Gateway
	b.c.Platform.BastionSubnetPrefix = b.subnets.Bastion
	return nil
}

// publicIP is a Standard, static, zone-redundant public IP (zones: all of
// the region's), the only kind a zone-redundant gateway, Bastion or NAT
// gateway takes.
func (b *clusterBuilder) publicIP(user string) (*network.PublicIPAddress, error) {
	ip, err := network.NewPublicIPAddress(b.ctx, b.name+"-pip-"+user, &network.PublicIPAddressArgs{
		PublicIpAddressName:      pulumi.String(clusterPublicIPName(b.key, user)),
		ResourceGroupName:        b.rg.Name,
		Location:                 b.location,
		Sku:                      &network.PublicIPAddressSkuArgs{Name: pulumi.String("Standard"), Tier: pulumi.String("Regional")},
		PublicIPAllocationMethod: pulumi.String("Static"),
		PublicIPAddressVersion:   pulumi.String("IPv4"),
		Zones:                    b.zones,
		Tags:                     b.tags("network"),
	}, b.child()...)
	if err != nil {
		return nil, err
	}
	if err := b.diagnostics("pip-"+user, ip.ID().ToStringOutput(), allLogs, nil, allMetrics, false); err != nil {
		return nil, err
	}
	return ip, nil
}

// networkSecurityGroup is the NSG of one subnet. Rules are inline (no
// separate SecurityRule resources, which would conflict with them). Every
// NSG ends with an explicit deny of the management ports from the internet,
// in front of Azure's default rules, so that no later allow rule with a
// higher number can open them by mistake.
func (b *clusterBuilder) networkSecurityGroup(subnet string) (*network.NetworkSecurityGroup, error) {
	rules := nsgRules(subnet, b.subnets)
	nsg, err := network.NewNetworkSecurityGroup(b.ctx, b.name+"-nsg-"+subnet, &network.NetworkSecurityGroupArgs{
		NetworkSecurityGroupName: pulumi.String(clusterNSGName(b.key, subnet)),
		ResourceGroupName:        b.rg.Name,
		Location:                 b.location,
		SecurityRules:            rules,
		Tags:                     b.tags("network"),
	}, b.child()...)
	if err != nil {
		return nil, err
	}
	// NSGs have logs (events, rule counters) but no metrics.
	if err := b.diagnostics("nsg-"+subnet, nsg.ID().ToStringOutput(), allLogs, nil, nil, false); err != nil {
		return nil, err
	}
	return nsg, nil
}

// securityRule is one inbound NSG rule.
func securityRule(name string, priority int, access, protocol, source, destination string, ports []string) network.SecurityRuleTypeArgs {
	return network.SecurityRuleTypeArgs{
		Name:                     pulumi.String(name),
		Priority:                 pulumi.Int(priority),
		Direction:                pulumi.String("Inbound"),
		Access:                   pulumi.String(access),
		Protocol:                 pulumi.String(protocol),
		SourceAddressPrefix:      pulumi.String(source),
		SourcePortRange:          pulumi.String("*"),
		DestinationAddressPrefix: pulumi.String(destination),
		DestinationPortRanges:    pulumi.ToStringArray(ports),
	}
}

// nsgRules are the inbound rules of one subnet's NSG.
func nsgRules(subnet string, plan subnetPlan) network.SecurityRuleTypeArray {
	denyInternetManagement := securityRule("deny-management-from-internet", 4000, "Deny", "*", "Internet", "*", managementPorts)
	switch subnet {
	case subnetGateway:
		// What Application Gateway v2 requires, plus the web ports.
		return network.SecurityRuleTypeArray{
			securityRule("allow-gateway-manager", 100, "Allow", "Tcp", "GatewayManager", "*", []string{"65200-65535"}),
			securityRule("allow-azure-load-balancer", 110, "Allow", "*", "AzureLoadBalancer", "*", []string{"*"}),
			securityRule("allow-web-from-internet", 120, "Allow", "Tcp", "Internet", "*", []string{"80", "443"}),
			denyInternetManagement,
		}
	case subnetApps:
		// The gateway reaches the environment's internal ingress. Azure's
		// default rules keep traffic inside the VNet (the environment's own
		// nodes and load balancer) working.
		return network.SecurityRuleTypeArray{
			securityRule("allow-gateway-to-apps", 100, "Allow", "Tcp", plan.Gateway, plan.Apps, []string{"80", "443"}),
			denyInternetManagement,
		}
	case subnetVMs:
		// The gateway reaches the KPAX server; only Bastion reaches the
		// management ports, nothing else in the VNet does.
		return network.SecurityRuleTypeArray{
			securityRule("allow-gateway-to-app", 100, "Allow", "Tcp", plan.Gateway, plan.VMs, []string{fmt.Sprint(appPort)}),
			securityRule("allow-bastion-management", 110, "Allow", "Tcp", plan.Bastion, plan.VMs, []string{"22", "3389"}),
			securityRule("deny-management-from-vnet", 3900, "Deny", "*", "VirtualNetwork", "*", managementPorts),
			denyInternetManagement,
		}
	default:
		return network.SecurityRuleTypeArray{denyInternetManagement}
	}
}

// privateDNS builds the private-link zones, linked to the VNet.
func (b *clusterBuilder) privateDNS() error {
	b.privateZones = map[string]*network.PrivateZone{}
	b.c.Platform.PrivateDNSZoneIDs = map[string]pulumi.StringOutput{}
	keys := make([]string, 0, len(clusterPrivateDNSZones))
	for k := range clusterPrivateDNSZones {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		zone, err := b.privateZone("pdns-"+key, pulumi.String(clusterPrivateDNSZones[key]))
		if err != nil {
			return err
		}
		b.privateZones[key] = zone
		b.c.Platform.PrivateDNSZoneIDs[key] = zone.ID().ToStringOutput()
	}
	return nil
}

// privateZone is a private DNS zone linked to the VNet for resolution only
// (no auto-registration: records come from private endpoints or are
// declared).
func (b *clusterBuilder) privateZone(part string, zoneName pulumi.StringInput) (*network.PrivateZone, error) {
	zone, err := network.NewPrivateZone(b.ctx, b.name+"-"+part, &network.PrivateZoneArgs{
		PrivateZoneName:   zoneName,
		ResourceGroupName: b.rg.Name,
		Location:          pulumi.String("global"),
		Tags:              b.tags("dns"),
	}, b.child()...)
	if err != nil {
		return nil, err
	}
	_, err = network.NewVirtualNetworkLink(b.ctx, b.name+"-"+part+"-link", &network.VirtualNetworkLinkArgs{
		VirtualNetworkLinkName: pulumi.String(clusterVNetName(b.key)),
		PrivateZoneName:        zone.Name,
		ResourceGroupName:      b.rg.Name,
		Location:               pulumi.String("global"),
		RegistrationEnabled:    pulumi.Bool(false),
		VirtualNetwork:         &network.SubResourceArgs{Id: b.vnet.ID().ToStringOutput()},
		Tags:                   b.tags("dns"),
	}, b.child()...)
	if err != nil {
		return nil, err
	}
	return zone, nil
}

// publicDNS is the region's public zone; tenants add their records to it.
// Diagnostic settings are left out for DNS zones: they only have metrics,
// which Azure Monitor keeps without a setting.
func (b *clusterBuilder) publicDNS() error {
	b.c.Platform.DNSZoneName = b.region.DNSZone
	b.c.Platform.DNSZoneResourceGroupName = platformResourceGroupName(b.region.Name)
	if b.stamp > 1 {
		// One zone per region, delegated once: stamp 1 owns it, and later
		// stamps write their tenants' records into it by name, through a
		// provider for stamp 1's subscription when theirs is another.
		b.c.DNSZoneName = pulumi.String(b.region.DNSZone).ToStringOutput()
		if b.dnsSubscriptionID != "" {
			provider, err := azurenative.NewProvider(b.ctx, b.name+"-dns-provider", &azurenative.ProviderArgs{
				SubscriptionId: pulumi.StringPtr(b.dnsSubscriptionID),
			}, b.child()...)
			if err != nil {
				return err
			}
			b.c.Platform.DNSProvider = provider
		}
		return nil
	}
	zone, err := network.NewZone(b.ctx, b.name+"-dns", &network.ZoneArgs{
		ZoneName:          pulumi.String(b.region.DNSZone),
		ResourceGroupName: b.rg.Name,
		Location:          pulumi.String("global"),
		ZoneType:          network.ZoneTypePublic,
		Tags:              b.tags("dns"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.DNSZoneName = zone.Name
	b.c.Platform.DNSZone = zone
	return nil
}

// registryPull gives the stamp's container apps and VMs one identity to
// pull the KPAX server image with: AcrPull on the region's registry, which
// lives outside this program (and may be in another subscription, hence the
// role definition of the registry's own subscription). A tenant's identity
// could pull too, but a grant per tenant would give every tenant identity a
// role beyond its own data, and spend a role assignment per tenant.
func (b *clusterBuilder) registryPull() error {
	reg := b.region.Registry
	identity, grant, err := b.identityWithRole(platformIdentity{
		logical: "acrpull-identity", name: registryPullIdentityName(b.key), part: "registry",
		grant: "acrpull", grantName: stableGUID("cluster", b.key, reg.ResourceID, roleAcrPull, "pull-identity"),
		scope:            pulumi.String(reg.ResourceID),
		roleDefinitionID: pulumi.String(subscriptionScope(reg.ResourceID) + "/providers/Microsoft.Authorization/roleDefinitions/" + roleAcrPull),
	})
	if err != nil {
		return err
	}
	b.c.Platform.RegistryServer = reg.Server
	b.c.Platform.RegistryPullIdentityID = identity.ID().ToStringOutput()
	b.c.Platform.RegistryPullClientID = identity.ClientId
	b.c.Platform.RegistryPull = grant
	return nil
}

// platformIdentity is a user-assigned identity of the platform with its one
// role assignment.
type platformIdentity struct {
	logical, name, part string // logical name, Azure name, component tag
	grant, grantName    string // the assignment's logical name and GUID
	scope               pulumi.StringInput
	roleDefinitionID    pulumi.StringInput
}

func (b *clusterBuilder) identityWithRole(p platformIdentity) (*managedidentity.UserAssignedIdentity, *authorization.RoleAssignment, error) {
	identity, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name+"-"+p.logical, &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(p.name),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Tags:              b.tags(p.part),
	}, b.child()...)
	if err != nil {
		return nil, nil, err
	}
	grant, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+p.grant, &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(p.grantName),
		Scope:              p.scope,
		RoleDefinitionId:   p.roleDefinitionID,
		PrincipalId:        identity.PrincipalId,
		PrincipalType:      pulumi.String("ServicePrincipal"),
	}, b.child()...)
	if err != nil {
		return nil, nil, err
	}
	return identity, grant, nil
}

// bastion is the operators' only way to the VMs: Standard SKU for native
// client (az network bastion ssh/rdp) through tunneling, spread over all the
// region's zones where Azure offers that (the region file says). Sign-in is
// Entra ID, configured on the VMs.
func (b *clusterBuilder) bastion() error {
	ip, err := b.publicIP("bastion")
	if err != nil {
		return err
	}
	var zones pulumi.StringArrayInput
	if b.region.Bastion.ZoneRedundant {
		zones = b.zones
	}
	host, err := networkv20240501.NewBastionHost(b.ctx, b.name+"-bastion", &networkv20240501.BastionHostArgs{
		BastionHostName:   pulumi.String(clusterBastionName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Sku:               &networkv20240501.SkuArgs{Name: pulumi.String("Standard")},
		Zones:             zones,
		ScaleUnits:        pulumi.Int(2),
		EnableTunneling:   pulumi.Bool(true),
		// Off on purpose: shareable links would bypass Entra sign-in, and
		// file copy and IP connect widen what a session can reach or move.
		EnableShareableLink: pulumi.Bool(false),
		EnableFileCopy:      pulumi.Bool(false),
		EnableIpConnect:     pulumi.Bool(false),
		EnableKerberos:      pulumi.Bool(false),
		IpConfigurations: networkv20240501.BastionHostIPConfigurationArray{
			networkv20240501.BastionHostIPConfigurationArgs{
				Name:            pulumi.String("bastion"),
				Subnet:          networkv20240501.SubResourceArgs{Id: b.subnetIDs[subnetBastion]},
				PublicIPAddress: &networkv20240501.SubResourceArgs{Id: ip.ID().ToStringOutput()},
			},
		},
		Tags: b.tags("bastion"),
	}, b.child()...)
	if err != nil {
		return err
	}
	return b.diagnostics("bastion", host.ID().ToStringOutput(), allLogs, nil, allMetrics, false)
}

// lock puts a CanNotDelete lock on a resource (not on the resource group:
// the group also holds resources that are replaced in normal operation).
func (b *clusterBuilder) lock(part string, scope pulumi.StringInput, what string) error {
	_, err := authorization.NewManagementLockByScope(b.ctx, b.name+"-lock-"+part, &authorization.ManagementLockByScopeArgs{
		LockName: pulumi.String(lockName),
		Level:    pulumi.String("CanNotDelete"),
		Scope:    scope,
		Notes:    pulumi.String(fmt.Sprintf("kpax-cloud: %s of region %s. Removing it needs an operator's decision.", what, b.region.Name)),
	}, b.child()...)
	return err
}

// platformKeyVault holds the region's wildcard certificate (read by the
// gateway). The Go SDK would send enableRbacAuthorization=false and public
// access enabled if they were left out, so every security property is set.
func (b *clusterBuilder) platformKeyVault() error {
	name := b.suffix.Result.ApplyT(func(s string) string { return clusterKeyVaultName(b.key, s) }).(pulumi.StringOutput)
	kv, err := keyvault.NewVault(b.ctx, b.name+"-kv", &keyvault.VaultArgs{
		VaultName:         name,
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Properties: &keyvault.VaultPropertiesArgs{
			TenantId:                     b.tenantID,
			Sku:                          &keyvault.SkuArgs{Family: pulumi.String("A"), Name: keyvault.SkuNameStandard},
			EnableRbacAuthorization:      pulumi.Bool(true),
			EnableSoftDelete:             pulumi.Bool(true),
			SoftDeleteRetentionInDays:    pulumi.Int(clusterKeyVaultSoftDeleteDays),
			EnablePurgeProtection:        pulumi.Bool(true),
			PublicNetworkAccess:          pulumi.String("Disabled"),
			EnabledForDeployment:         pulumi.Bool(false),
			EnabledForDiskEncryption:     pulumi.Bool(false),
			EnabledForTemplateDeployment: pulumi.Bool(false),
			NetworkAcls: &keyvault.NetworkRuleSetArgs{
				DefaultAction: pulumi.String("Deny"),
				// Trusted Azure services keep access; the gateway itself
				// reads through the private endpoint (same VNet, private zone
				// linked).
				Bypass: pulumi.String("AzureServices"),
			},
		},
		Tags: b.tags("key-vault"),
		// It holds the region's TLS certificate: deleting it by accident
		// takes every tenant's URL down.
	}, b.child(pulumi.Protect(true), pulumi.RetainOnDelete(true))...)
	if err != nil {
		return err
	}
	b.keyVault = kv
	b.c.KeyVaultName = kv.Name
	b.c.Platform.KeyVaultID = kv.ID().ToStringOutput()
	b.c.Platform.KeyVaultName = kv.Name
	if err := b.lock("kv", kv.ID().ToStringOutput(), "platform Key Vault (wildcard certificate)"); err != nil {
		return err
	}
	if err := b.diagnostics("kv", kv.ID().ToStringOutput(), allLogs, nil, allMetrics, false); err != nil {
		return err
	}
	return b.privateEndpoint("vault", "vault", kv.ID().ToStringOutput(), "vault")
}

// privateEndpoint connects a cluster resource to the endpoints subnet and
// registers it in its private DNS zone. part names the endpoint (one per
// target), group is the target's private link subresource.
func (b *clusterBuilder) privateEndpoint(part, group string, target pulumi.StringInput, zoneKey string) error {
	name := clusterPrivateEndpointName(b.key, part)
	pe, err := network.NewPrivateEndpoint(b.ctx, b.name+"-pe-"+part, &network.PrivateEndpointArgs{
		PrivateEndpointName:        pulumi.String(name),
		ResourceGroupName:          b.rg.Name,
		Location:                   b.location,
		Subnet:                     &network.SubnetTypeArgs{Id: b.subnetIDs[subnetEndpoints]},
		CustomNetworkInterfaceName: pulumi.String("nic-" + name),
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{
			network.PrivateLinkServiceConnectionArgs{
				Name:                 pulumi.String(name),
				PrivateLinkServiceId: target,
				GroupIds:             pulumi.StringArray{pulumi.String(group)},
			},
		},
		Tags: b.tags("private-endpoint"),
	}, b.child()...)
	if err != nil {
		return err
	}
	_, err = network.NewPrivateDnsZoneGroup(b.ctx, b.name+"-pe-"+part+"-dns", &network.PrivateDnsZoneGroupArgs{
		PrivateDnsZoneGroupName: pulumi.String("default"),
		PrivateEndpointName:     pe.Name,
		ResourceGroupName:       b.rg.Name,
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{
			network.PrivateDnsZoneConfigArgs{
				Name:             pulumi.String(zoneKey),
				PrivateDnsZoneId: b.privateZones[zoneKey].ID().ToStringOutput(),
			},
		},
	}, b.child()...)
	return err
}

// backupSchedules are the distinct daily schedules of the region: its
// default and every tenant's (decommissioned tenants included: their last
// recovery points still follow their policy), sorted by key.
func backupSchedules(r *spec.Region, tenants []*spec.Tenant) []spec.BackupSpec {
	byKey := map[string]spec.BackupSpec{}
	def := spec.BackupSpec{DailyAt: r.Backup.DailyAt, RetentionDays: r.Backup.RetentionDays}
	byKey[def.PolicyKey()] = def
	for _, t := range tenants {
		byKey[t.Backup.PolicyKey()] = t.Backup
	}
	out := make([]spec.BackupSpec, 0, len(byKey))
	for _, s := range byKey {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PolicyKey() < out[j].PolicyKey() })
	return out
}

// recoveryVault is the region's Recovery Services vault and its daily
// policies.
//
// Its storage redundancy (zone redundant here) can only be changed before
// the first item is protected: after that it is fixed for the vault's life.
// redundancySettings and immutability only exist from API 2024-01-01,
// hence the versioned package.
func (b *clusterBuilder) recoveryVault() error {
	vault, err := recoveryservicesv20240101.NewVault(b.ctx, b.name+"-rsv", &recoveryservicesv20240101.VaultArgs{
		VaultName:         pulumi.String(clusterRecoveryVaultName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Sku: &recoveryservicesv20240101.SkuArgs{
			Name: pulumi.String("RS0"),
			Tier: pulumi.String("Standard"),
		},
		Identity: &recoveryservicesv20240101.IdentityDataArgs{Type: pulumi.String("SystemAssigned")},
		Properties: &recoveryservicesv20240101.VaultPropertiesArgs{
			// Azure VM and file share backups travel on Azure's backbone;
			// nothing needs the vault's public endpoint.
			PublicNetworkAccess: pulumi.String("Disabled"),
			RedundancySettings: &recoveryservicesv20240101.VaultPropertiesRedundancySettingsArgs{
				StandardTierStorageRedundancy: pulumi.String("ZoneRedundant"),
				// Cross-region restore needs geo-redundant storage.
				CrossRegionRestore: pulumi.String("Disabled"),
			},
			SecuritySettings: &recoveryservicesv20240101.SecuritySettingsArgs{
				SoftDeleteSettings: &recoveryservicesv20240101.SoftDeleteSettingsArgs{
					SoftDeleteState:                 pulumi.String("Enabled"),
					SoftDeleteRetentionPeriodInDays: pulumi.Int(recoveryVaultSoftDeleteDays),
					EnhancedSecurityState:           pulumi.String("Enabled"),
				},
				// Unlocked immutability: recovery points cannot be deleted
				// before they expire. "Locked" is irreversible and is an
				// operator's decision, taken once the policies are settled.
				ImmutabilitySettings: &recoveryservicesv20240101.ImmutabilitySettingsArgs{State: pulumi.String("Unlocked")},
			},
			RestoreSettings: &recoveryservicesv20240101.RestoreSettingsArgs{
				CrossSubscriptionRestoreSettings: &recoveryservicesv20240101.CrossSubscriptionRestoreSettingsArgs{
					CrossSubscriptionRestoreState: pulumi.String("Disabled"),
				},
			},
		},
		Tags: b.tags("backup"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.RecoveryVaultID = vault.ID().ToStringOutput()
	b.c.Platform.RecoveryVaultName = vault.Name
	b.c.Platform.RecoveryVaultID = vault.ID().ToStringOutput()
	if err := b.lock("rsv", vault.ID().ToStringOutput(), "Recovery Services vault (tenants' backups)"); err != nil {
		return err
	}
	if err := b.diagnostics("rsv", vault.ID().ToStringOutput(), allLogs, nil, allMetrics, true); err != nil {
		return err
	}

	b.c.Platform.VMBackupPolicyIDs = map[string]pulumi.StringOutput{}
	b.c.Platform.FileShareBackupPolicyIDs = map[string]pulumi.StringOutput{}
	for _, s := range backupSchedules(b.region, b.tenants) {
		key := s.PolicyKey()
		runTime := pulumi.String(fmt.Sprintf("%sT%s:00Z", backupScheduleDate, s.DailyAt))
		retention := recoveryservices.LongTermRetentionPolicyArgs{
			RetentionPolicyType: pulumi.String("LongTermRetentionPolicy"),
			DailySchedule: &recoveryservices.DailyRetentionScheduleArgs{
				RetentionTimes: pulumi.StringArray{runTime},
				RetentionDuration: &recoveryservices.RetentionDurationArgs{
					Count:        pulumi.Int(s.RetentionDays),
					DurationType: pulumi.String("Days"),
				},
			},
		}
		// A policy that a schedule no longer uses is left in the vault
		// (RetainOnDelete): the vault's lock and any item still protected by
		// it would make the delete fail, and an unused policy costs nothing.
		policyOpts := b.child(pulumi.RetainOnDelete(true))
		vm, err := recoveryservices.NewProtectionPolicy(b.ctx, b.name+"-policy-vm-"+key, &recoveryservices.ProtectionPolicyArgs{
			PolicyName:        pulumi.String(vmBackupPolicyName(key)),
			VaultName:         vault.Name,
			ResourceGroupName: b.rg.Name,
			Properties: recoveryservices.AzureIaaSVMProtectionPolicyArgs{
				BackupManagementType: pulumi.String("AzureIaasVM"),
				// Enhanced (V2) policy: the only kind that protects
				// trusted-launch VMs, which every tenant VM is.
				PolicyType: pulumi.String("V2"),
				SchedulePolicy: recoveryservices.SimpleSchedulePolicyV2Args{
					SchedulePolicyType:   pulumi.String("SimpleSchedulePolicyV2"),
					ScheduleRunFrequency: pulumi.String("Daily"),
					DailySchedule:        &recoveryservices.DailyScheduleArgs{ScheduleRunTimes: pulumi.StringArray{runTime}},
				},
				RetentionPolicy:               retention,
				InstantRpRetentionRangeInDays: pulumi.Int(vmInstantRestoreDays),
				TimeZone:                      pulumi.String("UTC"),
			},
			Tags: b.tags("backup"),
		}, policyOpts...)
		if err != nil {
			return err
		}
		fs, err := recoveryservices.NewProtectionPolicy(b.ctx, b.name+"-policy-fs-"+key, &recoveryservices.ProtectionPolicyArgs{
			PolicyName:        pulumi.String(fileShareBackupPolicyName(key)),
			VaultName:         vault.Name,
			ResourceGroupName: b.rg.Name,
			Properties: recoveryservices.AzureFileShareProtectionPolicyArgs{
				BackupManagementType: pulumi.String("AzureStorage"),
				WorkLoadType:         pulumi.String("AzureFileShare"),
				SchedulePolicy: recoveryservices.SimpleSchedulePolicyArgs{
					SchedulePolicyType:   pulumi.String("SimpleSchedulePolicy"),
					ScheduleRunFrequency: pulumi.String("Daily"),
					ScheduleRunTimes:     pulumi.StringArray{runTime},
				},
				RetentionPolicy: retention,
				TimeZone:        pulumi.String("UTC"),
			},
			Tags: b.tags("backup"),
		}, policyOpts...)
		if err != nil {
			return err
		}
		b.c.Platform.VMBackupPolicyIDs[key] = vm.ID().ToStringOutput()
		b.c.Platform.FileShareBackupPolicyIDs[key] = fs.ID().ToStringOutput()
	}
	return nil
}

// containerAppsEnvironment is the region's zone-redundant, internal
// environment in the apps subnet, with a Consumption workload profile.
//
// Diagnostic settings are not used for it: its app logs go to the workspace
// through appLogsConfiguration, and Azure accepts only one of the two.
func (b *clusterBuilder) containerAppsEnvironment() error {
	keys := operationalinsights.GetSharedKeysOutput(b.ctx, operationalinsights.GetSharedKeysOutputArgs{
		ResourceGroupName: b.rg.Name,
		WorkspaceName:     b.workspace.Name,
	})
	// The key is a secret whatever the provider says about it.
	sharedKey := pulumi.ToSecret(keys.PrimarySharedKey()).(pulumi.StringPtrOutput)
	env, err := appv20240301.NewManagedEnvironment(b.ctx, b.name+"-cae", &appv20240301.ManagedEnvironmentArgs{
		EnvironmentName:             pulumi.String(clusterEnvironmentName(b.key)),
		ResourceGroupName:           b.rg.Name,
		Location:                    b.location,
		InfrastructureResourceGroup: pulumi.String(clusterEnvironmentInfraResourceGroupName(b.key)),
		ZoneRedundant:               pulumi.Bool(true),
		VnetConfiguration: &appv20240301.VnetConfigurationArgs{
			InfrastructureSubnetId: b.subnetIDs[subnetApps],
			// Internal: the environment gets a private static IP in the
			// subnet and no public endpoint; the gateway is the way in.
			Internal: pulumi.Bool(true),
		},
		AppLogsConfiguration: &appv20240301.AppLogsConfigurationArgs{
			Destination: pulumi.String("log-analytics"),
			LogAnalyticsConfiguration: &appv20240301.LogAnalyticsConfigurationArgs{
				CustomerId: b.workspace.CustomerId,
				SharedKey:  sharedKey,
			},
		},
		WorkloadProfiles: appv20240301.WorkloadProfileArray{
			appv20240301.WorkloadProfileArgs{
				Name:                pulumi.String(consumptionProfile),
				WorkloadProfileType: pulumi.String(consumptionProfile),
			},
		},
		// Traffic between apps of different tenants inside the environment
		// is encrypted.
		PeerTrafficConfiguration: &appv20240301.ManagedEnvironmentPeerTrafficConfigurationArgs{
			Encryption: &appv20240301.ManagedEnvironmentEncryptionArgs{Enabled: pulumi.Bool(true)},
		},
		Tags: b.tags("container-apps"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.environment = env
	b.c.EnvironmentID = env.ID().ToStringOutput()
	b.c.Platform.EnvironmentID = env.ID().ToStringOutput()
	b.c.Platform.EnvironmentDefaultDomain = env.DefaultDomain
	b.c.Platform.EnvironmentStaticIP = env.StaticIp
	b.c.Platform.EnvironmentWorkloadProfile = consumptionProfile

	// An internal environment publishes no DNS: a private zone named after
	// its default domain, with every name pointing at its static IP, lets
	// the gateway (and the VNet) resolve <app>.<default domain>.
	zone, err := b.privateZone("cae-dns", env.DefaultDomain)
	if err != nil {
		return err
	}
	_, err = network.NewPrivateRecordSet(b.ctx, b.name+"-cae-dns-wildcard", &network.PrivateRecordSetArgs{
		PrivateZoneName:       zone.Name,
		ResourceGroupName:     b.rg.Name,
		RecordType:            pulumi.String("A"),
		RelativeRecordSetName: pulumi.String("*"),
		Ttl:                   pulumi.Float64(dnsTTL),
		ARecords:              network.ARecordArray{network.ARecordArgs{Ipv4Address: env.StaticIp}},
		// Record sets take metadata, not tags.
		Metadata: b.tags("container-apps"),
	}, b.child()...)
	return err
}

// gatewayRoute is one tenant's route through the gateway.
type gatewayRoute struct {
	tenant   *spec.Tenant
	priority int
}

// gatewayRoutes are the tenants that get a listener: those with compute,
// in name order, each with a unique rule priority derived from that order.
// Adding a tenant shifts the priorities of the tenants after it, which is an
// in-place update of the gateway.
func gatewayRoutes(tenants []*spec.Tenant) ([]gatewayRoute, error) {
	var out []gatewayRoute
	for _, t := range sortedTenants(tenants) {
		if !t.HasCompute() {
			continue
		}
		p := gatewayFirstTenantPriority + len(out)*gatewayTenantPriorityStep
		if p >= gatewayRedirectPriority {
			return nil, fmt.Errorf("too many tenants for the gateway's rule priorities (%d)", len(out)+1)
		}
		out = append(out, gatewayRoute{tenant: t, priority: p})
	}
	return out, nil
}

// applicationGateway is the region's single front door: WAF_v2 over all
// zones, TLS with the wildcard certificate from the platform Key Vault, an
// HTTP listener that only redirects, and one HTTPS listener per tenant.
func (b *clusterBuilder) applicationGateway() error {
	r := b.region
	routes, err := gatewayRoutes(b.tenants)
	if err != nil {
		return err
	}
	ip, err := b.publicIP("agw")
	if err != nil {
		return err
	}
	b.c.GatewayPublicIPAddress = ip.IpAddress.Elem()
	b.c.Platform.GatewayPublicIPAddress = ip.IpAddress.Elem()

	// The gateway reads the certificate as a secret (a certificate's
	// private key is only served through the secrets endpoint).
	identity, readCert, err := b.identityWithRole(platformIdentity{
		logical: "agw-identity", name: gatewayIdentityName(b.key), part: "gateway",
		grant: "agw-kv-secrets-user", grantName: stableGUID("cluster", b.key, "platform-key-vault", roleKeyVaultSecretsUser, "gateway-identity"),
		scope:            b.keyVault.ID().ToStringOutput(),
		roleDefinitionID: pulumi.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", b.subscription, roleKeyVaultSecretsUser),
	})
	if err != nil {
		return err
	}

	waf, err := network.NewWebApplicationFirewallPolicy(b.ctx, b.name+"-waf", &network.WebApplicationFirewallPolicyArgs{
		PolicyName:        pulumi.String(wafPolicyName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		PolicySettings: &network.PolicySettingsArgs{
			State:            pulumi.String("Enabled"),
			Mode:             pulumi.String("Prevention"),
			RequestBodyCheck: pulumi.Bool(true),
		},
		ManagedRules: &network.ManagedRulesDefinitionArgs{
			ManagedRuleSets: network.ManagedRuleSetArray{
				network.ManagedRuleSetArgs{
					RuleSetType:    pulumi.String(gatewayWAFRuleSetType),
					RuleSetVersion: pulumi.String(gatewayWAFRuleSetVersion),
				},
			},
		},
		Tags: b.tags("gateway"),
	}, b.child()...)
	if err != nil {
		return err
	}

	gwName := applicationGatewayName(b.key)
	// A gateway's parts refer to each other by ARM ID, which exists before
	// the gateway does: build them from the subscription, group and name.
	// The gateway's own ID is resolved once; each of the several references
	// per tenant only appends to it.
	gwID := pulumi.All(b.subscription, b.rg.Name).ApplyT(func(v []any) string {
		return gatewayARMID(v[0].(string), v[1].(string), gwName)
	}).(pulumi.StringOutput)
	sub := func(kind, name string) network.SubResourceArgs {
		return network.SubResourceArgs{Id: gwID.ApplyT(func(id string) string {
			return id + "/" + kind + "/" + name
		}).(pulumi.StringOutput)}
	}
	subPtr := func(kind, name string) *network.SubResourceArgs {
		s := sub(kind, name)
		return &s
	}
	const (
		frontendIP   = "public"
		port80       = "port-80"
		port443      = "port-443"
		httpListener = "http"
		defaultName  = "default"
		redirectName = "http-to-https"
	)
	wildcard := "*." + r.DNSZone

	pools := network.ApplicationGatewayBackendAddressPoolArray{
		// The catch-all's pool is empty on purpose: an unknown hostname of
		// the zone gets a 502 from the gateway, never a tenant's site.
		network.ApplicationGatewayBackendAddressPoolArgs{Name: pulumi.String(defaultName)},
	}
	settings := network.ApplicationGatewayBackendHttpSettingsArray{
		network.ApplicationGatewayBackendHttpSettingsArgs{
			Name:                pulumi.String(defaultName),
			Port:                pulumi.Int(80),
			Protocol:            pulumi.String("Http"),
			CookieBasedAffinity: pulumi.String("Disabled"),
			RequestTimeout:      pulumi.Int(30),
		},
	}
	var probes network.ApplicationGatewayProbeArray
	listeners := network.ApplicationGatewayHttpListenerArray{
		network.ApplicationGatewayHttpListenerArgs{
			Name:                    pulumi.String(httpListener),
			FrontendIPConfiguration: subPtr("frontendIPConfigurations", frontendIP),
			FrontendPort:            subPtr("frontendPorts", port80),
			Protocol:                pulumi.String("Http"),
			HostNames:               pulumi.StringArray{pulumi.String(wildcard)},
		},
		network.ApplicationGatewayHttpListenerArgs{
			Name:                        pulumi.String(defaultName),
			FrontendIPConfiguration:     subPtr("frontendIPConfigurations", frontendIP),
			FrontendPort:                subPtr("frontendPorts", port443),
			Protocol:                    pulumi.String("Https"),
			HostNames:                   pulumi.StringArray{pulumi.String(wildcard)},
			SslCertificate:              subPtr("sslCertificates", gatewayCertificateName),
			RequireServerNameIndication: pulumi.Bool(true),
		},
	}
	rules := network.ApplicationGatewayRequestRoutingRuleArray{
		network.ApplicationGatewayRequestRoutingRuleArgs{
			Name:                  pulumi.String(redirectName),
			RuleType:              pulumi.String("Basic"),
			Priority:              pulumi.Int(gatewayRedirectPriority),
			HttpListener:          subPtr("httpListeners", httpListener),
			RedirectConfiguration: subPtr("redirectConfigurations", redirectName),
		},
		network.ApplicationGatewayRequestRoutingRuleArgs{
			Name:                pulumi.String(defaultName),
			RuleType:            pulumi.String("Basic"),
			Priority:            pulumi.Int(gatewayDefaultPriority),
			HttpListener:        subPtr("httpListeners", defaultName),
			BackendAddressPool:  subPtr("backendAddressPools", defaultName),
			BackendHttpSettings: subPtr("backendHttpSettingsCollection", defaultName),
		},
	}
	for _, route := range routes {
		t := route.tenant
		key := "tenant-" + t.Name
		pool := network.ApplicationGatewayBackendAddressPoolArgs{Name: pulumi.String(gatewayBackendPoolName(t.Name))}
		probe := network.ApplicationGatewayProbeArgs{
			Name:               pulumi.String(key),
			Path:               pulumi.String(healthPath),
			Interval:           pulumi.Int(30),
			Timeout:            pulumi.Int(30),
			UnhealthyThreshold: pulumi.Int(3),
			Match:              &network.ApplicationGatewayProbeHealthResponseMatchArgs{StatusCodes: pulumi.StringArray{pulumi.String("200-399")}},
		}
		setting := network.ApplicationGatewayBackendHttpSettingsArgs{
			Name:                pulumi.String(key),
			CookieBasedAffinity: pulumi.String("Disabled"),
			RequestTimeout:      pulumi.Int(60),
			Probe:               subPtr("probes", key),
		}
		switch t.Runtime {
		case spec.RuntimeContainer:
			// The app's internal FQDN in the environment, over HTTPS with
			// the environment's certificate; the Host header must be the
			// app's own name for the environment's ingress to route it.
			pool.BackendAddresses = network.ApplicationGatewayBackendAddressArray{
				network.ApplicationGatewayBackendAddressArgs{
					Fqdn: pulumi.Sprintf("%s.%s", containerAppName(t), b.environment.DefaultDomain),
				},
			}
			setting.Port = pulumi.Int(443)
			setting.Protocol = pulumi.String("Https")
			setting.PickHostNameFromBackendAddress = pulumi.Bool(true)
			probe.Protocol = pulumi.String("Https")
			probe.PickHostNameFromBackendHttpSettings = pulumi.Bool(true)
		case spec.RuntimeVM:
			// The pool has no addresses: the tenant's VM NICs join it. The
			// KPAX server listens on appPort on the VMs.
			setting.Port = pulumi.Int(appPort)
			setting.Protocol = pulumi.String("Http")
			probe.Protocol = pulumi.String("Http")
			probe.Host = pulumi.String(tenantFQDN(t, r.DNSZone))
		default:
			return fmt.Errorf("tenant %q: unknown runtime %q", t.Name, t.Runtime)
		}
		pools = append(pools, pool)
		probes = append(probes, probe)
		settings = append(settings, setting)
		listeners = append(listeners, network.ApplicationGatewayHttpListenerArgs{
			Name:                        pulumi.String(key),
			FrontendIPConfiguration:     subPtr("frontendIPConfigurations", frontendIP),
			FrontendPort:                subPtr("frontendPorts", port443),
			Protocol:                    pulumi.String("Https"),
			HostName:                    pulumi.String(tenantFQDN(t, r.DNSZone)),
			SslCertificate:              subPtr("sslCertificates", gatewayCertificateName),
			RequireServerNameIndication: pulumi.Bool(true),
		})
		rules = append(rules, network.ApplicationGatewayRequestRoutingRuleArgs{
			Name:                pulumi.String(key),
			RuleType:            pulumi.String("Basic"),
			Priority:            pulumi.Int(route.priority),
			HttpListener:        subPtr("httpListeners", key),
			BackendAddressPool:  subPtr("backendAddressPools", gatewayBackendPoolName(t.Name)),
			BackendHttpSettings: subPtr("backendHttpSettingsCollection", key),
		})
	}

	gw, err := network.NewApplicationGateway(b.ctx, b.name+"-agw", &network.ApplicationGatewayArgs{
		ApplicationGatewayName: pulumi.String(gwName),
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Zones:                  b.zones,
		Sku: &network.ApplicationGatewaySkuArgs{
			Name: pulumi.String("WAF_v2"),
			Tier: pulumi.String("WAF_v2"),
		},
		AutoscaleConfiguration: &network.ApplicationGatewayAutoscaleConfigurationArgs{
			MinCapacity: pulumi.Int(gatewayMinCapacity),
			MaxCapacity: pulumi.Int(gatewayMaxCapacity),
		},
		Identity: &network.ManagedServiceIdentityArgs{
			Type:                   network.ResourceIdentityTypeUserAssigned,
			UserAssignedIdentities: pulumi.StringArray{identity.ID().ToStringOutput()},
		},
		FirewallPolicy: &network.SubResourceArgs{Id: waf.ID().ToStringOutput()},
		EnableHttp2:    pulumi.Bool(true),
		SslPolicy: &network.ApplicationGatewaySslPolicyArgs{
			PolicyType: pulumi.String("Predefined"),
			// TLS 1.2 minimum with strong ciphers only.
			PolicyName: pulumi.String("AppGwSslPolicy20220101S"),
		},
		SslCertificates: network.ApplicationGatewaySslCertificateArray{
			network.ApplicationGatewaySslCertificateArgs{
				Name: pulumi.String(gatewayCertificateName),
				// Versionless: the gateway picks up a renewed certificate
				// by itself (it polls the vault every 4 hours).
				KeyVaultSecretId: pulumi.Sprintf("https://%s.vault.azure.net/secrets/%s", b.keyVault.Name, r.TLS.CertificateName),
			},
		},
		GatewayIPConfigurations: network.ApplicationGatewayIPConfigurationArray{
			network.ApplicationGatewayIPConfigurationArgs{
				Name:   pulumi.String("gateway"),
				Subnet: &network.SubResourceArgs{Id: b.subnetIDs[subnetGateway]},
			},
		},
		FrontendIPConfigurations: network.ApplicationGatewayFrontendIPConfigurationArray{
			network.ApplicationGatewayFrontendIPConfigurationArgs{
				Name:            pulumi.String(frontendIP),
				PublicIPAddress: &network.SubResourceArgs{Id: ip.ID().ToStringOutput()},
			},
		},
		FrontendPorts: network.ApplicationGatewayFrontendPortArray{
			network.ApplicationGatewayFrontendPortArgs{Name: pulumi.String(port80), Port: pulumi.Int(80)},
			network.ApplicationGatewayFrontendPortArgs{Name: pulumi.String(port443), Port: pulumi.Int(443)},
		},
		RedirectConfigurations: network.ApplicationGatewayRedirectConfigurationArray{
			// Redirecting to the HTTPS catch-all listener keeps the
			// request's host, path and query: every tenant's http:// URL
			// lands on its https:// one.
			network.ApplicationGatewayRedirectConfigurationArgs{
				Name:               pulumi.String(redirectName),
				RedirectType:       pulumi.String("Permanent"),
				TargetListener:     subPtr("httpListeners", defaultName),
				IncludePath:        pulumi.Bool(true),
				IncludeQueryString: pulumi.Bool(true),
			},
		},
		BackendAddressPools:           pools,
		BackendHttpSettingsCollection: settings,
		Probes:                        probes,
		HttpListeners:                 listeners,
		RequestRoutingRules:           rules,
		Tags:                          b.tags("gateway"),
	}, b.child(pulumi.DependsOn([]pulumi.Resource{readCert}))...)
	if err != nil {
		return err
	}
	b.c.GatewayID = gw.ID().ToStringOutput()
	b.c.Platform.GatewayBackendPoolIDs = map[string]pulumi.StringOutput{}
	for _, route := range routes {
		if route.tenant.Runtime != spec.RuntimeVM {
			continue
		}
		pool := gatewayBackendPoolName(route.tenant.Name)
		// From the gateway's own ID, so that a NIC joining the pool waits
		// for the gateway that holds it.
		b.c.Platform.GatewayBackendPoolIDs[route.tenant.Name] = gw.ID().ToStringOutput().ApplyT(func(id string) string {
			return id + "/backendAddressPools/" + pool
		}).(pulumi.StringOutput)
	}
	return b.diagnostics("agw", gw.ID().ToStringOutput(), allLogs, nil, allMetrics, false)
}

// sqlServerNumbers are the shared servers the region's tenants use (server 1
// always exists), sorted.
func sqlServerNumbers(tenants []*spec.Tenant) []int {
	seen := map[int]bool{1: true}
	for _, t := range tenants {
		if t.Database.Server > 0 {
			seen[t.Database.Server] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// sqlServers are the region's shared Azure SQL logical servers.
//
// Tenants' databases share servers because a subscription holds about 20
// logical servers per region by default, far fewer than the tenants a region
// holds. A server is only a namespace and a connection endpoint: each tenant
// still has its own database and its own contained Entra users (Entra-only
// authentication: no SQL logins exist, and a contained user exists in one
// database only), so no tenant can reach another's data. The network path is
// the server's private endpoint in the region's VNet.
func (b *clusterBuilder) sqlServers() error {
	b.c.Platform.SQLServers = map[int]SQLServer{}
	for _, n := range sqlServerNumbers(b.tenants) {
		n := n
		part := fmt.Sprintf("sql-%d", n)
		name := b.suffix.Result.ApplyT(func(s string) string { return sqlServerName(b.key, n, s) }).(pulumi.StringOutput)
		server, err := sql.NewServer(b.ctx, b.name+"-"+part, &sql.ServerArgs{
			ServerName:        name,
			ResourceGroupName: b.rg.Name,
			Location:          b.location,
			Version:           pulumi.String("12.0"),
			MinimalTlsVersion: pulumi.String("1.2"),
			// Reached only through its private endpoint in the VNet.
			PublicNetworkAccess:           pulumi.String("Disabled"),
			RestrictOutboundNetworkAccess: pulumi.String("Disabled"),
			Identity:                      &sql.ResourceIdentityArgs{Type: pulumi.String("SystemAssigned")},
			Administrators: &sql.ServerExternalAdministratorArgs{
				AdministratorType:         pulumi.String("ActiveDirectory"),
				AzureADOnlyAuthentication: pulumi.Bool(true),
				Login:                     pulumi.String(b.region.Operators.GroupName),
				Sid:                       pulumi.String(b.region.Operators.GroupObjectID),
				PrincipalType:             pulumi.String("Group"),
				TenantId:                  b.tenantID,
			},
			Tags: b.tags("sql"),
		}, b.child(pulumi.Protect(true), pulumi.RetainOnDelete(true))...)
		if err != nil {
			return err
		}
		b.c.Platform.SQLServers[n] = SQLServer{ID: server.ID().ToStringOutput(), Name: server.Name}
		// A SQL private endpoint attaches to the server, not to a database:
		// one per server serves all of its databases.
		if err := b.privateEndpoint(part, "sqlServer", server.ID().ToStringOutput(), "sqlServer"); err != nil {
			return err
		}
		// Server audit to the workspace: Azure writes it through a
		// diagnostic setting on the server's master database.
		if err := b.diagnostics(part+"-master", pulumi.Sprintf("%s/databases/master", server.ID()), nil, []string{"SQLSecurityAuditEvents"}, nil, false); err != nil {
			return err
		}
		_, err = sql.NewExtendedServerBlobAuditingPolicy(b.ctx, b.name+"-"+part+"-audit", &sql.ExtendedServerBlobAuditingPolicyArgs{
			BlobAuditingPolicyName:      pulumi.String("default"),
			ServerName:                  server.Name,
			ResourceGroupName:           b.rg.Name,
			State:                       sql.BlobAuditingPolicyStateEnabled,
			IsAzureMonitorTargetEnabled: pulumi.Bool(true),
		}, b.child()...)
		if err != nil {
			return err
		}
	}
	return nil
}

// Subnet keys: the parts of the VNet, in creation order.
const (
	subnetGateway   = "gateway"
	subnetBastion   = "bastion"
	subnetApps      = "apps"
	subnetVMs       = "vms"
	subnetEndpoints = "endpoints"
)

// subnetPlan is the VNet's layout: one CIDR per subnet, derived from the
// region's address space.
type subnetPlan struct {
	Apps, VMs, Endpoints, Gateway, Bastion string
}

// plannedSubnet is one subnet of a plan, with its Azure name.
type plannedSubnet struct {
	Key, Name, Prefix string
}

// all lists the plan's subnets in creation order.
func (p subnetPlan) all() []plannedSubnet {
	return []plannedSubnet{
		{subnetGateway, "snet-gateway", p.Gateway},
		{subnetBastion, "AzureBastionSubnet", p.Bastion},
		{subnetApps, "snet-apps", p.Apps},
		{subnetVMs, "snet-vms", p.VMs},
		{subnetEndpoints, "snet-endpoints", p.Endpoints},
	}
}

// subnetLayout places each subnet in the first /16 of the address space:
// a prefix length and the index of the block of that size, counted from the
// start of the space. Sizes, with Azure's minimums:
//   - apps /21 (2048): a workload-profiles environment needs at least a
//     /27, but every Consumption replica takes an address of the subnet;
//     /21 leaves room for maxTenants tenants with several replicas each.
//   - vms /21: every tenant VM's NIC.
//   - endpoints /22: three private endpoints per tenant (SQL, blob, file).
//   - gateway /24: Application Gateway v2 asks for a dedicated /24 so that
//     autoscaling to its maximum never runs out of addresses.
//   - bastion /26: the minimum for AzureBastionSubnet (Standard SKU).
//
// The rest of the /16 (x.x.21.64 onwards) is free for later subnets. Changing
// an entry moves a subnet, which Azure refuses while it is in use: add
// entries, never edit them.
var subnetLayout = []struct {
	key   string
	bits  int
	index uint32
}{
	{subnetApps, 21, 0},      // x.x.0.0/21
	{subnetVMs, 21, 1},       // x.x.8.0/21
	{subnetEndpoints, 22, 4}, // x.x.16.0/22
	{subnetGateway, 24, 20},  // x.x.20.0/24
	{subnetBastion, 26, 84},  // x.x.21.0/26
}

// deriveSubnets computes the subnet plan of an IPv4 address space of /16 or
// larger (for a larger space, the first /16 is used).
func deriveSubnets(addressSpace string) (subnetPlan, error) {
	prefix, err := netip.ParsePrefix(addressSpace)
	if err != nil {
		return subnetPlan{}, fmt.Errorf("address space %q: %w", addressSpace, err)
	}
	if !prefix.Addr().Is4() {
		return subnetPlan{}, fmt.Errorf("address space %q: must be IPv4", addressSpace)
	}
	if prefix.Masked() != prefix {
		return subnetPlan{}, fmt.Errorf("address space %q: host bits are set (did you mean %s?)", addressSpace, prefix.Masked())
	}
	if prefix.Bits() > 16 {
		return subnetPlan{}, fmt.Errorf("address space %q: must be a /16 or larger", addressSpace)
	}
	a4 := prefix.Addr().As4()
	base := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
	cidr := map[string]string{}
	for _, l := range subnetLayout {
		start := base + l.index<<(32-l.bits)
		addr := netip.AddrFrom4([4]byte{byte(start >> 24), byte(start >> 16), byte(start >> 8), byte(start)})
		cidr[l.key] = netip.PrefixFrom(addr, l.bits).String()
	}
	return subnetPlan{
		Apps:      cidr[subnetApps],
		VMs:       cidr[subnetVMs],
		Endpoints: cidr[subnetEndpoints],
		Gateway:   cidr[subnetGateway],
		Bastion:   cidr[subnetBastion],
	}, nil
}
