// SQL SKUs and their zone-redundant mapping.

package components

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func TestTenantSQLSku(t *testing.T) {
	tests := []struct {
		give   string
		gpZR   bool
		want   sqlSkuArgs
		errSub string
	}{
		{give: "GP_Gen5_2", gpZR: true, want: sqlSkuArgs{"GP_Gen5", "GeneralPurpose", "Gen5", 2}},
		{give: "GP_Gen5_8", gpZR: false, want: sqlSkuArgs{"BC_Gen5", "BusinessCritical", "Gen5", 8}},
		{give: "GP_S_Gen5_4", gpZR: true, want: sqlSkuArgs{"GP_S_Gen5", "GeneralPurpose", "Gen5", 4}},
		{give: "GP_S_Gen5_4", gpZR: false, want: sqlSkuArgs{"BC_Gen5", "BusinessCritical", "Gen5", 4}},
		{give: "BC_Gen5_4", gpZR: false, want: sqlSkuArgs{"BC_Gen5", "BusinessCritical", "Gen5", 4}},
		{give: "HS_Gen5_2", gpZR: true, want: sqlSkuArgs{"HS_Gen5", "Hyperscale", "Gen5", 2}},
		{give: "S3", errSub: "not a vCore SKU"},
		{give: "XX_Gen5_2", errSub: "unknown edition"},
		{give: "GP_Gen5_x", errSub: "bad vCore count"},
		{give: "BC_S_Gen5_2", errSub: "serverless exists only"},
	}
	for _, tc := range tests {
		t.Run(tc.give, func(t *testing.T) {
			got, err := sqlSku(tc.give, tc.gpZR)
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err = %v, want %q", err, tc.errSub)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestTenantZoneRedundancyMapping: where General Purpose cannot be zone
// redundant, the database is Business Critical and still zone redundant.
func TestTenantZoneRedundancyMapping(t *testing.T) {
	region := testRegion()
	region.Database.GeneralPurposeZoneRedundant = false
	tn := containerTenant("acme", spec.StateActive)
	tn.Storage.Redundancy = "GZRS"
	tn.Storage.QuotaGB = 6000
	p, err := plan.Run(plan.Options{Stack: "test-fr"}, func(ctx *pulumi.Context) error {
		_, err := NewTenant(ctx, "tenant-acme", &TenantArgs{Tenant: tn, Region: region, Platform: withEnvironments(testPlatform(), tn)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db := p.Get(tDatabase, "tenant-acme-db")
	want(t, db, "sku.tier", "BusinessCritical")
	want(t, db, "zoneRedundant", true)
	st := p.Get(tAccount, "tenant-acme-storage")
	want(t, st, "sku.name", "Standard_GZRS")
	want(t, st, "largeFileSharesState", "Enabled")
	if p.OfType(tDCR) != nil {
		t.Errorf("no data collection rule given, yet associations exist")
	}
}
