// The stamp's alerting and guardrails: action group, Application Insights,
// platform alerts, the initiatives and their assignments.

package components

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/guardrails"
	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func TestClusterAlerting(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	rg := cr.get(t, ctRG, cr.n("rg"))

	ag := cr.get(t, ctAG, cr.n("alerts"))
	check(t, ag, "actionGroupName", "ag-kpax-fr")
	check(t, ag, "location", "Global")
	check(t, ag, "enabled", true)
	check(t, ag, "resourceGroupName", rg.String("resourceGroupName"))
	if short := ag.String("groupShortName"); short != "kpax-fr" || len(short) > 12 {
		t.Errorf("groupShortName %q: at most 12 characters", short)
	}
	emails := list(ag, "emailReceivers")
	if len(emails) != 2 || emails[0]["emailAddress"] != "oncall@kpax.cloud" || emails[1]["emailAddress"] != "lead@kpax.cloud" ||
		emails[0]["name"] == emails[1]["name"] || emails[0]["useCommonAlertSchema"] != true {
		t.Errorf("email receivers %v", emails)
	}
	if hooks := list(ag, "webhookReceivers"); len(hooks) != 1 || hooks[0]["serviceUri"] != "https://pager.example/hook" || hooks[0]["useCommonAlertSchema"] != true {
		t.Errorf("webhook receivers %v", hooks)
	}

	appi := cr.get(t, ctAppi, cr.n("appi"))
	check(t, appi, "resourceName", "appi-kpax-fr")
	check(t, appi, "kind", "web")
	check(t, appi, "ingestionMode", "LogAnalytics")
	check(t, appi, "workspaceResourceId", cr.get(t, ctWorkspace, cr.n("log")).ID)
	check(t, appi, "location", "francecentral")

	agID := ag.ID
	for what, want := range map[string]struct {
		scope, metric string
		dims          string
	}{
		"gateway-5xx":    {cr.get(t, ctAGW, cr.n("agw")).ID, "BackendResponseStatus", "HttpStatusGroup Include [5xx]"},
		"backup-health":  {cr.get(t, ctRSV, cr.n("rsv")).ID, "BackupHealthEvent", "healthStatus Exclude [Healthy]; dataSourceURL Include [*]"},
		"backup-missing": {cr.get(t, ctRSV, cr.n("rsv")).ID, "BackupHealthEvent", "dataSourceURL Include [*]"},
	} {
		a := cr.get(t, ctAlert, cr.n("alert-"+what))
		check(t, a, "ruleName", "kpax-fr-"+what)
		check(t, a, "location", "global")
		checkAlert(t, a, want.scope, want.metric, want.dims, agID)
	}
	vault := cr.get(t, ctRSV, cr.n("rsv"))
	check(t, vault, "properties.monitoringSettings.azureMonitorAlertSettings.alertsForAllJobFailures", "Enabled")
	check(t, vault, "properties.monitoringSettings.classicAlertSettings.alertsForCriticalOperations", "Disabled")
}

// checkAlert: a metric alert watches one metric of scope, with these
// dimensions ("name operator [values]; ..."), and sends to the action group.
func checkAlert(t *testing.T, a *plan.Resource, scope, metric, dims, actionGroup string) {
	t.Helper()
	if s := a.Strings("scopes"); len(s) != 1 || s[0] != scope {
		t.Errorf("%s: scopes %v, want [%s]", a.Name, s, scope)
	}
	check(t, a, "enabled", true)
	check(t, a, "criteria.odataType", "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria")
	crit := list(a, "criteria.allOf")
	if len(crit) != 1 || crit[0]["metricName"] != metric || crit[0]["criterionType"] != "StaticThresholdCriterion" {
		t.Fatalf("%s: criteria %v, want one static threshold on %s", a.Name, crit, metric)
	}
	var got []string
	for _, d := range list(a, "criteria.allOf.0.dimensions") {
		got = append(got, fmt.Sprintf("%v %v %v", d["name"], d["operator"], d["values"]))
	}
	if strings.Join(got, "; ") != dims {
		t.Errorf("%s: dimensions %q, want %q", a.Name, strings.Join(got, "; "), dims)
	}
	if acts := list(a, "actions"); len(acts) != 1 || acts[0]["actionGroupId"] != actionGroup {
		t.Errorf("%s: actions %v, want the action group", a.Name, acts)
	}
}

