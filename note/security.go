// The security section: who can reach the OS and how, the network boundary
// from other tenants, the Azure Policy guardrails and the published rules.

package note

import (
	"fmt"
	"strings"

	"github.com/kpax/kpax-cloud/guardrails"
	"github.com/kpax/kpax-cloud/rules"
)

func (f *facts) security() []Statement {
	out := f.access()
	out = append(out, f.isolation()...)
	out = append(out, f.guardrails()...)
	return append(out, f.published()...)
}

func (f *facts) access() []Statement {
	var out []Statement
	bastion := ""
	for _, b := range f.byKind[typeBastion] {
		bastion = b.String("bastionHostName")
	}
	if vms := f.mine[typeVM]; len(vms) > 0 {
		var noEntra []string
		for _, vm := range vms {
			found := false
			for _, x := range f.mine[typeVMExtension] {
				if x.String("vmName") == name(vm, "vmName") && x.String("type") == "AADSSHLoginForLinux" {
					found = true
				}
			}
			passwordOff := vm.Get("osProfile.linuxConfiguration.disablePasswordAuthentication") == true
			if !found || !passwordOff {
				noEntra = append(noEntra, name(vm, "vmName"))
			}
		}
		switch {
		case bastion == "":
			out = append(out, Statement{Key: "access.vm.no-bastion", Promise: PromiseAccess, Gap: true})
		case len(noEntra) > 0:
			out = append(out, Statement{Key: "access.vm.no-entra", Promise: PromiseAccess, Gap: true, Args: Args{"vms": noEntra, "bastion": bastion}})
		default:
			out = append(out, Statement{Key: "access.vm", Promise: PromiseAccess, Args: Args{"bastion": bastion}})
		}
	} else if app := f.one(typeContainerApp, "", ""); app != nil {
		out = append(out, Statement{Key: "access.container", Promise: PromiseAccess, Args: Args{"app": name(app, "containerAppName")}})
	}
	out = append(out, f.operators(), f.publicAddresses(), f.sessionsLogged())
	return out
}

// operators: the roles the region's operators' group holds on the tenant,
// and kpax check's session-access verdict on everyone else's.
func (f *facts) operators() Statement {
	group := strings.ToLower(f.region.Operators.GroupObjectID)
	roles := map[string]bool{}
	for _, a := range f.mine[typeRoleAssignment] {
		if strings.ToLower(a.String("principalId")) == group {
			if n := rules.RoleName(f.in.Plan, a.String("roleDefinitionId")); n != "" {
				roles[n] = true
			}
		}
	}
	args := Args{"group": f.region.Operators.GroupName, "roles": keys(roles)}
	if others := f.checksOf(rules.RuleSessionAccess); len(others) > 0 {
		return Statement{Key: "access.others", Promise: PromiseAccess, Gap: true, Args: args, Items: others}
	}
	return Statement{Key: "access.operators", Promise: PromiseAccess, Args: args}
}

// publicAddresses: no public IP on the tenant's compute, and a container
// environment that is internal (reached through the region's gateway only).
func (f *facts) publicAddresses() Statement {
	var public []string
	for _, ip := range f.mine[typePublicIP] {
		public = append(public, name(ip, "publicIpAddressName"))
	}
	for _, nic := range f.mine[typeNIC] {
		for _, cfg := range list(nic.Get("ipConfigurations")) {
			if cfg["publicIPAddress"] != nil {
				public = append(public, name(nic, "networkInterfaceName"))
			}
		}
	}
	for _, env := range f.mine[typeEnvironment] {
		if env.Get("vnetConfiguration.internal") != true {
			public = append(public, name(env, "environmentName"))
		}
	}
	if len(public) > 0 {
		return Statement{Key: "access.public-ip", Promise: PromiseAccess, Gap: true, Args: Args{"resources": sorted(public)}}
	}
	return Statement{Key: "access.no-public-ip", Promise: PromiseAccess}
}

