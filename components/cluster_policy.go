// The stamp's Azure Policy guardrails: two initiatives of built-in
// definitions (guardrails.Platform and guardrails.Tenant) in the stamp's
// subscription, assigned to the platform resource group here and to each
// tenant's group by the tenant (tenant_policy.go), with the built-in
// zone-resilience initiative beside them. Promise: Azure itself refuses a
// resource outside the geography, a data service opened to the internet and
// an untagged resource, whoever creates it.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/guardrails"
)

// Policy assignment names, the same in every resource group they are
// assigned to (an assignment's name is unique per scope).
const (
	guardrailsAssignmentName     = "kpax-guardrails"
	zoneResilienceAssignmentName = "kpax-zone-resilience"
)

// guardrailsMessage is what a refused request says, next to the policy's
// name: where the rule comes from and how to change it.
const guardrailsMessage = "KPAX guardrail, assigned by kpax-cloud: change the program (guardrails/), not the resource. README, \"Guardrails\"."

func (b *clusterBuilder) guardrails() error {
	sets := map[string]pulumi.StringOutput{}
	for _, scope := range []struct {
		kind    string
		members []guardrails.Member
	}{
		{"platform", guardrails.Platform(b.region)},
		{"tenant", guardrails.Tenant(b.region)},
	} {
		kind := scope.kind
		var refs authorization.PolicyDefinitionReferenceArray
		for _, m := range scope.members {
			params := authorization.ParameterValuesValueMap{}
			for k, v := range m.Params {
				params[k] = authorization.ParameterValuesValueArgs{Value: pulumi.Any(v)}
			}
			if len(params) == 0 {
				params = nil
			}
			refs = append(refs, authorization.PolicyDefinitionReferenceArgs{
				PolicyDefinitionReferenceId: pulumi.String(m.Ref),
				PolicyDefinitionId:          pulumi.String(m.DefinitionID),
				Parameters:                  params,
			})
		}
		set, err := authorization.NewPolicySetDefinition(b.ctx, b.name+"-guardrails-"+kind, &authorization.PolicySetDefinitionArgs{
			PolicySetDefinitionName: pulumi.String(guardrailsSetName(b.key, kind)),
			DisplayName:             pulumi.String("KPAX guardrails, stamp " + b.key + ", " + kind + " resource groups"),
			Description:             pulumi.String("Built-in policies every KPAX " + kind + " resource group is held to (kpax-cloud, guardrails/)."),
			PolicyType:              pulumi.String("Custom"),
			Metadata:                pulumi.Any(map[string]any{"category": "KPAX", "managed-by": managedBy}),
			PolicyDefinitions:       refs,
		}, b.child()...)
		if err != nil {
			return err
		}
		sets[kind] = set.ID().ToStringOutput()
	}
	b.c.Platform.TenantGuardrailsID = sets["tenant"]
	assignment, err := assignGuardrails(b.ctx, b.name, b.rg.ID().ToStringOutput(), sets["platform"], b.child()...)
	if err != nil {
		return err
	}
	b.guarded = assignment
	return nil
}

// assignGuardrails assigns a stamp's initiative and the zone-resilience
// initiative to one resource group, and returns the wait that everything
// later in the group depends on: the initiative's assignment and the time
// Azure takes to apply it. A request is refused by the assignments that
// apply when it arrives; one that came earlier would only be reported
// non-compliant afterwards, not refused.
func assignGuardrails(ctx *pulumi.Context, name string, scope, setID pulumi.StringOutput, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	assignment, err := authorization.NewPolicyAssignment(ctx, name+"-guardrails", &authorization.PolicyAssignmentArgs{
		PolicyAssignmentName:  pulumi.String(guardrailsAssignmentName),
		DisplayName:           pulumi.String("KPAX guardrails"),
		Scope:                 scope,
		PolicyDefinitionId:    setID,
		EnforcementMode:       pulumi.String("Default"),
		NonComplianceMessages: authorization.NonComplianceMessageArray{authorization.NonComplianceMessageArgs{Message: pulumi.String(guardrailsMessage)}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	_, err = authorization.NewPolicyAssignment(ctx, name+"-zone-resilience", &authorization.PolicyAssignmentArgs{
		PolicyAssignmentName: pulumi.String(zoneResilienceAssignmentName),
		DisplayName:          pulumi.String("Resources should be Zone Resilient (audit)"),
		Scope:                scope,
		PolicyDefinitionId:   pulumi.String(guardrails.ZoneResilienceInitiative),
		EnforcementMode:      pulumi.String("Default"),
		Parameters: authorization.ParameterValuesValueMap{
			"effect": authorization.ParameterValuesValueArgs{Value: pulumi.String(guardrails.ZoneResilienceEffect)},
			"allow":  authorization.ParameterValuesValueArgs{Value: pulumi.String(guardrails.ZoneResilienceAllow)},
		},
	}, opts...)
	if err != nil {
		return nil, err
	}
	// Made again only if the assignment is: an existing group waits no more.
	return sleep(ctx, name+"-guardrails-in-effect", PolicyPropagationWait,
		pulumi.StringMap{"assignment": assignment.ID().ToStringOutput()}, []pulumi.Resource{assignment}, opts...)
}
