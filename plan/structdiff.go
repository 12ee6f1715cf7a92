// Structural diffs of a resource's inputs: lists of named objects compared
// by name, nested objects down to the leaf that changed, plain lists as the
// elements added and removed. What kpax diff shows a reviewer.

package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Edit is one change inside a resource's inputs.
type Edit struct {
	// Path is structural: "probes[tenant-acme].path" names the probe by
	// its name, "zones" a plain list.
	Path string `json:"path"`
	// Kind is "add", "delete" or "update". For a plain list, an added or
	// removed element is an add or a delete at the list's path.
	Kind string `json:"kind"`
	Old  any    `json:"old,omitempty"`
	New  any    `json:"new,omitempty"`
	// Replaces is true when the change replaces the resource: the
	// provider's own replacement, or the program's replaceOnChanges.
	Replaces bool `json:"replaces,omitempty"`
	// Effect is what Azure does with the change (semantics.go), and
	// Reason why, with the table's source: a refused or ignored change is
	// one the `up` fails on, or that silently does nothing.
	Effect Effect `json:"effect,omitempty"`
	Reason string `json:"reason,omitempty"`

	// dotted is Path without list keys: the path the table and the
	// resource options speak of.
	dotted string
}

// Dotted is the edit's path without list keys: the path the table and the
// resource options speak of.
func (e Edit) Dotted() string { return e.dotted }

// newEdit is an edit at a structural path, read against the table.
func newEdit(typ, path, dotted, kind string, old, cur any) Edit {
	sem := SemanticOf(typ, dotted)
	e := Edit{Path: path, Kind: kind, Old: old, New: cur, Replaces: sem.Effect == EffectReplace, dotted: dotted}
	if sem.Effect != EffectUpdate {
		e.Effect, e.Reason = sem.Effect, reason(sem)
	}
	return e
}

// reason says what the table says of a change, with its source.
func reason(s Semantic) string {
	switch s.Effect {
	case EffectReplace:
		return "the provider replaces on " + s.Path + " (" + s.Source + ")"
	case EffectRefused:
		return "ARM refuses to change " + s.Path + " in place, " + s.Code + " (" + s.Source + ")"
	case EffectIgnored:
		return "ARM ignores a change of " + s.Path + " after creation (" + s.Source + ")"
	}
	return ""
}

// Entry is the name of the innermost named list entry the edit is in
// ("tenant-acme" in "probes[tenant-acme].path", "KPAX_GRANT_ACME" in
// "template.containers[ops].env[KPAX_GRANT_ACME]"), or "".
func (e Edit) Entry() string {
	j := strings.LastIndexByte(e.Path, ']')
	if j < 0 {
		return ""
	}
	i := strings.LastIndexByte(e.Path[:j], '[')
	if i < 0 {
		return ""
	}
	return e.Path[i+1 : j]
}

// StructuralDiff lists the edits that turn old into cur, the inputs of a
// resource of type typ, in path order.
func StructuralDiff(typ string, old, cur map[string]any) []Edit {
	var out []Edit
	diffValue(typ, "", "", old, cur, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// diffValue walks two values; path is structural, dotted the same path
// without list keys (for the replacement list).
func diffValue(typ, path, dotted string, old, cur any, out *[]Edit) {
	if reflect.DeepEqual(old, cur) {
		return
	}
	edit := func(kind string, o, n any) {
		*out = append(*out, newEdit(typ, path, dotted, kind, o, n))
	}
	switch {
	case old == nil:
		edit("add", nil, cur)
		return
	case cur == nil:
		edit("delete", old, nil)
		return
	}
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
		for _, k := range sortedKeys(keys) {
			diffValue(typ, join(path, k), join(dotted, k), om[k], cm[k], out)
		}
		return
	}
	ol, oIsList := old.([]any)
	cl, cIsList := cur.([]any)
	if oIsList && cIsList {
		on, okOld := byEntryName(ol)
		cn, okCur := byEntryName(cl)
		if okOld && okCur {
			names := map[string]bool{}
			for k := range on {
				names[k] = true
			}
			for k := range cn {
				names[k] = true
			}
			for _, n := range sortedKeys(names) {
				diffValue(typ, path+"["+n+"]", dotted, on[n], cn[n], out)
			}
			return
		}
		added, removed := listDelta(ol, cl)
		for _, e := range removed {
			*out = append(*out, newEdit(typ, path, dotted, "delete", e, nil))
		}
		for _, e := range added {
			*out = append(*out, newEdit(typ, path, dotted, "add", nil, e))
		}
		if len(added) == 0 && len(removed) == 0 {
			edit("update", old, cur) // the same elements, in another order
		}
		return
	}
	edit("update", old, cur)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// byEntryName indexes a list whose elements are all objects with a unique
// string name (the gateway's listeners, an NSG's rules).
func byEntryName(list []any) (map[string]any, bool) {
	out := make(map[string]any, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		name, ok := m["name"].(string)
		if !ok || name == "" {
			return nil, false
		}
		if _, dup := out[name]; dup {
			return nil, false
		}
		out[name] = m
	}
	return out, len(list) > 0
}

// listDelta are the elements of cur not in old and of old not in cur,
// counting repeats.
func listDelta(old, cur []any) (added, removed []any) {
	return minus(cur, old), minus(old, cur)
}

// minus is the elements of a that b does not match one for one, in a's
// order; elements compare by their JSON.
func minus(a, b []any) []any {
	key := func(v any) string {
		k, _ := json.Marshal(v)
		return string(k)
	}
	left := map[string]int{}
	for _, e := range b {
		left[key(e)]++
	}
	var out []any
	for _, e := range a {
		if left[key(e)] > 0 {
			left[key(e)]--
			continue
		}
		out = append(out, e)
	}
	return out
}

// Around shortens the two sides of a changed value for one line: values
// that fit are shown whole; longer ones keep the part where they differ,
// with some context, so that the change is never cut away.
func Around(old, cur any, width int) (string, string) {
	a, b := render(old), render(cur)
	if len(a) <= width && len(b) <= width {
		return a, b
	}
	// The common prefix and suffix carry nothing the reviewer needs.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	cut := func(v string) string {
		start := max(0, p-width/4)
		end := min(len(v), len(v)-s+width/4)
		if end-start > width {
			end = start + width
		}
		out := v[start:end]
		if start > 0 {
			out = "…" + out
		}
		if end < len(v) {
			out += "…"
		}
		return out
	}
	return cut(a), cut(b)
}

func render(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
