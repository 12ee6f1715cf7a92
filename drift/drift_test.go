package drift

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

const stackURN = "urn:pulumi:prod-fr::kpax-cloud::"

// offline is a stack's plan: tenants acme and acme-2, and the gateway with
// one listener each.
func offline() *plan.Plan {
	p := &plan.Plan{Stack: "prod-fr"}
	add := func(chain, name, parent string, inputs map[string]any) *plan.Resource {
		r := &plan.Resource{URN: stackURN + chain + "::" + name, Type: chain[strings.LastIndexByte(chain, '$')+1:], Name: name, Parent: parent, Inputs: inputs, Custom: true}
		p.Resources = append(p.Resources, r)
		return r
	}
	cluster := add("kpax:components:RegionalCluster", "region-fr", "", nil)
	add("kpax:components:RegionalCluster$azure-native:network:ApplicationGateway", "region-fr-agw", cluster.URN, map[string]any{
		"httpListeners": []any{
			map[string]any{"name": "tenant-acme", "hostName": "acme.fr.kpax.cloud"},
			map[string]any{"name": "tenant-acme-2", "hostName": "acme-2.fr.kpax.cloud"},
		},
	})
	for _, t := range []string{"acme", "acme-2"} {
		comp := add("kpax:components:Tenant", t, "", nil)
		add("kpax:components:Tenant$azure-native:storage:StorageAccount", t+"-storage", comp.URN, map[string]any{})
		add("kpax:components:Tenant$azure-native:storage:BlobServiceProperties", t+"-blob-service", comp.URN, map[string]any{})
	}
	return p
}

var files = map[string]string{"acme": "tenants/fr/acme.yaml", "acme-2": "tenants/fr/acme-2.yaml"}

func step(op, chain, name string, paths ...string) Step {
	s := Step{Op: op, URN: stackURN + chain + "::" + name, DetailedDiff: map[string]PropertyDiff{}}
	for _, p := range paths {
		s.DetailedDiff[p] = PropertyDiff{Kind: "update"}
	}
	return s
}

func TestBuildAttributesDriftToTenants(t *testing.T) {
	ignore, err := LoadIgnoreList()
	if err != nil {
		t.Fatal(err)
	}
	pv := &Preview{Steps: []Step{
		step("same", "kpax:components:Tenant$azure-native:storage:StorageAccount", "acme-2-storage"),
		// The portal opened acme's account to the internet.
		step("update", "kpax:components:Tenant$azure-native:storage:StorageAccount", "acme-storage", "publicNetworkAccess", "networkRuleSet.defaultAction"),
		// Someone edited acme-2's listener on the shared gateway.
		step("update", "kpax:components:RegionalCluster$azure-native:network:ApplicationGateway", "region-fr-agw", "httpListeners[1].hostName", "sku.capacity"),
		// Known noise: set aside, with its issue.
		step("update", "kpax:components:Tenant$azure-native:storage:BlobServiceProperties", "acme-blob-service", "cors"),
		// acme-2's account was deleted by hand.
		step("create", "kpax:components:Tenant$azure-native:storage:StorageAccount", "acme-2-storage"),
	}}
	r := Build("prod-fr", pv, offline(), ignore.Rules, files, "regions/fr.yaml")
	got := strings.TrimSpace(r.Markdown())
	for _, want := range []string{
		"## Drift in prod-fr",
		"found 4 resource(s) that differ from the program",
		"### tenant `acme`: `tenants/fr/acme.yaml`\n\n- azure-native:storage:StorageAccount `acme-storage` differs: `networkRuleSet.defaultAction`, `publicNetworkAccess`",
		"### tenant `acme-2`: `tenants/fr/acme-2.yaml`\n\n- azure-native:network:ApplicationGateway `region-fr-agw` differs: `httpListeners[1].hostName`\n- azure-native:storage:StorageAccount `acme-2-storage` is gone from Azure; the next up creates it again",
		"### region platform: `regions/fr.yaml`\n\n- azure-native:network:ApplicationGateway `region-fr-agw` differs: `sku.capacity`",
		"1 difference(s) set aside as known refresh noise (`drift/ignore.yaml`):\n\n- `acme-blob-service` `cors` (https://github.com/pulumi/pulumi-azure-native/issues/1700)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks\n%s\n--- got:\n%s", want, got)
		}
	}
	if !r.Drifted() || len(r.Sections) != 3 || r.Sections[0].Tenant != "acme" || r.Sections[2].Tenant != "" {
		t.Errorf("sections %+v", r.Sections)
	}

	clean := Build("prod-fr", &Preview{Steps: []Step{step("same", "kpax:components:Tenant", "acme"),
		step("update", "kpax:components:Tenant$azure-native:storage:BlobServiceProperties", "acme-blob-service", "deleteRetentionPolicy.days")}},
		offline(), ignore.Rules, files, "regions/fr.yaml")
	if clean.Drifted() || !strings.Contains(clean.Markdown(), "No drift") {
		t.Errorf("noise alone is drift:\n%s", clean.Markdown())
	}
}

