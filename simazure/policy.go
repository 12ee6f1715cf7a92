// Azure Policy as the simulated Azure knows it: the built-in definitions
// and initiative the program assigns, with the parameters each accepts, and
// the checks ARM makes when an initiative or an assignment sets them.

package simazure

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

const (
	typePolicySet        = "azure-native:authorization:PolicySetDefinition"
	typePolicyAssignment = "azure-native:authorization:PolicyAssignment"
)

// policyParameter is one parameter of a policy definition: the values it
// takes (none: any value) and its default (nil: none).
type policyParameter struct {
	allowed []string
	def     any
}

// builtinPolicy is a built-in definition or initiative: its parameters, and
// the file of github.com/Azure/azure-policy they were read from.
type builtinPolicy struct {
	source string
	params map[string]policyParameter
	// refuses is the definition's policy rule: why it matches a resource
	// ("" when it does not), given the member's parameter values with the
	// defaults filled in and the resource's location. A definition
	// whose rule the simulated Azure does not evaluate has none.
	refuses func(r *Record, location string, params map[string]any) string
}

// effects are the allowed values of the built-ins' "effect" parameters.
// They are case-sensitive: "audit" is refused where "Audit" is listed
// (https://github.com/Azure/Azure-Landing-Zones/issues/442,
// https://github.com/Azure/azure-policy/pull/721).
var effects = []string{"Audit", "Deny", "Disabled"}

// builtinPolicies are the built-ins the simulated Azure knows, by ID, read
// at commit f4a50bac (2026-04-29) of github.com/Azure/azure-policy. Azure
// knows every built-in; a program that assigns one missing here is told to
// add it, with its parameters from that repository.
var builtinPolicies = map[string]builtinPolicy{
	"/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c": {
		// Allowed locations, version 1.1.0: "effect" exists since Built-in
		// Policy Release 3.2026.0410.1; version 1.0.0 fixed the effect.
		source:  "built-in-policies/policyDefinitions/General/AllowedLocations_Deny.json",
		params:  map[string]policyParameter{"listOfAllowedLocations": {}, "effect": {effects, "Deny"}},
		refuses: outsideLocations,
	},
	"/providers/Microsoft.Authorization/policyDefinitions/1b8ca024-1d5c-4dec-8995-b1a932b41780": {
		source:  "built-in-policies/policyDefinitions/SQL/SqlServer_PublicNetworkAccess_Audit.json",
		params:  map[string]policyParameter{"effect": {effects, "Audit"}},
		refuses: publicNetworkAccess("azure-native:sql:Server", "publicNetworkAccess"),
	},
	"/providers/Microsoft.Authorization/policyDefinitions/b2982f36-99f2-4db5-8eff-283140c09693": {
		source:  "built-in-policies/policyDefinitions/Storage/StoragePublicNetworkAccess_AuditDeny.json",
		params:  map[string]policyParameter{"effect": {effects, "Audit"}},
		refuses: publicNetworkAccess("azure-native:storage:StorageAccount", "publicNetworkAccess"),
	},
	"/providers/Microsoft.Authorization/policyDefinitions/405c5871-3e91-4644-8a63-58e19d68ff5b": {
		// Its rule skips vaults recovered from soft delete (createMode
		// recover), and matches every vault written with an API version
		// before 2021-06-01-preview; azure-native v2.90.0 writes vaults
		// with 2023-02-01, so only publicNetworkAccess is judged here.
		source:  "built-in-policies/policyDefinitions/Key Vault/PublicNetworkAccess_Audit.json",
		params:  map[string]policyParameter{"effect": {effects, "Audit"}},
		refuses: publicNetworkAccess(typeKeyVault, "properties.publicNetworkAccess"),
	},
	"/providers/Microsoft.Authorization/policyDefinitions/871b6d14-10aa-478d-b590-94f262ecfa99": {
		// Require a tag on resources: the effect is fixed (deny).
		source:  "built-in-policies/policyDefinitions/Tags/RequireTag_Deny.json",
		params:  map[string]policyParameter{"tagName": {}},
		refuses: missingTag,
	},
	"/providers/Microsoft.Authorization/policySetDefinitions/130fb88f-0fc9-4678-bfe1-31022d71c7d5": {
		source: "built-in-policies/policySetDefinitions/Resilience/Resources_ZoneResilient.json",
		// Its members' rules are not evaluated here: it is assigned to
		// audit, and an audit refuses nothing.
		params: map[string]policyParameter{"effect": {effects, "Audit"}, "allow": {[]string{"Both", "Redundant", "Aligned"}, "Both"}},
	},
}

