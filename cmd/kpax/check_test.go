package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/rules"
	"github.com/kpax/kpax-cloud/spec"
)

// Every landed stack keeps every platform rule.
func TestCheckLandedFiles(t *testing.T) {
	code, out, errs := kpax("check", "--all", "--dir", root)
	if code != exitOK {
		t.Fatalf("kpax check --all: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "check: 6 stack(s)") || !strings.Contains(out, "no violations") {
		t.Errorf("stdout = %q", out)
	}
}

// A tag value is the one thing the YAML lets an operator write into every
// resource of a tenant: naming another tenant's resource group there breaks
// isolation, and the violation points at that tag's line.
func TestCheckViolatingFixture(t *testing.T) {
	dir := copyProject(t)
	edit(t, dir, "tenants/fr/acme.yaml", `costCenter: "4711"`, "costCenter: \"4711\"\n  peer: rg-kpax-fr-bistro-lyon")
	const at = "tenants/fr/acme.yaml:22:9: [isolation] tags.peer names tenant bistro-lyon's resource group rg-kpax-fr-bistro-lyon (urn:pulumi:prod-fr::kpax-cloud::kpax:components:Tenant$azure-native:resources:ResourceGroup::acme-rg)"

	code, out, errs := kpax("check", "--stack", "prod-fr", "--dir", dir)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitInvalid, out, errs)
	}
	if !strings.Contains(out, at+"\n") {
		t.Errorf("text output lacks\n  %s\ngot:\n%s", at, out)
	}
	if !strings.Contains(errs, "violation(s) in 1 stack(s)") {
		t.Errorf("stderr = %q", errs)
	}

	code, out, _ = kpax("check", "--stack", "prod-fr", "--dir", dir, "--format", "github")
	want := "::error file=tenants/fr/acme.yaml,line=22,col=9::[isolation] tags.peer names tenant bistro-lyon's resource group rg-kpax-fr-bistro-lyon"
	if code != exitInvalid || !strings.Contains(out, want) {
		t.Errorf("github format: exit %d, lacks %q:\n%s", code, want, out)
	}

	code, out, _ = kpax("check", "--stack", "prod-fr", "--dir", dir, "--format", "json")
	var vs []rules.Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("json format: %v\n%s", err, out)
	}
	found := false
	for _, v := range vs {
		if v.Rule == rules.RuleIsolation && v.File == "tenants/fr/acme.yaml" && v.Line == 22 && v.Col == 9 && strings.HasSuffix(v.URN, "::acme-rg") {
			found = true
		}
	}
	if code != exitInvalid || !found {
		t.Errorf("json format: exit %d, no isolation violation at acme.yaml:22:9 in\n%s", code, out)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", "--stack", "prod-fr", "--all"},
		{"check", "--all", "--format", "xml"},
		{"check", "--all", "extra"},
	} {
		if code, _, _ := kpax(args...); code != exitUsage {
			t.Errorf("kpax %v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, errs := kpax("check", "--dir", root, "--stack", "prod-xx"); code != exitInvalid || !strings.Contains(errs, "prod-fr") {
		t.Errorf("unknown stack: exit %d, stderr %q", code, errs)
	}
}

// Removing any of the stamp's action group, alerts, availability tests or
// policy assignments from a landed stack's plan makes kpax check fail, with
// the rule that says which promise lost its signal or its guardrail.
func TestCheckCatchesARemovedAlertOrAssignment(t *testing.T) {
	proj, err := spec.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	base, err := program.Plan(root, "prod-fr")
	if err != nil {
		t.Fatal(err)
	}
	if vs := rules.Check(base, proj, "fr"); len(vs) != 0 {
		t.Fatalf("the landed plan has violations: %v", vs)
	}
	watched := map[string]string{
		"azure-native:insights:ActionGroup":              rules.RuleAlerting,
		"azure-native:insights:Component":                rules.RuleAlerting,
		"azure-native:insights:MetricAlert":              rules.RuleAlerting,
		"azure-native:insights:WebTest":                  rules.RuleAlerting,
		"azure-native:authorization:PolicyAssignment":    rules.RuleGuardrails,
		"azure-native:authorization:PolicySetDefinition": rules.RuleGuardrails,
	}
	removed := 0
	for i, r := range base.Resources {
		rule, ok := watched[r.Type]
		if !ok {
			continue
		}
		p := *base
		p.Resources = append(append([]*plan.Resource(nil), base.Resources[:i]...), base.Resources[i+1:]...)
		found := false
		for _, v := range rules.Check(&p, proj, "fr") {
			found = found || v.Rule == rule
		}
		if !found {
			t.Errorf("removing %s %s: no [%s] violation", r.Type, r.Name, rule)
		}
		removed++
	}
	// The platform's 3 alerts, action group, Application Insights, 2
	// initiatives and 2 assignments; 2 active tenants' test and 5 alerts;
	// 3 tenants' 2 assignments.
	if removed != 9+2*6+3*2 {
		t.Errorf("%d resources removed one by one, want %d", removed, 9+2*6+3*2)
	}
}
