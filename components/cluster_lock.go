// CanNotDelete locks on the platform's data holders (Key Vault, Recovery
// Services vault). Promise: deleting them needs an operator's decision.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// lock puts a CanNotDelete lock on a resource (not on the resource group:
// the group also holds resources that are replaced in normal operation).
func (b *clusterBuilder) lock(part string, scope pulumi.StringInput, what string) error {
	_, err := authorization.NewManagementLockByScope(b.ctx, b.name+"-lock-"+part, &authorization.ManagementLockByScopeArgs{
		LockName: pulumi.String(lockName),
		Level:    pulumi.String("CanNotDelete"),
		Scope:    scope,
		Notes:    pulumi.String(fmt.Sprintf("kpax-cloud: %s of region %s. Removing it needs an operator's decision.", what, b.region.Name)),
	}, b.child()...)
	return err
}
