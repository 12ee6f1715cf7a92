// The backups section: each part's backup, its schedule and retention, and
// what protects the backups themselves.

package note

import (
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

func (f *facts) backups() []Statement {
	return []Statement{f.databaseBackup(), f.filesBackup(), f.blobsBackup(), f.secretsBackup(), f.settingsBackup(), f.vaultProtection()}
}

// databaseBackup: Azure SQL's automatic backups, their point-in-time window
// and the long-term retention of full backups
// (learn.microsoft.com/azure/azure-sql/database/long-term-retention-overview).
func (f *facts) databaseBackup() Statement {
	db := f.one(typeSQLDatabase, "", "")
	pitr := f.one(typeSQLShortTerm, "", "")
	if db == nil || pitr == nil {
		return Statement{Key: "backup.database.none", Promise: PromiseBackup, Gap: true}
	}
	args := Args{"db": name(db, "databaseName"), "days": num(pitr.Get("retentionDays")), "diffHours": num(pitr.Get("diffBackupIntervalInHours"))}
	if args["days"].(int) < 1 || args["diffHours"].(int) < 1 {
		return Statement{Key: "backup.database.none", Promise: PromiseBackup, Gap: true}
	}
	ltr := f.one(typeSQLLongTerm, "", "")
	if ltr == nil {
		return Statement{Key: "backup.database", Promise: PromiseBackup, Args: args}
	}
	// A retention of PT0S (or none) keeps no backup of that kind.
	var items []Statement
	for _, kept := range []struct{ key, path string }{
		{"item.ltr-weekly", "weeklyRetention"}, {"item.ltr-monthly", "monthlyRetention"}, {"item.ltr-yearly", "yearlyRetention"},
	} {
		if p := ltr.String(kept.path); p != "" && p != "PT0S" {
			items = append(items, Statement{Key: kept.key, Args: Args{"period": Period(p), "week": num(ltr.Get("weekOfYear"))}})
		}
	}
	if len(items) == 0 {
		return Statement{Key: "backup.database", Promise: PromiseBackup, Args: args}
	}
	return Statement{Key: "backup.database.ltr", Promise: PromiseBackup, Args: args, Items: items}
}

// filesBackup: the file share's protected item in the recovery vault, and
// its policy's daily schedule and retention.
func (f *facts) filesBackup() Statement {
	main, _ := f.accounts()
	share := ""
	if main != nil {
		share = f.one(typeFileShare, "accountName", main.String("accountName")).String("shareName")
	}
	var item = f.one(typeProtectedItem, "properties.protectedItemType", "AzureFileShareProtectedItem")
	if item == nil {
		return Statement{Key: "backup.files.none", Promise: PromiseBackup, Gap: true, Args: Args{"share": share}}
	}
	policy := f.ref(item.String("properties.policyId"))
	if policy == nil || policy.String("properties.schedulePolicy.scheduleRunFrequency") != "Daily" {
		return Statement{Key: "backup.files.not-daily", Promise: PromiseBackup, Gap: true, Args: Args{"share": share, "vault": item.String("vaultName")}}
	}
	at := ""
	if times := policy.Strings("properties.schedulePolicy.scheduleRunTimes"); len(times) > 0 {
		if i := strings.IndexByte(times[0], 'T'); i >= 0 && len(times[0]) >= i+6 {
			at = times[0][i+1 : i+6]
		}
	}
	days, ok := plan.BackupRetentionDays(policy.Inputs)
	if !ok || days < 1 || at == "" {
		return Statement{Key: "backup.files.not-daily", Promise: PromiseBackup, Gap: true, Args: Args{"share": share, "vault": item.String("vaultName")}}
	}
	return Statement{Key: "backup.files", Promise: PromiseBackup, Args: Args{
		"share": share, "vault": item.String("vaultName"), "time": at, "zone": policy.String("properties.timeZone"),
		"days": days, "snapshot": num(policy.Get("properties.vaultRetentionPolicy.snapshotRetentionInDays")),
	}}
}

// blobsBackup: versions and soft delete in the account, and object
// replication to the tenant's copy account with its own retention.
func (f *facts) blobsBackup() Statement {
	main, copy := f.accounts()
	if main == nil {
		return Statement{Key: "backup.blobs.none", Promise: PromiseBackup, Gap: true}
	}
	svc := f.one(typeBlobService, "accountName", main.String("accountName"))
	args := Args{"account": main.String("accountName")}
	if svc != nil {
		args["days"] = num(svc.Get("deleteRetentionPolicy.days"))
	}
	var repl = f.one(typeReplication, "accountName", main.String("accountName"))
	if svc == nil || svc.Get("isVersioningEnabled") != true || svc.Get("deleteRetentionPolicy.enabled") != true || num(svc.Get("deleteRetentionPolicy.days")) < 1 ||
		repl == nil || copy == nil {
		return Statement{Key: "backup.blobs.no-copy", Promise: PromiseBackup, Gap: true, Args: Args{"account": main.String("accountName")}}
	}
	args["copy"] = copy.String("accountName")
	for _, rule := range list(repl.Get("rules")) {
		args["container"] = rule["sourceContainer"]
	}
	copyDays := 0
	if lc := f.one(typeLifecycle, "accountName", copy.String("accountName")); lc != nil {
		for _, rule := range list(lc.Get("policy.rules")) {
			copyDays = num(lookup(rule, "definition.actions.version.delete.daysAfterCreationGreaterThan"))
		}
	}
	args["copyDays"] = copyDays
	if copyDays < 1 {
		// Without a rule the copy keeps every version for ever: a cost, not
		// a gap, but the note cannot state a retention it does not see.
		return Statement{Key: "backup.blobs.copy-unbounded", Promise: PromiseBackup, Args: args}
	}
	return Statement{Key: "backup.blobs", Promise: PromiseBackup, Args: args}
}

// secretsBackup: every secret is re-derived by a deployment; the vault's
// soft delete and purge protection keep a deleted one recoverable.
func (f *facts) secretsBackup() Statement {
	kv := f.one(typeKeyVault, "", "")
	if kv == nil || kv.Get("properties.enablePurgeProtection") != true || kv.Get("properties.enableSoftDelete") == false || num(kv.Get("properties.softDeleteRetentionInDays")) < 7 {
		return Statement{Key: "backup.secrets.unprotected", Promise: PromiseBackup, Gap: true, Args: Args{"vault": name(kv, "vaultName")}}
	}
	return Statement{Key: "backup.secrets", Promise: PromiseBackup, Args: Args{"vault": kv.String("vaultName"), "days": num(kv.Get("properties.softDeleteRetentionInDays"))}}
}

// settingsBackup: what users set in KPAX is in the database and files (backed
// up above); the space's own configuration is its file in the repository.
func (f *facts) settingsBackup() Statement {
	return Statement{Key: "backup.settings", Promise: PromiseBackup, Args: Args{"file": f.t.Source.File}}
}

// vaultProtection: the recovery vault's soft delete and immutability
// (learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept:
// Unlocked can be turned off, Locked cannot), and the data resources' locks.
func (f *facts) vaultProtection() Statement {
	v := f.vault()
	if v == nil {
		return Statement{Key: "backup.vault.none", Promise: PromiseBackup, Gap: true}
	}
	locked := 0
	for _, l := range f.mine[typeLock] {
		if l.String("level") == "CanNotDelete" {
			locked++
		}
	}
	immutability := v.String("properties.securitySettings.immutabilitySettings.state")
	if immutability == "" {
		immutability = "Disabled"
	}
	softDelete := v.String("properties.securitySettings.softDeleteSettings.softDeleteState")
	if softDelete != "AlwaysON" && softDelete != "Enabled" {
		return Statement{Key: "backup.vault.soft-delete-off", Promise: PromiseBackup, Gap: true, Args: Args{"vault": v.String("vaultName")}}
	}
	return Statement{Key: "backup.vault", Promise: PromiseBackup, Args: Args{
		"vault": v.String("vaultName"), "softDelete": Term("softdelete." + v.String("properties.securitySettings.softDeleteSettings.softDeleteState")),
		"softDays":     num(v.Get("properties.securitySettings.softDeleteSettings.softDeleteRetentionPeriodInDays")),
		"immutability": Term("immutability." + immutability), "locks": locked,
	}}
}
