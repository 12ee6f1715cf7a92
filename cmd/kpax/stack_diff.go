// kpax diff: the offline plans of a base revision and the work tree, compared,
// as a PR comment.

package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/program"
)

// exitFlagged is diff's exit code when a change needs a human's explicit
// approval (CI requires a label then).
const exitFlagged = 3

// stackDiff is the comparison of one stack between two revisions.
type stackDiff struct {
	stack   string
	changes []plan.Change
	base    *plan.Plan
	head    *plan.Plan
}

func newDiffCmd() *cobra.Command {
	var dir, base, stack string
	cmd := &cobra.Command{
		Use:   "diff --base REF [--stack S]",
		Short: "Compare the plans of a git revision and the work tree; print Markdown for a PR comment",
		Long: "diff plans the base revision's YAML (read from git, no checkout) and the work tree's, compares\n" +
			"them by URN and prints Markdown. It exits 3 when something is flagged: protected data deleted or\n" +
			"replaced, a tenant removed without decommissioning, a tenant moved between regions, or an input\n" +
			"that Azure only changes by replacement.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if base == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax diff: --base is required")}
			}
			baseDir, err := checkoutInputs(dir, base)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			defer os.RemoveAll(baseDir)
			stacks, err := diffStacks(dir, baseDir, base, stack)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			var diffs []stackDiff
			for _, s := range stacks {
				d, err := diffStack(baseDir, dir, s)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				diffs = append(diffs, d)
			}
			if writeMarkdown(cmd.OutOrStdout(), base, diffs) {
				return &exitError{exitFlagged, fmt.Errorf("kpax diff: flagged changes need review")}
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&base, "base", "", "git revision to compare with (the pull request's base)")
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "compare only this stack (default: the stacks the change affects)")
	return cmd
}

// diffStacks is the stack asked for, or every stack the change affects in
// either revision.
func diffStacks(dir, baseDir, base, stack string) ([]string, error) {
	if stack != "" {
		return []string{stack}, nil
	}
	files, err := changedFiles(dir, base)
	if err != nil {
		return nil, err
	}
	headStacks, err := program.Stacks(dir)
	if err != nil {
		return nil, err
	}
	baseStacks, err := program.Stacks(baseDir)
	if err != nil {
		return nil, err
	}
	all := map[string]bool{}
	for _, s := range append(headStacks, baseStacks...) {
		all[s] = true
	}
	names := make([]string, 0, len(all))
	for s := range all {
		names = append(names, s)
	}
	sort.Strings(names)
	return affectedStacks(files, names, tenantStamps(dir, base)).Stacks, nil
}

func diffStack(baseDir, headDir, stack string) (stackDiff, error) {
	b, err := program.PlanOrEmpty(baseDir, stack)
	if err != nil {
		return stackDiff{}, fmt.Errorf("base %s: %w", stack, err)
	}
	h, err := program.PlanOrEmpty(headDir, stack)
	if err != nil {
		return stackDiff{}, fmt.Errorf("work tree %s: %w", stack, err)
	}
	return stackDiff{stack: stack, changes: plan.Compare(b, h), base: b, head: h}, nil
}

// flags lists what in the diffs needs a human's explicit approval.
func flags(diffs []stackDiff) []string {
	var out []string
	removed := map[string]string{} // tenant -> stack it left
	added := map[string]string{}
	for _, d := range diffs {
		states, _ := d.base.Outputs["tenantStates"].(map[string]any)
		for _, c := range d.changes {
			switch {
			case c.Type == plan.TenantComponentType && c.Kind == "delete":
				removed[c.Name] = d.stack
				if states[c.Name] != "decommissioned" {
					out = append(out, fmt.Sprintf("Tenant `%s` is removed from `%s` without `state: decommissioned` first (it was %v). Its protected data stops the update; set `state: decommissioned` instead.", c.Name, d.stack, states[c.Name]))
				}
			case c.Type == plan.TenantComponentType && c.Kind == "add":
				added[c.Name] = d.stack
			case c.Protected && (c.Kind == "delete" || c.Kind == "replace"):
				out = append(out, fmt.Sprintf("Protected data resource `%s` (%s) would be %sd in `%s`.", c.Name, c.Type, strings.TrimSuffix(c.Kind, "e"), d.stack))
			case c.Kind == "replace":
				var paths []string
				for _, in := range c.Inputs {
					if in.Replaces {
						paths = append(paths, "`"+in.Path+"`")
					}
				}
				out = append(out, fmt.Sprintf("`%s` (%s) in `%s` is replaced: Azure cannot change %s in place.", c.Name, c.Type, d.stack, strings.Join(paths, ", ")))
			}
		}
	}
	for name, from := range removed {
		if to, ok := added[name]; ok {
			out = append(out, fmt.Sprintf("Tenant `%s` moves from `%s` to `%s`: a tenant's data never leaves its region; create a new tenant and migrate instead.", name, from, to))
		}
	}
	sort.Strings(out)
	return out
}

// writeMarkdown prints the PR comment and reports whether anything is flagged.
func writeMarkdown(w io.Writer, base string, diffs []stackDiff) bool {
	fmt.Fprintf(w, "## kpax diff against `%s`\n\n", base)
	flagged := flags(diffs)
	for _, f := range flagged {
		fmt.Fprintf(w, "- **⚠ %s**\n", f)
	}
	if len(flagged) > 0 {
		fmt.Fprintln(w)
	}
	changed := false
	for _, d := range diffs {
		if len(d.changes) == 0 {
			continue
		}
		changed = true
		counts := map[string]int{}
		for _, c := range d.changes {
			counts[c.Kind]++
		}
		fmt.Fprintf(w, "### `%s`: %d to add, %d to update, %d to replace, %d to delete\n",
			d.stack, counts["add"], counts["update"], counts["replace"], counts["delete"])
		group := "\x00"
		for _, c := range d.changes {
			if c.Tenant != group {
				group = c.Tenant
				if group == "" {
					fmt.Fprintf(w, "\n#### region platform\n\n")
				} else {
					fmt.Fprintf(w, "\n#### tenant `%s`\n\n", group)
				}
			}
			mark := map[string]string{"add": "+", "delete": "-", "update": "~", "replace": "+-"}[c.Kind]
			note := ""
			if c.Protected {
				note = " (protected)"
			}
			fmt.Fprintf(w, "- `%s` %s `%s`%s\n", mark, c.Type, c.Name, note)
			for _, in := range c.Inputs {
				rep := ""
				if in.Replaces {
					rep = " **forces replacement**"
				}
				fmt.Fprintf(w, "  - `%s`: %s → %s%s\n", in.Path, plan.Short(in.Old), plan.Short(in.New), rep)
			}
		}
		fmt.Fprintln(w)
	}
	if !changed {
		fmt.Fprintln(w, "No resource changes.")
	}
	return len(flagged) > 0
}
