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
// higher number can open them by mistake (the Bastion subnet's NSG denies
// all other inbound traffic instead).
func (b *clusterBuilder) networkSecurityGroup(s plannedSubnet) (*network.NetworkSecurityGroup, error) {
	subnet := s.Key
	rules := nsgRules(s, b.subnets)
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

// Ports the subnets' rules open.
var (
	webPorts = []string{"80", "443"}
	// containerIngressPorts are the environment's edge proxy behind its
	// internal load balancer: 80/443 and the node ports 31080/31443
	// (learn.microsoft.com/azure/container-apps/firewall-integration,
	// workload profiles environment, inbound).
	containerIngressPorts = []string{"80", "443", "31080", "31443"}
	// containerNodePorts are what the environment's load balancer probes.
	containerNodePorts = []string{"30000-32767"}
	// endpointPorts are the private endpoints' services: HTTPS (blob,
	// vault), SMB (the file share) and SQL.
	endpointPorts = []string{"443", "445", "1433"}
	anyPort       = []string{"*"}
)

// rule is one NSG rule; securityRules turns a subnet's list into Azure's.
type rule struct {
	name        string
	priority    int
	direction   string // Inbound, Outbound
	access      string // Allow, Deny
	protocol    string
	source      string
	destination string
	ports       []string
}

// securityRule is one NSG rule. "Any port" is the singular
// destinationPortRange "*": the plural list takes ports and ranges only, and
// Azure refuses "*" in it (SecurityRuleInvalidPortRange; the REST spec's
// destinationPortRange alone documents the asterisk;
// simazure.RuleNSGPortRanges).
func securityRule(r rule) network.SecurityRuleTypeArgs {
	args := network.SecurityRuleTypeArgs{
		Name:                     pulumi.String(r.name),
		Priority:                 pulumi.Int(r.priority),
		Direction:                pulumi.String(r.direction),
		Access:                   pulumi.String(r.access),
		Protocol:                 pulumi.String(r.protocol),
		SourceAddressPrefix:      pulumi.String(r.source),
		SourcePortRange:          pulumi.String("*"),
		DestinationAddressPrefix: pulumi.String(r.destination),
	}
	if len(r.ports) == 1 && r.ports[0] == "*" {
		args.DestinationPortRange = pulumi.String("*")
	} else {
		args.DestinationPortRanges = pulumi.ToStringArray(r.ports)
	}
	return args
}

// Priorities of the closing rules: after every allow, before Azure's
// defaults (65000 and up), which admit the whole VNet in both directions.
const (
	denyLateralPriority    = 4000
	denyManagementPriority = 4010
)

// nsgRules are the rules of one subnet's NSG. Every subnet of tenant
// workloads (apps, VMs, endpoints) allows what its role needs, from the
// subnets that need it, and then denies the rest of the VNet, inbound and
// outbound: Azure's AllowVnetInBound and AllowVnetOutBound would otherwise
// let one tenant's containers or VMs reach another tenant's servers
// directly, around the gateway and its WAF. Inside a subnet the same
// rules hold: tenants' VMs do not reach each other, and every app's ingress
// admits the gateway subnet only (tenant_containerapp.go).
func nsgRules(s plannedSubnet, plan subnetPlan) network.SecurityRuleTypeArray {
	subnet := s.Key
	in := func(name string, priority int, access, protocol, source, destination string, ports []string) rule {
		return rule{name, priority, "Inbound", access, protocol, source, destination, ports}
	}
	out := func(name string, priority int, access, protocol, source, destination string, ports []string) rule {
		return rule{name, priority, "Outbound", access, protocol, source, destination, ports}
	}
	denyInternetManagement := in("deny-management-from-internet", denyManagementPriority, "Deny", "*", "Internet", "*", managementPorts)
	lateral := func() []rule {
		return []rule{
			in("deny-vnet-inbound", denyLateralPriority, "Deny", "*", "VirtualNetwork", "*", anyPort),
			out("deny-vnet-outbound", denyLateralPriority, "Deny", "*", "*", "VirtualNetwork", anyPort),
		}
	}
	// environment is an internal Container Apps environment's subnet:
	// the environment's own traffic inside its subnet, Azure's load
	// balancer to its nodes, and the private endpoints out, nothing else of
	// the VNet (learn.microsoft.com/azure/container-apps/firewall-integration,
	// NSG rules of a workload profiles environment).
	environment := func(prefix string) []rule {
		return []rule{
			in("allow-load-balancer-to-env", 110, "Allow", "Tcp", "AzureLoadBalancer", prefix, containerNodePorts),
			in("allow-env-within-subnet", 120, "Allow", "*", prefix, prefix, anyPort),
			out("allow-env-within-subnet-out", 100, "Allow", "*", prefix, prefix, anyPort),
			out("allow-env-to-endpoints", 110, "Allow", "Tcp", prefix, plan.Endpoints, endpointPorts),
		}
	}
	var rules []rule
	switch {
	case s.Tenant != nil:
		// A container tenant's own environment: the gateway is its only
		// door, and it reaches no other tenant's subnet (the deny of the
		// rest of the VNet below).
		rules = append(append([]rule{
			in("allow-gateway-to-env", 100, "Allow", "Tcp", plan.Gateway, s.Prefix, containerIngressPorts),
		}, environment(s.Prefix)...), append(lateral(), denyInternetManagement)...)
	case subnet == subnetGateway:
		// What Application Gateway v2 requires, plus the web ports. Its
		// outbound traffic is left to Azure's defaults: v2 "can't have its
		// outbound Internet connectivity blocked" and reaches its backends
		// in the VNet (learn.microsoft.com/azure/application-gateway/
		// configuration-infrastructure).
		rules = []rule{
			in("allow-gateway-manager", 100, "Allow", "Tcp", "GatewayManager", "*", []string{"65200-65535"}),
			in("allow-azure-load-balancer", 110, "Allow", "*", "AzureLoadBalancer", "*", anyPort),
			in("allow-web-from-internet", 120, "Allow", "Tcp", "Internet", "*", webPorts),
			in("deny-vnet-inbound", denyLateralPriority, "Deny", "*", "VirtualNetwork", "*", anyPort),
			denyInternetManagement,
		}
	case subnet == subnetApps:
		// The gateway reaches the environment's ingress; the environment's
		// own nodes talk among themselves and reach the private endpoints
		// (the vault, the SQL server, the file share over SMB).
		rules = append([]rule{
			in("allow-gateway-to-apps", 100, "Allow", "Tcp", plan.Gateway, plan.Apps, containerIngressPorts),
			in("allow-load-balancer-to-apps", 110, "Allow", "Tcp", "AzureLoadBalancer", plan.Apps, containerNodePorts),
			in("allow-apps-within-subnet", 120, "Allow", "*", plan.Apps, plan.Apps, anyPort),
			out("allow-apps-within-subnet-out", 100, "Allow", "*", plan.Apps, plan.Apps, anyPort),
			out("allow-apps-to-endpoints", 110, "Allow", "Tcp", plan.Apps, plan.Endpoints, endpointPorts),
		}, append(lateral(), denyInternetManagement)...)
	case subnet == subnetVMs:
		// The gateway reaches the KPAX server; only Bastion reaches the
		// management ports; the VMs reach the private endpoints. Nothing
		// else of the VNet, and no VM another VM.
		rules = append([]rule{
			in("allow-gateway-to-app", 100, "Allow", "Tcp", plan.Gateway, plan.VMs, []string{fmt.Sprint(appPort)}),
			in("allow-bastion-management", 110, "Allow", "Tcp", plan.Bastion, plan.VMs, []string{"22", "3389"}),
			in("allow-azure-load-balancer", 120, "Allow", "*", "AzureLoadBalancer", plan.VMs, anyPort),
			out("allow-vms-to-endpoints", 100, "Allow", "Tcp", plan.VMs, plan.Endpoints, endpointPorts),
		}, append(lateral(), denyInternetManagement)...)
	case subnet == subnetEndpoints:
		// Private endpoints only answer: the apps, the VMs, the gateway
		// (the platform vault's certificate) and the operators' jobs are
		// their clients. With the
		// subnet's network policies on, these rules apply to them.
		rules = append([]rule{
			in("allow-envs-to-endpoints", 100, "Allow", "Tcp", plan.Environments, plan.Endpoints, endpointPorts),
			in("allow-vms-to-endpoints", 110, "Allow", "Tcp", plan.VMs, plan.Endpoints, endpointPorts),
			in("allow-gateway-to-endpoints", 120, "Allow", "Tcp", plan.Gateway, plan.Endpoints, []string{"443"}),
			in("allow-ops-to-endpoints", 130, "Allow", "Tcp", plan.Ops, plan.Endpoints, endpointPorts),
			// The former shared environment's subnet: its apps keep their
			// database and files until the move has replaced them (the
			// NSG changes before the apps do). Removed with snet-apps.
			in("allow-apps-to-endpoints", 140, "Allow", "Tcp", plan.Apps, plan.Endpoints, endpointPorts),
		}, append(lateral(), denyInternetManagement)...)
	case subnet == subnetOps:
		// The operators' jobs reach the private endpoints (SQL, vaults,
		// storage) and nothing else of the VNet; no tenant subnet admits
		// them. The environment's own nodes talk among themselves.
		rules = append(environment(plan.Ops), append(lateral(), denyInternetManagement)...)
	case subnet == subnetBastion:
		rules = bastionRules()
	default:
		rules = []rule{denyInternetManagement}
	}
	args := make(network.SecurityRuleTypeArray, len(rules))
	for i, r := range rules {
		args[i] = securityRule(r)
	}
	return args
}

// bastionRules are Microsoft's rule set for an NSG on the
// AzureBastionSubnet (learn.microsoft.com/azure/bastion/bastion-nsg, and
// its reference template quickstarts/microsoft.network/azure-bastion-nsg of
// github.com/Azure/azure-quickstart-templates): HTTPS in from the
// internet, the control plane (GatewayManager) and the load balancer; the
// data plane (8080, 5701) between Bastion's own hosts; SSH and RDP out to
// the VNet, HTTPS to AzureCloud, and session information (80, 443) to the
// internet; everything else denied. Azure refuses an NSG without the
// control plane, AzureCloud and SSH/RDP rules on this subnet
// (NetworkSecurityGroupNotCompliantForAzureBastionSubnet,
// simazure.RuleBastionNSG). The outbound SSH/RDP rule names the whole VNet
// because that is the rule Azure checks for; the VMs' NSG admits those
// ports from this subnet alone.
func bastionRules() []rule {
	in := func(name string, priority int, protocol, source, destination string, ports []string) rule {
		return rule{name, priority, "Inbound", "Allow", protocol, source, destination, ports}
	}
	out := func(name string, priority int, protocol, source, destination string, ports []string) rule {
		return rule{name, priority, "Outbound", "Allow", protocol, source, destination, ports}
	}
	dataPlane := []string{"8080", "5701"}
	return []rule{
		in("allow-https-from-internet", 100, "Tcp", "Internet", "*", []string{"443"}),
		in("allow-gateway-manager", 110, "Tcp", "GatewayManager", "*", []string{"443"}),
		in("allow-azure-load-balancer", 120, "Tcp", "AzureLoadBalancer", "*", []string{"443"}),
		in("allow-bastion-data-plane", 130, "*", "VirtualNetwork", "VirtualNetwork", dataPlane),
		{"deny-all-inbound", 1000, "Inbound", "Deny", "*", "*", "*", anyPort},
		out("allow-ssh-rdp-to-vnet", 100, "Tcp", "*", "VirtualNetwork", []string{"22", "3389"}),
		out("allow-azure-cloud", 110, "Tcp", "*", "AzureCloud", []string{"443"}),
		out("allow-bastion-data-plane-out", 120, "*", "VirtualNetwork", "VirtualNetwork", dataPlane),
		out("allow-session-information", 130, "*", "*", "Internet", []string{"80", "443"}),
		{"deny-all-outbound", 1000, "Outbound", "Deny", "*", "*", "*", anyPort},
	}
}
