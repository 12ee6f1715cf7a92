// Which compute a tenant runs (container or VMs) and what its first start
// waits for.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

func (b *tenantBuilder) compute() error {
	switch b.t.Runtime {
	case spec.RuntimeContainer:
		if !b.t.HasCompute() {
			return nil
		}
		return b.containerApp()
	case spec.RuntimeVM:
		return b.virtualMachines()
	}
	return fmt.Errorf("unknown runtime %q", b.t.Runtime)
}

// serverImage is the KPAX server image a tenant runs and the field that
// names it ("" when the runtime's block is missing).
func serverImage(t *spec.Tenant) (image, path string) {
	switch {
	case t.Runtime == spec.RuntimeContainer && t.Container != nil:
		return t.Container.Image, "container.image"
	case t.Runtime == spec.RuntimeVM && t.VM != nil:
		return t.VM.ServerImage, "vm.serverImage"
	}
	return "", ""
}

// appDependencies are what the KPAX server's first start needs in place
// besides its inputs, in a Container App or on a VM: the signing key in
// the vault, the tenant identity's roles in effect (propagation.go), the
// pull identity's grant in effect, and the
// private DNS of the vault and the file share (both have private access
// only: without the records, their names resolve to public addresses that
// refuse the server).
func (b *tenantBuilder) appDependencies() ([]pulumi.Resource, error) {
	if b.rolesInEffect == nil {
		wait, err := waitForGrants(b.ctx, b.name+"-roles-in-effect", b.identityRoles, b.child()...)
		if err != nil {
			return nil, err
		}
		b.rolesInEffect = wait
	}
	deps := []pulumi.Resource{b.appSecret, b.vaultReachable, b.filesReachable, b.rolesInEffect}
	if b.p.RegistryPull != nil {
		deps = append(deps, b.p.RegistryPull)
	}
	return deps, nil
}