// sessionsLogged: the region's alert on sessions outside an announced
// intervention, over the Activity Log the workspace keeps.
func (f *facts) sessionsLogged() Statement {
	workspace := ""
	for _, w := range f.byKind[typeWorkspace] {
		workspace = w.String("workspaceName")
	}
	for _, q := range f.byKind[typeScheduledQuery] {
		if strings.HasSuffix(q.Name, "-os-sessions") && q.Get("enabled") != false {
			return Statement{Key: "access.logged", Promise: PromiseAccess, Args: Args{"alert": q.String("ruleName"), "workspace": workspace}}
		}
	}
	return Statement{Key: "access.unlogged", Promise: PromiseAccess, Gap: true}
}

func (f *facts) isolation() []Statement {
	var out []Statement
	var shared []Statement
	if env := f.one(typeEnvironment, "", ""); env != nil {
		subnet := f.ref(env.String("vnetConfiguration.infrastructureSubnetId"))
		nsg := f.ref(refID(subnet, "networkSecurityGroup"))
		out = append(out, Statement{Key: "isolation.environment", Promise: PromiseIsolation, Args: Args{
			"env": name(env, "environmentName"), "subnet": name(subnet, "subnetName"),
			"prefix": subnetPrefix(subnet), "nsg": name(nsg, "networkSecurityGroupName"),
		}})
	} else if nic := f.one(typeNIC, "", ""); nic != nil {
		cfgs := list(nic.Get("ipConfigurations"))
		var subnet = f.ref(refOf(cfgs, "subnet"))
		nsg := f.ref(refID(subnet, "networkSecurityGroup"))
		out = append(out, Statement{Key: "isolation.vms", Promise: PromiseIsolation, Args: Args{
			"subnet": name(subnet, "subnetName"), "nsg": name(nsg, "networkSecurityGroupName"),
		}})
		shared = f.violationsOn(subnet, nsg)
	}
	if found := append(f.checksOf(rules.RuleIsolation, rules.RuleLateralTraffic, rules.RuleTags), shared...); len(found) > 0 {
		out = append(out, Statement{Key: "isolation.violations", Promise: PromiseIsolation, Gap: true, Items: found})
	}
	// Every data service is private: no public network access, a private
	// endpoint in the region's network.
	var open, private []string
	check := func(n, access string) {
		if access == "Disabled" {
			private = append(private, n)
		} else {
			open = append(open, n)
		}
	}
	for _, a := range f.mine[typeStorage] {
		check(a.String("accountName"), a.String("publicNetworkAccess"))
	}
	if kv := f.one(typeKeyVault, "", ""); kv != nil {
		check(kv.String("vaultName"), kv.String("properties.publicNetworkAccess"))
	}
	if db := f.one(typeSQLDatabase, "", ""); db != nil {
		if s := f.serverOf(db); s != nil {
			check(s.String("serverName"), s.String("publicNetworkAccess"))
		}
	}
	if len(open) > 0 {
		out = append(out, Statement{Key: "isolation.public", Promise: PromiseIsolation, Gap: true, Args: Args{"resources": sorted(open)}})
	} else {
		out = append(out, Statement{Key: "isolation.private", Promise: PromiseIsolation, Args: Args{"resources": sorted(private)}})
	}
	return out
}

