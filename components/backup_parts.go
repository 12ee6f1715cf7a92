// What makes up a tenant, and for each part its backup, where the copy lives,
// how long it is kept and how it comes back: the one table that
// TestEveryTenantPartHasABackupRow holds against the plan and that renders
// the backup tables of README.md and docs/restore.md (go test ./components
// -update). Promise: every part of a tenant is backed up, daily, in its
// geography, or is re-derived by the program.

package components

import (
	"fmt"
	"strings"
)

// TenantPart is one part of a tenant and how it is backed up.
type TenantPart struct {
	// Part names it: data, files, blobs, secrets, settings, platform entries.
	Part string
	// Holds says what it holds and where it lives.
	Holds string
	// Types are the unversioned Pulumi types of the tenant's resources that
	// make it up: every type a tenant registers belongs to one part.
	Types []string
	// Backup is how it is copied, and how often.
	Backup string
	// Copy is where the copy lives (its geography).
	Copy string
	// Retention is how long the copy is kept.
	Retention string
	// Restore names the runbook section (docs/restore.md) that brings it back.
	Restore string
}

// TenantParts are a tenant's parts, in the order of the docs' table.
var TenantParts = []TenantPart{
	{
		Part:  "data",
		Holds: "the KPAX rows, and the settings users make in KPAX (database rows): `sqldb-<tenant>` on a shared server",
		Types: []string{"azure-native:sql:Database", "azure-native:sql:BackupShortTermRetentionPolicy", "azure-native:sql:LongTermRetentionPolicy",
			"azure-native:sql:TransparentDataEncryption", "azure-native:sql:ExtendedDatabaseBlobAuditingPolicy"},
		Backup:    "Azure SQL automated backups: full weekly, differential every 12 h, log every 5-10 min; long-term retention copies of the weekly full",
		Copy:      "the database's backup storage, zone-redundant (`requestedBackupStorageRedundancy: Zone`), in the region",
		Retention: "`database.backupRetentionDays` (1-35) for any point in time, also after a drop; `database.longTermRetention` weeks, months, years",
		Restore:   "Database: point-in-time restore; Database: dropped",
	},
	{
		Part:      "files",
		Holds:     "the KPAX files: the share `kpax` of the tenant's storage account, mounted by every replica or VM",
		Types:     []string{"azure-native:storage:FileServiceProperties", "azure-native:storage:FileShare", "azure-native:recoveryservices:ProtectionContainer", "azure-native:recoveryservices:ProtectedItem"},
		Backup:    "Azure Backup, daily at `backup.dailyAt`, vault-standard tier: each recovery point copied into the vault",
		Copy:      "the region's Recovery Services vault (zone-redundant, immutable, soft delete), outside the tenant's account",
		Retention: "`backup.retentionDays` in the vault; snapshots in the account 7 days; a deleted share `backup.retentionDays` (soft delete)",
		Restore:   "File share: restore",
	},
	{
		Part:  "blobs",
		Holds: "the KPAX objects: container `kpax` of the tenant's storage account `st<tenant><suffix>`",
		Types: []string{"azure-native:storage:StorageAccount", "azure-native:storage:BlobServiceProperties", "azure-native:storage:BlobContainer",
			"azure-native:storage:ObjectReplicationPolicy", "azure-native:storage:ManagementPolicy"},
		Backup:    "object replication, continuous, of every version to the tenant's second account `bk<tenant><suffix>`; in the account, versioning and point-in-time restore",
		Copy:      "the second account, in the tenant's region (ZRS, or GZRS whose secondary is the paired region of the same geography)",
		Retention: "a deleted or overwritten blob's versions `backup.retentionDays` in the copy; point-in-time restore one day less in the account",
		Restore:   "Blobs: point-in-time restore; Blobs: the copy",
	},
	{
		Part:      "secrets",
		Holds:     "the tenant's Key Vault: the app's signing key `kpax-secret-key`, a VM tenant's share key `storage-account-key`",
		Types:     []string{"azure-native:keyvault:Vault", "azure-native:keyvault:Secret", "random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"},
		Backup:    "none needed: every secret is re-derived by `pulumi up` (the secrets table below); the vault has soft delete and purge protection",
		Copy:      "the stack's Pulumi state (the signing key, encrypted), the storage account (its key)",
		Retention: "the state's history; a deleted vault or secret 90 days (soft delete)",
		Restore:   "Key Vault",
	},
	{
		Part:  "settings",
		Holds: "the tenant's YAML file, rendered into compute: the server's environment (`KPAX_*`), image, size, replicas; what users set in KPAX is data or files",
		Types: []string{"azure-native:app:ContainerApp", "azure-native:compute:VirtualMachineScaleSet", "azure-native:compute:VirtualMachine",
			"azure-native:compute:VirtualMachineExtension", "azure-native:network:NetworkInterface", "azure-native:maintenance:MaintenanceConfiguration",
			"azure-native:maintenance:ConfigurationAssignment", "azure-native:managedidentity:UserAssignedIdentity"},
		Backup:    "none needed: the program renders them from the YAML on every `pulumi up`; compute keeps no data and is rebuilt, never restored",
		Copy:      "the Git repository (the YAML), the stack's Pulumi state",
		Retention: "the repository's history",
		Restore:   "A whole tenant",
	},
	{
		Part:  "platform entries",
		Holds: "its resource group, DNS record, gateway listener, pool, rule and probe, environment storage `files-<tenant>`, private endpoints, role grants, locks, guardrails, diagnostics, alerts; its database user",
		Types: []string{"azure-native:resources:ResourceGroup", "azure-native:network:RecordSet", "azure-native:app:ManagedEnvironmentsStorage",
			"azure-native:network:PrivateEndpoint", "azure-native:network:PrivateDnsZoneGroup", "azure-native:authorization:RoleAssignment",
			"azure-native:authorization:ManagementLockByScope", "azure-native:authorization:PolicyAssignment", "time:index/sleep:Sleep",
			"azure-native:insights:DiagnosticSetting", "azure-native:insights:DataCollectionRuleAssociation", "azure-native:insights:MetricAlert",
			"azure-native:insights:WebTest"},
		Backup:    "none needed: `pulumi up` writes them again from the YAML (the gateway's entries with the cluster), the grant job the database user",
		Copy:      "the Git repository, the stack's Pulumi state",
		Retention: "the repository's history",
		Restore:   "A whole tenant",
	},
}

