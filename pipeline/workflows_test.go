package pipeline

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// root is the project root, this package's parent.
var root = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Dir(wd)
}()

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	file string
	Jobs map[string]job `yaml:"jobs"`
}

type job struct {
	Environment any               `yaml:"environment"`
	Needs       any               `yaml:"needs"`
	If          string            `yaml:"if"`
	Uses        string            `yaml:"uses"`
	With        map[string]string `yaml:"with"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
	Run  string            `yaml:"run"`
}

func loadWorkflows(t *testing.T, dir string) []workflow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows under %s: %v", dir, err)
	}
	sort.Strings(files)
	var out []workflow
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w := workflow{file: filepath.Base(f)}
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, w)
	}
	return out
}

// sortedJobs lists a workflow's job names in order, for stable messages.
func (w workflow) sortedJobs() []string {
	names := make([]string, 0, len(w.Jobs))
	for n := range w.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestOnePulumiVersion: .pulumi.version, the SDK in go.mod and the pkg/v3
// that the engine tests build the CLI from name one version, and a
// disagreement is told with the file that differs.
func TestOnePulumiVersion(t *testing.T) {
	v, err := CheckVersions(root)
	if err != nil {
		t.Fatal(err)
	}
	if v != "v3.276.0" {
		t.Errorf("Pulumi is %s; this test names the version so that an upgrade is a reviewed change of it too", v)
	}
	copyTo := func(t *testing.T, edit map[string][2]string) string {
		t.Helper()
		dir := t.TempDir()
		for _, f := range []string{VersionFile, "go.mod", filepath.Join("tools", "pulumi", "go.mod")} {
			data, err := os.ReadFile(filepath.Join(root, f))
			if err != nil {
				t.Fatal(err)
			}
			s := string(data)
			if e, ok := edit[f]; ok {
				if !strings.Contains(s, e[0]) {
					t.Fatalf("%s has no %q", f, e[0])
				}
				s = strings.Replace(s, e[0], e[1], 1)
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	for _, tc := range []struct {
		name string
		edit map[string][2]string
		want string
	}{
		{"the CLI file moves alone", map[string][2]string{VersionFile: {"3.276.0", "3.277.0"}},
			".pulumi.version says 3.277.0, but go.mod requires github.com/pulumi/pulumi/sdk/v3 v3.276.0 and tools/pulumi/go.mod requires github.com/pulumi/pulumi/pkg/v3 v3.276.0"},
		{"the SDK moves alone", map[string][2]string{"go.mod": {"sdk/v3 v3.276.0", "sdk/v3 v3.158.0"}},
			"but go.mod requires github.com/pulumi/pulumi/sdk/v3 v3.158.0: move them together"},
		{"the tests' CLI moves alone", map[string][2]string{filepath.Join("tools", "pulumi", "go.mod"): {"pkg/v3 v3.276.0", "pkg/v3 v3.158.0"}},
			"but tools/pulumi/go.mod requires github.com/pulumi/pulumi/pkg/v3 v3.158.0"},
		{"a range instead of a version", map[string][2]string{VersionFile: {"3.276.0", "^3"}},
			`must hold one exact version like 3.276.0, which pulumi/actions installs (got "^3")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckVersions(copyTo(t, tc.edit))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant ...%s", err, tc.want)
			}
		})
	}
}

// TestWorkflowsInstallThePinnedCLI: every workflow step that installs or
// runs Pulumi reads .pulumi.version, so production runs the CLI the engine
// tests ran. pulumi/actions without a version takes whatever the runner
// has, or the newest release (pulumi/actions src/config.ts).
func TestWorkflowsInstallThePinnedCLI(t *testing.T) {
	checkPulumiSteps(t, loadWorkflows(t, root), func(msg string) { t.Error(msg) })
	// The check itself: a workflow pinned to another version is caught.
	caught := 0
	checkPulumiSteps(t, []workflow{{file: "mutant.yml", Jobs: map[string]job{"up": {Steps: []step{
		{Uses: "pulumi/actions@v7", With: map[string]string{"pulumi-version": "3.200.0"}},
	}}}}}, func(string) { caught++ })
	if caught == 0 {
		t.Error("a workflow pinned to pulumi-version 3.200.0 passes the check")
	}
}

func checkPulumiSteps(t *testing.T, workflows []workflow, fail func(string)) {
	t.Helper()
	steps := 0
	for _, w := range workflows {
		for _, name := range w.sortedJobs() {
			for i, s := range w.Jobs[name].Steps {
				if !strings.HasPrefix(s.Uses, "pulumi/actions@") {
					if strings.Contains(s.Run, "curl") && strings.Contains(s.Run, "pulumi") {
						fail(w.file + ": job " + name + ": installs Pulumi by hand; use pulumi/actions with pulumi-version-file")
					}
					continue
				}
				steps++
				where := w.file + ": job " + name + ": step " + strconv.Itoa(i+1)
				if s.Uses != "pulumi/actions@v7" {
					fail(where + ": uses " + s.Uses + ", want pulumi/actions@v7")
				}
				if s.With["pulumi-version-file"] != VersionFile {
					fail(where + ": pulumi-version-file is " + quote(s.With["pulumi-version-file"]) + ", want .pulumi.version")
				}
				if v, ok := s.With["pulumi-version"]; ok {
					fail(where + ": pins pulumi-version " + v + " beside the version file")
				}
			}
		}
	}
	if steps == 0 {
		fail("no workflow step uses pulumi/actions")
	}
}

