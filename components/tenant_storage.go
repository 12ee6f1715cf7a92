// A tenant's own storage account (zone redundant, private, TLS 1.2), its blob
// and file services (soft delete, versioning, point-in-time restore), the SMB
// file share that holds the KPAX files of every replica or VM, and the key
// they mount it with. Promise: isolation and no data lost to a zone failure.

package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
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
	args := b.accountArgs(name, skuName)
	// Shared key access stays on, a deliberate exception to "prevent
	// shared key access" (MCSB; docs/published-rules.md). The KPAX files
	// live on an SMB share that both runtimes mount, and each way in needs
	// the key:
	//   - Azure Backup of a file share requires key access, for backup and
	//     restore alike (learn.microsoft.com/azure/backup/
	//     azure-file-share-support-matrix, "Allow storage account key
	//     access");
	//   - Container Apps mounts Azure Files with the account key only
	//     (learn.microsoft.com/azure/container-apps/storage-mounts);
	//   - identity-based SMB needs AD DS, Entra Domain Services or Entra
	//     Kerberos for hybrid identities, which a managed identity is not
	//     (learn.microsoft.com/azure/storage/files/
	//     storage-files-active-directory-overview).
	// What limits the key: public network access is off (it works from the
	// VNet only), it exists only as a Pulumi secret, in the environment's
	// storage definition and in the tenant's own vault, and blobs keep using
	// the identity (default to Entra).
	args.AllowSharedKeyAccess = pulumi.Bool(true)
	args.LargeFileSharesState = largeShares
	account, err := storage.NewStorageAccount(b.ctx, b.name+"-storage", args, b.data()...)
	if err != nil {
		return err
	}
	b.account = account
	b.lock("storage", "storage-lock", account.ID(), "storage account")

	// Soft delete keeps deleted blobs and containers for the backup
	// retention; point-in-time restore can go back one day less (Azure
	// requires restore days < delete retention days), and needs versioning
	// and the change feed.
	deleteDays := blobServiceDays(b.t.Backup.RetentionDays)
	blobs, err := storage.NewBlobServiceProperties(b.ctx, b.name+"-blob-service", &storage.BlobServicePropertiesArgs{
		AccountName:                    account.Name,
		ResourceGroupName:              b.rg.Name,
		BlobServicesName:               pulumi.String("default"),
		DeleteRetentionPolicy:          storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
		ContainerDeleteRetentionPolicy: storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
		IsVersioningEnabled:            pulumi.Bool(true),
		ChangeFeed:                     storage.ChangeFeedArgs{Enabled: pulumi.Bool(true), RetentionInDays: pulumi.Int(deleteDays)},
		RestorePolicy:                  storage.RestorePolicyPropertiesArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays - 1)},
	}, b.child()...)
	if err != nil {
		return err
	}
	b.blobs = blobs
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

	b.onScope("storage", blobs, files, b.share)
	blobPE, _, err := b.privateEndpoint("blob", account.ID(), "blob")
	if err != nil {
		return err
	}
	filePE, fileDNS, err := b.privateEndpoint("file", account.ID(), "file")
	if err != nil {
		return err
	}
	b.filesReachable = fileDNS
	blobURI := pulumi.Sprintf("%s/blobServices/default", account.ID())
	fileURI := pulumi.Sprintf("%s/fileServices/default", account.ID())
	blobDiag, err := b.diagnostics("blob-diag", blobURI, []string{"allLogs"}, []string{"Transaction"})
	if err != nil {
		return err
	}
	fileDiag, err := b.diagnostics("file-diag", fileURI, []string{"allLogs"}, []string{"Transaction"})
	if err != nil {
		return err
	}
	// The identity reads and writes blobs. It gets no file role: SMB data
	// roles only apply to identity-based SMB, which is not available here
	// (above); the share is mounted with the key.
	blobRole, err := b.identityRole("storage-blob-contributor", "storage", account.ID(), roleStorageBlobDataContributor)
	if err != nil {
		return err
	}
	b.onScope("storage", blobPE, filePE, blobDiag, fileDiag, blobRole)
	// The key is read on every run, so that a rotated key reaches the
	// mounts with the next `pulumi up` (docs/restore.md, "Storage key").
	keys := storage.ListStorageAccountKeysOutput(b.ctx, storage.ListStorageAccountKeysOutputArgs{
		AccountName:       account.Name,
		ResourceGroupName: b.rg.Name,
	})
	b.storageKey = pulumi.ToSecret(keys.Keys().Index(pulumi.Int(0)).Value()).(pulumi.StringOutput)
	if b.t.Runtime == spec.RuntimeVM {
		b.storageKeySecret, err = b.secret("storage-key-secret", secretStorageKey, b.storageKey)
		if err != nil {
			return err
		}
	}
	return nil
}

// accountArgs are the settings both of a tenant's storage accounts share
// (its own and the blob copy's): StorageV2 in the tenant's region with its
// redundancy, HTTPS and TLS 1.2 only, no anonymous blob access, Entra by
// default, no cross-tenant replication, and no public network: only
// private endpoints and Azure's trusted services (Azure Backup snapshots and
// restores the share through that bypass). Shared key access is each
// caller's decision.
func (b *tenantBuilder) accountArgs(name pulumi.StringInput, skuName string) *storage.StorageAccountArgs {
	return &storage.StorageAccountArgs{
		AccountName:                  name,
		ResourceGroupName:            b.rg.Name,
		Location:                     b.location,
		Kind:                         pulumi.String("StorageV2"),
		Sku:                          storage.SkuArgs{Name: pulumi.String(skuName)},
		AccessTier:                   storage.AccessTierHot,
		EnableHttpsTrafficOnly:       pulumi.Bool(true),
		MinimumTlsVersion:            pulumi.String("TLS1_2"),
		AllowBlobPublicAccess:        pulumi.Bool(false),
		DefaultToOAuthAuthentication: pulumi.Bool(true),
		AllowCrossTenantReplication:  pulumi.Bool(false),
		PublicNetworkAccess:          pulumi.String("Disabled"),
		NetworkRuleSet: storage.NetworkRuleSetArgs{
			DefaultAction: storage.DefaultActionDeny,
			Bypass:        pulumi.String("AzureServices"),
		},
		Tags: b.tags,
	}
}
