package rules

import (
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

// The hand-built plan keeps every promise: no rule reports anything.
func TestGoodPlanPassesEveryRule(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			if vs := run(t, name, goodPlan()); len(vs) != 0 {
				t.Errorf("%d violation(s) on the good plan:\n%s", len(vs), lines(vs))
			}
		})
	}
	if vs := Check(goodPlan(), project(t), "fr"); len(vs) != 0 {
		t.Errorf("Check: %d violation(s) on the good plan:\n%s", len(vs), lines(vs))
	}
}

func lines(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  " + v.String() + "\n")
	}
	return b.String()
}

// ruleCase breaks the good plan one way and says which violation follows:
// the rule, where it points (file:line:[col:]) and words of the message.
type ruleCase struct {
	name  string
	rule  string
	give  func(t *testing.T, p *plan.Plan)
	at    string
	words string
	urn   string // logical name of the resource named, "" for the tenant's own file
}

func set(name, path string, v any) func(t *testing.T, p *plan.Plan) {
	return func(t *testing.T, p *plan.Plan) {
		t.Helper()
		r := find(t, p, name)
		steps := strings.Split(path, ".")
		m := r.Inputs
		for _, s := range steps[:len(steps)-1] {
			next, ok := m[s].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[s] = next
			}
			m = next
		}
		if v == nil {
			delete(m, steps[len(steps)-1])
			return
		}
		m[steps[len(steps)-1]] = v
	}
}

func drop(name string) func(t *testing.T, p *plan.Plan) {
	return func(t *testing.T, p *plan.Plan) { t.Helper(); remove(t, p, name) }
}

func nsgRule(rule map[string]any) func(t *testing.T, p *plan.Plan) {
	return func(t *testing.T, p *plan.Plan) {
		r := find(t, p, "region-fr-nsg-vms")
		r.Inputs["securityRules"] = append(r.Inputs["securityRules"].([]any), rule)
	}
}

func inbound(ports any, source string) map[string]any {
	m := map[string]any{"name": "bad", "access": "Allow", "direction": "Inbound", "sourceAddressPrefix": source}
	if s, ok := ports.(string); ok {
		m["destinationPortRange"] = s
	} else {
		m["destinationPortRanges"] = ports
	}
	return m
}

