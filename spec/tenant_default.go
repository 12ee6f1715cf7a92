// Defaults of a tenant file: the tier presets, filling only what the file
// leaves out.

package spec

// DefaultVMImage is the marketplace image of VM tenants: Ubuntu 22.04 LTS,
// generation 2 as trusted launch requires
// (https://learn.microsoft.com/azure/virtual-machines/trusted-launch).
const DefaultVMImage = "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest"

// DefaultDatabaseServer is the region's first shared logical SQL server.
const DefaultDatabaseServer = 1

// Small tier: a team of a few dozen users.
const (
	// SmallReplicas is the fewest replicas that survive the loss of a zone.
	SmallReplicas = 2
	// SmallCPU is vCPUs per replica (1 GiB of memory with it).
	SmallCPU = 0.5
	// SmallVMSize is a 2 vCPU / 8 GiB general purpose VM.
	SmallVMSize = "Standard_D2s_v5"
	// SmallVMInstances spreads the scale set over two zones.
	SmallVMInstances = 2
	// SmallDatabaseSKU is General Purpose with 2 vCores
	// (https://learn.microsoft.com/azure/azure-sql/database/resource-limits-vcore-single-databases).
	SmallDatabaseSKU = "GP_Gen5_2"
	// SmallDatabaseMaxSizeGB is the database's maximum data size.
	SmallDatabaseMaxSizeGB = 32
	// SmallPITRDays is the point-in-time restore window (Azure allows 1-35).
	SmallPITRDays = 7
	// SmallLTRWeeks keeps a weekly full backup for 4 weeks.
	SmallLTRWeeks = 4
	// SmallLTRMonths keeps the first weekly backup of each month for 6 months.
	SmallLTRMonths = 6
	// SmallLTRYears keeps no yearly backup.
	SmallLTRYears = 0
	// SmallStorageQuotaGB is the file share quota.
	SmallStorageQuotaGB = 50
	// SmallStorageRedundancy keeps three copies over the region's zones.
	SmallStorageRedundancy = "ZRS"
	// SmallBackupRetentionDays is how long daily VM and file share backups are kept.
	SmallBackupRetentionDays = 14
)

// Standard tier: the usual customer.
const (
	// StandardReplicas keeps one replica per zone.
	StandardReplicas = 3
	// StandardCPU is vCPUs per replica (2 GiB of memory with it).
	StandardCPU = 1.0
	// StandardVMSize is a 4 vCPU / 16 GiB general purpose VM.
	StandardVMSize = "Standard_D4s_v5"
	// StandardVMInstances puts one VM in each zone.
	StandardVMInstances = 3
	// StandardDatabaseSKU is General Purpose with 4 vCores.
	StandardDatabaseSKU = "GP_Gen5_4"
	// StandardDatabaseMaxSizeGB is the database's maximum data size.
	StandardDatabaseMaxSizeGB = 128
	// StandardPITRDays is the point-in-time restore window (Azure allows 1-35).
	StandardPITRDays = 14
	// StandardLTRWeeks keeps a weekly full backup for 4 weeks.
	StandardLTRWeeks = 4
	// StandardLTRMonths keeps a monthly backup for a year.
	StandardLTRMonths = 12
	// StandardLTRYears keeps a yearly backup for one year.
	StandardLTRYears = 1
	// StandardStorageQuotaGB is the file share quota.
	StandardStorageQuotaGB = 100
	// StandardStorageRedundancy keeps three copies over the region's zones.
	StandardStorageRedundancy = "ZRS"
	// StandardBackupRetentionDays is how long daily backups are kept.
	StandardBackupRetentionDays = 30
)

// Large tier: big customers with audit duties.
const (
	// LargeReplicas keeps one replica per zone plus a spare.
	LargeReplicas = 4
	// LargeCPU is vCPUs per replica (4 GiB of memory with it).
	LargeCPU = 2.0
	// LargeVMSize is an 8 vCPU / 32 GiB general purpose VM.
	LargeVMSize = "Standard_D8s_v5"
	// LargeVMInstances puts one VM in each zone.
	LargeVMInstances = 3
	// LargeDatabaseSKU is General Purpose with 8 vCores.
	LargeDatabaseSKU = "GP_Gen5_8"
	// LargeDatabaseMaxSizeGB is the database's maximum data size.
	LargeDatabaseMaxSizeGB = 512
	// LargePITRDays is the longest point-in-time restore window Azure offers
	// (https://learn.microsoft.com/azure/azure-sql/database/automated-backups-overview).
	LargePITRDays = 35
	// LargeLTRWeeks keeps a weekly full backup for 8 weeks.
	LargeLTRWeeks = 8
	// LargeLTRMonths keeps a monthly backup for a year.
	LargeLTRMonths = 12
	// LargeLTRYears keeps a yearly backup for five years.
	LargeLTRYears = 5
	// LargeStorageQuotaGB is the file share quota.
	LargeStorageQuotaGB = 1024
	// LargeStorageRedundancy adds a copy in the paired region to zone redundancy.
	LargeStorageRedundancy = "GZRS"
	// LargeBackupRetentionDays is how long daily backups are kept.
	LargeBackupRetentionDays = 90
)

// Preset is what a tier fills in for every field a tenant file leaves out.
// The KPAX server image is no tier's: it is the tenant's ring's
// (releases.yaml).
type Preset struct {
	Container           ContainerSpec
	VM                  VMSpec
	Database            DatabaseSpec
	Storage             StorageSpec
	BackupRetentionDays int
}

