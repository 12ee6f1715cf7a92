package spec

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

	Operators   RegionOperators   `yaml:"operators"`
	TLS         RegionTLS         `yaml:"tls"`
	Backup      RegionBackup      `yaml:"backup"`
	Maintenance RegionMaintenance `yaml:"maintenance"`
	Database    RegionDatabase    `yaml:"database"`

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

// StackName is the Pulumi stack that deploys the region.
func (r *Region) StackName() string { return "prod-" + r.Name }
