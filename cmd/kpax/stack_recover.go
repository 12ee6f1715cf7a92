// kpax recover: the pending creates of an interrupted deploy, settled by
// asking Azure which ones it finished (README, "When a deploy was
// interrupted").

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpax/kpax-cloud/recovery"
	"github.com/kpax/kpax-cloud/spec"
)

// azureHas asks Azure, through the az CLI the operator is logged in with,
// whether a pending create's resource exists. az exits 3 with
// "(ResourceNotFound)" for one that does not
// (https://github.com/Azure/azure-cli/issues/6612); anything else, a parent
// group or subscription not found included, is an error, never a "no":
// clearing a create that Azure did finish would make the next up fail on
// it. The ID names its own subscription. An extension resource (a
// diagnostic setting on a storage service) needs its own API version, which
// az would otherwise take from the scope's namespace: the state's other
// resources of the type give it.
func azureHas(p recovery.Pending) (bool, error) {
	args := []string{"resource", "show", "--ids", p.ID, "--query", "id", "--output", "tsv"}
	if p.APIVersion != "" {
		args = append(args, "--api-version", p.APIVersion)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("az", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return strings.EqualFold(strings.TrimSpace(string(out)), p.ID), nil
	case errors.As(err, &exit) && exit.ExitCode() == 3 && strings.Contains(stderr.String(), "(ResourceNotFound)"):
		return false, nil
	}
	return false, fmt.Errorf("az %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
}

func newRecoverCmd() *cobra.Command {
	var dir, stack, stateFile, out string
	cmd := &cobra.Command{
		Use:   "recover --stack S --state state.json --out settled.json",
		Short: "Settle an interrupted deploy's pending creates: keep what Azure finished, clear the rest",
		Long: `Reads the state of an interrupted deploy (pulumi stack export), asks Azure (az resource show)
which of its pending creates it finished, and writes the state to import (pulumi stack import):
each finished create becomes a resource with its Azure ID, every other pending create is cleared.
Then run pulumi refresh and pulumi up (README, "When a deploy was interrupted").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stack == "" || stateFile == "" || out == "" {
				return &exitError{exitUsage, fmt.Errorf("kpax recover: --stack, --state and --out are required")}
			}
			proj, err := spec.LoadProject(dir)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			sub := proj.Stack(stack).Subscription()
			if sub == "" {
				return &exitError{exitInvalid, fmt.Errorf("kpax recover: stack %s has no stack file with a subscription", stack)}
			}
			export, err := os.ReadFile(stateFile)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			pending, err := recovery.PendingOperations(export, sub)
			if err != nil {
				return &exitError{exitInvalid, fmt.Errorf("%s: %w", stateFile, err)}
			}
			settled, kept, dropped, err := recovery.Settle(export, sub, azureHas)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if err := os.WriteFile(out, settled, 0o600); err != nil {
				return &exitError{exitInvalid, err}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%d pending operations in %s:\n", len(pending), stateFile)
			verdict := map[string]string{}
			for _, u := range kept {
				verdict[u] = "Azure finished it: kept, with its ID"
			}
			for _, u := range dropped {
				verdict[u] = "Azure does not have it: cleared, the next up creates it"
			}
			for _, p := range pending {
				v := verdict[p.URN]
				if v == "" {
					v = "pulumi refresh reads it and drops the operation"
				}
				fmt.Fprintf(w, "  %s %s\n    %s\n", p.Op, p.URN, v)
				if p.ID != "" {
					fmt.Fprintf(w, "    %s\n", p.ID)
				}
			}
			fmt.Fprintf(w, "wrote %s: next, pulumi stack import --stack %s --file %s; pulumi refresh --stack %s --yes; pulumi up --stack %s\n", out, stack, out, stack, stack)
			return nil
		},
	}
	dirFlag(cmd, &dir)
	cmd.Flags().StringVar(&stack, "stack", "", "the interrupted stack")
	cmd.Flags().StringVar(&stateFile, "state", "", "its state, from pulumi stack export --file")
	cmd.Flags().StringVar(&out, "out", "", "where to write the settled state, for pulumi stack import --file")
	return cmd
}
