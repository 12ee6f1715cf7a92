// The published rules as one tenant's resources meet them: which rules were
// evaluated on its resources, which held, which it is excused from and why,
// and which it breaks. The security note (package note) reports them.

package rules

import (
	"fmt"
	"sort"

	"github.com/kpax/kpax-cloud/diffreport"
	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// RuleOutcome is one published rule on one tenant's resources.
type RuleOutcome struct {
	ID, Set, Title string
	// Resources is how many of the tenant's resources the rule applies to;
	// Excused of them break it under an exception, Broken without one.
	Resources, Excused, Broken int
	// Reason is the exception's reason when Excused > 0, and ReasonKey
	// names it: the rule's ID, with "#2" for its second exception.
	Reason, ReasonKey string
}

// TenantPublished evaluates the published rules on the resources of one
// tenant of a stack's plan: those under its Tenant component, and the
// platform's entries named after it (its environment, subnet and NSG).
func TenantPublished(p *plan.Plan, proj *spec.Project, region, tenant string) ([]RuleOutcome, error) {
	c, err := newChecker(p, proj, region)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(c.tenants))
	for n := range c.tenants {
		names = append(names, n)
	}
	var out []RuleOutcome
	for _, rule := range PublishedRules {
		o := RuleOutcome{ID: rule.ID, Set: rule.Set, Title: rule.Title}
		for _, k := range rule.kinds {
			for _, r := range c.ofKind(k) {
				if c.tenantOf(r, names) != tenant {
					continue
				}
				o.Resources++
				if rule.broken(c, r) == "" {
					continue
				}
				if ex, nth := c.excuse(rule.ID, r); ex != nil {
					o.Excused++
					o.Reason, o.ReasonKey = ex.Reason, ExceptionKey(ex.Rule, nth)
				} else {
					o.Broken++
				}
			}
		}
		if o.Resources > 0 {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Set != out[j].Set {
			return out[i].Set < out[j].Set
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// tenantOf is the tenant a resource belongs to: its Tenant component's, or
// for a platform resource the tenant its logical name names
// ("region-fr-cae-acme" is acme's: diffreport.Owner).
func (c *checker) tenantOf(r *plan.Resource, names []string) string {
	if comp := c.ownerC[r]; comp != nil {
		return comp.Name
	}
	return diffreport.Owner(names, r.Name)
}

// ExceptionKey names a rule's nth exception (from 1): its ID, then ID#2...
func ExceptionKey(rule string, nth int) string {
	if nth == 1 {
		return rule
	}
	return fmt.Sprintf("%s#%d", rule, nth)
}
