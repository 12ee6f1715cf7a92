// kpax affected: which stacks (and tenant targets) a change touches, for the
// CI matrix.

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/spec"
)

// tenantStamps reads the stamp of a tenant file in the base revision and in
// the work tree (1 where the file does not exist or says none), so that a
// tenant moved between stamps affects both stacks.
func tenantStamps(dir, base string) func(file string) []int {
	read := func(data []byte) int {
		var doc struct {
			Stamp int `yaml:"stamp"`
		}
		if yaml.Unmarshal(data, &doc) != nil || doc.Stamp < 1 {
			return 1
		}
		return doc.Stamp
	}
	return func(file string) []int {
		var out []int
		if data, err := git(dir, "show", base+":./"+file); err == nil {
			out = append(out, read([]byte(data)))
		}
		if data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file))); err == nil {
			if s := read(data); len(out) == 0 || out[0] != s {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			out = []int{1}
		}
		return out
	}
}

// affected is which stacks a change touches and, per stack whose only
// changes are tenant files, the URNs a targeted preview must target.
type affected struct {
	Stacks  []string            `json:"stacks"`
	Targets map[string][]string `json:"targets,omitempty"`
}

// affectedStacks maps changed files to stacks. A tenant or region file, or a
// stack file, affects its region's stack; code, go.mod and Pulumi.yaml affect
// every stack; documentation affects none. A stack whose only changes are
// tenant files gets those tenants' component URNs as targets; with
// withDiff, those are replaced by every URN the offline diff changes
// (diffTargets).
func affectedStacks(files, allStacks []string, stampsOf func(file string) []int) affected {
	whole := map[string]bool{}
	tenants := map[string]map[string]bool{}
	for _, f := range files {
		switch {
		case strings.HasPrefix(f, "tenants/"):
			parts := strings.Split(f, "/")
			if len(parts) >= 3 {
				// A tenant lives in one stamp's stack; a file that moves it
				// between stamps touches both.
				for _, stamp := range stampsOf(f) {
					stack := spec.StampStackName(parts[1], stamp)
					if tenants[stack] == nil {
						tenants[stack] = map[string]bool{}
					}
					tenants[stack][strings.TrimSuffix(path.Base(f), ".yaml")] = true
				}
			}
		case strings.HasPrefix(f, "regions/"):
			// A region file is shared by all of the region's stamps.
			region := strings.TrimSuffix(path.Base(f), ".yaml")
			for _, s := range allStacks {
				if r, _, ok := spec.ParseStampStackName(s); ok && r == region {
					whole[s] = true
				}
			}
		case strings.HasPrefix(f, "Pulumi.") && f != "Pulumi.yaml":
			whole[strings.TrimSuffix(strings.TrimPrefix(f, "Pulumi."), ".yaml")] = true
		case f == "Pulumi.yaml" || f == "go.mod" || f == "go.sum" || strings.HasSuffix(f, ".go") || f == spec.ReleasesFile:
			// releasesChange narrows a release file's change to its
			// rings' tenants where it can; what is left touches all.
			for _, s := range allStacks {
				whole[s] = true
			}
		}
	}
	out := affected{Stacks: []string{}, Targets: map[string][]string{}}
	known := map[string]bool{}
	for _, s := range allStacks {
		known[s] = true
	}
	for s := range whole {
		if known[s] {
			out.Stacks = append(out.Stacks, s)
		}
	}
	for s, names := range tenants {
		if !known[s] {
			continue
		}
		if !whole[s] {
			out.Stacks = append(out.Stacks, s)
			for n := range names {
				out.Targets[s] = append(out.Targets[s], fmt.Sprintf("urn:pulumi:%s::%s::kpax:components:Tenant::%s", s, program.Project, n))
			}
			sort.Strings(out.Targets[s])
		}
	}
	sort.Strings(out.Stacks)
	return out
}

// releasesChange replaces releases.yaml among the changed files by the files
// of the tenants it changes: those that follow, unpinned, a ring whose image
// differs from rev's. A promotion then touches its ring's tenants alone. A
// change it cannot narrow (rings renamed, added or reordered: every tenant's
// ring may move; a file that does not load) stays, and touches every stack.
func releasesChange(dir, rev string, files []string) []string {
	i := slices.Index(files, spec.ReleasesFile)
	if i < 0 {
		return files
	}
	old, err := git(dir, "show", rev+":./"+spec.ReleasesFile)
	if err != nil {
		return files
	}
	was, err := spec.ParseReleases(spec.ReleasesFile, []byte(old))
	if err != nil {
		return files
	}
	proj, err := spec.LoadProject(dir)
	if err != nil || !slices.Equal(was.Names(), proj.Releases.Names()) {
		return files
	}
	changed := map[string]bool{}
	for _, g := range proj.Releases.Rings {
		changed[g.Name] = was.Ring(g.Name).Image != g.Image
	}
	out := append(append([]string{}, files[:i]...), files[i+1:]...)
	for _, t := range proj.Tenants {
		if _, pinned := t.ServerImage(proj.Releases); changed[t.Ring] && !pinned && !slices.Contains(out, t.Source.File) {
			out = append(out, t.Source.File)
		}
	}
	sort.Strings(out)
	return out
}

