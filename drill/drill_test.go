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
	for _, part := range Parts {
		s, err := Script(runbook(t), part)
		if err != nil {
			t.Fatal(err)
		}
		if free := Free(s, InputsFor(part)); len(free) > 0 {
			t.Errorf("%s: the drill blocks use %v, which the drill does not set", part, free)
		}
		if shadowed := Shadowed(s, InputsFor(part)); len(shadowed) > 0 {
			t.Errorf("%s: the drill blocks assign the inputs %v", part, shadowed)
		}
		for _, step := range Steps {
			if !strings.Contains(s, "drill step database "+step) {
				t.Errorf("%s: script lacks the database's step %s", part, step)
			}
		}
		for _, step := range PartSteps[part] {
			if !strings.Contains(s, "drill step "+string(part)+" "+step) {
				t.Errorf("%s: script lacks step %s", part, step)
			}
		}
	}
	for _, bad := range []string{
		"no markers at all",
		"<!-- drill: restore -->\n```sh\na\n```\n<!-- drill: restore -->\n```sh\nb\n```\n",
	} {
		if _, err := Script([]byte(bad), PartBlob); err == nil {
			t.Errorf("Script(%q) accepted", bad)
		}
	}
	// The database's blocks alone are not a drill of the files.
	db := "<!-- drill: restore -->\n```sh\na\n```\n<!-- drill: check -->\n```sh\nb\n```\n<!-- drill: discard -->\n```sh\nc\n```\n"
	if _, err := Script([]byte(db), PartFiles); err == nil || !strings.Contains(err.Error(), "files-restore") {
		t.Errorf("a runbook without the files' blocks: %v", err)
	}
	if _, err := Script([]byte(db), Part("disk")); err == nil {
		t.Error("a part outside the rotation has a script")
	}
}

const (
	source  = "/subscriptions/s/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.Sql/servers/sql-kpax-fr-1-abcde/databases/sqldb-acme"
	tenRG   = "/subscriptions/s/resourceGroups/rg-kpax-fr-acme/providers"
	stID    = tenRG + "/Microsoft.Storage/storageAccounts/stacmeabc123"
	bkID    = tenRG + "/Microsoft.Storage/storageAccounts/bkacmeabc123"
	vaultID = tenRG + "/Microsoft.KeyVault/vaults/kvacmeabc123"
)

// standInAz is a stand-in for az that records its arguments and answers as
// Azure would; FAIL names the check that finds something wrong: database,
// files, blob, blob-empty, secret or secret-protection.
func standInAz(bin, log string) string {
	return `#!/bin/sh
printf '%s' "az $*" | tr '\n' ' ' >> "` + log + `"; echo >> "` + log + `"
case "$*" in
  "sql server list"*) echo sql-kpax-fr-1-abcde ;;
  "sql db show --resource-group"*) echo "` + source + `" ;;
  "sql db show --ids"*) echo francecentral ;;
  "account show"*) echo s ;;
  "rest --method get --url "*"/jobs/job-kpax-fr-sql?"*) echo '{"name": "ops", "image": "kpaxcloud.azurecr.io/kpax-ops:1.0.0", "command": ["/bin/sh", "-c", "script"], "env": [{"name": "OPS_CLIENT_ID", "value": "client"}], "probes": [], "volumeMounts": [], "resources": {"cpu": 0.5, "memory": "1Gi", "ephemeralStorage": "2Gi"}}' ;;
  "rest --method post "*"/start?"*) for a; do case "$prev" in --body) printf '%s' "$a" > "` + bin + `/start" ;; esac; prev=$a; done; echo job-kpax-fr-sql-x1 ;;
  "rest --method get --url "*"/executions/job-kpax-fr-sql-x1?"*) if [ "$FAIL" = database ]; then echo Failed; else echo Succeeded; fi ;;
  "rest --method get --url https://management.azure.com` + vaultID + `/secrets/kpax-secret-key?"*) if [ "$FAIL" = secret ]; then echo false; else echo true; fi ;;
  "rest --method get --url https://management.azure.com` + vaultID + `?"*) if [ "$FAIL" = secret-protection ]; then echo true,false; else echo true,true; fi ;;
  "rest "*) for a; do case "$prev" in --body) printf '%s' "$a" > "` + bin + `/body" ;; esac; prev=$a; done ;;
  "storage account list --resource-group rg-kpax-fr-acme --query [?starts_with(name, 'st')].name"*) echo stacmeabc123 ;;
  "storage account list --resource-group rg-kpax-fr-acme --query [?starts_with(name, 'st')].id"*) echo "` + stID + `" ;;
  "storage account list --resource-group rg-kpax-fr-acme --query [?starts_with(name, 'bk')].id"*) echo "` + bkID + `" ;;
  "group show --name rg-kpax-fr-acme"*) echo francecentral ;;
  "storage share-rm show --resource-group rg-kpax-fr-acme"*) echo 100 ;;
  "storage share-rm show --resource-group rg-kpax-fr-platform"*) echo 1048576 ;;
  "backup recoverypoint list"*) echo 932881138555802864 ;;
  "backup restore restore-azurefileshare"*) echo 0f1e2d3c-restore ;;
  "backup job show"*) if [ "$FAIL" = files ]; then echo CompletedWithWarnings; else echo Completed; fi ;;
  "storage account or-policy list --resource-group rg-kpax-fr-acme --account-name bk"*) if [ "$FAIL" = blob ]; then echo; else echo 2a3b-policy; fi ;;
  "storage account or-policy list"*) echo 2a3b-policy ;;
  "monitor metrics list --resource ` + bkID + `"*) if [ "$FAIL" = blob-empty ]; then echo; else echo 41.0; fi ;;
  "monitor metrics list"*) echo 42.0 ;;
  "keyvault list --resource-group rg-kpax-fr-acme"*) echo "` + vaultID + `" ;;
esac
`
}

