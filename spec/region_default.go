// Defaults of a region file: named constants filling only what the file leaves
// out.

package spec

import "strings"

// DefaultBackupDailyAt is the UTC time of the daily backups: at night in
// every region's business hours, on the hour as Azure Backup schedules
// require (https://learn.microsoft.com/azure/backup/backup-azure-vms-first-look-arm).
const DefaultBackupDailyAt = "01:00"

// DefaultBackupRetentionDays is how long a daily recovery point is kept.
const DefaultBackupRetentionDays = 30

// DefaultMaintenanceDay is the quietest day for guest OS patching.
const DefaultMaintenanceDay = "Sunday"

// DefaultMaintenanceStartTime is the UTC start of the patch window, after
// the backups.
const DefaultMaintenanceStartTime = "02:00"

// DefaultMaintenanceDurationHours is the longest whole-hour window Azure's
// in-guest patch scheduling accepts (3h55 maximum,
// https://learn.microsoft.com/azure/virtual-machines/maintenance-configurations).
const DefaultMaintenanceDurationHours = 3

// DefaultGeneralPurposeZoneRedundant assumes General Purpose SQL can be
// zone redundant, as it can in every region of the table
// (https://learn.microsoft.com/azure/azure-sql/database/high-availability-sla-local-zone-redundancy).
const DefaultGeneralPurposeZoneRedundant = true

// DefaultBastionZoneRedundant assumes Azure Bastion can span the zones of
// the location. Azure lists the locations where it can
// (https://learn.microsoft.com/azure/reliability/reliability-bastion); a
// region file outside that list says zoneRedundant: false.
const DefaultBastionZoneRedundant = true

// DefaultDatabasesPerServer keeps a logical server's blast radius small,
// far below Azure's 5000 databases per server
// (https://learn.microsoft.com/azure/azure-sql/database/resource-limits-logical-server).
const DefaultDatabasesPerServer = 50

// DefaultVMCoresPerFamily is Azure's default regional vCPU quota per VM
// family in a new subscription
// (https://learn.microsoft.com/azure/virtual-machines/quotas: 20 per family
// and 20 in total for pay-as-you-go; raised on request).
const DefaultVMCoresPerFamily = 20

// DefaultContainerAppsCores is the Dedicated cores the container tenants'
// environments may run together by default. The quotas page
// (https://learn.microsoft.com/azure/container-apps/quotas) gives 100 D-series
// cores per environment and 2,000 Dedicated cores per subscription, and now
// says defaults vary by subscription type (read them with `az containerapp
// env list-usages`): the lowest figure is kept until the region file states
// its subscription's.
const DefaultContainerAppsCores = 100

// DefaultContainerAppsEnvironments is Azure's default of environments per
// subscription per region (the quotas page: 15, adjustable).
const DefaultContainerAppsEnvironments = ContainerAppsEnvironmentsPerRegion

// defaultTestLocations are five availability test locations per region,
// nearest first: Azure recommends at least five
// (learn.microsoft.com/azure/azure-monitor/app/availability, "Location
// population tags"; the IDs do not always match their display names). Only
// the probe, an HTTPS request to the tenant's public URL, runs there; the
// results stay in the region's Application Insights resource.
var defaultTestLocations = map[string][]string{
	"fr": {"emea-fr-pra-edge", "emea-ch-zrh-edge", "emea-nl-ams-azr", "emea-gb-db3-azr", "emea-ru-msa-edge"},
	"uk": {"emea-ru-msa-edge", "emea-se-sto-edge", "emea-gb-db3-azr", "emea-nl-ams-azr", "emea-fr-pra-edge"},
	"us": {"us-va-ash-azr", "us-il-ch1-azr", "us-tx-sn1-azr", "us-ca-sjc-azr", "us-fl-mia-edge"},
	"ca": {"us-va-ash-azr", "us-il-ch1-azr", "us-fl-mia-edge", "us-tx-sn1-azr", "us-ca-sjc-azr"},
	"za": {"emea-fr-pra-edge", "emea-ch-zrh-edge", "emea-nl-ams-azr", "emea-gb-db3-azr", "emea-ru-msa-edge"},
	"in": {"apac-sg-sin-azr", "apac-hk-hkn-azr", "apac-jp-kaw-edge", "emea-au-syd-edge", "emea-nl-ams-azr"},
}

// certificateNamePrefix starts the default Key Vault certificate name of a
// region's wildcard certificate.
const certificateNamePrefix = "wildcard-"

// defaultCertificateName is the Key Vault name of the wildcard certificate
// of zone: Key Vault names allow letters, digits and hyphens only.
func defaultCertificateName(zone string) string {
	return certificateNamePrefix + strings.ReplaceAll(zone, ".", "-")
}

// defaultRegion fills every field the file did not write.
func defaultRegion(r *Region) {
	has := r.Source.Has
	if !has("displayName") {
		r.DisplayName = r.Name
	}
	if !has("stamps") {
		r.Stamps = 1
	}
	if !has("tls.certificateName") {
		r.TLS.CertificateName = defaultCertificateName(r.DNSZone)
	}
	if !has("backup.dailyAt") {
		r.Backup.DailyAt = DefaultBackupDailyAt
	}
	if !has("backup.retentionDays") {
		r.Backup.RetentionDays = DefaultBackupRetentionDays
	}
	if !has("maintenance.day") {
		r.Maintenance.Day = DefaultMaintenanceDay
	}
	if !has("maintenance.startTime") {
		r.Maintenance.StartTime = DefaultMaintenanceStartTime
	}
	if !has("maintenance.durationHours") {
		r.Maintenance.DurationHours = DefaultMaintenanceDurationHours
	}
	if !has("database.generalPurposeZoneRedundant") {
		r.Database.GeneralPurposeZoneRedundant = DefaultGeneralPurposeZoneRedundant
	}
	if !has("database.databasesPerServer") {
		r.Database.DatabasesPerServer = DefaultDatabasesPerServer
	}
	if !has("bastion.zoneRedundant") {
		r.Bastion.ZoneRedundant = DefaultBastionZoneRedundant
	}
	if !has("quotas.vmCoresPerFamily") {
		r.Quotas.VMCoresPerFamily = DefaultVMCoresPerFamily
	}
	if !has("quotas.containerAppsCores") {
		r.Quotas.ContainerAppsCores = DefaultContainerAppsCores
	}
	if !has("quotas.containerAppsEnvironments") {
		r.Quotas.ContainerAppsEnvironments = DefaultContainerAppsEnvironments
	}
	if !has("alerts.testLocations") {
		r.Alerts.TestLocations = append([]string(nil), defaultTestLocations[r.Name]...)
	}
	if r.Tags == nil {
		r.Tags = map[string]string{}
	}
}