func TestMatch(t *testing.T) {
	rules := []Rule{
		{Type: "azure-native:compute:VirtualMachine", Path: "storageProfile.osDisk"},
		{Type: "azure-native:insights:DiagnosticSetting", Path: ""},
	}
	for _, tc := range []struct {
		typ, path string
		want      bool
	}{
		{"azure-native:compute:VirtualMachine", "storageProfile.osDisk", true},
		{"azure-native:compute:VirtualMachine", "storageProfile.osDisk.caching", true},
		{"azure-native:compute/v20240701:VirtualMachine", "storageProfile.osDisk[0]", true},
		{"azure-native:compute:VirtualMachine", "storageProfile.osDiskSize", false},
		{"azure-native:compute:VirtualMachine", "hardwareProfile.vmSize", false},
		{"azure-native:insights:DiagnosticSetting", "logs[0].enabled", true},
		{"azure-native:storage:StorageAccount", "publicNetworkAccess", false},
	} {
		if got := Match(rules, tc.typ, tc.path) != nil; got != tc.want {
			t.Errorf("Match(%s, %s) = %v, want %v", tc.typ, tc.path, got, tc.want)
		}
	}
}

func TestParsePreview(t *testing.T) {
	if _, err := ParsePreview([]byte("error: no stack named prod-xx")); err == nil {
		t.Error("a non-JSON output parses")
	}
	_, err := ParsePreview([]byte(`{"diagnostics":[{"message":"error: failed to refresh: AuthorizationFailed\n","severity":"error"}]}`))
	if err == nil || !strings.Contains(err.Error(), "AuthorizationFailed") {
		t.Errorf("a failed preview: %v", err)
	}
	if _, err := ParsePreview([]byte(`{}`)); err == nil || !strings.Contains(err.Error(), "did not run") {
		t.Errorf("a preview without steps: %v", err)
	}
	pv, err := ParsePreview([]byte(`{"steps":[{"op":"update","urn":"u","detailedDiff":{"tags.owner":{"kind":"add","inputDiff":false}}}],"changeSummary":{"update":1}}`))
	if err != nil || len(pv.Steps) != 1 || pv.Steps[0].DetailedDiff["tags.owner"].Kind != "add" {
		t.Errorf("preview %+v, %v", pv, err)
	}
}

// The ignore-list's entries each cite their upstream issue and say what they
// hide, and the list was checked against the provider version go.mod pins:
// upgrading the provider fails this test until someone re-checks them.
func TestIgnoreList(t *testing.T) {
	l, err := LoadIgnoreList()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rules) == 0 {
		t.Fatal("no rules")
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github\.com/pulumi/pulumi-azure-native-sdk/v2 (v[0-9.]+)`).FindSubmatch(mod)
	if m == nil || l.Provider != "pulumi-azure-native-sdk "+string(m[1]) {
		t.Errorf("ignore.yaml was checked against %q; go.mod pins %s: re-check every entry against the new provider, then update the version", l.Provider, m[1])
	}
	for _, bad := range []string{
		"provider: x\nrules:\n  - {type: azure-native:a:B, path: x, why: y}\n",
		"provider: x\nrules:\n  - {type: azure-native:a:B, path: x, issue: https://github.com/pulumi/pulumi-azure-native/issues/1}\n",
		"provider: x\nrules:\n  - {type: a:B, issue: https://github.com/pulumi/pulumi-azure-native/issues/1, why: y}\n",
		"provider: x\nrules:\n  - {type: azure-native:a:B, issue: https://example.com/1, why: y, extra: 1}\n",
	} {
		if _, err := parseIgnoreList([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
