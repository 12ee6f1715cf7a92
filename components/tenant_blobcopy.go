// A tenant's blob copy: a second storage account of the tenant, in its region
// (so in its geography), that object replication keeps in step with the
// container the KPAX server keeps its blobs in, with its containers, the two
// halves of the replication policy, the copy's version retention, lock and
// private endpoint. Promise: every part of a tenant is backed up in its
// geography; the blobs survive losing their account.
//
// Why object replication and not Azure Backup's vaulted blob backup: the
// vaulted tier needs a Backup vault (Microsoft.DataProtection), whose
// azure-native module this machine's proxy does not serve, and the
// operational tier "doesn't maintain an additional copy of data in the vault"
// (learn.microsoft.com/azure/backup/blob-backup-configure-manage). Object
// replication is ARM-only (no data-plane path, no job, no key), copies
// continuously, which is at least daily, and copies every version of a blob
// (learn.microsoft.com/azure/storage/blobs/object-replication-overview,
// "How object replication works").

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// objectReplicationAllBlobs is the rule filter's minCreationTime that copies
// the blobs that exist when the rule is created too, not only new ones
// (learn.microsoft.com/azure/storage/blobs/object-replication-configure,
// "copy all"; the REST value azurerm documents as "Everything").
const objectReplicationAllBlobs = "1601-01-01T00:00:00Z"

