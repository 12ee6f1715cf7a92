// kpax validate: every region and tenant file, with located errors (text or
// GitHub annotations).

package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/spec"
)

func newValidateCmd() *cobra.Command {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check every region and tenant file; report all errors with file:line:col",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "github" {
				return &exitError{exitUsage, fmt.Errorf("kpax validate: --format must be text or github (got %q)", format)}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				var diags spec.Diagnostics
				if !errors.As(err, &diags) {
					return &exitError{exitInvalid, err}
				}
				printDiagnostics(cmd.OutOrStdout(), diags, format)
				return &exitError{exitInvalid, fmt.Errorf("%d error(s)", len(diags))}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "valid: %d regions, %d tenants\n", len(proj.Regions), len(proj.Tenants))
			for _, r := range proj.RegionNames() {
				ts := proj.TenantsIn(r)
				names := make([]string, len(ts))
				for i, t := range ts {
					names[i] = t.Name
				}
				fmt.Fprintf(cmd.OutOrStdout(), "  %-3s %-17s %d/%d tenants: %s\n", r, proj.Regions[r].Location, len(ts), proj.Regions[r].MaxTenants, strings.Join(names, ", "))
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, or github for GitHub Actions annotations")
	return cmd
}

// printDiagnostics writes one line per diagnostic, sorted.
func printDiagnostics(w io.Writer, diags spec.Diagnostics, format string) {
	for _, d := range diags.Sorted() {
		if format == "github" {
			msg := d.Message
			if d.Path != "" {
				msg = d.Path + ": " + msg
			}
			fmt.Fprintf(w, "::error file=%s,line=%d,col=%d::%s\n", d.File, d.Line, d.Col, escapeAnnotation(msg))
			continue
		}
		fmt.Fprintln(w, d.String())
	}
}

// escapeAnnotation escapes what GitHub's workflow commands treat specially.
func escapeAnnotation(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}
