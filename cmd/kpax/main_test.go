package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const root = "../.."

// copyProject copies the project's YAML into a temporary root that a test
// may break.
func copyProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, pattern := range []string{"Pulumi*.yaml", "rollout.yaml", "releases.yaml", "regions/*.yaml", "tenants/*/*.yaml"} {
		files, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func kpax(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidateLandedFiles(t *testing.T) {
	code, out, errs := kpax("validate", "--dir", root)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "valid: 6 regions") {
		t.Errorf("stdout = %q", out)
	}
}

func TestValidateBrokenTenant(t *testing.T) {
	dir := copyProject(t)
	path := filepath.Join(dir, "tenants/fr/acme.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "replicas: 3", "replicas: 1", 1)
	broken = strings.Replace(broken, "tier: standard", "tier: medium", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := kpax("validate", "--dir", dir)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d\n%s", code, exitInvalid, out)
	}
	for _, want := range []string{
		"tenants/fr/acme.yaml:5:7: tier: ",
		"tenants/fr/acme.yaml:10:13: container.replicas: must be at least 2 (got 1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = kpax("validate", "--dir", dir, "--format", "github")
	if code != exitInvalid || !strings.Contains(out, "::error file=tenants/fr/acme.yaml,line=10,col=13::container.replicas: must be at least 2 (got 1)") {
		t.Errorf("github format: exit %d\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "--format", "xml"},
		{"validate", "--nope"},
		{"plan"},
		{"plan", "--stack", "prod-fr", "--all"},
		{"frobnicate"},
	} {
		if code, _, _ := kpax(args...); code != exitUsage {
			t.Errorf("kpax %v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, errs := kpax("plan", "--dir", root, "--stack", "prod-xx"); code != exitInvalid || !strings.Contains(errs, "prod-fr") {
		t.Errorf("unknown stack: exit %d, stderr %q", code, errs)
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/kpax -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output; if the change is intended, run go test ./cmd/kpax -update and review the diff.\n%s",
			path, firstDifference(string(want), got))
	}
}

func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

func TestPlanGolden(t *testing.T) {
	code, text, errs := kpax("plan", "--dir", root, "--stack", "prod-fr")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "plan-prod-fr.txt", text)
	code, js, errs := kpax("plan", "--dir", root, "--stack", "prod-fr", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "plan-prod-fr.json", js)
	for _, out := range []string{text, js} {
		if strings.Contains(out, plan.MockSecretMarker) {
			t.Error("a mocked secret value reached the plan output")
		}
	}
	for _, want := range []string{`"stack": "prod-fr"`, `"project": "kpax-cloud"`, `"retainOnDelete": true`, `"[secret]"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON plan lacks %s", want)
		}
	}
}

func TestPlanOneTenant(t *testing.T) {
	code, out, errs := kpax("plan", "--dir", root, "--stack", "prod-fr", "--tenant", "acme")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "kpax:components:Tenant  acme  [container, standard, active, https://acme.fr.kpax.cloud]") {
		t.Errorf("no tenant summary line:\n%s", out)
	}
	if strings.Contains(out, "bistro-lyon") || strings.Contains(out, "RegionalCluster") {
		t.Errorf("--tenant acme shows other resources:\n%s", out)
	}
}
