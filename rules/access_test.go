package rules

import (
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

const (
	operatorsGroup = "6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b"
	acmeIdentity   = "11111111-2222-3333-4444-555555555555"
	runCommandGUID = "8e458ab0-4b76-5b25-9c3c-bcf43a53328b"
)

// grant adds a role assignment on a tenant's resource group, as its Tenant
// component's child.
func grant(tenant, logical, role, principal string) func(t *testing.T, p *plan.Plan) {
	return func(t *testing.T, p *plan.Plan) {
		comp := find(t, p, tenant)
		b := &builder{p: p}
		rg := sub + "/resourceGroups/rg-kpax-fr-" + tenant
		b.add("azure-native:authorization:RoleAssignment", logical, comp, rg+"/providers/Microsoft.Authorization/roleAssignments/"+logical, map[string]any{
			"scope": rg, "principalId": principal, "principalType": "ServicePrincipal",
			"roleDefinitionId": sub + "/providers/Microsoft.Authorization/roleDefinitions/" + role,
		})
	}
}

// customRole adds the stamp's run-command role to the plan with actions.
func customRole(actions, notActions []any) func(t *testing.T, p *plan.Plan) {
	return func(t *testing.T, p *plan.Plan) {
		b := &builder{p: p}
		b.add("azure-native:authorization:RoleDefinition", "region-fr-role-run-command", find(t, p, "region-fr"),
			sub+"/providers/Microsoft.Authorization/roleDefinitions/"+runCommandGUID, map[string]any{
				"roleDefinitionId": runCommandGUID, "roleName": "kpax run command operator (fr)",
				"permissions": list(map[string]any{"actions": actions, "notActions": notActions}),
			})
	}
}

func both(fs ...func(t *testing.T, p *plan.Plan)) func(t *testing.T, p *plan.Plan) {
	return func(t *testing.T, p *plan.Plan) {
		for _, f := range fs {
			f(t, p)
		}
	}
}

func init() {
	cases = append(cases,
		// exec allowed to a non-operator role: Container Apps Operator on
		// the tenant's own identity.
		ruleCase{"exec to the tenant identity", RuleSessionAccess,
			grant("acme", "acme-exec", "f3bd1b5c-91fa-40e7-afe7-0c11d331232c", acmeIdentity),
			acmeName, "opens a shell or runs a command in a tenant", "acme-exec"},
		ruleCase{"contributor to someone", RuleSessionAccess,
			grant("bravo", "bravo-contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", acmeIdentity),
			bravoName, "only the operators' group kpax-operators-fr may hold it", "bravo-contributor"},
		ruleCase{"custom role with a wildcard", RuleSessionAccess,
			both(customRole(list("Microsoft.Compute/virtualMachines/*"), nil), grant("bravo", "bravo-run", runCommandGUID, acmeIdentity)),
			bravoName, "role " + runCommandGUID + " opens a shell", "bravo-run"},
		// The dev-API token through the environment, which holds the
		// tenant's app in the platform group.
		ruleCase{"custom role with the environment's token", RuleSessionAccess,
			both(customRole(list("Microsoft.App/managedEnvironments/getAuthToken/action"), nil), grant("acme", "acme-env-token", runCommandGUID, acmeIdentity)),
			acmeName, "role " + runCommandGUID + " opens a shell", "acme-env-token"},
		ruleCase{"unknown role", RuleSessionAccess,
			grant("acme", "acme-mystery", "00000000-1111-2222-3333-444444444444", acmeIdentity),
			acmeName, "does not know whether it opens a shell", "acme-mystery"},
	)
}

// The operators' group may hold any of them, and a role without a session
// action, or whose NotActions take it back, is anyone's.
func TestSessionAccessAllows(t *testing.T) {
	for _, tc := range []struct {
		name string
		give func(t *testing.T, p *plan.Plan)
	}{
		{"operators exec", grant("acme", "acme-ops-exec", "f3bd1b5c-91fa-40e7-afe7-0c11d331232c", operatorsGroup)},
		{"operators run command", both(customRole(list("Microsoft.Compute/virtualMachines/runCommand/action"), nil),
			grant("bravo", "bravo-ops-run", runCommandGUID, operatorsGroup))},
		{"reader to an identity", grant("acme", "acme-reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", acmeIdentity)},
		{"custom role without a session action", both(customRole(list("Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/start/action"), nil),
			grant("bravo", "bravo-start", runCommandGUID, acmeIdentity))},
		{"notActions take it back", both(customRole(list("Microsoft.Compute/*"), list("Microsoft.Compute/virtualMachines/*", "Microsoft.Compute/virtualMachineScaleSets/*")),
			grant("bravo", "bravo-disks", runCommandGUID, acmeIdentity))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := goodPlan()
			tc.give(t, p)
			if vs := run(t, RuleSessionAccess, p); len(vs) != 0 {
				t.Errorf("want no violation, got:\n%s", lines(vs))
			}
		})
	}
}

func TestActionMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, action string
		want            bool
	}{
		{"*", "Microsoft.Compute/virtualMachines/runCommand/action", true},
		{"Microsoft.Compute/*", "microsoft.compute/virtualmachines/runcommand/action", true},
		{"Microsoft.App/containerApps/*/action", "Microsoft.App/containerApps/getAuthToken/action", true},
		{"Microsoft.App/containerApps/*/read", "Microsoft.App/containerApps/getAuthToken/action", false},
		{"Microsoft.Compute/virtualMachines/runCommand/action", "Microsoft.Compute/virtualMachines/runCommands/write", false},
		{"*/read", "Microsoft.Compute/virtualMachines/runCommands/write", false},
	} {
		if got := actionMatch(tc.pattern, tc.action); got != tc.want {
			t.Errorf("actionMatch(%q, %q) = %v, want %v", tc.pattern, tc.action, got, tc.want)
		}
	}
}
