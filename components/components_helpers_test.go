// Fixtures and run helpers shared by the components' tests: a defaulted region
// per stack of the design, tenants in every runtime and state, a fake
// Platform, and the runs under Pulumi's mocks that the tests inspect.

package components

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Cluster fixtures: one fully defaulted region per stack of the design, and a
// few tenants in every runtime and state. (testRegion is the tenant tests'
// single-region fixture; these are named apart so both files share a binary.)

// clusterTestRegionKeys are the six regions of the design.
var clusterTestRegionKeys = []string{"fr", "uk", "us", "ca", "za", "in"}

func clusterTestRegion(name string) *spec.Region {
	locations := map[string][2]string{
		"fr": {"francecentral", "francesouth"},
		"uk": {"uksouth", "ukwest"},
		"us": {"eastus2", "centralus"},
		"ca": {"canadacentral", "canadaeast"},
		"za": {"southafricanorth", "southafricawest"},
		"in": {"centralindia", "southindia"},
	}
	loc, ok := locations[name]
	if !ok {
		panic("no fixture for region " + name)
	}
	octet := 40
	for i, k := range clusterTestRegionKeys {
		if k == name {
			octet += i
		}
	}
	return &spec.Region{
		Name:           name,
		DisplayName:    strings.ToUpper(name),
		Location:       loc[0],
		PairedLocation: loc[1],
		Zones:          []string{"1", "2", "3"},
		AddressSpace:   fmt.Sprintf("10.%d.0.0/16", octet),
		DNSZone:        name + ".kpax.cloud",
		MaxTenants:     50,
		Stamps:         1,
		Operators:      spec.RegionOperators{GroupName: "kpax-operators-" + name, GroupObjectID: "44444444-4444-4444-4444-44444444444" + strconv.Itoa(len(name))},
		TLS:            spec.RegionTLS{CertificateName: "wildcard-" + name + "-kpax-cloud"},
		Backup:         spec.RegionBackup{DailyAt: "02:00", RetentionDays: 30},
		Maintenance:    spec.RegionMaintenance{Day: "Sunday", StartTime: "01:00", DurationHours: 3},
		Database:       spec.RegionDatabase{GeneralPurposeZoneRedundant: true, DatabasesPerServer: 50},
		// As in the region files: Azure did not list these two locations for
		// a zone-redundant Bastion. Both branches get tested.
		Bastion:  spec.RegionBastion{ZoneRedundant: name != "fr" && name != "in"},
		Registry: spec.RegionRegistry{Server: "kpaxcloud.azurecr.io", ResourceID: testRegistryID, OpsImage: "kpaxcloud.azurecr.io/kpax-ops:1.0.0"},
		Alerts:   testAlerts(),
		Tags:     map[string]string{"owner": "platform"},
	}
}

// testAlerts are a region's receivers, with a webhook, and five test
// locations.
func testAlerts() spec.RegionAlerts {
	return spec.RegionAlerts{
		Email:         []string{"oncall@kpax.cloud", "lead@kpax.cloud"},
		Webhook:       "https://pager.example/hook",
		TestLocations: []string{"emea-fr-pra-edge", "emea-ch-zrh-edge", "emea-nl-ams-azr", "emea-gb-db3-azr", "emea-ru-msa-edge"},
	}
}

