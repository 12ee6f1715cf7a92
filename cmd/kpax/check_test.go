package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/rules"
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
