package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/diffreport"
)

// diffCase is one pull request's change: prepare shapes the base revision
// (committed), change edits the work tree.
type diffCase struct {
	name string
	// tenant is the one tenant the change is about: no other tenant's name
	// may appear in the comment. Empty for fleet-wide changes.
	tenant  string
	prepare func(t *testing.T, dir string)
	change  func(t *testing.T, dir string)
	// check asserts what the comment must say, beyond the golden file.
	check func(t *testing.T, md string)
	// factsOnly keeps the JSON golden to the report's flags and counts per
	// stack and section: the whole document of a fleet-wide change is
	// hundreds of kilobytes of edits that the one-tenant cases already pin
	// down, and the round trip below still checks all of it.
	factsOnly bool
}

// TestDiffGolden runs kpax diff on each case and compares its Markdown and
// JSON with testdata/diff/<case>/ (go test ./cmd/kpax -update rewrites
// them).
func TestDiffGolden(t *testing.T) {
	for _, tc := range []diffCase{
		{
			name:   "add-tenant",
			tenant: "zzbarnew",
			change: func(t *testing.T, dir string) {
				if code, out, errs := kpax("tenant", "new", "zzbarnew", "--dir", dir, "--region", "uk", "--tier", "small", "--runtime", "container"); code != exitOK {
					t.Fatalf("tenant new: exit %d %s%s", code, out, errs)
				}
			},
			check: func(t *testing.T, md string) {
				// The gateway's new entries, under the new tenant.
				for _, want := range []string{
					// the gateway's entries and its grant in the stamp's
					// grant job
					"#### tenant `zzbarnew`: 66 to add, 2 to update",
					// its own environment, in a subnet of its own, with
					// its NSG and private zone: named after it
					"- `+` azure-native:app/v20240301:ManagedEnvironment `region-uk-cae-zzbarnew`",
					"- `+` azure-native:network/v20240501:Subnet `region-uk-snet-env-zzbarnew`",
					"  - `+` `template.containers[ops].env[KPAX_GRANT_ZZBARNEW]`",
					"- `~` azure-native:network:ApplicationGateway `region-uk-agw` (shared by the region's tenants; this tenant's entries):",
					"  - `+` `backendAddressPools[pool-zzbarnew]`",
					"  - `+` `httpListeners[tenant-zzbarnew]`",
					"    - `hostName`: `\"zzbarnew.uk.kpax.cloud\"`",
					"  - `+` `probes[tenant-zzbarnew]`",
					"  - `+` `requestRoutingRules[tenant-zzbarnew]`",
				} {
					mustContain(t, md, want)
				}
				if strings.Contains(md, "region platform") {
					t.Errorf("adding a tenant changes the region platform:\n%s", md)
				}
			},
		},
		{
			name:   "pin-tenant",
			tenant: "acme",
			change: func(t *testing.T, dir string) {
				edit(t, dir, "tenants/fr/acme.yaml", "\ncontainer:\n", "\ncontainer:\n  image: kpaxcloud.azurecr.io/kpax-server:4.11.0\n")
			},
			check: func(t *testing.T, md string) {
				// A new pin reads first, flagged: the tenant leaves its ring.
				mustContain(t, md, "### Release")
				mustContain(t, md, "⚠ `acme` (`prod-fr`) pins `4.11.0`, its ring `broad` runs `4.12.1`")
			},
		},
		{
			name:   "resize-tenant",
			tenant: "thames-print",
			change: func(t *testing.T, dir string) {
				edit(t, dir, "tenants/uk/thames-print.yaml", "tier: small", "tier: standard")
			},
			check: func(t *testing.T, md string) {
				mustContain(t, md, "`tags.tier`: `\"small\"` → `\"standard\"`")
				if strings.Contains(md, "`+-`") || strings.Contains(md, "⚠") {
					t.Errorf("a resize replaces something or is flagged:\n%s", md)
				}
			},
		},
		{
			name:   "decommission-tenant",
			tenant: "acme",
			change: func(t *testing.T, dir string) {
				edit(t, dir, "tenants/fr/acme.yaml", "state: active", "state: decommissioned")
			},
			check: func(t *testing.T, md string) {
				mustContain(t, md, "- `-` azure-native:app/v20240301:ContainerApp `acme-app`")
				mustContain(t, md, "- `-` azure-native:network:RecordSet `acme-dns`")
				mustContain(t, md, "  - `-` `httpListeners[tenant-acme]`")
				for _, data := range []string{"azure-native:sql:Database", "azure-native:storage:StorageAccount", "azure-native:storage:FileShare"} {
					if strings.Contains(md, "`-` "+data) {
						t.Errorf("decommissioning deletes %s:\n%s", data, md)
					}
				}
			},
		},
		{
			name:   "change-hostname",
			tenant: "globex",
			change: func(t *testing.T, dir string) {
				edit(t, dir, "tenants/uk/globex.yaml", "hostname: globex-portal", "hostname: portal")
			},
			check: func(t *testing.T, md string) {
				// The listener and the probe's host move to the new name;
				// the record is renamed, which is a replacement.
				mustContain(t, md, "  - `~` `httpListeners[tenant-globex].hostName`: `\"globex-portal.uk.kpax.cloud\"` → `\"portal.uk.kpax.cloud\"`")
				mustContain(t, md, "  - `~` `probes[tenant-globex].host`: `\"globex-portal.uk.kpax.cloud\"` → `\"portal.uk.kpax.cloud\"`")
				mustContain(t, md, "- `+-` azure-native:network:RecordSet `globex-dns`")
			},
		},
		{
			// A promotion of ring canary: only its tenants (region za's,
			// through the region's defaultRing) change, in place.
			name: "promote-canary",
			change: func(t *testing.T, dir string) {
				if code, out, errs := kpax("release", "promote", "4.13.0", "--ring", "canary", "--dir", dir); code != exitOK {
					t.Fatalf("release promote: exit %d %s%s", code, out, errs)
				}
			},
			check: func(t *testing.T, md string) {
				mustContain(t, md, "kpax-server:4.13.0")
				for _, other := range []string{"prod-fr", "prod-uk", "prod-us", "prod-ca", "prod-in"} {
					if strings.Contains(md, other) {
						t.Errorf("a canary promotion touches %s:\n%s", other, md)
					}
				}
				mustContain(t, md, "### `prod-za`: 0 to add, 4 to update, 0 to replace, 0 to delete")
				if strings.Contains(md, "`+-`") || strings.Contains(md, "- `-` azure-native") {
					t.Errorf("a promotion replaces or deletes something:\n%s", md)
				}
			},
		},
		{
			name: "fleet-wide-tag",
			// Three more tenants shaped like acme, as most of a real
			// fleet is: their changes read once.
			prepare: func(t *testing.T, dir string) {
				for _, name := range []string{"fleet-a", "fleet-b", "fleet-c"} {
					if code, out, errs := kpax("tenant", "new", name, "--dir", dir, "--region", "fr", "--tier", "standard", "--runtime", "container"); code != exitOK {
						t.Fatalf("tenant new %s: exit %d %s%s", name, code, out, errs)
					}
					edit(t, dir, "tenants/fr/"+name+".yaml", "# tags: {costCenter: \"0000\"}", "tags:\n  costCenter: \"4711\"")
				}
			},
			change: func(t *testing.T, dir string) {
				files, _ := filepath.Glob(filepath.Join(dir, "tenants", "*", "*.yaml"))
				for _, f := range files {
					rel, _ := filepath.Rel(dir, f)
					edit(t, dir, rel, "tags:\n", "tags:\n  owner: kpax-ops\n")
				}
			},
			check: func(t *testing.T, md string) {
				mustContain(t, md, "#### the same change on 4 tenants of `prod-fr`: 21 to update each")
				mustContain(t, md, "Tenants: `acme`, `fleet-a`, `fleet-b`, `fleet-c`.")
				mustContain(t, md, "`+` `tags.owner`: `\"kpax-ops\"`")
			},
			factsOnly: true,
		},
		{
			name: "hundred-tenants-over-budget",
			prepare: func(t *testing.T, dir string) {
				// 25 more container tenants per region: each takes an
				// environment and its Dedicated nodes, so the regions'
				// subscriptions have had their quotas raised.
				for _, region := range []string{"ca", "in", "us", "za"} {
					edit(t, dir, "regions/"+region+".yaml", "  containerAppsCores: 100 ", "  containerAppsCores: 1000")
					edit(t, dir, "regions/"+region+".yaml", "  containerAppsEnvironments: 15 ", "  containerAppsEnvironments: 50")
				}
				for i := 0; i < 100; i++ {
					region := []string{"ca", "in", "us", "za"}[i%4]
					name := fmt.Sprintf("fleet-%03d", i)
					if code, out, errs := kpax("tenant", "new", name, "--dir", dir, "--region", region, "--tier", "small", "--runtime", "container"); code != exitOK {
						t.Fatalf("tenant new %s: exit %d %s%s", name, code, out, errs)
					}
				}
			},
			change: func(t *testing.T, dir string) {
				// Finance renumbers every new tenant's cost center: 100
				// different changes, none alike.
				for i := 0; i < 100; i++ {
					region := []string{"ca", "in", "us", "za"}[i%4]
					rel := fmt.Sprintf("tenants/%s/fleet-%03d.yaml", region, i)
					edit(t, dir, rel, "# tags: {costCenter: \"0000\"}", fmt.Sprintf("tags: {costCenter: \"%04d\"}", 7000+i))
				}
			},
			check: func(t *testing.T, md string) {
				mustContain(t, md, "more than this comment's budget of 60000; it is in the job's kpax-diff artifact.")
				mustContain(t, md, "| tenant `fleet-000` | 0 | ")
				if len(md) > diffreport.DefaultBudget {
					t.Errorf("the comment is %d characters, over the budget", len(md))
				}
			},
			factsOnly: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, commit := gitRepo(t)
			if tc.prepare != nil {
				tc.prepare(t, dir)
				commit("prepare")
			}
			tc.change(t, dir)
			full := filepath.Join(t.TempDir(), "full.md")
			code, md, errs := kpax("diff", "--dir", dir, "--base", "HEAD", "--full", full)
			if code != exitOK && code != exitFlagged {
				t.Fatalf("diff: exit %d\n%s%s", code, md, errs)
			}
			jcode, doc, errs := kpax("diff", "--dir", dir, "--base", "HEAD", "--format", "json")
			if jcode != code {
				t.Fatalf("diff --format json: exit %d, Markdown's %d\n%s", jcode, code, errs)
			}
			golden(t, filepath.Join("diff", tc.name, "comment.md"), md)
			if tc.factsOnly {
				golden(t, filepath.Join("diff", tc.name, "facts.json"), facts(t, doc))
			} else {
				golden(t, filepath.Join("diff", tc.name, "diff.json"), doc)
			}

			// The JSON carries every fact of the comment: the comment
			// rendered from the parsed document is the same.
			var r diffreport.Report
			if err := json.Unmarshal([]byte(doc), &r); err != nil {
				t.Fatalf("the JSON does not parse: %v", err)
			}
			if got := r.Markdown(diffreport.MarkdownOptions{Budget: diffreport.DefaultBudget}); got != md {
				t.Errorf("the Markdown of the JSON differs from the comment")
			}
			if r.Flagged() != (code == exitFlagged) {
				t.Errorf("JSON flags %d, exit %d", len(r.Flags), code)
			}
			fullMD, err := os.ReadFile(full)
			if err != nil {
				t.Fatal(err)
			}
			if string(fullMD) != r.Markdown(diffreport.MarkdownOptions{}) {
				t.Errorf("--full is not the whole diff")
			}
			if tc.tenant != "" {
				for _, other := range otherTenants(t, dir, tc.tenant) {
					if strings.Contains(md, other) || strings.Contains(doc, other) {
						t.Errorf("a change of %s names tenant %s", tc.tenant, other)
					}
				}
			}
			tc.check(t, md)
		})
	}
}

// facts is a report's JSON without the changes of its sections.
func facts(t *testing.T, doc string) string {
	t.Helper()
	var r diffreport.Report
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatal(err)
	}
	for i := range r.Stacks {
		for j := range r.Stacks[i].Sections {
			r.Stacks[i].Sections[j].Changes = nil
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func mustContain(t *testing.T, s, want string) {
	t.Helper()
	if !strings.Contains(s, want) {
		t.Errorf("output lacks %q:\n%s", want, s)
	}
}

// otherTenants are the tenants of the project but one.
func otherTenants(t *testing.T, dir, tenant string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "tenants", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".yaml"); name != tenant {
			out = append(out, name)
		}
	}
	return out
}
