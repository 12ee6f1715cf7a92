// CanNotDelete locks on a tenant's data resources. Promise: no YAML change,
// not even deleting the file, can delete a tenant's data.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// lock puts a CanNotDelete lock on a data resource: even an owner must
// remove the lock before Azure deletes it.
func (b *tenantBuilder) lock(logical string, scope pulumi.StringInput, what string) error {
	_, err := authorization.NewManagementLockByScope(b.ctx, b.name+"-"+logical, &authorization.ManagementLockByScopeArgs{
		LockName: pulumi.String(lockName),
		Level:    pulumi.String("CanNotDelete"),
		Scope:    scope,
		Notes:    pulumi.String(fmt.Sprintf("kpax-cloud: %s of tenant %s. See docs/restore.md (purge) before removing.", what, b.t.Name)),
	}, b.child()...)
	return err
}
