package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/program"
)

// The commit and date the goldens name: a note's other lines come from the
// plan alone.
var noteRevision = []string{"--commit", "0123abc", "--date", "2026-12-07"}

// TestNoteGoldens: the security notes of a container tenant (acme) and a VM
// tenant (bistro-lyon), in English and French, and acme's HTML page.
func TestNoteGoldens(t *testing.T) {
	for _, c := range []struct{ tenant, lang, format string }{
		{"acme", "en", "md"}, {"acme", "fr", "md"}, {"bistro-lyon", "en", "md"}, {"bistro-lyon", "fr", "md"},
		{"acme", "en", "html"},
	} {
		t.Run(c.tenant+"."+c.lang+"."+c.format, func(t *testing.T) {
			code, out, errs := kpax(append([]string{"note", "--dir", root, "--tenant", c.tenant, "--lang", c.lang, "--format", c.format}, noteRevision...)...)
			if code != 0 {
				t.Fatalf("exit %d, want 0 (every commitment holds on the landed plan): %s", code, errs)
			}
			golden(t, filepath.Join("note", c.tenant+"."+c.lang+"."+c.format), out)
			if c.format == "html" {
				// Standalone: nothing fetched, nothing run.
				for _, banned := range []string{"http://", "<script", "<link", "@import", "url(", "src="} {
					if strings.Contains(out, banned) {
						t.Errorf("the HTML note holds %q: it must need no network and no external asset", banned)
					}
				}
				mustContain(t, out, "@page { size: A4")
			}
		})
	}
}

// withPlan makes kpax note plan stacks through mutate for one test.
func withPlan(t *testing.T, mutate func(p *plan.Plan)) {
	t.Helper()
	t.Cleanup(func() { planStack = program.Plan })
	planStack = func(dir, stack string) (*plan.Plan, error) {
		p, err := program.Plan(dir, stack)
		if err == nil {
			mutate(p)
		}
		return p, err
	}
}

// inputs sets one input of a resource of the plan, found by logical name.
func inputs(t *testing.T, p *plan.Plan, name string, set func(in map[string]any)) {
	t.Helper()
	for _, r := range p.Resources {
		if r.Name == name {
			set(r.Inputs)
			return
		}
	}
	t.Fatalf("no resource %s in the plan", name)
}

// drop removes resources of the plan by logical name.
func drop(t *testing.T, p *plan.Plan, names ...string) {
	t.Helper()
	kept := p.Resources[:0]
	for _, r := range p.Resources {
		gone := false
		for _, n := range names {
			gone = gone || r.Name == n
		}
		if !gone {
			kept = append(kept, r)
		}
	}
	if len(kept) != len(p.Resources)-len(names) {
		t.Fatalf("dropping %v removed %d resources", names, len(p.Resources)-len(kept))
	}
	p.Resources = kept
}