// presets are the tiers' defaults, by tier.
var presets = map[Tier]Preset{
	TierSmall: {
		Container: ContainerSpec{Replicas: SmallReplicas, CPU: SmallCPU},
		VM:        VMSpec{Size: SmallVMSize, Instances: SmallVMInstances, Image: DefaultVMImage},
		Database: DatabaseSpec{SKU: SmallDatabaseSKU, MaxSizeGB: SmallDatabaseMaxSizeGB, BackupRetentionDays: SmallPITRDays,
			LongTermRetention: LTRSpec{Weeks: SmallLTRWeeks, Months: SmallLTRMonths, Years: SmallLTRYears}, Server: DefaultDatabaseServer},
		Storage:             StorageSpec{QuotaGB: SmallStorageQuotaGB, Redundancy: SmallStorageRedundancy},
		BackupRetentionDays: SmallBackupRetentionDays,
	},
	TierStandard: {
		Container: ContainerSpec{Replicas: StandardReplicas, CPU: StandardCPU},
		VM:        VMSpec{Size: StandardVMSize, Instances: StandardVMInstances, Image: DefaultVMImage},
		Database: DatabaseSpec{SKU: StandardDatabaseSKU, MaxSizeGB: StandardDatabaseMaxSizeGB, BackupRetentionDays: StandardPITRDays,
			LongTermRetention: LTRSpec{Weeks: StandardLTRWeeks, Months: StandardLTRMonths, Years: StandardLTRYears}, Server: DefaultDatabaseServer},
		Storage:             StorageSpec{QuotaGB: StandardStorageQuotaGB, Redundancy: StandardStorageRedundancy},
		BackupRetentionDays: StandardBackupRetentionDays,
	},
	TierLarge: {
		Container: ContainerSpec{Replicas: LargeReplicas, CPU: LargeCPU},
		VM:        VMSpec{Size: LargeVMSize, Instances: LargeVMInstances, Image: DefaultVMImage},
		Database: DatabaseSpec{SKU: LargeDatabaseSKU, MaxSizeGB: LargeDatabaseMaxSizeGB, BackupRetentionDays: LargePITRDays,
			LongTermRetention: LTRSpec{Weeks: LargeLTRWeeks, Months: LargeLTRMonths, Years: LargeLTRYears}, Server: DefaultDatabaseServer},
		Storage:             StorageSpec{QuotaGB: LargeStorageQuotaGB, Redundancy: LargeStorageRedundancy},
		BackupRetentionDays: LargeBackupRetentionDays,
	},
}

// PresetFor returns the defaults of tier t.
func PresetFor(t Tier) (Preset, bool) {
	p, ok := presets[t]
	return p, ok
}

// defaultTenant fills every field that the file did not write, from the
// tier's preset, the region (nil when unknown) and the release file (nil
// when missing): the server image is the ring's. An unknown tier falls back
// to standard so that the only errors reported are the file's own.
func defaultTenant(t *Tenant, r *Region, rel *Releases) {
	p, ok := presets[t.Tier]
	if !ok {
		p = presets[TierStandard]
	}
	has := t.Source.Has
	if !has("stamp") {
		t.Stamp = 1
	}
	setStr := func(path string, dst *string, v string) {
		if !has(path) {
			*dst = v
		}
	}
	setInt := func(path string, dst *int, v int) {
		if !has(path) {
			*dst = v
		}
	}
	if !has("state") {
		t.State = StateActive
	}
	setStr("displayName", &t.DisplayName, t.Name)
	t.Ring = ringOf(t, r, rel)
	ringImage := ""
	if g := rel.Ring(t.Ring); g != nil {
		ringImage = g.Image
	}
	switch t.Runtime {
	case RuntimeContainer:
		if t.Container == nil {
			t.Container = &ContainerSpec{}
		}
		c := t.Container
		setStr("container.image", &c.Image, ringImage)
		setInt("container.replicas", &c.Replicas, p.Container.Replicas)
		if !has("container.cpu") {
			c.CPU = p.Container.CPU
		}
	case RuntimeVM:
		if t.VM == nil {
			t.VM = &VMSpec{}
		}
		v := t.VM
		setStr("vm.size", &v.Size, p.VM.Size)
		setInt("vm.instances", &v.Instances, p.VM.Instances)
		setStr("vm.image", &v.Image, p.VM.Image)
		setStr("vm.serverImage", &v.ServerImage, ringImage)
	}
	db := &t.Database
	setStr("database.sku", &db.SKU, p.Database.SKU)
	setInt("database.maxSizeGB", &db.MaxSizeGB, p.Database.MaxSizeGB)
	setInt("database.backupRetentionDays", &db.BackupRetentionDays, p.Database.BackupRetentionDays)
	setInt("database.longTermRetention.weeks", &db.LongTermRetention.Weeks, p.Database.LongTermRetention.Weeks)
	setInt("database.longTermRetention.months", &db.LongTermRetention.Months, p.Database.LongTermRetention.Months)
	setInt("database.longTermRetention.years", &db.LongTermRetention.Years, p.Database.LongTermRetention.Years)
	setInt("database.server", &db.Server, p.Database.Server)
	setInt("storage.quotaGB", &t.Storage.QuotaGB, p.Storage.QuotaGB)
	setStr("storage.redundancy", &t.Storage.Redundancy, p.Storage.Redundancy)
	dailyAt := DefaultBackupDailyAt
	if r != nil && dailyAtRe.MatchString(r.Backup.DailyAt) { // a bad one is the region file's error
		dailyAt = r.Backup.DailyAt
	}
	setStr("backup.dailyAt", &t.Backup.DailyAt, dailyAt)
	setInt("backup.retentionDays", &t.Backup.RetentionDays, p.BackupRetentionDays)
	setStr("dns.hostname", &t.DNS.Hostname, t.Name)
	if t.Tags == nil {
		t.Tags = map[string]string{}
	}
}
