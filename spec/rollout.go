// The rollout file rollout.yaml: the order in which the deploy workflow takes
// a change that touches several stacks, canary first.

package spec

import (
	"os"
	"path/filepath"
	"strings"
)

// RolloutFile is the rollout file's path under the project root.
const RolloutFile = "rollout.yaml"

// Rollout is the order of the stacks in a deployment.
type Rollout struct {
	// Order lists every stack once. Of the stacks a change touches, the
	// first in this order deploys alone, as the canary; the others deploy
	// after it succeeded, and not at all if it failed.
	Order []string `yaml:"order"`

	Source Source `yaml:"-"`
}

// Waves splits the stacks a change touches into the canary (the first of
// them in the order, alone) and the rest, in the order. A stack missing from
// the order goes last, by name: validation refuses such a file.
func (r *Rollout) Waves(stacks []string) (canary, rest []string) {
	touched := map[string]bool{}
	for _, s := range stacks {
		touched[s] = true
	}
	var ordered []string
	for _, s := range r.Order {
		if touched[s] {
			ordered = append(ordered, s)
			delete(touched, s)
		}
	}
	for _, s := range stacks {
		if touched[s] {
			ordered = append(ordered, s)
		}
	}
	if len(ordered) == 0 {
		return []string{}, []string{}
	}
	return ordered[:1], append([]string{}, ordered[1:]...)
}

// loadRollout reads the rollout file and holds it to the stacks: each one
// listed, once. Without stacks the file is optional.
func loadRollout(root string, stacks []*Stack) (*Rollout, Diagnostics) {
	data, err := os.ReadFile(filepath.Join(root, RolloutFile))
	if os.IsNotExist(err) {
		if len(stacks) < 2 {
			r := &Rollout{}
			for _, s := range stacks {
				r.Order = append(r.Order, s.Name)
			}
			return r, nil
		}
		return nil, Diagnostics{{File: RolloutFile, Message: "is missing: it lists every stack in the order the deploy workflow takes them, the canary first (README, \"Deploying\")"}}
	}
	if err != nil {
		return nil, Diagnostics{{File: RolloutFile, Message: err.Error()}}
	}
	r := &Rollout{}
	src, ok, diags := decodeFile(RolloutFile, data, r)
	if !ok {
		return nil, diags
	}
	r.Source = src
	known := map[string]bool{}
	var names []string
	for _, s := range stacks {
		known[s.Name] = true
		names = append(names, s.Name)
	}
	listed := map[string]bool{}
	for i, s := range r.Order {
		path := joinPath("order", itoa(i))
		switch {
		case listed[s]:
			diags = append(diags, src.At(path, "lists stack %s twice", s))
		case !known[s]:
			diags = append(diags, src.At(path, "must be a stack with a file Pulumi.<stack>.yaml: %s (got %q)", strings.Join(names, ", "), s))
		}
		listed[s] = true
	}
	var missing []string
	for _, n := range names {
		if !listed[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		diags = append(diags, src.At("order", "must list every stack, so that no stack's turn is left to chance: add %s", strings.Join(missing, ", ")))
	}
	return r, diags
}
