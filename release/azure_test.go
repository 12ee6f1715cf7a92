package release

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const image = "kpaxcloud.azurecr.io/kpax-server:4.13.0"

// standInAz is a stand-in for az that records its calls and answers as
// Azure does for the ring early of two stacks' tenants: acme (container,
// prod-fr), globex (VMs, prod-fr) and hooli (suspended, prod-fr). Its
// answers are files of the directory: revision.json, vm-<n>.json,
// alerts.json.
func standInAz(dir string) string {
	return `#!/bin/sh
echo "az $*" >> "` + dir + `/calls"
case "$*" in
  "containerapp show --name ca-acme --resource-group rg-kpax-fr-acme --query properties.latestReadyRevisionName"*) echo ca-acme--r7 ;;
  "containerapp revision show --name ca-acme --resource-group rg-kpax-fr-acme --revision ca-acme--r7"*) cat "` + dir + `/revision.json" ;;
  "vm extension show --resource-group rg-kpax-fr-globex --vm-name vm-globex-1 --name kpax-server"*) cat "` + dir + `/vm-1.json" ;;
  "vm extension show --resource-group rg-kpax-fr-globex --vm-name vm-globex-2 --name kpax-server"*) cat "` + dir + `/vm-2.json" ;;
  "graph query --graph-query alertsmanagementresources"*) cat "` + dir + `/alerts.json" ;;
  *) echo "stand-in az: unexpected call: az $*" >&2; exit 2 ;;
esac
`
}

var refs = []TenantRef{
	{Name: "acme", Stack: "prod-fr", Region: "fr", State: StateActive, Runtime: "container"},
	{Name: "globex", Stack: "prod-fr", Region: "fr", State: StateActive, Runtime: "vm", VMs: 2},
	{Name: "hooli", Stack: "prod-fr", Region: "fr", State: StateSuspended, Runtime: "container"},
}

// azureState is what the stand-in answers: the app's revision's image and
// creation, each VM's script image and status time, the alert rows.
type azureState struct {
	revisionImage string
	revisionAt    time.Time
	vmImage       string
	vmAt          [2]time.Time
	alerts        []map[string]any
}

func healthy() azureState {
	return azureState{
		revisionImage: image, revisionAt: now.Add(-30 * time.Hour),
		vmImage: image, vmAt: [2]time.Time{now.Add(-29 * time.Hour), now.Add(-28 * time.Hour)},
	}
}

// collect runs Collect against the stand-in az in state s.
func collect(t *testing.T, s azureState) (Inputs, []string) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	write := func(name string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("revision.json", map[string]any{"name": "ca-acme--r7", "properties": map[string]any{
		"createdTime": s.revisionAt.Format(time.RFC3339), "healthState": "Healthy",
		"template": map[string]any{"containers": []any{map[string]any{"name": "kpax", "image": s.revisionImage}}},
	}})
	for i, at := range s.vmAt {
		script := "#!/bin/bash\nset -euo pipefail\n\nregistry='kpaxcloud.azurecr.io'\nimage='" + s.vmImage + "'\n"
		write(fmt.Sprintf("vm-%d.json", i+1), map[string]any{
			"name":     "kpax-server",
			"settings": map[string]any{"script": base64.StdEncoding.EncodeToString([]byte(script))},
			"instanceView": map[string]any{"statuses": []any{map[string]any{
				"code": "ProvisioningState/succeeded", "level": "Info", "time": at.Format(time.RFC3339),
			}}},
		})
	}
	rows := s.alerts
	if rows == nil {
		rows = []map[string]any{}
	}
	write("alerts.json", map[string]any{"count": len(rows), "data": rows, "skip_token": nil, "total_records": len(rows)})
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(standInAz(dir)), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	in, err := Collect(AzCLI, "prod-fr", image, refs, now, soak)
	if err != nil {
		t.Fatal(err)
	}
	calls, _ := os.ReadFile(filepath.Join(dir, "calls"))
	return in, strings.Split(strings.TrimSpace(string(calls)), "\n")
}

