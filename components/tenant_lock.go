// The locks on a tenant's data resources (locks.go registers them). Promise:
// no YAML change, not even deleting the file, can delete a tenant's data.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// lock asks for a CanNotDelete lock on a data resource: even an owner must
// remove the lock before Azure deletes it.
func (b *tenantBuilder) lock(key, logical string, scope pulumi.StringInput, what string) {
	b.locks.owner = "tenant " + b.t.Name
	b.locks.ask(key, b.name+"-"+logical, scope, fmt.Sprintf("kpax-cloud: %s of tenant %s. See docs/restore.md (purge) before removing.", what, b.t.Name))
}

// onScope records what sits on the scope of the lock known by key.
func (b *tenantBuilder) onScope(key string, rs ...pulumi.Resource) { b.locks.on(key, rs...) }

// registerLocks registers the tenant's locks, last.
func (b *tenantBuilder) registerLocks() error { return b.locks.register(b.ctx, b.child()...) }
