// A VM tenant's data disks, Flexible scale set, patch window, and each VM
// with its NIC, extensions and backup. Promise: VMs spread over the zones,
// no public IP, OS access only through Bastion with Entra ID.

package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/compute/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/maintenance/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
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

// virtualMachines builds a VM tenant: the data that outlives its VMs (admin
// credential, data disks) in every state, and the scale set, VMs, patch
// window and VM backups while it has compute.
func (b *tenantBuilder) virtualMachines() error {
	v := b.t.VM
	password, err := random.NewRandomPassword(b.ctx, b.name+"-vm-admin-password", &random.RandomPasswordArgs{
		Length:     pulumi.Int(32),
		MinLower:   pulumi.Int(2),
		MinUpper:   pulumi.Int(2),
		MinNumeric: pulumi.Int(2),
		MinSpecial: pulumi.Int(2),
		// Characters Azure accepts in a Linux admin password.
		OverrideSpecial: pulumi.String("!#$%&*()-_=+[]{}<>:?"),
	}, b.child()...)
	if err != nil {
		return err
	}
	if _, err := b.secret("vm-admin-secret", secretVMAdminPassword, password.Result); err != nil {
		return err
	}

	// Data disks hold the KPAX files. They are separate resources, not part
	// of the VMs, so that suspending (no VMs) or decommissioning keeps them.
	// Premium_ZRS: a zone-redundant disk attaches to a VM in any zone, so
	// losing a zone loses no data and the disk can follow its VM elsewhere.
	for i := 1; i <= v.Instances; i++ {
		vm := vmName(b.t, i)
		disk, err := compute.NewDisk(b.ctx, fmt.Sprintf("%s-vm-%d-data", b.name, i), &compute.DiskArgs{
			DiskName:            pulumi.String(vmDataDiskName(vm)),
			ResourceGroupName:   b.rg.Name,
			Location:            b.location,
			Sku:                 compute.DiskSkuArgs{Name: pulumi.String("Premium_ZRS")},
			DiskSizeGB:          pulumi.Int(v.DataDiskGB),
			CreationData:        compute.CreationDataArgs{CreateOption: pulumi.String("Empty")},
			NetworkAccessPolicy: pulumi.String("DenyAll"),
			PublicNetworkAccess: pulumi.String("Disabled"),
			Tags:                b.tags,
		}, b.data()...)
		if err != nil {
			return err
		}
		if err := b.lock(fmt.Sprintf("vm-%d-data-lock", i), disk.ID(), "data disk of "+vm); err != nil {
			return err
		}
		b.dataDisks = append(b.dataDisks, disk)
	}
	if !b.t.HasCompute() {
		return nil
	}
	return b.scaleSet(password)
}

func (b *tenantBuilder) scaleSet(password *random.RandomPassword) error {
	v := b.t.VM
	image, err := parseImageURN(v.Image)
	if err != nil {
		return err
	}
	zones := pulumi.ToStringArray(b.p.Zones)
	// A Flexible scale set without a VM model: the program creates each VM
	// itself, so each has an ID a backup protected item can name. Fault
	// domain count 1 is what zonal Flexible scale sets require.
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
	// group (its VMs). Operators reach the VMs through the region's Bastion.
	if _, err := b.roleAssignment("operators-vm-login", "tenant/"+b.t.Name+"/resource-group", b.rg.ID(),
		roleVirtualMachineAdministratorLog, "region/"+b.region.Name+"/operators",
		pulumi.String(b.p.OperatorsGroupObjectID), "Group"); err != nil {
		return err
	}

	instances := v.Instances
	if b.t.State == spec.StateSuspended {
		instances = 0
	}
	for i := 1; i <= instances; i++ {
		if err := b.virtualMachine(i, vmss, window, image, password); err != nil {
			return fmt.Errorf("vm %d: %w", i, err)
		}
	}
	return nil
}