func clusterTestTenant(region, name string, runtime spec.Runtime, state spec.State, server int, dailyAt string, days int) *spec.Tenant {
	t := &spec.Tenant{
		Name:        name,
		DisplayName: strings.ToUpper(name),
		Region:      region,
		Tier:        spec.TierStandard,
		Runtime:     runtime,
		State:       state,
		Stamp:       1,
		Database: spec.DatabaseSpec{
			SKU: "GP_Gen5_2", MaxSizeGB: 64, BackupRetentionDays: 14,
			LongTermRetention: spec.LTRSpec{Weeks: 4, Months: 12, Years: 5},
			Server:            server,
		},
		Storage: spec.StorageSpec{QuotaGB: 100, Redundancy: "ZRS"},
		Backup:  spec.BackupSpec{DailyAt: dailyAt, RetentionDays: days},
		DNS:     spec.DNSSpec{Hostname: name + "-app"},
		Tags:    map[string]string{"costCenter": "4711"},
	}
	switch runtime {
	case spec.RuntimeContainer:
		t.Container = &spec.ContainerSpec{Image: "kpaxcloud.azurecr.io/kpax-server:4.12.1", Replicas: 3, CPU: 1, Slot: nextSlot()}
	case spec.RuntimeVM:
		t.VM = &spec.VMSpec{Size: "Standard_D4s_v5", Instances: 3, Image: "Canonical:ubuntu-24_04-lts:server:latest", ServerImage: "kpaxcloud.azurecr.io/kpax-server:4.12.1"}
	}
	return t
}

// clusterTestTenants are a region's sample tenants, given out of name order:
// a container tenant on the region's default schedule, a VM tenant on server
// 2, a suspended container tenant and a decommissioned VM tenant on server 3.
func clusterTestTenants(region string) []*spec.Tenant {
	return []*spec.Tenant{
		clusterTestTenant(region, region+"globex", spec.RuntimeVM, spec.StateActive, 2, "03:00", 14),
		clusterTestTenant(region, region+"acme", spec.RuntimeContainer, spec.StateActive, 1, "02:00", 30),
		clusterTestTenant(region, region+"umbrella", spec.RuntimeVM, spec.StateDecommissioned, 3, "04:30", 7),
		clusterTestTenant(region, region+"initech", spec.RuntimeContainer, spec.StateSuspended, 1, "03:00", 14),
	}
}

// testRegistryID is the registry the fixture regions pull from, in a
// subscription of its own.
const testRegistryID = "/subscriptions/0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90/resourceGroups/rg-kpax-shared/providers/Microsoft.ContainerRegistry/registries/kpaxcloud"

// Resource types of the cluster.
const (
	ctRG        = "azure-native:resources:ResourceGroup"
	ctWorkspace = "azure-native:operationalinsights:Workspace"
	ctDCR       = "azure-native:insights:DataCollectionRule"
	ctDiag      = "azure-native:insights:DiagnosticSetting"
	ctVNet      = "azure-native:network:VirtualNetwork"
	ctSubnet    = "azure-native:network/v20240501:Subnet"
	ctNSG       = "azure-native:network:NetworkSecurityGroup"
	ctRule      = "azure-native:network:SecurityRule"
	ctPIP       = "azure-native:network:PublicIPAddress"
	ctNAT       = "azure-native:network:NatGateway"
	ctLB        = "azure-native:network:LoadBalancer"
	ctBastion   = "azure-native:network/v20240501:BastionHost"
	ctZone      = "azure-native:network:Zone"
	ctDNSSEC    = "azure-native:network:DnssecConfig"
	ctPZone     = "azure-native:network:PrivateZone"
	ctLink      = "azure-native:network:VirtualNetworkLink"
	ctPRecord   = "azure-native:network:PrivateRecordSet"
	ctPE        = "azure-native:network:PrivateEndpoint"
	ctZoneGroup = "azure-native:network:PrivateDnsZoneGroup"
	ctKV        = "azure-native:keyvault:Vault"
	ctLock      = "azure-native:authorization:ManagementLockByScope"
	ctRole      = "azure-native:authorization:RoleAssignment"

	ctRoleDef        = "azure-native:authorization:RoleDefinition"
	ctActivityLog    = "azure-native:insights:SubscriptionDiagnosticSetting"
	ctScheduledQuery = "azure-native:insights:ScheduledQueryRule"
	ctRSV            = "azure-native:recoveryservices/v20240101:Vault"
	ctPolicy         = "azure-native:recoveryservices/v20241001:ProtectionPolicy"
	ctEnv            = "azure-native:app/v20240301:ManagedEnvironment"
	ctJob            = "azure-native:app/v20240301:Job"
	ctIdentity       = "azure-native:managedidentity:UserAssignedIdentity"
	ctWAF            = "azure-native:network:WebApplicationFirewallPolicy"
	ctAGW            = "azure-native:network:ApplicationGateway"
	ctSQL            = "azure-native:sql:Server"
	ctSQLAudit       = "azure-native:sql:ServerBlobAuditingPolicy"
	ctSQLAdmin       = "azure-native:sql:ServerAzureADAdministrator"
	ctSQLEntraOnly   = "azure-native:sql:ServerAzureADOnlyAuthentication"
	ctPassword       = "random:index/randomPassword:RandomPassword"
	ctSleep          = "time:index/sleep:Sleep"
	ctRandom         = "random:index/randomString:RandomString"
	ctCluster        = "kpax:components:RegionalCluster"
	ctAG             = "azure-native:insights:ActionGroup"
	ctAppi           = "azure-native:insights:Component"
	ctAlert          = "azure-native:insights:MetricAlert"
	ctPolicySet      = "azure-native:authorization:PolicySetDefinition"
	ctAssign         = "azure-native:authorization:PolicyAssignment"
)

