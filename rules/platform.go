// Rules on the platform: zones, residency and management ports.

package rules

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
)

// zonalKinds are placed by Azure in exactly one zone and cannot span zones:
// a scale set's individual VMs, which together must cover the zones
// (checked per tenant). A Standard NAT gateway is zonal too; the
// zone-failure rule keeps one off every tenant's path.
var zonalKinds = map[string]bool{typeVM: true}

// zonedKinds must list zones: without them Azure picks no zone or one zone
// we cannot see.
var zonedKinds = map[string]bool{
	typePublicIP: true, typeAppGateway: true, typeBastion: true, typeVMSS: true, typeVM: true,
}

// zoneRedundantSKUs are the storage redundancies that keep copies in every
// zone of the region.
var zoneRedundantSKUs = map[string]bool{"ZRS": true, "GZRS": true, "RAGZRS": true}

// checkZones: every resource that takes zones spans all of the region's zones
// (zonal ones sit in one of them, and a tenant's VMs are spread over them),
// and every resource that is zone redundant by a flag or SKU says so.
func checkZones(c *checker) {
	want := c.region.Zones
	vmZones := map[*plan.Resource][]string{} // tenant component -> its VMs' zones
	for _, r := range c.custom() {
		k := kind(r.Type)
		found := false
		walk(r.Inputs, "", func(path string, v any) {
			if l := leaf(path); l != "zones" && l != "availabilityZones" {
				return
			}
			found = true
			got := stringList(v)
			if zonalKinds[k] {
				if len(got) != 1 || !contains(want, got[0]) {
					c.report(r, paths("vm.instances"), paths("zones"), "%s = %v: a zonal resource must sit in exactly one of the region's zones %v", path, got, want)
					return
				}
				if k == typeVM {
					if comp := c.ownerC[r]; comp != nil {
						vmZones[comp] = append(vmZones[comp], got[0])
					}
				}
				return
			}
			if !sameSet(got, want) {
				c.report(r, paths("name"), paths("zones"), "%s = %v: must list all of the region's zones %v", path, got, want)
			}
		})
		// Bastion carries no tenant traffic: where Azure cannot span it over
		// zones, the region file says so and it goes without.
		exempt := k == typeBastion && !c.region.Bastion.ZoneRedundant
		if !found && zonedKinds[k] && !exempt {
			c.report(r, paths("vm.instances"), paths("zones"), "%s takes zones but lists none: it must span the region's zones %v", k, want)
		}
		switch k {
		case typeSQLDatabase:
			if !isTrue(r.Get("zoneRedundant")) {
				c.report(r, paths("database.sku", "database"), paths("database.generalPurposeZoneRedundant", "database"), "zoneRedundant must be true (got %v)", r.Get("zoneRedundant"))
			}
		case typeEnvironment:
			if !isTrue(r.Get("zoneRedundant")) {
				c.report(r, nil, paths("zones"), "the Container Apps environment must be zoneRedundant (got %v)", r.Get("zoneRedundant"))
			}
		case typeStorageAccount:
			sku := r.String("sku.name")
			if !zoneRedundantSKUs[sku[strings.LastIndexByte(sku, '_')+1:]] {
				c.report(r, paths("storage.redundancy", "storage"), paths("zones"), "sku.name %q is not zone redundant: use ZRS, GZRS or RAGZRS", sku)
			}
		case typeDisk:
			// A disk without a zone is regional: only ZRS keeps it in every zone.
			if _, zonal := r.Inputs["zones"]; !zonal && !strings.HasSuffix(r.String("sku.name"), "_ZRS") {
				c.report(r, paths("vm"), paths("zones"), "sku.name %q: a disk outside any zone must be ZRS", r.String("sku.name"))
			}
		case typeRecoveryVault:
			if got := r.String("properties.redundancySettings.standardTierStorageRedundancy"); got != "ZoneRedundant" {
				c.report(r, nil, paths("zones"), "properties.redundancySettings.standardTierStorageRedundancy must be ZoneRedundant (got %q)", got)
			}
		}
	}
	for comp, zones := range vmZones {
		distinct := map[string]bool{}
		for _, z := range zones {
			distinct[z] = true
		}
		need := len(want)
		if len(zones) < need {
			need = len(zones)
		}
		if len(distinct) < need {
			c.report(comp, paths("vm.instances", "vm"), paths("zones"), "tenant %s's %d VMs sit in zones %v: spread them over the region's zones %v", comp.Name, len(zones), zones, want)
		}
	}
}

