package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployConverges is the deploy workflow's comparison: each stack
// against the commit it last deployed (its kpax:deployed-commit tag), so a
// stack whose `up` failed is deployed again by the next run, whatever that
// run's push touched; and a change of several stacks goes canary first.
func TestDeployConverges(t *testing.T) {
	dir, commit := gitRepo(t)
	head := func() string {
		out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	stacks := []string{"prod-ca", "prod-fr", "prod-in", "prod-uk", "prod-us", "prod-za"}
	deployedAt := func(commits map[string]string) string {
		t.Helper()
		data, _ := json.Marshal(commits)
		f := filepath.Join(t.TempDir(), "deployed.json")
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	all := func(c string) map[string]string {
		m := map[string]string{}
		for _, s := range stacks {
			m[s] = c
		}
		return m
	}
	affected := func(commits map[string]string, extra ...string) string {
		t.Helper()
		code, out, errs := kpax(append([]string{"affected", "--dir", dir, "--deployed", deployedAt(commits)}, extra...)...)
		if code != exitOK {
			t.Fatalf("affected --deployed: exit %d %s", code, errs)
		}
		return strings.TrimSpace(out)
	}

	a := head()
	if got := affected(all(a)); got != `[]` {
		t.Errorf("every stack at HEAD: %s, want none", got)
	}
	// Push B changes an fr tenant; prod-fr's up fails, so its tag stays at
	// A while every other stack records B.
	edit(t, dir, "tenants/fr/acme.yaml", "displayName: ", "displayName: New ")
	commit("B: fr")
	b := head()
	deployed := all(b)
	deployed["prod-fr"] = a
	if got := affected(deployed); got != `["prod-fr"]` {
		t.Errorf("after B with prod-fr failed: %s", got)
	}
	// Push C touches uk only: prod-fr is still behind and goes too; of the
	// two, rollout.yaml's order puts prod-uk first.
	edit(t, dir, "tenants/uk/globex.yaml", "displayName: ", "displayName: New ")
	commit("C: uk")
	if got := affected(deployed); got != `["prod-fr","prod-uk"]` {
		t.Errorf("after C: %s, want prod-fr (failed at B) and prod-uk", got)
	}
	if got := affected(deployed, "--waves"); got != `{"canary":["prod-uk"],"rest":["prod-fr"]}` {
		t.Errorf("after C, waves: %s", got)
	}
	// Comparing with the previous push (github.event.before) would have
	// left prod-fr behind: that is the deploy workflow's old bug.
	if code, out, _ := kpax("affected", "--dir", dir, "--base", b); code != exitOK || strings.TrimSpace(out) != `["prod-uk"]` {
		t.Errorf("against the previous push: %s", out)
	}
	// Both converge; nothing is behind.
	if got := affected(all(head())); got != `[]` {
		t.Errorf("all at HEAD: %s", got)
	}
	// A stack never deployed, or whose commit the history lacks (a force
	// push), is deployed whole; code goes to every stack, canary first.
	deployed = all(head())
	deployed["prod-in"] = ""
	deployed["prod-ca"] = "0123456789abcdef0123456789abcdef01234567"
	if got := affected(deployed); got != `["prod-ca","prod-in"]` {
		t.Errorf("unknown commits: %s", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := affected(all(head()), "--waves"); got != `{"canary":["prod-za"],"rest":["prod-ca","prod-in","prod-uk","prod-fr","prod-us"]}` {
		t.Errorf("a code change: %s", got)
	}
	for _, args := range [][]string{
		{"affected", "--dir", dir},
		{"affected", "--dir", dir, "--base", "HEAD", "--deployed", deployedAt(deployed)},
		{"affected", "--dir", dir, "--deployed", deployedAt(deployed), "--targets"},
	} {
		if code, _, _ := kpax(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}