func alertRow(rule string, fired time.Time, resolved *time.Time) map[string]any {
	row := map[string]any{
		"name": rule, "firedAt": fired.Format(time.RFC3339), "condition": "Fired", "resolvedAt": "",
		"rule": "/subscriptions/s/resourceGroups/rg-kpax-fr-" + strings.Split(rule, "-")[1] + "/providers/microsoft.insights/metricAlerts/" + rule,
	}
	if resolved != nil {
		row["condition"], row["resolvedAt"] = "Resolved", resolved.Format(time.RFC3339)
	}
	return row
}

// TestGateOverAzureCLI reads the ring's state through the stand-in az and
// gates on it: healthy; an alert fired; not soaked long enough; a VM tenant
// one of whose VMs still runs the old version. The suspended tenant is never
// read and never counts.
func TestGateOverAzureCLI(t *testing.T) {
	resolved := now.Add(-2 * time.Hour)
	tests := []struct {
		name   string
		state  func(*azureState)
		pass   bool
		failed string // the tenant that fails, and why
		why    string
	}{
		{name: "healthy", state: func(*azureState) {}, pass: true},
		{name: "healthy: the suspended tenant's alert and a database alert do not count", state: func(s *azureState) {
			s.alerts = []map[string]any{alertRow("kpax-hooli-availability", now.Add(-time.Hour), nil), alertRow("kpax-acme-database-availability", now.Add(-time.Hour), nil)}
		}, pass: true},
		{name: "an alert fired", state: func(s *azureState) {
			s.alerts = []map[string]any{alertRow("kpax-acme-server-5xx", now.Add(-3*time.Hour), &resolved)}
		}, failed: "acme", why: "alert kpax-acme-server-5xx fired at 2026-12-07T09:00:00Z (resolved 2026-12-07T10:00:00Z)"},
		{name: "a VM tenant's backend alert still fired", state: func(s *azureState) {
			s.alerts = []map[string]any{alertRow("kpax-globex-gateway-backend", now.Add(-26*time.Hour), nil)}
		}, failed: "globex", why: "alert kpax-globex-gateway-backend fired at 2026-12-06T10:00:00Z and is still fired"},
		{name: "not soaked long enough", state: func(s *azureState) { s.revisionAt = now.Add(-5 * time.Hour) },
			failed: "acme", why: "has run 4.13.0 for 5h0m0s"},
		{name: "one VM not soaked: the last VM's time counts", state: func(s *azureState) { s.vmAt[1] = now.Add(-time.Hour) },
			failed: "globex", why: "has run 4.13.0 for 1h0m0s"},
		{name: "an app that still runs the old version", state: func(s *azureState) { s.revisionImage = "kpaxcloud.azurecr.io/kpax-server:4.12.1" },
			failed: "acme", why: "does not run 4.13.0 (runs kpaxcloud.azurecr.io/kpax-server:4.12.1)"},
		{name: "VMs that still run the old version", state: func(s *azureState) { s.vmImage = "kpaxcloud.azurecr.io/kpax-server:4.12.1" },
			failed: "globex", why: "does not run 4.13.0 (runs kpaxcloud.azurecr.io/kpax-server:4.12.1 on vm-globex-1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := healthy()
			tt.state(&s)
			in, calls := collect(t, s)
			for _, c := range calls {
				if strings.Contains(c, "hooli") {
					t.Errorf("the suspended tenant is read: %s", c)
				}
			}
			g, err := Merge("early", soak, now, []Inputs{in})
			if err != nil {
				t.Fatal(err)
			}
			res := Gate(g)
			if res.Pass != tt.pass || res.Version != "4.13.0" {
				t.Errorf("pass = %v, want %v:\n%s", res.Pass, tt.pass, res.Text())
			}
			for _, v := range res.Tenants {
				if v.Name == "hooli" && v.Counted {
					t.Errorf("the suspended tenant counts: %+v", v)
				}
				if v.Name == tt.failed && (v.Pass || !strings.Contains(strings.Join(v.Reasons, "; "), tt.why)) {
					t.Errorf("%s: pass %v, reasons %v, want %q", v.Name, v.Pass, v.Reasons, tt.why)
				}
				if v.Counted && v.Name != tt.failed && !v.Pass {
					t.Errorf("%s fails: %v", v.Name, v.Reasons)
				}
			}
		})
	}
}

