// Azure Policy as the simulated Azure knows it: the built-in definitions
// and initiative the program assigns, with the parameters each accepts, and
// the checks ARM makes when an initiative or an assignment sets them.

package simazure

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

const (
	typePolicySet        = "azure-native:authorization:PolicySetDefinition"
	typePolicyAssignment = "azure-native:authorization:PolicyAssignment"
)

// policyParameter is one parameter of a policy definition: the values it
// takes (none: any value) and whether it has a default.
type policyParameter struct {
	allowed    []string
	hasDefault bool
}

// builtinPolicy is a built-in definition or initiative: its parameters, and
// the file of github.com/Azure/azure-policy they were read from.
type builtinPolicy struct {
	source string
	params map[string]policyParameter
}

// effects are the allowed values of the built-ins' "effect" parameters.
// They are case-sensitive: "audit" is refused where "Audit" is listed
// (https://github.com/Azure/azure-policy/pull/721).
var effects = []string{"Audit", "Deny", "Disabled"}

// builtinPolicies are the built-ins the simulated Azure knows, by ID, read
// at commit f4a50bac (2026-04-29) of github.com/Azure/azure-policy. Azure
// knows every built-in; a program that assigns one missing here is told to
// add it, with its parameters from that repository.
var builtinPolicies = map[string]builtinPolicy{
	"/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c": {
		// Allowed locations, version 1.1.0: "effect" exists since Built-in
		// Policy Release 3.2026.0410.1; version 1.0.0 fixed the effect.
		source: "built-in-policies/policyDefinitions/General/AllowedLocations_Deny.json",
		params: map[string]policyParameter{"listOfAllowedLocations": {}, "effect": {effects, true}},
	},
	"/providers/Microsoft.Authorization/policyDefinitions/1b8ca024-1d5c-4dec-8995-b1a932b41780": {
		source: "built-in-policies/policyDefinitions/SQL/SqlServer_PublicNetworkAccess_Audit.json",
		params: map[string]policyParameter{"effect": {effects, true}},
	},
	"/providers/Microsoft.Authorization/policyDefinitions/b2982f36-99f2-4db5-8eff-283140c09693": {
		source: "built-in-policies/policyDefinitions/Storage/StoragePublicNetworkAccess_AuditDeny.json",
		params: map[string]policyParameter{"effect": {effects, true}},
	},
	"/providers/Microsoft.Authorization/policyDefinitions/405c5871-3e91-4644-8a63-58e19d68ff5b": {
		source: "built-in-policies/policyDefinitions/Key Vault/PublicNetworkAccess_Audit.json",
		params: map[string]policyParameter{"effect": {effects, true}},
	},
	"/providers/Microsoft.Authorization/policyDefinitions/871b6d14-10aa-478d-b590-94f262ecfa99": {
		// Require a tag on resources: the effect is fixed (deny).
		source: "built-in-policies/policyDefinitions/Tags/RequireTag_Deny.json",
		params: map[string]policyParameter{"tagName": {}},
	},
	"/providers/Microsoft.Authorization/policySetDefinitions/130fb88f-0fc9-4678-bfe1-31022d71c7d5": {
		source: "built-in-policies/policySetDefinitions/Resilience/Resources_ZoneResilient.json",
		params: map[string]policyParameter{"effect": {effects, true}, "allow": {[]string{"Both", "Redundant", "Aligned"}, true}},
	},
}

// checkPolicy holds the parameter rules of an initiative's members and of
// an assignment.
func checkPolicy(all []*Record, r *Record) error {
	switch r.Type {
	case typePolicySet:
		members, _ := lookup(r.Plain(), "policyDefinitions").([]any)
		for _, m := range members {
			id, _ := lookup(m, "policyDefinitionId").(string)
			ref, _ := lookup(m, "policyDefinitionReferenceId").(string)
			params, err := definitionParameters(all, id)
			if err != nil {
				return err
			}
			set, _ := lookup(m, "parameters").(map[string]any)
			if err := checkParameters(fmt.Sprintf("the policy set definition %s, member %q", r.ID, ref), id, params, set); err != nil {
				return err
			}
		}
	case typePolicyAssignment:
		id := r.String("policyDefinitionId")
		params, err := definitionParameters(all, id)
		if err != nil {
			return err
		}
		set, _ := lookup(r.Plain(), "parameters").(map[string]any)
		return checkParameters("the policy assignment "+r.ID, id, params, set)
	}
	return nil
}

// definitionParameters returns the parameters of a built-in, or of an
// initiative of the cloud (the program's own).
func definitionParameters(all []*Record, id string) (map[string]policyParameter, error) {
	if b, ok := builtinPolicies[id]; ok {
		return b.params, nil
	}
	for _, s := range byType(all, typePolicySet) {
		if strings.EqualFold(s.ID, id) {
			out := map[string]policyParameter{}
			defs, _ := lookup(s.Plain(), "parameters").(map[string]any)
			for name, d := range defs {
				out[name] = policyParameter{allowed: stringsAt(d, "allowedValues"), hasDefault: lookup(d, "defaultValue") != nil}
			}
			return out, nil
		}
	}
	if strings.HasPrefix(id, "/providers/Microsoft.Authorization/") {
		return nil, refuse(RulePolicyDefinitionNotFound, "the built-in %s is not one the simulated Azure knows: add it to simazure/policy.go with its parameters from github.com/Azure/azure-policy", id)
	}
	return nil, refuse(RulePolicyDefinitionNotFound, "the policy definition %s does not exist", id)
}

// checkParameters holds the values set on a definition against its
// parameters: each defined, each allowed, and every one without a default
// set.
func checkParameters(who, def string, params map[string]policyParameter, set map[string]any) error {
	for _, name := range sortedKeys(set) {
		p, ok := params[name]
		if !ok {
			return refuse(RulePolicyParameterUndefined, "%s assigns the parameter %q, which is not defined in the policy definition %s", who, name, def)
		}
		value := lookup(set[name], "value")
		if s, isString := value.(string); isString && len(p.allowed) > 0 && !slices.Contains(p.allowed, s) {
			return refuse(RulePolicyParameterValue, "%s: the value %q is not allowed for the parameter %q of %s; the allowed values are %s",
				who, s, name, def, strings.Join(p.allowed, ", "))
		}
	}
	for _, name := range sortedKeys(params) {
		if _, ok := set[name]; !ok && !params[name].hasDefault {
			return refuse(RulePolicyParameterMissing, "%s does not set the parameter %q of %s, which has no default value", who, name, def)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
