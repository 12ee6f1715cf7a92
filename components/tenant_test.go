package components

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

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
	testPullClientID = "5c2f9d1e-7a3b-4c8d-9e0f-1a2b3c4d5e6f"
	testPullIdentity = testSubPrefix + "Microsoft.ManagedIdentity/userAssignedIdentities/id-kpax-fr-acrpull"
	testGWPrefix     = "10.40.4.0/24"
	testOperators    = "44444444-4444-4444-4444-444444444444"
	testDCRID        = testSubPrefix + "Microsoft.Insights/dataCollectionRules/dcr-kpax-fr-vm"
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
		t.Container = &spec.ContainerSpec{Image: "kpaxcloud.azurecr.io/kpax-server:4.12.1", Replicas: 3, CPU: 1}
	case spec.RuntimeVM:
		t.VM = &spec.VMSpec{Size: "Standard_D4s_v5", Instances: 3, Image: "Canonical:ubuntu-24_04-lts:server:latest", ServerImage: "kpaxcloud.azurecr.io/kpax-server:4.12.1", DataDiskGB: 256}
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
	policies := map[string]pulumi.StringOutput{}
	fsPolicies := map[string]pulumi.StringOutput{}
	for _, key := range []string{"daily-0200-30d", "daily-0300-7d"} {
		policies[key] = out(testSubPrefix + "Microsoft.RecoveryServices/vaults/rsv-kpax-fr/backupPolicies/vm-" + key)
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
		EnvironmentID:            out(testSubPrefix + "Microsoft.App/managedEnvironments/cae-kpax-fr"),
		EnvironmentDefaultDomain: out("cae-kpax-fr.francecentral.azurecontainerapps.io"),
		RecoveryVaultName:        out("rsv-kpax-fr"),
		VMBackupPolicyIDs:        policies,
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
		GatewayPublicIPAddress: out(testGatewayIP),
		GatewayBackendPoolIDs:  pools,
		OperatorsGroupObjectID: testOperators,
		RegistryServer:         testRegistry,
		RegistryPullIdentityID: out(testPullIdentity),
		RegistryPullClientID:   out(testPullClientID),
	}
}

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
		platform := testPlatform(vms...)
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
	tContainer  = "azure-native:recoveryservices:ProtectionContainer"
	tItem       = "azure-native:recoveryservices:ProtectedItem"
	tDatabase   = "azure-native:sql:Database"
	tPITR       = "azure-native:sql:BackupShortTermRetentionPolicy"
	tLTR        = "azure-native:sql:LongTermRetentionPolicy"
	tTDE        = "azure-native:sql:TransparentDataEncryption"
	tAudit      = "azure-native:sql:ExtendedDatabaseBlobAuditingPolicy"
	tApp        = "azure-native:app:ContainerApp"
	tRecord     = "azure-native:network:RecordSet"
	tDisk       = "azure-native:compute:Disk"
	tVMSS       = "azure-native:compute:VirtualMachineScaleSet"
	tVM         = "azure-native:compute:VirtualMachine"
	tExtension  = "azure-native:compute:VirtualMachineExtension"
	tNIC        = "azure-native:network:NetworkInterface"
	tWindow     = "azure-native:maintenance:MaintenanceConfiguration"
	tAssignment = "azure-native:maintenance:ConfigurationAssignment"
	tDCR        = "azure-native:insights:DataCollectionRuleAssociation"
)

// commonSet is what every tenant has in every state: identity, vault,
// storage, database and their protection.
var commonSet = map[string]int{
	tRG: 1, tIdentity: 1, tRandom: 1, tPassword: 1,
	tVault: 1, tSecret: 1,
	tLock: 3, tRole: 3, tPE: 3, tZoneGroup: 3, tDiag: 4,
	tAccount: 1, tBlobSvc: 1, tFileSvc: 1, tShare: 1, tContainer: 1, tItem: 1,
	tDatabase: 1, tPITR: 1, tLTR: 1, tTDE: 1, tAudit: 1,
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

// TestTenantResourceSet pins the exact resource set of each runtime and
// state; the counts are the ones the README reports.
func TestTenantResourceSet(t *testing.T) {
	const vms = 3
	vmData := map[string]int{tPassword: 1, tSecret: 1, tDisk: vms, tLock: vms}
	vmSuspended := plus(vmData, map[string]int{tVMSS: 1, tWindow: 1, tRole: 1, tRecord: 1})
	// Extensions: Entra login, the monitor agent and the KPAX server.
	perVM := map[string]int{tNIC: 1, tVM: 1, tExtension: 3, tDCR: 1, tAssignment: 1, tItem: 1}
	vmActive := vmSuspended
	for i := 0; i < vms; i++ {
		vmActive = plus(vmActive, perVM)
	}
	tests := []struct {
		name   string
		tenant *spec.Tenant
		want   map[string]int
	}{
		{"container active", containerTenant("acme", spec.StateActive), plus(commonSet, map[string]int{tApp: 1, tDiag: 1, tRecord: 1})},
		{"container suspended", containerTenant("acme", spec.StateSuspended), plus(commonSet, map[string]int{tApp: 1, tDiag: 1, tRecord: 1})},
		{"container decommissioned", containerTenant("acme", spec.StateDecommissioned), commonSet},
		{"vm active", vmTenant("globex", spec.StateActive), plus(commonSet, vmActive)},
		{"vm suspended", vmTenant("globex", spec.StateSuspended), plus(commonSet, vmSuspended)},
		{"vm decommissioned", vmTenant("globex", spec.StateDecommissioned), plus(commonSet, vmData)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := runTenants(t, tc.tenant)
			rs := tenantResources(t, p, tc.tenant.Name)
			got := countByType(rs)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("resource set:\n got %v\nwant %v", got, tc.want)
			}
			t.Logf("%s: %d resources", tc.name, total(got))
			for _, r := range rs {
				if !r.Custom {
					t.Errorf("%s %s: a tenant has no nested components", r.Type, r.Name)
				}
				if !strings.HasPrefix(r.Name, "tenant-"+tc.tenant.Name+"-") {
					t.Errorf("%s %s: logical name not derived from the component name", r.Type, r.Name)
				}
				if r.Parent != p.Get("kpax:components:Tenant", "tenant-"+tc.tenant.Name).URN {
					t.Errorf("%s %s: parent is %s, want the tenant", r.Type, r.Name, r.Parent)
				}
			}
		})
	}
}

