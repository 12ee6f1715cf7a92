// Reading plan values, and the value kinds a statement carries.

package note

import (
	"fmt"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

// Term is a value the catalog words: "geography.france", "part.compute".
type Term string

// Reason is an exception's reason: the catalog's wording of the rule's
// exception when it has one, else the English reason the rule gives.
type Reason struct{ Rule, English string }

// num reads a JSON number (float64 in plan inputs) as an int.
func num(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}

// list reads a list of objects.
func list(v any) []map[string]any {
	raw, _ := v.([]any)
	var out []map[string]any
	for _, e := range raw {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// lookup reads a dotted path of a JSON-like value.
func lookup(v any, path string) any {
	for _, step := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[step]
	}
	return v
}

// bytesToGB is a size in bytes as whole GB (GiB, as Azure SQL counts them).
func bytesToGB(v any) int { return num(v) >> 30 }

// refID reads the ID of a sub-resource reference {id: ...} at key.
func refID(r *plan.Resource, key string) string {
	if r == nil {
		return ""
	}
	return r.String(key + ".id")
}

// refOf is the first reference at key among objects.
func refOf(objs []map[string]any, key string) string {
	for _, o := range objs {
		if id, ok := lookup(o, key+".id").(string); ok {
			return id
		}
	}
	return ""
}

// subnetPrefix is a subnet's address prefix.
func subnetPrefix(r *plan.Resource) string {
	if r == nil {
		return ""
	}
	if p := r.String("addressPrefix"); p != "" {
		return p
	}
	return fmt.Sprint(r.Strings("addressPrefixes"))
}

// Period is an ISO 8601 duration of whole units ("P4W", "P12M", "P1Y"),
// as long-term retention policies state them.
type Period string