var cases = []ruleCase{
	// zones
	{"public IP in two zones", RuleZones, set("region-fr-pip-agw", "zones", list("1", "2")), regionZones, `zones = [1 2]: must list all of the region's zones`, "region-fr-pip-agw"},
	{"bastion without zones", RuleZones, set("region-fr-bastion", "zones", nil), regionZones, "takes zones but lists none", "region-fr-bastion"},
	{"egress IP outside the region's zones", RuleZones, set("region-fr-pip-egress", "zones", list("4")), regionZones, "must list all of the region's zones", "region-fr-pip-egress"},
	// zone failure
	{"egress pinned to one zone", RuleZoneFailure, set("region-fr-pip-egress", "zones", list("1")), regionZones, "alone of its kind on the tenants' path", "region-fr-egress-lb"},
	{"VM egress lost with its zone", RuleZoneFailure, set("region-fr-pip-egress", "zones", list("1")), "tenants/fr/bravo.yaml:1:7:", "losing zone 1 leaves tenant bravo no working egress", "bravo"},
	{"VMs without an outbound path", RuleZoneFailure, set("bravo-vm-1-nic", "ipConfigurations", list(map[string]any{"name": "ipconfig1"})), "tenants/fr/bravo.yaml:1:7:", "no outbound path", "bravo"},
	{"container tenant's environment not zone redundant", RuleZoneFailure, set("region-fr-cae", "zoneRedundant", false), "tenants/fr/acme.yaml:1:7:", "no working compute", "acme"},
	{"one replica", RuleZoneFailure, set("acme-app", "template.scale.minReplicas", 1.0), "tenants/fr/acme.yaml:1:7:", "keeps 1 replica", "acme"},
	{"VMs in one zone", RuleZones, set("bravo-vm-2", "zones", list("1")), bravoInstances, "spread them over the region's zones", "bravo"},
	{"storage LRS", RuleZones, set("acme-storage", "sku.name", "Standard_LRS"), acmeRedundancy, `"Standard_LRS" is not zone redundant`, "acme-storage"},
	{"database not zone redundant", RuleZones, set("acme-db", "zoneRedundant", false), "tenants/fr/acme.yaml:10:8:", "zoneRedundant must be true", "acme-db"},
	{"environment not zone redundant", RuleZones, set("region-fr-cae", "zoneRedundant", nil), regionZones, "zoneRedundant", "region-fr-cae"},
	{"recovery vault LRS", RuleZones, set("region-fr-rsv", "properties.redundancySettings.standardTierStorageRedundancy", "LocallyRedundant"), regionZones, "must be ZoneRedundant", "region-fr-rsv"},

	// residency
	{"tenant resource in another location", RuleResidency, set("acme-kv", "location", "westeurope"), acmeRegion, `location is "westeurope"`, "acme-kv"},
	{"platform resource in the paired location", RuleResidency, set("region-fr-nsg-vms", "location", "francesouth"), regionLocation, "must be in francecentral", "region-fr-nsg-vms"},
	{"global outside DNS", RuleResidency, set("region-fr-pip-agw", "location", "global"), regionLocation, `location is "global"`, "region-fr-pip-agw"},
	{"paired location referenced", RuleResidency, set("acme-storage", "replication.target", "francesouth"), acmeRegion, "names the paired location", "acme-storage"},

	// management ports
	{"SSH from the internet", RuleManagementPorts, nsgRule(inbound("22", "Internet")), regionName, "allows port 22 from the internet", "region-fr-nsg-vms"},
	{"range over RDP from anywhere", RuleManagementPorts, nsgRule(inbound("3000-4000", "*")), regionName, "allows port 3389", "region-fr-nsg-vms"},
	{"WinRM in a port list from 0.0.0.0/0", RuleManagementPorts, nsgRule(inbound(list("443", "5986"), "0.0.0.0/0")), regionName, "allows port 5986", "region-fr-nsg-vms"},
	{"every port from Any", RuleManagementPorts, nsgRule(inbound("*", "Any")), regionName, "allows port 5985", "region-fr-nsg-vms"},
	{"VM NIC with a public IP", RuleManagementPorts, set("bravo-vm-1-nic", "ipConfigurations", list(map[string]any{"name": "ipconfig1", "publicIPAddress": map[string]any{"id": "/x/pip"}})),
		"tenants/fr/bravo.yaml:5:", "must have no public IP", "bravo-vm-1-nic"},

	// data services
	{"SQL server public", RuleDataServices, set("region-fr-sql-1", "publicNetworkAccess", "Enabled"), regionDatabase, "publicNetworkAccess must be Disabled", "region-fr-sql-1"},
	{"SQL server without private endpoint", RuleDataServices, drop("region-fr-pe-sql"), regionDatabase, "no private endpoint connects to Server sql-kpax-fr-1", "region-fr-sql-1"},
	{"SQL server TLS 1.0", RuleDataServices, set("region-fr-sql-1", "minimalTlsVersion", "1.0"), regionDatabase, `minimalTlsVersion must be "1.2"`, "region-fr-sql-1"},
	{"key vault public", RuleDataServices, set("acme-kv", "properties.publicNetworkAccess", "Enabled"), acmeName, "properties.publicNetworkAccess must be Disabled", "acme-kv"},
	{"key vault without private endpoint", RuleDataServices, drop("acme-pe-vault"), acmeName, "no private endpoint connects to Vault kvacme", "acme-kv"},
	{"storage without private endpoint", RuleDataServices, drop("acme-pe-blob"), acmeStorage, "no private endpoint connects to StorageAccount stacme", "acme-storage"},
	{"storage TLS 1.0", RuleDataServices, set("acme-storage", "minimumTlsVersion", "TLS1_0"), acmeStorage, "minimumTlsVersion must be TLS1_2", "acme-storage"},
	{"storage over HTTP", RuleDataServices, set("acme-storage", "enableHttpsTrafficOnly", false), acmeStorage, "enableHttpsTrafficOnly must be true", "acme-storage"},
	{"storage public blobs", RuleDataServices, set("acme-storage", "allowBlobPublicAccess", nil), acmeStorage, "allowBlobPublicAccess must be false", "acme-storage"},

	// lateral traffic
	{"VM subnet open to the VNet", RuleLateralTraffic, func(t *testing.T, p *plan.Plan) {
		r := find(t, p, "region-fr-nsg-vms")
		var kept []any
		for _, rule := range r.Inputs["securityRules"].([]any) {
			if rule.(map[string]any)["name"] != "deny-vnet-inbound" {
				kept = append(kept, rule)
			}
		}
		r.Inputs["securityRules"] = kept
	}, "regions/fr.yaml:", "does not deny the rest of the VNet", "region-fr-nsg-vms"},
	{"VM subnet admitting the VNet", RuleLateralTraffic, nsgRule(map[string]any{"name": "allow-vnet", "priority": 200.0, "access": "Allow", "direction": "Inbound", "sourceAddressPrefix": "VirtualNetwork", "destinationPortRange": "*"}),
		"regions/fr.yaml:", "allows inbound VirtualNetwork", "region-fr-nsg-vms"},
	{"ops subnet admitted to the VMs", RuleLateralTraffic, nsgRule(map[string]any{"name": "allow-ops", "priority": 200.0, "access": "Allow", "direction": "Inbound", "sourceAddressPrefix": "10.10.21.64/27", "destinationPortRanges": []any{"22"}}),
		"regions/fr.yaml:", "allows the operators' subnet 10.10.21.64/27", "region-fr-nsg-vms"},

	// completeness
	{"no tenant component", RuleCompleteness, func(t *testing.T, p *plan.Plan) {
		for _, r := range p.Resources {
			if r.Name == "acme" {
				r.Name = "renamed"
			}
		}
	}, acmeName, "tenant acme is active but stack prod-fr has no", ""},
	{"no compute", RuleCompleteness, drop("acme-app"), "tenants/fr/acme.yaml:7:", "has no compute", "acme"},
	{"no database", RuleCompleteness, drop("acme-db"), acmeDatabase, "has no sql Database", "acme"},
	{"no storage", RuleCompleteness, drop("acme-storage"), acmeStorage, "has no StorageAccount", "acme"},
	{"no DNS record", RuleCompleteness, drop("acme-dns"), acmeName, "has no DNS RecordSet", "acme"},
	{"file share not backed up", RuleCompleteness, drop("acme-share-backup"), acmeDailyAt, "file share kpax has no daily backup", "acme-share"},
	{"file share backed up weekly", RuleCompleteness, set("region-fr-policy-fs-daily", "properties.schedulePolicy.scheduleRunFrequency", "Weekly"), acmeDailyAt, "no daily backup", "acme-share"},
	{"file share item for another account", RuleCompleteness, set("acme-share-backup", "properties.sourceResourceId", sub+"/resourceGroups/rg-kpax-fr-bravo/providers/Microsoft.Storage/storageAccounts/stbravo"), acmeDailyAt, "file share kpax has no daily backup", "acme-share"},
	{"VM with a data disk", RuleCompleteness, set("bravo-vm-2", "storageProfile.dataDisks", []any{map[string]any{"lun": 0.0}}), "tenants/fr/bravo.yaml:", "VM vm-bravo-2 has a data disk", "bravo-vm-2"},
	{"database without PITR", RuleCompleteness, drop("acme-db-BackupShortTermRetentionPolicy"), "tenants/fr/acme.yaml:9:", "no BackupShortTermRetentionPolicy", "acme-db"},
	{"database without LTR", RuleCompleteness, drop("acme-db-LongTermRetentionPolicy"), acmeDatabase, "no LongTermRetentionPolicy", "acme-db"},

	// deletion safety
	{"database not protected", RuleDeletionSafety, func(t *testing.T, p *plan.Plan) { find(t, p, "acme-db").Protect = false }, acmeDatabase, "protect=false", "acme-db"},
	{"share not retained", RuleDeletionSafety, func(t *testing.T, p *plan.Plan) { find(t, p, "acme-share").RetainOnDelete = false }, "tenants/fr/acme.yaml:12:12:", "retainOnDelete=false", "acme-share"},
	{"vault without lock", RuleDeletionSafety, drop("acme-kv-lock"), acmeName, "no ManagementLockByScope", "acme-kv"},
	{"storage lock that only prevents edits", RuleDeletionSafety, set("acme-storage-lock", "level", "ReadOnly"), acmeStorage, "no ManagementLockByScope", "acme-storage"},
	{"database lock on the wrong scope", RuleDeletionSafety, set("acme-db-lock", "scope", sub+"/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.Sql/servers/sql/databases/other"), acmeDatabase, "no ManagementLockByScope", "acme-db"},

	// replacement
	{"VM created before its old self is deleted", RuleReplacement, func(t *testing.T, p *plan.Plan) { find(t, p, "bravo-vm-1").DeleteBeforeReplace = false },
		bravoName, `fixed (vmName "vm-bravo-1")`, "bravo-vm-1"},
	{"VM updated in place on a new image", RuleReplacement, func(t *testing.T, p *plan.Plan) {
		find(t, p, "bravo-vm-2").ReplaceOnChanges = []string{"zones"}
	}, "tenants/fr/bravo.yaml:7:", "refuses to change storageProfile.imageReference.sku in place (PropertyChangeNotAllowed", "bravo-vm-2"},

	// isolation
	{"another tenant's ID", RuleIsolation, set("acme-app", "environmentId", sub+"/resourceGroups/rg-kpax-fr-bravo/providers/Microsoft.Compute/virtualMachines/vm-bravo-1/extensions/x"), acmeName,
		"references tenant bravo's resource", "acme-app"},
	{"another tenant's resource group", RuleIsolation, set("acme-share-backup", "containerName", "storagecontainer;Storage;rg-kpax-fr-bravo;stbravo"), acmeName, "names tenant bravo's resource group rg-kpax-fr-bravo", "acme-share-backup"},

	// tags
	{"no tags", RuleTags, set("acme-kv", "tags", nil), acmeTags, "lacks the tag managed-by", "acme-kv"},
	{"no tenant tag", RuleTags, set("bravo-vmss", "tags.tenant", nil), bravoName, "lacks the tag tenant", "bravo-vmss"},
	{"wrong tier", RuleTags, set("acme-rg", "tags.tier", "large"), "tenants/fr/acme.yaml:4:", `tags.tier is "large", want "standard"`, "acme-rg"},
	{"record without region", RuleTags, set("acme-dns", "metadata.region", nil), acmeTags, "metadata lacks the tag region", "acme-dns"},
	{"platform resource without managed-by", RuleTags, set("region-fr-egress-lb", "tags.managed-by", nil), "regions/fr.yaml:17:", "lacks the tag managed-by", "region-fr-egress-lb"},

	// alerting
	{"no action group", RuleAlerting, drop("region-fr-alerts"), regionAlertEmail, "has 0 action groups, want 1", ""},
	{"action group without the on-call address", RuleAlerting, set("region-fr-alerts", "emailReceivers", list(map[string]any{"emailAddress": "someone@else.example"})),
		regionAlertEmail, "sends to [someone@else.example]", "region-fr-alerts"},
	{"webhook the region file does not name", RuleAlerting, set("region-fr-alerts", "webhookReceivers", list(map[string]any{"serviceUri": "https://pager.example/hook"})),
		regionAlerts, `posts to [https://pager.example/hook], want ""`, "region-fr-alerts"},
	{"no Application Insights", RuleAlerting, drop("region-fr-appi"), regionAlerts, "needs one workspace-based Application Insights resource", ""},
	{"backup failures unwatched", RuleAlerting, drop("region-fr-alert-backup-health"), regionAlerts, "no alert watches the tenants' failed backups", "region-fr-rsv"},
	{"missed backups unwatched", RuleAlerting, drop("region-fr-alert-backup-missing"), regionAlerts, "no alert watches the tenants' missed backups (BackupHealthEvent LessThan", "region-fr-rsv"},
	{"gateway 5xx watched by the tenants' alerts only", RuleAlerting, drop("region-fr-alert-gateway-5xx"), regionAlerts, "no alert watches the gateway's 5xx (BackendResponseStatus GreaterThan", "region-fr-agw"},
	{"alert to nobody", RuleAlerting, set("acme-alert-files-availability", "actions", list()), acmeState, "does not send to the action group ag-kpax-fr", "acme-alert-files-availability"},
	{"no availability test", RuleAlerting, drop("acme-availability-test"), acmeState, "has no availability test of https://acme.fr.kpax.cloud/healthz", ""},
	{"ping test", RuleAlerting, set("acme-availability-test", "kind", "ping"), acmeState, `is a "ping"/"standard" test, want standard/standard`, "acme-availability-test"},
	{"test from one location", RuleAlerting, set("bravo-availability-test", "locations", list(map[string]any{"location": "emea-fr-pra-edge"})), bravoState, "runs from 1 locations", "bravo-availability-test"},
	{"no alert on the test", RuleAlerting, drop("acme-alert-availability"), acmeState, "no alert of tenant acme fires when its availability test fails", "acme-availability-test"},
	{"alert on one failing location", RuleAlerting, set("acme-alert-availability", "criteria.failedLocationCount", 1.0), acmeState, "fails from two or more locations", "acme-availability-test"},
	{"backend health unwatched", RuleAlerting, drop("bravo-alert-gateway-backend"), bravoState, "UnhealthyHostCount of pool pool-bravo", ""},
	{"server errors unwatched", RuleAlerting, drop("acme-alert-server-5xx"), acmeState, "BackendResponseStatus of pool pool-acme", ""},
	{"database unwatched", RuleAlerting, drop("acme-alert-database-availability"), acmeState, "availability of tenant acme's database", "acme-db"},
	{"share unwatched", RuleAlerting, drop("acme-alert-files-availability"), acmeState, "availability of tenant acme's file share", "acme-storage"},
	{"alert that does not name its tenant", RuleAlerting, set("acme-alert-database-availability", "ruleName", "kpax-db-1"), acmeName, "does not name the tenant", "acme-alert-database-availability"},

	// guardrails
	{"initiative without the storage rule", RuleGuardrails, func(t *testing.T, p *plan.Plan) {
		r := find(t, p, "region-fr-guardrails-tenant")
		var kept []any
		for _, m := range r.Inputs["policyDefinitions"].([]any) {
			if m.(map[string]any)["policyDefinitionReferenceId"] != "storage-no-public-network" {
				kept = append(kept, m)
			}
		}
		r.Inputs["policyDefinitions"] = kept
	}, regionLocation, `lacks "Storage accounts should disable public network access"`, "region-fr-guardrails-tenant"},
	{"allowed locations only audited", RuleGuardrails, func(t *testing.T, p *plan.Plan) {
		r := find(t, p, "region-fr-guardrails-platform")
		r.Inputs["policyDefinitions"].([]any)[0].(map[string]any)["parameters"].(map[string]any)["effect"] = map[string]any{"value": "Audit"}
	}, regionLocation, `"Allowed locations" has effect = Audit, want Deny`, "region-fr-guardrails-platform"},
	{"no tenant initiative", RuleGuardrails, drop("region-fr-guardrails-tenant"), regionLocation, "no guardrails initiative for tenant resource groups", ""},
	{"tenant group without guardrails", RuleGuardrails, drop("acme-guardrails"), acmeName, "rg-kpax-fr-acme does not carry the stamp's tenant guardrails", "acme-rg"},
	{"guardrails not enforced", RuleGuardrails, set("bravo-guardrails", "enforcementMode", "DoNotEnforce"), bravoName, "does not carry the stamp's tenant guardrails, enforced", "bravo-rg"},
	{"platform group without the zone audit", RuleGuardrails, drop("region-fr-zone-resilience"), regionLocation, "rg-kpax-fr-platform does not carry the zone-resilience audit", "region-fr-rg"},
}

