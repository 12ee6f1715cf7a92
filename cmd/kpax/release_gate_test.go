package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kpax/kpax-cloud/release"
)

// kpax release gate over the stacks' inputs: exit 0 when the ring has soaked
// with no alert, 5 naming the override label when an alert fired.
func TestReleaseGateCommand(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	image := "kpaxcloud.azurecr.io/kpax-server:4.13.0"
	write := func(dir string, alerts []release.Alert) string {
		in := release.Inputs{Stack: "prod-za", Image: image, CollectedAt: at,
			Tenants: []release.Tenant{
				{Name: "cape-office", Stack: "prod-za", State: "active", Running: image, Since: at.Add(-30 * time.Hour)},
				{Name: "karoo-print", Stack: "prod-za", State: "suspended"},
			},
			Alerts: alerts}
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "canary-prod-za.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, "canary-*.json")
	}
	healthy := write(t.TempDir(), nil)
	if code, out, errs := kpax("release", "gate", "--ring", "canary", "--soak", "24h", "--at", at.Format(time.RFC3339), "--inputs", healthy); code != exitOK {
		t.Errorf("healthy ring: exit %d\n%s%s", code, out, errs)
	}
	fired := write(t.TempDir(), []release.Alert{{Name: "kpax-cape-office-server-5xx", Tenant: "cape-office", FiredAt: at.Add(-2 * time.Hour), ResolvedAt: at.Add(-time.Hour)}})
	code, out, errs := kpax("release", "gate", "--ring", "canary", "--soak", "24h", "--at", at.Format(time.RFC3339), "--inputs", fired)
	if code != exitGate || !strings.Contains(out, "kpax-cape-office-server-5xx") || !strings.Contains(errs, "release-gate-override") {
		t.Errorf("an alert fired in the soak: exit %d, want %d naming the alert and the override label\n%s%s", code, exitGate, out, errs)
	}
	if code, _, _ := kpax("release", "gate", "--ring", "canary", "--soak", "a day", "--inputs", fired); code != exitUsage {
		t.Errorf("a bad --soak: exit %d, want %d", code, exitUsage)
	}
}
