// The architecture section: the space's dedicated resources, its URL and
// the zones each part runs in.

package note

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/rules"
	"github.com/kpax/kpax-cloud/spec"
)

func (f *facts) architecture() []Statement {
	var out []Statement
	out = append(out, f.compute()...)
	out = append(out, f.database(), f.storage(), f.keyVault(), f.url())
	return append(out, f.zones()...)
}

func (f *facts) compute() []Statement {
	if f.t.State == spec.StateSuspended {
		return []Statement{{Key: "compute.suspended", Promise: PromiseDedicated}}
	}
	if app := f.one(typeContainerApp, "", ""); app != nil {
		env := f.ref(app.String("environmentId"))
		profile := app.String("workloadProfileName")
		args := Args{
			"app": name(app, "containerAppName"), "env": name(env, "environmentName"), "profile": profile,
			"replicas": num(app.Get("template.scale.minReplicas")),
			"cpu":      fmt.Sprint(app.Get("template.containers.0.resources.cpu")),
			"memory":   app.String("template.containers.0.resources.memory"),
		}
		var wpType string
		if env != nil {
			for _, wp := range list(env.Get("workloadProfiles")) {
				if wp["name"] == profile {
					wpType, _ = wp["workloadProfileType"].(string)
					args["nodes"] = num(wp["minimumCount"])
				}
			}
		}
		args["type"] = wpType
		// Another tenant's app in the same environment, or the Consumption
		// profile, shares compute: the note cannot say it is dedicated.
		var sharers []string
		for _, other := range f.byKind[typeContainerApp] {
			if other != app && env != nil && strings.EqualFold(other.String("environmentId"), env.ID) {
				sharers = append(sharers, name(other, "containerAppName"))
			}
		}
		if env == nil || wpType == "" || wpType == "Consumption" || len(sharers) > 0 {
			args["others"] = slices.Sorted(slices.Values(sharers))
			return []Statement{{Key: "compute.container.shared", Args: args, Promise: PromiseDedicated, Gap: true}}
		}
		return []Statement{{Key: "compute.container", Args: args, Promise: PromiseDedicated}}
	}
	vms := f.mine[typeVM]
	if len(vms) == 0 {
		return []Statement{{Key: "compute.none", Promise: PromiseDedicated, Gap: true}}
	}
	var names []string
	sizes := map[string]bool{}
	for _, vm := range vms {
		names = append(names, name(vm, "vmName"))
		sizes[vm.String("hardwareProfile.vmSize")] = true
	}
	return []Statement{{Key: "compute.vm", Promise: PromiseDedicated, Args: Args{
		"count": len(vms), "size": slices.Sorted(maps.Keys(sizes)), "vms": names,
		"vmss": name(f.one(typeVMSS, "", ""), "vmScaleSetName"),
	}}}
}

func (f *facts) database() Statement {
	db := f.one(typeSQLDatabase, "", "")
	if db == nil {
		return Statement{Key: "database.none", Promise: PromiseDedicated, Gap: true}
	}
	args := Args{
		"db": name(db, "databaseName"), "sku": db.String("sku.name"), "tier": db.String("sku.tier"),
		"vcores": num(db.Get("sku.capacity")), "sizeGB": bytesToGB(db.Get("maxSizeBytes")),
		"server": db.String("serverName"),
	}
	// A database in an elastic pool shares the pool's compute
	// (learn.microsoft.com/azure/azure-sql/database/elastic-pool-overview).
	if db.String("elasticPoolId") != "" {
		return Statement{Key: "database.pooled", Args: args, Promise: PromiseDedicated, Gap: true}
	}
	// Entra-only is read from the server's azureADOnlyAuthentications
	// child, which the program keeps: the server's own property is read by
	// ARM at creation only.
	for _, only := range f.byKind[typeSQLEntraOnly] {
		if only.String("serverName") == db.String("serverName") && only.Get("azureADOnlyAuthentication") == true {
			return Statement{Key: "database", Args: args, Promise: PromiseDedicated}
		}
	}
	return Statement{Key: "database.sqlauth", Args: args, Promise: PromiseControls, Gap: true}
}

// serverOf is the logical server a database is on.
func (f *facts) serverOf(db *plan.Resource) *plan.Resource {
	for _, s := range f.byKind[typeSQLServer] {
		if s.String("serverName") == db.String("serverName") {
			return s
		}
	}
	return nil
}

// accounts are the tenant's storage accounts: the main one, then its copy.
func (f *facts) accounts() (main, copy *plan.Resource) {
	for _, a := range f.mine[typeStorage] {
		if f.one(typeFileShare, "accountName", a.String("accountName")) != nil {
			main = a
		} else {
			copy = a
		}
	}
	return main, copy
}

func (f *facts) storage() Statement {
	main, copy := f.accounts()
	if main == nil {
		return Statement{Key: "storage.none", Promise: PromiseDedicated, Gap: true}
	}
	share := f.one(typeFileShare, "accountName", main.String("accountName"))
	return Statement{Key: "storage", Promise: PromiseDedicated, Args: Args{
		"account": main.String("accountName"), "share": share.String("shareName"), "quotaGB": num(share.Get("shareQuota")),
		"copy": name(copy, "accountName"),
	}}
}

