// The rule on ways into a tenant's OS or container: only the region's
// operators' group holds a role that opens one (exec or the debug console
// into a Container App, run command, extensions or the serial console on a
// VM).

package rules

import (
	"path"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

// RuleSessionAccess is the name of the rule on who may open a session.
const RuleSessionAccess = "session-access"

// sessionActions are the control-plane actions and data actions that open
// a way into a tenant's OS or container:
//   - run command, action and managed
//     (learn.microsoft.com/azure/virtual-machines/linux/run-command, "Limiting
//     access to Run Command"; the child resource virtualMachines/runCommands:
//     learn.microsoft.com/azure/virtual-machines/linux/run-command-managed);
//   - extension writes: the Custom Script and VMAccess extensions run as root
//     or add a key (learn.microsoft.com/azure/virtual-machines/extensions/custom-script-linux);
//   - the serial console, which Virtual Machine Contributor carries
//     (learn.microsoft.com/azure/role-based-access-control/built-in-roles/compute#virtual-machine-contributor);
//   - a Container App's auth token (POST getAuthToken, the token that
//     `az containerapp exec`, `debug` and the log stream present) and the
//     exec and debug data actions of Container Apps Operator
//     (learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers#container-apps-operator).
//
// Whether the console endpoint demands the data action as well as the
// token, Microsoft does not write; either one counts here.
var sessionActions = []string{
	"Microsoft.Compute/virtualMachines/runCommand/action",
	"Microsoft.Compute/virtualMachines/runCommands/write",
	"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action",
	"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommands/write",
	"Microsoft.Compute/virtualMachines/extensions/write",
	"Microsoft.Compute/virtualMachineScaleSets/extensions/write",
	"Microsoft.SerialConsole/serialPorts/connect/action",
	"Microsoft.App/containerApps/getAuthToken/action",
	// The same dev-API token (log stream, exec, port forward) through the
	// app's authtoken action and through its environment, which holds each
	// container tenant's app in the platform group
	// (learn.microsoft.com/azure/role-based-access-control/permissions/compute#microsoftapp).
	"Microsoft.App/containerApps/authtoken/action",
	"Microsoft.App/managedEnvironments/getAuthToken/action",
}

var sessionDataActions = []string{
	"Microsoft.App/containerApps/exec/action",
	"Microsoft.App/containerApps/debug/action",
}

// builtinRoles are the built-in roles whose definitions were read for
// sessionActions (learn.microsoft.com/azure/role-based-access-control/built-in-roles):
// true when one of their Actions (wildcards included) or DataActions opens a
// session. A role neither here nor defined in the plan is unknown, and an
// unknown role is only for the operators: add it here, from its definition.
var builtinRoles = map[string]builtinRole{
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": {"Owner", true},                                // Actions *
	"b24988ac-6180-42a0-ab88-20f7382dd24c": {"Contributor", true},                          // Actions *
	"9980e02c-c2be-4d73-94e8-173b1dc7cf3c": {"Virtual Machine Contributor", true},          // virtualMachines/*, serialPorts/connect
	"358470bc-b998-42bd-ab17-a7e34c199c0f": {"Container Apps Contributor", true},           // containerApps/*/action
	"f3bd1b5c-91fa-40e7-afe7-0c11d331232c": {"Container Apps Operator", true},              // containerApps/*/action, exec, debug
	"acdd72a7-3385-48ef-bd42-f606fba81ae7": {"Reader", false},                              // */read
	"1c0163c0-47e6-4577-8991-ea5c82e286e4": {"Virtual Machine Administrator Login", false}, // reads, login data actions
	"7f951dda-4ed3-4680-a7ca-43fe172d538d": {"AcrPull", false},                             // registries/pull/read
	"4633458b-17de-408a-b874-0445c86b69e6": {"Key Vault Secrets User", false},              // secret data read
	"ba92f5b4-2d11-453d-a403-e96b0029c9fe": {"Storage Blob Data Contributor", false},       // storage reads, blob data
}

// builtinRole is a built-in role's name, as Azure shows it, and whether it
// opens a session.
type builtinRole struct {
	name  string
	opens bool
}

// RoleName is the name of a role, by its definition ID or GUID: a built-in
// one of builtinRoles, or a custom one defined in the plan (its roleName);
// "" when neither.
func RoleName(p *plan.Plan, roleDefinitionID string) string {
	guid := strings.ToLower(path.Base(roleDefinitionID))
	if r, ok := builtinRoles[guid]; ok {
		return r.name
	}
	for _, d := range p.Resources {
		if kind(d.Type) == typeRoleDefinition && strings.ToLower(d.String("roleDefinitionId")) == guid {
			return d.String("roleName")
		}
	}
	return ""
}

// checkSessionAccess: every role assignment whose role opens a session, or
// whose role is unknown, is the operators' group's.
func checkSessionAccess(c *checker) {
	operators := strings.ToLower(c.region.Operators.GroupObjectID)
	custom := map[string]*plan.Resource{} // role GUID -> its definition in the plan
	for _, d := range c.byKind[typeRoleDefinition] {
		custom[strings.ToLower(d.String("roleDefinitionId"))] = d
	}
	for _, a := range c.byKind[typeRoleAssignment] {
		principal, _ := a.Get("principalId").(string)
		if strings.ToLower(principal) == operators {
			continue
		}
		role := strings.ToLower(path.Base(a.String("roleDefinitionId")))
		builtin, known := builtinRoles[role]
		opens := builtin.opens
		if d := custom[role]; d != nil {
			opens, known = customRoleOpensSession(d), true
		}
		switch {
		case !known:
			c.report(a, paths("name"), paths("operators.groupObjectId"),
				"role %s is assigned to %s, not the operators' group, and rules/access.go does not know whether it opens a shell or runs a command: add it to builtinRoles from its definition", role, principal)
		case opens:
			c.report(a, paths("name"), paths("operators.groupObjectId"),
				"role %s opens a shell or runs a command in a tenant (exec, debug console, run command, extensions, serial console) and is assigned to %s: only the operators' group %s may hold it", role, principal, c.region.Operators.GroupName)
		}
	}
}

// customRoleOpensSession reads a role definition of the plan: one of its
// Actions or DataActions, with Azure's wildcards, covers a session action,
// and no NotActions takes it back.
func customRoleOpensSession(d *plan.Resource) bool {
	for _, p := range inputList(d, "permissions") {
		if grants(strs(p["actions"]), strs(p["notActions"]), sessionActions) ||
			grants(strs(p["dataActions"]), strs(p["notDataActions"]), sessionDataActions) {
			return true
		}
	}
	return false
}

func grants(allowed, denied, wanted []string) bool {
	for _, w := range wanted {
		if anyMatch(allowed, w) && !anyMatch(denied, w) {
			return true
		}
	}
	return false
}

func anyMatch(patterns []string, action string) bool {
	for _, p := range patterns {
		if actionMatch(p, action) {
			return true
		}
	}
	return false
}

// actionMatch is Azure RBAC's matching of an action against a permission:
// case-insensitive, '*' matching any characters, '/' included
// (learn.microsoft.com/azure/role-based-access-control/role-definitions#actions-format).
func actionMatch(pattern, action string) bool {
	p, a := strings.ToLower(pattern), strings.ToLower(action)
	star := strings.IndexByte(p, '*')
	if star < 0 {
		return p == a
	}
	if !strings.HasPrefix(a, p[:star]) {
		return false
	}
	rest := p[star+1:]
	for i := star; i <= len(a); i++ {
		if actionMatch(rest, a[i:]) {
			return true
		}
	}
	return false
}

func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
