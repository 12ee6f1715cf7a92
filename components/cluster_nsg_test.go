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
