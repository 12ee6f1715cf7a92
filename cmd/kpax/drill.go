// kpax drill: the restore drill's pick of the week and its script, for
// .github/workflows/restore-drill.yml.

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/components"
	"github.com/kpax/kpax-cloud/drill"
	"github.com/kpax/kpax-cloud/spec"
)

// drillPick is what a drill restores, and where.
type drillPick struct {
	Tenant string `json:"tenant"`
	Region string `json:"region"`
	Stack  string `json:"stack"`
	// Subscription is the stack's, from its stack file: the drill's Azure
	// login works there.
	Subscription string `json:"subscription"`
	// Env are the runbook's inputs (drill.Inputs).
	Env map[string]string `json:"env"`
}

func newDrillCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "drill",
		Short: "The restore drill: the tenant of the week, and the runbook commands it runs",
	}
	var dir, tenant, at, format string
	pick := &cobra.Command{
		Use:   "pick [--tenant T] [--at RFC3339]",
		Short: "Print the tenant the drill restores this week (a rotation over active and suspended tenants)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now().UTC()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return &exitError{exitUsage, fmt.Errorf("kpax drill pick: --at is an RFC 3339 time like 2026-12-07T04:40:00Z (got %q)", at)}
				}
				now = t.UTC()
			}
			if format != "json" && format != "env" {
				return &exitError{exitUsage, fmt.Errorf("kpax drill pick: --format is json or env, not %q", format)}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			t, err := drill.Choose(proj, now, tenant)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			addr := components.TenantDatabaseAddress(t)
			stack := spec.StampStackName(t.Region, t.Stamp)
			p := drillPick{
				Tenant: t.Name, Region: t.Region, Stack: stack, Subscription: proj.Stack(stack).Subscription(),
				Env: map[string]string{
					"RG": addr.ResourceGroup, "SERVER_PREFIX": addr.ServerPrefix, "DB": addr.Database,
					// A scratch name per run, so that a drill left half-way
					// never blocks the next one.
					"DEST":   fmt.Sprintf("%s-drill-%s", addr.Database, now.Format("20060102t1504")),
					"TIME":   now.Add(-time.Hour).Format(time.RFC3339),
					"TENANT": t.Name, "REGION": t.Region,
					// The check runs inside the VNet as the stamp's SQL
					// job: no runner of ours sits there.
					"OPS_JOB": components.OpsSQLJobName(spec.StampKey(t.Region, t.Stamp)),
				},
			}
			out := cmd.OutOrStdout()
			if format == "env" {
				for _, k := range drill.Inputs {
					fmt.Fprintf(out, "%s=%s\n", k, p.Env[k])
				}
				return nil
			}
			enc := json.NewEncoder(out)
			return enc.Encode(p)
		},
	}
	dirFlag(pick, &dir)
	pick.Flags().StringVar(&tenant, "tenant", "", "drill this tenant instead of the week's")
	pick.Flags().StringVar(&at, "at", "", "the drill's time (default now): picks the week, and the restore point one hour before")
	pick.Flags().StringVar(&format, "format", "json", "json, or env (KEY=value lines for $GITHUB_ENV)")

	var scriptDir string
	script := &cobra.Command{
		Use:   "script",
		Short: "Print the drill's shell script: docs/restore.md's marked blocks, as written there",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			runbook, err := os.ReadFile(filepath.Join(scriptDir, "docs", "restore.md"))
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			s, err := drill.Script(runbook)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if free := drill.Free(s); len(free) > 0 {
				return &exitError{exitInvalid, fmt.Errorf("docs/restore.md: the drill blocks use %s, which the drill does not set (it sets %s)", strings.Join(free, ", "), strings.Join(drill.Inputs, ", "))}
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), s)
			return err
		},
	}
	dirFlag(script, &scriptDir)
	cmd.AddCommand(pick, script)
	return cmd
}
