package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kpax/kpax-cloud/spec"
)

// releaseSection is the head of a kpax diff whose change moves KPAX server
// versions: per changed ring, the version change and how many tenants of
// how many stacks take it (the same change on each, which the stack
// sections below list); and the pinned tenants, held back from their ring,
// flagged with ⚠ when the change adds or moves a pin. Empty when neither the
// rings nor the pins changed.
func releaseSection(baseDir, headDir string) string {
	head, err := spec.LoadProject(headDir)
	if err != nil || head.Releases == nil {
		return ""
	}
	// The base checkout holds the plan inputs only (no rollout.yaml), so
	// its release file is read alone and its tenants region by region.
	var baseRel *spec.Releases
	if data, err := os.ReadFile(filepath.Join(baseDir, spec.ReleasesFile)); err == nil {
		baseRel, _ = spec.ParseReleases(spec.ReleasesFile, data)
	}
	basePins := map[string]string{}
	for name := range head.Regions {
		base, err := spec.LoadRegion(baseDir, name)
		if err != nil || base.Releases == nil {
			continue
		}
		for _, t := range base.Tenants {
			if img, pinned := t.ServerImage(base.Releases); pinned {
				basePins[t.Name] = img
			}
		}
	}
	var b strings.Builder
	for _, ring := range head.Releases.Rings {
		was := ""
		if baseRel != nil {
			if r := baseRel.Ring(ring.Name); r != nil {
				was = r.Version()
			}
		}
		if was == ring.Version() {
			continue
		}
		stacks := map[string]bool{}
		n := 0
		for _, t := range head.Tenants {
			if _, pinned := t.ServerImage(head.Releases); t.Ring == ring.Name && !pinned && t.HasCompute() {
				n++
				stacks[spec.StampStackName(t.Region, t.Stamp)] = true
			}
		}
		names := make([]string, 0, len(stacks))
		for s := range stacks {
			names = append(names, "`"+s+"`")
		}
		sort.Strings(names)
		from := "`" + was + "`"
		if was == "" {
			from = "a new ring"
		}
		fmt.Fprintf(&b, "- ring `%s`: %s → `%s`, the same change on %s of %s (%s)\n", ring.Name, from, ring.Version(),
			plural(n, "tenant"), plural(len(names), "stack"), strings.Join(names, ", "))
	}
	var pins []string
	moved := false
	for _, t := range head.Tenants {
		img, pinned := t.ServerImage(head.Releases)
		if !pinned || !t.HasCompute() {
			continue
		}
		mark := ""
		if basePins[t.Name] != img {
			mark, moved = "⚠ ", true
		}
		ring := ""
		if r := head.Releases.Ring(t.Ring); r != nil {
			ring = fmt.Sprintf(", its ring `%s` runs `%s`", r.Name, r.Version())
		}
		pins = append(pins, fmt.Sprintf("  - %s`%s` (`%s`) pins `%s`%s", mark, t.Name, spec.StampStackName(t.Region, t.Stamp), spec.ImageTag(img), ring))
	}
	for name := range basePins {
		if !containsTenant(head.Tenants, name) {
			continue
		}
		if _, pinned := findTenant(head.Tenants, name).ServerImage(head.Releases); !pinned {
			moved = true // a pin removed: the tenant follows its ring again
		}
	}
	if b.Len() == 0 && !moved {
		return ""
	}
	out := "### Release\n\n" + b.String()
	if len(pins) > 0 {
		out += "- pinned tenants, held back from their ring (`kpax release status`):\n" + strings.Join(pins, "\n") + "\n"
	}
	return out + "\n"
}

func findTenant(ts []*spec.Tenant, name string) *spec.Tenant {
	for _, t := range ts {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func containsTenant(ts []*spec.Tenant, name string) bool { return findTenant(ts, name) != nil }
