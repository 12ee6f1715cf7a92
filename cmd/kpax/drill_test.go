package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kpax/kpax-cloud/drill"
)

func TestDrillPick(t *testing.T) {
	code, out, errs := kpax("drill", "pick", "--dir", root, "--tenant", "acme", "--at", "2026-12-07T04:40:00Z")
	if code != exitOK {
		t.Fatalf("exit %d %s", code, errs)
	}
	var p drillPick
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"RG": "rg-kpax-fr-platform", "SERVER_PREFIX": "sql-kpax-fr-1-", "DB": "sqldb-acme", "DEST": "sqldb-acme-drill-20261207t0440",
		"TIME": "2026-12-07T03:40:00Z", "TENANT": "acme", "REGION": "fr",
	}
	for k, v := range want {
		if p.Env[k] != v {
			t.Errorf("env %s = %q, want %q", k, p.Env[k], v)
		}
	}
	if p.Stack != "prod-fr" || p.Env["OPS_JOB"] != "job-kpax-fr-sql" || p.Subscription != "0d7c1c8b-c01d-4639-9d03-da0810c2a425" {
		t.Errorf("pick %+v", p)
	}
	// 2026-12-07 is week 48 from the epoch: the files' week.
	parts := map[string]string{
		"DRILL_PART": "files", "TENANT_RG": "rg-kpax-fr-acme", "VAULT": "rsv-kpax-fr", "SHARE": "kpax", "BLOB_CONTAINER": "kpax",
		"SECRET": "kpax-secret-key", "SCRATCH": "stdrillfr2612070440",
	}
	for k, v := range parts {
		if p.Env[k] != v {
			t.Errorf("env %s = %q, want %q", k, p.Env[k], v)
		}
	}
	if p.Part != "files" {
		t.Errorf("part %q, want files", p.Part)
	}
	code, out, errs = kpax("drill", "pick", "--dir", root, "--tenant", "acme", "--part", "secret", "--at", "2026-12-07T04:40:00Z", "--format", "env")
	if code != exitOK || !strings.Contains(out, "DRILL_PART=secret\n") || !strings.Contains(out, "SECRET=kpax-secret-key\n") || strings.Contains(out, "SCRATCH=") {
		t.Errorf("pick --part secret --format env: exit %d %s\n%s", code, errs, out)
	}
	if code, _, errs := kpax("drill", "pick", "--dir", root, "--part", "disk"); code != exitUsage || !strings.Contains(errs, "files, blob, secret") {
		t.Errorf("pick --part disk: exit %d %s", code, errs)
	}
	// The week's tenant, from the landed project: never a decommissioned
	// one, and every other tenant within as many weeks as there are.
	seen := map[string]bool{}
	for week := 0; week < 14; week++ {
		at := drill.Epoch.AddDate(0, 0, 7*week).Add(4 * time.Hour).Format(time.RFC3339)
		code, out, _ := kpax("drill", "pick", "--dir", root, "--at", at)
		var p drillPick
		if code != exitOK || json.Unmarshal([]byte(out), &p) != nil || p.Tenant == "old-corp" {
			t.Errorf("week %d: exit %d, picks %s", week, code, out)
		}
		seen[p.Tenant] = true
	}
	if len(seen) != 13 {
		t.Errorf("14 weeks drill %d tenants, want the 13 active or suspended: %v", len(seen), seen)
	}
	if code, _, errs := kpax("drill", "pick", "--dir", root, "--tenant", "old-corp"); code != exitInvalid || !strings.Contains(errs, "not in the drill rotation") {
		t.Errorf("decommissioned tenant: exit %d %s", code, errs)
	}
	for _, part := range drill.Parts {
		if code, out, _ := kpax("drill", "script", "--dir", root, "--part", string(part)); code != exitOK || !strings.Contains(out, "trap drill_exit EXIT") ||
			!strings.Contains(out, "drill step "+string(part)+" check") {
			t.Errorf("script --part %s: exit %d\n%s", part, code, out)
		}
	}
	if code, _, errs := kpax("drill", "script", "--dir", root); code != exitUsage || !strings.Contains(errs, "--part") {
		t.Errorf("script without a part: exit %d %s", code, errs)
	}
}
