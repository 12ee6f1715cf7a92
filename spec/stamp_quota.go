// Per-stamp capacity: the Azure limits and quotas a stamp's tenants must fit,
// each with its source.

package spec

import (
	"fmt"
	"math"
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
	// subscription per region (https://learn.microsoft.com/azure/container-apps/quotas).
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
	// stampPublicIPs: the NAT gateway's, Bastion's and the gateway's.
	stampPublicIPs = 3
	// stampEnvironments: the tenants' shared Container Apps environment and
	// the operators' jobs environment (components/cluster_ops.go).
	stampEnvironments = 2
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
	of          string // what holds the limit, for the message
	fix         string
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

// containerCores are the cores the stamp's container apps run at their
// floor, which their environment's quota must hold (scaling out above the
// floor waits for free cores).
func containerCores(ts []*Tenant) int {
	var cores float64
	for _, t := range ts {
		if t.Active() && t.Runtime == RuntimeContainer && t.Container != nil {
			cores += float64(t.Container.Replicas) * t.Container.CPU
		}
	}
	return int(math.Ceil(cores))
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
	{"storage accounts", StorageAccountsPerRegion, nil, func(ts []*Tenant) int { return tenantStorageAccounts * len(ts) }, inSubscription, "set stamp"},
	{"SQL logical servers", SQLServersPerRegion, nil, distinctServers, inSubscription, "share an existing database.server, or set stamp"},
	{"Standard public IPs", StandardPublicIPsPerRegion, nil, func([]*Tenant) int { return stampPublicIPs }, inSubscription, ""},
	{"Container Apps environments", ContainerAppsEnvironmentsPerRegion, nil, func([]*Tenant) int { return stampEnvironments }, inSubscription, ""},
	{"role assignments", RoleAssignmentsPerSubscription, nil, func(ts []*Tenant) int { return stampRoleAssignments + tenantRoleAssignments*len(ts) }, inSubscription, "set stamp"},
	{"gateway HTTP listeners", GatewayListeners, nil, func(ts []*Tenant) int { return gatewayPlatformListeners + withCompute(ts) }, "one Application Gateway holds", "set stamp"},
	{"gateway backend pools", GatewayBackendPools, nil, func(ts []*Tenant) int { return gatewayPlatformPools + withCompute(ts) }, "one Application Gateway holds", "set stamp"},
	{"storage accounts in the Recovery Services vault", StorageAccountsPerVault, nil, func(ts []*Tenant) int { return len(ts) }, "one vault protects", "set stamp"},
	{"Container Apps cores (quotas.containerAppsCores)", 0, func(r *Region) int { return r.Quotas.ContainerAppsCores }, containerCores, "the region's subscription has",
		"raise quotas.containerAppsCores once Azure has raised the environment's quota, or set stamp"},
	{"vCPUs of one VM family (quotas.vmCoresPerFamily)", 0, func(r *Region) int { return r.Quotas.VMCoresPerFamily }, maxFamilyCores, "the region's subscription has",
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
		for _, q := range stampQuotas {
			limit := q.limit
			if q.regionLimit != nil {
				limit = q.regionLimit(r)
			}
			if q.used(sts) <= limit {
				continue
			}
			// The first prefix of tenants that no longer fits.
			n := sort.Search(len(sts), func(i int) bool { return q.used(sts[:i+1]) > limit })
			if n == len(sts) {
				n = 0
			}
			msg := fmt.Sprintf("stamp %d of region %s (stack %s) would need %d %s, more than the %d %s",
				stamp, r.Name, StampStackName(r.Name, stamp), q.used(sts), q.what, limit, q.of)
			if q.fix != "" {
				msg += fmt.Sprintf(": %s: %d here (declare the stamp in %s)", q.fix, stamp+1, r.Source.File)
			}
			l.diags = append(l.diags, sts[n].Source.At("name", "%s", msg))
		}
	}
}
