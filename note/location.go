// The location section: where the space runs, and where each copy of its
// data is kept.

package note

import (
	"slices"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func (f *facts) location() []Statement {
	loc, paired := f.region.Location, f.region.PairedLocation
	out := []Statement{{Key: "location.region", Promise: PromiseLocation, Args: Args{
		"location": loc, "paired": paired, "geography": Term("geography." + spec.Geography(f.region.Name)),
	}}}
	count := 0
	var outside []string
	for _, rs := range f.mine {
		for _, r := range rs {
			l := r.String("location")
			if l == "" || l == "global" {
				continue
			}
			count++
			if !strings.EqualFold(l, loc) {
				outside = append(outside, name(r, "name")+" ("+l+")")
			}
		}
	}
	if len(outside) > 0 {
		out = append(out, Statement{Key: "location.outside", Promise: PromiseLocation, Gap: true, Args: Args{"location": loc, "resources": slices.Sorted(slices.Values(outside))}})
	} else {
		out = append(out, Statement{Key: "location.all", Promise: PromiseLocation, Args: Args{"location": loc, "count": count}})
	}
	return append(out, f.copies(loc, paired))
}

// copies says where each copy of the data is: the redundancy of the
// database's backups, the recovery vault and the storage accounts.
func (f *facts) copies(loc, paired string) Statement {
	var items []Statement
	where := func(redundancy string) Args {
		return Args{"location": loc, "paired": paired, "where": Term("redundancy." + redundancy)}
	}
	if db := f.one(typeSQLDatabase, "", ""); db != nil {
		a := where(sqlBackupRedundancy(db.String("requestedBackupStorageRedundancy")))
		a["db"] = name(db, "databaseName")
		items = append(items, Statement{Key: "item.copy-database", Args: a})
	}
	if v := f.vault(); v != nil {
		a := where(vaultRedundancy(v.String("properties.redundancySettings.standardTierStorageRedundancy")))
		a["vault"] = v.String("vaultName")
		items = append(items, Statement{Key: "item.copy-vault", Args: a})
	}
	for _, acc := range f.mine[typeStorage] {
		sku := acc.String("sku.name")
		a := where(storageRedundancy(sku))
		a["account"], a["sku"] = acc.String("accountName"), sku
		items = append(items, Statement{Key: "item.copy-storage", Args: a})
	}
	geo := false
	for _, it := range items {
		if strings.HasPrefix(string(it.Args["where"].(Term)), "redundancy.geo") {
			geo = true
		}
	}
	key := "location.copies"
	if geo {
		key = "location.copies.paired"
	}
	return Statement{Key: key, Promise: PromiseLocation, Items: items, Args: Args{"location": loc, "paired": paired}}
}

// vault is the recovery vault the tenant's file share is backed up to (the
// region's, named by the protected item).
func (f *facts) vault() *plan.Resource {
	name := ""
	if item := f.one(typeProtectedItem, "", ""); item != nil {
		name = item.String("vaultName")
	}
	for _, v := range f.byKind[typeRecoveryVault] {
		if name == "" || v.String("vaultName") == name {
			return v
		}
	}
	return nil
}

// The redundancy words of each service, as one key: local (one
// datacenter), zone (three zones of the location), geo (and the pair),
// geozone (three zones, and the pair). Sources: Learn
// azure-sql/database/automated-backups-overview (backup storage
// redundancy), backup/backup-create-recovery-services-vault and
// storage/common/storage-redundancy.
func sqlBackupRedundancy(v string) string {
	switch v {
	case "Zone":
		return "zone"
	case "Geo":
		return "geo"
	case "GeoZone":
		return "geozone"
	}
	return "local"
}

func vaultRedundancy(v string) string {
	switch v {
	case "ZoneRedundant":
		return "zone"
	case "GeoRedundant":
		return "geo"
	}
	return "local"
}

func storageRedundancy(sku string) string {
	switch sku[strings.LastIndexByte(sku, '_')+1:] {
	case "ZRS":
		return "zone"
	case "GRS", "RAGRS":
		return "geo"
	case "GZRS", "RAGZRS":
		return "geozone"
	}
	return "local"
}
