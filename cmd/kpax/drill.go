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
	// Part is the week's other part (drill.PartOf), or the one asked for.
	Part   string `json:"part"`
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
	var dir, tenant, at, format, partName string
	pick := &cobra.Command{
		Use:   "pick [--tenant T] [--part P] [--at RFC3339]",
		Short: "Print the tenant the drill restores this week (a rotation over active and suspended tenants) and the week's other part (files, blob, secret)",
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
			part := drill.PartOf(now)
			if partName != "" {
				if part, err = drill.ParsePart(partName); err != nil {
					return &exitError{exitUsage, fmt.Errorf("kpax drill pick: --part: %w", err)}
				}
			}
			t, err := drill.Choose(proj, now, tenant)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			addr := components.TenantDatabaseAddress(t)
			parts := components.TenantPartsAddress(t)
			stack := spec.StampStackName(t.Region, t.Stamp)
			p := drillPick{
				Tenant: t.Name, Part: string(part), Region: t.Region, Stack: stack, Subscription: proj.Stack(stack).Subscription(),
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
					// The week's other part (docs/restore.md, "The restore
					// drill: one more part a week").
					"DRILL_PART":     string(part),
					"TENANT_RG":      parts.TenantResourceGroup,
					"VAULT":          parts.RecoveryVault,
					"SHARE":          parts.FileShare,
					"BLOB_CONTAINER": parts.BlobContainer,
					"SECRET":         parts.Secret,
					// The files drill's scratch account: a storage account
					// name (3-24 lowercase letters and digits, globally
					// unique), fresh per run like DEST.
					"SCRATCH": scratchAccountName(spec.StampKey(t.Region, t.Stamp), now),
				},
			}
			out := cmd.OutOrStdout()
			if format == "env" {
				for _, k := range drill.InputsFor(part) {
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
	pick.Flags().StringVar(&partName, "part", "", "drill this part (files, blob, secret) instead of the week's")

	var scriptDir, scriptPart string
	script := &cobra.Command{
		Use:   "script",
		Short: "Print the drill's shell script for a part: docs/restore.md's marked blocks, as written there",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			part, err := drill.ParsePart(scriptPart)
			if err != nil {
				return &exitError{exitUsage, fmt.Errorf("kpax drill script: --part: %w", err)}
			}
			runbook, err := os.ReadFile(filepath.Join(scriptDir, "docs", "restore.md"))
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			s, err := drill.Script(runbook, part)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if free := drill.Free(s, drill.InputsFor(part)); len(free) > 0 {
				return &exitError{exitInvalid, fmt.Errorf("docs/restore.md: the drill blocks use %s, which the drill does not set (it sets %s)", strings.Join(free, ", "), strings.Join(drill.InputsFor(part), ", "))}
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), s)
			return err
		},
	}
	dirFlag(script, &scriptDir)
	script.Flags().StringVar(&scriptPart, "part", "", "the part the drill proves besides the database: files, blob or secret (kpax drill pick's part)")
	cmd.AddCommand(pick, script)
	return cmd
}

// scratchAccountName is the files drill's scratch storage account for a run
// at now: "stdrill", the stamp key's letters and digits, and the minute.
func scratchAccountName(stampKey string, now time.Time) string {
	var key strings.Builder
	for _, r := range stampKey {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			key.WriteRune(r)
		}
	}
	k := key.String()
	if len(k) > 7 {
		k = k[:7]
	}
	return "stdrill" + k + now.UTC().Format("0601021504")
}