// TenantSecret is one secret a stack writes, and how it comes back.
type TenantSecret struct {
	// Name is the secret's name in its vault ("" for the region's
	// certificate, whose name is regions/<r>.yaml's tls.certificateName).
	Name string
	// Vault is whose vault holds it.
	Vault string
	// Source is what the program writes it from, and so how `pulumi up`
	// re-derives it.
	Source string
}

// Secrets are every secret the program writes; TestEverySecretIsRederived
// holds the plan to this list.
var Secrets = []TenantSecret{
	{secretAppKey, "tenant", "`random.RandomPassword` `<tenant>-app-key` in the stack's state: `pulumi up` writes the same value again"},
	{secretStorageKey, "tenant (VM tenants)", "the account's first key, read by `pulumi up` on every run (`listStorageAccountKeys`)"},
	{"", "platform (`tls.certificateName`)", "the stack's secret config `kpax-cloud:tlsCertificate` (encrypted in `Pulumi.prod-<r>.yaml`, in Git): `pulumi up` writes it again"},
}

// BackupTable renders TenantParts as the Markdown table of the docs.
func BackupTable() string {
	var b strings.Builder
	b.WriteString("| part | what it holds | backup | where the copy lives | kept | restore (docs/restore.md) |\n|---|---|---|---|---|---|\n")
	for _, p := range TenantParts {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", p.Part, p.Holds, p.Backup, p.Copy, p.Retention, quoteSections(p.Restore))
	}
	b.WriteString("\n| secret | vault | re-derived from |\n|---|---|---|\n")
	for _, s := range Secrets {
		name := "the region's wildcard certificate"
		if s.Name != "" {
			name = "`" + s.Name + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, s.Vault, s.Source)
	}
	return b.String()
}

// RestoreSections are the runbook sections a part's Restore names.
func (p TenantPart) RestoreSections() []string {
	var out []string
	for _, s := range strings.Split(p.Restore, ";") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

func quoteSections(restore string) string {
	var out []string
	for _, s := range strings.Split(restore, ";") {
		out = append(out, "\""+strings.TrimSpace(s)+"\"")
	}
	return strings.Join(out, ", ")
}
