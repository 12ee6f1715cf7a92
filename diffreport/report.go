// Package diffreport turns the offline plans of two revisions into what a
// pull request's reviewer reads: per stack and per tenant, every resource
// change with its structural edits, the entries a tenant owns inside the
// region's shared resources under that tenant, identical per-tenant changes
// grouped, and the changes that need a human's approval flagged. It renders
// the report as Markdown within a size budget (a PR comment) or as JSON.
package diffreport

import (
	"encoding/json"
	"sort"

	"github.com/kpax/kpax-cloud/plan"
)

// StackPlans are one stack's plans in the base revision and the work tree.
type StackPlans struct {
	Stack      string
	Base, Head *plan.Plan
	// BaseSubscription and HeadSubscription are the stack file's
	// azure-native:subscriptionId on each side ("" where there is none).
	BaseSubscription, HeadSubscription string
}

// Report is the diff of a change, for every stack it affects.
type Report struct {
	// Base is the git revision compared with.
	Base string `json:"base"`
	// Release is the Markdown of a change that moves KPAX server versions:
	// the rings that change, on how many tenants of how many stacks, and
	// the pinned tenants (cmd/kpax/diff_release.go); empty otherwise.
	Release string `json:"release,omitempty"`
	// Flags are the changes that need a human's explicit approval.
	Flags  []Flag  `json:"flags"`
	Stacks []Stack `json:"stacks"`
}

// Flagged reports whether anything needs approval.
func (r *Report) Flagged() bool { return len(r.Flags) > 0 }

// Stack is the diff of one stack.
type Stack struct {
	Name string `json:"name"`
	// Counts are per resource: a shared resource counts once, however
	// many tenants' entries in it change.
	Counts   Counts    `json:"counts"`
	Sections []Section `json:"sections"`
}

// Section is the region platform's changes, one tenant's, or those of
// several tenants whose changes are the same but for the tenant's name.
type Section struct {
	// Tenants is empty for the region platform. With more than one
	// tenant, names in Changes carry Placeholder where each tenant's name
	// goes.
	Tenants []string `json:"tenants,omitempty"`
	// Counts are one tenant's: its own resources, and each shared resource
	// whose entries of the tenant change as one update (or replacement).
	Counts  Counts   `json:"counts"`
	Changes []Change `json:"changes,omitempty"`
}

// Placeholder stands for each tenant's name in a grouped section.
const Placeholder = "{tenant}"

// Change is what happens to one resource, or, for a shared resource under a
// tenant's heading, to the tenant's entries in it.
type Change struct {
	Kind string `json:"kind"` // add, update, replace or delete
	Type string `json:"type"`
	Name string `json:"name"`
	URN  string `json:"urn"`
	// Protected: the resource is protected in the base plan, it holds data.
	Protected bool `json:"protected,omitempty"`
	// Shared: a region resource that holds every tenant's entries; Edits
	// are only the section's own.
	Shared bool        `json:"shared,omitempty"`
	Edits  []plan.Edit `json:"edits,omitempty"`
}

// Counts are changes by kind.
type Counts struct {
	Add     int `json:"add"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
}

func (c *Counts) count(kind string) {
	switch kind {
	case "add":
		c.Add++
	case "update":
		c.Update++
	case "replace":
		c.Replace++
	case "delete":
		c.Delete++
	}
}

// Total is the number of changes.
func (c Counts) Total() int { return c.Add + c.Update + c.Replace + c.Delete }

// Build compares each stack's plans and assembles the report.
func Build(base string, stacks []StackPlans) *Report {
	r := &Report{Base: base, Flags: []Flag{}, Stacks: []Stack{}}
	compared := make([][]plan.Change, len(stacks))
	for i, s := range stacks {
		compared[i] = plan.Compare(s.Base, s.Head)
	}
	r.Flags = flags(stacks, compared)
	for i, s := range stacks {
		if len(compared[i]) == 0 {
			continue
		}
		st := Stack{Name: s.Stack}
		for _, c := range compared[i] {
			st.Counts.count(c.Kind)
		}
		st.Sections = group(sections(tenantNames(s.Base, s.Head), compared[i]))
		r.Stacks = append(r.Stacks, st)
	}
	return r
}

// tenantNames are the tenants of either plan.
func tenantNames(plans ...*plan.Plan) []string {
	seen := map[string]bool{}
	for _, p := range plans {
		for _, r := range p.OfType(plan.TenantComponentType) {
			seen[r.Name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// sections sorts a stack's changes under their headings: a tenant's own
// resources under the tenant; a shared resource's edits under the tenant
// whose entry they are in; the rest under the region platform.
func sections(tenants []string, changes []plan.Change) []Section {
	byTenant := map[string]*Section{}
	get := func(tenant string) *Section {
		s, ok := byTenant[tenant]
		if !ok {
			s = &Section{}
			if tenant != "" {
				s.Tenants = []string{tenant}
			}
			byTenant[tenant] = s
		}
		return s
	}
	add := func(tenant string, c Change) {
		s := get(tenant)
		s.Changes = append(s.Changes, c)
		s.Counts.count(c.Kind)
	}
	for _, c := range changes {
		ch := Change{Kind: c.Kind, Type: c.Type, Name: c.Name, URN: c.URN, Protected: c.Protected, Edits: c.Edits}
		if c.Tenant != "" {
			add(c.Tenant, ch)
			continue
		}
		if len(c.Edits) == 0 {
			// A region resource made or removed whole: one that is a
			// tenant's own platform entry (its environment, subnet, NSG,
			// private zone: named after it) reads under that tenant.
			add(Owner(tenants, c.Name), ch)
			continue
		}
		// A region resource: its edits go to the tenants whose entries
		// they are in.
		split := map[string][]plan.Edit{}
		for _, e := range c.Edits {
			owner := Owner(tenants, e.Entry())
			split[owner] = append(split[owner], e)
		}
		if len(split) == 1 && len(split[""]) > 0 {
			add("", ch)
			continue
		}
		for owner, edits := range split {
			part := ch
			part.Edits = edits
			part.Kind = "update"
			for _, e := range edits {
				if e.Replaces {
					part.Kind = "replace"
				}
			}
			part.Shared = owner != ""
			add(owner, part)
		}
	}
	out := make([]Section, 0, len(byTenant))
	if s, ok := byTenant[""]; ok {
		out = append(out, *s)
	}
	for _, t := range tenants {
		if s, ok := byTenant[t]; ok {
			sortChanges(s.Changes)
			out = append(out, *s)
		}
	}
	if len(out) > 0 && len(out[0].Tenants) == 0 {
		sortChanges(out[0].Changes)
	}
	return out
}

// sortChanges orders a section: deletions, replacements, updates,
// additions, then by URN.
func sortChanges(cs []Change) {
	order := map[string]int{"delete": 0, "replace": 1, "update": 2, "add": 3}
	sort.SliceStable(cs, func(i, j int) bool {
		if order[cs[i].Kind] != order[cs[j].Kind] {
			return order[cs[i].Kind] < order[cs[j].Kind]
		}
		return cs[i].URN < cs[j].URN
	})
}

// JSON is the report as an indented JSON document, for other tools.
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