// globalKinds are the resources Azure only knows in location "global": DNS,
// metric alert rules and action groups (which hold no tenant data; the
// Allowed locations policy exempts "global" too).
var globalKinds = map[string]bool{typeDNSZone: true, typePrivateZone: true, typeZoneLink: true, typeMetricAlert: true, typeActionGroup: true}

// checkResidency: every location input is the stack's region location
// (global DNS resources aside), and nothing names the paired location, where
// only GZRS storage's own geo copies may land.
func checkResidency(c *checker) {
	loc := strings.ToLower(c.region.Location)
	paired := strings.ToLower(c.region.PairedLocation)
	for _, r := range c.custom() {
		k := kind(r.Type)
		walk(r.Inputs, "", func(path string, v any) {
			s, ok := v.(string)
			if !ok {
				return
			}
			ls := strings.ToLower(s)
			if l := leaf(path); l == "location" || strings.HasSuffix(l, "Location") {
				switch {
				case ls == loc:
				case ls == "global" && globalKinds[k] && path == "location":
				case k == typeWebTest && strings.HasPrefix(path, "locations."):
					// Where an availability test probes the tenant's public
					// URL from: no resource and no data there (Azure has no
					// test location in Canada, South Africa or India).
				default:
					c.report(r, paths("region"), paths("location"), "%s is %q: every resource of region %s must be in %s", path, s, c.region.Name, c.region.Location)
				}
				return
			}
			if paired != "" && ls == paired {
				c.report(r, paths("region"), paths("pairedLocation"), "%s names the paired location %q: data stays in %s (only GZRS storage replicates there, by itself)", path, s, c.region.Location)
			}
		})
	}
}

// managementPorts are SSH, RDP and WinRM (HTTP and HTTPS).
var managementPorts = []int{22, 3389, 5985, 5986}

// internetSources are the NSG source prefixes that mean "anyone".
var internetSources = map[string]bool{"*": true, "internet": true, "0.0.0.0/0": true, "any": true, "::/0": true}

// checkManagementPorts: no NSG rule lets the internet reach a management
// port, and no VM network interface has a public IP.
func checkManagementPorts(c *checker) {
	for _, r := range c.custom() {
		switch kind(r.Type) {
		case typeNSG:
			for i, rule := range listOf(r.Get("securityRules")) {
				c.checkSecurityRule(r, fmt.Sprintf("securityRules.%d", i), rule)
			}
		case typeSecurityRule:
			c.checkSecurityRule(r, "", r.Inputs)
		case typeNIC, typeVM, typeVMSS:
			walk(r.Inputs, "", func(path string, v any) {
				if l := leaf(path); (l == "publicIPAddress" || l == "publicIPAddressConfiguration") && v != nil {
					c.report(r, paths("runtime", "vm"), paths("name"), "%s: a VM's network interface must have no public IP; operators connect through Bastion", path)
				}
			})
		}
	}
}

