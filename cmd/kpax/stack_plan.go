// kpax plan: a stack's offline plan under mocks, as a tree or as the JSON plan
// contract.

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/program"
)

const tenantType = "kpax:components:Tenant"

func newPlanCmd() *cobra.Command {
	var (
		dir, stack, tenant string
		all, asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Run a stack's program offline under mocks and print what it would register",
		Long: "plan runs the same program `pulumi up` runs, under Pulumi's mocks: no Azure, no credentials,\n" +
			"no Pulumi CLI. It prints the resource tree, or with --json the plan contract of design.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all == (stack != "") {
				return &exitError{exitUsage, fmt.Errorf("kpax plan: give exactly one of --stack S or --all")}
			}
			stacks := []string{stack}
			if all {
				var err error
				if stacks, err = program.Stacks(dir); err != nil {
					return &exitError{exitInvalid, err}
				}
			}
			var plans []*plan.Plan
			for _, s := range stacks {
				p, err := program.Plan(dir, s)
				if err != nil {
					return &exitError{exitInvalid, fmt.Errorf("plan %s: %w", s, err)}
				}
				if tenant != "" {
					if p, err = onlyTenant(p, tenant); err != nil {
						return &exitError{exitUsage, err}
					}
				}
				plans = append(plans, p)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if all {
					return enc.Encode(plans)
				}
				return enc.Encode(plans[0])
			}
			for _, p := range plans {
				printTree(out, p)
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to plan (prod-fr, prod-uk, ...)")
	cmd.Flags().BoolVar(&all, "all", false, "plan every stack")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	cmd.Flags().StringVar(&tenant, "tenant", "", "show only this tenant's resources")
	return cmd
}

// onlyTenant keeps the named tenant's component and everything below it.
func onlyTenant(p *plan.Plan, name string) (*plan.Plan, error) {
	root := p.Get(tenantType, name)
	if root == nil {
		return nil, fmt.Errorf("kpax plan: stack %s has no tenant %q", p.Stack, name)
	}
	kept := append([]*plan.Resource{root}, p.Descendants(root)...)
	// Keep the tenant's own entries of the per-tenant outputs only.
	outputs := map[string]any{}
	for _, key := range []string{"tenantUrls", "tenantStates", "tenantImages"} {
		if m, ok := p.Outputs[key].(map[string]any); ok {
			if v, ok := m[name]; ok {
				outputs[key] = map[string]any{name: v}
			}
		}
	}
	return &plan.Plan{Stack: p.Stack, Project: p.Project, Resources: kept, Outputs: outputs}, nil
}

// printTree prints the plan the way `pulumi preview` shows a first
// deployment: every resource under its parent, then counts per type.
func printTree(w io.Writer, p *plan.Plan) {
	children := map[string][]*plan.Resource{}
	known := map[string]bool{}
	for _, r := range p.Resources {
		known[r.URN] = true
	}
	var roots []*plan.Resource
	for _, r := range p.Resources {
		if known[r.Parent] {
			children[r.Parent] = append(children[r.Parent], r)
		} else {
			roots = append(roots, r)
		}
	}
	fmt.Fprintf(w, "Plan of stack %s (project %s), offline under mocks\n\n", p.Stack, p.Project)
	var walk func(r *plan.Resource, depth int)
	walk = func(r *plan.Resource, depth int) {
		fmt.Fprintf(w, "%s+ %s  %s%s\n", strings.Repeat("    ", depth), r.Type, r.Name, annotations(p, r))
		for _, c := range children[r.URN] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 1)
	}
	fmt.Fprintf(w, "\nResources by type:\n")
	total := 0
	for _, tc := range p.CountByType() {
		fmt.Fprintf(w, "  %5d  %s\n", tc.Count, tc.Type)
		total += tc.Count
	}
	components := len(p.Resources) - total
	fmt.Fprintf(w, "  %5d  resources to create (%d components)\n", total, components)
	if len(p.Outputs) > 0 {
		fmt.Fprintf(w, "\nOutputs:\n")
		keys := make([]string, 0, len(p.Outputs))
		for k := range p.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, _ := json.Marshal(p.Outputs[k])
			fmt.Fprintf(w, "  %s: %s\n", k, v)
		}
	}
	fmt.Fprintln(w)
}

// annotations are the facts an operator scans a plan for: a tenant's
// runtime, tier, state and URL, which resources are protected, and the
// options that change how the engine replaces them.
func annotations(p *plan.Plan, r *plan.Resource) string {
	var notes []string
	if r.Type == tenantType {
		notes = append(notes, tenantSummary(p, r))
	}
	if r.Protect {
		notes = append(notes, "protected")
	}
	if r.RetainOnDelete {
		notes = append(notes, "retained on delete")
	}
	// What changes the engine's own steps: where the program replaces a
	// resource itself, and how.
	if len(r.ReplaceOnChanges) > 0 {
		notes = append(notes, "replaced on "+strings.Join(r.ReplaceOnChanges, " "))
	}
	if r.DeleteBeforeReplace {
		notes = append(notes, "deleted before replaced")
	}
	if len(r.IgnoreChanges) > 0 {
		notes = append(notes, "ignores "+strings.Join(r.IgnoreChanges, " "))
	}
	if r.Import != "" {
		notes = append(notes, "adopted")
	}
	if len(notes) == 0 {
		return ""
	}
	return "  [" + strings.Join(notes, ", ") + "]"
}

// tenantSummary reads a tenant's facts back from its resource group's tags
// and the stack outputs, so the plan shows what was registered, not what the
// YAML says.
func tenantSummary(p *plan.Plan, tenant *plan.Resource) string {
	var parts []string
	for _, r := range p.Descendants(tenant) {
		if r.Type == "azure-native:resources:ResourceGroup" {
			parts = append(parts, r.String("tags.runtime"), r.String("tags.tier"))
			break
		}
	}
	if states, ok := p.Outputs["tenantStates"].(map[string]any); ok {
		if s, ok := states[tenant.Name].(string); ok {
			parts = append(parts, s)
		}
	}
	if urls, ok := p.Outputs["tenantUrls"].(map[string]any); ok {
		if u, ok := urls[tenant.Name].(string); ok {
			parts = append(parts, u)
		}
	}
	return strings.Join(parts, ", ")
}
