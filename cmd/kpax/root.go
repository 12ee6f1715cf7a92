// The kpax root command and the flags its subcommands share.

package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "kpax",
		Short:         "Operate KPAX spaces: validate tenant and region files, plan stacks offline",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newValidateCmd(), newPlanCmd(), newDiffCmd(), newAffectedCmd(), newTenantCmd(), newCheckCmd(), newDriftCmd(), newDrillCmd(), newStacksCmd(), newRecoverCmd(), newReleaseCmd(), newNoteCmd())
	return root
}

// dirFlag is the project root every command reads.
func dirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "dir", ".", "project root (the folder holding Pulumi.yaml, regions/ and tenants/)")
}