// checkSecurityRule reports rule (at path in r's inputs) if it opens a
// management port to the internet. Properties may be flat or nested.
func (c *checker) checkSecurityRule(r *plan.Resource, path string, rule map[string]any) {
	if props, ok := rule["properties"].(map[string]any); ok {
		rule = props
	}
	str := func(k string) string { s, _ := rule[k].(string); return s }
	if !strings.EqualFold(str("access"), "Allow") || !strings.EqualFold(str("direction"), "Inbound") {
		return
	}
	sources := append(stringList(rule["sourceAddressPrefixes"]), str("sourceAddressPrefix"))
	open := false
	for _, s := range sources {
		if internetSources[strings.ToLower(strings.TrimSpace(s))] {
			open = true
		}
	}
	if !open {
		return
	}
	ranges := append(stringList(rule["destinationPortRanges"]), str("destinationPortRange"))
	for _, pr := range ranges {
		for _, port := range managementPorts {
			if portIn(pr, port) {
				name := str("name")
				where := path
				if where == "" {
					where = "rule"
				}
				c.report(r, paths("name"), paths("name"), "%s %q allows port %d from the internet (%s): management ports are reached through Bastion only", where, name, port, pr)
			}
		}
	}
}

// workloadSubnets are the NSGs, by name suffix, of the subnets that hold
// tenants' workloads and data: apps, VMs and private endpoints, and (by
// envNSG) each container tenant's own environment.
var workloadSubnets = []string{"-apps", "-vms", "-endpoints", "-ops"}

// tenantSubnets are the NSGs of the subnets where tenants' code runs: the
// operators' jobs subnet may never reach them.
var tenantSubnets = []string{"-apps", "-vms"}

// envNSG names the NSG of a container tenant's own environment subnet
// (components: nsg-kpax-<stamp>-env-<tenant>) and envSubnet that subnet
// (snet-env-<tenant>-<slot>).
const (
	envNSG    = "-env-"
	envSubnet = "snet-env-"
)

// opsSubnetName is the subnet of the operators' jobs.
const opsSubnetName = "snet-ops"

// checkLateralTraffic: the NSG of every subnet of tenant workloads (and of
// the operators' jobs) denies the rest of the VNet in both directions, after
// its allows, no allow admits the whole VNet (or anything) as a source, and
// no tenant subnet admits the operators' subnet: Azure's default
// AllowVnetInBound and AllowVnetOutBound would otherwise let one tenant's
// containers or VMs reach another tenant's servers directly, around the
// gateway's WAF.
func checkLateralTraffic(c *checker) {
	opsPrefix := ""
	for _, s := range c.ofKind(typeSubnet) {
		if s.String("subnetName") == opsSubnetName {
			opsPrefix = s.String("addressPrefix")
		}
	}
	// Each container tenant's environment subnet, by tenant.
	envPrefixes := map[string]netip.Prefix{}
	for _, s := range c.ofKind(typeSubnet) {
		if name := s.String("subnetName"); strings.HasPrefix(name, envSubnet) {
			if p, err := netip.ParsePrefix(s.String("addressPrefix")); err == nil {
				tenant := strings.TrimPrefix(name, envSubnet)
				envPrefixes[tenant[:max(strings.LastIndexByte(tenant, '-'), 0)]] = p
			}
		}
	}
	for _, nsg := range c.ofKind(typeNSG) {
		name := physicalName(nsg, "networkSecurityGroupName")
		tenant := ""
		if i := strings.Index(name, envNSG); i >= 0 {
			tenant = name[i+len(envNSG):]
		}
		if tenant != "" {
			c.checkTenantPairs(nsg, name, tenant, envPrefixes)
		}
		if opsPrefix != "" && (hasSuffix(name, tenantSubnets) || tenant != "") {
			// The operators' jobs reach the private endpoints and
			// nothing of a tenant: no tenant subnet admits them.
			for _, rule := range nsgRules(nsg) {
				peer := rule["sourceAddressPrefix"]
				if rule["direction"] == "Outbound" {
					peer = rule["destinationAddressPrefix"]
				}
				if rule["access"] == "Allow" && peer == opsPrefix {
					c.report(nsg, nil, paths("addressSpace"), "NSG %s rule %v allows the operators' subnet %s: the ops jobs reach the private endpoints only, never a tenant's apps or VMs", name, rule["name"], opsPrefix)
				}
			}
		}
		workload := tenant != ""
		for _, suffix := range workloadSubnets {
			workload = workload || strings.HasSuffix(name, suffix)
		}
		if !workload {
			continue
		}
		denyIn, denyOut := 0.0, 0.0
		var allows []map[string]any
		for _, rule := range nsgRules(nsg) {
			prio, _ := rule["priority"].(float64)
			anyPort := anyPortIn(rule, 1) && anyPortIn(rule, 65535)
			switch {
			case rule["access"] == "Deny" && rule["direction"] == "Inbound" && rule["sourceAddressPrefix"] == "VirtualNetwork" && anyPort:
				denyIn = prio
			case rule["access"] == "Deny" && rule["direction"] == "Outbound" && rule["destinationAddressPrefix"] == "VirtualNetwork" && anyPort:
				denyOut = prio
			case rule["access"] == "Allow":
				allows = append(allows, rule)
			}
		}
		if denyIn == 0 || denyOut == 0 {
			c.report(nsg, nil, paths("addressSpace"), "NSG %s does not deny the rest of the VNet (inbound: %v, outbound: %v): tenants could reach each other around the gateway", name, denyIn != 0, denyOut != 0)
			continue
		}
		for _, rule := range allows {
			peer, deny := rule["sourceAddressPrefix"], denyIn
			if rule["direction"] == "Outbound" {
				peer, deny = rule["destinationAddressPrefix"], denyOut
			}
			if prio, _ := rule["priority"].(float64); prio > deny {
				c.report(nsg, nil, paths("addressSpace"), "NSG %s rule %v comes after the lateral deny and never applies", name, rule["name"])
			}
			if peer == "VirtualNetwork" || peer == "*" {
				c.report(nsg, nil, paths("addressSpace"), "NSG %s rule %v allows %s %v: only the subnets a role needs may be named", name, rule["name"], strings.ToLower(fmt.Sprint(rule["direction"])), peer)
			}
		}
	}
}

