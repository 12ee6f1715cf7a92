// The URNs a change touches in a stack, from the offline plans of two
// project trees: what a targeted preview must target to show every step.

package program

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/kpax/kpax-cloud/plan"
)

// PlanOrEmpty plans a stack of the project under root, or returns an empty
// plan when the stack has no file there (it is new, or gone).
func PlanOrEmpty(root, stack string) (*plan.Plan, error) {
	if _, err := os.Stat(filepath.Join(root, "Pulumi."+stack+".yaml")); os.IsNotExist(err) {
		return &plan.Plan{Stack: stack, Project: Project}, nil
	}
	return Plan(root, stack)
}

// Targets are the URNs of every resource that turning the project under
// baseRoot into the one under headRoot adds, updates, replaces or deletes
// in a stack, platform resources included: a new tenant changes the
// region's gateway (its route), and a preview targeted at the tenant's
// component alone would hide that update. Sorted.
func Targets(baseRoot, headRoot, stack string) ([]string, error) {
	base, err := PlanOrEmpty(baseRoot, stack)
	if err != nil {
		return nil, fmt.Errorf("base %s: %w", stack, err)
	}
	head, err := PlanOrEmpty(headRoot, stack)
	if err != nil {
		return nil, fmt.Errorf("work tree %s: %w", stack, err)
	}
	var urns []string
	for _, c := range plan.Compare(base, head) {
		urns = append(urns, c.URN)
	}
	sort.Strings(urns)
	return urns, nil
}
