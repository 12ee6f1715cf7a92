// CanNotDelete locks, shared by both components: each lock is registered
// after everything that sits on its scope, and depends on it. Promise: no YAML
// change can delete locked data, and a deliberate purge or replacement can.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// pendingLock is a lock waiting for the resources on its scope.
type pendingLock struct {
	key, logical string
	scope        pulumi.StringInput
	notes        string
	// on are the role assignments, diagnostic settings, private endpoints
	// and child resources at the locked scope. Azure refuses to delete any
	// of them while the lock stands (ScopeLocked: "a cannot-delete lock on a
	// resource ... prevents the deletion of Azure RBAC assignments", and
	// extension resources inherit the lock; learn.microsoft.com/azure/
	// azure-resource-manager/management/lock-resources; simazure
	// RuleScopeLocked). Depending on them makes Pulumi delete the lock
	// first: dependents go before their dependencies.
	on []pulumi.Resource
}

// lockSet collects a component's locks while its parts are built.
type lockSet struct {
	owner string // for errors: "tenant acme", "region fr"
	locks []*pendingLock
}

// ask asks for a CanNotDelete lock on scope, known by key.
func (s *lockSet) ask(key, logical string, scope pulumi.StringInput, notes string) {
	s.locks = append(s.locks, &pendingLock{key: key, logical: logical, scope: scope, notes: notes})
}

// on records resources that sit on the scope of the lock known by key.
func (s *lockSet) on(key string, rs ...pulumi.Resource) {
	for _, l := range s.locks {
		if l.key == key {
			for _, r := range rs {
				if r != nil {
					l.on = append(l.on, r)
				}
			}
			return
		}
	}
	panic(fmt.Sprintf("%s: no lock %q to put resources on (ask for the lock before its dependents)", s.owner, key))
}

// register registers every asked-for lock, with opts (its parent) and a
// dependency on what sits on its scope.
func (s *lockSet) register(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
	for _, l := range s.locks {
		_, err := authorization.NewManagementLockByScope(ctx, l.logical, &authorization.ManagementLockByScopeArgs{
			LockName: pulumi.String(lockName),
			Level:    pulumi.String("CanNotDelete"),
			Scope:    l.scope,
			Notes:    pulumi.String(l.notes),
		}, append(opts, pulumi.DependsOn(l.on))...)
		if err != nil {
			return err
		}
	}
	return nil
}
