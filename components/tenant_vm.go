// A VM tenant's Flexible scale set, patch window and operators' roles, and
// each VM with its NIC and extensions. Promise: VMs spread over the zones, no
// public IP, OS access only through Bastion with Entra ID, and no data on a
// VM: the KPAX files are on the tenant's file share, so a VM is rebuilt, never
// restored.

package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/compute/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/maintenance/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

// imageURN is a marketplace image publisher:offer:sku:version.
type imageURN struct{ Publisher, Offer, Sku, Version string }

func parseImageURN(s string) (imageURN, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 4 {
		return imageURN{}, fmt.Errorf("%q is not publisher:offer:sku:version", s)
	}
	for _, p := range parts {
		if p == "" {
			return imageURN{}, fmt.Errorf("%q has an empty part", s)
		}
	}
	return imageURN{parts[0], parts[1], parts[2], parts[3]}, nil
}

// maintenanceRecurrence is the weekly recurrence of the region's patch
// window ("Week Saturday").
func maintenanceRecurrence(m spec.RegionMaintenance) (string, error) {
	days := []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	for _, d := range days {
		if strings.EqualFold(d, m.Day) {
			return "Week " + d, nil
		}
	}
	return "", fmt.Errorf("day %q is not a weekday name", m.Day)
}

// vmBreakGlassPublicKey is the only credential of a VM's local account. Azure
// requires a password or an SSH key on a Linux VM, and password sign-in is
// off; this key's private half was destroyed when it was made, so nobody can
// sign in with it. Break-glass access is granted when needed, by an operator
// with Virtual Machine Contributor: `az vm user update` adds a key of the
// day through the VMAccess extension (docs/restore.md, "OS access").
const vmBreakGlassPublicKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQCsG8sPUgHJvUZlAuhQKl7/TYrq2Nc2ZbQE5ola5iTktgunh2528aN+7y6fd+blLZbpIj1LJXv1vRFO7KN3CGK4hX/YFVQV1CcO+aA2aNg0veqlW5CVRWCS/Cvg7M657RxobYMq9zKYgbf45t9gPvjmRAr1gk9K922+5TyJxRF3eMiZqizEzJzf8tUK55Q7GAgo/sTyaXOeldm+x65QA5cAWPgYRgr2+s/hVUkABqXkNYrq7PgD9YEt3G38sknsDmAPaJff5/nRUiuvZhbTtg6aAAD2pJaIJ0aYkLFS9sJToU79fRW3vSV3vcVgW+aahhHsnLZQdyINdsrfTbiloxTonkCHGlOodP3krV2s9LoL+A86CMNWzhlOQE5gjEdzDEev3h0q5xBnEd1JJKdd4+Fsc0I6bnY453h0bY1f1UnhgCN2XaQlafijfXCTCZaB1cJnwylzWusJjPt3+wRA28+MxThqBbTUvKSLk2SfgkAun5vHS40ZIHSPpXX4oE3U72g5AsuWOSrVXL/48qGnGf9QxqCcNeXXin+1gVOhuJBhTRpjzbRSUJJjuo3zdKCNclxEhHdmzbtX0BhxJK8HIwnzej/nnoEI8nsz8nx20xRO5H/vtP2NrHect9VSnkIZuP//AvfrNkHU/me6ehDKyT9dtwqIpVxtKLAXUtzFczjIiQ== kpax-cloud break-glass placeholder: private key destroyed at creation"

// virtualMachines builds a VM tenant's compute while it has compute: the
// scale set, the VMs, the patch window and the operators' sign-in roles.
// VMs keep no state (files on the share, data in the database, secrets in
// the vault), so suspending or decommissioning deletes them and touches no
// backup: there is no VM backup item to stop or delete.
func (b *tenantBuilder) virtualMachines() error {
	if !b.t.HasCompute() {
		return nil
	}
	return b.scaleSet()
}