// blobCopy builds the copy. What a delete or an overwrite on the tenant's
// account does to it (object-replication-overview, "Blob versioning"): an
// overwrite adds a version on both sides; a delete turns the current version
// into a previous one "and this state is replicated", every previous version
// preserved. So the copy keeps what the account lost, for the tenant's
// backup.retentionDays (its lifecycle rule below), even when the account
// itself is gone. Writes to the copy's container are refused while the
// policy exists (409), so nothing but the replication writes there; reads
// and deletes are allowed, so nobody gets a data role or a key on the copy:
// shared key access is off, and the tenant's identity has no role on it.
//
// No immutability policy on the copy: with a container- or version-level
// immutability policy in effect on the destination, replicating an update or
// a delete fails (object-replication-overview, "Immutable blobs"). The
// account's CanNotDelete lock, Pulumi's protect, soft delete and versioning
// guard it instead.
func (b *tenantBuilder) blobCopy() error {
	skuName, err := storageSkuName(b.t.Storage.Redundancy)
	if err != nil {
		return err
	}
	name := b.suffix.Result.ApplyT(func(s string) string { return blobCopyAccountName(b.t, s) }).(pulumi.StringOutput)
	// In the tenant's region: the copy stays in the geography (the stamp's
	// "allowed locations" guardrail holds it there too). Both accounts are
	// in one Entra tenant: with cross-tenant replication off, a policy
	// names them by their full resource IDs (object-replication-overview,
	// "Specify full resource IDs"). Whether object replication itself needs
	// the trusted-services bypass, which the copy shares with the tenant's
	// account, is not verified.
	args := b.accountArgs(name, skuName)
	args.AllowSharedKeyAccess = pulumi.Bool(false)
	copyAccount, err := storage.NewStorageAccount(b.ctx, b.name+"-blobcopy", args, b.data()...)
	if err != nil {
		return err
	}
	b.lock("blobcopy", "blobcopy-lock", copyAccount.ID(), "blob copy storage account")

	days := blobServiceDays(b.t.Backup.RetentionDays)
	copyBlobs, err := storage.NewBlobServiceProperties(b.ctx, b.name+"-blobcopy-service", &storage.BlobServicePropertiesArgs{
		AccountName:       copyAccount.Name,
		ResourceGroupName: b.rg.Name,
		BlobServicesName:  pulumi.String("default"),
		// Versioning on the destination is what object replication requires
		// (object-replication-overview, "Prerequisites").
		IsVersioningEnabled:            pulumi.Bool(true),
		DeleteRetentionPolicy:          storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(days)},
		ContainerDeleteRetentionPolicy: storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(days)},
		// The change feed makes the copy a possible replication source, the
		// way back after losing the tenant's account (docs/restore.md,
		// "Blobs: the copy").
		ChangeFeed: storage.ChangeFeedArgs{Enabled: pulumi.Bool(true), RetentionInDays: pulumi.Int(days)},
	}, b.child()...)
	if err != nil {
		return err
	}
	// The source and destination containers must exist before a rule names
	// them (object-replication-overview, "Replication rules").
	source, err := storage.NewBlobContainer(b.ctx, b.name+"-blob-container", &storage.BlobContainerArgs{
		AccountName:       b.account.Name,
		ResourceGroupName: b.rg.Name,
		ContainerName:     pulumi.String(tenantBlobContainerName),
		PublicAccess:      storage.PublicAccessNone,
	}, b.data(pulumi.DependsOn([]pulumi.Resource{b.blobs}))...)
	if err != nil {
		return err
	}
	dest, err := storage.NewBlobContainer(b.ctx, b.name+"-blobcopy-container", &storage.BlobContainerArgs{
		AccountName:       copyAccount.Name,
		ResourceGroupName: b.rg.Name,
		ContainerName:     pulumi.String(tenantBlobContainerName),
		PublicAccess:      storage.PublicAccessNone,
	}, b.data(pulumi.DependsOn([]pulumi.Resource{copyBlobs}))...)
	if err != nil {
		return err
	}
	// The policy goes to the destination first, as "default": Azure gives
	// it its policy ID and rule IDs, which the source's half must then
	// carry (REST ObjectReplicationPolicies_CreateOrUpdate,
	// objectReplicationPolicyId; example
	// StorageAccountCreateObjectReplicationPolicyOnDestination.json).
	// Unverified: azure-native builds a resource's ID from its path
	// parameters (provider/pkg/provider/crud/crud.go), so it records the
	// destination half as .../objectReplicationPolicies/default while Azure
	// names it by the generated ID; whether a refresh reads it back under
	// "default" is not known (docs/restore.md, "Blobs: the copy").
	rule := storage.ObjectReplicationPolicyRuleArgs{
		SourceContainer:      pulumi.String(tenantBlobContainerName),
		DestinationContainer: pulumi.String(tenantBlobContainerName),
		Filters:              storage.ObjectReplicationPolicyFilterArgs{MinCreationTime: pulumi.String(objectReplicationAllBlobs)},
	}
	onDest, err := storage.NewObjectReplicationPolicy(b.ctx, b.name+"-blobcopy-policy", &storage.ObjectReplicationPolicyArgs{
		AccountName:               copyAccount.Name,
		ResourceGroupName:         b.rg.Name,
		ObjectReplicationPolicyId: pulumi.String("default"),
		SourceAccount:             b.account.ID(),
		DestinationAccount:        copyAccount.ID(),
		Rules:                     storage.ObjectReplicationPolicyRuleArray{rule},
	}, b.child(pulumi.DependsOn([]pulumi.Resource{b.blobs, copyBlobs, source, dest}))...)
	if err != nil {
		return err
	}
	rule.RuleId = onDest.Rules.Index(pulumi.Int(0)).RuleId()
	onSource, err := storage.NewObjectReplicationPolicy(b.ctx, b.name+"-blob-replication", &storage.ObjectReplicationPolicyArgs{
		AccountName:               b.account.Name,
		ResourceGroupName:         b.rg.Name,
		ObjectReplicationPolicyId: onDest.PolicyId,
		SourceAccount:             b.account.ID(),
		DestinationAccount:        copyAccount.ID(),
		Rules:                     storage.ObjectReplicationPolicyRuleArray{rule},
	}, b.child()...)
	if err != nil {
		return err
	}
	// Versions are kept "until they are explicitly deleted"
	// (learn.microsoft.com/azure/storage/blobs/point-in-time-restore-overview,
	// retention note): this lifecycle rule is the copy's retention, the
	// tenant's backup.retentionDays for a version that is no longer current
	// (a deleted or overwritten blob).
	retention, err := storage.NewManagementPolicy(b.ctx, b.name+"-blobcopy-retention", &storage.ManagementPolicyArgs{
		AccountName:          copyAccount.Name,
		ResourceGroupName:    b.rg.Name,
		ManagementPolicyName: pulumi.String("default"),
		Policy: storage.ManagementPolicySchemaArgs{Rules: storage.ManagementPolicyRuleArray{
			storage.ManagementPolicyRuleArgs{
				Name:    pulumi.String("kpax-backup-retention"),
				Enabled: pulumi.Bool(true),
				Type:    pulumi.String("Lifecycle"),
				Definition: storage.ManagementPolicyDefinitionArgs{
					Actions: storage.ManagementPolicyActionArgs{
						Version: storage.ManagementPolicyVersionArgs{
							Delete: storage.DateAfterCreationArgs{DaysAfterCreationGreaterThan: pulumi.Float64(float64(b.t.Backup.RetentionDays))},
						},
					},
					Filters: storage.ManagementPolicyFilterArgs{
						BlobTypes:   pulumi.StringArray{pulumi.String("blockBlob")},
						PrefixMatch: pulumi.StringArray{pulumi.String(tenantBlobContainerName + "/")},
					},
				},
			},
		}},
	}, b.child()...)
	if err != nil {
		return err
	}
	pe, _, err := b.privateEndpointAs("blobcopy", "blob", copyAccount.ID(), "blob")
	if err != nil {
		return err
	}
	b.onScope("blobcopy", copyBlobs, dest, onDest, retention, pe)
	b.onScope("storage", source, onSource)
	return nil
}

// blobServiceDays is the soft-delete retention of a blob service: the
// tenant's backup retention within Azure's limits, and at least two days so
// that point-in-time restore (one day less) reaches back a day.
func blobServiceDays(retentionDays int) int {
	days := min(retentionDays, blobRetentionMaxDays)
	return max(days, 2)
}