// virtualMachine builds the i-th VM of the scale set with its NIC,
// extensions, patch assignment and backup. A logical name from the index is
// right here, unlike for spec lists: instance i is by definition "the i-th
// VM", and its data disk is the i-th disk. Zones go round robin.
func (b *tenantBuilder) virtualMachine(i int, vmss *compute.VirtualMachineScaleSet, window *maintenance.MaintenanceConfiguration, image imageURN, password *random.RandomPassword) error {
	name := vmName(b.t, i)
	logical := fmt.Sprintf("%s-vm-%d", b.name, i)
	zone := b.p.Zones[(i-1)%len(b.p.Zones)]
	nic, err := network.NewNetworkInterface(b.ctx, logical+"-nic", &network.NetworkInterfaceArgs{
		NetworkInterfaceName: pulumi.String(vmNICName(name)),
		ResourceGroupName:    b.rg.Name,
		Location:             b.location,
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
			},
		},
		Tags: b.tags,
	}, b.child()...)
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
			AdminPassword:            password.Result,
			AllowExtensionOperations: pulumi.Bool(true),
			LinuxConfiguration: compute.LinuxConfigurationArgs{
				DisablePasswordAuthentication: pulumi.Bool(false),
				ProvisionVMAgent:              pulumi.Bool(true),
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
			DataDisks: compute.DataDiskArray{
				compute.DataDiskArgs{
					Lun:          pulumi.Int(0),
					CreateOption: pulumi.String("Attach"),
					Caching:      compute.CachingTypesReadOnly,
					ManagedDisk:  compute.ManagedDiskParametersArgs{Id: b.dataDisks[i-1].ID()},
					DeleteOption: pulumi.String("Detach"),
				},
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
	}, b.child()...)
	if err != nil {
		return err
	}
	extensions := []struct{ logical, name, publisher, version string }{
		{"aad-login", "AADSSHLoginForLinux", "Microsoft.Azure.ActiveDirectory", "1.0"},
		{"monitor-agent", "AzureMonitorLinuxAgent", "Microsoft.Azure.Monitor", "1.0"},
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
			EnableAutomaticUpgrade:  pulumi.Bool(e.name == "AzureMonitorLinuxAgent"),
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
	if _, err := maintenance.NewConfigurationAssignment(b.ctx, logical+"-patch", &maintenance.ConfigurationAssignmentArgs{
		ConfigurationAssignmentName: pulumi.String(maintenanceConfigurationName(b.t)),
		ResourceGroupName:           b.rg.Name,
		Location:                    b.location,
		ProviderName:                pulumi.String("Microsoft.Compute"),
		ResourceType:                pulumi.String("virtualMachines"),
		ResourceName:                vm.Name,
		MaintenanceConfigurationId:  window.ID(),
	}, b.child()...); err != nil {
		return err
	}
	// The VM's daily backup in the region's vault. Not retained on delete:
	// the VM goes when the tenant is suspended and comes back on resume
	// under the same name, and a retained item would block that. The data
	// disk outlives the VM, and the vault's soft delete keeps the stopped
	// item's recovery points (docs/restore.md).
	rgName := tenantResourceGroupName(b.t)
	_, err = recoveryservices.NewProtectedItem(b.ctx, logical+"-backup", &recoveryservices.ProtectedItemArgs{
		VaultName:         b.p.RecoveryVaultName,
		ResourceGroupName: b.p.ResourceGroupName,
		FabricName:        pulumi.String("Azure"),
		ContainerName:     pulumi.String(vmBackupContainerName(rgName, name)),
		ProtectedItemName: pulumi.String(vmProtectedItemName(rgName, name)),
		Properties: recoveryservices.AzureIaaSComputeVMProtectedItemArgs{
			ProtectedItemType: pulumi.String("Microsoft.Compute/virtualMachines"),
			PolicyId:          b.p.VMBackupPolicyIDs[b.t.Backup.PolicyKey()],
			SourceResourceId:  vm.ID(),
		},
		Tags: b.tags,
	}, b.child()...)
	return err
}
