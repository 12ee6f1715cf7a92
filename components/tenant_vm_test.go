// A VM tenant's disks, scale set, VMs, extensions, patching and backups.

package components

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func TestTenantVMs(t *testing.T) {
	p := runTenants(t, vmTenant("globex", spec.StateActive))
	rs := tenantResources(t, p, "globex")
	rg := one(t, rs, tRG)
	id := one(t, rs, tIdentity)

	vmss := one(t, rs, tVMSS)
	want(t, vmss, "vmScaleSetName", "vmss-kpax-fr-globex")
	want(t, vmss, "orchestrationMode", "Flexible")
	want(t, vmss, "platformFaultDomainCount", 1)
	if got := vmss.Strings("zones"); fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("scale set zones %v", got)
	}

	window := one(t, rs, tWindow)
	for path, v := range map[string]any{
		"maintenanceScope":                     "InGuestPatch",
		"extensionProperties.InGuestPatchMode": "User",
		"recurEvery":                           "Week Sunday",
		"startDateTime":                        "2025-01-01 01:00",
		"duration":                             "03:00",
		"timeZone":                             "UTC",
	} {
		want(t, window, path, v)
	}

	var groups []*plan.Resource
	for _, ra := range ofType(rs, tRole) {
		if ra.String("principalType") == "Group" {
			groups = append(groups, ra)
		}
	}
	// Entra login through Bastion needs the login role and Reader on the
	// VM and its NIC, and run command the stamp's run-command role
	// (tenant_access.go): all on the tenant's resource group, for the
	// operators' group only.
	operatorRoles := map[string]bool{}
	for _, ra := range groups {
		want(t, ra, "principalId", testOperators)
		want(t, ra, "scope", rg.ID)
		operatorRoles[ra.String("roleDefinitionId")[strings.LastIndex(ra.String("roleDefinitionId"), "/")+1:]] = true
	}
	if len(groups) != 3 || !operatorRoles[roleVirtualMachineAdministratorLog] || !operatorRoles[roleReader] || !operatorRoles[testRunCommandRole] {
		t.Errorf("operators get %v, want the VM administrator login, Reader and run command", operatorRoles)
	}
	if p.Get(tPassword, "tenant-globex-vm-admin-password") != nil {
		t.Errorf("a VM admin password exists: VMs have no password sign-in")
	}

	// The share's key, for the VMs to mount it, kept in the tenant's vault.
	keySecret := p.Get(tSecret, "tenant-globex-storage-key-secret")
	want(t, keySecret, "secretName", secretStorageKey)
	want(t, keySecret, "properties.value", plan.Secret)
	if !keySecret.Protect || !keySecret.RetainOnDelete {
		t.Errorf("the storage key secret is not kept like the vault's other contents")
	}

	vms := ofType(rs, tVM)
	if len(vms) != 3 {
		t.Fatalf("%d VMs, want 3", len(vms))
	}
	for n := 1; n <= len(vms); n++ {
		vm := p.Get(tVM, fmt.Sprintf("tenant-globex-vm-%d", n))
		name := fmt.Sprintf("vm-globex-%d", n)
		want(t, vm, "vmName", name)
		want(t, vm, "zones.0", fmt.Sprint(n)) // round robin over 1, 2, 3
		want(t, vm, "virtualMachineScaleSet.id", vmss.ID)
		want(t, vm, "hardwareProfile.vmSize", "Standard_D4s_v5")
		want(t, vm, "identity.type", "SystemAssigned, UserAssigned")
		want(t, vm, "identity.userAssignedIdentities.0", id.ID)
		want(t, vm, "securityProfile.securityType", "TrustedLaunch")
		want(t, vm, "securityProfile.uefiSettings.secureBootEnabled", true)
		want(t, vm, "securityProfile.uefiSettings.vTpmEnabled", true)
		want(t, vm, "securityProfile.encryptionAtHost", true)
		if vm.Get("osProfile.adminPassword") != nil {
			t.Errorf("%s has an admin password", name)
		}
		want(t, vm, "osProfile.linuxConfiguration.disablePasswordAuthentication", true)
		want(t, vm, "osProfile.linuxConfiguration.ssh.publicKeys.0.keyData", vmBreakGlassPublicKey)
		want(t, vm, "osProfile.linuxConfiguration.ssh.publicKeys.0.path", "/home/kpaxadmin/.ssh/authorized_keys")
		want(t, vm, "osProfile.linuxConfiguration.patchSettings.patchMode", "AutomaticByPlatform")
		want(t, vm, "osProfile.linuxConfiguration.patchSettings.automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule", true)
		want(t, vm, "diagnosticsProfile.bootDiagnostics.enabled", true)
		want(t, vm, "storageProfile.imageReference.publisher", "Canonical")
		want(t, vm, "storageProfile.imageReference.offer", "ubuntu-24_04-lts")
		if vm.Get("diagnosticsProfile.bootDiagnostics.storageUri") != nil {
			t.Errorf("%s: boot diagnostics must use managed storage", name)
		}

		if vm.Get("storageProfile.dataDisks") != nil {
			t.Errorf("%s has data disks: a VM keeps no data", name)
		}

		nic := p.Get(tNIC, fmt.Sprintf("tenant-globex-vm-%d-nic", n))
		want(t, nic, "networkInterfaceName", "nic-"+name)
		want(t, nic, "enableAcceleratedNetworking", true)
		want(t, nic, "ipConfigurations.0.subnet.id", testSubPrefix+"Microsoft.Network/virtualNetworks/vnet-kpax-fr/subnets/snet-vms")
		want(t, nic, "ipConfigurations.0.applicationGatewayBackendAddressPools.0.id",
			testSubPrefix+"Microsoft.Network/applicationGateways/agw-kpax-fr/backendAddressPools/pool-globex")
		if nic.Get("ipConfigurations.0.publicIPAddress") != nil {
			t.Errorf("%s has a public IP", name)
		}
		want(t, vm, "networkProfile.networkInterfaces.0.id", nic.ID)

		exts := map[string]string{}
		for _, e := range ofType(rs, tExtension) {
			if e.String("vmName") == name {
				exts[e.String("type")] = e.String("publisher")
			}
		}
		if fmt.Sprint(exts) != fmt.Sprint(map[string]string{"AADSSHLoginForLinux": "Microsoft.Azure.ActiveDirectory", "AzureMonitorLinuxAgent": "Microsoft.Azure.Monitor", "CustomScript": "Microsoft.Azure.Extensions",
			"GuestAttestation": "Microsoft.Azure.Security.LinuxAttestation"}) {
			t.Errorf("%s extensions %v", name, exts)
		}
		dcr := p.Get(tDCR, fmt.Sprintf("tenant-globex-vm-%d-dcr", n))
		want(t, dcr, "resourceUri", vm.ID)
		want(t, dcr, "dataCollectionRuleId", testDCRID)

		as := p.Get(tAssignment, fmt.Sprintf("tenant-globex-vm-%d-patch", n))
		want(t, as, "resourceName", name)
		want(t, as, "providerName", "Microsoft.Compute")
		want(t, as, "resourceType", "virtualMachines")
		want(t, as, "maintenanceConfigurationId", window.ID)

		if p.Get(tItem, fmt.Sprintf("tenant-globex-vm-%d-backup", n)) != nil {
			t.Errorf("%s has a backup item: VMs keep no data, their files are on the backed-up share", name)
		}
	}
}

