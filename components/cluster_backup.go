// The Recovery Services vault (zone-redundant, immutable, soft delete) and
// its daily VM and file share policies. Promise: every tenant is backed up
// daily, in its region, to storage that survives a zone.

package components

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// recoveryservices 2024-01-01: the vault's redundancySettings (zone-redundant
	// storage, cross-region restore) and immutability.
	recoveryservicesv20240101 "github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2/v20240101"

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
