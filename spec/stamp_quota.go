// Per-stamp capacity: the Azure limits and quotas a stamp's tenants must fit,
// each with its source.

package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
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
	// subscription per region, 15 by default and raised on request with no
	// documented maximum (https://learn.microsoft.com/azure/container-apps/quotas).
	// Each container tenant has one: this is the limit that binds first
	// at a stamp of container tenants (quotas.containerAppsEnvironments
	// holds a raised value).
	ContainerAppsEnvironmentsPerRegion = 15
	// RoleAssignmentsPerSubscription: Azure role assignments per
	// subscription (https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits:
	// a fixed 4,000 before 2026, 5,000 since; the lower one is kept).
	RoleAssignmentsPerSubscription = 4000
	// GatewayListeners and GatewayBackendPools: what one Application
	// Gateway v2 holds (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits:
	// 100 active HTTP listeners, 100 backend address pools). A tenant with
	// compute takes one of each.
	GatewayListeners    = 100
	GatewayBackendPools = 100
	// StorageAccountsPerVault: storage accounts one Recovery Services vault
	// protects Azure file shares of
	// (https://learn.microsoft.com/azure/backup/azure-file-share-support-matrix).
	StorageAccountsPerVault = 200
)

// What one stamp uses of those quotas, from what the components build.
const (
	// stampPublicIPs: the egress load balancer's, Bastion's and the
	// gateway's.
	stampPublicIPs = 3
	// stampEnvironments: the operators' jobs environment
	// (components/cluster_ops.go); each container tenant adds its own.
	stampEnvironments = 1
	// tenantStorageAccounts: a tenant's own account and the account that
	// holds the copy of its blobs (components/tenant_blobcopy.go). Only the
	// first is registered with the Recovery Services vault.
	tenantStorageAccounts = 2
	// stampRoleAssignments: the gateway identity's read of the certificate.
	// The pull identity's AcrPull counts in the registry's subscription.
	stampRoleAssignments = 1
	// tenantRoleAssignments is the most a tenant makes: blob data and Key
	// Vault secrets for its identity, VM login and Reader for operators.
	tenantRoleAssignments = 4
	// gatewayPlatformListeners and gatewayPlatformPools are the gateway's
	// own: the HTTP redirect and the HTTPS catch-all, and the catch-all's
	// empty pool.
	gatewayPlatformListeners = 2
	gatewayPlatformPools     = 1
)

// stampQuota is one quota and how much of it a stamp's tenants use. A quota
// whose limit comes from the region file (regionLimit) is the one its
// subscription has.
type stampQuota struct {
	what        string
	limit       int
	regionLimit func(r *Region) int
	used        func(tenants []*Tenant) int
	// usedIn replaces used where the count depends on the region (its
	// zones size the tenants' Dedicated profiles).
	usedIn func(r *Region, tenants []*Tenant) int
	of     string // what holds the limit, for the message
	fix    string
}

// withCompute counts the tenants that run (active or suspended): each has
// its route on the gateway.
func withCompute(ts []*Tenant) int {
	n := 0
	for _, t := range ts {
		if t.HasCompute() {
			n++
		}
	}
	return n
}

// environments counts the stamp's Container Apps environments: the
// operators' and one per container tenant with compute.
func environments(ts []*Tenant) int {
	n := stampEnvironments
	for _, t := range ts {
		if t.Runtime == RuntimeContainer && t.Container != nil && t.HasCompute() {
			n++
		}
	}
	return n
}

// dedicatedCores are the vCPUs of the Dedicated nodes the stamp's
// container tenants keep at their floor, which the subscription's Dedicated
// core quota must hold (scaling out above the floor waits for free cores).
// A tenant whose profile cannot be sized is reported by its own validation.
func dedicatedCores(zones int) func(ts []*Tenant) int {
	return func(ts []*Tenant) int {
		cores := 0
		for _, t := range ts {
			if t.Runtime == RuntimeContainer && t.Container != nil && t.HasCompute() {
				if p, err := ProfileFor(t, zones); err == nil {
					cores += p.Cores()
				}
			}
		}
		return cores
	}
}

// vmSizeParts reads a size like Standard_D4s_v5: its family (the quota's
// unit, "D*s_v5") and its vCPUs.
var vmSizeParts = regexp.MustCompile(`^Standard_([A-Z]+)(\d+)([a-z]*)(_v\d+)?$`)

