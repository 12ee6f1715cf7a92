// The stamp's registry pull identity and its AcrPull grant on the region's
// registry, which serves the KPAX server image to apps and VMs.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// registryPull gives the stamp's container apps and VMs one identity to
// pull the KPAX server image with: AcrPull on the region's registry, which
// lives outside this program (and may be in another subscription, hence the
// role definition of the registry's own subscription). A tenant's identity
// could pull too, but a grant per tenant would give every tenant identity a
// role beyond its own data, and spend a role assignment per tenant.
func (b *clusterBuilder) registryPull() error {
	reg := b.region.Registry
	identity, grant, err := b.identityWithRole(platformIdentity{
		logical: "acrpull-identity", name: registryPullIdentityName(b.key), part: "registry",
		grant: "acrpull", grantName: stableGUID("cluster", b.key, reg.ResourceID, roleAcrPull, "pull-identity"),
		scope:            pulumi.String(reg.ResourceID),
		roleDefinitionID: pulumi.String(subscriptionScope(reg.ResourceID) + "/providers/Microsoft.Authorization/roleDefinitions/" + roleAcrPull),
	})
	if err != nil {
		return err
	}
	b.c.Platform.RegistryServer = reg.Server
	b.c.Platform.RegistryPullIdentityID = identity.ID().ToStringOutput()
	b.c.Platform.RegistryPullClientID = identity.ClientId
	b.c.Platform.RegistryPull, err = waitForGrants(b.ctx, b.name+"-acrpull-in-effect", map[string]*authorization.RoleAssignment{"acrpull": grant}, b.child()...)
	return err
}
