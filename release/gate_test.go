package release

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	now   = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	soak  = 24 * time.Hour
	early = now.Add(-30 * time.Hour) // soaked
)

func TestAlertNamesAreTheComponentsOnes(t *testing.T) {
	// components/tenant_alerts.go names its rules alertName(tenant, what):
	// kpax-<tenant>-<what>.
	want := []string{"kpax-acme-availability", "kpax-acme-gateway-backend", "kpax-acme-server-5xx"}
	if got := AlertNames("acme"); !reflect.DeepEqual(got, want) {
		t.Errorf("AlertNames(acme) = %v, want %v", got, want)
	}
}

// TestGate: the gate over a stand-in history, per tenant.
func TestGate(t *testing.T) {
	acme := Tenant{Name: "acme", Stack: "prod-fr", State: StateActive, Running: "img:4.13.0", Since: early}
	globex := Tenant{Name: "globex", Stack: "prod-uk", State: StateActive, Running: "img:4.13.0", Since: early}
	tests := []struct {
		name     string
		tenants  []Tenant
		alerts   []Alert
		pass     bool
		reason   string
		failures map[string]string // tenant -> part of its reason
	}{
		{name: "healthy", tenants: []Tenant{acme, globex}, pass: true, reason: "all 2 active tenants"},
		{
			name:    "healthy: an alert of another tenant, of a kind that does not gate, and one resolved before the window",
			tenants: []Tenant{acme, globex},
			alerts: []Alert{
				{Name: "kpax-initech-server-5xx", FiredAt: now.Add(-time.Hour)},
				{Name: "kpax-acme-database-availability", FiredAt: now.Add(-time.Hour)},
				{Name: "kpax-acme-availability", FiredAt: now.Add(-29 * time.Hour), ResolvedAt: now.Add(-25 * time.Hour)},
				{Name: "kpax-acme-availability", Tenant: "other", FiredAt: now.Add(-time.Hour)},
			},
			pass: true,
		},
		{
			name: "an alert fired", tenants: []Tenant{acme, globex},
			alerts:   []Alert{{Name: "kpax-globex-server-5xx", Tenant: "globex", FiredAt: now.Add(-3 * time.Hour), ResolvedAt: now.Add(-2 * time.Hour)}},
			reason:   "1 of 2 active tenants",
			failures: map[string]string{"globex": "alert kpax-globex-server-5xx fired at 2026-12-07T09:00:00Z (resolved 2026-12-07T10:00:00Z)"},
		},
		{
			name: "an alert fired before the window and still fired", tenants: []Tenant{acme},
			alerts:   []Alert{{Name: "kpax-acme-gateway-backend", FiredAt: now.Add(-40 * time.Hour)}},
			failures: map[string]string{"acme": "alert kpax-acme-gateway-backend fired at 2026-12-05T20:00:00Z and is still fired"},
		},
		{
			name: "not soaked long enough", tenants: []Tenant{acme, func() Tenant { g := globex; g.Since = now.Add(-6 * time.Hour); return g }()},
			failures: map[string]string{"globex": "has run 4.13.0 for 6h0m0s since 2026-12-07T06:00:00Z, not the soak of 24h0m0s (ready at 2026-12-08T06:00:00Z)"},
		},
		{
			name: "a tenant that does not run the version", tenants: []Tenant{acme, {Name: "globex", Stack: "prod-uk", State: StateActive, Running: "img:4.12.1"}},
			failures: map[string]string{"globex": "does not run 4.13.0 (runs img:4.12.1)"},
		},
		{
			name:    "a suspended tenant does not count, even unsoaked and alerting",
			tenants: []Tenant{acme, {Name: "globex", Stack: "prod-uk", State: StateSuspended}},
			alerts:  []Alert{{Name: "kpax-globex-availability", FiredAt: now.Add(-time.Hour)}},
			pass:    true, reason: "all 1 active tenants",
		},
		{
			name:    "a ring without an active tenant does not pass",
			tenants: []Tenant{{Name: "acme", Stack: "prod-fr", State: StateSuspended}, {Name: "old", Stack: "prod-fr", State: StateDecommissioned}},
			reason:  "ring early has no active tenant: nothing has proved 4.13.0",
		},
		{name: "an empty ring does not pass", reason: "has no active tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Gate(GateInput{Ring: "early", Version: "4.13.0", Soak: soak, Now: now, Tenants: tt.tenants, Alerts: tt.alerts})
			if res.Pass != tt.pass {
				t.Errorf("pass = %v, want %v:\n%s", res.Pass, tt.pass, res.Text())
			}
			if !strings.Contains(res.Reason, tt.reason) {
				t.Errorf("reason %q, want it to say %q", res.Reason, tt.reason)
			}
			for _, v := range res.Tenants {
				want, failing := tt.failures[v.Name]
				if v.Counted && v.Pass == failing {
					t.Errorf("%s: pass = %v, reasons %v", v.Name, v.Pass, v.Reasons)
				}
				if failing && !strings.Contains(strings.Join(v.Reasons, "; "), want) {
					t.Errorf("%s: reasons %v, want %q", v.Name, v.Reasons, want)
				}
				if v.State != StateActive && (v.Counted || !strings.Contains(v.Reasons[0], "does not count")) {
					t.Errorf("%s (%s): counted %v, reasons %v", v.Name, v.State, v.Counted, v.Reasons)
				}
			}
		})
	}
}

func TestGateText(t *testing.T) {
	res := Gate(GateInput{Ring: "canary", Version: "4.13.0", Soak: soak, Now: now, Tenants: []Tenant{
		{Name: "acme", Stack: "prod-fr", State: StateActive, Since: early},
		{Name: "globex", Stack: "prod-fr", State: StateSuspended},
		{Name: "initech", Stack: "prod-za", State: StateActive, Since: early},
	}, Alerts: []Alert{{Name: "kpax-initech-availability", FiredAt: now.Add(-time.Hour)}}})
	want := `gate FAIL of ring canary at 4.13.0: ring canary: 1 of 2 active tenants have not proved 4.13.0 over the soak of 24h0m0s
  ok   prod-fr/acme
  skip prod-fr/globex: suspended: serves no one, does not count
  FAIL prod-za/initech: alert kpax-initech-availability fired at 2026-12-07T11:00:00Z and is still fired
`
	if got := res.Text(); got != want {
		t.Errorf("text:\n%s\nwant:\n%s", got, want)
	}
}