// clusterRun is a cluster built under mocks, with the values of its
// Platform that tests check, as exported stack outputs.
type clusterRun struct {
	region   *spec.Region
	tenants  []*spec.Tenant
	plan     *plan.Plan
	platform Platform
}

func runCluster(t *testing.T, r *spec.Region, tenants []*spec.Tenant) *clusterRun {
	t.Helper()
	var pf Platform
	p, err := plan.RunProgram(plan.Options{Project: "kpax-cloud", Stack: "test-" + r.Name}, func(ctx *pulumi.Context, exportAll plan.ExportFunc) error {
		c, err := NewRegionalCluster(ctx, "cluster-"+r.Name, &RegionalClusterArgs{Region: r, Tenants: tenants})
		if err != nil {
			return err
		}
		pf = c.Platform
		// Unset outputs are left out rather than exported: the Platform
		// completeness test reports them.
		export := func(name string, v pulumi.Input) {
			if o, ok := v.(pulumi.StringOutput); ok && o.OutputState == nil {
				return
			}
			exportAll(name, v)
		}
		export("resourceGroupName", pf.ResourceGroupName)
		export("workspaceId", pf.WorkspaceID)
		export("dataCollectionRuleId", pf.DataCollectionRuleID)
		export("vnetId", pf.VNetID)
		export("vmSubnetId", pf.VMSubnetID)
		export("endpointSubnetId", pf.EndpointSubnetID)
		export("egressBackendPoolId", pf.EgressBackendPoolID)
		for k, v := range pf.Environments {
			export("environment/"+k+"/id", v.ID)
			export("environment/"+k+"/name", v.Name)
			export("environment/"+k+"/defaultDomain", v.DefaultDomain)
		}
		export("recoveryVaultName", pf.RecoveryVaultName)
		export("keyVaultName", pf.KeyVaultName)
		export("gatewayPublicIp", pf.GatewayPublicIPAddress)
		export("clusterGatewayPublicIp", c.GatewayPublicIPAddress)
		exportAll("dnssecDsRecords", c.DNSDelegationSigner)
		for k, v := range pf.FileShareBackupPolicyIDs {
			export("fsPolicy/"+k, v)
		}
		for k, v := range pf.PrivateDNSZoneIDs {
			export("privateZone/"+k, v)
		}
		for k, v := range pf.GatewayBackendPoolIDs {
			export("pool/"+k, v)
		}
		for n, s := range pf.SQLServers {
			export(fmt.Sprintf("sqlServer/%d/id", n), s.ID)
			export(fmt.Sprintf("sqlServer/%d/name", n), s.Name)
		}
		export("plain/location", pulumi.String(pf.Location))
		export("plain/zones", pulumi.String(strings.Join(pf.Zones, ",")))
		export("plain/dnsZone", pulumi.String(pf.DNSZoneName))
		export("plain/gatewayPrefix", pulumi.String(pf.GatewaySubnetPrefix))
		export("plain/bastionPrefix", pulumi.String(pf.BastionSubnetPrefix))
		export("plain/operators", pulumi.String(pf.OperatorsGroupObjectID))
		export("plain/operatorsName", pulumi.String(pf.OperatorsGroupName))
		export("plain/registryServer", pulumi.String(pf.RegistryServer))
		export("registryPullIdentityId", pf.RegistryPullIdentityID)
		export("runCommandRoleDefinitionId", pf.RunCommandRoleDefinitionID)
		return nil
	})
	if err != nil {
		t.Fatalf("cluster %s: %v", r.Name, err)
	}
	return &clusterRun{region: r, tenants: tenants, plan: p, platform: pf}
}