func TestRulesReportLocatedViolations(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			p := goodPlan()
			tc.give(t, p)
			vs := run(t, tc.rule, p)
			if len(vs) == 0 {
				t.Fatalf("no violation")
			}
			var urn string
			if tc.urn != "" {
				urn = find(t, p, tc.urn).URN
			}
			for _, v := range vs {
				s := v.String()
				if v.Rule == tc.rule && strings.HasPrefix(s, tc.at) && strings.Contains(v.Message, tc.words) && v.URN == urn {
					return
				}
			}
			t.Errorf("want [%s] at %s with %q on %s; got:\n%s", tc.rule, tc.at, tc.words, urn, lines(vs))
		})
	}
}

// A tenant that serves nothing has no test and no alert: a suspended tenant
// keeping its alerts is reported.
func TestAlertingOnASuspendedTenant(t *testing.T) {
	proj := project(t)
	for _, tn := range proj.Tenants {
		if tn.Name == "acme" {
			tn.State = "suspended"
		}
	}
	vs, err := checkOnly(RuleAlerting, goodPlan(), proj, "fr")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, v := range vs {
		if strings.Contains(v.Message, "tenant acme is suspended, yet") && strings.HasPrefix(v.String(), acmeState) {
			found++
		}
	}
	if found != 6 || len(vs) != 6 {
		t.Errorf("want the test and 5 alerts of acme reported, got:\n%s", lines(vs))
	}
}

