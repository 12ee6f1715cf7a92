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
	endpoints := c.ofKind(typePrivateEndpoint)
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
		if !hasPrivateEndpoint(endpoints, r, name) {
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

// hasPrivateEndpoint reports whether a private endpoint's connection targets r.
func hasPrivateEndpoint(endpoints []*plan.Resource, r *plan.Resource, name string) bool {
	for _, pe := range endpoints {
		for _, key := range []string{"privateLinkServiceConnections", "manualPrivateLinkServiceConnections"} {
			for _, conn := range listOf(pe.Get(key)) {
				id, _ := conn["privateLinkServiceId"].(string)
				if props, ok := conn["properties"].(map[string]any); ok && id == "" {
					id, _ = props["privateLinkServiceId"].(string)
				}
				if refersTo(id, r, name) {
					return true
				}
			}
		}
	}
	return false
}

// checkCompleteness: every active tenant of the stack has compute, a
// database, a storage account, a DNS record, and a daily backup of each
// stateful part (file share and VMs in the vault, the database's PITR and
// long-term retention).
func checkCompleteness(c *checker) {
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
		items := c.ofKind(typeProtectedItem)
		for _, share := range mine[typeFileShare] {
			if !c.dailyBackup(items, share, "AzureFileShare;"+physicalName(share, "shareName"), share.String("accountName")) {
				c.reportTenant(t, share, paths("backup.dailyAt", "backup"), "file share %s has no daily backup (a ProtectedItem with a daily policy)", physicalName(share, "shareName"))
			}
		}
		for _, vm := range mine[typeVM] {
			name := physicalName(vm, "vmName")
			if !c.dailyBackup(items, vm, "", name) {
				c.reportTenant(t, vm, paths("backup.dailyAt", "backup"), "VM %s has no daily backup (a ProtectedItem with a daily policy)", name)
			}
		}
		for _, db := range mine[typeSQLDatabase] {
			name := physicalName(db, "databaseName")
			if !hasDatabasePolicy(c.ofKind(typeSQLShortTerm), db, name) {
				c.reportTenant(t, db, paths("database.backupRetentionDays", "database"), "database %s has no BackupShortTermRetentionPolicy (point-in-time restore)", name)
			}
			if !hasDatabasePolicy(c.ofKind(typeSQLLongTerm), db, name) {
				c.reportTenant(t, db, paths("database.longTermRetention", "database"), "database %s has no LongTermRetentionPolicy", name)
			}
		}
	}
}

// dailyBackup reports whether a protected item backs up r on a daily
// schedule. A file share's item is named itemName and points at its storage
// account (source); a VM's item points at the VM itself.
func (c *checker) dailyBackup(items []*plan.Resource, r *plan.Resource, itemName, source string) bool {
	for _, it := range items {
		src := it.String("properties.sourceResourceId")
		if itemName != "" {
			if !strings.EqualFold(it.String("protectedItemName"), itemName) || !strings.HasSuffix(strings.ToLower(src), "/"+strings.ToLower(source)) {
				continue
			}
		} else if !refersTo(src, r, source) {
			continue
		}
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

// hasDatabasePolicy reports whether one of policies applies to database db.
func hasDatabasePolicy(policies []*plan.Resource, db *plan.Resource, name string) bool {
	for _, p := range policies {
		if p.String("databaseName") == name && p.String("serverName") == db.String("serverName") {
			return true
		}
	}
	return false
}

// dataKinds hold a tenant's data: the database, the storage account and its
// file share, the key vault and VM data disks. The paths name their fields.
var dataKinds = map[string][]string{
	typeSQLDatabase:    paths("database"),
	typeStorageAccount: paths("storage"),
	typeFileShare:      paths("storage.quotaGB", "storage"),
	typeKeyVault:       paths("name"),
	typeDisk:           paths("vm.dataDiskGB", "vm"),
}

// nameKeys are the inputs that hold the Azure names of data resources and
// the scopes that contain them.
var nameKeys = map[string]string{
	typeSQLDatabase: "databaseName", typeSQLServer: "serverName", typeStorageAccount: "accountName",
	typeFileShare: "shareName", typeKeyVault: "vaultName", typeDisk: "diskName",
	"azure-native:resources:ResourceGroup": "resourceGroupName",
}

// checkDeletionSafety: every data resource is protected, retained on
// delete, and under a CanNotDelete lock on itself or on a scope that holds
// it (its storage account, server or resource group: locks are inherited).
func checkDeletionSafety(c *checker) {
	locks := c.ofKind(typeLock)
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

// locked reports whether a CanNotDelete lock covers r.
func (c *checker) locked(locks []*plan.Resource, r *plan.Resource) bool {
	covers := []*plan.Resource{r}
	var parentKey, parentKind string
	switch kind(r.Type) {
	case typeFileShare:
		parentKey, parentKind = "accountName", typeStorageAccount
	case typeSQLDatabase:
		parentKey, parentKind = "serverName", typeSQLServer
	}
	if parentKind != "" {
		for _, p := range c.ofKind(parentKind) {
			if physicalName(p, parentKey) == r.String(parentKey) && p.String("resourceGroupName") == r.String("resourceGroupName") {
				covers = append(covers, p)
			}
		}
	}
	for _, rg := range c.ofKind("azure-native:resources:ResourceGroup") {
		if physicalName(rg, "resourceGroupName") == r.String("resourceGroupName") {
			covers = append(covers, rg)
		}
	}
	for _, l := range locks {
		if l.String("level") != "CanNotDelete" {
			continue
		}
		scope := l.String("scope")
		for _, target := range covers {
			if refersTo(scope, target, physicalName(target, nameKeys[kind(target.Type)])) {
				return true
			}
		}
	}
	return false
}
