package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo turns a copy of the project into a git repository with one
// commit, and returns a function that commits the work tree.
func gitRepo(t *testing.T) (dir string, commit func(msg string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir = copyProject(t)
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=kpax test", "-c", "user.email=test@kpax.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "main")
	commit = func(msg string) {
		run("add", "-A")
		run("commit", "-q", "--allow-empty", "-m", msg)
	}
	commit("base")
	return dir, commit
}

func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	path := filepath.Join(dir, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", rel, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiffAndAffected(t *testing.T) {
	dir, commit := gitRepo(t)

	t.Run("add a tenant", func(t *testing.T) {
		if code, out, errs := kpax("tenant", "new", "contoso", "--dir", dir, "--region", "fr", "--tier", "small", "--runtime", "container"); code != exitOK {
			t.Fatalf("tenant new: exit %d\n%s%s", code, out, errs)
		}
		// The diff itself is pinned by TestDiffGolden.
		code, out, _ := kpax("affected", "--dir", dir, "--base", "HEAD")
		if code != exitOK || strings.TrimSpace(out) != `["prod-fr"]` {
			t.Errorf("affected: exit %d %s", code, out)
		}
		code, out, _ = kpax("affected", "--dir", dir, "--base", "HEAD", "--targets")
		var a affected
		if err := json.Unmarshal([]byte(out), &a); err != nil || code != exitOK {
			t.Fatalf("affected --targets: exit %d %v %s", code, err, out)
		}
		// Every URN the change touches: the new tenant's resources and its
		// route on the region's gateway, and nothing of another tenant.
		targets := strings.Join(a.Targets["prod-fr"], "\n")
		for _, want := range []string{
			"urn:pulumi:prod-fr::kpax-cloud::kpax:components:Tenant::contoso",
			"urn:pulumi:prod-fr::kpax-cloud::kpax:components:Tenant$azure-native:app/v20240301:ContainerApp::contoso-app",
			"urn:pulumi:prod-fr::kpax-cloud::kpax:components:RegionalCluster$azure-native:network:ApplicationGateway::region-fr-agw",
		} {
			if !strings.Contains(targets, want+"\n") && !strings.HasSuffix(targets, want) {
				t.Errorf("targets lack %s:\n%s", want, targets)
			}
		}
		if strings.Contains(targets, "::acme") || strings.Contains(targets, "bistro-lyon") {
			t.Errorf("targets name another tenant:\n%s", targets)
		}
		commit("add contoso")
	})

	t.Run("remove a tenant file", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "tenants/fr/acme.yaml")); err != nil {
			t.Fatal(err)
		}
		code, out, _ := kpax("diff", "--dir", dir, "--base", "HEAD")
		if code != exitFlagged {
			t.Fatalf("exit %d, want %d\n%s", code, exitFlagged, out)
		}
		for _, want := range []string{
			"**⚠ Tenant `acme` is removed from `prod-fr` without `state: decommissioned` first",
			"**⚠ Protected data resource `acme-db`",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("diff lacks %q:\n%s", want, out)
			}
		}
		if out, err := exec.Command("git", "-C", dir, "checkout", "-q", "--", "tenants/fr/acme.yaml").CombinedOutput(); err != nil {
			t.Fatalf("restore: %v %s", err, out)
		}
	})

	t.Run("code changes affect every stack", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, "extra.go"), []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(filepath.Join(dir, "extra.go"))
		_, out, _ := kpax("affected", "--dir", dir, "--base", "HEAD")
		var stacks []string
		if err := json.Unmarshal([]byte(out), &stacks); err != nil || len(stacks) != 6 {
			t.Errorf("affected = %s, want all six stacks", out)
		}
	})
}