func (b *tenantBuilder) scaleSet() error {
	v := b.t.VM
	image, err := parseImageURN(v.Image)
	if err != nil {
		return err
	}
	zones := pulumi.ToStringArray(b.p.Zones)
	// A Flexible scale set without a VM model: the program creates each VM
	// itself, in the zone it picks. Fault domain count 1 is what zonal
	// Flexible scale sets require.
	vmss, err := compute.NewVirtualMachineScaleSet(b.ctx, b.name+"-vmss", &compute.VirtualMachineScaleSetArgs{
		VmScaleSetName:           pulumi.String(vmScaleSetName(b.t)),
		ResourceGroupName:        b.rg.Name,
		Location:                 b.location,
		OrchestrationMode:        pulumi.String("Flexible"),
		PlatformFaultDomainCount: pulumi.Int(1),
		Zones:                    zones,
		Tags:                     b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	recurrence, err := maintenanceRecurrence(b.region.Maintenance)
	if err != nil {
		return err
	}
	window, err := maintenance.NewMaintenanceConfiguration(b.ctx, b.name+"-patch-window", &maintenance.MaintenanceConfigurationArgs{
		ResourceName:        pulumi.String(maintenanceConfigurationName(b.t)),
		ResourceGroupName:   b.rg.Name,
		Location:            b.location,
		MaintenanceScope:    pulumi.String("InGuestPatch"),
		Visibility:          pulumi.String("Custom"),
		ExtensionProperties: pulumi.StringMap{"InGuestPatchMode": pulumi.String("User")},
		StartDateTime:       pulumi.String(maintenanceStart + " " + b.region.Maintenance.StartTime),
		Duration:            pulumi.String(fmt.Sprintf("%02d:00", b.region.Maintenance.DurationHours)),
		TimeZone:            pulumi.String("UTC"),
		RecurEvery:          pulumi.String(recurrence),
		InstallPatches: maintenance.InputPatchConfigurationArgs{
			RebootSetting: pulumi.String("IfRequired"),
			LinuxParameters: maintenance.InputLinuxParametersArgs{
				ClassificationsToInclude: pulumi.ToStringArray([]string{"Critical", "Security", "Other"}),
			},
		},
		Tags: b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	// Entra ID login for the operators' group only, on the tenant's resource
	// group (its VMs). Operators reach the VMs through the region's Bastion,
	// which also needs Reader on the VM and its NIC, both in this group
	// (learn.microsoft.com/azure/bastion/bastion-faq, "roles required"; the
	// Reader on the Bastion itself is the cluster's).
	for _, role := range []struct{ logical, id string }{
		{"operators-vm-login", roleVirtualMachineAdministratorLog},
		{"operators-reader", roleReader},
	} {
		if _, err := b.roleAssignment(role.logical, "tenant/"+b.t.Name+"/resource-group", b.rg.ID(),
			role.id, "region/"+b.region.Name+"/operators",
			pulumi.String(b.p.OperatorsGroupObjectID), "Group"); err != nil {
			return err
		}
	}

	instances := v.Instances
	if b.t.State == spec.StateSuspended {
		instances = 0
	}
	for i := 1; i <= instances; i++ {
		if err := b.virtualMachine(i, vmss, window, image); err != nil {
			return fmt.Errorf("vm %d: %w", i, err)
		}
	}
	return nil
}

// vmReplaceOnChanges are the VM inputs the program sets that ARM refuses to
// change in place: the provider sends them as an update, which fails with
// PropertyChangeNotAllowed (plan/semantics.go; pulumi-azure-native#1117 and
// #577). The patch settings and allowExtensionOperations are not among them:
// ARM updates those, and a rebuild for them would be needless.
var vmReplaceOnChanges = []string{
	"storageProfile.imageReference",
	"storageProfile.osDisk",
	"osProfile.computerName",
	"osProfile.adminUsername",
	"osProfile.linuxConfiguration.disablePasswordAuthentication",
	"osProfile.linuxConfiguration.ssh",
	"osProfile.linuxConfiguration.provisionVMAgent",
	"securityProfile.securityType",
	// Encryption at host is on from the VM's creation; turning it off
	// (or on) for a running VM is refused, and a VM keeps no data, so a
	// change rebuilds it.
	"securityProfile.encryptionAtHost",
	"zones",
	"location",
}

// virtualMachine builds the i-th VM of the scale set with its NIC,
// extensions and patch assignment. A logical name from the index is right
// here, unlike for spec lists: instance i is by definition "the i-th VM".
// Zones go round robin.
func (b *tenantBuilder) virtualMachine(i int, vmss *compute.VirtualMachineScaleSet, window *maintenance.MaintenanceConfiguration, image imageURN) error {
	name := vmName(b.t, i)
	logical := fmt.Sprintf("%s-vm-%d", b.name, i)
	zone := b.p.Zones[(i-1)%len(b.p.Zones)]
	nic, err := network.NewNetworkInterface(b.ctx, logical+"-nic", &network.NetworkInterfaceArgs{
		NetworkInterfaceName: pulumi.String(vmNICName(name)),
		ResourceGroupName:    b.rg.Name,
		Location:             b.location,
		// Every size the tiers use (D-series v5) supports it; the server's
		// traffic bypasses the host's virtual switch.
		EnableAcceleratedNetworking: pulumi.Bool(true),
		IpConfigurations: network.NetworkInterfaceIPConfigurationArray{
			network.NetworkInterfaceIPConfigurationArgs{
				Name:                      pulumi.String("ipconfig1"),
				Primary:                   pulumi.Bool(true),
				PrivateIPAllocationMethod: pulumi.String("Dynamic"),
				Subnet:                    &network.SubnetTypeArgs{Id: b.p.VMSubnetID},
				// No public IP: the gateway's backend pool is the only way in.
				ApplicationGatewayBackendAddressPools: network.ApplicationGatewayBackendAddressPoolArray{
					network.ApplicationGatewayBackendAddressPoolArgs{Id: b.p.GatewayBackendPoolIDs[b.t.Name]},
				},
				// The way out: the region's zone-redundant egress load
				// balancer (cluster_network.go), which admits nothing in.
				LoadBalancerBackendAddressPools: network.BackendAddressPoolArray{
					network.BackendAddressPoolArgs{Id: b.p.EgressBackendPoolID},
				},
			},
		},
		Tags: b.tags,
	}, b.child(pulumi.DependsOn(egressOf(b.p)))...)
	if err != nil {
		return err
	}
	vm, err := compute.NewVirtualMachine(b.ctx, logical, &compute.VirtualMachineArgs{
		VmName:                 pulumi.String(name),
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Zones:                  pulumi.StringArray{pulumi.String(zone)},
		VirtualMachineScaleSet: compute.SubResourceArgs{Id: vmss.ID()},
		HardwareProfile:        compute.HardwareProfileArgs{VmSize: pulumi.String(b.t.VM.Size)},
		// The system identity is the one Entra ID login (AADSSHLoginForLinux)
		// and the Azure Monitor agent use; the tenant identity is the
		// server's, and the platform's pull identity fetches its image.
		Identity: compute.VirtualMachineIdentityArgs{
			Type:                   compute.ResourceIdentityType_SystemAssigned_UserAssigned,
			UserAssignedIdentities: pulumi.StringArray{b.identity.ID(), b.p.RegistryPullIdentityID},
		},
		SecurityProfile: compute.SecurityProfileArgs{
			SecurityType:     pulumi.String("TrustedLaunch"),
			UefiSettings:     compute.UefiSettingsArgs{SecureBootEnabled: pulumi.Bool(true), VTpmEnabled: pulumi.Bool(true)},
			EncryptionAtHost: pulumi.Bool(true),
		},
		OsProfile: compute.OSProfileArgs{
			ComputerName:             pulumi.String(name),
			AdminUsername:            pulumi.String(vmAdminUsername),
			AllowExtensionOperations: pulumi.Bool(true),
			LinuxConfiguration: compute.LinuxConfigurationArgs{
				// No password sign-in, and a key nobody holds: the one way
				// to the OS is Entra ID through Bastion.
				DisablePasswordAuthentication: pulumi.Bool(true),
				Ssh: compute.SshConfigurationArgs{
					PublicKeys: compute.SshPublicKeyTypeArray{
						compute.SshPublicKeyTypeArgs{
							Path:    pulumi.String("/home/" + vmAdminUsername + "/.ssh/authorized_keys"),
							KeyData: pulumi.String(vmBreakGlassPublicKey),
						},
					},
				},
				ProvisionVMAgent: pulumi.Bool(true),
				PatchSettings: compute.LinuxPatchSettingsArgs{
					PatchMode:      pulumi.String("AutomaticByPlatform"),
					AssessmentMode: pulumi.String("AutomaticByPlatform"),
					// Patches follow the tenant's maintenance configuration
					// (the region's window) instead of Azure's own timing.
					AutomaticByPlatformSettings: compute.LinuxVMGuestPatchAutomaticByPlatformSettingsArgs{
						BypassPlatformSafetyChecksOnUserSchedule: pulumi.Bool(true),
						RebootSetting:                            pulumi.String("IfRequired"),
					},
				},
			},
		},
		StorageProfile: compute.StorageProfileArgs{
			ImageReference: compute.ImageReferenceArgs{
				Publisher: pulumi.String(image.Publisher),
				Offer:     pulumi.String(image.Offer),
				Sku:       pulumi.String(image.Sku),
				Version:   pulumi.String(image.Version),
			},
			OsDisk: compute.OSDiskArgs{
				Name:         pulumi.String("disk-" + name + "-os"),
				CreateOption: pulumi.String("FromImage"),
				Caching:      compute.CachingTypesReadWrite,
				ManagedDisk:  compute.ManagedDiskParametersArgs{StorageAccountType: pulumi.String("Premium_LRS")},
				// The OS disk holds nothing that is not rebuilt from the image.
				DeleteOption: pulumi.String("Delete"),
			},
		},
		NetworkProfile: compute.NetworkProfileArgs{
			NetworkInterfaces: compute.NetworkInterfaceReferenceArray{
				compute.NetworkInterfaceReferenceArgs{Id: nic.ID(), Primary: pulumi.Bool(true), DeleteOption: pulumi.String("Detach")},
			},
		},
		// Boot diagnostics in Azure-managed storage: no account to secure.
		DiagnosticsProfile: compute.DiagnosticsProfileArgs{
			BootDiagnostics: compute.BootDiagnosticsArgs{Enabled: pulumi.Bool(true)},
		},
		Tags: b.tags,
		// A VM keeps no data, so what ARM refuses to change in place
		// replaces it instead; its name stays, so the old one goes first.
		// Each VM waits for the previous one's server: a replacement
		// rolls one VM at a time, and the tenant keeps serving from the
		// others (a first deployment creates them one after the other too).
	}, b.child(pulumi.ReplaceOnChanges(vmReplaceOnChanges), pulumi.DeleteBeforeReplace(true), pulumi.DependsOn(b.previousServer()))...)
	if err != nil {
		return err
	}
	// autoUpgrade: the extension's publisher rolls out new versions itself
	// (the monitor agent; the attestation extension's template in
	// learn.microsoft.com/azure/virtual-machines/boot-integrity-monitoring-overview
	// sets enableAutomaticUpgrade).
	extensions := []struct {
		logical, name, publisher, version string
		autoUpgrade                       bool
	}{
		{"aad-login", "AADSSHLoginForLinux", "Microsoft.Azure.ActiveDirectory", "1.0", false},
		{"monitor-agent", "AzureMonitorLinuxAgent", "Microsoft.Azure.Monitor", "1.0", true},
		// Trusted Launch's boot integrity, reported to Defender for Cloud
		// (the MCSB's "Guest Attestation extension should be installed").
		{"guest-attestation", "GuestAttestation", "Microsoft.Azure.Security.LinuxAttestation", "1.0", true},
	}
	// A VM takes one extension operation at a time (Azure answers a
	// concurrent one with a conflict), and extensions that install packages
	// contend for the package manager: each waits for the one before.
	var previous pulumi.Resource = vm
	for _, e := range extensions {
		ext, err := compute.NewVirtualMachineExtension(b.ctx, logical+"-"+e.logical, &compute.VirtualMachineExtensionArgs{
			VmExtensionName:         pulumi.String(e.name),
			VmName:                  vm.Name,
			ResourceGroupName:       b.rg.Name,
			Location:                b.location,
			Publisher:               pulumi.String(e.publisher),
			Type:                    pulumi.String(e.name),
			TypeHandlerVersion:      pulumi.String(e.version),
			AutoUpgradeMinorVersion: pulumi.Bool(true),
			EnableAutomaticUpgrade:  pulumi.Bool(e.autoUpgrade),
			Tags:                    b.tags,
		}, b.child(pulumi.DependsOn([]pulumi.Resource{previous}))...)
		if err != nil {
			return err
		}
		previous = ext
	}
	if err := b.serverExtension(logical, vm, previous); err != nil {
		return err
	}
	if b.dcrID != nil {
		if _, err := insights.NewDataCollectionRuleAssociation(b.ctx, logical+"-dcr", &insights.DataCollectionRuleAssociationArgs{
			AssociationName:      pulumi.String("kpax-vm-guest"),
			ResourceUri:          vm.ID(),
			DataCollectionRuleId: b.dcrID,
		}, b.child()...); err != nil {
			return err
		}
	}
	_, err = maintenance.NewConfigurationAssignment(b.ctx, logical+"-patch", &maintenance.ConfigurationAssignmentArgs{
		ConfigurationAssignmentName: pulumi.String(maintenanceConfigurationName(b.t)),
		ResourceGroupName:           b.rg.Name,
		Location:                    b.location,
		ProviderName:                pulumi.String("Microsoft.Compute"),
		ResourceType:                pulumi.String("virtualMachines"),
		ResourceName:                vm.Name,
		MaintenanceConfigurationId:  window.ID(),
	}, b.child()...)
	return err
}

// egressOf is the egress load balancer a NIC waits for, when the platform
// has one.
func egressOf(p *Platform) []pulumi.Resource {
	if p.Egress == nil {
		return nil
	}
	return []pulumi.Resource{p.Egress}
}
