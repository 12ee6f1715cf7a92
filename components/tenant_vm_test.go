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
	login := one(t, groups, tRole)
	want(t, login, "principalId", testOperators)
	want(t, login, "principalType", "Group")
	want(t, login, "scope", rg.ID)
	if !strings.HasSuffix(login.String("roleDefinitionId"), "/"+roleVirtualMachineAdministratorLog) {
		t.Errorf("operators get %s", login.String("roleDefinitionId"))
	}

	pw := p.Get(tPassword, "tenant-globex-vm-admin-password")
	secret := p.Get(tSecret, "tenant-globex-vm-admin-secret")
	want(t, secret, "secretName", secretVMAdminPassword)
	want(t, secret, "properties.value", plan.Secret)
	if !contains(secret.DependsOn, pw.URN) {
		t.Errorf("the admin secret does not come from the random password")
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
		want(t, vm, "osProfile.adminPassword", plan.Secret)
		want(t, vm, "osProfile.linuxConfiguration.patchSettings.patchMode", "AutomaticByPlatform")
		want(t, vm, "osProfile.linuxConfiguration.patchSettings.automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule", true)
		want(t, vm, "diagnosticsProfile.bootDiagnostics.enabled", true)
		want(t, vm, "storageProfile.imageReference.publisher", "Canonical")
		want(t, vm, "storageProfile.imageReference.offer", "ubuntu-24_04-lts")
		if vm.Get("diagnosticsProfile.bootDiagnostics.storageUri") != nil {
			t.Errorf("%s: boot diagnostics must use managed storage", name)
		}

		disk := p.Get(tDisk, fmt.Sprintf("tenant-globex-vm-%d-data", n))
		want(t, disk, "diskName", "disk-"+name+"-data")
		want(t, disk, "diskSizeGB", 256)
		want(t, disk, "sku.name", "Premium_ZRS")
		want(t, disk, "networkAccessPolicy", "DenyAll")
		want(t, vm, "storageProfile.dataDisks.0.managedDisk.id", disk.ID)
		want(t, vm, "storageProfile.dataDisks.0.createOption", "Attach")

		nic := p.Get(tNIC, fmt.Sprintf("tenant-globex-vm-%d-nic", n))
		want(t, nic, "networkInterfaceName", "nic-"+name)
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
		if fmt.Sprint(exts) != fmt.Sprint(map[string]string{"AADSSHLoginForLinux": "Microsoft.Azure.ActiveDirectory", "AzureMonitorLinuxAgent": "Microsoft.Azure.Monitor", "CustomScript": "Microsoft.Azure.Extensions"}) {
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

		item := p.Get(tItem, fmt.Sprintf("tenant-globex-vm-%d-backup", n))
		want(t, item, "vaultName", "rsv-kpax-fr")
		want(t, item, "resourceGroupName", testPlatformRG)
		want(t, item, "fabricName", "Azure")
		want(t, item, "containerName", "iaasvmcontainer;iaasvmcontainerv2;rg-kpax-fr-globex;"+name)
		want(t, item, "protectedItemName", "vm;iaasvmcontainerv2;rg-kpax-fr-globex;"+name)
		want(t, item, "properties.protectedItemType", "Microsoft.Compute/virtualMachines")
		want(t, item, "properties.policyId", testSubPrefix+"Microsoft.RecoveryServices/vaults/rsv-kpax-fr/backupPolicies/vm-daily-0200-30d")
		want(t, item, "properties.sourceResourceId", vm.ID)
	}
}
