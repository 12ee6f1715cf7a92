// Package drill is the weekly restore drill's offline part: which tenant's
// database it restores (a rotation over every tenant that holds data in
// service), which other part of that tenant it proves the same week (files,
// blob, secret, in turn), and the runbook's own commands it runs, read from
// docs/restore.md so that the drill proves the runbook, not a copy of it.
package drill

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kpax/kpax-cloud/spec"
)

// Epoch is the Monday the rotation starts from: week n after it drills the
// n-th tenant of the rotation (modulo its length).
var Epoch = time.Date(2026, time.January, 5, 0, 0, 0, 0, time.UTC)

// Rotation is the tenants a drill may restore, in drill order: those whose
// database is in service (active) or will be again (suspended), by name.
// A decommissioned tenant's data only waits for its purge.
func Rotation(proj *spec.Project) []*spec.Tenant {
	var out []*spec.Tenant
	for _, t := range proj.Tenants {
		if t.State == spec.StateActive || t.State == spec.StateSuspended {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Choose is the tenant to drill on day: the one named, which must be in the
// rotation, or else the week's. Every tenant of a rotation of n is drilled
// once in any n consecutive weeks.
func Choose(proj *spec.Project, day time.Time, name string) (*spec.Tenant, error) {
	rot := Rotation(proj)
	if len(rot) == 0 {
		return nil, fmt.Errorf("no tenant holds data in service: nothing to drill")
	}
	if name != "" {
		var names []string
		for _, t := range rot {
			if t.Name == name {
				return t, nil
			}
			names = append(names, t.Name)
		}
		return nil, fmt.Errorf("tenant %q is not in the drill rotation (active or suspended tenants): %s", name, strings.Join(names, ", "))
	}
	week := Week(day)
	if week < 0 {
		week = -week
	}
	return rot[week%len(rot)], nil
}

// Week is day's week counted from Epoch (a Monday): weeks start on Monday,
// as ISO weeks do, and the count runs on across years, so that a year of 53
// ISO weeks does not repeat or skip a turn. Days before Epoch count down.
func Week(day time.Time) int {
	d := day.UTC().Sub(Epoch)
	week := int(d / (7 * 24 * time.Hour))
	if d < 0 && d%(7*24*time.Hour) != 0 {
		week--
	}
	return week
}

// Part is a part of a tenant that the drill proves besides its database
// (components/backup_parts.go names the parts; docs/restore.md, "The restore
// drill: one more part a week", says what each drill does and proves).
type Part string

// The parts in rotation, in their order.
const (
	// PartFiles restores the file share's last vault recovery point into a
	// scratch account and checks the restore job and the restored share.
	PartFiles Part = "files"
	// PartBlob checks the object-replicated copy of the blobs.
	PartBlob Part = "blob"
	// PartSecret checks the tenant vault's signing key and what recovers it.
	PartSecret Part = "secret"
)

// Parts is the rotation of the parts: week n proves Parts[n mod 3], so each
// part comes every third week, whichever tenant's week it is.
var Parts = []Part{PartFiles, PartBlob, PartSecret}

// ParsePart is the part named, one of Parts.
func ParsePart(name string) (Part, error) {
	for _, p := range Parts {
		if string(p) == name {
			return p, nil
		}
	}
	var names []string
	for _, p := range Parts {
		names = append(names, string(p))
	}
	return "", fmt.Errorf("part %q is not one the drill rotates (%s)", name, strings.Join(names, ", "))
}

// PartOf is the part the drill proves in day's week.
func PartOf(day time.Time) Part {
	n := len(Parts)
	return Parts[((Week(day)%n)+n)%n]
}

// Steps are the database's runbook blocks a drill runs, in order: restore
// into a scratch database, check it with a query, discard it.
var Steps = []string{"restore", "check", "discard"}

// PartSteps are each part's runbook blocks, marked <!-- drill: <part>-<step> -->,
// in order. A "restore" makes a scratch copy and a "discard" removes it;
// a part without them only checks what Azure holds (docs/restore.md says why).
var PartSteps = map[Part][]string{
	PartFiles:  {"restore", "check", "discard"},
	PartBlob:   {"check"},
	PartSecret: {"check"},
}

// Inputs are the variables the database's runbook blocks expect to be set.
var Inputs = []string{"RG", "SERVER_PREFIX", "DB", "DEST", "TIME", "TENANT", "REGION", "OPS_JOB"}

// PartInputs are the further variables each part's blocks expect.
var PartInputs = map[Part][]string{
	PartFiles:  {"TENANT_RG", "VAULT", "SHARE", "SCRATCH"},
	PartBlob:   {"TENANT_RG", "BLOB_CONTAINER"},
	PartSecret: {"TENANT_RG", "SECRET"},
}

// InputsFor are the variables a drill of part sets: the database's and the
// part's, with DRILL_PART, the part's name.
func InputsFor(part Part) []string {
	out := append([]string{}, Inputs...)
	out = append(out, "DRILL_PART")
	for _, v := range PartInputs[part] {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

var blockRe = regexp.MustCompile("(?s)<!-- drill: ([a-z-]+) -->\\s*```sh\\n(.*?)```")

// Script is the drill's shell script for a week of part: the runbook's
// marked blocks for the database, then the part's, each under a line that
// names it, failing on the first error. Each scratch copy's discard is
// armed before its restore starts and runs however the script ends (a
// discard of a copy that was never made deletes nothing), so that a failed
// step leaves no scratch copy behind; a failure names the part and the step
// that failed.
func Script(runbook []byte, part Part) (string, error) {
	partSteps, ok := PartSteps[part]
	if !ok {
		return "", fmt.Errorf("the drill has no part %q", part)
	}
	blocks := map[string]string{}
	for _, m := range blockRe.FindAllSubmatch(runbook, -1) {
		step := string(m[1])
		if _, dup := blocks[step]; dup {
			return "", fmt.Errorf("docs/restore.md: the drill step %q is marked twice", step)
		}
		blocks[step] = string(m[2])
	}
	type step struct{ part, name, marker string }
	var steps []step
	for _, s := range Steps {
		steps = append(steps, step{"database", s, s})
	}
	for _, s := range partSteps {
		steps = append(steps, step{string(part), s, string(part) + "-" + s})
	}
	for _, s := range steps {
		if _, ok := blocks[s.marker]; !ok {
			return "", fmt.Errorf("docs/restore.md: no block marked <!-- drill: %s --> (the drill of %s runs its %s)", s.marker, s.part, s.name)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# The restore drill, the database and the %s: docs/restore.md's own commands (kpax drill script --part %s).\nset -euo pipefail\n", part, part)
	for _, v := range InputsFor(part) {
		fmt.Fprintf(&b, ": \"${%s:?the drill sets %s}\"\n", v, v)
	}
	b.WriteString(`
drill_step="none"
drill_discards=""
drill_exit() {
  code=$?
  set +eu
  if [ "$code" -ne 0 ]; then
    echo "::error::restore drill of $TENANT failed: $drill_step (exit $code)"
  fi
  for discard in $drill_discards; do
    "$discard" || { echo "::error::restore drill of $TENANT: $discard failed: remove the scratch copy by hand (docs/restore.md)"; code=1; }
  done
  exit "$code"
}
trap drill_exit EXIT
`)
	for _, s := range steps {
		if s.name != "discard" {
			continue
		}
		fmt.Fprintf(&b, "\ndrill_discard_%s() {\n  echo \"::group::drill step %s %s\"\n%s  echo \"::endgroup::\"\n}\n", s.part, s.part, s.name, indent(blocks[s.marker]))
	}
	for _, s := range steps {
		if s.name == "discard" {
			continue
		}
		fmt.Fprintf(&b, "\ndrill_step=\"%s %s\"\n", s.part, s.name)
		if s.name == "restore" && slices.ContainsFunc(steps, func(o step) bool { return o.part == s.part && o.name == "discard" }) {
			fmt.Fprintf(&b, "drill_discards=\"drill_discard_%s $drill_discards\"\n", s.part)
		}
		fmt.Fprintf(&b, "echo \"::group::drill step %s %s\"\n%secho \"::endgroup::\"\n", s.part, s.name, blocks[s.marker])
	}
	b.WriteString("\ndrill_step=\"done\"\n")
	return b.String(), nil
}

// Shadowed are the inputs a script assigns itself: a runbook block that
// reuses an input's name for its own value (CONTAINER, say) would hand a
// later block the wrong one, so a test holds this empty.
func Shadowed(script string, inputs []string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)(?:^|[\s;])([A-Z_][A-Z0-9_]*)=`).FindAllStringSubmatch(script, -1) {
		if v := m[1]; slices.Contains(inputs, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func indent(block string) string {
	lines := strings.SplitAfter(block, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}

// Free are the variables a script uses but neither sets nor gets from
// inputs (InputsFor its part): a runbook block that needs one more value
// than the drill provides would fail mid-way, so a test holds this empty.
func Free(script string, inputs []string) []string {
	set := map[string]bool{}
	for _, v := range inputs {
		set[v] = true
	}
	for _, m := range regexp.MustCompile(`(?m)(?:^|[\s;])([A-Z_][A-Z0-9_]*)=`).FindAllStringSubmatch(script, -1) {
		set[m[1]] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{?([A-Z_][A-Z0-9_]*)`).FindAllStringSubmatch(script, -1) {
		if v := m[1]; !set[v] && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
