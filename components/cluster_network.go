// The region's VNet, its subnets, the VMs' egress load balancer, and the
// zone-redundant public IPs of the egress, the gateway and Bastion. Promise:
// zone resilience (no zonal piece on any tenant's path: every address spans
// the region's zones) and no implicit egress.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// network 2024-05-01: a subnet's defaultOutboundAccess and a Bastion host's
	// zones; the default 2023-02-01 API has neither.
	networkv20240501 "github.com/pulumi/pulumi-azure-native-sdk/network/v2/v20240501"
)

// network builds the VNet, its subnets with their NSGs, and the VMs' egress.
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

	if err := b.egress(); err != nil {
		return err
	}

	envSubnets, err := b.subnets.tenantEnvironments(b.tenants)
	if err != nil {
		return err
	}
	b.subnetIDs = map[string]pulumi.StringOutput{}
	var previous pulumi.Resource
	for _, s := range append(b.subnets.all(), envSubnets...) {
		args := &networkv20240501.SubnetArgs{
			SubnetName:         pulumi.String(s.Name),
			VirtualNetworkName: vnet.Name,
			ResourceGroupName:  b.rg.Name,
			AddressPrefix:      pulumi.String(s.Prefix),
		}
		// Every subnet has its NSG, the AzureBastionSubnet too: with
		// Microsoft's rule set for it (cluster_nsg.go), which Azure checks.
		nsg, err := b.networkSecurityGroup(s)
		if err != nil {
			return err
		}
		args.NetworkSecurityGroup = &networkv20240501.NetworkSecurityGroupTypeArgs{Id: nsg.ID().ToStringOutput()}
		switch {
		case s.Key == subnetApps, s.Key == subnetOps, s.Tenant != nil:
			// A Container Apps environment's subnet, delegated to it. No
			// NAT gateway: the environment calls out (image pulls, Entra)
			// through its own managed egress, "one standard static public
			// IP for egress" (learn.microsoft.com/azure/container-apps/custom-virtual-networks,
			// "Managed resources"), and a zone-redundant environment spreads
			// its infrastructure over the zones
			// (learn.microsoft.com/azure/reliability/reliability-container-apps).
			// A Standard NAT gateway is zonal, and Learn says StandardV2 "is
			// currently not supported for integration" with Container Apps
			// (MicrosoftDocs/azure-docs#128099).
			args.Delegations = networkv20240501.DelegationArray{networkv20240501.DelegationArgs{
				Name:        pulumi.String("Microsoft.App.environments"),
				ServiceName: pulumi.String("Microsoft.App/environments"),
			}}
		case s.Key == subnetVMs:
			// VMs reach the internet through the egress load balancer's
			// outbound rule only (their NICs join its pool), never through
			// Azure's implicit default outbound address.
			args.DefaultOutboundAccess = pulumi.Bool(false)
		case s.Key == subnetEndpoints:
			// Private endpoints never call out; NSG rules apply to them.
			args.DefaultOutboundAccess = pulumi.Bool(false)
			args.PrivateEndpointNetworkPolicies = pulumi.String("Enabled")
		}
		// defaultOutboundAccess stays unset on the environments', gateway
		// and Bastion subnets: their outbound traffic is managed by the
		// service, and Azure documents private subnets as unsupported for
		// delegated and gateway subnets.
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

// egress gives the tenants' VMs their way out (image pulls, Entra sign-in,
// extensions, updates): a Standard public load balancer with one outbound
// rule and no inbound rule, whose frontend is a zone-redundant public IP.
// "An outbound rule configures outbound NAT for all virtual machines
// identified by the backend pool" (learn.microsoft.com/azure/load-balancer/outbound-rules),
// and "a zone-redundant frontend survives zone failure by using dedicated
// infrastructure in all the zones simultaneously"
// (learn.microsoft.com/azure/reliability/migrate-load-balancer).
//
// It replaces a Standard NAT gateway, which is zonal: pinned to one zone,
// its loss cut every zone's VMs off. The zone-redundant StandardV2 NAT
// gateway is not in the pinned SDK's network API versions (2024-05-01 is
// the newest), and Learn says it is "currently not supported for
// integration" with Container Apps (MicrosoftDocs/azure-docs#128099).
// Nothing enters through the balancer: it has no load-balancing or inbound
// NAT rule, and a Standard load balancer is "closed to inbound connections
// unless opened by Network Security Groups" (learn.microsoft.com/azure/load-balancer/load-balancer-overview);
// the VMs' NSG admits the gateway and Bastion only.
func (b *clusterBuilder) egress() error {
	ip, err := b.publicIP("egress")
	if err != nil {
		return err
	}
	name := egressLoadBalancerName(b.key)
	lbID := pulumi.All(b.subscription, b.rg.Name).ApplyT(func(v []any) string {
		return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/loadBalancers/%s", v[0], v[1], name)
	}).(pulumi.StringOutput)
	sub := func(kind, child string) pulumi.StringOutput {
		return lbID.ApplyT(func(id string) string { return id + "/" + kind + "/" + child }).(pulumi.StringOutput)
	}
	const frontend, pool = "egress", "vms"
	lb, err := network.NewLoadBalancer(b.ctx, b.name+"-egress-lb", &network.LoadBalancerArgs{
		LoadBalancerName:  pulumi.String(name),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Sku:               &network.LoadBalancerSkuArgs{Name: pulumi.String("Standard"), Tier: pulumi.String("Regional")},
		FrontendIPConfigurations: network.FrontendIPConfigurationArray{
			network.FrontendIPConfigurationArgs{
				Name:            pulumi.String(frontend),
				PublicIPAddress: &network.PublicIPAddressTypeArgs{Id: ip.ID().ToStringOutput()},
			},
		},
		BackendAddressPools: network.BackendAddressPoolArray{
			network.BackendAddressPoolArgs{Name: pulumi.String(pool)},
		},
		OutboundRules: network.OutboundRuleArray{
			network.OutboundRuleArgs{
				Name:                     pulumi.String("vms-out"),
				Protocol:                 pulumi.String("All"),
				BackendAddressPool:       network.SubResourceArgs{Id: sub("backendAddressPools", pool)},
				FrontendIPConfigurations: network.SubResourceArray{network.SubResourceArgs{Id: sub("frontendIPConfigurations", frontend)}},
				IdleTimeoutInMinutes:     pulumi.Int(4),
				EnableTcpReset:           pulumi.Bool(true),
			},
		},
		Tags: b.tags("network"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.Platform.EgressBackendPoolID = sub("backendAddressPools", pool)
	b.c.Platform.Egress = lb
	return b.diagnostics("egress-lb", lb.ID().ToStringOutput(), nil, nil, allMetrics, false)
}
