// A tenant's backup items in the region's Recovery Services vault: the
// storage account's registration and the file share's protected item.
// Promise: each tenant is backed up daily.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// fileShareBackup registers the storage account with the region's Recovery
// Services vault and protects the file share with the daily policy. Both
// are retained on delete: removing them from the program must never stop
// protection and drop the recovery points with it.
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
	}, b.child(pulumi.RetainOnDelete(true))...)
	if err != nil {
		return err
	}
	_, err = recoveryservices.NewProtectedItem(b.ctx, b.name+"-share-backup", &recoveryservices.ProtectedItemArgs{
		VaultName:         b.p.RecoveryVaultName,
		ResourceGroupName: b.p.ResourceGroupName,
		FabricName:        pulumi.String("Azure"),
		ContainerName:     containerName,
		ProtectedItemName: pulumi.String(fileShareProtectedItemName(tenantFileShareName)),
		Properties: recoveryservices.AzureFileshareProtectedItemArgs{
			ProtectedItemType: pulumi.String("AzureFileShareProtectedItem"),
			PolicyId:          b.p.FileShareBackupPolicyIDs[b.t.Backup.PolicyKey()],
			SourceResourceId:  b.account.ID(),
		},
		Tags: b.tags,
	}, b.child(pulumi.RetainOnDelete(true), pulumi.DependsOn([]pulumi.Resource{container, b.share}))...)
	return err
}
