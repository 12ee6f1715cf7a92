// kpax check: the platform rules over one or every stack's plan.

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/rules"
	"github.com/kpax/kpax-cloud/spec"
)

func newCheckCmd() *cobra.Command {
	var (
		dir, stack, format string
		all                bool
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check stacks' plans against the platform rules; report violations at the YAML field responsible",
		Long: "check plans the stack(s) offline, like `kpax plan`, and evaluates the platform rules over what\n" +
			"would be deployed: " + fmt.Sprint(rules.Names()) + ".\n" +
			"Each violation names the rule, the resource URN and the tenant or region file:line:col to fix.\n" +
			"Exit 0 when every rule holds, 1 on any violation (or a plan that fails), 2 on usage errors.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all == (stack != "") {
				return &exitError{exitUsage, fmt.Errorf("kpax check: give exactly one of --stack S or --all")}
			}
			if format != "text" && format != "json" && format != "github" {
				return &exitError{exitUsage, fmt.Errorf("kpax check: --format must be text, json or github (got %q)", format)}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				var diags spec.Diagnostics
				if errors.As(err, &diags) {
					// JSON readers expect violations on stdout: diagnostics go aside.
					w := cmd.OutOrStdout()
					if format == "json" {
						w = cmd.ErrOrStderr()
					}
					printDiagnostics(w, diags, format)
					return &exitError{exitInvalid, fmt.Errorf("kpax check: the project files are invalid (%d error(s)): run kpax validate", len(diags))}
				}
				return &exitError{exitInvalid, err}
			}
			stacks := []string{stack}
			if all {
				if stacks, err = program.Stacks(dir); err != nil {
					return &exitError{exitInvalid, err}
				}
			}
			var found []rules.Violation
			taken := map[string]*rules.Applied{}
			resources := 0
			for _, s := range stacks {
				cfg, err := program.StackConfig(dir, s)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				p, err := program.Plan(dir, s)
				if err != nil {
					return &exitError{exitInvalid, fmt.Errorf("plan %s: %w", s, err)}
				}
				resources += len(p.Resources)
				found = append(found, rules.Check(p, proj, cfg[program.ConfigRegion])...)
				published, applied := rules.CheckPublished(p, proj, cfg[program.ConfigRegion])
				found = append(found, published...)
				for _, a := range applied {
					if taken[a.Rule] == nil {
						taken[a.Rule] = &rules.Applied{Exception: a.Exception}
					}
					taken[a.Rule].Count += a.Count
				}
			}
			rules.Sort(found)
			if err := printViolations(cmd.OutOrStdout(), found, format); err != nil {
				return &exitError{exitInvalid, err}
			}
			if len(found) > 0 {
				return &exitError{exitInvalid, fmt.Errorf("kpax check: %d violation(s) in %d stack(s)", len(found), len(stacks))}
			}
			if format == "text" {
				fmt.Fprintf(cmd.OutOrStdout(), "check: %d stack(s), %d resources, %d platform rules and %d published Azure rules: no violations\n",
					len(stacks), resources, len(rules.Names()), len(rules.PublishedRules))
				printExceptions(cmd.OutOrStdout(), taken)
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to check (prod-fr, prod-uk, ...)")
	cmd.Flags().BoolVar(&all, "all", false, "check every stack")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, or github for GitHub Actions annotations")
	return cmd
}

// printExceptions lists the published rules the stacks deliberately break,
// how often, and why (docs/published-rules.md): an exception is never
// silent.
func printExceptions(w io.Writer, taken map[string]*rules.Applied) {
	if len(taken) == 0 {
		return
	}
	ids := make([]string, 0, len(taken))
	for id := range taken {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Fprintf(w, "exceptions to published rules (docs/published-rules.md):\n")
	for _, id := range ids {
		a := taken[id]
		fmt.Fprintf(w, "  %s x%d: %s\n", id, a.Count, a.Reason)
	}
}

// printViolations writes the violations, already sorted, in one format.
func printViolations(w io.Writer, vs []rules.Violation, format string) error {
	switch format {
	case "json":
		if vs == nil {
			vs = []rules.Violation{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(vs)
	case "github":
		for _, v := range vs {
			msg := fmt.Sprintf("[%s] %s", v.Rule, v.Message)
			if v.URN != "" {
				msg += " (" + v.URN + ")"
			}
			fmt.Fprintf(w, "::error file=%s,line=%d,col=%d::%s\n", v.File, v.Line, v.Col, escapeAnnotation(msg))
		}
	default:
		for _, v := range vs {
			fmt.Fprintln(w, v.String())
		}
	}
	return nil
}
