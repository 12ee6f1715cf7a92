// kpax release promote: give a ring a KPAX version by editing its one line
// of releases.yaml, comments and layout kept.

package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/spec"
)

// promotion is the edit of one ring's image.
type promotion struct {
	ring       *spec.Ring
	prev       *spec.Ring // the ring before, nil for the first
	from, to   string     // images
	line       int        // 1-based line of the image in releases.yaml
	data, next []byte     // the file before and after
}

// planPromotion checks a promotion of ring to version (a version, or a whole
// image) against the loaded project and returns the edit. It changes
// nothing.
func planPromotion(p *spec.Project, data []byte, version, ringName string) (*promotion, error) {
	rel := p.Releases
	i := rel.Index(ringName)
	if i < 0 {
		return nil, fmt.Errorf("ring %q is not in %s: rings are %s", ringName, spec.ReleasesFile, strings.Join(rel.Names(), ", "))
	}
	ring := rel.Rings[i]
	image := version
	if strings.Contains(version, "/") { // a whole image: kpax validate judges its registry
		version = spec.ImageTag(version)
	} else {
		image = spec.WithTag(ring.Image, version)
	}
	if !spec.IsVersion(version) {
		return nil, fmt.Errorf("unknown version %q: a KPAX version is a tag MAJOR.MINOR.PATCH[-pre], like 4.13.0 (https://semver.org)", version)
	}
	pr := &promotion{ring: ring, from: ring.Image, to: image, data: data}
	if c := spec.CompareVersions(ring.Version(), version); c > 0 {
		return nil, fmt.Errorf("ring %s runs %s, newer than %s: a promotion only moves a ring forward; to roll it back, revert its line of %s and set rollback: true (README, \"Releasing a KPAX version\")",
			ring.Name, ring.Version(), version, spec.ReleasesFile)
	}
	// A version reaches the rings in order: the ring before must run it.
	if i > 0 {
		pr.prev = rel.Rings[i-1]
		if pr.prev.Image != image {
			return nil, fmt.Errorf("ring %s runs %s, not %s: promote %s to ring %s first, and let it soak (a promotion never skips a ring)",
				pr.prev.Name, pr.prev.Image, image, version, pr.prev.Name)
		}
	}
	next, line, err := replaceScalar(data, ring.Source.PosOf("image"), image)
	if err != nil {
		return nil, err
	}
	pr.next, pr.line = next, line
	// The file as it would be written passes kpax validate, or nothing is
	// written.
	if _, err := spec.CheckReleases(p, next); err != nil {
		return nil, fmt.Errorf("kpax validate would refuse %s with %s for ring %s:\n%w", spec.ReleasesFile, image, ring.Name, err)
	}
	return pr, nil
}

// replaceScalar replaces the plain or quoted YAML scalar at pos by value,
// keeping the rest of its line (a comment) and of the file as they are.
func replaceScalar(data []byte, pos spec.Pos, value string) ([]byte, int, error) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if pos.Line < 1 || pos.Line > len(lines) {
		return nil, 0, fmt.Errorf("%s: no line %d", spec.ReleasesFile, pos.Line)
	}
	line := string(lines[pos.Line-1])
	start := pos.Col - 1
	if start < 0 || start >= len(line) {
		return nil, 0, fmt.Errorf("%s:%d: no value at column %d", spec.ReleasesFile, pos.Line, pos.Col)
	}
	rest := line[start:]
	var end int
	quoted := ""
	switch rest[0] {
	case '"', '\'':
		quoted = rest[:1]
		j := strings.IndexByte(rest[1:], rest[0])
		if j < 0 {
			return nil, 0, fmt.Errorf("%s:%d: unterminated quote", spec.ReleasesFile, pos.Line)
		}
		end = j + 2
	default:
		// A plain scalar ends at " #", a flow delimiter or the line's end.
		end = len(strings.TrimRight(rest, "\r\n"))
		if k := strings.Index(rest, " #"); k >= 0 && k < end {
			end = k
		}
		if k := strings.IndexAny(rest, ",}]"); k >= 0 && k < end {
			end = k
		}
		end = len(strings.TrimRight(rest[:end], " \t"))
	}
	lines[pos.Line-1] = []byte(line[:start] + quoted + value + quoted + rest[end:])
	return bytes.Join(lines, nil), pos.Line, nil
}

// printPromotion tells which tenants of which stacks the promotion changes,
// and which of the ring's tenants a pin holds back.
func printPromotion(w io.Writer, p *spec.Project, pr *promotion) {
	fmt.Fprintf(w, "%s:%d: ring %s: %s -> %s\n", spec.ReleasesFile, pr.line, pr.ring.Name, pr.from, pr.to)
	byStack := tenantsOfRing(p, pr.ring.Name)
	changed, stacks := 0, 0
	var held []string
	var b strings.Builder
	for _, stack := range slices.Sorted(maps.Keys(byStack)) {
		var names []string
		for _, t := range byStack[stack] {
			if _, pinned := t.ServerImage(p.Releases); pinned {
				held = append(held, stack+"/"+t.Name)
				continue
			}
			names = append(names, t.Name)
		}
		if len(names) == 0 {
			continue
		}
		changed += len(names)
		stacks++
		fmt.Fprintf(&b, "  %s: %s\n", stack, strings.Join(names, ", "))
	}
	fmt.Fprintf(w, "changes %s of %s, each in place (a new Container App revision, or one VM after the other):\n%s", plural(changed, "tenant"), plural(stacks, "stack"), b.String())
	if len(held) > 0 {
		fmt.Fprintf(w, "held back, their files pin an image: %s\n", strings.Join(held, ", "))
	}
	if pr.prev != nil {
		fmt.Fprintf(w, "ring %s runs it already: check its gate before merging (kpax release gate --ring %s)\n", pr.prev.Name, pr.prev.Name)
	}
}

func newReleasePromoteCmd() *cobra.Command {
	var dir, ring string
	cmd := &cobra.Command{
		Use:   "promote VERSION --ring R",
		Short: "Give ring R the KPAX version VERSION: edit its line of releases.yaml and print the tenants it changes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if ring == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax release promote: --ring is required")}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("kpax release promote: the project must be valid first:\n%w", err)}
			}
			path := filepath.Join(dir, spec.ReleasesFile)
			data, err := os.ReadFile(path)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if g := proj.Releases.Ring(ring); g != nil && (g.Image == args[0] || (spec.IsVersion(args[0]) && g.Image == spec.WithTag(g.Image, args[0]))) {
				fmt.Fprintf(cmd.OutOrStdout(), "ring %s runs %s already: nothing to change\n", ring, g.Image)
				return nil
			}
			pr, err := planPromotion(proj, data, args[0], ring)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("kpax release promote: %w; %s is unchanged", err, spec.ReleasesFile)}
			}
			// Written whole through a temporary file: a reader never sees
			// half a file.
			tmp := path + ".tmp"
			if err := os.WriteFile(tmp, pr.next, 0o644); err != nil {
				return &exitError{exitInvalid, err}
			}
			if err := os.Rename(tmp, path); err != nil {
				os.Remove(tmp)
				return &exitError{exitInvalid, err}
			}
			printPromotion(cmd.OutOrStdout(), proj, pr)
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&ring, "ring", "", "the ring of releases.yaml to promote")
	return cmd
}
