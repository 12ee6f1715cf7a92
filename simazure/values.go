// Property values as the rules read them: plain JSON-like values, with
// secrets blinded or revealed, and dotted paths into them.

package simazure

import (
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/kpax/kpax-cloud/plan"
)

// plainMap turns a property map into JSON-like values. Unknowns become
// plan.Unknown; secrets become plan.Secret unless reveal is set (a diff must
// see a changed secret).
func plainMap(m resource.PropertyMap, reveal bool) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v.IsNull() {
			continue
		}
		out[string(k)] = plainValue(v, reveal)
	}
	return out
}

func plainValue(v resource.PropertyValue, reveal bool) any {
	switch {
	case v.IsSecret():
		if !reveal {
			return plan.Secret
		}
		return plainValue(v.SecretValue().Element, reveal)
	case v.IsComputed():
		return plan.Unknown
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return plan.Unknown
		}
		if o.Secret && !reveal {
			return plan.Secret
		}
		return plainValue(o.Element, reveal)
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsBool():
		return v.BoolValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plainValue(e, reveal)
		}
		return out
	case v.IsObject():
		return plainMap(v.ObjectValue(), reveal)
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset(), v.IsArchive():
		return "[asset]"
	}
	return nil
}

// lookup returns the value at a dotted path ("properties.policyId",
// "privateLinkServiceConnections.0.privateLinkServiceId"), or nil.
func lookup(v any, path string) any {
	cur := v
	for _, step := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			cur = x[i]
		default:
			return nil
		}
	}
	return cur
}

// strings collects the strings at a path that may hold a list of objects:
// "privateLinkServiceConnections.*.privateLinkServiceId".
func stringsAt(v any, path string) []string {
	head, rest, wild := strings.Cut(path, ".*.")
	if !wild {
		switch x := lookup(v, path).(type) {
		case string:
			return []string{x}
		case []any:
			var out []string
			for _, e := range x {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		return nil
	}
	list, _ := lookup(v, head).([]any)
	var out []string
	for _, e := range list {
		out = append(out, stringsAt(e, rest)...)
	}
	return out
}
