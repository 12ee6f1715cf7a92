// kpax diff: the offline plans of a base revision and the work tree, compared,
// as a PR comment.

package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/diffreport"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/spec"
)

// exitFlagged is diff's exit code when a change needs a human's explicit
// approval (CI requires a label then).
const exitFlagged = 3

func newDiffCmd() *cobra.Command {
	var dir, base, stack, format, full, jsonFile, fullDiff string
	var budget int
	cmd := &cobra.Command{
		Use:   "diff --base REF [--stack S]",
		Short: "Compare the plans of a git revision and the work tree; print Markdown for a PR comment",
		Long: "diff plans the base revision's YAML (read from git, no checkout) and the work tree's, compares\n" +
			"them by URN and prints Markdown: per stack and per tenant, each resource change with its edits,\n" +
			"a shared resource's entries (gateway routes) under the tenant they belong to, and identical\n" +
			"changes of many tenants once. Past --budget characters it prints the flagged changes and the\n" +
			"counts; --full and --json write the whole diff. It exits 3 when something is flagged: protected\n" +
			"data deleted or replaced, a tenant removed without decommissioning, a tenant moved between\n" +
			"stacks, a shorter backup retention, or an input that Azure only changes by replacement.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if base == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax diff: --base is required")}
			}
			if format != "markdown" && format != "json" {
				return &exitError{exitUsage, fmt.Errorf("kpax diff: --format is markdown or json, not %q", format)}
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
			var plans []diffreport.StackPlans
			for _, s := range stacks {
				p, err := stackPlans(baseDir, dir, s)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				plans = append(plans, p)
			}
			report := diffreport.Build(base, plans)
			report.Release = releaseSection(baseDir, dir)
			doc, err := report.JSON()
			if err != nil {
				return err
			}
			if full != "" {
				if err := os.WriteFile(full, []byte(report.Markdown(diffreport.MarkdownOptions{})), 0o644); err != nil {
					return err
				}
			}
			if jsonFile != "" {
				if err := os.WriteFile(jsonFile, doc, 0o644); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				_, err = out.Write(doc)
			} else {
				_, err = io.WriteString(out, report.Markdown(diffreport.MarkdownOptions{Budget: budget, FullDiff: fullDiff}))
			}
			if err != nil {
				return err
			}
			if report.Flagged() {
				return &exitError{exitFlagged, fmt.Errorf("kpax diff: flagged changes need review")}
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&base, "base", "", "git revision to compare with (the pull request's base)")
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "compare only this stack (default: the stacks the change affects)")
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown (a PR comment) or json (the whole diff, for tools)")
	cmd.Flags().IntVar(&budget, "budget", diffreport.DefaultBudget, "most characters of the Markdown; past it, a summary (0: no limit)")
	cmd.Flags().StringVar(&full, "full", "", "also write the whole diff as Markdown to this file")
	cmd.Flags().StringVar(&jsonFile, "json", "", "also write the whole diff as JSON to this file")
	cmd.Flags().StringVar(&fullDiff, "full-diff-at", "", "where the summary says the full diff is (a link to the run's artifact)")
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
	return affectedStacks(releasesChange(dir, base, files), names, tenantStamps(dir, base)).Stacks, nil
}

func stackPlans(baseDir, headDir, stack string) (diffreport.StackPlans, error) {
	b, err := program.PlanOrEmpty(baseDir, stack)
	if err != nil {
		return diffreport.StackPlans{}, fmt.Errorf("base %s: %w", stack, err)
	}
	h, err := program.PlanOrEmpty(headDir, stack)
	if err != nil {
		return diffreport.StackPlans{}, fmt.Errorf("work tree %s: %w", stack, err)
	}
	return diffreport.StackPlans{Stack: stack, Base: b, Head: h,
		BaseSubscription: stackSubscription(baseDir, stack), HeadSubscription: stackSubscription(headDir, stack)}, nil
}

// stackSubscription is a stack file's subscription, or "" when the file or
// the key is missing (validation reports those).
func stackSubscription(dir, stack string) string {
	cfg, err := program.StackConfig(dir, stack)
	if err != nil {
		return ""
	}
	return cfg[spec.StackKeySubscription]
}
