// User-assigned identities of the platform, each with its one role
// assignment (the gateway's and the registry pull identity).

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// platformIdentity is a user-assigned identity of the platform with its one
// role assignment.
type platformIdentity struct {
	logical, name, part string // logical name, Azure name, component tag
	grant, grantName    string // the assignment's logical name and GUID
	scope               pulumi.StringInput
	roleDefinitionID    pulumi.StringInput
}

func (b *clusterBuilder) identityWithRole(p platformIdentity) (*userAssignedIdentity, *authorization.RoleAssignment, error) {
	identity, err := newUserAssignedIdentity(b.ctx, b.name+"-"+p.logical, &userAssignedIdentityArgs{
		ResourceName:      pulumi.String(p.name),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Tags:              b.tags(p.part),
	}, b.child()...)
	if err != nil {
		return nil, nil, err
	}
	grant, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+p.grant, &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(p.grantName),
		Scope:              p.scope,
		RoleDefinitionId:   p.roleDefinitionID,
		PrincipalId:        identity.PrincipalId,
		PrincipalType:      pulumi.String("ServicePrincipal"),
	}, b.child(grantReplacement()...)...)
	if err != nil {
		return nil, nil, err
	}
	return identity, grant, nil
}
