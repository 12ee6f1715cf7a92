// The tenant file's types: the YAML contract of tenants/<r>/<t>.yaml.

package spec

import (
	"fmt"
	"strings"
)

// Tier is a preset of sizes and retention for a tenant.
type Tier string

// Tiers, smallest first.
const (
	TierSmall    Tier = "small"
	TierStandard Tier = "standard"
	TierLarge    Tier = "large"
)

// Tiers lists the known tiers in the order operators read them.
var Tiers = []Tier{TierSmall, TierStandard, TierLarge}

// Runtime is how a tenant's KPAX server runs.
type Runtime string

// Runtimes.
const (
	RuntimeContainer Runtime = "container"
	RuntimeVM        Runtime = "vm"
)

// Runtimes lists the known runtimes.
var Runtimes = []Runtime{RuntimeContainer, RuntimeVM}

// State is where a tenant is in its life.
type State string

// States.
const (
	// StateActive runs compute and serves the tenant's URL.
	StateActive State = "active"
	// StateSuspended keeps everything but scales compute to zero.
	StateSuspended State = "suspended"
	// StateDecommissioned removes compute and DNS and keeps the data
	// resources until an operator purges them by hand.
	StateDecommissioned State = "decommissioned"
)

// States lists the known states.
var States = []State{StateActive, StateSuspended, StateDecommissioned}

// Tenant is one customer's KPAX space, read from tenants/<region>/<name>.yaml
// and fully defaulted once loaded: Container is set exactly when Runtime is
// container, VM exactly when it is vm.
type Tenant struct {
	// Name is unique across all regions and is the key of every resource
	// name of the tenant.
	Name        string  `yaml:"name"`
	DisplayName string  `yaml:"displayName"`
	Region      string  `yaml:"region"`
	Tier        Tier    `yaml:"tier"`
	Runtime     Runtime `yaml:"runtime"`
	State       State   `yaml:"state"`
	// Stamp is the number of the region's stamp (an independent copy of
	// the regional cluster, in its own stack) that holds the tenant.
	Stamp int `yaml:"stamp"`
	// Ring is the ring of releases.yaml whose KPAX server image the tenant
	// runs, unless container.image or vm.serverImage pins one. Defaulted to
	// the region's defaultRing, else the last ring.
	Ring string `yaml:"ring"`

	Container *ContainerSpec `yaml:"container"`
	VM        *VMSpec        `yaml:"vm"`
	Database  DatabaseSpec   `yaml:"database"`
	Storage   StorageSpec    `yaml:"storage"`
	Backup    BackupSpec     `yaml:"backup"`
	DNS       DNSSpec        `yaml:"dns"`

	Tags map[string]string `yaml:"tags"`

	Source Source `yaml:"-"`
}

// ContainerSpec sizes a container tenant's Container App.
type ContainerSpec struct {
	Image string `yaml:"image"`
	// Replicas is the minimum replica count; at least 2 so that losing a
	// zone leaves the tenant up.
	Replicas int `yaml:"replicas"`
	// CPU is vCPUs per replica; memory is twice that in GiB.
	CPU float64 `yaml:"cpu"`
	// Slot is the tenant's place in its stamp's environment subnets: its
	// Container Apps environment gets the slot-th /26 of the tenants'
	// environment range. It never changes while the tenant runs (a new
	// slot moves the tenant's compute), and no two tenants of a stamp
	// share one. `kpax tenant new` picks the first free slot.
	Slot int `yaml:"slot"`
}

// EnvironmentSlots is how many tenant environment subnets a stamp has: the
// /26s of the /19 the VNet reserves for them (components/cluster_subnets.go).
const EnvironmentSlots = 1 << (EnvironmentSubnetBits - 19)

// MemoryGi is the memory per replica, in GiB.
func (c *ContainerSpec) MemoryGi() float64 { return 2 * c.CPU }

// VMSpec sizes a VM tenant's scale set.
type VMSpec struct {
	Size      string `yaml:"size"`
	Instances int    `yaml:"instances"`
	// Image is a marketplace image URN publisher:offer:sku:version. It must
	// be a generation 2 image, which trusted launch requires.
	Image string `yaml:"image"`
	// ServerImage is the KPAX server container image the VMs run, from the
	// region's registry, as container.image is for a Container App.
	ServerImage string `yaml:"serverImage"`
}

// DatabaseSpec sizes a tenant's Azure SQL database.
type DatabaseSpec struct {
	SKU                 string  `yaml:"sku"`
	MaxSizeGB           int     `yaml:"maxSizeGB"`
	BackupRetentionDays int     `yaml:"backupRetentionDays"`
	LongTermRetention   LTRSpec `yaml:"longTermRetention"`
	// Server is the number of the region's shared logical server that holds
	// the database. It is written, never computed, so that adding a tenant can
	// never move another tenant's database.
	Server int `yaml:"server"`
}

// LTRSpec is the long-term retention of full database backups.
type LTRSpec struct {
	Weeks  int `yaml:"weeks"`
	Months int `yaml:"months"`
	Years  int `yaml:"years"`
}

// StorageSpec sizes a tenant's storage account.
type StorageSpec struct {
	QuotaGB    int    `yaml:"quotaGB"`
	Redundancy string `yaml:"redundancy"`
}

// BackupSpec is a tenant's daily backup of its VMs and file share.
type BackupSpec struct {
	DailyAt       string `yaml:"dailyAt"`
	RetentionDays int    `yaml:"retentionDays"`
}

// PolicyKey names the backup policy that implements this schedule. Tenants
// with the same schedule share one policy of the region's vault.
func (b BackupSpec) PolicyKey() string {
	return fmt.Sprintf("daily-%s-%dd", strings.ReplaceAll(b.DailyAt, ":", ""), b.RetentionDays)
}

// DNSSpec is a tenant's URL.
type DNSSpec struct {
	Hostname string `yaml:"hostname"`
}

// Active reports whether the tenant runs compute and serves traffic.
func (t *Tenant) Active() bool { return t.State == StateActive }

// HasCompute reports whether the tenant's compute exists (running or scaled
// to zero).
func (t *Tenant) HasCompute() bool { return t.State != StateDecommissioned }
