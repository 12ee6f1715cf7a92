// The user-assigned managed identity resource, declared here rather than
// taken from the azure-native managedidentity module. Promise: the whole
// program is managed by one azure-native provider version.

package components

import (
	"reflect"

	"github.com/pulumi/pulumi-azure-native-sdk/v2/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The managedidentity module is only served at v2.81.0, while every other
// azure-native module of the program is at v2.90.0. Its resources register
// with the root module's version (2.90.0), but the module's own
// pulumi-plugin.json names azure-native 2.81.0, and the Go language host
// installs every plugin its modules name: a real `pulumi up` would download
// and start a second azure-native plugin. Declaring the one resource we use
// keeps the module out of go.mod. The type token, inputs and outputs are the
// module's own (API 2023-01-31), so URNs and state are unchanged.
const userAssignedIdentityType = "azure-native:managedidentity:UserAssignedIdentity"

// userAssignedIdentity is an Entra managed identity in a resource group.
type userAssignedIdentity struct {
	pulumi.CustomResourceState

	// ClientId is the identity's application (client) ID.
	ClientId pulumi.StringOutput `pulumi:"clientId"`
	// Name is the identity's Azure name.
	Name pulumi.StringOutput `pulumi:"name"`
	// PrincipalId is its service principal's object ID: what role
	// assignments name.
	PrincipalId pulumi.StringOutput `pulumi:"principalId"`
	// TenantId is the Entra tenant it belongs to.
	TenantId pulumi.StringOutput `pulumi:"tenantId"`
}

type userAssignedIdentityInputs struct {
	Location          *string           `pulumi:"location"`
	ResourceGroupName string            `pulumi:"resourceGroupName"`
	ResourceName      *string           `pulumi:"resourceName"`
	Tags              map[string]string `pulumi:"tags"`
}

// userAssignedIdentityArgs are the identity's inputs.
type userAssignedIdentityArgs struct {
	Location          pulumi.StringPtrInput
	ResourceGroupName pulumi.StringInput
	ResourceName      pulumi.StringPtrInput
	Tags              pulumi.StringMapInput
}

func (userAssignedIdentityArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*userAssignedIdentityInputs)(nil)).Elem()
}

// newUserAssignedIdentity registers an identity with the provider version
// of the azure-native SDK root module, like every other resource.
func newUserAssignedIdentity(ctx *pulumi.Context, name string, args *userAssignedIdentityArgs, opts ...pulumi.ResourceOption) (*userAssignedIdentity, error) {
	var id userAssignedIdentity
	opts = utilities.PkgResourceDefaultOpts(opts)
	if err := ctx.RegisterResource(userAssignedIdentityType, name, args, &id, opts...); err != nil {
		return nil, err
	}
	return &id, nil
}
