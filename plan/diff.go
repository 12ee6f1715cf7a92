// Compare: what turning one plan into another does, resource by resource, and
// which inputs force a replacement.

package plan

import (
	"reflect"
	"sort"
)

// Change is what happens to one resource between two plans.
type Change struct {
	URN  string
	Type string
	Name string
	// Kind is "add", "delete", "update" or "replace".
	Kind string
	// Protected is true when the resource is protected in the base plan:
	// deleting or replacing it means losing data.
	Protected bool
	// Edits are the changes inside the inputs of an update or replacement,
	// structural (StructuralDiff), sorted by path.
	Edits []Edit
	// Tenant is the tenant component the resource belongs to, if any.
	Tenant string
}

// InputChange is one changed input.
type InputChange struct {
	Path string
	Old  any
	New  any
	// Replaces is true when the provider applies this change only by
	// deleting and recreating the resource.
	Replaces bool
	// Semantic is the table's row for the change (semantics.go).
	Semantic Semantic
}

// Compare lists what turning base into head does, by URN, in a stable order:
// deletions, replacements, updates, additions.
func Compare(base, head *Plan) []Change {
	var out []Change
	baseByURN := map[string]*Resource{}
	for _, r := range base.Resources {
		baseByURN[r.URN] = r
	}
	headByURN := map[string]*Resource{}
	for _, r := range head.Resources {
		headByURN[r.URN] = r
	}
	for _, old := range base.Resources {
		cur, ok := headByURN[old.URN]
		if !ok {
			out = append(out, Change{URN: old.URN, Type: old.Type, Name: old.Name, Kind: "delete",
				Protected: old.Protect, Tenant: tenantOf(base, old)})
			continue
		}
		edits := withOptions(cur, StructuralDiff(old.Type, old.Inputs, cur.Inputs))
		if len(edits) == 0 {
			continue
		}
		kind := "update"
		for _, e := range edits {
			if e.Replaces {
				kind = "replace"
			}
		}
		out = append(out, Change{URN: old.URN, Type: old.Type, Name: old.Name, Kind: kind,
			Protected: old.Protect, Edits: edits, Tenant: tenantOf(head, cur)})
	}
	for _, cur := range head.Resources {
		if _, ok := baseByURN[cur.URN]; !ok {
			out = append(out, Change{URN: cur.URN, Type: cur.Type, Name: cur.Name, Kind: "add", Tenant: tenantOf(head, cur)})
		}
	}
	order := map[string]int{"delete": 0, "replace": 1, "update": 2, "add": 3}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Tenant != out[j].Tenant {
			return out[i].Tenant < out[j].Tenant
		}
		if order[out[i].Kind] != order[out[j].Kind] {
			return order[out[i].Kind] < order[out[j].Kind]
		}
		return out[i].URN < out[j].URN
	})
	return out
}

// withOptions applies a resource's options to the edits of its inputs, as
// the engine does: a change under ignoreChanges is not sent at all, and one
// under replaceOnChanges replaces the resource, whatever the provider would
// have done.
func withOptions(r *Resource, edits []Edit) []Edit {
	out := edits[:0]
	for _, e := range edits {
		if underOption(r.IgnoreChanges, e.dotted) {
			continue
		}
		if e.Effect != EffectReplace && underOption(r.ReplaceOnChanges, e.dotted) {
			e.Reason = "replaceOnChanges; without it: " + e.Reason
			e.Effect, e.Replaces = EffectReplace, true
		}
		out = append(out, e)
	}
	return out
}

// TenantComponentType is the type token of a tenant's component.
const TenantComponentType = "kpax:components:Tenant"

// tenantOf names the tenant component r is, or belongs to.
func tenantOf(p *Plan, r *Resource) string {
	if r.Type == TenantComponentType {
		return r.Name
	}
	for _, a := range p.Ancestors(r) {
		if a.Type == TenantComponentType {
			return a.Name
		}
	}
	return ""
}

// DiffInputs lists the leaves that differ between two input trees of a
// resource of type typ, each marked when Azure applies it only by replacing
// the resource.
func DiffInputs(typ string, old, cur map[string]any) []InputChange {
	return inputChanges(typ, "", old, cur)
}

// inputChanges walks two input trees and lists the leaves that differ.
func inputChanges(typ, path string, old, cur any) []InputChange {
	om, oIsMap := old.(map[string]any)
	cm, cIsMap := cur.(map[string]any)
	if oIsMap && cIsMap {
		keys := map[string]bool{}
		for k := range om {
			keys[k] = true
		}
		for k := range cm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []InputChange
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, inputChanges(typ, p, om[k], cm[k])...)
		}
		return out
	}
	if reflect.DeepEqual(old, cur) {
		return nil
	}
	sem := SemanticOf(typ, path)
	return []InputChange{{Path: path, Old: old, New: cur, Replaces: sem.Effect == EffectReplace, Semantic: sem}}
}
