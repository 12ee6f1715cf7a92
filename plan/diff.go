// Compare: what turning one plan into another does, resource by resource, and
// which inputs force a replacement.

package plan

import (
	"reflect"
	"sort"
	"strings"
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
	// Replaces is true when Azure applies this change only by deleting
	// and recreating the resource.
	Replaces bool
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
		edits := StructuralDiff(old.Type, old.Inputs, cur.Inputs)
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
	return []InputChange{{Path: path, Old: old, New: cur, Replaces: replacesOnChange(typ, path)}}
}

// replacementInputs are inputs that Azure cannot change in place: a change
// deletes the resource and creates a new one. Beyond these, any input that
// names the resource, its group or its location replaces it.
var replacementInputs = map[string][]string{
	"azure-native:recoveryservices:Vault":         {"properties.redundancySettings"},
	"azure-native:storage:StorageAccount":         {"kind", "properties.isHnsEnabled"},
	"azure-native:compute:VirtualMachine":         {"zones", "securityProfile", "storageProfile.osDisk", "storageProfile.imageReference", "osProfile"},
	"azure-native:compute:VirtualMachineScaleSet": {"orchestrationMode", "zones", "platformFaultDomainCount"},
	"azure-native:app:ManagedEnvironment":         {"zoneRedundant", "vnetConfiguration"},
	"azure-native:network:Subnet":                 {"delegations"},
	"azure-native:network:PublicIPAddress":        {"zones", "sku", "publicIPAllocationMethod"},
	"azure-native:network:NatGateway":             {"zones"},
	"azure-native:network:ApplicationGateway":     {"zones"},
	"azure-native:network:BastionHost":            {"zones"},
	"azure-native:sql:Server":                     {"administrators"},
	"azure-native:compute:Disk":                   {"zones", "sku", "creationData"},
	"azure-native:keyvault:Vault":                 {"properties.tenantId"},
}

// ReplacesOnChange reports whether Azure applies a change of the input at
// path (dotted, "properties.redundancySettings") of a resource of type typ
// only by replacing the resource. kpax diff flags such changes and the
// simulated Azure replaces (and refuses to update in place) on them: one
// list for both.
func ReplacesOnChange(typ, path string) bool { return replacesOnChange(typ, path) }

func replacesOnChange(typ, path string) bool {
	first := path
	if i := strings.IndexByte(path, '.'); i >= 0 {
		first = path[:i]
	}
	if first == "location" || first == "resourceGroupName" || (strings.HasSuffix(first, "Name") && !strings.Contains(path, ".")) {
		return typ != TenantComponentType && typ != "kpax:components:RegionalCluster"
	}
	for _, p := range replacementInputs[unversioned(typ)] {
		if path == p || strings.HasPrefix(path, p+".") {
			return true
		}
	}
	return false
}

// ReplacementInputs lists, per type, the inputs that force a replacement,
// for documentation and the diff's legend.
func ReplacementInputs() map[string][]string {
	out := make(map[string][]string, len(replacementInputs))
	for k, v := range replacementInputs {
		out[k] = append([]string(nil), v...)
	}
	return out
}
