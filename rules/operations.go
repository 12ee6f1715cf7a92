// Rules on operations: every stamp tells its operators when a promise breaks
// (alerting), and Azure enforces the guardrails on everyone (guardrails).

package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kpax/kpax-cloud/guardrails"
	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// healthPath is where the KPAX server answers the gateway's and the
// availability tests' probes.
const healthPath = "/healthz"

// checkAlerting: the stamp has one action group with the region file's
// receivers, a workspace-based Application Insights resource, the gateway's
// 5xx and the vault's backup-health alerts; every active tenant has a
// standard availability test of its URL and the alerts on its gateway pool,
// database and share; no other tenant has any; every alert sends to the
// action group.
func checkAlerting(c *checker) {
	groups := c.ofKind(typeActionGroup)
	if len(groups) != 1 {
		c.report(nil, nil, paths("alerts.email", "alerts"), "stack %s has %d action groups, want 1: the receivers of regions/%s.yaml alerts", c.p.Stack, len(groups), c.region.Name)
		return
	}
	group := groups[0]
	var emails []string
	for _, r := range listOf(group.Get("emailReceivers")) {
		if s, ok := r["emailAddress"].(string); ok {
			emails = append(emails, s)
		}
	}
	if !sameSet(emails, c.region.Alerts.Email) || group.Get("enabled") != true {
		c.report(group, nil, paths("alerts.email", "alerts"), "action group %s sends to %v (enabled %v), want %v, enabled", physicalName(group, "actionGroupName"), emails, group.Get("enabled"), c.region.Alerts.Email)
	}
	var hooks []string
	for _, r := range listOf(group.Get("webhookReceivers")) {
		if s, ok := r["serviceUri"].(string); ok {
			hooks = append(hooks, s)
		}
	}
	if want := c.region.Alerts.Webhook; (want == "") != (len(hooks) == 0) || (want != "" && !slices.Contains(hooks, want)) {
		c.report(group, nil, paths("alerts.webhook", "alerts"), "action group %s posts to %v, want %q", physicalName(group, "actionGroupName"), hooks, want)
	}

	components := c.ofKind(typeAppInsights)
	if len(components) != 1 || components[0].String("workspaceResourceId") == "" {
		c.report(nil, nil, paths("alerts"), "stack %s needs one workspace-based Application Insights resource for its availability tests (has %d)", c.p.Stack, len(components))
	}
	alerts := c.ofKind(typeMetricAlert)
	for _, a := range alerts {
		sends := false
		for _, act := range listOf(a.Get("actions")) {
			if strings.EqualFold(fmt.Sprint(act["actionGroupId"]), group.ID) {
				sends = true
			}
		}
		if !sends || a.Get("enabled") != true {
			c.report(a, paths("state"), paths("alerts"), "alert %s does not send to the action group %s, or is disabled: nobody is told", physicalName(a, "ruleName"), physicalName(group, "actionGroupName"))
		}
	}
	var platform []*plan.Resource
	for _, a := range alerts {
		if c.ownerC[a] == nil {
			platform = append(platform, a)
		}
	}
	for _, w := range []struct{ kind, metric, operator, what string }{
		{typeAppGateway, "BackendResponseStatus", "GreaterThan", "the gateway's 5xx"},
		{typeRecoveryVault, "BackupHealthEvent", "GreaterThan", "the tenants' failed backups"},
		{typeRecoveryVault, "BackupHealthEvent", "LessThan", "the tenants' missed backups"},
	} {
		for _, target := range c.ofKind(w.kind) {
			found := false
			for _, a := range alertsOn(platform, target.ID, w.metric) {
				for _, crit := range listOf(a.Get("criteria.allOf")) {
					found = found || crit["operator"] == w.operator
				}
			}
			if !found {
				c.report(target, nil, paths("alerts"), "no alert watches %s (%s %s of %s)", w.what, w.metric, w.operator, physicalName(target, ""))
			}
		}
	}

	tests := c.ofKind(typeWebTest)
	for _, t := range c.stampTenants() {
		comp := c.p.Get(typeTenant, t.Name)
		if comp == nil {
			continue
		}
		mine := map[string][]*plan.Resource{}
		for _, r := range c.p.Descendants(comp) {
			mine[kind(r.Type)] = append(mine[kind(r.Type)], r)
		}
		if !t.Active() {
			for _, r := range append(mine[typeWebTest], mine[typeMetricAlert]...) {
				c.reportTenant(t, r, paths("state"), "tenant %s is %s, yet %s probes or alerts on it: it serves nothing, so it can only raise false alarms", t.Name, t.State, physicalName(r, ""))
			}
			continue
		}
		c.checkTenantAlerts(t, mine, tests, alerts)
	}
}

