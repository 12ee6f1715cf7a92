// The locks on the platform's data holders (Key Vault, Recovery Services
// vault; locks.go registers them). Promise: deleting them needs an
// operator's decision.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// lock asks for a CanNotDelete lock on a resource (not on the resource group:
// the group also holds resources that are replaced in normal operation).
func (b *clusterBuilder) lock(part string, scope pulumi.StringInput, what string) {
	b.locks.owner = "region " + b.region.Name
	b.locks.ask(part, b.name+"-lock-"+part, scope, fmt.Sprintf("kpax-cloud: %s of region %s. Removing it needs an operator's decision.", what, b.region.Name))
}

// onScope records what sits on the scope of the lock known by part.
func (b *clusterBuilder) onScope(part string, rs ...pulumi.Resource) { b.locks.on(part, rs...) }

// registerLocks registers the platform's locks, last.
func (b *clusterBuilder) registerLocks() error { return b.locks.register(b.ctx, b.child()...) }
