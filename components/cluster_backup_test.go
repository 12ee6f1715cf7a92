// The platform Key Vault, the Recovery Services vault and its policies.

package components

import (
	"regexp"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func TestClusterVaults(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	rg := cr.get(t, ctRG, cr.n("rg"))

	kv := cr.get(t, ctKV, cr.n("kv"))
	name := kv.String("vaultName")
	if !regexp.MustCompile(`^kv-kpax-fr-[a-z0-9]{5}$`).MatchString(name) || len(name) > 24 {
		t.Errorf("key vault name %q", name)
	}
	for path, v := range map[string]any{
		"properties.enableRbacAuthorization":   true,
		"properties.enableSoftDelete":          true,
		"properties.softDeleteRetentionInDays": 90,
		"properties.enablePurgeProtection":     true,
		"properties.publicNetworkAccess":       "Disabled",
		"properties.networkAcls.defaultAction": "Deny",
		"properties.sku.name":                  "standard",
		"properties.tenantId":                  plan.MockTenantID,
	} {
		check(t, kv, path, v)
	}
	suffix := cr.get(t, ctRandom, cr.n("suffix"))
	check(t, suffix, "length", 5)
	check(t, suffix, "special", false)
	check(t, suffix, "upper", false)
	if cr.out("keyVaultName") != name {
		t.Errorf("Platform.KeyVaultName = %q", cr.out("keyVaultName"))
	}

	pe := cr.get(t, ctPE, cr.n("pe-vault"))
	check(t, pe, "privateLinkServiceConnections.0.privateLinkServiceId", kv.ID)
	check(t, pe, "privateLinkServiceConnections.0.groupIds.0", "vault")
	check(t, pe, "subnet.id", cr.get(t, ctSubnet, cr.n("snet-endpoints")).ID)
	group := cr.get(t, ctZoneGroup, cr.n("pe-vault-dns"))
	vaultZone := cr.get(t, ctPZone, cr.n("pdns-vault"))
	check(t, vaultZone, "privateZoneName", "privatelink.vaultcore.azure.net")
	check(t, group, "privateDnsZoneConfigs.0.privateDnsZoneId", vaultZone.ID)

	rsv := cr.get(t, ctRSV, cr.n("rsv"))
	for path, v := range map[string]any{
		"vaultName": "rsv-kpax-fr",
		"sku.name":  "RS0",
		"sku.tier":  "Standard",
		"properties.redundancySettings.standardTierStorageRedundancy":    "ZoneRedundant",
		"properties.redundancySettings.crossRegionRestore":               "Disabled",
		"properties.securitySettings.softDeleteSettings.softDeleteState": "AlwaysON",
		"properties.securitySettings.immutabilitySettings.state":         "Unlocked",
		"properties.publicNetworkAccess":                                 "Disabled",
	} {
		check(t, rsv, path, v)
	}
	if cr.out("recoveryVaultName") != "rsv-kpax-fr" {
		t.Errorf("Platform.RecoveryVaultName = %q", cr.out("recoveryVaultName"))
	}

	// Locks on the two vaults, none on the resource group.
	locked := map[string]bool{}
	for _, l := range cr.plan.OfType(ctLock) {
		check(t, l, "level", "CanNotDelete")
		locked[l.String("scope")] = true
	}
	if len(locked) != 2 || !locked[kv.ID] || !locked[rsv.ID] {
		t.Errorf("locked scopes = %v, want the key vault and the recovery vault", locked)
	}
	if locked[rg.ID] {
		t.Errorf("the resource group is locked")
	}

	// One file share policy per distinct schedule: the region default
	// (02:00/30d, also acme's) and the tenants' (decommissioned umbrella's
	// included: its data keeps its policy). VMs keep no data and have none.
	wantKeys := []string{"daily-0200-30d", "daily-0300-14d", "daily-0430-7d"}
	if got := cr.outKeys("fsPolicy/"); !sameStrings(got, wantKeys) {
		t.Errorf("file share policy keys = %v, want %v", got, wantKeys)
	}
	if got := len(cr.plan.OfType(ctPolicy)); got != len(wantKeys) {
		t.Errorf("%d policies, want %d", got, len(wantKeys))
	}
	fs := cr.get(t, ctPolicy, cr.n("policy-fs-daily-0300-14d"))
	for path, v := range map[string]any{
		"policyName":                                     "fs-daily-0300-14d",
		"properties.backupManagementType":                "AzureStorage",
		"properties.workLoadType":                        "AzureFileShare",
		"properties.schedulePolicy.scheduleRunFrequency": "Daily",
		"properties.schedulePolicy.scheduleRunTimes.0":   "2024-01-01T03:00:00Z",
		"properties.timeZone":                            "UTC",
		// The vault tier: the daily points are copied into the vault, with
		// a week of snapshots in the share for quick file restores.
		"properties.vaultRetentionPolicy.snapshotRetentionInDays":                              spec.FileShareSnapshotDays,
		"properties.vaultRetentionPolicy.vaultRetention.retentionPolicyType":                   "LongTermRetentionPolicy",
		"properties.vaultRetentionPolicy.vaultRetention.dailySchedule.retentionDuration.count": 14,
		"properties.vaultRetentionPolicy.vaultRetention.dailySchedule.retentionTimes.0":        "2024-01-01T03:00:00Z",
	} {
		check(t, fs, path, v)
	}
	if fs.Get("properties.retentionPolicy") != nil {
		t.Errorf("a snapshot-only retention policy: recovery points would stay in the tenant's account")
	}
	if !fs.RetainOnDelete {
		t.Errorf("policies must be retained on delete")
	}
	if got := cr.out("fsPolicy/daily-0300-14d"); got != fs.ID {
		t.Errorf("Platform.FileShareBackupPolicyIDs = %q, want %q", got, fs.ID)
	}
}

// TestClusterLocksWaitForTheirScope: the platform's locks depend on what the
// cluster puts on their scope, so that a purge or a replacement deletes the
// lock first (Azure refuses the rest under it: ScopeLocked).
func TestClusterLocksWaitForTheirScope(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	for _, l := range cr.plan.OfType(ctLock) {
		scope := strings.ToLower(l.String("scope"))
		n := 0
		for _, r := range cr.plan.Resources {
			if !r.Custom || r.Type == ctLock || strings.EqualFold(r.ID, scope) {
				continue
			}
			on := strings.HasPrefix(strings.ToLower(r.ID), scope+"/")
			for _, key := range []string{"scope", "resourceUri", "privateLinkServiceConnections.0.privateLinkServiceId"} {
				if v := strings.ToLower(r.String(key)); v != "" && (v == scope || strings.HasPrefix(v, scope+"/")) {
					on = true
				}
			}
			if on {
				n++
				if !containsString(l.DependsOn, r.URN) {
					t.Errorf("lock %s does not wait for %s %s on its scope", l.Name, r.Type, r.Name)
				}
			}
		}
		if n == 0 {
			t.Errorf("lock %s: nothing on its scope, the test sees nothing", l.Name)
		}
	}
}

// TestRecoveryVaultIsProtected: the region's vault holds every tenant's
// recovery points; like the data it keeps, deleting it from the program
// must stop at Pulumi, not only at its Azure lock.
func TestRecoveryVaultIsProtected(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	rsv := cr.get(t, ctRSV, cr.n("rsv"))
	if !rsv.Protect || !rsv.RetainOnDelete {
		t.Errorf("recovery vault: protect=%v retainOnDelete=%v, want both", rsv.Protect, rsv.RetainOnDelete)
	}
}
