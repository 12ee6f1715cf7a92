// The RegionalCluster component: its args, outputs and fixed settings, and the
// order in which build() creates the region's parts (each in a cluster_*.go
// file named after it).

package components

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// Versioned API packages of modules already in go.mod, each used only
	// where the module's default API version lacks a property we need (the
	// files that import one say which):
	// app 2024-03-01: named workload profiles ("Consumption"); the default
	// 2022-10-01 API only knows the preview profile shape.

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
	// TLSCertificate is the region's wildcard certificate, a base64 PFX
	// without password, from the stack's secret config (tlsCertificate):
	// the program writes it into the platform Key Vault through ARM. Nil
	// when the stack has none (docs/tls-certificate.md).
	TLSCertificate pulumi.StringInput
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
	GatewayID         pulumi.StringOutput
	// DataCollectionRuleID is the Azure Monitor rule tenant VMs report to
	// (TenantArgs.DataCollectionRuleID).
	DataCollectionRuleID pulumi.StringOutput
	// GatewayPublicIPAddress is the address every tenant hostname points at.
	GatewayPublicIPAddress pulumi.StringOutput
	// DNSZoneName is the region's public zone; operators delegate it to the
	// name servers Azure gives the zone.
	DNSZoneName pulumi.StringOutput
	// DNSDelegationSigner are the DS records of the zone's DNSSEC signing
	// keys, which operators enter at the parent zone's registrar; empty on
	// a stamp that does not own the zone.
	DNSDelegationSigner pulumi.StringArrayOutput
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
	gatewayRedirectPriority    = 19900
	gatewayDefaultPriority     = 20000
	// gatewayCertificateName is the gateway's name for the wildcard
	// certificate it reads from the platform Key Vault.
	gatewayCertificateName = "wildcard"
	// consumptionProfile is the serverless workload profile the
	// operators' jobs run in.
	consumptionProfile = "Consumption"
	// The WAF's managed rule sets: Microsoft's default rule set 2.1 (which
	// supersedes OWASP CRS 3.2 on Application Gateway) and the bot manager
	// 1.0, the pair PSRule's Azure.AppGwWAF.RuleGroups asks for
	// (learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-crs-rulegroups-rules).
	gatewayWAFRuleSetType    = "Microsoft_DefaultRuleSet"
	gatewayWAFRuleSetVersion = "2.1"
	gatewayBotRuleSetType    = "Microsoft_BotManagerRuleSet"
	gatewayBotRuleSetVersion = "1.0"
)

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
		tlsCertificate:    args.TLSCertificate,
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
		"gatewayId":              c.GatewayID,
		"dataCollectionRuleId":   c.DataCollectionRuleID,
		"gatewayPublicIpAddress": c.GatewayPublicIPAddress,
		"dnsZoneName":            c.DNSZoneName,
		"dnsDelegationSigner":    c.DNSDelegationSigner,
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
	// tlsCertificate: RegionalClusterArgs.TLSCertificate.
	tlsCertificate pulumi.StringInput
	key            string // names the stamp's resources: spec.StampKey
	space          string // the stamp's VNet range: spec.Region.StampAddressSpace
	tenants        []*spec.Tenant
	subnets        subnetPlan
	c              *RegionalCluster
	location       pulumi.StringInput
	zones          pulumi.StringArray

	subscription pulumi.StringOutput // the subscription ID
	tenantID     pulumi.StringOutput // the Entra tenant ID
	suffix       *random.RandomString
	rg           *resources.ResourceGroup
	workspace    *operationalinsights.Workspace
	vnet         *network.VirtualNetwork
	subnetIDs    map[string]pulumi.StringOutput
	privateZones map[string]*network.PrivateZone
	keyVault     *keyvault.Vault
	// locks are the platform's CanNotDelete locks, registered last so that
	// each waits for what sits on its scope (locks.go).
	locks lockSet
	// guarded is the platform group's guardrails assignment
	// (cluster_policy.go), which every later resource waits for.
	guarded pulumi.Resource
}

// child returns the options of a child resource: parented to the cluster,
// after the platform group's guardrails once they exist, plus extra.
func (b *clusterBuilder) child(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Parent(b.c)}
	if b.guarded != nil {
		opts = append(opts, pulumi.DependsOn([]pulumi.Resource{b.guarded}))
	}
	return append(opts, extra...)
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
		// First in the group: everything after is held to them.
		{"guardrails", b.guardrails},
		{"suffix", b.randomSuffix},
		{"log analytics", b.logAnalytics},
		{"network", b.network},
		{"private dns", b.privateDNS},
		{"public dns", b.publicDNS},
		{"bastion", b.bastion},
		{"key vault", b.platformKeyVault},
		{"recovery vault", b.recoveryVault},
		{"tenant environments", b.tenantEnvironments},
		{"application gateway", b.applicationGateway},
		{"registry pull identity", b.registryPull},
		{"sql servers", b.sqlServers},
		{"operators' path", b.opsPath},
		{"alerting", b.alerting},
		{"operators' access", b.operatorAccess},
		{"locks", b.registerLocks},
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
