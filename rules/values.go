// Small readers of a plan's JSON-like inputs.

package rules

import (
	"fmt"
	"sort"
	"strings"
)

// walk calls fn for every value in v, with its dotted path.
func walk(v any, path string, fn func(path string, v any)) {
	fn(path, v)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walk(x[k], join(path, k), fn)
		}
	case []any:
		for i, e := range x {
			walk(e, join(path, fmt.Sprint(i)), fn)
		}
	}
}

func join(path, step string) string {
	if path == "" {
		return step
	}
	return path + "." + step
}

// leaf is the last step of a dotted path.
func leaf(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

// stringList reads a JSON-like list of strings (other elements are skipped).
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// isTrue reports whether an input is the boolean true.
func isTrue(v any) bool { b, ok := v.(bool); return ok && b }

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s] == 0 {
			return false
		}
		seen[s]--
	}
	return true
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