// checkTenantAlerts: an active tenant's test and alerts.
func (c *checker) checkTenantAlerts(t *spec.Tenant, mine map[string][]*plan.Resource, tests, alerts []*plan.Resource) {
	url := "https://" + t.DNS.Hostname + "." + c.region.DNSZone + healthPath
	var test *plan.Resource
	for _, w := range tests {
		if w.String("request.requestUrl") == url {
			test = w
		}
	}
	switch {
	case test == nil:
		c.reportTenant(t, nil, paths("state"), "active tenant %s has no availability test of %s", t.Name, url)
	case test.String("kind") != "standard" || test.String("webTestKind") != "standard":
		c.reportTenant(t, test, paths("state"), "availability test %s is a %q/%q test, want standard/standard: ping tests retire (learn.microsoft.com/azure/azure-monitor/app/availability)", physicalName(test, ""), test.String("kind"), test.String("webTestKind"))
	case len(listOf(test.Get("locations"))) < spec.MinTestLocations || test.Get("enabled") != true:
		c.reportTenant(t, test, paths("state"), "availability test %s runs from %d locations (enabled %v), want at least %d, enabled", physicalName(test, ""), len(listOf(test.Get("locations"))), test.Get("enabled"), spec.MinTestLocations)
	}
	if test != nil {
		fired := false
		for _, a := range mine[typeMetricAlert] {
			if strings.EqualFold(a.String("criteria.webTestId"), test.ID) {
				n, _ := a.Get("criteria.failedLocationCount").(float64)
				fired = n >= 2
			}
		}
		if !fired {
			c.reportTenant(t, test, paths("state"), "no alert of tenant %s fires when its availability test fails from two or more locations", t.Name)
		}
	}
	pool := "pool-" + t.Name
	watched := map[string]bool{}
	for _, a := range mine[typeMetricAlert] {
		if !strings.Contains(physicalName(a, "ruleName"), t.Name) {
			c.reportTenant(t, a, paths("name"), "alert %s of tenant %s does not name the tenant", physicalName(a, "ruleName"), t.Name)
		}
		for _, crit := range listOf(a.Get("criteria.allOf")) {
			metric := fmt.Sprint(crit["metricName"])
			for _, d := range listOf(crit["dimensions"]) {
				for _, v := range stringList(d["values"]) {
					if v == pool || strings.HasPrefix(v, pool+"~") {
						watched[metric+" pool"] = true
					}
				}
			}
			watched[metric] = true
		}
	}
	if !watched["UnhealthyHostCount pool"] {
		c.reportTenant(t, nil, paths("state"), "no alert watches the gateway's backend health of tenant %s (UnhealthyHostCount of pool %s)", t.Name, pool)
	}
	if !watched["BackendResponseStatus pool"] {
		c.reportTenant(t, nil, paths("state"), "no alert watches the server errors of tenant %s (BackendResponseStatus of pool %s)", t.Name, pool)
	}
	for _, w := range []struct{ kind, metric, what string }{
		{typeSQLDatabase, "availability", "database"},
		{typeStorageAccount, "Availability", "file share"},
	} {
		for _, target := range mine[w.kind] {
			scope := target.ID
			if w.kind == typeStorageAccount {
				// The account that holds the share: the tenant's blob
				// copy (components/tenant_blobcopy.go) has none.
				if !slices.ContainsFunc(mine[typeFileShare], func(s *plan.Resource) bool {
					return strings.EqualFold(s.String("accountName"), physicalName(target, "accountName"))
				}) {
					continue
				}
				scope += "/fileServices/default"
			}
			if len(alertsOn(alerts, scope, w.metric)) == 0 {
				c.reportTenant(t, target, paths("state"), "no alert watches the availability of tenant %s's %s (%s of %s)", t.Name, w.what, w.metric, physicalName(target, ""))
			}
		}
	}
}

