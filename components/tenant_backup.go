// A tenant's backup items in the region's Recovery Services vault: the
// storage account's registration, the file share's protected item (daily, to
// the vault tier), and each VM's protected item. Promise: each tenant is
// backed up daily, in its region, and no lifecycle change deletes a backup.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// fileShareBackup registers the storage account with the region's Recovery
// Services vault and protects the file share with the daily policy, whose
// recovery points are copied to the vault (cluster_backup.go). Both are data:
// protected and retained on delete, since deleting a protected item means
// "stop protection and delete data", which the immutable vault refuses
// anyway. The share stays protected in every state: its data is kept, and so
// is its daily backup, until the purge (docs/restore.md).
func (b *tenantBuilder) fileShareBackup() error {
	containerName := b.account.Name.ApplyT(func(account string) string {
		return storageBackupContainerName(tenantResourceGroupName(b.t), account)
	}).(pulumi.StringOutput)
	container, err := recoveryservices.NewProtectionContainer(b.ctx, b.name+"-backup-container", &recoveryservices.ProtectionContainerArgs{
		VaultName:         b.p.RecoveryVaultName,
		ResourceGroupName: b.p.ResourceGroupName,
		FabricName:        pulumi.String("Azure"),
		ContainerName:     containerName,
		Properties: recoveryservices.AzureStorageContainerArgs{
			ContainerType:        pulumi.String("StorageContainer"),
			BackupManagementType: pulumi.String("AzureStorage"),
			SourceResourceId:     b.account.ID(),
			// The program's own CanNotDelete lock already guards the
			// account; a second lock that Azure Backup adds outside the
			// program would only surprise the purge procedure.
			AcquireStorageAccountLock: pulumi.String("NotAcquire"),
		},
		Tags: b.tags,
		// The registration must see the share: azure-native does not run
		// the vault's "inquire", so a share created after its account was
		// registered is not protectable until someone does
		// (terraform-provider-azurerm#11184).
	}, b.data(pulumi.DependsOn([]pulumi.Resource{b.share}))...)
	if err != nil {
		return err
	}
	_, err = recoveryservices.NewProtectedItem(b.ctx, b.name+"-share-backup", &recoveryservices.ProtectedItemArgs{
		VaultName:         b.p.RecoveryVaultName,
		ResourceGroupName: b.p.ResourceGroupName,
		FabricName:        pulumi.String("Azure"),
		ContainerName:     containerName,
		// The share's own name. Azure Backup names the item itself
		// ("azurefileshare;<hash>") and says not to build that name
		// (learn.microsoft.com/azure/backup/backup-azure-file-share-rest-api);
		// azure-native looks the system name up by this friendly name before
		// it creates the item (pulumi-azure-native#3809, fixing #1420, where
		// a built "AzureFileShare;<share>" was created but never read back).
		ProtectedItemName: pulumi.String(tenantFileShareName),
		Properties: recoveryservices.AzureFileshareProtectedItemArgs{
			ProtectedItemType: pulumi.String("AzureFileShareProtectedItem"),
			PolicyId:          b.p.FileShareBackupPolicyIDs[b.t.Backup.PolicyKey()],
			SourceResourceId:  b.account.ID(),
		},
		Tags: b.tags,
		// The provider swaps the friendly name for the system name it finds
		// (custom_recoveryservices.go). Whether a later preview compares
		// the input with the stored system name is not verified; this name
		// decides the item's identity, so a difference would read as a
		// replacement, which an immutable vault refuses. The share's name
		// never changes, so ignoring the input loses nothing.
	}, b.data(pulumi.DependsOn([]pulumi.Resource{container, b.share}), pulumi.IgnoreChanges([]string{"protectedItemName"}))...)
	return err
}