// TestVMReplacedWhereARMRefusesAnUpdate: every input of a VM that ARM
// refuses to change in place (plan/semantics.go) is under the VM's
// replaceOnChanges, so that a new image, admin or OS disk replaces the VM
// instead of failing the up; the ones ARM updates are not (no needless
// rebuild); and the old VM goes first, since its name stays.
func TestVMReplacedWhereARMRefusesAnUpdate(t *testing.T) {
	p := runTenants(t, vmTenant("globex", spec.StateActive))
	vms := ofType(tenantResources(t, p, "globex"), tVM)
	if len(vms) == 0 {
		t.Fatal("no VMs")
	}
	under := func(vm *plan.Resource, path string) bool {
		for _, o := range vm.ReplaceOnChanges {
			if path == o || strings.HasPrefix(path, o+".") {
				return true
			}
		}
		return false
	}
	for _, vm := range vms {
		if !vm.DeleteBeforeReplace {
			t.Errorf("%s: replaced create-before-delete, but its name %q is fixed", vm.Name, vm.String("vmName"))
		}
		refused := 0
		for _, leaf := range leaves("", vm.Inputs) {
			switch plan.SemanticOf(vm.Type, leaf).Effect {
			case plan.EffectRefused:
				refused++
				if !under(vm, leaf) {
					t.Errorf("%s: ARM refuses an update of %s, which is not under replaceOnChanges %v", vm.Name, leaf, vm.ReplaceOnChanges)
				}
			case plan.EffectUpdate:
				if under(vm, leaf) {
					t.Errorf("%s: %s is updated in place by ARM, yet replaces the VM", vm.Name, leaf)
				}
			}
		}
		if refused == 0 {
			t.Errorf("%s: no input the table refuses; the table or the walk is wrong", vm.Name)
		}
	}
}

// leaves lists the dotted paths of a resource's input leaves (list elements
// share their list's path).
func leaves(path string, v any) []string {
	switch v := v.(type) {
	case map[string]any:
		var out []string
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, leaves(p, e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, leaves(path, e)...)
		}
		if len(v) == 0 {
			out = append(out, path)
		}
		return out
	}
	return []string{path}
}