func (cr *clusterRun) out(key string) string {
	s, _ := cr.plan.Outputs[key].(string)
	return s
}

// outKeys are the exported keys under a prefix ("vmPolicy/"), without it.
func (cr *clusterRun) outKeys(prefix string) []string {
	var keys []string
	for k := range cr.plan.Outputs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, strings.TrimPrefix(k, prefix))
		}
	}
	sort.Strings(keys)
	return keys
}

// get is the one resource of a type with a logical name.
func (cr *clusterRun) get(t *testing.T, typ, logical string) *plan.Resource {
	t.Helper()
	r := cr.plan.Get(typ, logical)
	if r == nil {
		t.Fatalf("%s: no %s %q", cr.region.Name, typ, logical)
	}
	return r
}

// n is the cluster's logical name prefix.
func (cr *clusterRun) n(suffix string) string { return "cluster-" + cr.region.Name + "-" + suffix }

// check compares the input at path with a value; numbers are float64 in a
// plan.
func check(t *testing.T, r *plan.Resource, path string, v any) {
	t.Helper()
	got := r.Get(path)
	if i, ok := v.(int); ok {
		v = float64(i)
	}
	if fmt.Sprint(got) != fmt.Sprint(v) {
		t.Errorf("%s %s: %s = %#v, want %#v", r.Type, r.Name, path, got, v)
	}
}

