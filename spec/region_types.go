// The region file's types: the YAML contract of regions/<r>.yaml.

package spec

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Region is one region's platform: where it runs, its network, its DNS zone,
// its backup defaults and how many tenants it may hold. It is read from
// regions/<name>.yaml and is fully defaulted once loaded.
type Region struct {
	// Name is the region key (fr, uk, ...): the file name, the tenants'
	// folder and the suffix of the stack name prod-<name>.
	Name        string `yaml:"name"`
	DisplayName string `yaml:"displayName"`
	// Location is the Azure location every resource of the region lives in.
	Location string `yaml:"location"`
	// PairedLocation is Azure's paired region in the same geography, where
	// geo-redundant copies (GZRS storage) land.
	PairedLocation string `yaml:"pairedLocation"`
	// Zones are the availability zones that zone-redundant resources span.
	Zones []string `yaml:"zones"`
	// AddressSpace is the region VNet's CIDR; every subnet is derived from it.
	AddressSpace string `yaml:"addressSpace"`
	// DNSZone is the public zone under which every tenant gets its hostname.
	DNSZone string `yaml:"dnsZone"`
	// MaxTenants caps the tenants one region stack holds.
	MaxTenants int `yaml:"maxTenants"`
	// Stamps is how many stamps the region has: stamp 1 is stack
	// prod-<name>, stamp n > 1 is stack prod-<name>-<n>. MaxTenants and the
	// subscription quotas hold per stamp.
	Stamps int `yaml:"stamps"`
	// SharesSubscriptionWith lists the regions whose stacks deploy to the
	// same Azure subscription as this one's. Each region has a subscription
	// of its own unless both region files list each other here.
	SharesSubscriptionWith []string `yaml:"sharesSubscriptionWith"`
	// DefaultRing is the ring of releases.yaml that the region's tenants
	// follow unless their file names one (empty: the last ring).
	DefaultRing string `yaml:"defaultRing"`

	Operators   RegionOperators   `yaml:"operators"`
	TLS         RegionTLS         `yaml:"tls"`
	Backup      RegionBackup      `yaml:"backup"`
	Maintenance RegionMaintenance `yaml:"maintenance"`
	Database    RegionDatabase    `yaml:"database"`
	Bastion     RegionBastion     `yaml:"bastion"`
	Registry    RegionRegistry    `yaml:"registry"`
	Quotas      RegionQuotas      `yaml:"quotas"`
	Alerts      RegionAlerts      `yaml:"alerts"`
	// Interventions are the announced windows in which the operators may
	// open a shell in a tenant's container or run a command on its VMs
	// (components/cluster_access.go alerts on any session outside them).
	Interventions []Intervention `yaml:"interventions"`

	Tags map[string]string `yaml:"tags"`

	Source Source `yaml:"-"`
}

// RegionOperators names the Entra ID group of the people who run the region.
// It is the only principal granted OS login on VMs (through Bastion) and it is
// the Entra administrator of the region's SQL servers.
type RegionOperators struct {
	GroupName     string `yaml:"groupName"`
	GroupObjectID string `yaml:"groupObjectId"`
}

// RegionTLS names the wildcard certificate of the region's DNS zone. It is
// issued outside this program and imported into the platform Key Vault under
// CertificateName; the gateway reads it from there.
type RegionTLS struct {
	CertificateName string `yaml:"certificateName"`
}

// RegionBackup holds the defaults of the tenants' daily backups.
type RegionBackup struct {
	// DailyAt is the UTC time (HH:MM, on the hour or half hour) of the daily run.
	DailyAt string `yaml:"dailyAt"`
	// RetentionDays is how long a daily recovery point is kept.
	RetentionDays int `yaml:"retentionDays"`
}

// RegionMaintenance is the weekly window in which guest OS patches may be
// installed on VM tenants.
type RegionMaintenance struct {
	Day           string `yaml:"day"`
	StartTime     string `yaml:"startTime"`
	DurationHours int    `yaml:"durationHours"`
}

// RegionDatabase holds the region's Azure SQL facts.
type RegionDatabase struct {
	// GeneralPurposeZoneRedundant says whether the General Purpose tier can
	// be zone redundant in this location. Where it cannot, tenants' GP SKUs
	// are mapped to Business Critical, which can.
	GeneralPurposeZoneRedundant bool `yaml:"generalPurposeZoneRedundant"`
	// DatabasesPerServer caps how many tenant databases share one logical
	// server before the next server is opened.
	DatabasesPerServer int `yaml:"databasesPerServer"`
}

// RegionBastion holds the region's Azure Bastion facts.
type RegionBastion struct {
	// ZoneRedundant says whether Azure Bastion can span the region's zones
	// in this location. Where it cannot, Bastion is deployed without zones:
	// it carries operators' sessions only, never tenant traffic, so a zone
	// failure costs OS access for its duration and no tenant's service.
	// Turning it on later replaces the Bastion, which holds no state.
	ZoneRedundant bool `yaml:"zoneRedundant"`
}

// RegionRegistry is the container registry that serves the KPAX server
// image to the region's tenants, Container Apps and VMs alike. It lives
// outside this program; the regional cluster grants its pull identity
// AcrPull on it.
type RegionRegistry struct {
	// Server is the registry's login server, the host of every tenant's
	// server image (kpaxcloud.azurecr.io).
	Server string `yaml:"server"`
	// ResourceID is the registry's ARM ID, the scope of the pull grant.
	ResourceID string `yaml:"resourceId"`
	// OpsImage is the operators' tools image (sh, go-sqlcmd), from this
	// registry: the ops jobs run it inside the VNet (components/cluster_ops.go).
	OpsImage string `yaml:"opsImage"`
}

