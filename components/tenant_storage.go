// A tenant's own storage account (zone redundant, private, TLS 1.2), its blob
// and file services (soft delete, versioning, point-in-time restore) and its
// file share. Promise: isolation and no data lost to a zone failure.

package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// storageSkuName maps the spec's redundancy to a StorageV2 SKU. Only
// zone-redundant SKUs exist here: GZRS adds an asynchronous copy in the
// paired region of the same geography.
func storageSkuName(redundancy string) (string, error) {
	switch strings.ToUpper(strings.TrimPrefix(redundancy, "Standard_")) {
	case "ZRS":
		return "Standard_ZRS", nil
	case "GZRS":
		return "Standard_GZRS", nil
	}
	return "", fmt.Errorf("unsupported %q (want ZRS or GZRS)", redundancy)
}

// storage is the tenant's own StorageV2 account: blobs for the app's objects
// and a file share for its files.
func (b *tenantBuilder) storage() error {
	skuName, err := storageSkuName(b.t.Storage.Redundancy)
	if err != nil {
		return err
	}
	largeShares := pulumi.String("Disabled")
	if b.t.Storage.QuotaGB > largeFileShareGB {
		largeShares = pulumi.String("Enabled")
	}
	name := b.suffix.Result.ApplyT(func(s string) string { return storageAccountName(b.t, s) }).(pulumi.StringOutput)
	account, err := storage.NewStorageAccount(b.ctx, b.name+"-storage", &storage.StorageAccountArgs{
		AccountName:            name,
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Kind:                   pulumi.String("StorageV2"),
		Sku:                    storage.SkuArgs{Name: pulumi.String(skuName)},
		AccessTier:             storage.AccessTierHot,
		EnableHttpsTrafficOnly: pulumi.Bool(true),
		MinimumTlsVersion:      pulumi.String("TLS1_2"),
		AllowBlobPublicAccess:  pulumi.Bool(false),
		// No account keys: the app reaches blobs and files with its
		// identity (the roles below), and Azure Backup snapshots the share
		// through the storage resource provider as a trusted service. This
		// is not proven against a live subscription: should the share's
		// backup or restore fail with KeyBasedAuthenticationNotPermitted,
		// this is the one switch to revisit, and key-based SMB mounts would
		// have to be argued here too.
		AllowSharedKeyAccess:         pulumi.Bool(false),
		DefaultToOAuthAuthentication: pulumi.Bool(true),
		AllowCrossTenantReplication:  pulumi.Bool(false),
		PublicNetworkAccess:          pulumi.String("Disabled"),
		NetworkRuleSet: storage.NetworkRuleSetArgs{
			DefaultAction: storage.DefaultActionDeny,
			// Azure Backup is a trusted service: it must reach the account
			// to snapshot and restore the file share.
			Bypass: pulumi.String("AzureServices"),
		},
		LargeFileSharesState: largeShares,
		Tags:                 b.tags,
	}, b.data()...)
	if err != nil {
		return err
	}
	b.account = account
	if err := b.lock("storage-lock", account.ID(), "storage account"); err != nil {
		return err
	}

	// Soft delete keeps deleted blobs and containers for the backup
	// retention; point-in-time restore can go back one day less (Azure
	// requires restore days < delete retention days), and needs versioning
	// and the change feed.
	deleteDays := b.t.Backup.RetentionDays
	if deleteDays > blobRetentionMaxDays {
		deleteDays = blobRetentionMaxDays
	}
	if deleteDays < 2 {
		deleteDays = 2 // so that the restore window is at least a day
	}
	if _, err := storage.NewBlobServiceProperties(b.ctx, b.name+"-blob-service", &storage.BlobServicePropertiesArgs{
		AccountName:                    account.Name,
		ResourceGroupName:              b.rg.Name,
		BlobServicesName:               pulumi.String("default"),
		DeleteRetentionPolicy:          storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
		ContainerDeleteRetentionPolicy: storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
		IsVersioningEnabled:            pulumi.Bool(true),
		ChangeFeed:                     storage.ChangeFeedArgs{Enabled: pulumi.Bool(true), RetentionInDays: pulumi.Int(deleteDays)},
		RestorePolicy:                  storage.RestorePolicyPropertiesArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays - 1)},
	}, b.child()...); err != nil {
		return err
	}
	files, err := storage.NewFileServiceProperties(b.ctx, b.name+"-file-service", &storage.FileServicePropertiesArgs{
		AccountName:                account.Name,
		ResourceGroupName:          b.rg.Name,
		FileServicesName:           pulumi.String("default"),
		ShareDeleteRetentionPolicy: storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
	}, b.child()...)
	if err != nil {
		return err
	}
	b.share, err = storage.NewFileShare(b.ctx, b.name+"-share", &storage.FileShareArgs{
		AccountName:       account.Name,
		ResourceGroupName: b.rg.Name,
		ShareName:         pulumi.String(tenantFileShareName),
		ShareQuota:        pulumi.Int(b.t.Storage.QuotaGB),
		EnabledProtocols:  pulumi.String("SMB"),
		AccessTier:        pulumi.String("TransactionOptimized"),
	}, b.data(pulumi.DependsOn([]pulumi.Resource{files}))...)
	if err != nil {
		return err
	}

	if err := b.privateEndpoint("blob", account.ID(), "blob"); err != nil {
		return err
	}
	if err := b.privateEndpoint("file", account.ID(), "file"); err != nil {
		return err
	}
	blobURI := pulumi.Sprintf("%s/blobServices/default", account.ID())
	fileURI := pulumi.Sprintf("%s/fileServices/default", account.ID())
	if err := b.diagnostics("blob-diag", blobURI, []string{"allLogs"}, []string{"Transaction"}); err != nil {
		return err
	}
	if err := b.diagnostics("file-diag", fileURI, []string{"allLogs"}, []string{"Transaction"}); err != nil {
		return err
	}
	if err := b.identityRole("storage-blob-contributor", "storage", account.ID(), roleStorageBlobDataContributor); err != nil {
		return err
	}
	if err := b.identityRole("storage-smb-contributor", "storage", account.ID(), roleStorageFileDataSMBContributor); err != nil {
		return err
	}
	return b.fileShareBackup()
}