func (f *facts) keyVault() Statement {
	kv := f.one(typeKeyVault, "", "")
	if kv == nil {
		return Statement{Key: "keyvault.none", Promise: PromiseDedicated, Gap: true}
	}
	return Statement{Key: "keyvault", Promise: PromiseDedicated, Args: Args{"vault": kv.String("vaultName")}}
}

func (f *facts) url() Statement {
	rec := f.one(typeRecordSet, "recordType", "A")
	if rec == nil {
		return Statement{Key: "url.none", Promise: PromiseURL, Gap: true}
	}
	zone := rec.String("zoneName")
	args := Args{"url": "https://" + rec.String("relativeRecordSetName") + "." + zone, "zone": zone}
	for _, d := range f.byKind[typeDNSSEC] {
		if d.String("zoneName") == zone {
			return Statement{Key: "url.signed", Promise: PromiseURL, Args: args}
		}
	}
	return Statement{Key: "url", Promise: PromiseURL, Args: args}
}

// zones: where compute, database and storage run, and what a zone's loss
// leaves (kpax check's zone-failure model, rules.ZoneLoss).
func (f *facts) zones() []Statement {
	all := f.region.Zones
	var out []Statement
	if f.t.State == spec.StateSuspended {
		// A suspended space runs nothing: no compute to place in zones.
	} else if app := f.one(typeContainerApp, "", ""); app != nil {
		env := f.ref(app.String("environmentId"))
		args := Args{"env": name(env, "environmentName"), "count": len(all), "location": f.region.Location, "replicas": num(app.Get("template.scale.minReplicas"))}
		// A zone-redundant environment spreads replicas over the zones, from
		// two replicas on (learn.microsoft.com/azure/reliability/reliability-container-apps:
		// "minimum replica count to at least two").
		switch {
		case env != nil && env.Get("zoneRedundant") == true && num(app.Get("template.scale.minReplicas")) >= 2:
			out = append(out, Statement{Key: "zones.container", Args: args, Promise: PromiseZones})
		case env != nil && env.Get("zoneRedundant") == true:
			out = append(out, Statement{Key: "zones.container.one-replica", Args: args, Promise: PromiseZones, Gap: true})
		default:
			out = append(out, Statement{Key: "zones.container.single", Args: args, Promise: PromiseZones, Gap: true})
		}
	} else if vms := f.mine[typeVM]; len(vms) > 0 {
		var placed []Statement
		used := map[string]bool{}
		for _, vm := range vms {
			z := vm.Strings("zones")
			for _, one := range z {
				used[one] = true
			}
			placed = append(placed, Statement{Key: "item.vm-zone", Args: Args{"vm": name(vm, "vmName"), "zones": z}})
		}
		// Two zones are enough for the promise: the space keeps a VM when
		// either fails (design.md: instances >= 2, spread over zones); its
		// data spans all three.
		key, gap := "zones.vm", false
		if len(used) < 2 {
			key, gap = "zones.vm.single", true
		}
		out = append(out, Statement{Key: key, Args: Args{"zones": slices.Sorted(maps.Keys(used)), "count": len(used)}, Items: placed, Promise: PromiseZones, Gap: gap})
	}
	if db := f.one(typeSQLDatabase, "", ""); db != nil {
		args := Args{"db": name(db, "databaseName"), "count": len(all), "location": f.region.Location}
		if db.Get("zoneRedundant") == true {
			out = append(out, Statement{Key: "zones.database", Args: args, Promise: PromiseZones})
		} else {
			out = append(out, Statement{Key: "zones.database.single", Args: args, Promise: PromiseZones, Gap: true})
		}
	}
	for _, a := range f.mine[typeStorage] {
		sku := a.String("sku.name")
		args := Args{"account": a.String("accountName"), "sku": sku, "count": len(all), "location": f.region.Location}
		if zoneRedundantSKU(sku) {
			out = append(out, Statement{Key: "zones.storage", Args: args, Promise: PromiseZones})
		} else {
			out = append(out, Statement{Key: "zones.storage.single", Args: args, Promise: PromiseZones, Gap: true})
		}
	}
	var lost []Statement
	for _, z := range all {
		survivals, err := rules.ZoneLoss(f.in.Plan, f.in.Project, f.region.Name, z)
		if err != nil {
			continue
		}
		for _, s := range survivals {
			if s.Tenant != f.t.Name || len(s.Broken) == 0 {
				continue
			}
			var parts []Term
			for _, p := range rules.Parts {
				if s.Broken[p] != "" {
					parts = append(parts, Term("part."+p))
				}
			}
			lost = append(lost, Statement{Key: "item.zone-lost", Args: Args{"zone": z, "parts": parts}})
		}
	}
	if len(lost) > 0 {
		return append(out, Statement{Key: "zones.loss", Items: lost, Promise: PromiseZones, Gap: true})
	}
	var parts []Term
	for _, p := range rules.Parts {
		// A suspended space runs nothing: it keeps no compute to lose.
		if p == rules.PartCompute && f.t.State == spec.StateSuspended {
			continue
		}
		parts = append(parts, Term("part."+p))
	}
	return append(out, Statement{Key: "zones.survive", Args: Args{"zones": all, "parts": parts}, Promise: PromiseZones})
}

// zoneRedundantSKU: ZRS, GZRS and RA-GZRS keep every write in three zones
// (learn.microsoft.com/azure/storage/common/storage-redundancy).
func zoneRedundantSKU(sku string) bool {
	r := storageRedundancy(sku)
	return r == "zone" || r == "geozone"
}
