// Rules on data: private data services with TLS 1.2, complete tenants with
// daily backups, deletion safety.

package rules

import (
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

// dataService says where a data service keeps its name and its public
// network switch, and which YAML fields own it.
type dataService struct {
	nameKey     string
	publicKey   string
	tenantPaths []string
	regionPaths []string
}

var dataServices = map[string]dataService{
	typeSQLServer:      {"serverName", "publicNetworkAccess", nil, paths("database")},
	typeStorageAccount: {"accountName", "publicNetworkAccess", paths("storage"), nil},
	typeKeyVault:       {"vaultName", "properties.publicNetworkAccess", paths("name"), nil},
}

// checkDataServices: SQL servers, storage accounts and key vaults are closed
// to the public network, reached through a private endpoint, and speak TLS
// 1.2 or later (storage: HTTPS only, no anonymous blob access).
func checkDataServices(c *checker) {
	endpoints := privateLinkTargets(c.ofKind(typePrivateEndpoint))
	for _, r := range c.custom() {
		k := kind(r.Type)
		ds, ok := dataServices[k]
		if !ok {
			continue
		}
		report := func(format string, args ...any) { c.report(r, ds.tenantPaths, ds.regionPaths, format, args...) }
		if got := r.String(ds.publicKey); got != "Disabled" {
			report("%s must be Disabled (got %q)", ds.publicKey, got)
		}
		name := physicalName(r, ds.nameKey)
		if !endpoints.refersTo(r, name) {
			report("no private endpoint connects to %s %s", k[strings.LastIndexByte(k, ':')+1:], name)
		}
		switch k {
		case typeSQLServer:
			if got := r.String("minimalTlsVersion"); got != "1.2" && got != "1.3" {
				report("minimalTlsVersion must be \"1.2\" (got %q)", got)
			}
		case typeStorageAccount:
			if got := r.String("minimumTlsVersion"); got != "TLS1_2" && got != "TLS1_3" {
				report("minimumTlsVersion must be TLS1_2 (got %q)", got)
			}
			if !isTrue(r.Get("enableHttpsTrafficOnly")) {
				report("enableHttpsTrafficOnly must be true (got %v)", r.Get("enableHttpsTrafficOnly"))
			}
			if v, ok := r.Get("allowBlobPublicAccess").(bool); !ok || v {
				report("allowBlobPublicAccess must be false (got %v)", r.Get("allowBlobPublicAccess"))
			}
		}
	}
}

// privateLinkTargets indexes the resources the private endpoints connect to.
func privateLinkTargets(endpoints []*plan.Resource) refIndex {
	ix := newRefIndex()
	for _, pe := range endpoints {
		for _, key := range []string{"privateLinkServiceConnections", "manualPrivateLinkServiceConnections"} {
			for _, conn := range listOf(pe.Get(key)) {
				id, _ := conn["privateLinkServiceId"].(string)
				if props, ok := conn["properties"].(map[string]any); ok && id == "" {
					id, _ = props["privateLinkServiceId"].(string)
				}
				ix.add(id, pe)
			}
		}
	}
	return ix
}

// checkCompleteness: every active tenant of the stack has compute, a
// database, a storage account, a DNS record, and a daily backup of each
// stateful part (the file share in the vault, the database's PITR and
// long-term retention). VMs are not among them: they keep no data (the KPAX
// files are on the share), so a VM is rebuilt, never restored; a VM that
// carries a data disk breaks that promise and is reported.
func checkCompleteness(c *checker) {
	items := indexProtectedItems(c.ofKind(typeProtectedItem))
	shortTerm := byDatabase(c.ofKind(typeSQLShortTerm))
	longTerm := byDatabase(c.ofKind(typeSQLLongTerm))
	for _, t := range c.stampTenants() {
		if !t.Active() {
			continue
		}
		comp := c.p.Get(typeTenant, t.Name)
		if comp == nil {
			c.reportTenant(t, nil, paths("name"), "tenant %s is active but stack %s has no %s %s", t.Name, c.p.Stack, typeTenant, t.Name)
			continue
		}
		mine := map[string][]*plan.Resource{}
		for _, r := range c.p.Descendants(comp) {
			if r.Custom {
				mine[kind(r.Type)] = append(mine[kind(r.Type)], r)
			}
		}
		missing := func(p []string, what string) { c.reportTenant(t, comp, p, "active tenant %s has no %s", t.Name, what) }
		if len(mine[typeContainerApp])+len(mine[typeVM]) == 0 {
			missing(paths(string(t.Runtime), "runtime"), "compute (a ContainerApp or a VirtualMachine)")
		}
		if len(mine[typeSQLDatabase]) == 0 {
			missing(paths("database"), "sql Database")
		}
		if len(mine[typeStorageAccount]) == 0 {
			missing(paths("storage"), "StorageAccount")
		}
		if len(mine[typeRecordSet]) == 0 {
			missing(paths("dns.hostname", "dns"), "DNS RecordSet")
		}
		for _, share := range mine[typeFileShare] {
			if !c.dailyBackup(items, share, physicalName(share, "shareName"), share.String("accountName")) {
				c.reportTenant(t, share, paths("backup.dailyAt", "backup"), "file share %s has no daily backup (a ProtectedItem with a daily policy)", physicalName(share, "shareName"))
			}
		}
		for _, vm := range mine[typeVM] {
			if disks, _ := vm.Get("storageProfile.dataDisks").([]any); len(disks) > 0 {
				c.reportTenant(t, vm, paths("vm"), "VM %s has a data disk: VMs keep no data, the KPAX files belong on the tenant's backed-up file share", physicalName(vm, "vmName"))
			}
		}
		for _, db := range mine[typeSQLDatabase] {
			name := physicalName(db, "databaseName")
			if len(shortTerm[databaseKey(db.String("serverName"), name)]) == 0 {
				c.reportTenant(t, db, paths("database.backupRetentionDays", "database"), "database %s has no BackupShortTermRetentionPolicy (point-in-time restore)", name)
			}
			if len(longTerm[databaseKey(db.String("serverName"), name)]) == 0 {
				c.reportTenant(t, db, paths("database.longTermRetention", "database"), "database %s has no LongTermRetentionPolicy", name)
			}
		}
	}
}

// protectedItems indexes a stack's protected items by the source they back
// up, and by item name with the source's name (every tenant's share has the
// same item name, its share's name), so that each tenant's shares are looked
// up rather than compared with every item.
type protectedItems struct {
	bySource refIndex
	byName   map[string][]*plan.Resource
}

func indexProtectedItems(items []*plan.Resource) protectedItems {
	ix := protectedItems{bySource: newRefIndex(), byName: map[string][]*plan.Resource{}}
	for _, it := range items {
		src := strings.ToLower(it.String("properties.sourceResourceId"))
		ix.bySource.add(src, it)
		if i := strings.LastIndexByte(src, '/'); i >= 0 {
			k := itemKey(it.String("protectedItemName"), src[i+1:])
			ix.byName[k] = append(ix.byName[k], it)
		}
	}
	return ix
}

// dailyBackup reports whether a protected item backs up r on a daily
// schedule. A file share's item is named itemName and points at its storage
// account (source); an item without a name points at r itself.
func (c *checker) dailyBackup(items protectedItems, r *plan.Resource, itemName, source string) bool {
	var candidates []*plan.Resource
	if itemName != "" {
		candidates = items.byName[itemKey(itemName, strings.ToLower(source))]
	} else {
		candidates = items.bySource.lookup(r, source)
	}
	for _, it := range candidates {
		if c.dailyPolicy(it.String("properties.policyId")) {
			return true
		}
	}
	return false
}

// dailyPolicy reports whether the protection policy with this ID is in the
// plan and runs every day.
func (c *checker) dailyPolicy(id string) bool {
	for _, pol := range c.ofKind(typeProtectionPol) {
		if refersTo(id, pol, pol.String("policyName")) || refersTo(id, pol, pol.Name) {
			return strings.EqualFold(pol.String("properties.schedulePolicy.scheduleRunFrequency"), "Daily")
		}
	}
	return false
}

// byDatabase indexes a database's retention policies by server and
// database name.
func byDatabase(policies []*plan.Resource) map[string][]*plan.Resource {
	out := map[string][]*plan.Resource{}
	for _, p := range policies {
		k := databaseKey(p.String("serverName"), p.String("databaseName"))
		out[k] = append(out[k], p)
	}
	return out
}

func itemKey(itemName, sourceName string) string {
	return strings.ToLower(itemName) + "|" + sourceName
}

func databaseKey(server, database string) string { return server + "/" + database }

// dataKinds hold a tenant's data: the database, the storage account and its
// file share, the key vault and VM data disks. The paths name their fields.
var dataKinds = map[string][]string{
	typeSQLDatabase:    paths("database"),
	typeStorageAccount: paths("storage"),
	typeFileShare:      paths("storage.quotaGB", "storage"),
	typeKeyVault:       paths("name"),
	typeDisk:           paths("vm"),
	// The region's vault holds every tenant's recovery points.
	typeRecoveryVault: paths("backup"),
}

// nameKeys are the inputs that hold the Azure names of data resources and
// the scopes that contain them.
var nameKeys = map[string]string{
	typeSQLDatabase: "databaseName", typeSQLServer: "serverName", typeStorageAccount: "accountName",
	typeFileShare: "shareName", typeKeyVault: "vaultName", typeDisk: "diskName", typeRecoveryVault: "vaultName",
	typeResourceGroup: "resourceGroupName",
}

// checkDeletionSafety: every data resource is protected, retained on
// delete, and under a CanNotDelete lock on itself or on a scope that holds
// it (its storage account, server or resource group: locks are inherited).
func checkDeletionSafety(c *checker) {
	locks := lockedScopes(c.ofKind(typeLock))
	for _, r := range c.custom() {
		fields, ok := dataKinds[kind(r.Type)]
		if !ok {
			continue
		}
		if !r.Protect || !r.RetainOnDelete {
			c.report(r, fields, paths("name"), "a data resource must be registered with protect and retainOnDelete (protect=%v, retainOnDelete=%v)", r.Protect, r.RetainOnDelete)
		}
		if !c.locked(locks, r) {
			c.report(r, fields, paths("name"), "no ManagementLockByScope with level CanNotDelete has this resource (or its parent) as scope")
		}
	}
}

// lockedScopes indexes the scopes of the plan's CanNotDelete locks.
func lockedScopes(locks []*plan.Resource) refIndex {
	ix := newRefIndex()
	for _, l := range locks {
		if l.String("level") == "CanNotDelete" {
			ix.add(l.String("scope"), l)
		}
	}
	return ix
}

// locked reports whether a CanNotDelete lock covers r.
func (c *checker) locked(locks refIndex, r *plan.Resource) bool {
	covers := []*plan.Resource{r}
	var parentKey, parentKind string
	switch kind(r.Type) {
	case typeFileShare:
		parentKey, parentKind = "accountName", typeStorageAccount
	case typeSQLDatabase:
		parentKey, parentKind = "serverName", typeSQLServer
	}
	group := r.String("resourceGroupName")
	if parentKind != "" {
		for _, p := range c.named(parentKind, parentKey)[r.String(parentKey)] {
			if p.String("resourceGroupName") == group {
				covers = append(covers, p)
			}
		}
	}
	covers = append(covers, c.named(typeResourceGroup, "resourceGroupName")[group]...)
	for _, target := range covers {
		if locks.refersTo(target, physicalName(target, nameKeys[kind(target.Type)])) {
			return true
		}
	}
	return false
}
