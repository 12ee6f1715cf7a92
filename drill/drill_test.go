package drill

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kpax/kpax-cloud/spec"
)

func project(states map[string]spec.State) *spec.Project {
	p := &spec.Project{}
	for name, st := range states {
		p.Tenants = append(p.Tenants, &spec.Tenant{Name: name, Region: "fr", State: st, Stamp: 1})
	}
	return p
}

func TestRotation(t *testing.T) {
	proj := project(map[string]spec.State{
		"acme": spec.StateActive, "bistro": spec.StateSuspended, "cargo": spec.StateDecommissioned, "delta": spec.StateActive,
	})
	var names []string
	for _, tn := range Rotation(proj) {
		names = append(names, tn.Name)
	}
	if got := strings.Join(names, ","); got != "acme,bistro,delta" {
		t.Fatalf("rotation %s: active and suspended tenants, by name", got)
	}
	// Any 3 consecutive weeks drill each tenant once; days of one week
	// drill the same tenant.
	for start := 0; start < 5; start++ {
		seen := map[string]int{}
		for w := start; w < start+3; w++ {
			for d := 0; d < 7; d++ {
				day := Epoch.AddDate(0, 0, 7*w+d).Add(13 * time.Hour)
				tn, err := Choose(proj, day, "")
				if err != nil {
					t.Fatal(err)
				}
				if d == 0 {
					seen[tn.Name]++
				} else if first, _ := Choose(proj, Epoch.AddDate(0, 0, 7*w), ""); first.Name != tn.Name {
					t.Errorf("week %d: day %d drills %s, day 0 %s", w, d, tn.Name, first.Name)
				}
			}
		}
		if len(seen) != 3 {
			t.Errorf("weeks %d-%d drill %v, want each tenant once", start, start+2, seen)
		}
	}
	if tn, err := Choose(proj, Epoch, "bistro"); err != nil || tn.Name != "bistro" {
		t.Errorf("a named tenant: %v %v", tn, err)
	}
	if _, err := Choose(proj, Epoch, "cargo"); err == nil || !strings.Contains(err.Error(), `"cargo" is not in the drill rotation`) || !strings.Contains(err.Error(), "acme, bistro, delta") {
		t.Errorf("a decommissioned tenant: %v", err)
	}
	if _, err := Choose(project(map[string]spec.State{"old": spec.StateDecommissioned}), Epoch, ""); err == nil {
		t.Error("a rotation of no tenant picks one")
	}
}

func runbook(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../docs/restore.md")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScriptIsTheRunbooks(t *testing.T) {
	s, err := Script(runbook(t))
	if err != nil {
		t.Fatal(err)
	}
	if free := Free(s); len(free) > 0 {
		t.Errorf("the drill blocks use %v, which the drill does not set", free)
	}
	for _, step := range Steps {
		if !strings.Contains(s, "drill step "+step) {
			t.Errorf("script lacks step %s", step)
		}
	}
	for _, bad := range []string{
		"no markers at all",
		"<!-- drill: restore -->\n```sh\na\n```\n<!-- drill: restore -->\n```sh\nb\n```\n",
	} {
		if _, err := Script([]byte(bad)); err == nil {
			t.Errorf("Script(%q) accepted", bad)
		}
	}
}