// TestWorkflowsRunInTheStacksEnvironment: every job that reaches Azure runs
// in an environment of its stack, and the subscription comes from the stack
// file, never from a repository or environment variable that every stack
// would share.
func TestWorkflowsRunInTheStacksEnvironment(t *testing.T) {
	for _, w := range loadWorkflows(t, root) {
		for _, name := range w.sortedJobs() {
			j := w.Jobs[name]
			azure := false
			for _, s := range j.Steps {
				if strings.HasPrefix(s.Uses, "azure/login@") || (strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["command"] != "") ||
					strings.Contains(s.Run, "pulumi preview") || strings.Contains(s.Run, "pulumi up") {
					azure = true
				}
				for k, v := range s.Env {
					if k == "ARM_SUBSCRIPTION_ID" {
						t.Errorf("%s: job %s: sets ARM_SUBSCRIPTION_ID=%s: the stack file's azure-native:subscriptionId decides", w.file, name, v)
					}
				}
				if sub := s.With["subscription-id"]; strings.HasPrefix(s.Uses, "azure/login@") && (sub == "" || strings.Contains(sub, "vars.") || strings.Contains(sub, "secrets.")) {
					t.Errorf("%s: job %s: azure/login's subscription-id is %q: take it from the stack file (kpax stacks, kpax drill pick)", w.file, name, sub)
				}
			}
			if !azure {
				continue
			}
			env, _ := j.Environment.(string)
			if !strings.Contains(env, "matrix.stack") && !strings.Contains(env, ".stack") {
				t.Errorf("%s: job %s reaches Azure in environment %q: want the stack's own (${{ matrix.stack }}...)", w.file, name, env)
			}
		}
	}
}

// TestDeployConvergesCanaryFirst: the deploy workflow compares each stack
// with the commit it last deployed (not with the previous push), records
// that commit only after a successful up, and deploys the rest only after
// the canary succeeded. cmd/kpax's TestDeployConverges shows the comparison
// itself.
func TestDeployConvergesCanaryFirst(t *testing.T) {
	checkDeploy(t, loadWorkflows(t, root), func(msg string) { t.Error(msg) })
	// The check itself: the old comparison with github.event.before fails it.
	data, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "deploy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	mutant := strings.Replace(string(data), "--deployed deployed.json", `--base "${{ github.event.before }}"`, 1)
	var w workflow
	if err := yaml.Unmarshal([]byte(mutant), &w); err != nil {
		t.Fatal(err)
	}
	w.file = "deploy.yml"
	var others []workflow
	for _, o := range loadWorkflows(t, root) {
		if o.file != "deploy.yml" {
			others = append(others, o)
		}
	}
	caught := 0
	checkDeploy(t, append(others, w), func(string) { caught++ })
	if caught == 0 {
		t.Error("a deploy workflow that compares with github.event.before passes the check")
	}
}

func checkDeploy(t *testing.T, workflows []workflow, fail func(string)) {
	t.Helper()
	byFile := map[string]workflow{}
	for _, w := range workflows {
		byFile[w.file] = w
	}
	deploy, up := byFile["deploy.yml"], byFile["pulumi-up.yml"]
	var runs []string
	for _, name := range deploy.sortedJobs() {
		for _, s := range deploy.Jobs[name].Steps {
			runs = append(runs, s.Run)
		}
	}
	all := strings.Join(runs, "\n")
	if strings.Contains(all, "github.event.before") || !strings.Contains(all, "kpax affected --deployed") || !strings.Contains(all, "kpax:deployed-commit") {
		fail("deploy.yml: must compare each stack with its kpax:deployed-commit tag (kpax affected --deployed), not with github.event.before")
	}
	if !strings.Contains(deploy.Jobs["plan"].If, "github.ref == 'refs/heads/main'") {
		fail("deploy.yml: the plan job must run on main only: a dispatch from another branch would deploy it to prod")
	}
	canary, rest := deploy.Jobs["canary"], deploy.Jobs["rest"]
	if canary.Uses != "./.github/workflows/pulumi-up.yml" || rest.Uses != canary.Uses {
		fail("deploy.yml: the canary and rest jobs must both call pulumi-up.yml")
	}
	if !strings.Contains(canary.With["stacks"], "outputs.canary") || !strings.Contains(rest.With["stacks"], "outputs.rest") {
		fail("deploy.yml: the canary job deploys plan's canary, the rest job plan's rest")
	}
	if needs, _ := rest.Needs.([]any); !contains(needs, "canary") || !strings.Contains(rest.If, "needs.canary.result == 'success'") || strings.Contains(rest.If, "always()") {
		fail("deploy.yml: the rest job must need the canary and run only when it succeeded")
	}
	steps := up.Jobs["up"].Steps
	upAt, tagAt := -1, -1
	for i, s := range steps {
		if strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["command"] == "up" {
			upAt = i
		}
		if strings.Contains(s.Run, "pulumi stack tag set kpax:deployed-commit") {
			tagAt = i
		}
	}
	if upAt < 0 || tagAt <= upAt {
		fail("pulumi-up.yml: the deployed commit must be tagged after the up step, which fails the job before it when it fails")
	}
	// The notes of what was just deployed, published whatever they found.
	notesAt, publishAt := -1, -1
	for i, s := range steps {
		if strings.Contains(s.Run, "kpax note --all --stack \"$STACK\"") && strings.Contains(s.Run, "--out \"notes/$STACK\"") {
			notesAt = i
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") && s.With["path"] == "notes/${{ matrix.stack }}" && strings.HasPrefix(s.If, "always()") {
			publishAt = i
		}
	}
	if notesAt <= upAt || publishAt <= notesAt {
		fail("pulumi-up.yml: after the up step, kpax note --all --stack \"$STACK\" --out \"notes/$STACK\" must write the stack's security notes, and an always() upload-artifact step publish notes/${{ matrix.stack }}")
	}
}

func contains(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func quote(s string) string { return `"` + s + `"` }
