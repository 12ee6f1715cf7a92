// The network security groups of the subnets and their rules. Promise: no
// management port of a server is reachable from the internet; only Bastion
// reaches them, and only the gateway reaches the tenants' servers.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// managementPorts are SSH, RDP and WinRM: never reachable from the internet.
var managementPorts = []string{"22", "3389", "5985", "5986"}

// networkSecurityGroup is the NSG of one subnet. Rules are inline (no
// separate SecurityRule resources, which would conflict with them). Every
// NSG ends with an explicit deny of the management ports from the internet,
// in front of Azure's default rules, so that no later allow rule with a
// higher number can open them by mistake.
func (b *clusterBuilder) networkSecurityGroup(subnet string) (*network.NetworkSecurityGroup, error) {
	rules := nsgRules(subnet, b.subnets)
	nsg, err := network.NewNetworkSecurityGroup(b.ctx, b.name+"-nsg-"+subnet, &network.NetworkSecurityGroupArgs{
		NetworkSecurityGroupName: pulumi.String(clusterNSGName(b.key, subnet)),
		ResourceGroupName:        b.rg.Name,
		Location:                 b.location,
		SecurityRules:            rules,
		Tags:                     b.tags("network"),
	}, b.child()...)
	if err != nil {
		return nil, err
	}
	// NSGs have logs (events, rule counters) but no metrics.
	if err := b.diagnostics("nsg-"+subnet, nsg.ID().ToStringOutput(), allLogs, nil, nil, false); err != nil {
		return nil, err
	}
	return nsg, nil
}

// securityRule is one inbound NSG rule.
func securityRule(name string, priority int, access, protocol, source, destination string, ports []string) network.SecurityRuleTypeArgs {
	return network.SecurityRuleTypeArgs{
		Name:                     pulumi.String(name),
		Priority:                 pulumi.Int(priority),
		Direction:                pulumi.String("Inbound"),
		Access:                   pulumi.String(access),
		Protocol:                 pulumi.String(protocol),
		SourceAddressPrefix:      pulumi.String(source),
		SourcePortRange:          pulumi.String("*"),
		DestinationAddressPrefix: pulumi.String(destination),
		DestinationPortRanges:    pulumi.ToStringArray(ports),
	}
}

// nsgRules are the inbound rules of one subnet's NSG.
func nsgRules(subnet string, plan subnetPlan) network.SecurityRuleTypeArray {
	denyInternetManagement := securityRule("deny-management-from-internet", 4000, "Deny", "*", "Internet", "*", managementPorts)
	switch subnet {
	case subnetGateway:
		// What Application Gateway v2 requires, plus the web ports.
		return network.SecurityRuleTypeArray{
			securityRule("allow-gateway-manager", 100, "Allow", "Tcp", "GatewayManager", "*", []string{"65200-65535"}),
			securityRule("allow-azure-load-balancer", 110, "Allow", "*", "AzureLoadBalancer", "*", []string{"*"}),
			securityRule("allow-web-from-internet", 120, "Allow", "Tcp", "Internet", "*", []string{"80", "443"}),
			denyInternetManagement,
		}
	case subnetApps:
		// The gateway reaches the environment's internal ingress. Azure's
		// default rules keep traffic inside the VNet (the environment's own
		// nodes and load balancer) working.
		return network.SecurityRuleTypeArray{
			securityRule("allow-gateway-to-apps", 100, "Allow", "Tcp", plan.Gateway, plan.Apps, []string{"80", "443"}),
			denyInternetManagement,
		}
	case subnetVMs:
		// The gateway reaches the KPAX server; only Bastion reaches the
		// management ports, nothing else in the VNet does.
		return network.SecurityRuleTypeArray{
			securityRule("allow-gateway-to-app", 100, "Allow", "Tcp", plan.Gateway, plan.VMs, []string{fmt.Sprint(appPort)}),
			securityRule("allow-bastion-management", 110, "Allow", "Tcp", plan.Bastion, plan.VMs, []string{"22", "3389"}),
			securityRule("deny-management-from-vnet", 3900, "Deny", "*", "VirtualNetwork", "*", managementPorts),
			denyInternetManagement,
		}
	default:
		return network.SecurityRuleTypeArray{denyInternetManagement}
	}
}