func TestAffectedStacks(t *testing.T) {
	all := []string{"prod-fr", "prod-fr-2", "prod-uk", "prod-us"}
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"docs only", []string{"README.md", "docs/restore.md"}, `{"stacks":[]}`},
		{"one tenant", []string{"tenants/fr/acme.yaml"}, `{"stacks":["prod-fr"],"targets":{"prod-fr":["urn:pulumi:prod-fr::kpax-cloud::kpax:components:Tenant::acme"]}}`},
		{"region and tenant", []string{"regions/fr.yaml", "tenants/fr/acme.yaml"}, `{"stacks":["prod-fr","prod-fr-2"]}`},
		{"tenant moved to stamp 2", []string{"tenants/fr/restamped.yaml"}, `{"stacks":["prod-fr","prod-fr-2"],"targets":{"prod-fr":["urn:pulumi:prod-fr::kpax-cloud::kpax:components:Tenant::restamped"],"prod-fr-2":["urn:pulumi:prod-fr-2::kpax-cloud::kpax:components:Tenant::restamped"]}}`},
		{"stack file", []string{"Pulumi.prod-uk.yaml"}, `{"stacks":["prod-uk"]}`},
		{"project file", []string{"Pulumi.yaml"}, `{"stacks":["prod-fr","prod-fr-2","prod-uk","prod-us"]}`},
		{"go.mod", []string{"go.mod"}, `{"stacks":["prod-fr","prod-fr-2","prod-uk","prod-us"]}`},
		{"release file not narrowed: every stack", []string{"releases.yaml"}, `{"stacks":["prod-fr","prod-fr-2","prod-uk","prod-us"]}`},
		{"moved tenant", []string{"tenants/fr/acme.yaml", "tenants/uk/acme.yaml"}, `{"stacks":["prod-fr","prod-uk"],"targets":{"prod-fr":["urn:pulumi:prod-fr::kpax-cloud::kpax:components:Tenant::acme"],"prod-uk":["urn:pulumi:prod-uk::kpax-cloud::kpax:components:Tenant::acme"]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := json.Marshal(affectedStacks(tc.files, all, func(f string) []int {
				if f == "tenants/fr/restamped.yaml" {
					return []int{1, 2}
				}
				return []int{1}
			}))
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestTenantNewRefuses(t *testing.T) {
	dir := copyProject(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"acme", "--region", "uk", "--tier", "small", "--runtime", "vm"}, exitInvalid, "tenant \"acme\" exists already: tenants/fr/acme.yaml"},
		{[]string{"Bad_Name", "--region", "fr", "--tier", "small", "--runtime", "vm"}, exitInvalid, "tenants/fr/Bad_Name.yaml"},
		{[]string{"newco", "--region", "xx", "--tier", "small", "--runtime", "vm"}, exitInvalid, "region"},
		{[]string{"newco", "--region", "fr", "--tier", "huge", "--runtime", "vm"}, exitUsage, "small, standard, large"},
		{[]string{"newco", "--region", "fr", "--tier", "small", "--runtime", "lambda"}, exitUsage, "container or vm"},
	} {
		code, out, errs := kpax(append([]string{"tenant", "new", "--dir", dir}, tc.args...)...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("tenant new %v: exit %d, output %q; want exit %d and %q", tc.args, code, out+errs, tc.code, tc.want)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "tenants", "*", "newco.yaml")); len(files) > 0 {
		t.Errorf("a refused tenant file was left behind: %v", files)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "tenants", "*", "Bad_Name.yaml")); len(files) > 0 {
		t.Errorf("a refused tenant file was left behind: %v", files)
	}
	// Every tier and runtime writes a file the validator accepts.
	for _, tier := range []string{"small", "standard", "large"} {
		for _, rt := range []string{"container", "vm"} {
			name := "new-" + tier[:2] + "-" + rt[:2]
			if code, out, errs := kpax("tenant", "new", name, "--dir", dir, "--region", "ca", "--tier", tier, "--runtime", rt); code != exitOK {
				t.Errorf("tenant new %s: exit %d %s%s", name, code, out, errs)
			}
		}
	}
	if code, out, _ := kpax("validate", "--dir", dir); code != exitOK {
		t.Errorf("validate after tenant new: exit %d\n%s", code, out)
	}
}
