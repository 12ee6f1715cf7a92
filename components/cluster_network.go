// The region's VNet, its subnets and the NAT gateway with its public IP, and
// the zone-redundant public IPs of the gateway and Bastion. Promise: zone
// resilience (every address spans the region's zones) and no implicit egress.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// network 2024-05-01: a subnet's defaultOutboundAccess and a Bastion host's
	// zones; the default 2023-02-01 API has neither.
	networkv20240501 "github.com/pulumi/pulumi-azure-native-sdk/network/v2/v20240501"
)

// network builds the VNet, its subnets with their NSGs, and the NAT egress.
//
// The subnets are separate Subnet resources and the VNet declares none
// inline: a VNet that lists subnets inline and separate Subnet resources in
// the same VNet fight over the list on every update, and inline subnets
// cannot depend on resources that need the VNet. The azure-native provider
// keeps a VNet's existing subnets when its subnets input is absent.
func (b *clusterBuilder) network() error {
	r := b.key
	vnet, err := network.NewVirtualNetwork(b.ctx, b.name+"-vnet", &network.VirtualNetworkArgs{
		VirtualNetworkName: pulumi.String(clusterVNetName(r)),
		ResourceGroupName:  b.rg.Name,
		Location:           b.location,
		AddressSpace: &network.AddressSpaceArgs{
			AddressPrefixes: pulumi.StringArray{pulumi.String(b.space)},
		},
		Tags: b.tags("network"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.vnet = vnet
	b.c.VNetID = vnet.ID().ToStringOutput()
	b.c.Platform.VNetID = vnet.ID().ToStringOutput()
	if err := b.diagnostics("vnet", vnet.ID().ToStringOutput(), allLogs, nil, allMetrics, false); err != nil {
		return err
	}

	// NAT egress for the subnets whose workloads call out (VMs, apps).
	// A NAT gateway is a zonal resource: it cannot span zones, and a subnet
	// takes one NAT gateway, so a zone-redundant egress would need one
	// subnet per zone, which the zone-spanning apps environment and scale
	// sets cannot use. We pin it to the region's first zone rather than
	// leave "no zone" (where Azure picks a zone we cannot see): the failure
	// domain is then known and documented. Losing that zone stops new
	// outbound connections from the other zones until it is back; inbound
	// traffic (gateway) and private endpoints are unaffected. Its public IP
	// is zone redundant, so the address survives and can be moved.
	natIP, err := b.publicIP("nat")
	if err != nil {
		return err
	}
	nat, err := network.NewNatGateway(b.ctx, b.name+"-nat", &network.NatGatewayArgs{
		NatGatewayName:       pulumi.String(clusterNATGatewayName(r)),
		ResourceGroupName:    b.rg.Name,
		Location:             b.location,
		Sku:                  &network.NatGatewaySkuArgs{Name: pulumi.String("Standard")},
		Zones:                pulumi.StringArray{pulumi.String(b.region.Zones[0])},
		IdleTimeoutInMinutes: pulumi.Int(4),
		PublicIpAddresses:    network.SubResourceArray{network.SubResourceArgs{Id: natIP.ID().ToStringOutput()}},
		Tags:                 b.tags("network"),
	}, b.child()...)
	if err != nil {
		return err
	}
	if err := b.diagnostics("nat", nat.ID().ToStringOutput(), nil, nil, allMetrics, false); err != nil {
		return err
	}

	b.subnetIDs = map[string]pulumi.StringOutput{}
	var previous pulumi.Resource
	for _, s := range b.subnets.all() {
		args := &networkv20240501.SubnetArgs{
			SubnetName:         pulumi.String(s.Name),
			VirtualNetworkName: vnet.Name,
			ResourceGroupName:  b.rg.Name,
			AddressPrefix:      pulumi.String(s.Prefix),
		}
		// Every subnet has its NSG, the AzureBastionSubnet too: with
		// Microsoft's rule set for it (cluster_nsg.go), which Azure checks.
		nsg, err := b.networkSecurityGroup(s.Key)
		if err != nil {
			return err
		}
		args.NetworkSecurityGroup = &networkv20240501.NetworkSecurityGroupTypeArgs{Id: nsg.ID().ToStringOutput()}
		switch s.Key {
		case subnetApps:
			args.Delegations = networkv20240501.DelegationArray{networkv20240501.DelegationArgs{
				Name:        pulumi.String("Microsoft.App.environments"),
				ServiceName: pulumi.String("Microsoft.App/environments"),
			}}
			args.NatGateway = &networkv20240501.SubResourceArgs{Id: nat.ID().ToStringOutput()}
		case subnetVMs:
			args.NatGateway = &networkv20240501.SubResourceArgs{Id: nat.ID().ToStringOutput()}
			// VMs reach the internet through the NAT gateway only, never
			// through Azure's implicit default outbound address.
			args.DefaultOutboundAccess = pulumi.Bool(false)
		case subnetOps:
			// The operators' jobs environment: delegated like the apps
			// subnet, and out through the NAT gateway (image pulls, Entra).
			args.Delegations = networkv20240501.DelegationArray{networkv20240501.DelegationArgs{
				Name:        pulumi.String("Microsoft.App.environments"),
				ServiceName: pulumi.String("Microsoft.App/environments"),
			}}
			args.NatGateway = &networkv20240501.SubResourceArgs{Id: nat.ID().ToStringOutput()}
		case subnetEndpoints:
			// Private endpoints never call out; NSG rules apply to them.
			args.DefaultOutboundAccess = pulumi.Bool(false)
			args.PrivateEndpointNetworkPolicies = pulumi.String("Enabled")
		}
		// defaultOutboundAccess stays unset on the apps, gateway and Bastion
		// subnets: their outbound traffic is managed by the service (the
		// apps subnet also has the NAT gateway), and Azure documents
		// private subnets as unsupported for delegated and gateway subnets.
		opts := b.child()
		if previous != nil {
			// One subnet at a time: Azure rejects concurrent changes to
			// the subnets of one VNet (AnotherOperationInProgress).
			opts = append(opts, pulumi.DependsOn([]pulumi.Resource{previous}))
		}
		subnet, err := networkv20240501.NewSubnet(b.ctx, b.name+"-snet-"+s.Key, args, opts...)
		if err != nil {
			return err
		}
		previous = subnet
		b.subnetIDs[s.Key] = subnet.ID().ToStringOutput()
	}
	b.c.Platform.VMSubnetID = b.subnetIDs[subnetVMs]
	b.c.Platform.EndpointSubnetID = b.subnetIDs[subnetEndpoints]
	b.c.Platform.GatewaySubnetPrefix = b.subnets.Gateway
	b.c.Platform.BastionSubnetPrefix = b.subnets.Bastion
	return nil
}

// publicIP is a Standard, static, zone-redundant public IP (zones: all of
// the region's), the only kind a zone-redundant gateway, Bastion or NAT
// gateway takes.
func (b *clusterBuilder) publicIP(user string) (*network.PublicIPAddress, error) {
	ip, err := network.NewPublicIPAddress(b.ctx, b.name+"-pip-"+user, &network.PublicIPAddressArgs{
		PublicIpAddressName:      pulumi.String(clusterPublicIPName(b.key, user)),
		ResourceGroupName:        b.rg.Name,
		Location:                 b.location,
		Sku:                      &network.PublicIPAddressSkuArgs{Name: pulumi.String("Standard"), Tier: pulumi.String("Regional")},
		PublicIPAllocationMethod: pulumi.String("Static"),
		PublicIPAddressVersion:   pulumi.String("IPv4"),
		Zones:                    b.zones,
		Tags:                     b.tags("network"),
	}, b.child()...)
	if err != nil {
		return nil, err
	}
	if err := b.diagnostics("pip-"+user, ip.ID().ToStringOutput(), allLogs, nil, allMetrics, false); err != nil {
		return nil, err
	}
	return ip, nil
}