// list returns the input at path as a list of objects.
func list(r *plan.Resource, path string) []map[string]any {
	var out []map[string]any
	items, _ := r.Get(path).([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// byName finds the object of a list input with a "name".
func byName(t *testing.T, r *plan.Resource, path, name string) map[string]any {
	t.Helper()
	for _, m := range list(r, path) {
		if m["name"] == name {
			return m
		}
	}
	t.Fatalf("%s %s: no %s named %q", r.Type, r.Name, path, name)
	return nil
}

func idOf(m map[string]any, key string) string {
	sub, _ := m[key].(map[string]any)
	s, _ := sub["id"].(string)
	return s
}

func stringsOf(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it.(string)
		out = append(out, s)
	}
	return out
}

func sameStrings(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func walkInputs(v any, path string, visit func(path string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			visit(p, e)
			walkInputs(e, p, visit)
		}
	case []any:
		for i, e := range x {
			walkInputs(e, fmt.Sprintf("%s.%d", path, i), visit)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// Fixtures: a fully defaulted region and tenants, and a fake Platform whose
// IDs look like the cluster's (all in the platform resource group), so the
// tenant tests do not depend on the cluster component.

const (
	testPlatformRG = "rg-kpax-fr-platform"
	testSubPrefix  = "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/" + testPlatformRG + "/providers/"
	testDNSZone    = "fr.kpax.cloud"
	testGatewayIP  = "20.19.18.17"
	testRegistry   = "kpaxcloud.azurecr.io"
	// testPullIdentity is the platform identity that pulls images.
	testPullClientID  = "5c2f9d1e-7a3b-4c8d-9e0f-1a2b3c4d5e6f"
	testPullIdentity  = testSubPrefix + "Microsoft.ManagedIdentity/userAssignedIdentities/id-kpax-fr-acrpull"
	testGWPrefix      = "10.40.4.0/24"
	testOperators     = "44444444-4444-4444-4444-444444444444"
	testDCRID         = testSubPrefix + "Microsoft.Insights/dataCollectionRules/dcr-kpax-fr-vm"
	testActionGroupID = testSubPrefix + "Microsoft.Insights/actionGroups/ag-kpax-fr"
	testAppInsightsID = testSubPrefix + "Microsoft.Insights/components/appi-kpax-fr"
	testGatewayID     = testSubPrefix + "Microsoft.Network/applicationGateways/agw-kpax-fr"
	testGuardrailsID  = "/subscriptions/" + plan.MockSubscriptionID + "/providers/Microsoft.Authorization/policySetDefinitions/kpax-guardrails-fr-tenant"
)

func testRegion() *spec.Region {
	return &spec.Region{
		Name:           "fr",
		DisplayName:    "France",
		Location:       "francecentral",
		PairedLocation: "francesouth",
		Zones:          []string{"1", "2", "3"},
		AddressSpace:   "10.40.0.0/16",
		DNSZone:        testDNSZone,
		MaxTenants:     50,
		Stamps:         1,
		Operators:      spec.RegionOperators{GroupName: "kpax-operators-fr", GroupObjectID: testOperators},
		TLS:            spec.RegionTLS{CertificateName: "wildcard-fr-kpax-cloud"},
		Backup:         spec.RegionBackup{DailyAt: "02:00", RetentionDays: 30},
		Maintenance:    spec.RegionMaintenance{Day: "Sunday", StartTime: "01:00", DurationHours: 3},
		Database:       spec.RegionDatabase{GeneralPurposeZoneRedundant: true, DatabasesPerServer: 50},
		Alerts:         testAlerts(),
		Tags:           map[string]string{"owner": "platform"},
	}
}

func baseTenant(name string, runtime spec.Runtime, state spec.State) *spec.Tenant {
	t := &spec.Tenant{
		Name:        name,
		DisplayName: strings.ToUpper(name[:1]) + name[1:] + " Inc.",
		Region:      "fr",
		Tier:        spec.TierStandard,
		Runtime:     runtime,
		State:       state,
		Stamp:       1,
		Database: spec.DatabaseSpec{
			SKU:                 "GP_Gen5_2",
			MaxSizeGB:           64,
			BackupRetentionDays: 14,
			LongTermRetention:   spec.LTRSpec{Weeks: 4, Months: 12, Years: 5},
			Server:              1,
		},
		Storage: spec.StorageSpec{QuotaGB: 100, Redundancy: "ZRS"},
		Backup:  spec.BackupSpec{DailyAt: "02:00", RetentionDays: 30},
		DNS:     spec.DNSSpec{Hostname: name},
		Tags:    map[string]string{"costCenter": "4711"},
	}
	switch runtime {
	case spec.RuntimeContainer:
		t.Container = &spec.ContainerSpec{Image: "kpaxcloud.azurecr.io/kpax-server:4.12.1", Replicas: 3, CPU: 1, Slot: nextSlot()}
	case spec.RuntimeVM:
		t.VM = &spec.VMSpec{Size: "Standard_D4s_v5", Instances: 3, Image: "Canonical:ubuntu-24_04-lts:server:latest", ServerImage: "kpaxcloud.azurecr.io/kpax-server:4.12.1"}
	}
	return t
}

func containerTenant(name string, state spec.State) *spec.Tenant {
	return baseTenant(name, spec.RuntimeContainer, state)
}

func vmTenant(name string, state spec.State) *spec.Tenant {
	return baseTenant(name, spec.RuntimeVM, state)
}

func out(s string) pulumi.StringOutput { return pulumi.String(s).ToStringOutput() }

// testPlatform is the cluster as the tenants see it; vmTenants get gateway
// backend pools.
func testPlatform(vmTenants ...string) *Platform {
	fsPolicies := map[string]pulumi.StringOutput{}
	for _, key := range []string{"daily-0200-30d", "daily-0300-7d"} {
		fsPolicies[key] = out(testSubPrefix + "Microsoft.RecoveryServices/vaults/rsv-kpax-fr/backupPolicies/files-" + key)
	}
	pools := map[string]pulumi.StringOutput{}
	for _, t := range vmTenants {
		pools[t] = out(testSubPrefix + "Microsoft.Network/applicationGateways/agw-kpax-fr/backendAddressPools/" + gatewayBackendPoolName(t))
	}
	zone := func(name string) pulumi.StringOutput {
		return out(testSubPrefix + "Microsoft.Network/privateDnsZones/" + name)
	}
	return &Platform{
		Location:                 "francecentral",
		Zones:                    []string{"1", "2", "3"},
		ResourceGroupName:        out(testPlatformRG),
		WorkspaceID:              out(testSubPrefix + "Microsoft.OperationalInsights/workspaces/log-kpax-fr"),
		VMSubnetID:               out(testSubPrefix + "Microsoft.Network/virtualNetworks/vnet-kpax-fr/subnets/snet-vms"),
		EndpointSubnetID:         out(testSubPrefix + "Microsoft.Network/virtualNetworks/vnet-kpax-fr/subnets/snet-endpoints"),
		GatewaySubnetPrefix:      testGWPrefix,
		Environments:             map[string]TenantEnvironment{},
		EgressBackendPoolID:      out(testSubPrefix + "Microsoft.Network/loadBalancers/lbe-kpax-fr/backendAddressPools/vms"),
		RecoveryVaultName:        out("rsv-kpax-fr"),
		FileShareBackupPolicyIDs: fsPolicies,
		DNSZoneName:              testDNSZone,
		DNSZoneResourceGroupName: "rg-kpax-fr-platform",
		PrivateDNSZoneIDs: map[string]pulumi.StringOutput{
			"sqlServer": zone("privatelink.database.windows.net"),
			"blob":      zone("privatelink.blob.core.windows.net"),
			"file":      zone("privatelink.file.core.windows.net"),
			"vault":     zone("privatelink.vaultcore.azure.net"),
		},
		SQLServers: map[int]SQLServer{
			1: {ID: out(testSubPrefix + "Microsoft.Sql/servers/sql-kpax-fr-1"), Name: out("sql-kpax-fr-1")},
			2: {ID: out(testSubPrefix + "Microsoft.Sql/servers/sql-kpax-fr-2"), Name: out("sql-kpax-fr-2")},
		},
		GatewayPublicIPAddress:     out(testGatewayIP),
		GatewayBackendPoolIDs:      pools,
		OperatorsGroupObjectID:     testOperators,
		RegistryServer:             testRegistry,
		RegistryPullIdentityID:     out(testPullIdentity),
		RegistryPullClientID:       out(testPullClientID),
		ActionGroupID:              out(testActionGroupID),
		AppInsightsID:              out(testAppInsightsID),
		TestLocations:              testAlerts().TestLocations,
		GatewayID:                  out(testGatewayID),
		TenantGuardrailsID:         out(testGuardrailsID),
		RunCommandRoleDefinitionID: out("/subscriptions/" + plan.MockSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + testRunCommandRole),
	}
}

// testRunCommandRole is the stamp's run-command role in testPlatform.
const testRunCommandRole = "8e458ab0-4b76-5b25-9c3c-bcf43a53328b"

// runTenants registers each tenant as component "tenant-<name>" in one
// program run, with the data collection rule set.
func runTenants(t *testing.T, tenants ...*spec.Tenant) *plan.Plan {
	t.Helper()
	var vms []string
	for _, tn := range tenants {
		if tn.Runtime == spec.RuntimeVM {
			vms = append(vms, tn.Name)
		}
	}
	region := testRegion()
	p, err := plan.Run(plan.Options{Project: "kpax-cloud", Stack: "test-fr"}, func(ctx *pulumi.Context) error {
		platform := withEnvironments(testPlatform(vms...), tenants...)
		for _, tn := range tenants {
			if _, err := NewTenant(ctx, "tenant-"+tn.Name, &TenantArgs{
				Tenant: tn, Region: region, Platform: platform, DataCollectionRuleID: pulumi.String(testDCRID),
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return p
}

// tenantResources returns the resources below a tenant's component.
func tenantResources(t *testing.T, p *plan.Plan, tenant string) []*plan.Resource {
	t.Helper()
	root := p.Get("kpax:components:Tenant", "tenant-"+tenant)
	if root == nil {
		t.Fatalf("no Tenant component for %q", tenant)
	}
	return p.Descendants(root)
}

func countByType(rs []*plan.Resource) map[string]int {
	m := map[string]int{}
	for _, r := range rs {
		m[r.Type]++
	}
	return m
}

// one returns the only resource of a type among rs.
func one(t *testing.T, rs []*plan.Resource, typ string) *plan.Resource {
	t.Helper()
	var found []*plan.Resource
	for _, r := range rs {
		if r.Type == typ {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(found))
	}
	return found[0]
}

func ofType(rs []*plan.Resource, typ string) []*plan.Resource {
	var found []*plan.Resource
	for _, r := range rs {
		if r.Type == typ {
			found = append(found, r)
		}
	}
	return found
}

// want compares the input at path with a value; numbers are float64 in a plan.
func want(t *testing.T, r *plan.Resource, path string, v any) {
	t.Helper()
	got := r.Get(path)
	if i, ok := v.(int); ok {
		v = float64(i)
	}
	if fmt.Sprint(got) != fmt.Sprint(v) {
		t.Errorf("%s %s: %s = %#v, want %#v", r.Type, r.Name, path, got, v)
	}
}

// Resource types.
const (
	tRG         = "azure-native:resources:ResourceGroup"
	tIdentity   = "azure-native:managedidentity:UserAssignedIdentity"
	tRandom     = "random:index/randomString:RandomString"
	tPassword   = "random:index/randomPassword:RandomPassword"
	tVault      = "azure-native:keyvault:Vault"
	tSecret     = "azure-native:keyvault:Secret"
	tLock       = "azure-native:authorization:ManagementLockByScope"
	tRole       = "azure-native:authorization:RoleAssignment"
	tPE         = "azure-native:network:PrivateEndpoint"
	tZoneGroup  = "azure-native:network:PrivateDnsZoneGroup"
	tDiag       = "azure-native:insights:DiagnosticSetting"
	tAccount    = "azure-native:storage:StorageAccount"
	tBlobSvc    = "azure-native:storage:BlobServiceProperties"
	tFileSvc    = "azure-native:storage:FileServiceProperties"
	tShare      = "azure-native:storage:FileShare"
	tBlobCtr    = "azure-native:storage:BlobContainer"
	tORP        = "azure-native:storage:ObjectReplicationPolicy"
	tLifecycle  = "azure-native:storage:ManagementPolicy"
	tContainer  = "azure-native:recoveryservices:ProtectionContainer"
	tItem       = "azure-native:recoveryservices:ProtectedItem"
	tDatabase   = "azure-native:sql:Database"
	tPITR       = "azure-native:sql:BackupShortTermRetentionPolicy"
	tLTR        = "azure-native:sql:LongTermRetentionPolicy"
	tTDE        = "azure-native:sql:TransparentDataEncryption"
	tAudit      = "azure-native:sql:ExtendedDatabaseBlobAuditingPolicy"
	tApp        = "azure-native:app/v20240301:ContainerApp"
	tEnvStorage = "azure-native:app/v20240301:ManagedEnvironmentsStorage"
	tRecord     = "azure-native:network:RecordSet"
	tVMSS       = "azure-native:compute:VirtualMachineScaleSet"
	tVM         = "azure-native:compute:VirtualMachine"
	tExtension  = "azure-native:compute:VirtualMachineExtension"
	tNIC        = "azure-native:network:NetworkInterface"
	tWindow     = "azure-native:maintenance:MaintenanceConfiguration"
	tAssignment = "azure-native:maintenance:ConfigurationAssignment"
	tDCR        = "azure-native:insights:DataCollectionRuleAssociation"
	tPolicy     = "azure-native:authorization:PolicyAssignment"
	tAlert      = "azure-native:insights:MetricAlert"
	tWebTest    = "azure-native:insights:WebTest"
)

// watchSet is what a serving (active) tenant adds for its alerts: the
// availability test and five alerts (availability, gateway backend, 5xx,
// database, files).
var watchSet = map[string]int{tWebTest: 1, tAlert: 5}

// commonSet is what every tenant has in every state: identity, vault,
// storage, database and their protection.
var commonSet = map[string]int{
	tRG: 1, tIdentity: 1, tRandom: 1, tPassword: 1,
	tVault: 1, tSecret: 1,
	tLock: 4, tRole: 2, tPE: 4, tZoneGroup: 4, tDiag: 4,
	tAccount: 2, tBlobSvc: 2, tFileSvc: 1, tShare: 1, tContainer: 1, tItem: 1,
	// the blob copy: a second account and blob service, both containers,
	// both halves of the replication policy and the copy's retention
	// (tenant_blobcopy.go)
	tBlobCtr: 2, tORP: 2, tLifecycle: 1,
	tDatabase: 1, tPITR: 1, tLTR: 1, tTDE: 1, tAudit: 1,
	// the guardrails, and the wait for Azure to apply them
	tPolicy: 2, ctSleep: 1,
}

func plus(base map[string]int, extra map[string]int) map[string]int {
	m := map[string]int{}
	for k, v := range base {
		m[k] += v
	}
	for k, v := range extra {
		m[k] += v
	}
	return m
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			*out = append(*out, k)
			collectStrings(x[k], out)
		}
	case []any:
		for _, e := range x {
			collectStrings(e, out)
		}
	}
}

// waitsFor reports whether r depends on the resource whose logical name is
// dep, directly or through the resources it depends on (a wait for role
// propagation stands between compute and its grants).
func waitsFor(rs []*plan.Resource, r *plan.Resource, dep string) bool {
	byURN := map[string]*plan.Resource{}
	for _, x := range rs {
		byURN[x.URN] = x
	}
	seen := map[string]bool{}
	queue := append([]string(nil), r.DependsOn...)
	for len(queue) > 0 {
		urn := queue[0]
		queue = queue[1:]
		if seen[urn] {
			continue
		}
		seen[urn] = true
		if strings.HasSuffix(urn, "::"+dep) {
			return true
		}
		if x := byURN[urn]; x != nil {
			queue = append(queue, x.DependsOn...)
		}
	}
	return false
}

// slots hands each test tenant an environment slot of its own (unique in any
// cluster a test builds, since no test builds more than spec.EnvironmentSlots
// container tenants).
var slots atomic.Int32

func nextSlot() int { return int(slots.Add(1)-1) % spec.EnvironmentSlots }

// withEnvironments gives each container tenant its environment, as the
// cluster would.
func withEnvironments(pf *Platform, tenants ...*spec.Tenant) *Platform {
	for _, t := range tenants {
		if hasEnvironment(t) {
			name := tenantEnvironmentName(t)
			pf.Environments[t.Name] = TenantEnvironment{
				ID:              out(testSubPrefix + "Microsoft.App/managedEnvironments/" + name),
				Name:            out(name),
				DefaultDomain:   out(name + ".francecentral.azurecontainerapps.io"),
				WorkloadProfile: dedicatedProfile,
			}
		}
	}
	return pf
}

// subnets is the run's VNet layout.
func (cr *clusterRun) subnets() subnetPlan {
	space, _ := cr.region.StampAddressSpace(1)
	p, _ := deriveSubnets(space)
	return p
}

// named returns the resource of a type with a logical name.
func named(t *testing.T, rs []*plan.Resource, typ, name string) *plan.Resource {
	t.Helper()
	for _, r := range rs {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s %s", typ, name)
	return nil
}