// drillRun runs the drill's script for part with the stand-in az; it
// returns the calls, the output and the script's error.
func drillRun(t *testing.T, part Part, fail string) (calls []string, out string, bin string, runErr error) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	s, err := Script(runbook(t), part)
	if err != nil {
		t.Fatal(err)
	}
	bin = t.TempDir()
	log := filepath.Join(bin, "calls")
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(standInAz(bin, log)), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "-c", s)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FAIL="+fail,
		"RG=rg-kpax-fr-platform", "SERVER_PREFIX=sql-kpax-fr-1-", "DB=sqldb-acme", "DEST=sqldb-acme-drill-1",
		"TIME=2026-12-07T03:40:00Z", "TENANT=acme", "REGION=fr", "OPS_JOB=job-kpax-fr-sql",
		"DRILL_PART="+string(part), "TENANT_RG=rg-kpax-fr-acme", "VAULT=rsv-kpax-fr", "SHARE=kpax", "BLOB_CONTAINER=kpax",
		"SECRET=kpax-secret-key", "SCRATCH=stdrillfr2612070440")
	b, runErr := cmd.CombinedOutput()
	data, _ := os.ReadFile(log)
	return strings.Split(strings.TrimSpace(string(data)), "\n"), string(b), bin, runErr
}

// TestScriptRunsAgainstAzureCLI runs the drill's script with a stand-in for
// az that records its arguments: the commands come in the runbook's order,
// the copy's body is valid JSON with the guardrails' tags, the check starts
// the stamp's SQL job with the job's own container and the query, and a
// failed check still discards the copy.
func TestScriptRunsAgainstAzureCLI(t *testing.T) {
	run := func(checkFails bool) ([]string, error) {
		fail := ""
		if checkFails {
			fail = "database"
		}
		calls, out, bin, runErr := drillRun(t, PartSecret, fail)
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
		return calls, runErr
	}

	calls, err := run(false)
	if err != nil {
		t.Fatal(err)
	}
	// The database's calls; the secret's check between them and the
	// discard is TestPartsRunAgainstAzureCLI's.
	calls = slices.DeleteFunc(calls, func(c string) bool { return strings.Contains(c, "rg-kpax-fr-acme") || strings.Contains(c, "kvacme") })
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

// TestPartsRunAgainstAzureCLI runs each part's drill with the stand-in az:
// the part's commands run after the database's, in the runbook's order;
// nothing in the tenant's resource group is written (every call there
// lists, shows or gets); the files' scratch account is created with the
// guardrails' tags and no public access, restored into and deleted, and a
// failed check fails the drill, names the part, and still removes every
// scratch copy.
func TestPartsRunAgainstAzureCLI(t *testing.T) {
	const scratchCreate = "az storage account create --resource-group rg-kpax-fr-platform --name stdrillfr2612070440 --location francecentral"
	want := map[Part][]string{
		PartFiles: {
			"az storage account list --resource-group rg-kpax-fr-acme", "az group show --name rg-kpax-fr-acme",
			"az storage share-rm show --resource-group rg-kpax-fr-acme --storage-account stacmeabc123 --name kpax --query shareQuota",
			scratchCreate,
			"az storage share-rm create --resource-group rg-kpax-fr-platform --storage-account stdrillfr2612070440 --name kpax --quota 100",
			"az backup recoverypoint list --resource-group rg-kpax-fr-platform --vault-name rsv-kpax-fr --container-name stacmeabc123 --item-name kpax",
			"az backup restore restore-azurefileshare --resource-group rg-kpax-fr-platform --vault-name rsv-kpax-fr --container-name stacmeabc123 --item-name kpax --rp-name 932881138555802864 --restore-mode AlternateLocation --target-storage-account stdrillfr2612070440 --target-file-share kpax",
			"az backup job wait --resource-group rg-kpax-fr-platform --vault-name rsv-kpax-fr --name 0f1e2d3c-restore",
			"az backup job show --resource-group rg-kpax-fr-platform --vault-name rsv-kpax-fr --name 0f1e2d3c-restore",
			"az storage share-rm show --resource-group rg-kpax-fr-platform --storage-account stdrillfr2612070440 --name kpax --expand stats",
			"az storage account delete --resource-group rg-kpax-fr-platform --name stdrillfr2612070440 --yes",
		},
		PartBlob: {
			"az storage account list --resource-group rg-kpax-fr-acme", "az storage account list --resource-group rg-kpax-fr-acme",
			"az storage account or-policy list --resource-group rg-kpax-fr-acme --account-name stacmeabc123",
			"az storage account or-policy list --resource-group rg-kpax-fr-acme --account-name bkacmeabc123",
			"az monitor metrics list --resource " + stID + "/blobServices/default --metric BlobCount",
			"az monitor metrics list --resource " + bkID + "/blobServices/default --metric BlobCount",
		},
		PartSecret: {
			"az keyvault list --resource-group rg-kpax-fr-acme",
			"az rest --method get --url https://management.azure.com" + vaultID + "?api-version=",
			"az rest --method get --url https://management.azure.com" + vaultID + "/secrets/kpax-secret-key?api-version=",
		},
	}
	const dbDelete = "az sql db delete --resource-group rg-kpax-fr-platform --server sql-kpax-fr-1-abcde --name sqldb-acme-drill-1 --yes"
	for _, part := range Parts {
		t.Run(string(part), func(t *testing.T) {
			calls, out, _, err := drillRun(t, part, "")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			// The database's drill comes first, its discard last.
			i := slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, "az resource wait") })
			if i < 0 || calls[len(calls)-1] != dbDelete {
				t.Fatalf("the database's drill: %s", strings.Join(calls, "\n"))
			}
			got := slices.DeleteFunc(slices.Clone(calls[i+1:len(calls)-1]), func(c string) bool {
				return strings.Contains(c, "Microsoft.App/jobs") || strings.HasPrefix(c, "az account show")
			})
			if len(got) != len(want[part]) {
				t.Fatalf("%s's calls:\n%s", part, strings.Join(got, "\n"))
			}
			for j, w := range want[part] {
				if !strings.HasPrefix(got[j], w) {
					t.Errorf("%s call %d = %q, want %q...", part, j+1, got[j], w)
				}
			}
			for _, c := range calls {
				if strings.Contains(c, "rg-kpax-fr-acme") || strings.Contains(c, "kvacme") {
					if verb := strings.Fields(c); !slices.ContainsFunc(verb[:5], func(v string) bool { return v == "list" || v == "show" || v == "get" }) {
						t.Errorf("the drill writes into the tenant's group: %s", c)
					}
				}
			}
			if part == PartFiles {
				create := calls[slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, scratchCreate) })]
				for _, flag := range []string{"--public-network-access Disabled", "--default-action Deny", "--bypass AzureServices",
					"--tags managed-by=kpax-operator region=fr tenant=acme"} {
					if !strings.Contains(create, flag) {
						t.Errorf("the scratch account lacks %s: %s", flag, create)
					}
				}
			}
		})
	}
	for _, c := range []struct {
		part       Part
		fail, says string
	}{
		{PartFiles, "files", "failed: files check"},
		{PartBlob, "blob", "failed: blob check"},
		{PartBlob, "blob-empty", "failed: blob check"},
		{PartSecret, "secret", "failed: secret check"},
		{PartSecret, "secret-protection", "failed: secret check"},
		{PartFiles, "database", "failed: database check"},
	} {
		t.Run(c.fail, func(t *testing.T) {
			calls, out, _, err := drillRun(t, c.part, c.fail)
			if err == nil {
				t.Fatalf("a failed %s check passes the drill:\n%s", c.fail, out)
			}
			if !strings.Contains(out, "::error::restore drill of acme "+c.says) {
				t.Errorf("the drill does not say %q:\n%s", c.says, out)
			}
			if calls[len(calls)-1] != dbDelete {
				t.Errorf("a failed %s check leaves the database's copy: last call %q", c.fail, calls[len(calls)-1])
			}
			scratch := slices.ContainsFunc(calls, func(s string) bool { return strings.HasPrefix(s, "az storage account create") })
			deleted := slices.ContainsFunc(calls, func(s string) bool { return strings.HasPrefix(s, "az storage account delete") })
			if c.part == PartFiles && c.fail == "files" && !(scratch && deleted) {
				t.Errorf("a failed files check leaves the scratch account (created %v, deleted %v)", scratch, deleted)
			}
			if c.fail == "database" && scratch {
				t.Error("the part runs after the database's check failed")
			}
		})
	}
}

