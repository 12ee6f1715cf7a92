// A tenant's own user-assigned identity, its random name suffix, and its role
// assignments. Promise: isolation (the identity is granted only the tenant's
// own resources).

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func (b *tenantBuilder) managedIdentity() error {
	id, err := newUserAssignedIdentity(b.ctx, b.name+"-identity", &userAssignedIdentityArgs{
		ResourceName:      pulumi.String(tenantIdentityName(b.t)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Tags:              b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	b.identity = id
	// One suffix serves both globally unique names. No keepers: it is made
	// once and never changes, whatever happens to the spec.
	b.suffix, err = random.NewRandomString(b.ctx, b.name+"-suffix", &random.RandomStringArgs{
		Length:  pulumi.Int(tenantSuffixLength),
		Lower:   pulumi.Bool(true),
		Numeric: pulumi.Bool(true),
		Upper:   pulumi.Bool(false),
		Special: pulumi.Bool(false),
	}, b.child()...)
	return err
}

// roleAssignment grants the tenant identity (or, for the VM login role, the
// operators' group) one role at one scope. Its name is a GUID derived from
// keys, so it is the same on every run.
func (b *tenantBuilder) roleAssignment(logical, scopeKey string, scope pulumi.StringInput, role, principalKey string, principalID pulumi.StringInput, principalType string, opts ...pulumi.ResourceOption) (*authorization.RoleAssignment, error) {
	return authorization.NewRoleAssignment(b.ctx, b.name+"-"+logical, &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(stableGUID(scopeKey, role, principalKey)),
		Scope:              scope,
		RoleDefinitionId:   pulumi.Sprintf("%s/providers/Microsoft.Authorization/roleDefinitions/%s", b.subscription, role),
		PrincipalId:        principalID,
		PrincipalType:      pulumi.String(principalType),
	}, b.child(append(grantReplacement(), opts...)...)...)
}

// identityRole grants the tenant identity a role on one of the tenant's own
// resources. The assignment sits on that resource's scope.
func (b *tenantBuilder) identityRole(logical, scopeKey string, scope pulumi.StringInput, role string) (*authorization.RoleAssignment, error) {
	ra, err := b.roleAssignment(logical, "tenant/"+b.t.Name+"/"+scopeKey, scope, role,
		"tenant/"+b.t.Name+"/identity", b.identity.PrincipalId, "ServicePrincipal")
	if err != nil {
		return nil, err
	}
	if b.identityRoles == nil {
		b.identityRoles = map[string]*authorization.RoleAssignment{}
	}
	b.identityRoles[logical] = ra
	return ra, nil
}