func TestClusterWithoutWebhook(t *testing.T) {
	r := clusterTestRegion("uk")
	r.Alerts.Webhook = ""
	cr := runCluster(t, r, clusterTestTenants("uk"))
	if hooks := cr.get(t, ctAG, cr.n("alerts")).Get("webhookReceivers"); hooks != nil {
		t.Errorf("webhook receivers %v without a webhook", hooks)
	}
}

func TestClusterGuardrails(t *testing.T) {
	r := clusterTestRegion("fr")
	cr := runCluster(t, r, clusterTestTenants("fr"))
	for kind, members := range map[string][]guardrails.Member{"platform": guardrails.Platform(r), "tenant": guardrails.Tenant(r)} {
		set := cr.get(t, ctPolicySet, cr.n("guardrails-"+kind))
		check(t, set, "policySetDefinitionName", "kpax-guardrails-fr-"+kind)
		check(t, set, "policyType", "Custom")
		refs := list(set, "policyDefinitions")
		if len(refs) != len(members) {
			t.Fatalf("%s initiative: %d members, want %d", kind, len(refs), len(members))
		}
		for i, m := range members {
			if refs[i]["policyDefinitionId"] != m.DefinitionID || refs[i]["policyDefinitionReferenceId"] != m.Ref {
				t.Errorf("%s member %d: %v, want %s (%s)", kind, i, refs[i], m.Ref, m.DefinitionID)
			}
			params, _ := refs[i]["parameters"].(map[string]any)
			for k, v := range m.Params {
				p, _ := params[k].(map[string]any)
				if fmt.Sprint(p["value"]) != fmt.Sprint(v) {
					t.Errorf("%s member %s: parameter %s = %v, want %v", kind, m.Ref, k, p["value"], v)
				}
			}
		}
	}
	locations := guardrails.Platform(r)[0]
	if fmt.Sprint(locations.Params["listOfAllowedLocations"]) != "[francecentral]" || locations.Effect != "Deny" {
		t.Errorf("allowed locations: %v", locations)
	}
	rg := cr.get(t, ctRG, cr.n("rg"))
	set := cr.get(t, ctPolicySet, cr.n("guardrails-platform"))
	a := cr.get(t, ctAssign, cr.n("guardrails"))
	check(t, a, "scope", rg.ID)
	check(t, a, "policyDefinitionId", set.ID)
	check(t, a, "enforcementMode", "Default")
	zr := cr.get(t, ctAssign, cr.n("zone-resilience"))
	check(t, zr, "scope", rg.ID)
	check(t, zr, "policyDefinitionId", guardrails.ZoneResilienceInitiative)
	check(t, zr, "parameters.effect.value", "Audit")
	if got := cr.out("tenantGuardrailsId"); got != "" && got != cr.get(t, ctPolicySet, cr.n("guardrails-tenant")).ID {
		t.Errorf("Platform.TenantGuardrailsID = %q", got)
	}
}