// TestTenantTags checks that every resource that takes tags carries the
// tenant's, with the fixed keys winning over the YAML's.
func TestTenantTags(t *testing.T) {
	tn := vmTenant("globex", spec.StateActive)
	tn.Tags["tenant"] = "someone-else"
	p := runTenants(t, tn)
	untagged := map[string]bool{
		tRandom: true, tPassword: true, tLock: true, tRole: true, tZoneGroup: true, tDiag: true,
		tBlobSvc: true, tFileSvc: true, tShare: true, tPITR: true, tLTR: true, tTDE: true, tAudit: true,
		tAssignment: true, tDCR: true, tRecord: true,
	}
	for _, r := range tenantResources(t, p, "globex") {
		if untagged[r.Type] {
			continue
		}
		for k, v := range map[string]string{"tenant": "globex", "region": "fr", "tier": "standard", "runtime": "vm", "managed-by": "kpax-cloud", "costCenter": "4711"} {
			if got := r.String("tags." + k); got != v {
				t.Errorf("%s %s: tags.%s = %q, want %q", r.Type, r.Name, k, got, v)
			}
		}
	}
	rec := one(t, tenantResources(t, p, "globex"), tRecord)
	want(t, rec, "metadata.tenant", "globex")
}

func TestTenantCommonResources(t *testing.T) {
	tn := containerTenant("acme", spec.StateActive)
	p := runTenants(t, tn)
	rs := tenantResources(t, p, "acme")

	rg := one(t, rs, tRG)
	want(t, rg, "resourceGroupName", "rg-kpax-fr-acme")
	want(t, rg, "location", "francecentral")
	id := one(t, rs, tIdentity)
	want(t, id, "resourceName", "id-kpax-fr-acme")
	want(t, id, "resourceGroupName", "rg-kpax-fr-acme")

	suffix := one(t, rs, tRandom)
	want(t, suffix, "length", tenantSuffixLength)
	want(t, suffix, "upper", false)
	want(t, suffix, "special", false)
	if _, ok := suffix.Inputs["keepers"]; ok {
		t.Errorf("the suffix has keepers: it could change")
	}

	kv := one(t, rs, tVault)
	if !regexp.MustCompile(`^kvacme[a-z0-9]{6}$`).MatchString(kv.String("vaultName")) {
		t.Errorf("vault name %q", kv.String("vaultName"))
	}
	for path, v := range map[string]any{
		"properties.enableRbacAuthorization":   true,
		"properties.enableSoftDelete":          true,
		"properties.softDeleteRetentionInDays": 90,
		"properties.enablePurgeProtection":     true,
		"properties.publicNetworkAccess":       "Disabled",
		"properties.networkAcls.defaultAction": "Deny",
		"properties.networkAcls.bypass":        "None",
		"properties.tenantId":                  plan.MockTenantID,
		"properties.sku.name":                  "standard",
	} {
		want(t, kv, path, v)
	}
	secret := one(t, rs, tSecret)
	want(t, secret, "secretName", secretAppKey)
	want(t, secret, "properties.value", plan.Secret)

	st := one(t, rs, tAccount)
	if !regexp.MustCompile(`^stacme[a-z0-9]{6}$`).MatchString(st.String("accountName")) {
		t.Errorf("storage account name %q", st.String("accountName"))
	}
	for path, v := range map[string]any{
		"kind":                         "StorageV2",
		"sku.name":                     "Standard_ZRS",
		"enableHttpsTrafficOnly":       true,
		"minimumTlsVersion":            "TLS1_2",
		"allowBlobPublicAccess":        false,
		"allowSharedKeyAccess":         false,
		"publicNetworkAccess":          "Disabled",
		"networkRuleSet.defaultAction": "Deny",
		"networkRuleSet.bypass":        "AzureServices",
		"largeFileSharesState":         "Disabled",
		"allowCrossTenantReplication":  false,
		"defaultToOAuthAuthentication": true,
		"resourceGroupName":            "rg-kpax-fr-acme",
		"location":                     "francecentral",
		"tags.tenant":                  "acme",
		"accessTier":                   "Hot",
	} {
		want(t, st, path, v)
	}
	blob := one(t, rs, tBlobSvc)
	for path, v := range map[string]any{
		"deleteRetentionPolicy.enabled":          true,
		"deleteRetentionPolicy.days":             30,
		"containerDeleteRetentionPolicy.enabled": true,
		"containerDeleteRetentionPolicy.days":    30,
		"isVersioningEnabled":                    true,
		"changeFeed.enabled":                     true,
		"restorePolicy.enabled":                  true,
		"restorePolicy.days":                     29,
	} {
		want(t, blob, path, v)
	}
	if r, d := blob.Get("restorePolicy.days").(float64), blob.Get("deleteRetentionPolicy.days").(float64); r >= d {
		t.Errorf("restore days %v must be below delete retention %v", r, d)
	}
	files := one(t, rs, tFileSvc)
	want(t, files, "shareDeleteRetentionPolicy.enabled", true)
	want(t, files, "shareDeleteRetentionPolicy.days", 30)
	share := one(t, rs, tShare)
	want(t, share, "shareQuota", 100)
	want(t, share, "shareName", "kpax")

	// Private endpoints in the platform's endpoint subnet, registered in the
	// platform's private DNS zones.
	for _, sub := range []struct{ name, target, zone string }{
		{"blob", st.ID, "privatelink.blob.core.windows.net"},
		{"file", st.ID, "privatelink.file.core.windows.net"},
		{"vault", kv.ID, "privatelink.vaultcore.azure.net"},
	} {
		pe := p.Get(tPE, "tenant-acme-pe-"+sub.name)
		if pe == nil {
			t.Fatalf("no private endpoint for %s", sub.name)
		}
		want(t, pe, "privateEndpointName", "pe-kpax-fr-acme-"+sub.name)
		want(t, pe, "subnet.id", testSubPrefix+"Microsoft.Network/virtualNetworks/vnet-kpax-fr/subnets/snet-endpoints")
		want(t, pe, "privateLinkServiceConnections.0.privateLinkServiceId", sub.target)
		want(t, pe, "privateLinkServiceConnections.0.groupIds.0", sub.name)
		zg := p.Get(tZoneGroup, "tenant-acme-pe-"+sub.name+"-dns")
		if zg == nil {
			t.Fatalf("no DNS zone group for %s", sub.name)
		}
		want(t, zg, "privateEndpointName", "pe-kpax-fr-acme-"+sub.name)
		want(t, zg, "privateDnsZoneConfigs.0.privateDnsZoneId", testSubPrefix+"Microsoft.Network/privateDnsZones/"+sub.zone)
	}

	// File share backup in the region's vault.
	c := one(t, rs, tContainer)
	want(t, c, "vaultName", "rsv-kpax-fr")
	want(t, c, "resourceGroupName", testPlatformRG)
	want(t, c, "fabricName", "Azure")
	want(t, c, "containerName", "storagecontainer;Storage;rg-kpax-fr-acme;"+st.String("accountName"))
	want(t, c, "properties.backupManagementType", "AzureStorage")
	want(t, c, "properties.containerType", "StorageContainer")
	want(t, c, "properties.sourceResourceId", st.ID)
	item := one(t, rs, tItem)
	want(t, item, "containerName", c.String("containerName"))
	want(t, item, "protectedItemName", "AzureFileShare;kpax")
	want(t, item, "properties.protectedItemType", "AzureFileShareProtectedItem")
	want(t, item, "properties.policyId", testSubPrefix+"Microsoft.RecoveryServices/vaults/rsv-kpax-fr/backupPolicies/files-daily-0200-30d")
	want(t, item, "properties.sourceResourceId", st.ID)
	for _, r := range []*plan.Resource{c, item} {
		if !r.RetainOnDelete {
			t.Errorf("%s %s: backup protection must be retained on delete", r.Type, r.Name)
		}
	}

	// Database on the shared server, in the platform resource group.
	db := one(t, rs, tDatabase)
	for path, v := range map[string]any{
		"databaseName":                     "sqldb-acme",
		"serverName":                       "sql-kpax-fr-1",
		"resourceGroupName":                testPlatformRG,
		"zoneRedundant":                    true,
		"requestedBackupStorageRedundancy": "Zone",
		"sku.name":                         "GP_Gen5",
		"sku.tier":                         "GeneralPurpose",
		"sku.family":                       "Gen5",
		"sku.capacity":                     2,
		"maxSizeBytes":                     64 << 30,
	} {
		want(t, db, path, v)
	}
	pitr := one(t, rs, tPITR)
	want(t, pitr, "retentionDays", 14)
	want(t, pitr, "diffBackupIntervalInHours", 12)
	want(t, pitr, "databaseName", "sqldb-acme")
	ltr := one(t, rs, tLTR)
	want(t, ltr, "weeklyRetention", "P4W")
	want(t, ltr, "monthlyRetention", "P12M")
	want(t, ltr, "yearlyRetention", "P5Y")
	want(t, ltr, "weekOfYear", 1)
	want(t, one(t, rs, tTDE), "state", "Enabled")
	audit := one(t, rs, tAudit)
	want(t, audit, "state", "Enabled")
	want(t, audit, "isAzureMonitorTargetEnabled", true)

	// Diagnostics of the database, blob and file services, vault and app go
	// to the region's workspace.
	targets := map[string]bool{}
	for _, d := range ofType(rs, tDiag) {
		want(t, d, "workspaceId", testSubPrefix+"Microsoft.OperationalInsights/workspaces/log-kpax-fr")
		targets[d.String("resourceUri")] = true
	}
	app := one(t, rs, tApp)
	for _, target := range []string{db.ID, kv.ID, st.ID + "/blobServices/default", st.ID + "/fileServices/default", app.ID} {
		if !targets[target] {
			t.Errorf("no diagnostic setting for %s (have %v)", target, targets)
		}
	}

	// The identity's roles: its own storage and vault, nothing else.
	principal := "/subscriptions/" + plan.MockSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/"
	roles := map[string]string{}
	for _, ra := range ofType(rs, tRole) {
		want(t, ra, "principalType", "ServicePrincipal")
		if ra.Get("principalId") == nil || ra.String("principalId") == "" {
			t.Errorf("%s: no principal", ra.Name)
		}
		roles[strings.TrimPrefix(ra.String("roleDefinitionId"), principal)] = ra.String("scope")
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(ra.String("roleAssignmentName")) {
			t.Errorf("%s: role assignment name %q is not a GUID", ra.Name, ra.String("roleAssignmentName"))
		}
	}
	wantRoles := map[string]string{
		roleStorageBlobDataContributor:    st.ID,
		roleStorageFileDataSMBContributor: st.ID,
		roleKeyVaultSecretsUser:           kv.ID,
	}
	if fmt.Sprint(roles) != fmt.Sprint(wantRoles) {
		t.Errorf("roles:\n got %v\nwant %v", roles, wantRoles)
	}

	// The URL.
	rec := one(t, rs, tRecord)
	for path, v := range map[string]any{
		"zoneName":               testDNSZone,
		"resourceGroupName":      testPlatformRG,
		"relativeRecordSetName":  "acme",
		"recordType":             "A",
		"ttl":                    300,
		"aRecords.0.ipv4Address": testGatewayIP,
	} {
		want(t, rec, path, v)
	}
}

