// The platform Key Vault, the Recovery Services vault and its policies.

package components

import (
	"regexp"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
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
		"properties.securitySettings.softDeleteSettings.softDeleteState": "Enabled",
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

	// One VM and one file share policy per distinct schedule: the region
	// default (02:00/30d, also acme's) and the tenants' (decommissioned
	// umbrella's included: its data keeps its policy).
	wantKeys := []string{"daily-0200-30d", "daily-0300-14d", "daily-0430-7d"}
	if got := cr.outKeys("vmPolicy/"); !sameStrings(got, wantKeys) {
		t.Errorf("VM policy keys = %v, want %v", got, wantKeys)
	}
	if got := cr.outKeys("fsPolicy/"); !sameStrings(got, wantKeys) {
		t.Errorf("file share policy keys = %v, want %v", got, wantKeys)
	}
	if got := len(cr.plan.OfType(ctPolicy)); got != 2*len(wantKeys) {
		t.Errorf("%d policies, want %d", got, 2*len(wantKeys))
	}
	vm := cr.get(t, ctPolicy, cr.n("policy-vm-daily-0430-7d"))
	for path, v := range map[string]any{
		"policyName":                      "vm-daily-0430-7d",
		"vaultName":                       "rsv-kpax-fr",
		"properties.backupManagementType": "AzureIaasVM",
		"properties.policyType":           "V2",
		"properties.timeZone":             "UTC",
		"properties.schedulePolicy.scheduleRunFrequency":                          "Daily",
		"properties.schedulePolicy.dailySchedule.scheduleRunTimes.0":              "2024-01-01T04:30:00Z",
		"properties.retentionPolicy.dailySchedule.retentionDuration.count":        7,
		"properties.retentionPolicy.dailySchedule.retentionDuration.durationType": "Days",
		"properties.retentionPolicy.dailySchedule.retentionTimes.0":               "2024-01-01T04:30:00Z",
	} {
		check(t, vm, path, v)
	}
	if !vm.RetainOnDelete {
		t.Errorf("policies must be retained on delete")
	}
	if got := cr.out("vmPolicy/daily-0430-7d"); got != vm.ID {
		t.Errorf("Platform.VMBackupPolicyIDs = %q, want %q", got, vm.ID)
	}
	fs := cr.get(t, ctPolicy, cr.n("policy-fs-daily-0300-14d"))
	for path, v := range map[string]any{
		"policyName":                                                       "fs-daily-0300-14d",
		"properties.backupManagementType":                                  "AzureStorage",
		"properties.workLoadType":                                          "AzureFileShare",
		"properties.schedulePolicy.scheduleRunFrequency":                   "Daily",
		"properties.schedulePolicy.scheduleRunTimes.0":                     "2024-01-01T03:00:00Z",
		"properties.retentionPolicy.dailySchedule.retentionDuration.count": 14,
	} {
		check(t, fs, path, v)
	}
}