// Every rule has at least one violating case above.
func TestEveryRuleHasAViolatingCase(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.rule] = true
	}
	for _, name := range Names() {
		if !seen[name] {
			t.Errorf("rule %s has no violating case", name)
		}
	}
}

func TestPortIn(t *testing.T) {
	for _, tc := range []struct {
		give string
		port int
		want bool
	}{
		{"22", 22, true}, {"2222", 22, false}, {"20-25", 22, true}, {"23-3388", 3389, false},
		{"*", 5985, true}, {"", 22, false}, {" 3389 ", 3389, true}, {"x-y", 22, false},
	} {
		if got := portIn(tc.give, tc.port); got != tc.want {
			t.Errorf("portIn(%q, %d) = %v, want %v", tc.give, tc.port, got, tc.want)
		}
	}
}

func TestEmbeddedNames(t *testing.T) {
	ids := embeddedIDs("storagecontainer;" + sub + "/resourcegroups/rg/providers/x/y;more")
	if len(ids) == 0 || ids[len(ids)-1] != sub+"/resourcegroups/rg/providers/x/y" {
		t.Errorf("embeddedIDs = %v", ids)
	}
	for _, tc := range []struct {
		give string
		want []string
	}{
		{"rg-kpax-fr-acme", []string{"rg-kpax-fr-acme"}},
		{"/resourcegroups/rg-kpax-fr-acme-2/x", []string{"rg-kpax-fr-acme-2"}},
		{"xrg-kpax-fr-acme", nil},
		{"a;rg-kpax-fr-acme;rg-kpax-uk-globex", []string{"rg-kpax-fr-acme", "rg-kpax-uk-globex"}},
	} {
		got := embeddedResourceGroups(tc.give)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("embeddedResourceGroups(%q) = %v, want %v", tc.give, got, tc.want)
		}
	}
}

