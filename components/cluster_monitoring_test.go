// The workspace, the VM data collection rule and the diagnostic settings.

package components

import (
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

func TestClusterMonitoring(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	ws := cr.get(t, ctWorkspace, cr.n("log"))
	check(t, ws, "workspaceName", "log-kpax-fr")
	check(t, ws, "sku.name", "PerGB2018")
	check(t, ws, "retentionInDays", 90)
	// Entra-authenticated writers only: no shared key.
	check(t, ws, "features.disableLocalAuth", true)
	if cr.out("workspaceId") != ws.ID {
		t.Errorf("Platform.WorkspaceID = %q", cr.out("workspaceId"))
	}
	dcr := cr.get(t, ctDCR, cr.n("dcr-vm"))
	check(t, dcr, "destinations.logAnalytics.0.workspaceResourceId", ws.ID)
	if cr.out("dataCollectionRuleId") != dcr.ID {
		t.Errorf("Platform.DataCollectionRuleID = %q", cr.out("dataCollectionRuleId"))
	}

	diagnosed := map[string]*plan.Resource{}
	for _, d := range cr.plan.OfType(ctDiag) {
		check(t, d, "workspaceId", ws.ID)
		if diagnosed[d.String("resourceUri")] != nil {
			t.Errorf("two diagnostic settings for %s", d.String("resourceUri"))
		}
		diagnosed[d.String("resourceUri")] = d
	}
	// Every resource here that has diagnostic settings sends them.
	for _, typ := range []string{ctWorkspace, ctVNet, ctNSG, ctPIP, ctLB, ctBastion, ctKV, ctRSV, ctAGW, ctEnv} {
		rs := cr.plan.OfType(typ)
		if len(rs) == 0 {
			t.Errorf("no %s", typ)
		}
		for _, res := range rs {
			if diagnosed[res.ID] == nil {
				t.Errorf("%s %s has no diagnostic setting", typ, res.Name)
			}
		}
	}
	for _, sql := range cr.plan.OfType(ctSQL) {
		d := diagnosed[sql.ID+"/databases/master"]
		if d == nil {
			t.Errorf("SQL server %s: no diagnostic setting on master", sql.Name)
			continue
		}
		check(t, d, "logs.0.category", "SQLSecurityAuditEvents")
	}
}