// TestNoteMutations: each weakening of acme's plan changes its note, marks
// the fact as a gap, flips its commitment and makes kpax note exit 6.
func TestNoteMutations(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "note", "acme.en.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		mutate   func(t *testing.T, p *plan.Plan)
		sentence string // the gap the note must now state
		promise  string // the commitment that no longer holds
	}{
		{"backup item removed", func(t *testing.T, p *plan.Plan) { drop(t, p, "acme-share-backup") },
			"**✗ gap** Files: the file share `kpax` has no backup: no backup item protects it.",
			"| A daily backup of all data, files and settings | ✗ does not hold |"},
		{"storage on a zonal SKU", func(t *testing.T, p *plan.Plan) {
			inputs(t, p, "acme-storage", func(in map[string]any) { in["sku"] = map[string]any{"name": "Standard_LRS"} })
		},
			"**✗ gap** The storage account `stacmevttx68` is Standard_LRS: its data is kept in a single zone of francecentral.",
			"| Runs over three independent availability zones, any one of which can fail with no data lost | ✗ does not hold |"},
		{"public network access on", func(t *testing.T, p *plan.Plan) {
			inputs(t, p, "acme-kv", func(in map[string]any) { in["properties"].(map[string]any)["publicNetworkAccess"] = "Enabled" })
		},
			"**✗ gap** Public network access is on for `kvacmevttx68`.",
			"| Isolated from every other customer's space | ✗ does not hold |"},
		{"policy assignment removed", func(t *testing.T, p *plan.Plan) { drop(t, p, "acme-guardrails", "acme-guardrails-in-effect") },
			"**✗ gap** No Azure Policy guardrail is assigned to the resource group `rg-kpax-fr-acme`.",
			"| Security controls enforced by Azure Policy and checked against published rules | ✗ does not hold |"},
		// Beyond the four: a session role granted above the tenant's
		// group (roles inherit down), and SQL passwords let back in.
		{"a session role on the platform's group", func(t *testing.T, p *plan.Plan) {
			p.Resources = append(p.Resources, &plan.Resource{
				URN:  "urn:pulumi:prod-fr::kpax-cloud::azure-native:authorization:RoleAssignment::intruder",
				Type: "azure-native:authorization:RoleAssignment", Name: "intruder", Custom: true,
				Inputs: map[string]any{
					"principalId": "0b1c2d3e-0000-4000-8000-000000000001", "principalType": "User",
					"roleDefinitionId": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
					"scope":            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-kpax-fr-platform",
				},
			})
		},
			"**✗ gap** Someone other than the KPAX operators' group `kpax-operators-fr` can open a session:",
			"| OS access restricted to qualified KPAX staff | ✗ does not hold |"},
		{"Entra-only authentication not held", func(t *testing.T, p *plan.Plan) { drop(t, p, "region-fr-sql-1-entra-only") },
			"**✗ gap** Database: the Azure SQL database `sqldb-acme`",
			"| Security controls enforced by Azure Policy and checked against published rules | ✗ does not hold |"},
	} {
		t.Run(c.name, func(t *testing.T) {
			withPlan(t, func(p *plan.Plan) {
				if p.Stack == "prod-fr" {
					c.mutate(t, p)
				}
			})
			code, out, errs := kpax(append([]string{"note", "--dir", root, "--tenant", "acme"}, noteRevision...)...)
			if code != exitGaps {
				t.Errorf("exit %d, want %d: %s", code, exitGaps, errs)
			}
			if out == string(want) {
				t.Fatal("the note did not change")
			}
			mustContain(t, out, c.sentence)
			mustContain(t, out, c.promise)
			mustContain(t, out, "show less than the KPAX commitments")
			mustContain(t, errs, "the notes of acme (")
		})
	}
}

// TestNoteBadInput: an unknown tenant, a decommissioned one and an unknown
// language each get a clear error, and nothing is written.
func TestNoteBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown tenant", []string{"--tenant", "acem"}, exitInvalid, []string{`no tenant "acem" (did you mean "acme"?)`}},
		{"decommissioned tenant", []string{"--tenant", "old-corp"}, exitInvalid, []string{
			"tenant old-corp (Old Corp (retired)) is decommissioned: it has no KPAX space to describe, so no note is written",
			"retained: database sqldb-old-corp, storage account bkoldcorp", "file share kpax, Key Vault kvoldcorp", "backup item of file share kpax",
			`until an operator purges them by hand (docs/restore.md, "Purge a decommissioned tenant"); tenants/us/old-corp.yaml sets no purge date`,
			"Until the purge the daily file backups go on, each kept 14 days",
		}},
		{"unknown language", []string{"--tenant", "acme", "--lang", "en,de"}, exitUsage, []string{`no note in language "de": the languages are en, fr (note/lang/*.yaml)`}},
		{"both tenant and all", []string{"--tenant", "acme", "--all"}, exitUsage, []string{"give exactly one of --tenant NAME or --all"}},
		{"unknown stack", []string{"--all", "--stack", "prod-xx"}, exitInvalid, []string{`unknown stack "prod-xx"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "notes")
			args := append([]string{"note", "--dir", root, "--out", out}, c.args...)
			code, _, errs := kpax(args...)
			if code != c.code {
				t.Errorf("exit %d, want %d: %s", code, c.code, errs)
			}
			for _, w := range c.want {
				mustContain(t, errs, w)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists: a refused run must write nothing", out)
			}
		})
	}
}

// TestNoteAll: --all --stack writes both formats and languages for every
// tenant of the stack, and says which tenants have no note.
func TestNoteAll(t *testing.T) {
	out := t.TempDir()
	code, _, errs := kpax(append([]string{"note", "--dir", root, "--all", "--stack", "prod-us", "--lang", "en,fr", "--out", out}, noteRevision...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got, _ := filepath.Glob(filepath.Join(out, "*"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	want := "initech.en.html initech.en.md initech.fr.html initech.fr.md umbrella.en.html umbrella.en.md umbrella.fr.html umbrella.fr.md"
	if strings.Join(got, " ") != want {
		t.Errorf("files = %v, want %s", got, want)
	}
	mustContain(t, errs, "old-corp is decommissioned: no note")

	// Every landed tenant's note holds every commitment.
	code, _, errs = kpax(append([]string{"note", "--dir", root, "--all", "--lang", "en,fr", "--out", t.TempDir()}, noteRevision...)...)
	if code != 0 {
		t.Errorf("kpax note --all: exit %d: %s", code, errs)
	}
}
