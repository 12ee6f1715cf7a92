package components

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

var updateDocs = flag.Bool("update", false, "rewrite the backup tables of README.md and docs/restore.md from TenantParts")

// TestEveryTenantPartHasABackupRow: every resource type a tenant registers,
// container or VM, active or not, belongs to a part of TenantParts, and every
// part says its backup, where the copy lives, how long, and a runbook section
// that exists. A new kind of tenant resource without a row fails here.
func TestEveryTenantPartHasABackupRow(t *testing.T) {
	rowOf := map[string]string{}
	for _, p := range TenantParts {
		if p.Holds == "" || p.Backup == "" || p.Copy == "" || p.Retention == "" || p.Restore == "" {
			t.Errorf("part %s: a backup row says what it holds, its backup, copy, retention and restore: %+v", p.Part, p)
		}
		for _, typ := range p.Types {
			if other, dup := rowOf[typ]; dup {
				t.Errorf("%s is in parts %s and %s", typ, other, p.Part)
			}
			rowOf[typ] = p.Part
		}
	}
	p := runTenants(t,
		containerTenant("acme", spec.StateActive), containerTenant("initech", spec.StateSuspended),
		vmTenant("globex", spec.StateActive), vmTenant("umbrella", spec.StateDecommissioned))
	seen := map[string]bool{}
	for _, name := range []string{"acme", "initech", "globex", "umbrella"} {
		for _, r := range tenantResources(t, p, name) {
			typ := plan.Unversioned(r.Type)
			seen[typ] = true
			if _, ok := rowOf[typ]; !ok {
				t.Errorf("tenant %s registers %s (%s), which no part of TenantParts holds: say its backup", name, typ, r.Name)
			}
		}
	}
	for typ, part := range rowOf {
		if !seen[typ] {
			t.Errorf("part %s lists %s, which no tenant registers", part, typ)
		}
	}
	runbook, err := os.ReadFile(filepath.Join("..", "docs", "restore.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range TenantParts {
		for _, s := range part.RestoreSections() {
			if !regexp.MustCompile(`(?m)^## ` + regexp.QuoteMeta(s) + `$`).Match(runbook) {
				t.Errorf("part %s: docs/restore.md has no section %q", part.Part, s)
			}
		}
	}
}

// TestEverySecretIsRederived: every secret a tenant's vault gets is in
// Secrets, which says what `pulumi up` writes it again from.
func TestEverySecretIsRederived(t *testing.T) {
	known := map[string]bool{}
	for _, s := range Secrets {
		if s.Source == "" {
			t.Errorf("secret %q: no source", s.Name)
		}
		known[s.Name] = true
	}
	p := runTenants(t, containerTenant("acme", spec.StateActive), vmTenant("globex", spec.StateActive))
	for _, r := range p.OfType(tSecret) {
		if !known[r.String("secretName")] {
			t.Errorf("secret %s (%s) is written but not in Secrets: say how it is re-derived or backed up", r.String("secretName"), r.Name)
		}
	}
	if !known[""] {
		t.Error("Secrets lacks the region's certificate")
	}
}

// TestBackupTableInDocs: the backup tables of README.md and docs/restore.md
// are BackupTable(); `go test ./components -update` rewrites them.
func TestBackupTableInDocs(t *testing.T) {
	const begin, end = "<!-- backup-table: go test ./components -update -->\n", "<!-- /backup-table -->"
	for _, doc := range []string{"README.md", filepath.Join("docs", "restore.md")} {
		path := filepath.Join("..", doc)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		i, j := strings.Index(s, begin), strings.Index(s, end)
		if i < 0 || j < i {
			t.Errorf("%s has no backup table between %q and %q", doc, strings.TrimSpace(begin), end)
			continue
		}
		want := s[:i+len(begin)] + BackupTable() + s[j:]
		if *updateDocs {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if s != want {
			t.Errorf("%s: the backup table is not TenantParts'; run go test ./components -update and review the diff", doc)
		}
	}
}
