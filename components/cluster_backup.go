// The Recovery Services vault (zone-redundant, immutable, soft delete) and
// its daily VM and file share policies. Promise: every tenant is backed up
// daily, in its region, to storage that survives a zone.

package components

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// recoveryservices 2024-01-01: the vault's redundancySettings (zone-redundant
	// storage, cross-region restore) and immutability; 2024-10-01: the file
	// share policy's vault tier (vaultRetentionPolicy).
	recoveryservicesv20240101 "github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2/v20240101"
	recoveryservicesv20241001 "github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2/v20241001"

	"github.com/kpax/kpax-cloud/spec"
)

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
// policies. It holds every tenant's recovery points, so it is protected and
// retained on delete like the data it keeps: its Azure lock is not the only
// thing between a removed line of code and the backups.
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
				// Always-on soft delete: nobody, the program included, can
				// turn soft delete off again, so deleted backup data stays
				// recoverable for the retention period whatever happens to
				// the identity that deletes it. It is irreversible: "Once
				// you enable the always-on state for soft delete, you can't
				// disable it for that vault"
				// (learn.microsoft.com/azure/backup/quick-backup-azure-enable-enhanced-soft-delete;
				// simazure.RuleSoftDeleteAlwaysOn); the vault's 2024-01-01
				// API has the AlwaysON value. Retiring the vault then waits
				// out the soft-delete days of its last items
				// (docs/restore.md).
				SoftDeleteSettings: &recoveryservicesv20240101.SoftDeleteSettingsArgs{
					SoftDeleteState:                 pulumi.String(string(recoveryservicesv20240101.SoftDeleteStateAlwaysON)),
					SoftDeleteRetentionPeriodInDays: pulumi.Int(recoveryVaultSoftDeleteDays),
					EnhancedSecurityState:           pulumi.String("Enabled"),
				},
				// Unlocked immutability: recovery points cannot be deleted
				// before they expire. "Locked" is irreversible and is an
				// operator's decision, taken once the policies are settled.
				ImmutabilitySettings: &recoveryservicesv20240101.ImmutabilitySettingsArgs{State: pulumi.String("Unlocked")},
			},
			// Azure Monitor alerts for every failed backup and restore job
			// (on by default, stated so that nobody turns them off
			// unnoticed), and none of the classic alerts they replace
			// (learn.microsoft.com/azure/backup/backup-azure-monitoring-alerts;
			// shape: REST example PUTVault_WithMonitoringSettings.json,
			// 2022-03-01 and later). They show in Azure Monitor; the
			// stamp's backup-health metric alert is what pages
			// (cluster_alerts.go).
			MonitoringSettings: &recoveryservicesv20240101.MonitoringSettingsArgs{
				AzureMonitorAlertSettings: &recoveryservicesv20240101.AzureMonitorAlertSettingsArgs{AlertsForAllJobFailures: pulumi.String("Enabled")},
				ClassicAlertSettings:      &recoveryservicesv20240101.ClassicAlertSettingsArgs{AlertsForCriticalOperations: pulumi.String("Disabled")},
			},
			RestoreSettings: &recoveryservicesv20240101.RestoreSettingsArgs{
				CrossSubscriptionRestoreSettings: &recoveryservicesv20240101.CrossSubscriptionRestoreSettingsArgs{
					CrossSubscriptionRestoreState: pulumi.String("Disabled"),
				},
			},
		},
		Tags: b.tags("backup"),
	}, b.child(pulumi.Protect(true), pulumi.RetainOnDelete(true))...)
	if err != nil {
		return err
	}
	b.c.RecoveryVaultID = vault.ID().ToStringOutput()
	b.c.Platform.RecoveryVaultName = vault.Name
	b.c.Platform.RecoveryVaultID = vault.ID().ToStringOutput()
	b.lock("rsv", vault.ID().ToStringOutput(), "Recovery Services vault (tenants' backups)")
	diag, err := b.diagnosticSetting("rsv", vault.ID().ToStringOutput(), allLogs, nil, allMetrics, true)
	if err != nil {
		return err
	}

	b.c.Platform.FileShareBackupPolicyIDs = map[string]pulumi.StringOutput{}
	var policies []pulumi.Resource
	for _, s := range backupSchedules(b.region, b.tenants) {
		key := s.PolicyKey()
		runTime := pulumi.String(fmt.Sprintf("%sT%s:00Z", backupScheduleDate, s.DailyAt))
		// A policy that a schedule no longer uses is left in the vault
		// (RetainOnDelete): the vault's lock and any item still protected by
		// it would make the delete fail, and an unused policy costs nothing.
		//
		// The vault-standard tier: each daily recovery point is copied from
		// the share's snapshot into the vault, so it lives in the region's
		// zone-redundant, immutable vault, not only in the tenant's own
		// account, where a leaked key or an account admin could delete it.
		// The tier is chosen by the policy's shape, vaultRetentionPolicy
		// (API 2023-06-01 and later; example
		// ProtectionPolicies_CreateOrUpdate_Hardened.json of the REST specs),
		// hence the versioned package.
		fs, err := recoveryservicesv20241001.NewProtectionPolicy(b.ctx, b.name+"-policy-fs-"+key, &recoveryservicesv20241001.ProtectionPolicyArgs{
			PolicyName:        pulumi.String(fileShareBackupPolicyName(key)),
			VaultName:         vault.Name,
			ResourceGroupName: b.rg.Name,
			Properties: recoveryservicesv20241001.AzureFileShareProtectionPolicyArgs{
				BackupManagementType: pulumi.String("AzureStorage"),
				WorkLoadType:         pulumi.String("AzureFileShare"),
				SchedulePolicy: recoveryservicesv20241001.SimpleSchedulePolicyArgs{
					SchedulePolicyType:   pulumi.String("SimpleSchedulePolicy"),
					ScheduleRunFrequency: pulumi.String("Daily"),
					ScheduleRunTimes:     pulumi.StringArray{runTime},
				},
				VaultRetentionPolicy: recoveryservicesv20241001.VaultRetentionPolicyArgs{
					SnapshotRetentionInDays: pulumi.Int(spec.FileShareSnapshotDays),
					VaultRetention: recoveryservicesv20241001.LongTermRetentionPolicyArgs{
						RetentionPolicyType: pulumi.String("LongTermRetentionPolicy"),
						DailySchedule: &recoveryservicesv20241001.DailyRetentionScheduleArgs{
							RetentionTimes: pulumi.StringArray{runTime},
							RetentionDuration: &recoveryservicesv20241001.RetentionDurationArgs{
								Count:        pulumi.Int(s.RetentionDays),
								DurationType: pulumi.String("Days"),
							},
						},
					},
				},
				TimeZone: pulumi.String("UTC"),
			},
			Tags: b.tags("backup"),
		}, b.child(pulumi.RetainOnDelete(true))...)
		if err != nil {
			return err
		}
		policies = append(policies, fs)
		b.c.Platform.FileShareBackupPolicyIDs[key] = fs.ID().ToStringOutput()
	}
	b.onScope("rsv", append(policies, diag)...)
	return nil
}
