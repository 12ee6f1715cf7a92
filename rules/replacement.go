// The replacement rule: what the engine does when Azure cannot change an
// input in place. A resource whose Azure name the program fixes must be
// deleted before its replacement is created (two resources of one name
// cannot exist: azure-native refuses to create over an existing one), and a
// VM must be replaced, not updated, on every input ARM refuses to change
// (plan/semantics.go).

package rules

import (
	"sort"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

// RuleReplacement names the rule.
const RuleReplacement = "replacement"

// replacedByTheProgram are the types the program replaces itself
// (replaceOnChanges) on what ARM refuses to update: compute, which holds no
// data. Any other refused change is one kpax diff flags for a human.
var replacedByTheProgram = map[string][]string{
	typeVM: paths("vm"),
}

func checkReplacement(c *checker) {
	for _, r := range c.custom() {
		if len(r.ReplaceOnChanges) > 0 && !r.DeleteBeforeReplace {
			if key, name := fixedName(r); name != "" {
				c.report(r, paths("name"), paths("name"),
					"replaceOnChanges %v on a resource whose Azure name is fixed (%s %q) creates the new one before deleting the old, which Azure refuses: add deleteBeforeReplace",
					r.ReplaceOnChanges, key, name)
			}
		}
		fields, ok := replacedByTheProgram[kind(r.Type)]
		if !ok {
			continue
		}
		for _, path := range refusedLeaves(r.Type, "", r.Inputs) {
			if !underAny(r.ReplaceOnChanges, path) {
				row := plan.SemanticOf(r.Type, path)
				c.report(r, fields, paths("name"), "ARM refuses to change %s in place (%s, %s), and the resource has no replaceOnChanges for it: a change would fail the whole up",
					path, row.Code, row.Source)
			}
		}
	}
}

// fixedName is the input that names a resource in Azure, and its value,
// when the program sets it (an auto-named resource gets a new name on
// replacement and has none).
func fixedName(r *plan.Resource) (string, string) {
	keys := make([]string, 0, len(r.Inputs))
	for k := range r.Inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "resourceGroupName" || !strings.HasSuffix(k, "Name") || !plan.ReplacesOnChange(r.Type, k) {
			continue
		}
		if s, ok := r.Inputs[k].(string); ok && s != "" && !isParentName(r.Type, k) {
			return k, s
		}
	}
	return "", ""
}

// isParentName reports whether a name input names the resource's parent
// (serverName of a database) rather than the resource: an ARM path has its
// parents' names before the resource's own.
func isParentName(typ, key string) bool {
	parents := map[string]bool{"serverName": true, "accountName": true, "vaultName": true, "vmName": true,
		"privateEndpointName": true, "privateZoneName": true, "zoneName": true, "virtualNetworkName": true,
		"environmentName": true, "databaseName": true, "containerName": true, "fabricName": true}
	own := map[string]string{
		"azure-native:sql:Server": "serverName", "azure-native:storage:StorageAccount": "accountName",
		"azure-native:keyvault:Vault": "vaultName", "azure-native:recoveryservices:Vault": "vaultName",
		"azure-native:compute:VirtualMachine": "vmName", "azure-native:network:PrivateEndpoint": "privateEndpointName",
		"azure-native:network:PrivateZone": "privateZoneName", "azure-native:network:Zone": "zoneName",
		"azure-native:network:VirtualNetwork": "virtualNetworkName", "azure-native:app:ManagedEnvironment": "environmentName",
		"azure-native:sql:Database": "databaseName", "azure-native:recoveryservices:ProtectionContainer": "containerName",
	}
	return parents[key] && own[plan.Unversioned(typ)] != key
}

// refusedLeaves lists the dotted paths of the inputs set under r that the
// table marks as refused in an update.
func refusedLeaves(typ, path string, v any) []string {
	if m, ok := v.(map[string]any); ok {
		var out []string
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, refusedLeaves(typ, p, m[k])...)
		}
		return out
	}
	if path != "" && plan.SemanticOf(typ, path).Effect == plan.EffectRefused {
		return []string{path}
	}
	return nil
}

// underAny reports whether path lies under one of the option paths.
func underAny(options []string, path string) bool {
	for _, o := range options {
		o = strings.ReplaceAll(o, "[*]", "")
		if o == "*" || path == o || strings.HasPrefix(path, o+".") {
			return true
		}
	}
	return false
}
