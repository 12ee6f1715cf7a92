// The operators' ways into a tenant's OS or container, granted on the
// tenant's resource group to the region's operators' group and no one
// else: exec and the debug console into a container tenant's app, run
// command on a VM tenant's VMs (sign-in through Bastion is tenant_vm.go's).
// Promise: only the operators can open a session in a tenant, and each one
// is on record (cluster_access.go); `kpax check` holds every other grant to
// roles without these actions (rules/access.go).

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

func (b *tenantBuilder) operatorAccess() error {
	if !b.t.HasCompute() {
		return nil
	}
	var role pulumi.StringInput
	switch b.t.Runtime {
	case spec.RuntimeContainer:
		// Container Apps Operator: "Read, logstream and exec into Container
		// Apps", with the exec and debug data actions
		// (learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers#container-apps-operator).
		// No write: the operators change an app through a pull request.
		role = pulumi.Sprintf("%s/providers/Microsoft.Authorization/roleDefinitions/%s", b.subscription, roleContainerAppsOperator)
	case spec.RuntimeVM:
		role = b.p.RunCommandRoleDefinitionID
	default:
		return nil
	}
	var after []pulumi.Resource
	if b.t.Runtime == spec.RuntimeVM && b.p.RunCommandRoleReady != nil {
		after = append(after, b.p.RunCommandRoleReady)
	}
	_, err := b.grantOperators("operators-session", role, roleKey(b.t.Runtime), after...)
	return err
}

// roleKey names the session role in the assignment's stable GUID.
func roleKey(r spec.Runtime) string {
	if r == spec.RuntimeVM {
		return "run-command"
	}
	return roleContainerAppsOperator
}

// grantOperators assigns a role, by its full definition ID, to the region's
// operators' group on the tenant's resource group. The GUID is derived from
// keys (roleKey, not the ID, which is only known once the role exists).
func (b *tenantBuilder) grantOperators(logical string, roleDefinitionID pulumi.StringInput, key string, after ...pulumi.Resource) (*authorization.RoleAssignment, error) {
	return authorization.NewRoleAssignment(b.ctx, b.name+"-"+logical, &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(stableGUID("tenant/"+b.t.Name+"/resource-group", key, "region/"+b.t.Region+"/operators")),
		Scope:              b.rg.ID(),
		RoleDefinitionId:   roleDefinitionID,
		PrincipalId:        pulumi.String(b.p.OperatorsGroupObjectID),
		PrincipalType:      pulumi.String("Group"),
	}, b.child(append(grantReplacement(), pulumi.DependsOn(after))...)...)
}
