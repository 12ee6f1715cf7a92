package spec

import (
	"strings"
	"testing"
	"time"
)

// interventionRegion is the base region with one interventions list, whose
// first entry starts at line 12 (its first key at column 5).
func interventionRegion(entries string) string {
	return region("", "interventions:\n"+entries)
}

func TestInterventions(t *testing.T) {
	const fr = "regions/fr.yaml"
	tests := []struct {
		name    string
		entries string
		want    []string // every diagnostic, in order; none for a valid file
	}{
		{"valid, one tenant and the whole region",
			"  - {tenant: acme, from: '2026-03-02T08:00:00Z', to: '2026-03-02T10:00:00Z', ticket: CHG-1234}\n" +
				"  - {from: '2026-03-03T08:00:00Z', to: '2026-03-03T20:00:00Z', ticket: \"INC#77\"}\n", nil},
		{"not UTC", "  - {from: '2026-03-02T08:00:00+01:00', to: '2026-03-02T10:00:00Z', ticket: CHG-1}\n",
			[]string{fr + `:12:12: interventions.0.from: must be a UTC instant in RFC 3339, like 2026-03-02T08:00:00Z (got "2026-03-02T08:00:00+01:00")`}},
		{"not a time", "  - {from: tomorrow, to: '2026-03-02T10:00:00Z', ticket: CHG-1}\n",
			[]string{fr + `:12:12: interventions.0.from: must be a UTC instant in RFC 3339, like 2026-03-02T08:00:00Z (got "tomorrow")`}},
		{"ends before it starts", "  - {from: '2026-03-02T10:00:00Z', to: '2026-03-02T08:00:00Z', ticket: CHG-1}\n",
			[]string{fr + `:12:40: interventions.0.to: must be after from (2026-03-02T10:00:00Z), got 2026-03-02T08:00:00Z`}},
		{"too long", "  - {from: '2026-03-02T08:00:00Z', to: '2026-03-02T20:00:01Z', ticket: CHG-1}\n",
			[]string{fr + `:12:40: interventions.0.to: must be at most 12h after from: announce a longer job in several windows (got 12h0m1s)`}},
		{"no ticket", "  - {from: '2026-03-02T08:00:00Z', to: '2026-03-02T10:00:00Z'}\n",
			[]string{fr + `:12:5: interventions.0.ticket: is required`}},
		{"bad ticket", "  - {from: '2026-03-02T08:00:00Z', to: '2026-03-02T10:00:00Z', ticket: \"rm -rf\"}\n",
			[]string{fr + `:12:72: interventions.0.ticket: must be a change or incident reference`}},
		{"unknown tenant", "  - {tenant: globex, from: '2026-03-02T08:00:00Z', to: '2026-03-02T10:00:00Z', ticket: CHG-1}\n",
			[]string{fr + `:12:14: interventions.0.tenant: must name a tenant of region fr, or be left out for all of them (got "globex")`}},
		{"unknown field", "  - {from: '2026-03-02T08:00:00Z', to: '2026-03-02T10:00:00Z', ticket: CHG-1, by: alice}\n",
			[]string{fr + `:12:79: interventions.0.by: unknown field`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := loadDiags(t, writeProject(t, map[string]string{fr: interventionRegion(tt.entries)}))
			if len(ds) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%v", len(ds), len(tt.want), ds)
			}
			for i, w := range tt.want {
				if got := ds[i].String(); !strings.HasPrefix(got, w) {
					t.Errorf("diagnostic %d:\n got %s\nwant %s", i, got, w)
				}
			}
		})
	}
}

func TestInterventionWindow(t *testing.T) {
	from, to := Intervention{From: "2026-03-02T08:00:00Z", To: "2026-03-02T10:30:00Z"}.Window()
	if want := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC); !from.Equal(want) {
		t.Errorf("from = %v, want %v", from, want)
	}
	if got := to.Sub(from); got != 150*time.Minute {
		t.Errorf("window = %v, want 2h30m", got)
	}
}