func TestPartRotation(t *testing.T) {
	tests := []struct {
		name string
		day  time.Time
		want Part
	}{
		{"the first Monday", Epoch, PartFiles},
		{"its Sunday night", Epoch.AddDate(0, 0, 7).Add(-time.Second), PartFiles},
		{"week 1", Epoch.AddDate(0, 0, 7), PartBlob},
		{"week 2", Epoch.AddDate(0, 0, 14).Add(4*time.Hour + 40*time.Minute), PartSecret},
		{"week 3", Epoch.AddDate(0, 0, 21), PartFiles},
		// 2026 has 53 ISO weeks: its last (Monday 2026-12-28) and 2027's
		// first (Monday 2027-01-04) are weeks 51 and 52.
		{"ISO week 53 of 2026", time.Date(2026, 12, 28, 4, 40, 0, 0, time.UTC), PartFiles},
		{"ISO week 1 of 2027", time.Date(2027, 1, 4, 4, 40, 0, 0, time.UTC), PartBlob},
		{"a year later", time.Date(2028, 1, 3, 4, 40, 0, 0, time.UTC), Parts[Week(time.Date(2028, 1, 3, 0, 0, 0, 0, time.UTC))%3]},
		{"the week before Epoch", Epoch.Add(-time.Hour), PartSecret},
		{"in another time zone", time.Date(2026, 1, 12, 0, 30, 0, 0, time.FixedZone("CET", 3600)), PartFiles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PartOf(tt.day); got != tt.want {
				t.Errorf("PartOf(%s) = %s (week %d), want %s", tt.day, got, Week(tt.day), tt.want)
			}
		})
	}
	// Any 3 consecutive weeks, across years, prove each part once, and each
	// tenant's turn meets a part in turn.
	for w := 0; w < 200; w++ {
		seen := map[Part]bool{}
		for k := 0; k < 3; k++ {
			seen[PartOf(Epoch.AddDate(0, 0, 7*(w+k)).Add(36*time.Hour))] = true
		}
		if len(seen) != 3 {
			t.Fatalf("weeks %d-%d prove %v", w, w+2, seen)
		}
	}
	if _, err := ParsePart("disk"); err == nil || !strings.Contains(err.Error(), "files, blob, secret") {
		t.Errorf("ParsePart(disk): %v", err)
	}
	// Every tenant of a rotation has every part: the rotation of parts never
	// meets a tenant without one (a decommissioned tenant is never picked).
	proj := project(map[string]spec.State{"acme": spec.StateActive, "old": spec.StateDecommissioned})
	for w := 0; w < 6; w++ {
		day := Epoch.AddDate(0, 0, 7*w)
		if tn, _ := Choose(proj, day, ""); tn.Name != "acme" {
			t.Errorf("week %d drills %s", w, tn.Name)
		}
	}
}
