// A tenant's own Azure SQL database on a shared server, with its point-in-time
// and long-term retention, encryption, audit and lock. Promise: isolation,
// zone redundancy and daily backups of the data.

package components

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/sql/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// sqlSkuArgs is a parsed vCore SKU name such as GP_Gen5_2.
type sqlSkuArgs struct {
	Name     string // GP_Gen5, GP_S_Gen5, BC_Gen5, HS_Gen5
	Tier     string // GeneralPurpose, BusinessCritical, Hyperscale
	Family   string // Gen5
	Capacity int    // vCores
}

// sqlSku parses a vCore SKU name (<tier>[_S]_<family>_<vcores>). Where
// General Purpose cannot be zone redundant (gpZoneRedundant false), GP and
// serverless GP map to Business Critical of the same size, which always can.
func sqlSku(name string, gpZoneRedundant bool) (sqlSkuArgs, error) {
	parts := strings.Split(name, "_")
	serverless := len(parts) == 4 && parts[1] == "S"
	if serverless {
		parts = []string{parts[0], parts[2], parts[3]}
	}
	if len(parts) != 3 {
		return sqlSkuArgs{}, fmt.Errorf("%q is not a vCore SKU like GP_Gen5_2", name)
	}
	capacity, err := strconv.Atoi(parts[2])
	if err != nil || capacity < 1 {
		return sqlSkuArgs{}, fmt.Errorf("%q: bad vCore count %q", name, parts[2])
	}
	edition, family := parts[0], parts[1]
	tiers := map[string]string{"GP": "GeneralPurpose", "BC": "BusinessCritical", "HS": "Hyperscale"}
	if _, ok := tiers[edition]; !ok {
		return sqlSkuArgs{}, fmt.Errorf("%q: unknown edition %q (want GP, BC or HS)", name, edition)
	}
	if serverless && edition != "GP" {
		return sqlSkuArgs{}, fmt.Errorf("%q: serverless exists only in General Purpose", name)
	}
	if edition == "GP" && !gpZoneRedundant {
		edition, serverless = "BC", false
	}
	skuName := edition + "_" + family
	if serverless {
		skuName = edition + "_S_" + family
	}
	return sqlSkuArgs{Name: skuName, Tier: tiers[edition], Family: family, Capacity: capacity}, nil
}

// iso8601Period is a retention such as P4W; zero turns that retention off.
func iso8601Period(n int, unit string) string {
	if n <= 0 {
		return "PT0S"
	}
	return fmt.Sprintf("P%d%s", n, unit)
}

