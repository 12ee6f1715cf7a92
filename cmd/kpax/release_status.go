// kpax release status: per ring and per stack, the tenants and the KPAX
// version releases.yaml gives them; with --deployed, what the stacks run and
// who lags.

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/spec"
)

func newReleaseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Roll a KPAX server version out ring by ring (releases.yaml)",
	}
	cmd.AddCommand(newReleaseStatusCmd(), newReleasePromoteCmd())
	cmd.AddCommand(releaseGateCmds()...)
	return cmd
}

// releaseStatus is the fleet's versions by ring, then stack.
type releaseStatus struct {
	Rings []statusRing `json:"rings"`
	// Deployed says whether Running was read from the stacks' outputs.
	Deployed bool `json:"deployed"`
}

type statusRing struct {
	Name     string        `json:"name"`
	Image    string        `json:"image"`
	Version  string        `json:"version"`
	Rollback bool          `json:"rollback,omitempty"`
	Stacks   []statusStack `json:"stacks"`
}

type statusStack struct {
	Stack   string         `json:"stack"`
	Region  string         `json:"region"`
	Tenants []statusTenant `json:"tenants"`
}

type statusTenant struct {
	Name  string `json:"name"`
	State string `json:"state"`
	// Image is what releases.yaml (or the pin) gives the tenant.
	Image   string `json:"image"`
	Version string `json:"version"`
	// Pinned: the tenant's file names its image; it is held back from its
	// ring.
	Pinned bool `json:"pinned,omitempty"`
	// Running is the image the stack's output tenantImages reports ("" when
	// the stack or the tenant is not in it); Lags when it differs from Image.
	Running string `json:"running,omitempty"`
	Lags    bool   `json:"lags,omitempty"`
}

// tenantsOfRing are the tenants with compute that follow ring, by stack, in
// stack then name order. A decommissioned tenant runs nothing.
func tenantsOfRing(p *spec.Project, ring string) map[string][]*spec.Tenant {
	out := map[string][]*spec.Tenant{}
	for _, t := range p.Tenants {
		if t.Ring == ring && t.HasCompute() {
			out[t.StackOf()] = append(out[t.StackOf()], t)
		}
	}
	return out
}

func buildStatus(p *spec.Project, deployed map[string]map[string]string) releaseStatus {
	st := releaseStatus{Rings: []statusRing{}, Deployed: deployed != nil}
	for _, g := range p.Releases.Rings {
		sr := statusRing{Name: g.Name, Image: g.Image, Version: g.Version(), Rollback: g.Rollback, Stacks: []statusStack{}}
		byStack := tenantsOfRing(p, g.Name)
		for _, stack := range slices.Sorted(maps.Keys(byStack)) {
			ss := statusStack{Stack: stack, Region: byStack[stack][0].Region}
			for _, t := range byStack[stack] {
				image, pinned := t.ServerImage(p.Releases)
				tt := statusTenant{Name: t.Name, State: string(t.State), Image: image, Version: spec.ImageTag(image), Pinned: pinned}
				if deployed != nil {
					tt.Running = deployed[stack][t.Name]
					tt.Lags = tt.Running != image
				}
				ss.Tenants = append(ss.Tenants, tt)
			}
			sr.Stacks = append(sr.Stacks, ss)
		}
		st.Rings = append(st.Rings, sr)
	}
	return st
}

func printStatus(w io.Writer, st releaseStatus) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	lags, pins := 0, 0
	for _, r := range st.Rings {
		head := fmt.Sprintf("ring %s: %s", r.Name, r.Version)
		if r.Rollback {
			head += " (rolled back)"
		}
		n := 0
		for _, s := range r.Stacks {
			n += len(s.Tenants)
		}
		// A line without a tab ends tabwriter's column block: each ring
		// aligns its own rows.
		fmt.Fprintf(tw, "%s, %s of %s\n", head, plural(n, "tenant"), plural(len(r.Stacks), "stack"))
		for _, s := range r.Stacks {
			for i, t := range s.Tenants {
				stack := ""
				if i == 0 {
					stack = s.Stack
				}
				note := ""
				if t.State != string(spec.StateActive) {
					note = t.State
				}
				if t.Pinned {
					pins++
					note = join(note, "held back: its file pins "+t.Version)
				}
				running := ""
				if st.Deployed {
					switch {
					case t.Running == "":
						running = "runs: not deployed"
						lags++
					case t.Lags:
						running = "runs " + spec.ImageTag(t.Running) + ": lags"
						lags++
					default:
						running = "runs " + spec.ImageTag(t.Running)
					}
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", stack, t.Name, t.Version, strings.TrimSpace(running+"  "+note))
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+strings.Repeat("\n", strings.Count(line, "\n"))); err != nil {
			return err
		}
	}
	summary := fmt.Sprintf("%s held back by a pin", plural(pins, "tenant"))
	if st.Deployed {
		summary += fmt.Sprintf("; %s behind releases.yaml", plural(lags, "tenant"))
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// readDeployedImages reads the stacks' outputs, as `pulumi stack output
// --json` prints them: one stack's outputs per file (its region and stamp
// outputs name the stack), or a map {stack: outputs}. It returns each
// stack's tenantImages.
func readDeployedImages(files []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: want the JSON of `pulumi stack output --json`, or {\"prod-fr\": <its outputs>, ...}: %w", file, err)
		}
		stacks := map[string]json.RawMessage{}
		if _, one := doc["tenantImages"]; one {
			var id struct {
				Region string `json:"region"`
				Stamp  int    `json:"stamp"`
			}
			if err := json.Unmarshal(data, &id); err != nil || id.Region == "" {
				return nil, fmt.Errorf("%s: one stack's outputs need its region (and stamp) outputs to name the stack", file)
			}
			stacks[spec.StampStackName(id.Region, max(id.Stamp, 1))] = data
		} else {
			stacks = doc
		}
		for stack, raw := range stacks {
			var outputs struct {
				TenantImages map[string]string `json:"tenantImages"`
			}
			if err := json.Unmarshal(raw, &outputs); err != nil {
				return nil, fmt.Errorf("%s: stack %s: tenantImages must map tenants to images: %w", file, stack, err)
			}
			if outputs.TenantImages == nil {
				outputs.TenantImages = map[string]string{}
			}
			out[stack] = outputs.TenantImages
		}
	}
	return out, nil
}

func newReleaseStatusCmd() *cobra.Command {
	var dir, format string
	var deployedFiles []string
	cmd := &cobra.Command{
		Use:   "status [--format text|json] [--deployed FILE]...",
		Short: "Print per ring and stack the tenants and the KPAX version releases.yaml gives them; with --deployed, what runs and what lags",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return &exitError{exitUsage, fmt.Errorf("kpax release status: --format must be text or json (got %q)", format)}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			var deployed map[string]map[string]string
			if len(deployedFiles) > 0 {
				if deployed, err = readDeployedImages(deployedFiles); err != nil {
					return &exitError{exitInvalid, err}
				}
			}
			st := buildStatus(proj, deployed)
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return printStatus(cmd.OutOrStdout(), st)
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.Flags().StringArrayVar(&deployedFiles, "deployed", nil, "the stacks' outputs: `pulumi stack output --json` of one stack per file, or {stack: outputs}; repeatable")
	return cmd
}