// checkPolicy holds the parameter rules of an initiative's members and of
// an assignment.
func (c *Cloud) checkPolicy(r *Record) error {
	switch r.Type {
	case typePolicySet:
		members, _ := lookup(r.Plain(), "policyDefinitions").([]any)
		for _, m := range members {
			id, _ := lookup(m, "policyDefinitionId").(string)
			ref, _ := lookup(m, "policyDefinitionReferenceId").(string)
			params, err := c.definitionParameters(id)
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
		params, err := c.definitionParameters(id)
		if err != nil {
			return err
		}
		set, _ := lookup(r.Plain(), "parameters").(map[string]any)
		return checkParameters("the policy assignment "+r.ID, id, params, set)
	}
	return nil
}

// definitionParameters returns the parameters of a built-in, or of an
// initiative of the cloud (the program's own), read by its ID alone so that
// creating a stack stays linear.
func (c *Cloud) definitionParameters(id string) (map[string]policyParameter, error) {
	if b, ok := builtinPolicies[id]; ok {
		return b.params, nil
	}
	s, err := c.get(id)
	if err != nil {
		return nil, err
	}
	if s != nil && s.Type == typePolicySet {
		out := map[string]policyParameter{}
		defs, _ := lookup(s.Plain(), "parameters").(map[string]any)
		for name, d := range defs {
			out[name] = policyParameter{allowed: stringsAt(d, "allowedValues"), def: lookup(d, "defaultValue")}
		}
		return out, nil
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
	for _, name := range slices.Sorted(maps.Keys(set)) {
		p, ok := params[name]
		if !ok {
			return refuse(RulePolicyParameterUndefined, "%s assigns the parameter %q, which is not defined in the policy definition %s", who, name, def)
		}
		value := lookup(set[name], "value")
		if s, isString := value.(string); isString && !isExpression(s) && len(p.allowed) > 0 && !slices.Contains(p.allowed, s) {
			return refuse(RulePolicyParameterValue, "%s: the value %q is not allowed for the parameter %q of %s; the allowed values are %s",
				who, s, name, def, strings.Join(p.allowed, ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		if _, ok := set[name]; !ok && params[name].def == nil {
			return refuse(RulePolicyParameterMissing, "%s does not set the parameter %q of %s, which has no default value", who, name, def)
		}
	}
	return nil
}

// checkDeny refuses a resource that a Deny member of a policy assignment
// over it matches: at its resource group or its subscription, the scopes
// the program assigns at. It applies to whoever writes the resource, the
// program or someone in the portal. Only initiatives of the cloud (the
// program's own) are evaluated, member by member, with the members' values
// and the initiative's parameters they refer to.
func (c *Cloud) checkDeny(r *Record) error {
	if strings.HasPrefix(r.Type, "azure-native:authorization:") || r.Type == typeResourceGroup {
		// Assignments, role assignments and locks have neither tags nor
		// a location; the built-ins here exclude resource groups.
		return nil
	}
	rg := resourceGroupOf(r.ID)
	location := r.String("location")
	for _, scope := range []string{rg, subscriptionOf(r.ID)} {
		if scope == "" {
			continue
		}
		assignments, err := c.assignmentsAt(scope)
		if err != nil {
			return err
		}
		for _, a := range assignments {
			if strings.EqualFold(a.String("enforcementMode"), "DoNotEnforce") {
				continue
			}
			set, err := c.get(a.String("policyDefinitionId"))
			if err != nil || set == nil || set.Type != typePolicySet {
				continue
			}
			if location == "" && rg != "" {
				// azure-native gives a resource its group's location.
				if g, err := c.get(rg); err == nil && g != nil {
					location = g.String("location")
				}
			}
			members, _ := lookup(set.Plain(), "policyDefinitions").([]any)
			for _, m := range members {
				id, _ := lookup(m, "policyDefinitionId").(string)
				b, ok := builtinPolicies[id]
				if !ok || b.refuses == nil {
					continue
				}
				values := map[string]any{}
				for name, p := range b.params {
					values[name] = p.def
				}
				given, _ := lookup(m, "parameters").(map[string]any)
				for name, v := range given {
					values[name] = resolveParameter(lookup(v, "value"), a, set)
				}
				if effect, has := values["effect"]; has && !strings.EqualFold(fmt.Sprint(effect), "Deny") {
					continue
				}
				if why := b.refuses(r, location, values); why != "" {
					ref, _ := lookup(m, "policyDefinitionReferenceId").(string)
					return refuse(RulePolicyDeny, "%s was disallowed by the policy assignment %s (member %q, %s, azure-policy %s): %s", r.ID, a.ID, ref, id, b.source, why)
				}
			}
		}
	}
	return nil
}

// subscriptionOf is the scope of the subscription an ID lies in
// ("/subscriptions/<guid>"), or "".
func subscriptionOf(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		return "/" + strings.Join(parts[:2], "/")
	}
	return ""
}

// indexed reports whether a policy of mode Indexed sees the resource: one
// whose type takes tags and a location
// (https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#mode).
// A type takes tags when plan.TakesTags says so or when the program tags it;
// a location alone is not enough (a maintenance configuration assignment
// has one, and no tags: github.com/Azure/bicep-types-az,
// generated/maintenance). Key Vault secrets take tags but no location: they
// count here, which only errs on the strict side, and the program tags them.
func indexed(r *Record) bool {
	_, tags := r.Plain()["tags"]
	return tags || plan.TakesTags(r.Type)
}

// outsideLocations is Allowed locations' rule: a location outside the list,
// other than global.
func outsideLocations(r *Record, location string, params map[string]any) string {
	if !indexed(r) || location == "" || normalLocation(location) == "global" {
		return ""
	}
	list, _ := params["listOfAllowedLocations"].([]any)
	for _, l := range list {
		if s, ok := l.(string); ok && normalLocation(s) == normalLocation(location) {
			return ""
		}
	}
	return fmt.Sprintf("its location %s is not among the allowed locations %v", location, list)
}

// normalLocation compares locations as ARM does: "France Central" is
// francecentral.
func normalLocation(l string) string {
	return strings.ToLower(strings.ReplaceAll(l, " ", ""))
}

// publicNetworkAccess is the rule of the "should disable public network
// access" built-ins for one type: the property is anything but Disabled.
func publicNetworkAccess(typ, path string) func(*Record, string, map[string]any) string {
	return func(r *Record, _ string, _ map[string]any) string {
		if r.Type != typ || strings.EqualFold(r.String("properties.createMode"), "recover") {
			return ""
		}
		if v := r.String(path); !strings.EqualFold(v, "Disabled") {
			return fmt.Sprintf("%s is %q, not Disabled", path, v)
		}
		return ""
	}
}

// missingTag is Require a tag's rule.
func missingTag(r *Record, _ string, params map[string]any) string {
	tag, _ := params["tagName"].(string)
	if !indexed(r) || tag == "" {
		return ""
	}
	// Tag names are case-insensitive
	// (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations).
	tags, _ := lookup(r.Plain(), "tags").(map[string]any)
	for name, v := range tags {
		if strings.EqualFold(name, tag) && v != nil {
			return ""
		}
	}
	return fmt.Sprintf("it lacks the tag %s", tag)
}

// isExpression reports whether a parameter value is an ARM expression,
// such as "[parameters('effect')]", which Azure resolves at evaluation.
func isExpression(s string) bool {
	return strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") && !strings.HasPrefix(s, "[[")
}

// resolveParameter gives a member's value: a literal as is, and
// "[parameters('name')]" the assignment's value of the initiative's
// parameter, or the initiative's default. Other expressions stay as they
// are: the simulated Azure does not evaluate them.
func resolveParameter(v any, assignment, set *Record) any {
	s, ok := v.(string)
	if !ok || !isExpression(s) {
		return v
	}
	name, isParam := strings.CutPrefix(s, "[parameters('")
	name, closed := strings.CutSuffix(name, "')]")
	if !isParam || !closed {
		return v
	}
	if given := lookup(assignment.Plain(), "parameters."+name+".value"); given != nil {
		return given
	}
	if def := lookup(set.Plain(), "parameters."+name+".defaultValue"); def != nil {
		return def
	}
	return v
}
