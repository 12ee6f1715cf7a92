// Package drill is the weekly restore drill's offline part: which tenant's
// database it restores (a rotation over every tenant that holds data in
// service), and the runbook's own commands it runs, read from
// docs/restore.md so that the drill proves the runbook, not a copy of it.
package drill

import (
	"fmt"
	"regexp"
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
	week := int(day.UTC().Sub(Epoch).Hours() / (24 * 7))
	if week < 0 {
		week = -week
	}
	return rot[week%len(rot)], nil
}

// Steps are the runbook blocks a drill runs, in order: restore into a
// scratch database, check it with a query, discard it.
var Steps = []string{"restore", "check", "discard"}

// Inputs are the variables the runbook blocks expect to be set.
var Inputs = []string{"RG", "SERVER_PREFIX", "DB", "DEST", "TIME", "TENANT", "REGION", "OPS_JOB"}

var blockRe = regexp.MustCompile("(?s)<!-- drill: ([a-z]+) -->\\s*```sh\\n(.*?)```")

// Script is the drill's shell script: the runbook's marked blocks, each
// under a line that names it, failing on the first error. Once the copy
// exists, the discard runs however the script ends, so that a failed check
// leaves no scratch database behind.
func Script(runbook []byte) (string, error) {
	blocks := map[string]string{}
	for _, m := range blockRe.FindAllSubmatch(runbook, -1) {
		step := string(m[1])
		if _, dup := blocks[step]; dup {
			return "", fmt.Errorf("docs/restore.md: the drill step %q is marked twice", step)
		}
		blocks[step] = string(m[2])
	}
	for _, step := range Steps {
		if _, ok := blocks[step]; !ok {
			return "", fmt.Errorf("docs/restore.md: no block marked <!-- drill: %s --> (the drill runs %s)", step, strings.Join(Steps, ", "))
		}
	}
	var b strings.Builder
	b.WriteString("# The restore drill: docs/restore.md's own commands (kpax drill script).\nset -euo pipefail\n")
	for _, v := range Inputs {
		fmt.Fprintf(&b, ": \"${%s:?the drill sets %s}\"\n", v, v)
	}
	fmt.Fprintf(&b, "\ndrill_discard() {\n  echo \"::group::drill step discard\"\n%s  echo \"::endgroup::\"\n}\n", indent(blocks["discard"]))
	fmt.Fprintf(&b, "\necho \"::group::drill step restore\"\n%secho \"::endgroup::\"\ntrap drill_discard EXIT\n", blocks["restore"])
	fmt.Fprintf(&b, "\necho \"::group::drill step check\"\n%secho \"::endgroup::\"\n", blocks["check"])
	return b.String(), nil
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

// Free are the variables a script uses but neither sets nor gets from the
// drill's Inputs: a runbook block that needs one more value than the drill
// provides would fail mid-way, so a test holds this empty.
func Free(script string) []string {
	set := map[string]bool{}
	for _, v := range Inputs {
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