func TestTenantContainerApp(t *testing.T) {
	p := runTenants(t, containerTenant("acme", spec.StateActive))
	rs := tenantResources(t, p, "acme")
	app := one(t, rs, tApp)
	id := one(t, rs, tIdentity)
	kv := one(t, rs, tVault)
	for path, v := range map[string]any{
		"containerAppName":                                              "ca-acme",
		"environmentId":                                                 testSubPrefix + "Microsoft.App/managedEnvironments/cae-kpax-fr",
		"identity.type":                                                 "UserAssigned",
		"identity.userAssignedIdentities.0":                             id.ID,
		"identity.userAssignedIdentities.1":                             testPullIdentity,
		"configuration.ingress.external":                                true,
		"configuration.ingress.allowInsecure":                           false,
		"configuration.ingress.targetPort":                              8080,
		"configuration.ingress.transport":                               "auto",
		"configuration.ingress.ipSecurityRestrictions.0.ipAddressRange": testGWPrefix,
		"configuration.ingress.ipSecurityRestrictions.0.action":         "Allow",
		"configuration.registries.0.server":                             "kpaxcloud.azurecr.io",
		"configuration.registries.0.identity":                           testPullIdentity,
		"configuration.secrets.0.name":                                  secretAppKey,
		"configuration.secrets.0.keyVaultUrl":                           "https://" + kv.String("vaultName") + ".vault.azure.net/secrets/" + secretAppKey,
		"configuration.secrets.0.identity":                              id.ID,
		"template.scale.minReplicas":                                    3,
		"template.scale.maxReplicas":                                    6,
		"template.containers.0.image":                                   "kpaxcloud.azurecr.io/kpax-server:4.12.1",
		"template.containers.0.resources.cpu":                           1,
		"template.containers.0.resources.memory":                        "2Gi",
	} {
		want(t, app, path, v)
	}
	if n := len(app.Get("configuration.ingress.ipSecurityRestrictions").([]any)); n != 1 {
		t.Errorf("ingress accepts %d ranges, want the gateway subnet alone", n)
	}
	probes := map[string]string{}
	for _, pr := range app.Get("template.containers.0.probes").([]any) {
		m := pr.(map[string]any)
		probes[m["type"].(string)] = m["httpGet"].(map[string]any)["path"].(string)
	}
	if fmt.Sprint(probes) != fmt.Sprint(map[string]string{"Liveness": "/healthz", "Readiness": "/healthz", "Startup": "/healthz"}) {
		t.Errorf("probes %v", probes)
	}
	// No secret value is written into the app: every secret is a Key Vault
	// reference and every env var is either plain configuration or a secretRef.
	for _, s := range app.Get("configuration.secrets").([]any) {
		if _, ok := s.(map[string]any)["value"]; ok {
			t.Errorf("container app secret with a plain value: %v", s)
		}
	}
	for _, e := range app.Get("template.containers.0.env").([]any) {
		m := e.(map[string]any)
		if v, ok := m["value"].(string); ok && (strings.Contains(v, plan.MockSecretMarker) || v == plan.Secret) {
			t.Errorf("env %v carries a secret value", m["name"])
		}
	}
	// The app starts only once its identity can read its secrets.
	for _, ra := range ofType(rs, tRole) {
		if !contains(app.DependsOn, ra.URN) {
			t.Errorf("the app does not wait for role assignment %s", ra.Name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestTenantVMs(t *testing.T) {
	p := runTenants(t, vmTenant("globex", spec.StateActive))
	rs := tenantResources(t, p, "globex")
	rg := one(t, rs, tRG)
	id := one(t, rs, tIdentity)

	vmss := one(t, rs, tVMSS)
	want(t, vmss, "vmScaleSetName", "vmss-kpax-fr-globex")
	want(t, vmss, "orchestrationMode", "Flexible")
	want(t, vmss, "platformFaultDomainCount", 1)
	if got := vmss.Strings("zones"); fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("scale set zones %v", got)
	}

	window := one(t, rs, tWindow)
	for path, v := range map[string]any{
		"maintenanceScope":                     "InGuestPatch",
		"extensionProperties.InGuestPatchMode": "User",
		"recurEvery":                           "Week Sunday",
		"startDateTime":                        "2025-01-01 01:00",
		"duration":                             "03:00",
		"timeZone":                             "UTC",
	} {
		want(t, window, path, v)
	}

	var groups []*plan.Resource
	for _, ra := range ofType(rs, tRole) {
		if ra.String("principalType") == "Group" {
			groups = append(groups, ra)
		}
	}
	login := one(t, groups, tRole)
	want(t, login, "principalId", testOperators)
	want(t, login, "principalType", "Group")
	want(t, login, "scope", rg.ID)
	if !strings.HasSuffix(login.String("roleDefinitionId"), "/"+roleVirtualMachineAdministratorLog) {
		t.Errorf("operators get %s", login.String("roleDefinitionId"))
	}

	pw := p.Get(tPassword, "tenant-globex-vm-admin-password")
	secret := p.Get(tSecret, "tenant-globex-vm-admin-secret")
	want(t, secret, "secretName", secretVMAdminPassword)
	want(t, secret, "properties.value", plan.Secret)
	if !contains(secret.DependsOn, pw.URN) {
		t.Errorf("the admin secret does not come from the random password")
	}

	vms := ofType(rs, tVM)
	if len(vms) != 3 {
		t.Fatalf("%d VMs, want 3", len(vms))
	}
	for n := 1; n <= len(vms); n++ {
		vm := p.Get(tVM, fmt.Sprintf("tenant-globex-vm-%d", n))
		name := fmt.Sprintf("vm-globex-%d", n)
		want(t, vm, "vmName", name)
		want(t, vm, "zones.0", fmt.Sprint(n)) // round robin over 1, 2, 3
		want(t, vm, "virtualMachineScaleSet.id", vmss.ID)
		want(t, vm, "hardwareProfile.vmSize", "Standard_D4s_v5")
		want(t, vm, "identity.type", "SystemAssigned, UserAssigned")
		want(t, vm, "identity.userAssignedIdentities.0", id.ID)
		want(t, vm, "securityProfile.securityType", "TrustedLaunch")
		want(t, vm, "securityProfile.uefiSettings.secureBootEnabled", true)
		want(t, vm, "securityProfile.uefiSettings.vTpmEnabled", true)
		want(t, vm, "securityProfile.encryptionAtHost", true)
		want(t, vm, "osProfile.adminPassword", plan.Secret)
		want(t, vm, "osProfile.linuxConfiguration.patchSettings.patchMode", "AutomaticByPlatform")
		want(t, vm, "osProfile.linuxConfiguration.patchSettings.automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule", true)
		want(t, vm, "diagnosticsProfile.bootDiagnostics.enabled", true)
		want(t, vm, "storageProfile.imageReference.publisher", "Canonical")
		want(t, vm, "storageProfile.imageReference.offer", "ubuntu-24_04-lts")
		if vm.Get("diagnosticsProfile.bootDiagnostics.storageUri") != nil {
			t.Errorf("%s: boot diagnostics must use managed storage", name)
		}

		disk := p.Get(tDisk, fmt.Sprintf("tenant-globex-vm-%d-data", n))
		want(t, disk, "diskName", "disk-"+name+"-data")
		want(t, disk, "diskSizeGB", 256)
		want(t, disk, "sku.name", "Premium_ZRS")
		want(t, disk, "networkAccessPolicy", "DenyAll")
		want(t, vm, "storageProfile.dataDisks.0.managedDisk.id", disk.ID)
		want(t, vm, "storageProfile.dataDisks.0.createOption", "Attach")

		nic := p.Get(tNIC, fmt.Sprintf("tenant-globex-vm-%d-nic", n))
		want(t, nic, "networkInterfaceName", "nic-"+name)
		want(t, nic, "ipConfigurations.0.subnet.id", testSubPrefix+"Microsoft.Network/virtualNetworks/vnet-kpax-fr/subnets/snet-vms")
		want(t, nic, "ipConfigurations.0.applicationGatewayBackendAddressPools.0.id",
			testSubPrefix+"Microsoft.Network/applicationGateways/agw-kpax-fr/backendAddressPools/pool-globex")
		if nic.Get("ipConfigurations.0.publicIPAddress") != nil {
			t.Errorf("%s has a public IP", name)
		}
		want(t, vm, "networkProfile.networkInterfaces.0.id", nic.ID)

		exts := map[string]string{}
		for _, e := range ofType(rs, tExtension) {
			if e.String("vmName") == name {
				exts[e.String("type")] = e.String("publisher")
			}
		}
		if fmt.Sprint(exts) != fmt.Sprint(map[string]string{"AADSSHLoginForLinux": "Microsoft.Azure.ActiveDirectory", "AzureMonitorLinuxAgent": "Microsoft.Azure.Monitor", "CustomScript": "Microsoft.Azure.Extensions"}) {
			t.Errorf("%s extensions %v", name, exts)
		}
		dcr := p.Get(tDCR, fmt.Sprintf("tenant-globex-vm-%d-dcr", n))
		want(t, dcr, "resourceUri", vm.ID)
		want(t, dcr, "dataCollectionRuleId", testDCRID)

		as := p.Get(tAssignment, fmt.Sprintf("tenant-globex-vm-%d-patch", n))
		want(t, as, "resourceName", name)
		want(t, as, "providerName", "Microsoft.Compute")
		want(t, as, "resourceType", "virtualMachines")
		want(t, as, "maintenanceConfigurationId", window.ID)

		item := p.Get(tItem, fmt.Sprintf("tenant-globex-vm-%d-backup", n))
		want(t, item, "vaultName", "rsv-kpax-fr")
		want(t, item, "resourceGroupName", testPlatformRG)
		want(t, item, "fabricName", "Azure")
		want(t, item, "containerName", "iaasvmcontainer;iaasvmcontainerv2;rg-kpax-fr-globex;"+name)
		want(t, item, "protectedItemName", "vm;iaasvmcontainerv2;rg-kpax-fr-globex;"+name)
		want(t, item, "properties.protectedItemType", "Microsoft.Compute/virtualMachines")
		want(t, item, "properties.policyId", testSubPrefix+"Microsoft.RecoveryServices/vaults/rsv-kpax-fr/backupPolicies/vm-daily-0200-30d")
		want(t, item, "properties.sourceResourceId", vm.ID)
	}
}

// TestTenantLifecycle checks what each state keeps and removes.
func TestTenantLifecycle(t *testing.T) {
	for _, runtime := range []spec.Runtime{spec.RuntimeContainer, spec.RuntimeVM} {
		for _, state := range spec.States {
			t.Run(string(runtime)+"/"+string(state), func(t *testing.T) {
				tn := baseTenant("acme", runtime, state)
				p := runTenants(t, tn)
				rs := tenantResources(t, p, "acme")
				counts := countByType(rs)
				// Data is kept in every state.
				for _, typ := range []string{tDatabase, tAccount, tShare, tVault, tItem, tPITR, tLTR} {
					if counts[typ] == 0 {
						t.Errorf("%s: %s missing", state, typ)
					}
				}
				if runtime == spec.RuntimeVM && counts[tDisk] != 3 {
					t.Errorf("%s: %d data disks, want 3 (data outlives VMs)", state, counts[tDisk])
				}
				// DNS only with compute.
				if got, want := counts[tRecord], map[spec.State]int{spec.StateActive: 1, spec.StateSuspended: 1, spec.StateDecommissioned: 0}[state]; got != want {
					t.Errorf("%s: %d DNS records, want %d", state, got, want)
				}
				switch {
				case runtime == spec.RuntimeContainer && state == spec.StateDecommissioned:
					if counts[tApp] != 0 {
						t.Errorf("decommissioned tenant still has its container app")
					}
				case runtime == spec.RuntimeContainer:
					app := one(t, rs, tApp)
					wantMin := map[spec.State]int{spec.StateActive: 3, spec.StateSuspended: 0}[state]
					want(t, app, "template.scale.minReplicas", wantMin)
					if state == spec.StateSuspended && app.Get("configuration.ingress") != nil {
						t.Errorf("a suspended app keeps ingress, which would wake it")
					}
				case state == spec.StateDecommissioned:
					for _, typ := range []string{tVMSS, tVM, tNIC, tExtension, tWindow, tAssignment} {
						if counts[typ] != 0 {
							t.Errorf("decommissioned tenant keeps %d %s", counts[typ], typ)
						}
					}
				default:
					if counts[tVMSS] != 1 {
						t.Errorf("%s: the scale set must remain", state)
					}
					wantVMs := map[spec.State]int{spec.StateActive: 3, spec.StateSuspended: 0}[state]
					if counts[tVM] != wantVMs || counts[tNIC] != wantVMs {
						t.Errorf("%s: %d VMs and %d NICs, want %d", state, counts[tVM], counts[tNIC], wantVMs)
					}
				}
			})
		}
	}
}

// TestTenantDeletionSafety: every data resource of every tenant carries
// protect and retainOnDelete in its registration request, and a
// CanNotDelete lock whose scope is its ID.
func TestTenantDeletionSafety(t *testing.T) {
	p := runTenants(t,
		containerTenant("acme", spec.StateActive),
		containerTenant("initech", spec.StateDecommissioned),
		vmTenant("globex", spec.StateActive),
		vmTenant("umbrella", spec.StateSuspended),
	)
	locks := map[string]*plan.Resource{}
	for _, l := range p.OfType(tLock) {
		locks[l.String("scope")] = l
	}
	dataTypes := []string{tDatabase, tAccount, tVault, tDisk}
	n := 0
	for _, typ := range dataTypes {
		for _, r := range p.OfType(typ) {
			n++
			if !r.Protect || !r.RetainOnDelete {
				t.Errorf("%s %s: protect=%v retainOnDelete=%v", typ, r.Name, r.Protect, r.RetainOnDelete)
			}
			l := locks[r.ID]
			if l == nil {
				t.Errorf("%s %s: no lock on %s", typ, r.Name, r.ID)
				continue
			}
			want(t, l, "level", "CanNotDelete")
		}
	}
	if n != 4*3+2*3 {
		t.Errorf("%d data resources, want 18", n)
	}
	// The file share and the vault's secrets live inside a locked account
	// or vault; they are protected and retained themselves too.
	for _, typ := range []string{tShare, tSecret} {
		for _, r := range p.OfType(typ) {
			if !r.Protect || !r.RetainOnDelete {
				t.Errorf("%s %s: protect=%v retainOnDelete=%v", typ, r.Name, r.Protect, r.RetainOnDelete)
			}
		}
	}
	// Nothing else is protected: compute must be free to come and go.
	protected := map[string]bool{tDatabase: true, tAccount: true, tVault: true, tDisk: true, tShare: true, tSecret: true}
	for _, r := range p.Resources {
		if r.Protect && !protected[r.Type] {
			t.Errorf("%s %s is protected", r.Type, r.Name)
		}
	}
}

// TestTenantIsolation runs four tenants in one program and scans every input
// of each tenant's resources, recursively, for another tenant's name or for
// the ID or physical name of any of its resources.
func TestTenantIsolation(t *testing.T) {
	tenants := []*spec.Tenant{
		containerTenant("acme", spec.StateActive),
		containerTenant("initech", spec.StateSuspended),
		vmTenant("globex", spec.StateActive),
		vmTenant("umbrella", spec.StateActive),
	}
	p := runTenants(t, tenants...)
	type marks struct{ ids, names map[string]bool }
	byTenant := map[string]marks{}
	for _, tn := range tenants {
		m := marks{ids: map[string]bool{}, names: map[string]bool{}}
		for _, r := range tenantResources(t, p, tn.Name) {
			if r.ID != "" && strings.HasPrefix(r.ID, "/") {
				m.ids[r.ID] = true
				m.names[r.ID[strings.LastIndexByte(r.ID, '/')+1:]] = true
			}
		}
		byTenant[tn.Name] = m
	}
	for _, a := range tenants {
		// A name both tenants give their own resources ("default",
		// "kpax-do-not-delete") references neither.
		own := byTenant[a.Name].names
		sawOwnName, sawOwnID := false, false
		for _, r := range tenantResources(t, p, a.Name) {
			var values []string
			collectStrings(r.Inputs, &values)
			// The scan sees what it looks for: a tenant's inputs do name it
			// and reference its own resources.
			for _, v := range values {
				sawOwnName = sawOwnName || strings.Contains(v, a.Name)
				sawOwnID = sawOwnID || byTenant[a.Name].ids[v]
			}
			for _, b := range tenants {
				if b == a {
					continue
				}
				for _, v := range values {
					if strings.Contains(v, b.Name) {
						t.Errorf("%s %s: input %q names tenant %s", r.Type, r.Name, v, b.Name)
					}
					for id := range byTenant[b.Name].ids {
						if strings.Contains(v, id) {
							t.Errorf("%s %s: input %q references %s's resource %s", r.Type, r.Name, v, b.Name, id)
						}
					}
					for name := range byTenant[b.Name].names {
						if !own[name] && v == name {
							t.Errorf("%s %s: input %q is the name of a resource of %s", r.Type, r.Name, v, b.Name)
						}
					}
				}
			}
		}
		if !sawOwnName || !sawOwnID {
			t.Errorf("%s: the scan saw its own name %v, its own IDs %v", a.Name, sawOwnName, sawOwnID)
		}
	}
	// And the globally unique names do differ.
	seen := map[string]bool{}
	for _, typ := range []string{tAccount, tVault} {
		for _, r := range p.OfType(typ) {
			id := r.ID
			if seen[id] {
				t.Errorf("two tenants share %s", id)
			}
			seen[id] = true
		}
	}
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

// TestTenantSecretsStaySecret: no mock secret value reaches any input in
// clear text.
func TestTenantSecretsStaySecret(t *testing.T) {
	p := runTenants(t, vmTenant("globex", spec.StateActive), containerTenant("acme", spec.StateActive))
	for _, r := range p.Resources {
		var values []string
		collectStrings(r.Inputs, &values)
		for _, v := range values {
			if strings.Contains(v, plan.MockSecretMarker) {
				t.Errorf("%s %s: a secret is in clear text", r.Type, r.Name)
			}
		}
	}
}

func TestTenantOutputs(t *testing.T) {
	p, err := plan.RunProgram(plan.Options{Stack: "test-fr"}, func(ctx *pulumi.Context, export plan.ExportFunc) error {
		tn, err := NewTenant(ctx, "tenant-acme", &TenantArgs{Tenant: containerTenant("acme", spec.StateDecommissioned), Region: testRegion(), Platform: testPlatform()})
		if err != nil {
			return err
		}
		export("url", tn.URL)
		export("state", tn.State)
		export("retained", tn.Retained)
		export("rg", tn.ResourceGroupName)
		export("principal", tn.IdentityPrincipalID)
		export("db", tn.DatabaseID)
		export("storage", tn.StorageAccountName)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{
		"url":      "https://acme.fr.kpax.cloud",
		"state":    "decommissioned",
		"retained": true,
		"rg":       "rg-kpax-fr-acme",
		"db":       testSubPrefix + "Microsoft.Sql/databases/sqldb-acme",
	} {
		if p.Outputs[k] != v {
			t.Errorf("output %s = %#v, want %#v", k, p.Outputs[k], v)
		}
	}
	storage, _ := p.Outputs["storage"].(string)
	principal, _ := p.Outputs["principal"].(string)
	if !regexp.MustCompile(`^stacme[a-z0-9]{6}$`).MatchString(storage) || principal == "" {
		t.Errorf("outputs %v", p.Outputs)
	}
}

func TestTenantArgsValidation(t *testing.T) {
	missingPool := vmTenant("globex", spec.StateActive)
	noVM := vmTenant("hooli", spec.StateActive)
	noVM.VM = nil
	badSKU := containerTenant("acme", spec.StateActive)
	badSKU.Database.SKU = "S3"
	badSKU.Database.Server = 9
	badSKU.Storage.Redundancy = "LRS"
	tests := []struct {
		name string
		args *TenantArgs
		want []string
	}{
		{"nil args", nil, []string{"args are required"}},
		{"empty args", &TenantArgs{}, []string{"args.Tenant is required", "args.Region is required", "args.Platform is required"}},
		{"no gateway pool", &TenantArgs{Tenant: missingPool, Region: testRegion(), Platform: testPlatform()}, []string{`no backend pool for "globex"`}},
		{"no vm spec", &TenantArgs{Tenant: noVM, Region: testRegion(), Platform: testPlatform("hooli")}, []string{"vm: required with runtime vm"}},
		{"bad database and storage", &TenantArgs{Tenant: badSKU, Region: testRegion(), Platform: testPlatform()},
			[]string{`database.server: the region has no SQL server 9`, `database.sku: "S3" is not a vCore SKU`, `storage.redundancy: unsupported "LRS"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plan.Run(plan.Options{Stack: "test-fr"}, func(ctx *pulumi.Context) error {
				_, err := NewTenant(ctx, "tenant", tc.args)
				return err
			})
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestTenantSQLSku(t *testing.T) {
	tests := []struct {
		give   string
		gpZR   bool
		want   sqlSkuArgs
		errSub string
	}{
		{give: "GP_Gen5_2", gpZR: true, want: sqlSkuArgs{"GP_Gen5", "GeneralPurpose", "Gen5", 2}},
		{give: "GP_Gen5_8", gpZR: false, want: sqlSkuArgs{"BC_Gen5", "BusinessCritical", "Gen5", 8}},
		{give: "GP_S_Gen5_4", gpZR: true, want: sqlSkuArgs{"GP_S_Gen5", "GeneralPurpose", "Gen5", 4}},
		{give: "GP_S_Gen5_4", gpZR: false, want: sqlSkuArgs{"BC_Gen5", "BusinessCritical", "Gen5", 4}},
		{give: "BC_Gen5_4", gpZR: false, want: sqlSkuArgs{"BC_Gen5", "BusinessCritical", "Gen5", 4}},
		{give: "HS_Gen5_2", gpZR: true, want: sqlSkuArgs{"HS_Gen5", "Hyperscale", "Gen5", 2}},
		{give: "S3", errSub: "not a vCore SKU"},
		{give: "XX_Gen5_2", errSub: "unknown edition"},
		{give: "GP_Gen5_x", errSub: "bad vCore count"},
		{give: "BC_S_Gen5_2", errSub: "serverless exists only"},
	}
	for _, tc := range tests {
		t.Run(tc.give, func(t *testing.T) {
			got, err := sqlSku(tc.give, tc.gpZR)
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err = %v, want %q", err, tc.errSub)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestTenantZoneRedundancyMapping: where General Purpose cannot be zone
// redundant, the database is Business Critical and still zone redundant.
func TestTenantZoneRedundancyMapping(t *testing.T) {
	region := testRegion()
	region.Database.GeneralPurposeZoneRedundant = false
	tn := containerTenant("acme", spec.StateActive)
	tn.Storage.Redundancy = "GZRS"
	tn.Storage.QuotaGB = 6000
	p, err := plan.Run(plan.Options{Stack: "test-fr"}, func(ctx *pulumi.Context) error {
		_, err := NewTenant(ctx, "tenant-acme", &TenantArgs{Tenant: tn, Region: region, Platform: testPlatform()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db := p.Get(tDatabase, "tenant-acme-db")
	want(t, db, "sku.tier", "BusinessCritical")
	want(t, db, "zoneRedundant", true)
	st := p.Get(tAccount, "tenant-acme-storage")
	want(t, st, "sku.name", "Standard_GZRS")
	want(t, st, "largeFileSharesState", "Enabled")
	if p.OfType(tDCR) != nil {
		t.Errorf("no data collection rule given, yet associations exist")
	}
}

func TestTenantNames(t *testing.T) {
	long := &spec.Tenant{Name: "a-very-long-tenant-nm", Region: "fr"}
	for _, got := range []string{storageAccountName(long, "abc123"), keyVaultName(long, "abc123")} {
		if len(got) > 24 || !regexp.MustCompile(`^[a-z][a-z0-9]+abc123$`).MatchString(got) {
			t.Errorf("global name %q", got)
		}
	}
	if got := storageAccountName(&spec.Tenant{Name: "acme"}, "x1y2z3"); got != "stacmex1y2z3" {
		t.Errorf("storageAccountName = %q", got)
	}
	a := stableGUID("tenant/acme/storage", roleStorageBlobDataContributor, "tenant/acme/identity")
	if a != stableGUID("tenant/acme/storage", roleStorageBlobDataContributor, "tenant/acme/identity") {
		t.Errorf("stableGUID is not stable")
	}
	if a == stableGUID("tenant/acme/storage", roleStorageFileDataSMBContributor, "tenant/acme/identity") {
		t.Errorf("stableGUID ignores the role")
	}
	if subscriptionScope("/subscriptions/abc/resourceGroups/x") != "/subscriptions/abc" || subscriptionScope("nope") != "" {
		t.Errorf("subscriptionScope")
	}
}