// checkTenantPairs: a container tenant's environment NSG admits, and sends
// to, no other tenant's environment subnet, pair by pair: one tenant's
// replicas never reach another's.
func (c *checker) checkTenantPairs(nsg *plan.Resource, name, tenant string, envs map[string]netip.Prefix) {
	for _, rule := range nsgRules(nsg) {
		if rule["access"] != "Allow" {
			continue
		}
		peer, _ := rule["sourceAddressPrefix"].(string)
		if rule["direction"] == "Outbound" {
			peer, _ = rule["destinationAddressPrefix"].(string)
		}
		p, err := netip.ParsePrefix(peer)
		if err != nil {
			continue
		}
		for _, other := range slices.Sorted(maps.Keys(envs)) {
			if other != tenant && envs[other].Overlaps(p) {
				c.report(nsg, nil, paths("addressSpace"), "NSG %s rule %v lets tenant %s's environment %s tenant %s's (%s): tenants' environments never reach each other",
					name, rule["name"], tenant, map[bool]string{true: "reach", false: "be reached from"}[rule["direction"] == "Outbound"], other, envs[other])
			}
		}
	}
}

// portIn reports whether an NSG port range ("22", "20-25", "*") holds port.
func portIn(pr string, port int) bool {
	pr = strings.TrimSpace(pr)
	if pr == "" {
		return false
	}
	if pr == "*" {
		return true
	}
	lo, hi, isRange := strings.Cut(pr, "-")
	a, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil {
		return false
	}
	b := a
	if isRange {
		if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
			return false
		}
	}
	return a <= port && port <= b
}

// listOf reads a JSON-like list of objects.
func listOf(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// hasSuffix reports whether name ends with one of suffixes.
func hasSuffix(name string, suffixes []string) bool {
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
