// How the rules tell which resource an ARM reference (an ID or a scope)
// names, once per plan rather than once per pair of resources.

package rules

import (
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

// physicalName is the Azure name of a resource: the last step of its ID,
// else the input that names it.
func physicalName(r *plan.Resource, key string) string {
	if s := r.String(key); s != "" {
		return s
	}
	if i := strings.LastIndexByte(r.ID, '/'); i >= 0 {
		return r.ID[i+1:]
	}
	return ""
}

// refersTo reports whether ref (an ARM ID) names r: its ID, or an ID of the
// same provider type ending in its physical name.
func refersTo(ref string, r *plan.Resource, name string) bool {
	if ref == "" {
		return false
	}
	if r.ID != "" && strings.EqualFold(ref, r.ID) {
		return true
	}
	return name != "" && strings.HasSuffix(strings.ToLower(ref), "/"+strings.ToLower(name))
}

// refIndex holds ARM references (IDs or scopes) and the resources that
// make them, and answers refersTo for all of them at once: rules look up
// every data resource of a stack against every lock, private endpoint or
// protected item, which would otherwise be quadratic in the stack's tenants.
type refIndex struct {
	refs  map[string][]*plan.Resource // lower-cased reference -> who makes it
	names map[string][]*plan.Resource // its lower-cased last segment -> who
}

func newRefIndex() refIndex {
	return refIndex{refs: map[string][]*plan.Resource{}, names: map[string][]*plan.Resource{}}
}

// add records that by makes the reference ref.
func (ix refIndex) add(ref string, by *plan.Resource) {
	if ref == "" {
		return
	}
	ref = strings.ToLower(ref)
	ix.refs[ref] = append(ix.refs[ref], by)
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		ix.names[ref[i+1:]] = append(ix.names[ref[i+1:]], by)
	}
}

// lookup returns the resources whose reference refersTo r with this Azure
// name (one may come twice).
func (ix refIndex) lookup(r *plan.Resource, name string) []*plan.Resource {
	var out []*plan.Resource
	if r.ID != "" {
		out = append(out, ix.refs[strings.ToLower(r.ID)]...)
	}
	if name != "" && !strings.Contains(name, "/") {
		out = append(out, ix.names[strings.ToLower(name)]...)
	}
	return out
}

// refersTo reports whether some reference of the index refersTo r.
func (ix refIndex) refersTo(r *plan.Resource, name string) bool {
	return len(ix.lookup(r, name)) > 0
}