// behindStacks is, for each stack, whether the work tree differs from the
// commit it last deployed in a way that touches it. A stack with no
// deployed commit, or one the history does not have, is behind whole: a
// full `up` converges it whatever happened before.
func behindStacks(dir string, deployed map[string]string, allStacks []string) ([]string, error) {
	out := []string{}
	for _, s := range allStacks {
		rev := deployed[s]
		if rev == "" {
			out = append(out, s)
			continue
		}
		if _, err := git(dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
			out = append(out, s)
			continue
		}
		files, err := changedFiles(dir, rev)
		if err != nil {
			return nil, err
		}
		files = releasesChange(dir, rev, files)
		for _, a := range affectedStacks(files, allStacks, tenantStamps(dir, rev)).Stacks {
			if a == s {
				out = append(out, s)
				break
			}
		}
	}
	return out, nil
}

// readDeployed reads {stack: commit} from a JSON file: what each stack last
// deployed successfully ("" or absent: unknown).
func readDeployed(file string) (map[string]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: want a JSON object {\"prod-fr\": \"<commit>\", ...}: %w", file, err)
	}
	return out, nil
}

// waves is the deployment of the stacks a change touches: the canary alone,
// then the rest (rollout.yaml).
type waves struct {
	Canary []string `json:"canary"`
	Rest   []string `json:"rest"`
}

func newAffectedCmd() *cobra.Command {
	var dir, base, deployedFile string
	var targets, inWaves bool
	cmd := &cobra.Command{
		Use:   "affected (--base REF | --deployed FILE) [--targets | --waves]",
		Short: "Print the stacks a change affects, as a JSON array for a CI matrix",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (base == "") == (deployedFile == "") {
				return &exitError{exitUsage, fmt.Errorf("kpax affected: give --base (a pull request's base) or --deployed (each stack's deployed commit), not both")}
			}
			if targets && (inWaves || deployedFile != "") {
				return &exitError{exitUsage, fmt.Errorf("kpax affected: --targets goes with --base alone")}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			var stacks []string
			var a affected
			if deployedFile != "" {
				proj, err := spec.LoadProject(dir)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				deployed, err := readDeployed(deployedFile)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				if stacks, err = behindStacks(dir, deployed, proj.Rollout.Order); err != nil {
					return &exitError{exitInvalid, err}
				}
				sort.Strings(stacks)
			} else {
				files, err := changedFiles(dir, base)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				all, err := program.Stacks(dir)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				a = affectedStacks(releasesChange(dir, base, files), all, tenantStamps(dir, base))
				stacks = a.Stacks
			}
			if inWaves {
				proj, err := spec.LoadProject(dir)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				canary, rest := proj.Rollout.Waves(stacks)
				return enc.Encode(waves{Canary: canary, Rest: rest})
			}
			if !targets {
				return enc.Encode(stacks)
			}
			if err := diffTargets(dir, base, &a); err != nil {
				return &exitError{exitInvalid, err}
			}
			return enc.Encode(a)
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&base, "base", "", "git revision to compare the work tree with (the pull request's base)")
	cmd.Flags().StringVar(&deployedFile, "deployed", "", `JSON file {stack: commit} of what each stack last deployed: compare each stack with its own commit (a stack without one is behind)`)
	cmd.Flags().BoolVar(&inWaves, "waves", false, `print {"canary": [stack], "rest": [stacks]}: the first affected stack of rollout.yaml alone, then the others`)
	cmd.Flags().BoolVar(&targets, "targets", false, `print {"stacks": [...], "targets": {stack: [URNs]}}: for a stack whose only changes are tenant files, every URN the change touches, platform resources included`)
	return cmd
}

// diffTargets replaces the tenant components of each targeted stack by the
// URNs the offline diff of base and the work tree changes. A tenant's own
// component is not enough: a new, resized or retired tenant also changes the
// region's gateway (its listener, pool, probe and rule), which a preview
// targeted at the tenant alone would not show, even with
// --target-dependents (the gateway is the tenant's dependency, not its
// dependent).
func diffTargets(dir, base string, a *affected) error {
	if len(a.Targets) == 0 {
		return nil
	}
	baseDir, err := checkoutInputs(dir, base)
	if err != nil {
		return err
	}
	defer os.RemoveAll(baseDir)
	for stack := range a.Targets {
		urns, err := program.Targets(baseDir, dir, stack)
		if err != nil {
			return err
		}
		a.Targets[stack] = urns
	}
	return nil
}