// TestCollectReadsWhatAzureDocuments: the calls are the documented ones,
// the alert query reads the essentials' fields over the soak, and the
// inputs file round-trips as JSON.
func TestCollectReadsWhatAzureDocuments(t *testing.T) {
	in, calls := collect(t, healthy())
	want := []string{
		"az containerapp show --name ca-acme --resource-group rg-kpax-fr-acme --query properties.latestReadyRevisionName --output tsv",
		"az containerapp revision show --name ca-acme --resource-group rg-kpax-fr-acme --revision ca-acme--r7 --output json",
		"az vm extension show --resource-group rg-kpax-fr-globex --vm-name vm-globex-1 --name kpax-server --instance-view --output json",
		"az vm extension show --resource-group rg-kpax-fr-globex --vm-name vm-globex-2 --name kpax-server --instance-view --output json",
	}
	for i, w := range want {
		if i >= len(calls) || calls[i] != w {
			t.Fatalf("calls:\n%s\nwant first:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
		}
	}
	q := calls[len(want)]
	for _, part := range []string{"alertsmanagementresources", "properties.essentials.startDateTime", "properties.essentials.alertRule",
		"properties.essentials.monitorConditionResolvedDateTime", "ago(24h)", "condition =~ 'Fired'"} {
		if !strings.Contains(q, part) {
			t.Errorf("alert query lacks %q: %s", part, q)
		}
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back Inputs
	if err := json.Unmarshal(data, &back); err != nil || len(back.Tenants) != 3 || !back.Tenants[0].Since.Equal(now.Add(-30*time.Hour)) ||
		!back.Tenants[1].Since.Equal(now.Add(-28*time.Hour)) || !back.Tenants[2].Since.IsZero() {
		t.Errorf("inputs round-trip: %v %+v", err, back)
	}
	if _, err := Merge("early", soak, now, []Inputs{in, {Stack: "prod-uk", Image: "kpaxcloud.azurecr.io/kpax-server:4.12.1"}}); err == nil {
		t.Error("stacks read for two versions merge")
	}
}

// TestRunGateOverFiles: the gate reads each stack's inputs file, as the
// workflow's gate job does, and answers over all of them.
func TestRunGateOverFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, in Inputs) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := WriteInputs(f, in); err != nil {
			t.Fatal(err)
		}
	}
	write("canary-prod-fr.json", Inputs{Stack: "prod-fr", Image: image, Tenants: []Tenant{{Name: "acme", Stack: "prod-fr", State: StateActive, Since: early}}})
	write("canary-prod-za.json", Inputs{Stack: "prod-za", Image: image, Tenants: []Tenant{{Name: "initech", Stack: "prod-za", State: StateActive, Since: early}},
		Alerts: []Alert{{Name: "kpax-initech-availability", Tenant: "initech", FiredAt: now.Add(-time.Hour)}}})
	var b strings.Builder
	res, err := RunGate(&b, "canary", soak, now, filepath.Join(dir, "canary-*.json"), "text")
	if err != nil || res.Pass || !strings.Contains(b.String(), "FAIL prod-za/initech: alert kpax-initech-availability") || !strings.Contains(b.String(), "ok   prod-fr/acme") {
		t.Errorf("gate over files: %v\n%s", err, b.String())
	}
	if _, err := RunGate(&b, "early", soak, now, filepath.Join(dir, "early-*.json"), "text"); err == nil {
		t.Error("no inputs file passes")
	}
}
