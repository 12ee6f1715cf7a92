// Package guardrails lists the Azure Policy built-ins every stamp assigns to
// its resource groups, with the effect chosen for each and why: the program
// assigns them (components) and kpax check verifies that every plan carries
// them (rules). Azure then enforces them on every change, the portal's and
// the CLI's too, not only the program's.
//
// The definitions are Azure's built-ins, by ID; each one's source is its file
// in github.com/Azure/azure-policy, built-in-policies/.
package guardrails

import "github.com/kpax/kpax-cloud/spec"

// Member is one built-in policy definition in a stamp's initiative.
type Member struct {
	// Ref is the member's policyDefinitionReferenceId in the initiative.
	Ref string
	// DefinitionID is the built-in's ID.
	DefinitionID string
	// DisplayName is the built-in's name, as Azure shows it.
	DisplayName string
	// Effect is "Deny" or "Audit"; "" for a built-in whose effect is fixed
	// (Require a tag denies).
	Effect string
	// Params are the member's fixed parameter values (the effect included).
	Params map[string]any
	// Why says why this effect.
	Why string
}

const definitions = "/providers/Microsoft.Authorization/policyDefinitions/"

// ZoneResilienceInitiative is the built-in initiative "[Preview]: Resources
// should be Zone Resilient" (policySetDefinitions/Resilience/
// Resources_ZoneResilient.json), assigned beside the stamp's own with
// ZoneResilienceEffect.
const ZoneResilienceInitiative = "/providers/Microsoft.Authorization/policySetDefinitions/130fb88f-0fc9-4678-bfe1-31022d71c7d5"

// ZoneResilienceEffect is Audit: the initiative's members are previews, and
// some of the stamp's resources are zonal by design (each VM sits in one
// zone, the tenant's VMs together span all three; kpax check holds that),
// which "Virtual Machines should be Zone Aligned" reads correctly but other
// members may not. Deny would stop deployments on a preview's verdict.
const ZoneResilienceEffect = "Audit"

// ZoneResilienceAllow is the initiative's "allow" parameter: Both accepts
// zone-aligned and zone-redundant resources.
const ZoneResilienceAllow = "Both"

// Platform lists the members of the initiative assigned to the stamp's
// platform resource group.
func Platform(r *spec.Region) []Member {
	return []Member{
		{
			Ref:          "allowed-locations",
			DefinitionID: definitions + "e56962a6-4747-49cd-b67b-bf8b01975c4c",
			DisplayName:  "Allowed locations",
			Effect:       "Deny",
			// The built-in exempts location "global" (DNS zones, alert
			// rules, the action group) and resource groups. The pair is
			// not allowed: GZRS storage replicates to it by itself, with no
			// resource there, so nothing the program creates needs it
			// (kpax check's residency rule refuses the pair anywhere).
			// "effect" is a parameter since the definition's version
			// 1.1.0 (Built-in Policy Release 3.2026.0410.1); before, the
			// effect was fixed and Azure refused the parameter
			// (simazure/policy.go knows the definitions' parameters).
			Params: map[string]any{"listOfAllowedLocations": []any{r.Location}, "effect": "Deny"},
			Why:    "a tenant's data never leaves its region's geography, whoever creates the resource",
		},
		{
			Ref:          "sql-no-public-network",
			DefinitionID: definitions + "1b8ca024-1d5c-4dec-8995-b1a932b41780",
			DisplayName:  "Public network access on Azure SQL Database should be disabled",
			Effect:       "Deny",
			Params:       map[string]any{"effect": "Deny"},
			Why:          "tenants' databases are reached over private endpoints only; the program's servers already comply",
		},
		{
			Ref:          "storage-no-public-network",
			DefinitionID: definitions + "b2982f36-99f2-4db5-8eff-283140c09693",
			DisplayName:  "Storage accounts should disable public network access",
			Effect:       "Deny",
			Params:       map[string]any{"effect": "Deny"},
			Why:          "someone opening a tenant's account in the portal is refused, not just reported",
		},
		{
			Ref:          "keyvault-no-public-network",
			DefinitionID: definitions + "405c5871-3e91-4644-8a63-58e19d68ff5b",
			DisplayName:  "Azure Key Vault should disable public network access",
			Effect:       "Deny",
			Params:       map[string]any{"effect": "Deny"},
			Why:          "secrets are read over private endpoints only; the program's vaults already comply",
		},
		requireTag("managed-by"),
		requireTag("region"),
	}
}

// Tenant lists the members of the initiative assigned to each tenant's
// resource group: the platform's, and the tenant tag.
func Tenant(r *spec.Region) []Member {
	return append(Platform(r), requireTag("tenant"))
}

// requireTag is "Require a tag on resources" for one tag: its effect is
// deny, fixed by the built-in. Every resource the program creates carries
// the tag (kpax check's tags rule); a hand-made one must too, so that cost
// and ownership stay known. Restores by hand pass the tags (docs/restore.md).
func requireTag(tag string) Member {
	return Member{
		Ref:          "require-tag-" + tag,
		DefinitionID: definitions + "871b6d14-10aa-478d-b590-94f262ecfa99",
		DisplayName:  "Require a tag on resources",
		Params:       map[string]any{"tagName": tag},
		Why:          "every resource says who owns it",
	}
}
