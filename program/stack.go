// A stack's files read with the Pulumi SDK's own loaders, and its offline
// plan.

package program

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
)

// Stacks lists the stacks that have a Pulumi.<stack>.yaml under root, sorted.
func Stacks(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var stacks []string
	for _, f := range files {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	sort.Strings(stacks)
	return stacks, nil
}

// StackConfig reads a stack's configuration with the Pulumi SDK's own
// loaders, so a file the CLI would refuse is refused here too. Secrets are
// blinded: the offline plan never needs, and never shows, their values.
func StackConfig(root, stack string) (map[string]string, error) {
	proj, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("project file Pulumi.yaml: %w", err)
	}
	path := filepath.Join(root, "Pulumi."+stack+".yaml")
	if _, err := os.Stat(path); err != nil {
		known, _ := Stacks(root)
		return nil, fmt.Errorf("stack %q: no file %s (stacks: %s)", stack, filepath.Base(path), strings.Join(known, ", "))
	}
	// The sink gets the loader's warnings (an empty config value), which the
	// CLI would print too.
	ps, err := workspace.LoadProjectStack(diag.DefaultSink(io.Discard, os.Stderr, diag.FormatOptions{Color: colors.Never}), proj, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	out := make(map[string]string, len(ps.Config))
	for k, v := range ps.Config {
		s, err := v.Value(config.NewBlindingDecrypter())
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", filepath.Base(path), k, err)
		}
		out[k.String()] = s
	}
	return out, nil
}

// Plan runs the program of one stack offline, under mocks, and returns every
// resource it registers.
func Plan(root, stack string) (*plan.Plan, error) {
	cfg, err := StackConfig(root, stack)
	if err != nil {
		return nil, err
	}
	return plan.RunProgram(plan.Options{Project: Project, Stack: stack, Config: cfg},
		func(ctx *pulumi.Context, export plan.ExportFunc) error {
			return Deploy(ctx, root, export)
		})
}
