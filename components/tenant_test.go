// A tenant as a whole: its resource set per runtime and state, tags, data
// resources, lifecycle, deletion safety, isolation, secrets and outputs.

package components

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// TestTenantResourceSet pins the exact resource set of each runtime and
// state; the counts are the ones the README reports.
func TestTenantResourceSet(t *testing.T) {
	const vms = 3
	// A VM tenant keeps its share's key in its vault, in every state; its
	// VMs keep no data, so it has no disks or VM backups to keep.
	vmData := map[string]int{tSecret: 1}
	// The operators' roles: Entra login and Reader (Bastion needs it), and
	// run command (tenant_access.go).
	vmSuspended := plus(vmData, map[string]int{tVMSS: 1, tWindow: 1, tRole: 3, tRecord: 1})
	// Extensions: Entra login, the monitor agent, guest attestation and the
	// KPAX server.
	perVM := map[string]int{tNIC: 1, tVM: 1, tExtension: 4, tDCR: 1, tAssignment: 1}
	vmActive := plus(vmSuspended, map[string]int{ctSleep: 1})
	for i := 0; i < vms; i++ {
		vmActive = plus(vmActive, perVM)
	}
	tests := []struct {
		name   string
		tenant *spec.Tenant
		want   map[string]int
	}{
		// Compute waits for its identity's grants to take effect (ctSleep).
		// tRole: the operators' exec role (tenant_access.go).
		{"container active", containerTenant("acme", spec.StateActive), plus(plus(commonSet, watchSet), map[string]int{tApp: 1, tEnvStorage: 1, tDiag: 1, tRecord: 1, ctSleep: 1, tRole: 1})},
		{"container suspended", containerTenant("acme", spec.StateSuspended), plus(commonSet, map[string]int{tApp: 1, tEnvStorage: 1, tDiag: 1, tRecord: 1, ctSleep: 1, tRole: 1})},
		{"container decommissioned", containerTenant("acme", spec.StateDecommissioned), commonSet},
		{"vm active", vmTenant("globex", spec.StateActive), plus(plus(commonSet, watchSet), vmActive)},
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
		tAssignment: true, tDCR: true, tRecord: true, tEnvStorage: true, tPolicy: true, ctSleep: true,
		tBlobCtr: true, tORP: true, tLifecycle: true,
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

	st := named(t, rs, tAccount, "tenant-acme-storage")
	if !regexp.MustCompile(`^stacme[a-z0-9]{6}$`).MatchString(st.String("accountName")) {
		t.Errorf("storage account name %q", st.String("accountName"))
	}
	for path, v := range map[string]any{
		"kind":                   "StorageV2",
		"sku.name":               "Standard_ZRS",
		"enableHttpsTrafficOnly": true,
		"minimumTlsVersion":      "TLS1_2",
		"allowBlobPublicAccess":  false,
		// Key access stays on: Azure Files backup and Container Apps
		// mounts need it (tenant_storage.go).
		"allowSharedKeyAccess":         true,
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
	blob := named(t, rs, tBlobSvc, "tenant-acme-blob-service")
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
	// The share's friendly name: azure-native resolves Azure Backup's own
	// item name from it (pulumi-azure-native#3809); a built
	// "AzureFileShare;kpax" is never read back (#1420).
	want(t, item, "protectedItemName", "kpax")
	shareRes := one(t, rs, tShare)
	if !contains(c.DependsOn, shareRes.URN) {
		t.Errorf("the account is registered before its share exists: the share would not be protectable")
	}
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
		if ra.String("principalId") == testOperators {
			continue // the operators' session role: access_test.go
		}
		want(t, ra, "principalType", "ServicePrincipal")
		if ra.Get("principalId") == nil || ra.String("principalId") == "" {
			t.Errorf("%s: no principal", ra.Name)
		}
		roles[strings.TrimPrefix(ra.String("roleDefinitionId"), principal)] = ra.String("scope")
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(ra.String("roleAssignmentName")) {
			t.Errorf("%s: role assignment name %q is not a GUID", ra.Name, ra.String("roleAssignmentName"))
		}
	}
	// No SMB data role: it only works with identity-based SMB, which a
	// managed identity cannot use; the share is mounted with the key.
	wantRoles := map[string]string{
		roleStorageBlobDataContributor: st.ID,
		roleKeyVaultSecretsUser:        kv.ID,
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
				// The share stays protected in every state: its data is
				// kept, and so is its daily backup.
				item := one(t, rs, tItem)
				if item.String("properties.policyId") == "" || item.Get("properties.protectionState") != nil {
					t.Errorf("%s: the share's backup is not on its daily policy: %v", state, item.Inputs["properties"])
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
	dataTypes := []string{tDatabase, tAccount, tVault}
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
	if n != 4*4 {
		t.Errorf("%d data resources, want 16 (database, account, blob copy account, vault of 4 tenants)", n)
	}
	// The file share, the vault's secrets and the share's backup items
	// live inside a locked account or vault; they are protected and
	// retained themselves too.
	for _, typ := range []string{tRG, tShare, tSecret, tContainer, tItem, tBlobCtr} {
		for _, r := range p.OfType(typ) {
			if !r.Protect || !r.RetainOnDelete {
				t.Errorf("%s %s: protect=%v retainOnDelete=%v", typ, r.Name, r.Protect, r.RetainOnDelete)
			}
		}
	}
	// Nothing else is protected: compute must be free to come and go.
	protected := map[string]bool{tRG: true, tDatabase: true, tAccount: true, tVault: true, tShare: true, tSecret: true, tContainer: true, tItem: true, tBlobCtr: true}
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
	// A name two tenants give their own resources ("default",
	// "kpax-do-not-delete", a VM extension's "kpax-server") is generic: it
	// references no tenant.
	seen := map[string]int{}
	for _, m := range byTenant {
		for name := range m.names {
			seen[name]++
		}
	}
	for _, a := range tenants {
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
						if !own[name] && seen[name] < 2 && v == name {
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
	unique := map[string]bool{}
	for _, typ := range []string{tAccount, tVault} {
		for _, r := range p.OfType(typ) {
			id := r.ID
			if unique[id] {
				t.Errorf("two tenants share %s", id)
			}
			unique[id] = true
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
		"db":       testSubPrefix + "Microsoft.Sql/servers/sql-kpax-fr-1/databases/sqldb-acme",
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
		{"bad database and storage", &TenantArgs{Tenant: badSKU, Region: testRegion(), Platform: withEnvironments(testPlatform(), badSKU)},
			[]string{`database.server: the region has no SQL server 9`, `database.sku: "S3" is not a vCore SKU`, `storage.redundancy: unsupported "LRS"`}},
		{"no environment", &TenantArgs{Tenant: containerTenant("initech", spec.StateActive), Region: testRegion(), Platform: testPlatform()},
			[]string{`no environment for container tenant "initech"`}},
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

// TestTenantLocksWaitForTheirScope: each lock depends on every resource the
// tenant puts on its scope (role assignments, diagnostic settings, private
// endpoints, child resources), so that Pulumi deletes the lock first: Azure
// refuses to delete any of them under a CanNotDelete lock (ScopeLocked).
func TestTenantLocksWaitForTheirScope(t *testing.T) {
	p := runTenants(t, containerTenant("acme", spec.StateActive), vmTenant("globex", spec.StateActive))
	for _, name := range []string{"acme", "globex"} {
		rs := tenantResources(t, p, name)
		for _, l := range ofType(rs, tLock) {
			scope := l.String("scope")
			for _, r := range rs {
				if r.Type == tLock || r.ID == scope || !r.Custom {
					continue
				}
				on := r.ID != "" && strings.HasPrefix(strings.ToLower(r.ID), strings.ToLower(scope)+"/")
				for _, key := range []string{"scope", "resourceUri", "privateLinkServiceConnections.0.privateLinkServiceId"} {
					if v := r.String(key); v != "" && (strings.EqualFold(v, scope) || strings.HasPrefix(strings.ToLower(v), strings.ToLower(scope)+"/")) {
						on = true
					}
				}
				if on && !contains(l.DependsOn, r.URN) {
					t.Errorf("%s: lock %s does not wait for %s %s on its scope", name, l.Name, r.Type, r.Name)
				}
			}
		}
	}
}
