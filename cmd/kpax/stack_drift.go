// kpax drift: a stack's nightly refresh preview, read per tenant and YAML
// file, for the drift workflow's issue.

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/drift"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/spec"
)

// exitDrift is drift's exit code when the stack differs from the program.
const exitDrift = 4

func newDriftCmd() *cobra.Command {
	var dir, stack, preview, format string
	cmd := &cobra.Command{
		Use:   "drift --stack S --preview FILE",
		Short: "Read a stack's `pulumi preview --refresh --json`: what differs from the program, per tenant and YAML file",
		Long: "drift reads the JSON of `pulumi preview --refresh --expect-no-changes --json` for one stack, maps each\n" +
			"resource that differs to its tenant and YAML file (the stack's offline plan says which resource and\n" +
			"which gateway entry is whose), sets aside the known refresh noise of drift/ignore.yaml, and prints\n" +
			"the issue body (Markdown) or JSON. It exits 4 when something drifted, 0 when nothing did.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stack == "" || preview == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax drift: --stack and --preview are required")}
			}
			if format != "markdown" && format != "json" {
				return &exitError{exitUsage, fmt.Errorf("kpax drift: --format is markdown or json, not %q", format)}
			}
			data, err := os.ReadFile(preview)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			pv, err := drift.ParsePreview(data)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("%s: %w", preview, err)}
			}
			ignore, err := drift.LoadIgnoreList()
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			cfg, err := program.StackConfig(dir, stack)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			offline, err := program.Plan(dir, stack)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("plan %s: %w", stack, err)}
			}
			files := map[string]string{}
			for _, t := range proj.Tenants {
				files[t.Name] = t.Source.File
			}
			region := "regions/" + cfg[program.ConfigRegion] + ".yaml"
			r := drift.Build(stack, pv, offline, ignore.Rules, files, region)
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				err = enc.Encode(r)
			} else {
				_, err = io.WriteString(out, r.Markdown())
			}
			if err != nil {
				return err
			}
			if r.Drifted() {
				return &exitError{exitDrift, fmt.Errorf("kpax drift: %s differs from the program", stack)}
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "the stack the preview is of")
	cmd.Flags().StringVar(&preview, "preview", "", "the JSON output of pulumi preview --refresh --expect-no-changes --json")
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown (the issue body) or json")
	return cmd
}