// vmCoresByFamily are the vCPUs the stamp's running VMs take per family.
func vmCoresByFamily(ts []*Tenant) map[string]int {
	out := map[string]int{}
	for _, t := range ts {
		if !t.Active() || t.Runtime != RuntimeVM || t.VM == nil {
			continue
		}
		m := vmSizeParts.FindStringSubmatch(t.VM.Size)
		if m == nil {
			continue
		}
		cpus, _ := strconv.Atoi(m[2])
		out[m[1]+"*"+m[3]+m[4]] += cpus * t.VM.Instances
	}
	return out
}

// maxFamilyCores is the busiest family's vCPUs.
func maxFamilyCores(ts []*Tenant) int {
	most := 0
	for _, n := range vmCoresByFamily(ts) {
		most = max(most, n)
	}
	return most
}

// inSubscription is what holds a subscription quota.
const inSubscription = "one subscription allows in a region"

var stampQuotas = []stampQuota{
	{"storage accounts", StorageAccountsPerRegion, nil, func(ts []*Tenant) int { return tenantStorageAccounts * len(ts) }, nil, inSubscription, "set stamp"},
	{"SQL logical servers", SQLServersPerRegion, nil, distinctServers, nil, inSubscription, "share an existing database.server, or set stamp"},
	{"Standard public IPs", StandardPublicIPsPerRegion, nil, func([]*Tenant) int { return stampPublicIPs }, nil, inSubscription, ""},
	{"Container Apps environments (quotas.containerAppsEnvironments)", 0, func(r *Region) int { return r.Quotas.ContainerAppsEnvironments }, environments, nil, inSubscription,
		"raise quotas.containerAppsEnvironments once Azure has raised the subscription's quota, or set stamp"},
	{"role assignments", RoleAssignmentsPerSubscription, nil, func(ts []*Tenant) int { return stampRoleAssignments + tenantRoleAssignments*len(ts) }, nil, inSubscription, "set stamp"},
	{"gateway HTTP listeners", GatewayListeners, nil, func(ts []*Tenant) int { return gatewayPlatformListeners + withCompute(ts) }, nil, "one Application Gateway holds", "set stamp"},
	{"gateway backend pools", GatewayBackendPools, nil, func(ts []*Tenant) int { return gatewayPlatformPools + withCompute(ts) }, nil, "one Application Gateway holds", "set stamp"},
	{"storage accounts in the Recovery Services vault", StorageAccountsPerVault, nil, func(ts []*Tenant) int { return len(ts) }, nil, "one vault protects", "set stamp"},
	{"Container Apps Dedicated cores (quotas.containerAppsCores)", 0, func(r *Region) int { return r.Quotas.ContainerAppsCores }, nil,
		func(r *Region, ts []*Tenant) int { return dedicatedCores(len(r.Zones))(ts) }, "the region's subscription has",
		"raise quotas.containerAppsCores once Azure has raised the subscription's Dedicated core quota, or set stamp"},
	{"vCPUs of one VM family (quotas.vmCoresPerFamily)", 0, func(r *Region) int { return r.Quotas.VMCoresPerFamily }, maxFamilyCores, nil, "the region's subscription has",
		"raise quotas.vmCoresPerFamily once Azure has raised the family's quota, or set stamp"},
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
		type exceeded struct {
			q           stampQuota
			limit, used int
			first       int // the first tenant (by file) that no longer fits
		}
		var over []exceeded
		for _, q := range stampQuotas {
			limit := q.limit
			if q.regionLimit != nil {
				limit = q.regionLimit(r)
			}
			used := func(ts []*Tenant) int {
				if q.usedIn != nil {
					return q.usedIn(r, ts)
				}
				return q.used(ts)
			}
			if used(sts) <= limit {
				continue
			}
			// The first prefix of tenants that no longer fits.
			n := sort.Search(len(sts), func(i int) bool { return used(sts[:i+1]) > limit })
			if n == len(sts) {
				n = 0
			}
			over = append(over, exceeded{q, limit, used(sts), n})
		}
		// The quota the fewest tenants exceed binds first: it is the one to
		// raise (or the reason for a new stamp) before any other matters.
		sort.SliceStable(over, func(i, j int) bool { return over[i].first < over[j].first })
		for i, e := range over {
			msg := fmt.Sprintf("stamp %d of region %s (stack %s) would need %d %s, more than the %d %s",
				stamp, r.Name, StampStackName(r.Name, stamp), e.used, e.q.what, e.limit, e.q.of)
			if e.q.fix != "" {
				msg += fmt.Sprintf(": %s: %d here (declare the stamp in %s)", e.q.fix, stamp+1, r.Source.File)
			}
			if i == 0 && len(over) > 1 {
				msg += fmt.Sprintf("; of the %d limits this stamp exceeds, this one binds first", len(over))
			}
			l.diags = append(l.diags, sts[e.first].Source.At("name", "%s", msg))
		}
	}
}
