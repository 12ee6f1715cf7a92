// Per-stamp capacity: the Azure limits and quotas a stamp's tenants must fit,
// each with its source.

package spec

import (
	"fmt"
	"sort"
)

// Azure quotas that bind one subscription in one region, and so one stamp
// (a stamp is planned as if it had its subscription to itself: stamps that
// share a subscription share these). Each is the default quota; a support
// request raises some of them, and then the constant changes here.
const (
	// StorageAccountsPerRegion: storage accounts per region per
	// subscription (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#storage-limits).
	StorageAccountsPerRegion = 250
	// SQLServersPerRegion: Azure SQL logical servers per subscription per
	// region by default (https://learn.microsoft.com/azure/azure-sql/database/resource-limits-logical-server).
	SQLServersPerRegion = 20
	// DatabasesPerSQLServer: databases per logical server (same page).
	DatabasesPerSQLServer = 5000
	// StandardPublicIPsPerRegion: Standard public IP addresses per region
	// per subscription by default (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#publicip-address).
	StandardPublicIPsPerRegion = 10
	// ContainerAppsEnvironmentsPerRegion: Container Apps environments per
	// subscription per region (https://learn.microsoft.com/azure/container-apps/quotas).
	ContainerAppsEnvironmentsPerRegion = 15
	// RoleAssignmentsPerSubscription: Azure role assignments per
	// subscription (https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits).
	RoleAssignmentsPerSubscription = 4000
)

// What one stamp uses of those quotas, from what the components build.
const (
	// stampPublicIPs: the NAT gateway's, Bastion's and the gateway's.
	stampPublicIPs = 3
	// stampEnvironments: the one shared Container Apps environment.
	stampEnvironments = 1
	// stampRoleAssignments: the gateway identity's read of the certificate.
	// The pull identity's AcrPull counts in the registry's subscription.
	stampRoleAssignments = 1
	// tenantRoleAssignments is the most a tenant makes: blob and file data
	// and Key Vault secrets for its identity, and VM login for operators.
	tenantRoleAssignments = 4
)

// stampQuota is one quota and how much of it a stamp's tenants use.
type stampQuota struct {
	what  string
	limit int
	used  func(tenants []*Tenant) int
	fix   string
}

var stampQuotas = []stampQuota{
	{"storage accounts", StorageAccountsPerRegion, func(ts []*Tenant) int { return len(ts) }, "set stamp"},
	{"SQL logical servers", SQLServersPerRegion, distinctServers, "share an existing database.server, or set stamp"},
	{"Standard public IPs", StandardPublicIPsPerRegion, func([]*Tenant) int { return stampPublicIPs }, ""},
	{"Container Apps environments", ContainerAppsEnvironmentsPerRegion, func([]*Tenant) int { return stampEnvironments }, ""},
	{"role assignments", RoleAssignmentsPerSubscription, func(ts []*Tenant) int { return stampRoleAssignments + tenantRoleAssignments*len(ts) }, "set stamp"},
}

func distinctServers(ts []*Tenant) int {
	seen := map[int]bool{1: true} // the cluster always has server 1
	for _, t := range ts {
		seen[t.Database.Server] = true
	}
	return len(seen)
}

// checkStampQuotas reports, for each stamp of region r whose tenants would
// exceed a subscription quota, the first tenant (by file) that tips it over.
func (l *loader) checkStampQuotas(r *Region, ts []*Tenant) {
	stamps := byStamp(ts)
	keys := make([]int, 0, len(stamps))
	for k := range stamps {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, stamp := range keys {
		sts := stamps[stamp]
		for _, q := range stampQuotas {
			if q.used(sts) <= q.limit {
				continue
			}
			// The first prefix of tenants that no longer fits.
			n := sort.Search(len(sts), func(i int) bool { return q.used(sts[:i+1]) > q.limit })
			if n == len(sts) {
				n = 0
			}
			msg := fmt.Sprintf("stamp %d of region %s (stack %s) would need %d %s, more than the %d one subscription allows in a region",
				stamp, r.Name, StampStackName(r.Name, stamp), q.used(sts), q.what, q.limit)
			if q.fix != "" {
				msg += fmt.Sprintf(": %s: %d here (declare the stamp in %s)", q.fix, stamp+1, r.Source.File)
			}
			l.diags = append(l.diags, sts[n].Source.At("name", "%s", msg))
		}
	}
}