// sqlDatabase is the tenant's own database on one of the region's shared
// logical servers.
//
// Why a shared server: a subscription holds only a few logical servers per
// region (20 by default), so the cluster owns them and the tenant owns its
// database. Isolation on a shared server comes from the server's Entra-only
// authentication (set by the cluster: no SQL logins, no passwords) and from
// contained database users: the tenant identity is a user of this database
// alone (docs/restore.md, "Database access": CREATE USER ... FROM EXTERNAL
// PROVIDER; ALTER ROLE db_owner ADD MEMBER ...). ARM cannot grant SQL
// data-plane access, so no role assignment stands in for it here. A login
// to one database of the server gives nothing in another.
//
// Why no per-tenant private endpoint: an Azure SQL private endpoint attaches
// to the server, not to a database, so a second endpoint to the same server
// would reach exactly what the cluster's endpoint already reaches, every
// database of the server, and isolate nothing. The server has public network
// access disabled and one private endpoint in the private-endpoint subnet,
// registered in the privatelink.database.windows.net zone; both belong to
// the cluster.
func (b *tenantBuilder) sqlDatabase() error {
	db := b.t.Database
	server := b.p.SQLServers[db.Server]
	sku, err := sqlSku(db.SKU, b.region.Database.GeneralPurposeZoneRedundant)
	if err != nil {
		return err
	}
	var haReplicas pulumi.IntPtrInput
	if sku.Tier == "Hyperscale" {
		// A zone-redundant Hyperscale database needs a high-availability
		// replica to fail over to.
		haReplicas = pulumi.Int(1)
	}
	database, err := sql.NewDatabase(b.ctx, b.name+"-db", &sql.DatabaseArgs{
		DatabaseName:      pulumi.String(tenantDatabaseName(b.t)),
		ServerName:        server.Name,
		ResourceGroupName: b.p.ResourceGroupName,
		Location:          b.location,
		Sku: sql.SkuArgs{
			Name:     pulumi.String(sku.Name),
			Tier:     pulumi.String(sku.Tier),
			Family:   pulumi.String(sku.Family),
			Capacity: pulumi.Int(sku.Capacity),
		},
		MaxSizeBytes:                     pulumi.Float64(float64(db.MaxSizeGB) * (1 << 30)),
		ZoneRedundant:                    pulumi.Bool(true),
		RequestedBackupStorageRedundancy: pulumi.String("Zone"),
		HighAvailabilityReplicaCount:     haReplicas,
		Tags:                             b.tags,
	}, b.data()...)
	if err != nil {
		return err
	}
	b.database = database
	b.lock("db", "db-lock", database.ID(), "database")
	dbName, serverName, rgName := database.Name, server.Name, b.p.ResourceGroupName
	pitr := &sql.BackupShortTermRetentionPolicyArgs{
		PolicyName:        pulumi.String("default"),
		DatabaseName:      dbName,
		ServerName:        serverName,
		ResourceGroupName: rgName,
		RetentionDays:     pulumi.Int(db.BackupRetentionDays),
	}
	if sku.Tier != "Hyperscale" { // Hyperscale takes no differential backups
		pitr.DiffBackupIntervalInHours = pulumi.Int(sqlDiffBackupHours)
	}
	pitrPolicy, err := sql.NewBackupShortTermRetentionPolicy(b.ctx, b.name+"-db-pitr", pitr, b.child()...)
	if err != nil {
		return err
	}
	ltr := &sql.LongTermRetentionPolicyArgs{
		PolicyName:        pulumi.String("default"),
		DatabaseName:      dbName,
		ServerName:        serverName,
		ResourceGroupName: rgName,
		WeeklyRetention:   pulumi.String(iso8601Period(db.LongTermRetention.Weeks, "W")),
		MonthlyRetention:  pulumi.String(iso8601Period(db.LongTermRetention.Months, "M")),
		YearlyRetention:   pulumi.String(iso8601Period(db.LongTermRetention.Years, "Y")),
	}
	if db.LongTermRetention.Years > 0 {
		// The yearly backup is the first full backup of week 1.
		ltr.WeekOfYear = pulumi.Int(1)
	}
	ltrPolicy, err := sql.NewLongTermRetentionPolicy(b.ctx, b.name+"-db-ltr", ltr, b.child()...)
	if err != nil {
		return err
	}
	tde, err := sql.NewTransparentDataEncryption(b.ctx, b.name+"-db-tde", &sql.TransparentDataEncryptionArgs{
		TdeName:           pulumi.String("current"),
		DatabaseName:      dbName,
		ServerName:        serverName,
		ResourceGroupName: rgName,
		State:             sql.TransparentDataEncryptionStateEnumEnabled,
	}, b.child()...)
	if err != nil {
		return err
	}
	// Auditing to Azure Monitor: the audit records reach the workspace
	// through the diagnostic setting below (category group allLogs holds
	// SQLSecurityAuditEvents).
	audit, err := sql.NewExtendedDatabaseBlobAuditingPolicy(b.ctx, b.name+"-db-audit", &sql.ExtendedDatabaseBlobAuditingPolicyArgs{
		BlobAuditingPolicyName:      pulumi.String("default"),
		DatabaseName:                dbName,
		ServerName:                  serverName,
		ResourceGroupName:           rgName,
		State:                       sql.BlobAuditingPolicyStateEnabled,
		IsAzureMonitorTargetEnabled: pulumi.Bool(true),
	}, b.child()...)
	if err != nil {
		return err
	}
	diag, err := b.diagnostics("db-diag", database.ID(), []string{"allLogs"}, []string{"Basic", "InstanceAndAppAdvanced", "WorkloadManagement"})
	if err != nil {
		return err
	}
	b.onScope("db", pitrPolicy, ltrPolicy, tde, audit, diag)
	return nil
}
