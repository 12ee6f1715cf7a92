package spec

import (
	"reflect"
	"testing"
)

func testRegions(t *testing.T) map[string]*Region {
	t.Helper()
	r, err := ParseRegion("regions/fr.yaml", []byte(baseRegion))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Region{"fr": r}
}

// testImage is the broad ring's image in the test release file.
const testImage = "kpaxcloud.azurecr.io/kpax-server:4.12.1"

// baseReleases is a minimal valid release file: canary ahead of broad.
const baseReleases = `rings:
  - name: canary
    image: kpaxcloud.azurecr.io/kpax-server:4.13.0
  - name: broad
    image: ` + testImage + `
`

func testReleases(t testing.TB) *Releases {
	t.Helper()
	rel, err := ParseReleases(ReleasesFile, []byte(baseReleases))
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func TestTierPresets(t *testing.T) {
	tests := []struct {
		tier    Tier
		runtime Runtime
		want    Tenant
	}{
		{TierSmall, RuntimeContainer, Tenant{
			Container: &ContainerSpec{Image: testImage, Replicas: 2, CPU: 0.5},
			Database:  DatabaseSpec{SKU: "GP_Gen5_2", MaxSizeGB: 32, BackupRetentionDays: 7, LongTermRetention: LTRSpec{4, 6, 0}, Server: 1},
			Storage:   StorageSpec{QuotaGB: 50, Redundancy: "ZRS"},
			Backup:    BackupSpec{DailyAt: "01:00", RetentionDays: 14},
		}},
		{TierSmall, RuntimeVM, Tenant{
			VM:       &VMSpec{Size: "Standard_D2s_v5", Instances: 2, Image: DefaultVMImage, ServerImage: testImage},
			Database: DatabaseSpec{SKU: "GP_Gen5_2", MaxSizeGB: 32, BackupRetentionDays: 7, LongTermRetention: LTRSpec{4, 6, 0}, Server: 1},
			Storage:  StorageSpec{QuotaGB: 50, Redundancy: "ZRS"},
			Backup:   BackupSpec{DailyAt: "01:00", RetentionDays: 14},
		}},
		{TierStandard, RuntimeContainer, Tenant{
			Container: &ContainerSpec{Image: testImage, Replicas: 3, CPU: 1},
			Database:  DatabaseSpec{SKU: "GP_Gen5_4", MaxSizeGB: 128, BackupRetentionDays: 14, LongTermRetention: LTRSpec{4, 12, 1}, Server: 1},
			Storage:   StorageSpec{QuotaGB: 100, Redundancy: "ZRS"},
			Backup:    BackupSpec{DailyAt: "01:00", RetentionDays: 30},
		}},
		{TierStandard, RuntimeVM, Tenant{
			VM:       &VMSpec{Size: "Standard_D4s_v5", Instances: 3, Image: DefaultVMImage, ServerImage: testImage},
			Database: DatabaseSpec{SKU: "GP_Gen5_4", MaxSizeGB: 128, BackupRetentionDays: 14, LongTermRetention: LTRSpec{4, 12, 1}, Server: 1},
			Storage:  StorageSpec{QuotaGB: 100, Redundancy: "ZRS"},
			Backup:   BackupSpec{DailyAt: "01:00", RetentionDays: 30},
		}},
		{TierLarge, RuntimeContainer, Tenant{
			Container: &ContainerSpec{Image: testImage, Replicas: 4, CPU: 2},
			Database:  DatabaseSpec{SKU: "GP_Gen5_8", MaxSizeGB: 512, BackupRetentionDays: 35, LongTermRetention: LTRSpec{8, 12, 5}, Server: 1},
			Storage:   StorageSpec{QuotaGB: 1024, Redundancy: "GZRS"},
			Backup:    BackupSpec{DailyAt: "01:00", RetentionDays: 90},
		}},
		{TierLarge, RuntimeVM, Tenant{
			VM:       &VMSpec{Size: "Standard_D8s_v5", Instances: 3, Image: DefaultVMImage, ServerImage: testImage},
			Database: DatabaseSpec{SKU: "GP_Gen5_8", MaxSizeGB: 512, BackupRetentionDays: 35, LongTermRetention: LTRSpec{8, 12, 5}, Server: 1},
			Storage:  StorageSpec{QuotaGB: 1024, Redundancy: "GZRS"},
			Backup:   BackupSpec{DailyAt: "01:00", RetentionDays: 90},
		}},
	}
	regions := testRegions(t)
	rel := testReleases(t)
	for _, tt := range tests {
		t.Run(string(tt.tier)+"/"+string(tt.runtime), func(t *testing.T) {
			doc := withSlot("name: acme\nregion: fr\ntier: "+string(tt.tier)+"\nruntime: "+string(tt.runtime)+"\n", 0)
			got, err := ParseTenant("tenants/fr/acme.yaml", []byte(doc), regions, rel)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Name, want.DisplayName, want.Region, want.Tier, want.Runtime = "acme", "acme", "fr", tt.tier, tt.runtime
			want.State = StateActive
			want.Stamp = 1
			want.Ring = "broad" // the last ring
			want.DNS = DNSSpec{Hostname: "acme"}
			want.Tags = map[string]string{}
			want.Source = got.Source
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
			if got.Container != nil && got.VM != nil {
				t.Error("both Container and VM set")
			}
		})
	}
}

func TestTenantExplicitValuesKept(t *testing.T) {
	doc := `name: acme
displayName: ACME Industries
region: fr
tier: small
runtime: container
state: suspended
container: {image: "kpaxcloud.azurecr.io/kpax-server:4.13.0", replicas: 5, cpu: 1.25, slot: 7}
database:
  sku: BC_Gen5_4
  maxSizeGB: 64
  backupRetentionDays: 21
  longTermRetention: {weeks: 0}
  server: 2
storage: {quotaGB: 300, redundancy: GZRS}
backup: {dailyAt: "03:30", retentionDays: 60}
dns: {hostname: acme-docs}
tags: {costCenter: "4711"}
`
	got, err := ParseTenant("tenants/fr/acme.yaml", []byte(doc), testRegions(t), testReleases(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (ContainerSpec{Image: "kpaxcloud.azurecr.io/kpax-server:4.13.0", Replicas: 5, CPU: 1.25, Slot: 7}); *got.Container != want {
		t.Errorf("container %+v, want %+v", *got.Container, want)
	}
	// weeks: 0 is written, so it stays 0; months and years come from the tier.
	if want := (DatabaseSpec{SKU: "BC_Gen5_4", MaxSizeGB: 64, BackupRetentionDays: 21, LongTermRetention: LTRSpec{0, 6, 0}, Server: 2}); got.Database != want {
		t.Errorf("database %+v, want %+v", got.Database, want)
	}
	if got.State != StateSuspended || got.DisplayName != "ACME Industries" || got.DNS.Hostname != "acme-docs" ||
		got.Storage != (StorageSpec{300, "GZRS"}) || got.Backup != (BackupSpec{"03:30", 60}) || got.Tags["costCenter"] != "4711" {
		t.Errorf("explicit values lost: %+v", *got)
	}
	if got.VM != nil {
		t.Error("VM set on a container tenant")
	}
	if !got.Source.Has("container.cpu") || got.Source.Has("vm") || !got.Source.Has("tags.costCenter") {
		t.Error("Source.Has wrong")
	}
	if pos := got.Source.PosOf("container.replicas"); pos != (Pos{7, 73}) {
		t.Errorf("PosOf(container.replicas) = %v", pos)
	}
	if pos := got.Source.PosOf("database.longTermRetention.months"); pos != (Pos{12, 22}) {
		t.Errorf("PosOf of a defaulted field = %v, want its flow block", pos)
	}
}

func TestTenantBackupTimeFromRegion(t *testing.T) {
	r, err := ParseRegion("regions/fr.yaml", []byte(region("", "backup: {dailyAt: \"23:30\"}\n")))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseTenant("tenants/fr/acme.yaml", []byte(withSlot(baseTenant, 0)), map[string]*Region{"fr": r}, testReleases(t))
	if err != nil {
		t.Fatal(err)
	}
	if got.Backup.DailyAt != "23:30" {
		t.Errorf("backup.dailyAt = %q, want the region's 23:30", got.Backup.DailyAt)
	}
}

func TestRegionDefaults(t *testing.T) {
	r, err := ParseRegion("regions/fr.yaml", []byte(baseRegion))
	if err != nil {
		t.Fatal(err)
	}
	want := Region{
		Name: "fr", DisplayName: "fr", Location: "francecentral", PairedLocation: "francesouth",
		Zones: []string{"1", "2", "3"}, AddressSpace: "10.10.0.0/16", DNSZone: "fr.kpax.cloud", MaxTenants: 60, Stamps: 1,
		Operators:   RegionOperators{"kpax-operators-fr", "6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b"},
		TLS:         RegionTLS{"wildcard-fr-kpax-cloud"},
		Backup:      RegionBackup{"01:00", 30},
		Maintenance: RegionMaintenance{"Sunday", "02:00", 3},
		Database:    RegionDatabase{true, 50},
		Bastion:     RegionBastion{ZoneRedundant: true},
		Quotas:      RegionQuotas{VMCoresPerFamily: DefaultVMCoresPerFamily, ContainerAppsCores: DefaultContainerAppsCores, ContainerAppsEnvironments: DefaultContainerAppsEnvironments},
		Registry:    RegionRegistry{"kpaxcloud.azurecr.io", testRegistryID, "kpaxcloud.azurecr.io/kpax-ops:1.0.0"},
		Alerts: RegionAlerts{Email: []string{"oncall@kpax.cloud"},
			TestLocations: []string{"emea-fr-pra-edge", "emea-ch-zrh-edge", "emea-nl-ams-azr", "emea-gb-db3-azr", "emea-ru-msa-edge"}},
		Tags:   map[string]string{},
		Source: r.Source,
	}
	if !reflect.DeepEqual(*r, want) {
		t.Errorf("got  %+v\nwant %+v", *r, want)
	}

	explicit := region("", `displayName: France
tls: {certificateName: fr-cert}
backup: {dailyAt: "00:30", retentionDays: 10}
maintenance: {day: Saturday, startTime: "22:15", durationHours: 2}
database: {generalPurposeZoneRedundant: false, databasesPerServer: 20}
bastion: {zoneRedundant: false}
`)
	r, err = ParseRegion("regions/fr.yaml", []byte(explicit))
	if err != nil {
		t.Fatal(err)
	}
	if r.DisplayName != "France" || r.TLS.CertificateName != "fr-cert" || r.Backup != (RegionBackup{"00:30", 10}) ||
		r.Maintenance != (RegionMaintenance{"Saturday", "22:15", 2}) || r.Database != (RegionDatabase{false, 20}) || r.Bastion.ZoneRedundant {
		t.Errorf("explicit values lost: %+v", *r)
	}
}

func TestSuggest(t *testing.T) {
	fields := []string{"name", "displayName", "replicas", "dataDiskGB", "vm", "tier"}
	for give, want := range map[string]string{"nmae": "name", "DISPLAYNAME": "displayName", "replica": "replicas", "datadiskgb": "dataDiskGB", "colour": "", "a": "", "tir": "tier"} {
		if got := suggest(give, fields); got != want {
			t.Errorf("suggest(%q) = %q, want %q", give, got, want)
		}
	}
}
