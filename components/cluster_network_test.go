// The VNet, subnets, NSGs and egress of a region.

package components

import (
	"strings"
	"testing"
)

func TestClusterNetwork(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	r := cr.region
	rg := cr.get(t, ctRG, cr.n("rg"))
	check(t, rg, "resourceGroupName", "rg-kpax-fr-platform")

	vnet := cr.get(t, ctVNet, cr.n("vnet"))
	check(t, vnet, "virtualNetworkName", "vnet-kpax-fr")
	if got := vnet.Strings("addressSpace.addressPrefixes"); !sameStrings(got, []string{r.AddressSpace}) {
		t.Errorf("vnet address space = %v", got)
	}
	if vnet.Get("subnets") != nil {
		t.Errorf("vnet declares inline subnets; they are separate Subnet resources")
	}

	plan, _ := deriveSubnets(r.AddressSpace)
	if got := cr.plan.OfType(ctNAT); len(got) != 0 {
		t.Errorf("%d NAT gateways: a Standard NAT gateway is zonal, the egress must survive any zone", len(got))
	}
	nsgIDs := map[string]string{}
	for _, nsg := range cr.plan.OfType(ctNSG) {
		nsgIDs[nsg.ID] = nsg.Name
	}
	wantSubnets := map[string]struct {
		name, prefix string
		nsg          bool
		noDefaultOut bool
	}{
		"gateway":   {"snet-gateway", plan.Gateway, true, false},
		"bastion":   {"AzureBastionSubnet", plan.Bastion, true, false},
		"apps":      {"snet-apps", plan.Apps, true, false},
		"vms":       {"snet-vms", plan.VMs, true, true},
		"endpoints": {"snet-endpoints", plan.Endpoints, true, true},
		"ops":       {"snet-ops", plan.Ops, true, false},
	}
	// Plus one environment subnet per container tenant with compute.
	if got, want := len(cr.plan.OfType(ctSubnet)), len(wantSubnets)+2; got != want {
		t.Errorf("%d subnets, want %d", got, want)
	}
	for key, w := range wantSubnets {
		s := cr.get(t, ctSubnet, cr.n("snet-"+key))
		check(t, s, "subnetName", w.name)
		check(t, s, "addressPrefix", w.prefix)
		check(t, s, "virtualNetworkName", "vnet-kpax-fr")
		nsgID := s.String("networkSecurityGroup.id")
		if w.nsg != (nsgID != "") {
			t.Errorf("subnet %s: NSG %q, want one: %v", key, nsgID, w.nsg)
		}
		if w.nsg && nsgIDs[nsgID] != cr.n("nsg-"+key) {
			t.Errorf("subnet %s: NSG %q is not its own", key, nsgID)
		}
		if s.Get("natGateway") != nil {
			t.Errorf("subnet %s: a NAT gateway", key)
		}
		if w.noDefaultOut && s.Get("defaultOutboundAccess") != false {
			t.Errorf("subnet %s: defaultOutboundAccess = %v, want false", key, s.Get("defaultOutboundAccess"))
		}
	}
	for _, key := range []string{"snet-apps", "snet-ops"} {
		check(t, cr.get(t, ctSubnet, cr.n(key)), "delegations.0.serviceName", "Microsoft.App/environments")
	}
	check(t, cr.get(t, ctSubnet, cr.n("snet-endpoints")), "privateEndpointNetworkPolicies", "Enabled")
	if got := cr.out("plain/gatewayPrefix"); got != plan.Gateway {
		t.Errorf("Platform.GatewaySubnetPrefix = %q", got)
	}
	if got := cr.out("vmSubnetId"); got != cr.get(t, ctSubnet, cr.n("snet-vms")).ID {
		t.Errorf("Platform.VMSubnetID = %q", got)
	}
	if got := cr.out("endpointSubnetId"); got != cr.get(t, ctSubnet, cr.n("snet-endpoints")).ID {
		t.Errorf("Platform.EndpointSubnetID = %q", got)
	}

	// The gateway subnet's NSG carries what Application Gateway v2 needs.
	gwNSG := cr.get(t, ctNSG, cr.n("nsg-gateway"))
	for _, w := range []struct{ rule, source, ports string }{
		{"allow-gateway-manager", "GatewayManager", "65200-65535"},
		{"allow-azure-load-balancer", "AzureLoadBalancer", "*"},
		{"allow-web-from-internet", "Internet", "80,443"},
	} {
		rule := byName(t, gwNSG, "securityRules", w.rule)
		if rule["access"] != "Allow" || rule["direction"] != "Inbound" || rule["sourceAddressPrefix"] != w.source ||
			portsOf(rule) != w.ports {
			t.Errorf("gateway NSG rule %s = %v", w.rule, rule)
		}
	}
	// The Bastion subnet's NSG carries Microsoft's rule set
	// (learn.microsoft.com/azure/bastion/bastion-nsg), in front of a deny
	// of everything else.
	bastionNSG := cr.get(t, ctNSG, cr.n("nsg-bastion"))
	for _, w := range []struct{ rule, direction, access, peer, ports string }{
		{"allow-https-from-internet", "Inbound", "Allow", "Internet", "443"},
		{"allow-gateway-manager", "Inbound", "Allow", "GatewayManager", "443"},
		{"allow-azure-load-balancer", "Inbound", "Allow", "AzureLoadBalancer", "443"},
		{"allow-bastion-data-plane", "Inbound", "Allow", "VirtualNetwork", "8080,5701"},
		{"deny-all-inbound", "Inbound", "Deny", "*", "*"},
		{"allow-ssh-rdp-to-vnet", "Outbound", "Allow", "VirtualNetwork", "22,3389"},
		{"allow-azure-cloud", "Outbound", "Allow", "AzureCloud", "443"},
		{"allow-bastion-data-plane-out", "Outbound", "Allow", "VirtualNetwork", "8080,5701"},
		{"allow-session-information", "Outbound", "Allow", "Internet", "80,443"},
		{"deny-all-outbound", "Outbound", "Deny", "*", "*"},
	} {
		rule := byName(t, bastionNSG, "securityRules", w.rule)
		peer := rule["sourceAddressPrefix"]
		if w.direction == "Outbound" {
			peer = rule["destinationAddressPrefix"]
		}
		if rule["access"] != w.access || rule["direction"] != w.direction || peer != w.peer || portsOf(rule) != w.ports {
			t.Errorf("Bastion NSG rule %s = %v", w.rule, rule)
		}
	}
	if n := len(list(bastionNSG, "securityRules")); n != 10 {
		t.Errorf("the Bastion NSG has %d rules, want Microsoft's 10", n)
	}
	// VMs take management traffic from Bastion only.
	vmNSG := cr.get(t, ctNSG, cr.n("nsg-vms"))
	if rule := byName(t, vmNSG, "securityRules", "allow-bastion-management"); rule["sourceAddressPrefix"] != plan.Bastion {
		t.Errorf("VM management source = %v, want the Bastion subnet", rule["sourceAddressPrefix"])
	}
	if rule := byName(t, vmNSG, "securityRules", "allow-gateway-to-app"); rule["sourceAddressPrefix"] != plan.Gateway {
		t.Errorf("VM app source = %v, want the gateway subnet", rule["sourceAddressPrefix"])
	}
	for _, nsg := range cr.plan.OfType(ctNSG) {
		if nsg == bastionNSG {
			continue // its deny-all-inbound, above, holds the management ports too
		}
		rule := byName(t, nsg, "securityRules", "deny-management-from-internet")
		if rule["access"] != "Deny" || rule["sourceAddressPrefix"] != "Internet" {
			t.Errorf("%s: %v", nsg.Name, rule)
		}
	}

	// Egress: an outbound-only Standard load balancer whose frontend is a
	// zone-redundant public IP, and whose pool the VMs join.
	lb := cr.get(t, ctLB, cr.n("egress-lb"))
	check(t, lb, "loadBalancerName", "lbe-kpax-fr")
	check(t, lb, "sku.name", "Standard")
	check(t, lb, "frontendIPConfigurations.0.publicIPAddress.id", cr.get(t, ctPIP, cr.n("pip-egress")).ID)
	if lb.Get("loadBalancingRules") != nil || lb.Get("inboundNatRules") != nil || lb.Get("inboundNatPools") != nil {
		t.Errorf("egress load balancer has inbound rules: it must admit nothing")
	}
	check(t, lb, "outboundRules.0.protocol", "All")
	pool := cr.out("egressBackendPoolId")
	check(t, lb, "outboundRules.0.backendAddressPool.id", pool)
	if !strings.HasSuffix(pool, "/loadBalancers/lbe-kpax-fr/backendAddressPools/vms") {
		t.Errorf("Platform.EgressBackendPoolID = %q", pool)
	}
	for _, pip := range cr.plan.OfType(ctPIP) {
		check(t, pip, "sku.name", "Standard")
		check(t, pip, "publicIPAllocationMethod", "Static")
		if got := pip.Strings("zones"); !sameStrings(got, r.Zones) {
			t.Errorf("%s zones = %v", pip.Name, got)
		}
	}

	// Bastion.
	bas := cr.get(t, ctBastion, cr.n("bastion"))
	// ARM refuses a zone change of a Bastion in place: the program replaces
	// it, deleting the old one first since its name stays.
	if !containsString(bas.ReplaceOnChanges, "zones") || !bas.DeleteBeforeReplace {
		t.Errorf("bastion: replaceOnChanges %v, deleteBeforeReplace %v; want zones and true", bas.ReplaceOnChanges, bas.DeleteBeforeReplace)
	}
	check(t, bas, "sku.name", "Standard")
	check(t, bas, "enableTunneling", true)
	check(t, bas, "enableShareableLink", false)
	wantBastionZones := r.Zones
	if !r.Bastion.ZoneRedundant {
		wantBastionZones = nil // where Azure cannot span Bastion over zones
	}
	if got := bas.Strings("zones"); !sameStrings(got, wantBastionZones) {
		t.Errorf("bastion zones = %v, want %v", got, wantBastionZones)
	}
	check(t, bas, "ipConfigurations.0.subnet.id", cr.get(t, ctSubnet, cr.n("snet-bastion")).ID)
	check(t, bas, "ipConfigurations.0.publicIPAddress.id", cr.get(t, ctPIP, cr.n("pip-bastion")).ID)
}
