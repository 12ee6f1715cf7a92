// The operators' ways into a tenant (tenant_access.go) and their trace
// (cluster_access.go).

package components

import (
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Each running tenant grants its session role to the operators' group, on
// its own resource group, and to no one else; a decommissioned one grants
// nothing.
func TestTenantSessionRoleIsTheOperatorsOnly(t *testing.T) {
	p := runTenants(t, containerTenant("acme", spec.StateActive), vmTenant("globex", spec.StateSuspended),
		containerTenant("gone", spec.StateDecommissioned))
	for _, tc := range []struct{ tenant, role string }{
		{"acme", roleContainerAppsOperator},
		{"globex", testRunCommandRole},
	} {
		rs := tenantResources(t, p, tc.tenant)
		rg := one(t, rs, tRG)
		var session []*plan.Resource
		for _, ra := range ofType(rs, tRole) {
			role := ra.String("roleDefinitionId")
			if strings.HasSuffix(role, "/"+roleContainerAppsOperator) || strings.HasSuffix(role, "/"+testRunCommandRole) {
				session = append(session, ra)
			}
		}
		if len(session) != 1 {
			t.Fatalf("%s: %d session role assignments, want 1", tc.tenant, len(session))
		}
		ra := session[0]
		if !strings.HasSuffix(ra.String("roleDefinitionId"), "/"+tc.role) {
			t.Errorf("%s: session role %s, want %s", tc.tenant, ra.String("roleDefinitionId"), tc.role)
		}
		want(t, ra, "principalId", testOperators)
		want(t, ra, "principalType", "Group")
		want(t, ra, "scope", rg.ID)
	}
	for _, ra := range ofType(tenantResources(t, p, "gone"), tRole) {
		if ra.String("principalId") == testOperators {
			t.Errorf("decommissioned tenant grants the operators %s", ra.String("roleDefinitionId"))
		}
	}
}

// The stamp defines the run-command role with run command only, sends the
// Activity Log to its workspace, and alerts on sessions outside the
// announced windows.
func TestClusterSessionTrace(t *testing.T) {
	r := clusterTestRegion("fr")
	r.Interventions = []spec.Intervention{
		{Tenant: "fracme", From: "2026-03-02T08:00:00Z", To: "2026-03-02T10:00:00Z", Ticket: "CHG-1"},
		{From: "2026-03-03T08:00:00Z", To: "2026-03-03T09:00:00Z", Ticket: "CHG-2"},
	}
	cr := runCluster(t, r, clusterTestTenants("fr"))

	role := cr.get(t, "azure-native:authorization:RoleDefinition", cr.n("role-run-command"))
	check(t, role, "roleName", "kpax run command operator (fr)")
	actions := stringsOf(list(role, "permissions")[0]["actions"])
	if !containsString(actions, "Microsoft.Compute/virtualMachines/runCommand/action") {
		t.Errorf("run-command role lacks runCommand/action: %v", actions)
	}
	for _, a := range actions {
		if strings.Contains(a, "*") || strings.Contains(a, "extensions") || strings.Contains(a, "SerialConsole") || strings.HasSuffix(a, "virtualMachines/write") {
			t.Errorf("run-command role carries %s, more than run command", a)
		}
	}

	diag := cr.get(t, "azure-native:insights:SubscriptionDiagnosticSetting", cr.n("activity-log"))
	check(t, diag, "name", "kpax-activity-fr")
	check(t, diag, "workspaceId", cr.out("workspaceId"))
	var cats []string
	for _, l := range list(diag, "logs") {
		if l["enabled"] == true {
			cats = append(cats, l["category"].(string))
		}
	}
	if !containsString(cats, "Administrative") {
		t.Errorf("activity log categories %v lack Administrative, where sessions are recorded", cats)
	}

	alert := cr.get(t, "azure-native:insights:ScheduledQueryRule", cr.n("alert-os-sessions"))
	check(t, alert, "scopes", []any{cr.out("workspaceId")})
	check(t, alert, "enabled", true)
	q := alert.String("criteria.allOf.0.query")
	for _, w := range []string{
		`"MICROSOFT.APP/CONTAINERAPPS/GETAUTHTOKEN/ACTION"`,
		`"MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"`,
		`"MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION"`,
		`| where ResourceGroup startswith "rg-kpax-fr-"`,
		`(TimeGenerated between (datetime(2026-03-02T08:00:00Z) .. datetime(2026-03-02T10:00:00Z)) and ResourceGroup =~ "rg-kpax-fr-fracme")`,
		`(TimeGenerated between (datetime(2026-03-03T08:00:00Z) .. datetime(2026-03-03T09:00:00Z)))`,
	} {
		if !strings.Contains(q, w) {
			t.Errorf("session query lacks %s:\n%s", w, q)
		}
	}
	for _, tn := range clusterTestTenants("fr") {
		if strings.Contains(q, tn.Name) && tn.Name != "fracme" {
			t.Errorf("session query names tenant %s: adding a tenant would change the platform:\n%s", tn.Name, q)
		}
	}
}
