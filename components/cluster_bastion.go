// The Azure Bastion host and its public IP. Promise: operators reach a
// server's OS only through Bastion, never from the internet.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// network 2024-05-01: a subnet's defaultOutboundAccess and a Bastion host's
	// zones; the default 2023-02-01 API has neither.
	networkv20240501 "github.com/pulumi/pulumi-azure-native-sdk/network/v2/v20240501"
)

// bastion is the operators' only way to the VMs: Standard SKU for native
// client (az network bastion ssh/rdp) through tunneling, spread over all the
// region's zones where Azure offers that (the region file says). Sign-in is
// Entra ID, configured on the VMs.
func (b *clusterBuilder) bastion() error {
	ip, err := b.publicIP("bastion")
	if err != nil {
		return err
	}
	var zones pulumi.StringArrayInput
	if b.region.Bastion.ZoneRedundant {
		zones = b.zones
	}
	host, err := networkv20240501.NewBastionHost(b.ctx, b.name+"-bastion", &networkv20240501.BastionHostArgs{
		BastionHostName:   pulumi.String(clusterBastionName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Sku:               &networkv20240501.SkuArgs{Name: pulumi.String("Standard")},
		Zones:             zones,
		ScaleUnits:        pulumi.Int(2),
		EnableTunneling:   pulumi.Bool(true),
		// Off on purpose: shareable links would bypass Entra sign-in, and
		// file copy and IP connect widen what a session can reach or move.
		EnableShareableLink: pulumi.Bool(false),
		EnableFileCopy:      pulumi.Bool(false),
		EnableIpConnect:     pulumi.Bool(false),
		EnableKerberos:      pulumi.Bool(false),
		IpConfigurations: networkv20240501.BastionHostIPConfigurationArray{
			networkv20240501.BastionHostIPConfigurationArgs{
				Name:            pulumi.String("bastion"),
				Subnet:          networkv20240501.SubResourceArgs{Id: b.subnetIDs[subnetBastion]},
				PublicIPAddress: &networkv20240501.SubResourceArgs{Id: ip.ID().ToStringOutput()},
			},
		},
		Tags: b.tags("bastion"),
		// Zones are fixed when a Bastion is created: ARM refuses the update
		// the provider would send (plan/semantics.go). Turning zone
		// redundancy on replaces the Bastion, which holds no data; its name
		// stays, so the old one goes first.
	}, b.child(pulumi.ReplaceOnChanges([]string{"zones"}), pulumi.DeleteBeforeReplace(true))...)
	if err != nil {
		return err
	}
	// Connecting through Bastion needs Reader on the Bastion host as well as
	// on the VM and its NIC (those are granted per tenant): without it the
	// operators' group cannot open a session at all
	// (learn.microsoft.com/azure/bastion/bastion-faq, "roles required").
	if _, err := authorization.NewRoleAssignment(b.ctx, b.name+"-bastion-operators-reader", &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(stableGUID("cluster", b.key, "bastion", roleReader, "operators")),
		Scope:              host.ID().ToStringOutput(),
		RoleDefinitionId:   pulumi.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", b.subscription, roleReader),
		PrincipalId:        pulumi.String(b.region.Operators.GroupObjectID),
		PrincipalType:      pulumi.String("Group"),
	}, b.child(grantReplacement()...)...); err != nil {
		return err
	}
	return b.diagnostics("bastion", host.ID().ToStringOutput(), allLogs, nil, allMetrics, false)
}
