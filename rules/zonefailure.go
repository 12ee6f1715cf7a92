// Zone failure: remove each of the region's zones in turn from the plan and
// ask, per tenant, whether its compute, database, storage, gateway and
// egress each keep a working instance; and no zonal resource that is alone
// of its kind sits on a tenant's serving path.

package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// RuleZoneFailure names the rule.
const RuleZoneFailure = "zone-failure"

// Tenant parts that must survive a zone, in report order.
const (
	PartCompute  = "compute"
	PartDatabase = "database"
	PartStorage  = "storage"
	PartGateway  = "gateway"
	PartEgress   = "egress"
)

// Parts lists them.
var Parts = []string{PartCompute, PartDatabase, PartStorage, PartGateway, PartEgress}

// pathKinds are the shared network pieces every tenant's traffic passes
// through: a zonal one of them that is alone of its kind is a single point
// of failure for every zone-redundant service behind it.
var pathKinds = map[string]bool{
	typeNATGateway: true, typePublicIP: true, typeLoadBalancer: true, typeAppGateway: true, typeFirewall: true,
}

// Survival is what a tenant keeps when one zone is lost: for each part,
// whether a working instance remains, and why not.
type Survival struct {
	Tenant string
	Lost   string            // the zone removed
	Broken map[string]string // part -> why it has no instance left
}

// ZoneLoss removes zone from the plan of one stack and returns, per tenant
// with compute, what survives. It reads the plan only: zones, zone
// redundancy flags and SKUs, the subnets' egress.
func ZoneLoss(p *plan.Plan, proj *spec.Project, region, zone string) ([]Survival, error) {
	c, err := newChecker(p, proj, region)
	if err != nil {
		return nil, err
	}
	return c.zoneLoss(zone), nil
}

// zonesOf is where a resource runs: its zones list, or every zone of the
// region for what is zone redundant by flag or SKU, or nothing known (nil)
// for a zonal resource without zones, which Azure places in one zone it
// does not show.
func (c *checker) zonesOf(r *plan.Resource) []string {
	all := c.region.Zones
	if z := stringList(r.Get("zones")); len(z) > 0 {
		return z
	}
	switch kind(r.Type) {
	case typeEnvironment, typeSQLDatabase:
		if isTrue(r.Get("zoneRedundant")) {
			return all
		}
		return nil
	case typeStorageAccount:
		sku := r.String("sku.name")
		if zoneRedundantSKUs[sku[strings.LastIndexByte(sku, '_')+1:]] {
			return all
		}
		return nil
	case typeNATGateway:
		// StandardV2 is zone redundant by SKU
		// (learn.microsoft.com/azure/nat-gateway/nat-sku); Standard without
		// zones sits in a zone Azure picks.
		if r.String("sku.name") == "StandardV2" {
			return all
		}
		return nil
	case typeLoadBalancer:
		// A public frontend is as zonal as its public IP.
		var out []string
		for _, fe := range listOf(r.Get("frontendIPConfigurations")) {
			id := refID(fe["publicIPAddress"])
			if ip := c.byID[strings.ToLower(id)]; ip != nil {
				out = union(out, c.zonesOf(ip))
			} else if z := stringList(fe["zones"]); len(z) > 0 {
				out = union(out, z)
			}
		}
		return out
	}
	return nil
}

// survives reports whether a resource running in zones keeps an instance
// once lost is gone.
func survives(zones []string, lost string) bool {
	for _, z := range zones {
		if z != lost {
			return true
		}
	}
	return false
}

// refID reads a sub-resource reference {id: ...}.
func refID(v any) string {
	m, _ := v.(map[string]any)
	id, _ := m["id"].(string)
	return id
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, z := range append(append([]string(nil), a...), b...) {
		if !seen[z] {
			seen[z] = true
			out = append(out, z)
		}
	}
	sort.Strings(out)
	return out
}

// zoneLoss evaluates every tenant with compute of the stamp.
func (c *checker) zoneLoss(lost string) []Survival {
	mine := map[string][]*plan.Resource{} // tenant -> its resources
	for r, t := range c.owner {
		if r.Custom {
			mine[t.Name] = append(mine[t.Name], r)
		}
	}
	gateways := c.ofKind(typeAppGateway)
	var out []Survival
	for _, t := range c.stampTenants() {
		if !t.HasCompute() {
			continue
		}
		s := Survival{Tenant: t.Name, Lost: lost, Broken: map[string]string{}}
		broken := func(part, format string, args ...any) {
			if _, done := s.Broken[part]; !done {
				s.Broken[part] = fmt.Sprintf(format, args...)
			}
		}
		var apps, vms, dbs, accounts []*plan.Resource
		for _, r := range mine[t.Name] {
			switch kind(r.Type) {
			case typeContainerApp:
				apps = append(apps, r)
			case typeVM:
				vms = append(vms, r)
			case typeSQLDatabase:
				dbs = append(dbs, r)
			case typeStorageAccount:
				accounts = append(accounts, r)
			}
		}
		// Compute, and the egress its runtime uses.
		switch t.Runtime {
		case spec.RuntimeContainer:
			if len(apps) == 0 {
				broken(PartCompute, "no container app")
				broken(PartEgress, "no container app")
			}
			for _, app := range apps {
				env := c.byID[strings.ToLower(app.String("environmentId"))]
				if env == nil {
					broken(PartCompute, "app %s: its environment is not in the plan", app.Name)
					broken(PartEgress, "app %s: its environment is not in the plan", app.Name)
					continue
				}
				if !survives(c.zonesOf(env), lost) {
					broken(PartCompute, "environment %s is not zone redundant", env.Name)
				}
				if n, ok := app.Get("template.scale.minReplicas").(float64); ok && n < 2 && t.State == spec.StateActive {
					broken(PartCompute, "app %s keeps %v replica: one zone holds it", app.Name, n)
				}
				c.egressSurvives(env, lost, broken)
			}
		case spec.RuntimeVM:
			alive := 0
			for _, vm := range vms {
				if survives(stringList(vm.Get("zones")), lost) {
					alive++
					c.vmEgressSurvives(vm, lost, broken)
				}
			}
			if alive == 0 {
				broken(PartCompute, "every VM sits in zone %s", lost)
				broken(PartEgress, "no VM left")
			}
		}
		if len(dbs) == 0 {
			broken(PartDatabase, "no database")
		}
		for _, db := range dbs {
			if !survives(c.zonesOf(db), lost) {
				broken(PartDatabase, "database %s is not zone redundant", db.Name)
			}
		}
		if len(accounts) == 0 {
			broken(PartStorage, "no storage account")
		}
		for _, a := range accounts {
			if !survives(c.zonesOf(a), lost) {
				broken(PartStorage, "storage account %s (%s) keeps no copy outside one zone", a.Name, a.String("sku.name"))
			}
		}
		alive := false
		for _, gw := range gateways {
			alive = alive || survives(c.zonesOf(gw), lost)
		}
		if !alive {
			broken(PartGateway, "no application gateway runs outside zone %s", lost)
		}
		out = append(out, s)
	}
	return out
}