// alertsOn are the alerts scoped to id that watch metric.
func alertsOn(alerts []*plan.Resource, id, metric string) []*plan.Resource {
	var out []*plan.Resource
	for _, a := range alerts {
		if !slices.ContainsFunc(stringList(a.Get("scopes")), func(s string) bool { return strings.EqualFold(s, id) }) {
			continue
		}
		for _, crit := range listOf(a.Get("criteria.allOf")) {
			if crit["metricName"] == metric {
				out = append(out, a)
			}
		}
	}
	return out
}

// checkGuardrails: the stamp's initiatives hold every built-in of
// guardrails with its effect and parameters, and the platform group and
// every tenant's group carry their initiative and the zone-resilience
// audit, enforced.
func checkGuardrails(c *checker) {
	sets := map[string]*plan.Resource{}
	for _, s := range c.ofKind(typePolicySet) {
		for _, kind := range []string{"platform", "tenant"} {
			if strings.HasSuffix(physicalName(s, "policySetDefinitionName"), "-"+kind) {
				sets[kind] = s
			}
		}
	}
	for kind, members := range map[string][]guardrails.Member{"platform": guardrails.Platform(c.region), "tenant": guardrails.Tenant(c.region)} {
		s := sets[kind]
		if s == nil {
			c.report(nil, nil, paths("location"), "stack %s has no guardrails initiative for %s resource groups", c.p.Stack, kind)
			continue
		}
		refs := map[string]map[string]any{}
		for _, r := range listOf(s.Get("policyDefinitions")) {
			refs[fmt.Sprint(r["policyDefinitionReferenceId"])] = r
		}
		for _, m := range members {
			r := refs[m.Ref]
			if r == nil || !strings.EqualFold(fmt.Sprint(r["policyDefinitionId"]), m.DefinitionID) {
				c.report(s, nil, paths("location"), "initiative %s lacks %q (%s): %s", physicalName(s, "policySetDefinitionName"), m.DisplayName, m.DefinitionID, m.Why)
				continue
			}
			params, _ := r["parameters"].(map[string]any)
			for k, want := range m.Params {
				p, _ := params[k].(map[string]any)
				if fmt.Sprint(p["value"]) != fmt.Sprint(want) {
					c.report(s, nil, paths("location"), "initiative %s: %q has %s = %v, want %v: %s", physicalName(s, "policySetDefinitionName"), m.DisplayName, k, p["value"], want, m.Why)
				}
			}
		}
	}
	assignments := map[string][]*plan.Resource{} // lower-cased scope -> assignments
	for _, a := range c.ofKind(typePolicyAssignment) {
		assignments[strings.ToLower(a.String("scope"))] = append(assignments[strings.ToLower(a.String("scope"))], a)
	}
	for _, rg := range c.ofKind(typeResourceGroup) {
		kind := "platform"
		if c.owner[rg] != nil {
			kind = "tenant"
		}
		var own, zone bool
		for _, a := range assignments[strings.ToLower(rg.ID)] {
			enforced := a.String("enforcementMode") == "" || a.String("enforcementMode") == "Default"
			switch {
			case sets[kind] != nil && strings.EqualFold(a.String("policyDefinitionId"), sets[kind].ID):
				own = enforced
			case strings.EqualFold(a.String("policyDefinitionId"), guardrails.ZoneResilienceInitiative):
				zone = enforced && a.String("parameters.effect.value") != "Disabled"
			}
		}
		name := physicalName(rg, "resourceGroupName")
		if !own {
			c.report(rg, paths("name"), paths("location"), "resource group %s does not carry the stamp's %s guardrails, enforced", name, kind)
		}
		if !zone {
			c.report(rg, paths("name"), paths("location"), "resource group %s does not carry the zone-resilience audit (%s)", name, guardrails.ZoneResilienceInitiative)
		}
	}
}
