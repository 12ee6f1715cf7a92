package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestReleaseGateWorkflow: a pull request that changes releases.yaml gets
// the gate as a status check. It re-runs when a label changes, gates with
// a 24 h soak the ring each changed line promotes from, reads Azure only in
// the stacks' read environments (TestWorkflowsRunInTheStacksEnvironment),
// and fails unless the override label, which the failure names, is on the
// pull request.
func TestReleaseGateWorkflow(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "release-gate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		On struct {
			PullRequest struct {
				Paths []string `yaml:"paths"`
				Types []string `yaml:"types"`
			} `yaml:"pull_request"`
		} `yaml:"on"`
		Env  map[string]string `yaml:"env"`
		Jobs map[string]job    `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	// A required check must report on every pull request: no paths filter
	// (a filtered-out required check stays pending).
	if len(w.On.PullRequest.Paths) != 0 {
		t.Errorf("paths %v: the required check must run on every pull request", w.On.PullRequest.Paths)
	}
	if gate, ok := w.Jobs["gate"]; !ok || gate.If != "always()" || !strings.Contains(string(data), `if [ "$PLAN" != "success" ]`) {
		t.Errorf("job gate (if %q): must always run and fail itself when the plan failed (a skipped required job reports success)", gate.If)
	}
	for _, typ := range []string{"opened", "synchronize", "labeled", "unlabeled"} {
		if !contains(toAny(w.On.PullRequest.Types), typ) {
			t.Errorf("types %v: want %s (a label added re-runs the check)", w.On.PullRequest.Types, typ)
		}
	}
	label := w.Env["OVERRIDE_LABEL"]
	if label == "" || w.Env["SOAK"] != "24h" {
		t.Fatalf("env %v: want OVERRIDE_LABEL and SOAK: 24h", w.Env)
	}
	gate, ok := w.Jobs["gate"]
	if !ok {
		t.Fatal("no gate job")
	}
	if !strings.Contains(gate.If, "always()") {
		t.Errorf("gate job if %q: it must report on every run, with or without a ring to gate", gate.If)
	}
	run := ""
	for _, s := range gate.Steps {
		run += s.Run
	}
	for _, want := range []string{`kpax release gate --ring "$ring" --soak "$SOAK"`, `$OVERRIDE_LABEL to merge anyway`, `"$OVERRIDDEN" = "true"`, "exit 1"} {
		if !strings.Contains(run, want) {
			t.Errorf("gate job does not run %q", want)
		}
	}
	if !strings.Contains(string(data), "contains(github.event.pull_request.labels.*.name, '"+label+"')") {
		t.Errorf("the override reads a label other than OVERRIDE_LABEL=%s", label)
	}
	plan := ""
	for _, s := range w.Jobs["plan"].Steps {
		plan += s.Run
	}
	if !strings.Contains(plan, "kpax release promotions --base") {
		t.Error("the plan job does not compute the ring a change promotes from")
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