// egressSurvives checks a Container Apps environment's way out: a NAT
// gateway on its subnet decides it (NAT takes precedence over any other
// outbound path, learn.microsoft.com/azure/nat-gateway/nat-overview); without
// one, the environment's own managed egress is as zonal as the environment.
func (c *checker) egressSurvives(env *plan.Resource, lost string, broken func(part, format string, args ...any)) {
	subnet := c.byID[strings.ToLower(env.String("vnetConfiguration.infrastructureSubnetId"))]
	if subnet != nil {
		if nat := c.byID[strings.ToLower(subnet.String("natGateway.id"))]; nat != nil {
			if !survives(c.zonesOf(nat), lost) {
				broken(PartEgress, "NAT gateway %s of subnet %s is zonal (%v)", nat.Name, subnet.String("subnetName"), c.zonesOf(nat))
			}
			return
		}
	}
	if !survives(c.zonesOf(env), lost) {
		broken(PartEgress, "environment %s is not zone redundant", env.Name)
	}
}

// vmEgressSurvives checks a VM's way out: its subnet's NAT gateway if any,
// else the outbound rules of the load balancers its NIC's pools belong to.
func (c *checker) vmEgressSurvives(vm *plan.Resource, lost string, broken func(part, format string, args ...any)) {
	for _, ref := range listOf(vm.Get("networkProfile.networkInterfaces")) {
		id, _ := ref["id"].(string)
		nic := c.byID[strings.ToLower(id)]
		if nic == nil {
			continue
		}
		for _, ipc := range listOf(nic.Get("ipConfigurations")) {
			subnetID := refID(ipc["subnet"])
			if subnet := c.byID[strings.ToLower(subnetID)]; subnet != nil {
				if nat := c.byID[strings.ToLower(subnet.String("natGateway.id"))]; nat != nil {
					if !survives(c.zonesOf(nat), lost) {
						broken(PartEgress, "NAT gateway %s of subnet %s is zonal (%v)", nat.Name, subnet.String("subnetName"), c.zonesOf(nat))
					}
					return
				}
			}
			out := false
			for _, pool := range listOf(ipc["loadBalancerBackendAddressPools"]) {
				poolID, _ := pool["id"].(string)
				lb := c.byID[strings.ToLower(poolID[:max(strings.Index(poolID, "/backendAddressPools/"), 0)])]
				if lb == nil || lb.Get("outboundRules") == nil {
					continue
				}
				out = out || survives(c.zonesOf(lb), lost)
			}
			if !out {
				broken(PartEgress, "VM %s has no outbound path outside zone %s", vm.Name, lost)
			}
		}
	}
}

// checkZoneFailure: every zone lost in turn leaves every tenant each part,
// and no zonal resource alone of its kind sits on the tenants' path.
func checkZoneFailure(c *checker) {
	byKind := map[string][]*plan.Resource{}
	for _, r := range c.custom() {
		if k := kind(r.Type); pathKinds[k] {
			byKind[k] = append(byKind[k], r)
		}
	}
	for k, rs := range byKind {
		covered := []string{}
		for _, r := range rs {
			covered = union(covered, c.zonesOf(r))
		}
		if len(covered) >= 2 {
			continue
		}
		for _, r := range rs {
			c.report(r, nil, paths("zones"), "%s %s is zonal (zones %v) and alone of its kind on the tenants' path: losing that zone stops every zone-redundant service behind it", k, r.Name, c.zonesOf(r))
		}
	}
	comps := map[string]*plan.Resource{} // tenant -> its component
	for _, comp := range c.ownerC {
		comps[comp.Name] = comp
	}
	for _, zone := range c.region.Zones {
		for _, s := range c.zoneLoss(zone) {
			t := c.tenants[s.Tenant]
			for _, part := range Parts {
				if why, ok := s.Broken[part]; ok {
					c.reportTenant(t, comps[s.Tenant], paths("name"), "losing zone %s leaves tenant %s no working %s: %s", zone, s.Tenant, part, why)
				}
			}
		}
	}
}