// guardrails: the stamp's initiative assigned to the tenant's group, each
// member by its Azure name and effect, and the zone resilience audit.
func (f *facts) guardrails() []Statement {
	rg := f.t.Name
	for _, g := range f.mine["azure-native:resources:ResourceGroup"] {
		rg = g.String("resourceGroupName")
	}
	var out []Statement
	assignment := f.one(typePolicyAssign, "policyAssignmentName", "kpax-guardrails")
	if assignment == nil {
		return []Statement{{Key: "guardrails.none", Promise: PromiseControls, Gap: true, Args: Args{"rg": rg}}}
	}
	def := f.ref(assignment.String("policyDefinitionId"))
	known := map[string]guardrails.Member{}
	for _, m := range guardrails.Tenant(f.region) {
		known[strings.ToLower(m.DefinitionID)] = m
	}
	var items []Statement
	if def != nil {
		for _, m := range list(def.Get("policyDefinitions")) {
			id, _ := m["policyDefinitionId"].(string)
			display := known[strings.ToLower(id)].DisplayName
			if display == "" {
				display = id
			}
			effect := "Deny" // a member without an effect parameter has a fixed one (Require a tag: deny)
			if e, ok := lookup(m, "parameters.effect.value").(string); ok {
				effect = e
			}
			param, _ := lookup(m, "parameters.tagName.value").(string)
			if locations, ok := lookup(m, "parameters.listOfAllowedLocations.value").([]any); ok {
				var names []string
				for _, l := range locations {
					names = append(names, fmt.Sprint(l))
				}
				param = strings.Join(names, ", ")
			}
			items = append(items, Statement{Key: "item.policy", Args: Args{"policy": display, "param": param, "effect": Term("effect." + effect)}})
		}
	}
	key, gap := "guardrails", false
	if assignment.String("enforcementMode") == "DoNotEnforce" || def == nil {
		key, gap = "guardrails.not-enforced", true
	}
	out = append(out, Statement{Key: key, Promise: PromiseControls, Gap: gap, Items: items, Args: Args{
		"rg": rg, "assignment": assignment.String("policyAssignmentName"), "count": len(items),
	}})
	if z := f.one(typePolicyAssign, "policyAssignmentName", "kpax-zone-resilience"); z != nil {
		out = append(out, Statement{Key: "guardrails.zones", Promise: PromiseControls, Args: Args{"effect": Term("effect." + fmt.Sprint(lookup(z.Inputs, "parameters.effect.value")))}})
	}
	return out
}

// published: the published rules on the tenant's resources.
func (f *facts) published() []Statement {
	outcomes, err := rules.TenantPublished(f.in.Plan, f.in.Project, f.region.Name, f.t.Name)
	if err != nil {
		return []Statement{{Key: "rules.error", Promise: PromiseControls, Gap: true, Args: Args{"error": err.Error()}}}
	}
	bySet := map[string]int{}
	passed, checks := 0, 0
	var excused, broken []Statement
	for _, o := range outcomes {
		checks += o.Resources
		if o.Broken == 0 {
			passed++
			bySet[o.Set]++
		}
		if o.Excused > 0 {
			excused = append(excused, Statement{Key: "item.exception", Args: Args{"rule": o.ID, "title": o.Title, "count": o.Excused, "reason": Reason{o.ReasonKey, o.Reason}}})
		}
		if o.Broken > 0 {
			broken = append(broken, Statement{Key: "item.rule-broken", Args: Args{"rule": o.ID, "title": o.Title, "count": o.Broken}})
		}
	}
	var sets []Statement
	for _, s := range keys(bySet) {
		sets = append(sets, Statement{Key: "item.rule-set", Args: Args{"set": s, "count": bySet[s]}})
	}
	out := []Statement{{Key: "rules.pass", Promise: PromiseControls, Items: sets, Args: Args{"passed": passed, "rules": len(outcomes), "checks": checks}}}
	if len(excused) > 0 {
		out = append(out, Statement{Key: "rules.exceptions", Promise: PromiseControls, Items: excused, Args: Args{"count": len(excused)}})
	}
	if len(broken) > 0 {
		out = append(out, Statement{Key: "rules.broken", Promise: PromiseControls, Gap: true, Items: broken, Args: Args{"count": len(broken)}})
	}
	if other := f.checksOf(rules.Names()...); len(other) > 0 {
		// Violations of the platform rules not reported above.
		var rest []Statement
		for _, v := range other {
			switch v.Args["rule"] {
			case rules.RuleIsolation, rules.RuleLateralTraffic, rules.RuleTags, rules.RuleSessionAccess:
				continue
			}
			rest = append(rest, v)
		}
		if len(rest) > 0 {
			out = append(out, Statement{Key: "rules.platform-violations", Promise: PromiseControls, Gap: true, Items: rest, Args: Args{"count": len(rest)}})
		}
	}
	return out
}
