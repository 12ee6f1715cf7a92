// The internal, zone-redundant Container Apps environment.

package components

import (
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

func TestClusterContainerAppsEnvironment(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	env := cr.get(t, ctEnv, cr.n("cae"))
	check(t, env, "environmentName", "cae-kpax-fr")
	check(t, env, "zoneRedundant", true)
	check(t, env, "vnetConfiguration.internal", true)
	check(t, env, "vnetConfiguration.infrastructureSubnetId", cr.get(t, ctSubnet, cr.n("snet-apps")).ID)
	check(t, env, "workloadProfiles.0.name", "Consumption")
	check(t, env, "workloadProfiles.0.workloadProfileType", "Consumption")
	// Logs through Azure Monitor: a diagnostic setting to the workspace,
	// and no shared key anywhere (the workspace refuses it).
	check(t, env, "appLogsConfiguration.destination", "azure-monitor")
	if got := env.Get("appLogsConfiguration.logAnalyticsConfiguration"); got != nil {
		t.Errorf("appLogsConfiguration.logAnalyticsConfiguration = %v, want none", got)
	}
	for _, e := range cr.plan.OfType(ctEnv) {
		var diag *plan.Resource
		for _, d := range cr.plan.OfType(ctDiag) {
			if d.String("resourceUri") == e.ID {
				diag = d
			}
		}
		if diag == nil {
			t.Errorf("environment %s: no diagnostic setting", e.Name)
			continue
		}
		check(t, diag, "workspaceId", cr.get(t, ctWorkspace, cr.n("log")).ID)
		check(t, diag, "logs.0.categoryGroup", "allLogs")
		check(t, diag, "logs.0.enabled", true)
	}
	if cr.out("plain/workloadProfile") != "Consumption" {
		t.Errorf("Platform.EnvironmentWorkloadProfile = %q", cr.out("plain/workloadProfile"))
	}

	// The private zone of the environment's default domain resolves every
	// app to the environment's static IP.
	zone := cr.get(t, ctPZone, cr.n("cae-dns"))
	if dd := cr.out("environmentDefaultDomain"); dd != "" {
		check(t, zone, "privateZoneName", dd)
	}
	record := cr.get(t, ctPRecord, cr.n("cae-dns-wildcard"))
	check(t, record, "relativeRecordSetName", "*")
	check(t, record, "recordType", "A")
	if ip := cr.out("environmentStaticIp"); ip != "" {
		check(t, record, "aRecords.0.ipv4Address", ip)
	}
	link := cr.get(t, ctLink, cr.n("cae-dns-link"))
	check(t, link, "virtualNetwork.id", cr.get(t, ctVNet, cr.n("vnet")).ID)
	check(t, link, "registrationEnabled", false)
}