// StackName is the Pulumi stack that deploys the region's stamp 1.
func (r *Region) StackName() string { return StampStackName(r.Name, 1) }

// StampStackName is the Pulumi stack of a region's stamp: prod-fr for stamp
// 1, prod-fr-2 for stamp 2.
func StampStackName(region string, stamp int) string {
	if stamp <= 1 {
		return "prod-" + region
	}
	return fmt.Sprintf("prod-%s-%d", region, stamp)
}

// ParseStampStackName is the region and stamp of a stamp's stack, the
// inverse of StampStackName: prod-fr is fr's stamp 1, prod-fr-2 its stamp 2.
func ParseStampStackName(stack string) (region string, stamp int, ok bool) {
	rest, found := strings.CutPrefix(stack, "prod-")
	if !found || rest == "" {
		return "", 0, false
	}
	if i := strings.LastIndexByte(rest, '-'); i > 0 {
		if n, err := strconv.Atoi(rest[i+1:]); err == nil && n >= 2 {
			return rest[:i], n, true
		}
	}
	return rest, 1, true
}

// StampKey names a stamp's platform resources: the region key for stamp 1,
// so that the first stamp's names never change, and fr2, fr3, ... after.
func StampKey(region string, stamp int) string {
	if stamp <= 1 {
		return region
	}
	return fmt.Sprintf("%s%d", region, stamp)
}

// StampAddressSpace is the VNet range of a stamp: the region's /16 for stamp
// 1, and the next /16s after it for the next stamps (10.10.0.0/16, then
// 10.11.0.0/16, ...). Derived, never written, so stamps cannot overlap.
func (r *Region) StampAddressSpace(stamp int) (string, error) {
	p, err := netip.ParsePrefix(r.AddressSpace)
	if err != nil || !p.Addr().Is4() || p.Bits() != 16 {
		return "", fmt.Errorf("region %s: addressSpace %q is not an IPv4 /16", r.Name, r.AddressSpace)
	}
	b := p.Addr().As4()
	second := int(b[1]) + stamp - 1
	if stamp < 1 || second > 255 {
		return "", fmt.Errorf("region %s: stamp %d has no address space after %s", r.Name, stamp, r.AddressSpace)
	}
	b[1] = byte(second)
	return netip.PrefixFrom(netip.AddrFrom4(b), 16).String(), nil
}

// RegionAlerts says who is told when a promise breaks in the region: the
// receivers of each stamp's action group, and where the tenants'
// availability tests run from.
type RegionAlerts struct {
	// Email are the addresses of the region's on-call operators. Azure
	// sends each one a confirmation mail when the action group is created
	// (learn.microsoft.com/azure/azure-monitor/alerts/action-groups).
	Email []string `yaml:"email"`
	// Webhook optionally posts every alert, in the common alert schema, to
	// an HTTPS endpoint (a paging service).
	Webhook string `yaml:"webhook"`
	// TestLocations are the Azure Monitor availability test locations
	// (population tags, like emea-fr-pra-edge) that probe each tenant's URL.
	// Defaulted per region: Azure has no test location in Canada, South
	// Africa or India, so those probe from the nearest ones.
	TestLocations []string `yaml:"testLocations"`
}

// Intervention is one announced window of OS or container access: from
// and to are UTC instants in RFC 3339 (2026-03-02T08:00:00Z), the ticket
// names the change or incident that justifies it, and tenant limits it to
// one tenant of the region (empty: every tenant of the region). A session
// (exec, debug console, run command, serial console) inside a window is
// expected; any other one pages the region's on-call operators. A window is
// announced by merging it: the pull request is the review, the deploy puts
// it into the alert rule.
type Intervention struct {
	Tenant string `yaml:"tenant"`
	From   string `yaml:"from"`
	To     string `yaml:"to"`
	Ticket string `yaml:"ticket"`
}

// Window is the intervention's interval. Only valid after validation.
func (i Intervention) Window() (from, to time.Time) {
	from, _ = time.Parse(time.RFC3339, i.From)
	to, _ = time.Parse(time.RFC3339, i.To)
	return from.UTC(), to.UTC()
}

// RegionQuotas are the subscription's quotas in the region's location that
// its stamps' tenants consume, as the subscription has them: Azure's
// defaults unless a support request raised them (then the file says the new
// value, and validation holds every stamp to it).
type RegionQuotas struct {
	// VMCoresPerFamily is the regional vCPU quota of each VM family (the
	// DSv5 family holds Standard_D2s_v5, D4s_v5, ...).
	VMCoresPerFamily int `yaml:"vmCoresPerFamily"`
	// ContainerAppsCores is the Dedicated workload profile cores the
	// subscription may run in the region, which the container tenants'
	// own environments share.
	ContainerAppsCores int `yaml:"containerAppsCores"`
	// ContainerAppsEnvironments is how many Container Apps environments
	// the subscription may have in the region: the operators' and one per
	// container tenant.
	ContainerAppsEnvironments int `yaml:"containerAppsEnvironments"`
}