// TestScriptRunsAgainstAzureCLI runs the drill's script with a stand-in for
// az that records its arguments: the commands come in the runbook's order,
// the copy's body is valid JSON with the guardrails' tags, the check starts
// the stamp's SQL job with the job's own container and the query, and a
// failed check still discards the copy.
func TestScriptRunsAgainstAzureCLI(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	s, err := Script(runbook(t))
	if err != nil {
		t.Fatal(err)
	}
	const source = "/subscriptions/s/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.Sql/servers/sql-kpax-fr-1-abcde/databases/sqldb-acme"
	run := func(checkFails bool) ([]string, error) {
		bin := t.TempDir()
		status := "Succeeded"
		if checkFails {
			status = "Failed"
		}
		log := filepath.Join(bin, "calls")
		az := `#!/bin/sh
printf '%s' "az $*" | tr '\n' ' ' >> "` + log + `"; echo >> "` + log + `"
case "$*" in
  "sql server list"*) echo sql-kpax-fr-1-abcde ;;
  "sql db show --resource-group"*) echo "` + source + `" ;;
  "sql db show --ids"*) echo francecentral ;;
  "account show"*) echo s ;;
  "rest --method get --url "*"/jobs/job-kpax-fr-sql?"*) echo '{"name": "ops", "image": "kpaxcloud.azurecr.io/kpax-ops:1.0.0", "command": ["/bin/sh", "-c", "script"], "env": [{"name": "OPS_CLIENT_ID", "value": "client"}], "probes": [], "volumeMounts": [], "resources": {"cpu": 0.5, "memory": "1Gi", "ephemeralStorage": "2Gi"}}' ;;
  "rest --method post "*"/start?"*) for a; do case "$prev" in --body) printf '%s' "$a" > "` + bin + `/start" ;; esac; prev=$a; done; echo job-kpax-fr-sql-x1 ;;
  "rest --method get --url "*"/executions/job-kpax-fr-sql-x1?"*) echo "` + status + `" ;;
  "rest "*) for a; do case "$prev" in --body) printf '%s' "$a" > "` + bin + `/body" ;; esac; prev=$a; done ;;
esac
`
		for name, body := range map[string]string{"az": az} {
			if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bash, "-c", s)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"),
			"RG=rg-kpax-fr-platform", "SERVER_PREFIX=sql-kpax-fr-1-", "DB=sqldb-acme", "DEST=sqldb-acme-drill-1",
			"TIME=2026-12-07T03:40:00Z", "TENANT=acme", "REGION=fr", "OPS_JOB=job-kpax-fr-sql")
		out, runErr := cmd.CombinedOutput()
		data, _ := os.ReadFile(log)
		if body, err := os.ReadFile(filepath.Join(bin, "body")); err == nil {
			var doc struct {
				Location   string            `json:"location"`
				Tags       map[string]string `json:"tags"`
				Properties map[string]any    `json:"properties"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Errorf("the copy's request body is not JSON: %v\n%s", err, body)
			}
			if doc.Location != "francecentral" || doc.Tags["managed-by"] == "" || doc.Tags["region"] != "fr" || doc.Tags["tenant"] != "acme" ||
				doc.Properties["createMode"] != "PointInTimeRestore" || doc.Properties["sourceDatabaseId"] != source || doc.Properties["restorePointInTime"] != "2026-12-07T03:40:00Z" {
				t.Errorf("the copy's request: %+v", doc)
			}
		} else {
			t.Errorf("no az rest call with a body:\n%s", out)
		}
		// The check's start keeps the job's container and adds the query.
		if body, err := os.ReadFile(filepath.Join(bin, "start")); err == nil {
			var start struct {
				Containers []map[string]json.RawMessage `json:"containers"`
			}
			if err := json.Unmarshal(body, &start); err != nil || len(start.Containers) != 1 {
				t.Fatalf("the check's start body: %v\n%s", err, body)
			}
			// A start's container takes these fields alone
			// (JobExecutionContainer, Microsoft.App 2024-03-01).
			for k := range start.Containers[0] {
				if !slices.Contains([]string{"name", "image", "command", "args", "env", "resources"}, k) {
					t.Errorf("the check's start sends %q, which a start's container does not take", k)
				}
			}
			var c struct {
				Image     string `json:"image"`
				Env       []struct{ Name, Value string }
				Resources map[string]any `json:"resources"`
			}
			raw, _ := json.Marshal(start.Containers[0])
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			if _, ok := c.Resources["ephemeralStorage"]; ok {
				t.Error("the check's start sends the read-only resources.ephemeralStorage")
			}
			env := map[string]string{}
			for _, e := range c.Env {
				env[e.Name] = e.Value
			}
			if c.Image != "kpaxcloud.azurecr.io/kpax-ops:1.0.0" || env["OPS_CLIENT_ID"] != "client" || env["SERVER"] != "sql-kpax-fr-1-abcde" ||
				env["DATABASE"] != "sqldb-acme-drill-1" || !strings.Contains(env["QUERY"], "sys.tables") || env["REQUESTED_BY"] != "restore drill of acme" {
				t.Errorf("the check's start: %s", body)
			}
		} else {
			t.Errorf("the check started no job:\n%s", out)
		}
		if runErr != nil {
			runErr = fmt.Errorf("%v\n%s", runErr, out)
		}
		return strings.Split(strings.TrimSpace(string(data)), "\n"), runErr
	}

	calls, err := run(false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"az sql server list", "az sql db show --resource-group", "az sql db show --ids", "az rest --method put --url https://management.azure.com" + strings.TrimSuffix(source, "/sqldb-acme") + "/sqldb-acme-drill-1?api-version=",
		"az resource wait --ids " + strings.TrimSuffix(source, "/sqldb-acme") + "/sqldb-acme-drill-1 --api-version 2021-11-01 --custom properties.status=='Online'",
		"az account show", "az rest --method get --url https://management.azure.com/subscriptions/s/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.App/jobs/job-kpax-fr-sql?api-version=2024-03-01",
		"az rest --method post --url https://management.azure.com/subscriptions/s/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.App/jobs/job-kpax-fr-sql/start?api-version=2024-03-01",
		"az rest --method get --url https://management.azure.com/subscriptions/s/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.App/jobs/job-kpax-fr-sql/executions/job-kpax-fr-sql-x1?api-version=2024-03-01",
		"az sql db delete --resource-group rg-kpax-fr-platform --server sql-kpax-fr-1-abcde --name sqldb-acme-drill-1 --yes"}
	if len(calls) != len(want) {
		t.Fatalf("calls:\n%s", strings.Join(calls, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(calls[i], w) {
			t.Errorf("call %d = %q, want %q...", i+1, calls[i], w)
		}
	}

	calls, err = run(true)
	if err == nil {
		t.Error("a failed check passes the drill")
	}
	if last := calls[len(calls)-1]; !strings.HasPrefix(last, "az sql db delete") {
		t.Errorf("a failed check leaves the copy: last call %q", last)
	}
}
