package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/release"
	"github.com/kpax/kpax-cloud/spec"
)

// exitGate: the release gate does not pass (README, "Releasing a KPAX
// version").
const exitGate = 5

// releaseGateCmds are the release gate's commands, as the release-gate
// workflow runs them: which rings a change promotes from, one stack's
// inputs read through az, and the gate over all stacks' inputs.
func releaseGateCmds() []*cobra.Command {
	return []*cobra.Command{newReleasePromotionsCmd(), newReleaseGateInputsCmd(), newReleaseGateCmd()}
}

func newReleasePromotionsCmd() *cobra.Command {
	var dir, base, format string
	cmd := &cobra.Command{
		Use:   "promotions --base REF",
		Short: "Which ring each changed line of releases.yaml promotes from (the gates it needs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if base == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax release promotions: --base is required")}
			}
			checks, err := release.PromotionsSince(dir, base)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(checks)
			}
			for _, c := range checks {
				if c.Skip != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "%s %s: no gate (%s)\n", c.Promotes, c.Version, c.Skip)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s: gate ring %s\n", c.Promotes, c.Version, c.Ring)
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&base, "base", "", "the git revision the change is compared with")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func newReleaseGateInputsCmd() *cobra.Command {
	var dir, stack, ring, image, soak, at string
	cmd := &cobra.Command{
		Use:   "gate-inputs --stack S --ring R --image I --soak D",
		Short: "Read one stack's inputs of the release gate through az (revisions, extensions, alerts), as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stack == "" || ring == "" || image == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax release gate-inputs: --stack, --ring and --image are required")}
			}
			d, now, err := soakAndNow(soak, at)
			if err != nil {
				return &exitError{exitUsage, err}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if proj.Releases == nil || proj.Releases.Ring(ring) == nil {
				return &exitError{exitUsage, fmt.Errorf("kpax release gate-inputs: releases.yaml has no ring %q", ring)}
			}
			var refs []release.TenantRef
			for _, t := range proj.Tenants {
				if t.Ring != ring || spec.StampStackName(t.Region, t.Stamp) != stack {
					continue
				}
				if _, pinned := t.ServerImage(proj.Releases); pinned {
					continue // a pinned tenant follows no ring
				}
				ref := release.TenantRef{Name: t.Name, Stack: stack, Region: t.Region, State: string(t.State), Runtime: string(t.Runtime)}
				if t.VM != nil {
					ref.VMs = t.VM.Instances
				}
				refs = append(refs, ref)
			}
			in, err := release.Collect(release.AzCLI, stack, image, refs, now, d)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			return release.WriteInputs(cmd.OutOrStdout(), in)
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&stack, "stack", "", "the stack whose subscription az is logged in to")
	cmd.Flags().StringVar(&ring, "ring", "", "the ring to gate")
	cmd.Flags().StringVar(&image, "image", "", "the image the ring must have soaked")
	cmd.Flags().StringVar(&soak, "soak", "24h", "how long each tenant must have run it")
	cmd.Flags().StringVar(&at, "at", "", "the time to judge at (RFC 3339; default now)")
	return cmd
}

func newReleaseGateCmd() *cobra.Command {
	var ring, soak, at, inputs, format string
	cmd := &cobra.Command{
		Use:   "gate --ring R --soak D --inputs GLOB",
		Short: "Whether ring R may hand its version to the next ring: exit 5 unless it passes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ring == "" || inputs == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax release gate: --ring and --inputs are required")}
			}
			d, now, err := soakAndNow(soak, at)
			if err != nil {
				return &exitError{exitUsage, err}
			}
			res, err := release.RunGate(cmd.OutOrStdout(), ring, d, now, inputs, format)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if !res.Pass {
				return &exitError{exitGate, fmt.Errorf("kpax release gate: ring %s does not pass (a maintainer may add the label release-gate-override)", ring)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&ring, "ring", "", "the ring to gate")
	cmd.Flags().StringVar(&soak, "soak", "24h", "how long each active tenant must have run the version")
	cmd.Flags().StringVar(&at, "at", "", "the time to judge at (RFC 3339; default now)")
	cmd.Flags().StringVar(&inputs, "inputs", "", "the stacks' gate-inputs files (a glob)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// soakAndNow reads --soak and --at.
func soakAndNow(soak, at string) (time.Duration, time.Time, error) {
	d, err := time.ParseDuration(soak)
	if err != nil || d <= 0 {
		return 0, time.Time{}, fmt.Errorf("--soak %q: a positive duration like 24h", soak)
	}
	now := time.Now().UTC()
	if at != "" {
		if now, err = time.Parse(time.RFC3339, at); err != nil {
			return 0, time.Time{}, fmt.Errorf("--at %q: an RFC 3339 time", at)
		}
	}
	return d, now, nil
}
