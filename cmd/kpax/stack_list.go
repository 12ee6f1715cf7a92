// kpax stacks: every stack, its region, stamp, location and subscription, as
// the stack files say, for the workflows' matrices.

package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/spec"
)

// stackInfo is one stack as its file and rollout.yaml describe it.
type stackInfo struct {
	Stack        string `json:"stack"`
	Region       string `json:"region"`
	Stamp        int    `json:"stamp"`
	Location     string `json:"location"`
	Subscription string `json:"subscription"`
	// Rollout is the stack's turn in a deployment (rollout.yaml), from 1.
	Rollout int `json:"rollout"`
}

func newStacksCmd() *cobra.Command {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "stacks",
		Short: "List every stack with its region, stamp, location and subscription (validated), in rollout order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" && format != "names" {
				return &exitError{exitUsage, fmt.Errorf("kpax stacks: --format must be text, json or names (got %q)", format)}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			var out []stackInfo
			for i, name := range proj.Rollout.Order {
				s := proj.Stack(name)
				region, stamp, _ := spec.ParseStampStackName(name)
				out = append(out, stackInfo{Stack: name, Region: region, Stamp: stamp, Location: s.Config[spec.StackKeyLocation],
					Subscription: s.Subscription(), Rollout: i + 1})
			}
			w := cmd.OutOrStdout()
			switch format {
			case "json":
				return json.NewEncoder(w).Encode(out)
			case "names":
				for _, s := range out {
					fmt.Fprintln(w, s.Stack)
				}
			default:
				fmt.Fprintf(w, "%-4s %-12s %-6s %-5s %-18s %s\n", "turn", "stack", "region", "stamp", "location", "subscription")
				for _, s := range out {
					fmt.Fprintf(w, "%-4s %-12s %-6s %-5d %-18s %s\n", strconv.Itoa(s.Rollout), s.Stack, s.Region, s.Stamp, s.Location, s.Subscription)
				}
			}
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&format, "format", "text", "text, json, or names (one stack a line)")
	return cmd
}