// A plan of stamp 2 is checked against stamp 2's tenants only.
func TestCompletenessOnlyCountsTheStampsTenants(t *testing.T) {
	proj := project(t)
	proj.Regions["fr"].Stamps = 2
	for _, tn := range proj.Tenants {
		if tn.Name == "bravo" {
			tn.Stamp = 2
		}
	}
	p := goodPlan()
	p.Stack = "prod-fr-2"
	p.Outputs["stamp"] = 2.0
	vs, err := checkOnly(RuleCompleteness, p, proj, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Errorf("stamp 2 plan holding bravo: %s", lines(vs))
	}
	find(t, p, "bravo").Name = "gone"
	vs, _ = checkOnly(RuleCompleteness, p, proj, "fr")
	if len(vs) != 1 || !strings.Contains(vs[0].Message, "tenant bravo is active but stack prod-fr-2 has no") {
		t.Errorf("stamp 2 without bravo: %s", lines(vs))
	}
}

// Where the region file says Azure cannot span Bastion over zones, a
// Bastion without zones is no violation; anywhere else it is (see cases).
func TestBastionWithoutZonesWhereTheRegionSaysSo(t *testing.T) {
	proj := project(t)
	proj.Regions["fr"].Bastion.ZoneRedundant = false
	p := goodPlan()
	set("region-fr-bastion", "zones", nil)(t, p)
	vs, err := checkOnly(RuleZones, p, proj, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Errorf("Bastion without zones in a region that declares it: %s", lines(vs))
	}
	// The declaration exempts Bastion only.
	set("region-fr-pip-agw", "zones", nil)(t, p)
	vs, _ = checkOnly(RuleZones, p, proj, "fr")
	if len(vs) != 1 || !strings.Contains(vs[0].Message, "takes zones but lists none") {
		t.Errorf("public IP without zones: %s", lines(vs))
	}
}
