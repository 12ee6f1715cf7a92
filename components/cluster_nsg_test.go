// No management port reachable from the internet, in every region.

package components

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// checkManagementPorts: no inbound allow rule, inline or standalone, opens
// SSH, RDP or WinRM to the internet.
func checkManagementPorts(t *testing.T, cr *clusterRun) {
	t.Helper()
	var rules []map[string]any
	for _, nsg := range cr.plan.OfType(ctNSG) {
		rules = append(rules, list(nsg, "securityRules")...)
	}
	for _, r := range cr.plan.OfType(ctRule) {
		rules = append(rules, r.Inputs)
	}
	if len(rules) == 0 {
		t.Fatal("no NSG rules")
	}
	for _, rule := range rules {
		if !strings.EqualFold(fmt.Sprint(rule["access"]), "Allow") || !strings.EqualFold(fmt.Sprint(rule["direction"]), "Inbound") {
			continue
		}
		sources := append(stringsOf(rule["sourceAddressPrefixes"]), fmt.Sprint(rule["sourceAddressPrefix"]))
		if !anyInternet(sources) {
			continue
		}
		ports := append(stringsOf(rule["destinationPortRanges"]), fmt.Sprint(rule["destinationPortRange"]))
		for _, mp := range []int{22, 3389, 5985, 5986} {
			if portsCover(ports, mp) {
				t.Errorf("rule %v allows port %d from %v", rule["name"], mp, sources)
			}
		}
	}
}

func anyInternet(sources []string) bool {
	for _, s := range sources {
		switch strings.ToLower(s) {
		case "*", "internet", "0.0.0.0/0", "any":
			return true
		}
	}
	return false
}

// portsCover reports whether NSG port specs ("22", "1000-2000", "*") include
// a port.
func portsCover(specs []string, port int) bool {
	for _, s := range specs {
		s = strings.TrimSpace(s)
		if s == "*" {
			return true
		}
		lo, hi, isRange := strings.Cut(s, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		if a <= port && port <= b {
			return true
		}
	}
	return false
}

func TestClusterPortsCover(t *testing.T) {
	tests := []struct {
		give []string
		port int
		want bool
	}{
		{[]string{"*"}, 22, true},
		{[]string{"80", "443"}, 22, false},
		{[]string{"20-25"}, 22, true},
		{[]string{"3380-3390"}, 3389, true},
		{[]string{"65200-65535"}, 5986, false},
		{[]string{"<nil>"}, 22, false},
	}
	for _, tt := range tests {
		if got := portsCover(tt.give, tt.port); got != tt.want {
			t.Errorf("portsCover(%v, %d) = %v, want %v", tt.give, tt.port, got, tt.want)
		}
	}
}

// portsOf is a rule's destination ports as written: the singular range or
// the plural list, comma-joined.
func portsOf(rule map[string]any) string {
	if s, ok := rule["destinationPortRange"].(string); ok {
		return s
	}
	return strings.Join(stringsOf(rule["destinationPortRanges"]), ",")
}

// TestClusterNSGsDenyLateralTraffic: every subnet of tenant workloads (apps,
// VMs, private endpoints) admits only the subnets its role needs, and then
// denies the rest of the VNet in both directions, ahead of Azure's
// AllowVnetInBound and AllowVnetOutBound. No VM reaches another VM, and "*"
// never appears in a port list (Azure refuses it there).
func TestClusterNSGsDenyLateralTraffic(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	subnets, err := deriveSubnets(cr.region.AddressSpace)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]map[string]bool{ // subnet -> the prefixes it may admit
		subnetApps:      {subnets.Gateway: true, subnets.Apps: true, "AzureLoadBalancer": true},
		subnetVMs:       {subnets.Gateway: true, subnets.Bastion: true, "AzureLoadBalancer": true},
		subnetEndpoints: {subnets.Environments: true, subnets.VMs: true, subnets.Gateway: true, subnets.Ops: true, subnets.Apps: true},
		// The operators' jobs: nothing of the VNet reaches them.
		subnetOps: {subnets.Ops: true, "AzureLoadBalancer": true},
	}
	// Each container tenant's environment: the gateway, its own subnet and
	// Azure's load balancer; no other tenant's subnet.
	envs, err := subnets.tenantEnvironments(cr.tenants)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range envs {
		sources[e.Key] = map[string]bool{subnets.Gateway: true, e.Prefix: true, "AzureLoadBalancer": true}
	}
	for _, nsg := range cr.plan.OfType(ctNSG) {
		for _, rule := range list(nsg, "securityRules") {
			if ranges := stringsOf(rule["destinationPortRanges"]); containsString(ranges, "*") {
				t.Errorf("%s rule %s: \"*\" in destinationPortRanges", nsg.Name, rule["name"])
			}
		}
	}
	for subnet, allowed := range sources {
		nsg := cr.get(t, ctNSG, cr.n("nsg-"+subnet))
		deny := map[string]bool{}
		for _, rule := range list(nsg, "securityRules") {
			dir, access := rule["direction"], rule["access"]
			prio, _ := rule["priority"].(float64)
			switch {
			case access == "Deny" && dir == "Inbound" && rule["sourceAddressPrefix"] == "VirtualNetwork" && portsOf(rule) == "*":
				deny["in"] = prio <= 4096
			case access == "Deny" && dir == "Outbound" && rule["destinationAddressPrefix"] == "VirtualNetwork" && portsOf(rule) == "*":
				deny["out"] = prio <= 4096
			case access == "Allow" && dir == "Inbound":
				if src, _ := rule["sourceAddressPrefix"].(string); !allowed[src] {
					t.Errorf("%s subnet admits %s (rule %s): only %v may reach it", subnet, src, rule["name"], allowed)
				}
				if prio >= denyLateralPriority {
					t.Errorf("%s rule %s comes after the lateral deny", subnet, rule["name"])
				}
			case access == "Allow" && dir == "Outbound":
				if dst, _ := rule["destinationAddressPrefix"].(string); dst == "VirtualNetwork" || dst == "*" {
					t.Errorf("%s subnet may send to the whole VNet (rule %s)", subnet, rule["name"])
				}
			}
		}
		if !deny["in"] || !deny["out"] {
			t.Errorf("%s subnet: lateral deny inbound=%v outbound=%v, want both", subnet, deny["in"], deny["out"])
		}
	}
	// Tenants' VMs share a subnet: none may reach another.
	vmNSG := cr.get(t, ctNSG, cr.n("nsg-vms"))
	for _, rule := range list(vmNSG, "securityRules") {
		if rule["access"] == "Allow" && rule["direction"] == "Inbound" && rule["sourceAddressPrefix"] == subnets.VMs {
			t.Errorf("VMs admit other VMs (rule %s)", rule["name"])
		}
	}
}
