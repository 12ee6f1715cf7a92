// The drift report as the body of the stack's drift issue.

package drift

import (
	"fmt"
	"strings"
)

// Title is the title of a stack's drift issue: the workflow finds the open
// issue by it and updates it rather than opening another.
func Title(stack string) string { return "Drift in " + stack }

var opWords = map[string]string{
	"update":         "differs",
	"replace":        "differs; the next up replaces it",
	"create":         "is gone from Azure; the next up creates it again",
	"create-replace": "differs; the next up replaces it",
	"delete":         "exists in Azure but not in the program",
}

// Markdown is the issue body: per tenant and its YAML file, what differs,
// and what to do.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", Title(r.Stack))
	if !r.Drifted() {
		b.WriteString("No drift: Azure holds what the program says.\n")
	} else {
		n := 0
		for _, s := range r.Sections {
			n += len(s.Resources)
		}
		fmt.Fprintf(&b, "The nightly `pulumi preview --refresh --expect-no-changes` of `%s` found %d resource(s) that differ from the program: "+
			"a change made outside it, in the portal or the CLI. For each, either revert it (`pulumi up --refresh -s %s` puts the program's values back) "+
			"or, if it was meant, make it part of the YAML file named below and open a pull request.\n", r.Stack, n, r.Stack)
		for _, s := range r.Sections {
			if s.Tenant == "" {
				fmt.Fprintf(&b, "\n### region platform: `%s`\n\n", s.File)
			} else {
				fmt.Fprintf(&b, "\n### tenant `%s`: `%s`\n\n", s.Tenant, s.File)
			}
			for _, res := range s.Resources {
				words := opWords[res.Op]
				if words == "" {
					words = res.Op
				}
				fmt.Fprintf(&b, "- %s `%s` %s", res.Type, res.Name, words)
				if len(res.Paths) > 0 {
					quoted := make([]string, len(res.Paths))
					for i, p := range res.Paths {
						quoted[i] = "`" + p + "`"
					}
					fmt.Fprintf(&b, ": %s", strings.Join(quoted, ", "))
				}
				b.WriteString("\n")
			}
		}
	}
	if len(r.Ignored) > 0 {
		fmt.Fprintf(&b, "\n%d difference(s) set aside as known refresh noise (`drift/ignore.yaml`):\n\n", len(r.Ignored))
		for _, ig := range r.Ignored {
			_, name := urnTypeName(ig.URN)
			fmt.Fprintf(&b, "- `%s` `%s` (%s)\n", name, ig.Path, ig.Issue)
		}
	}
	return b.String()
}