func TestTenantAlerts(t *testing.T) {
	for _, rt := range []spec.Runtime{spec.RuntimeContainer, spec.RuntimeVM} {
		tn := baseTenant("acme", rt, spec.StateActive)
		p := runTenants(t, tn)
		rs := tenantResources(t, p, "acme")
		test := one(t, rs, tWebTest)
		for path, v := range map[string]any{
			"webTestName":                            "wt-kpax-fr-acme",
			"syntheticMonitorId":                     "wt-kpax-fr-acme",
			"kind":                                   "standard",
			"webTestKind":                            "standard",
			"resourceGroupName":                      testPlatformRG,
			"request.requestUrl":                     "https://acme.fr.kpax.cloud/healthz",
			"request.httpVerb":                       "GET",
			"validationRules.expectedHttpStatusCode": 200,
			"validationRules.sSLCheck":               true,
			"frequency":                              300,
			"retryEnabled":                           true,
			"tags.tenant":                            "acme",
		} {
			want(t, test, path, v)
		}
		// The key holds dots: read the tags whole.
		if tags, _ := test.Get("tags").(map[string]any); tags["hidden-link:"+testAppInsightsID] != "Resource" {
			t.Errorf("test tags %v: no hidden-link to the Application Insights resource", tags)
		}
		if locs := list(test, "locations"); len(locs) != 5 || locs[0]["location"] != "emea-fr-pra-edge" {
			t.Errorf("test locations %v", locs)
		}
		alerts := map[string]*plan.Resource{}
		for _, r := range rs {
			if r.Type == tAlert {
				alerts[strings.TrimPrefix(r.Name, "tenant-acme-alert-")] = r
				if !strings.HasPrefix(r.String("ruleName"), "kpax-acme-") || r.String("resourceGroupName") != "rg-kpax-fr-acme" {
					t.Errorf("%s: rule %q in %q: must name the tenant and sit in its group", r.Name, r.String("ruleName"), r.String("resourceGroupName"))
				}
			}
		}
		avail := alerts["availability"]
		if avail == nil {
			t.Fatalf("%s: no availability alert among %v", rt, alerts)
		}
		want(t, avail, "criteria.odataType", "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria")
		want(t, avail, "criteria.webTestId", test.ID)
		want(t, avail, "criteria.componentId", testAppInsightsID)
		want(t, avail, "criteria.failedLocationCount", 3) // 5 locations, all but 2
		if s := avail.Strings("scopes"); len(s) != 2 || s[0] != test.ID || s[1] != testAppInsightsID {
			t.Errorf("availability scopes %v", s)
		}
		db := one(t, rs, tDatabase)
		acct := named(t, rs, tAccount, "tenant-acme-storage")
		for what, w := range map[string]struct{ scope, metric, dims string }{
			"gateway-backend":       {testGatewayID, "UnhealthyHostCount", "BackendSettingsPool Include [pool-acme~tenant-acme]"},
			"server-5xx":            {testGatewayID, "BackendResponseStatus", "BackendPool Include [pool-acme]; HttpStatusGroup Include [5xx]"},
			"database-availability": {db.ID, "availability", ""},
			"files-availability":    {acct.ID + "/fileServices/default", "Availability", ""},
		} {
			a := alerts[what]
			if a == nil {
				t.Errorf("%s: no %s alert", rt, what)
				continue
			}
			checkAlert(t, a, w.scope, w.metric, w.dims, testActionGroupID)
		}
	}
	for _, state := range []spec.State{spec.StateSuspended, spec.StateDecommissioned} {
		p := runTenants(t, containerTenant("acme", state))
		for _, r := range tenantResources(t, p, "acme") {
			if r.Type == tAlert || r.Type == tWebTest {
				t.Errorf("%s tenant has %s %s: it serves nothing, so it must raise no alarm", state, r.Type, r.Name)
			}
		}
	}
}

func TestTenantGuardrails(t *testing.T) {
	for _, state := range []spec.State{spec.StateActive, spec.StateSuspended, spec.StateDecommissioned} {
		p := runTenants(t, containerTenant("acme", state))
		rs := tenantResources(t, p, "acme")
		rg := one(t, rs, tRG)
		byName := map[string]*plan.Resource{}
		for _, r := range rs {
			if r.Type == tPolicy {
				byName[r.String("policyAssignmentName")] = r
			}
		}
		g, z := byName["kpax-guardrails"], byName["kpax-zone-resilience"]
		if g == nil || z == nil {
			t.Fatalf("%s: assignments %v", state, byName)
		}
		want(t, g, "scope", rg.ID)
		want(t, g, "policyDefinitionId", testGuardrailsID)
		want(t, z, "scope", rg.ID)
		want(t, z, "policyDefinitionId", guardrails.ZoneResilienceInitiative)
	}
}
