// The security section: who can reach the OS and how, the network boundary
// from other tenants, the Azure Policy guardrails and the published rules.

package note

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/kpax/kpax-cloud/guardrails"
	"github.com/kpax/kpax-cloud/plan"
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
	if vms := f.mine[typeVM]; len(vms) > 0 {
		var bastion *plan.Resource
		for _, b := range f.byKind[typeBastion] {
			bastion = b
		}
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
		// Entra ID sign-in through Bastion is the native client's, which
		// needs the Standard SKU or above with tunneling
		// (learn.microsoft.com/azure/bastion/connect-vm-native-client-linux).
		sku := ""
		if bastion != nil {
			sku = bastion.String("sku.name")
		}
		switch {
		case bastion == nil || (sku != "Standard" && sku != "Premium") || bastion.Get("enableTunneling") != true:
			out = append(out, Statement{Key: "access.vm.no-bastion", Promise: PromiseAccess, Gap: true, Args: Args{"bastion": name(bastion, "bastionHostName")}})
		case len(noEntra) > 0:
			out = append(out, Statement{Key: "access.vm.no-entra", Promise: PromiseAccess, Gap: true, Args: Args{"vms": noEntra}})
		default:
			out = append(out, Statement{Key: "access.vm", Promise: PromiseAccess, Args: Args{"bastion": bastion.String("bastionHostName"), "sku": sku}})
		}
	} else if app := f.one(typeContainerApp, "", ""); app != nil {
		out = append(out, Statement{Key: "access.container", Promise: PromiseAccess, Args: Args{
			"app": name(app, "containerAppName"), "port": num(app.Get("configuration.ingress.targetPort")),
		}})
	}
	out = append(out, f.operators(), f.publicAddresses())
	return append(out, f.sessionsLogged()...)
}

// operators: the roles the region's operators' group holds on the tenant,
// and kpax check's session-access verdict on every other assignment whose
// scope covers one of the tenant's resources (its group, the platform's
// group that holds its environment, the subscription).
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
	args := Args{"group": f.region.Operators.GroupName, "roles": slices.Sorted(maps.Keys(roles))}
	var others []Statement
	for _, v := range f.all {
		if v.Rule != rules.RuleSessionAccess {
			continue
		}
		if a := f.in.Plan.ByURN(v.URN); a != nil && f.covers(a.String("scope")) {
			others = append(others, Statement{Key: "item.violation", Args: Args{"rule": v.Rule, "message": v.Message}})
		}
	}
	if len(others) > 0 {
		return Statement{Key: "access.others", Promise: PromiseAccess, Gap: true, Args: args, Items: others}
	}
	return Statement{Key: "access.operators", Promise: PromiseAccess, Args: args}
}

// covers reports whether a role assignment's scope holds one of the
// tenant's resources: roles are inherited down the scopes
// (learn.microsoft.com/azure/role-based-access-control/scope-overview).
func (f *facts) covers(scope string) bool {
	scope = strings.ToLower(strings.TrimSuffix(scope, "/"))
	if scope == "" {
		return false
	}
	for _, rs := range f.mine {
		for _, r := range rs {
			id := strings.ToLower(r.ID)
			if id == scope || strings.HasPrefix(id, scope+"/") {
				return true
			}
		}
	}
	return false
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
		return Statement{Key: "access.public-ip", Promise: PromiseAccess, Gap: true, Args: Args{"resources": slices.Sorted(slices.Values(public))}}
	}
	return Statement{Key: "access.no-public-ip", Promise: PromiseAccess}
}

// sessionOperations are the Activity Log operations that open a session,
// as the region's alert names them (components/cluster_access.go), by the
// catalog term that words them.
var sessionOperations = []struct{ op, term string }{
	{"MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", "op.run-command"},
	{"MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION", "op.serial-console"},
	{"MICROSOFT.APP/CONTAINERAPPS/GETAUTHTOKEN/ACTION", "op.console-token"},
}

// sessionsLogged: the subscription's Activity Log kept in the workspace,
// the region's alert on sessions outside an announced intervention and the
// operations it watches, and for VM tenants Bastion's own audit log, which
// holds the SSH sessions the Activity Log does not
// (learn.microsoft.com/azure/bastion/diagnostic-logs).
func (f *facts) sessionsLogged() []Statement {
	var workspace *plan.Resource
	for _, w := range f.byKind[typeWorkspace] {
		workspace = w
	}
	if workspace == nil {
		return []Statement{{Key: "access.unlogged", Promise: PromiseAccess, Gap: true}}
	}
	sentTo := func(r *plan.Resource) bool { return strings.EqualFold(r.String("workspaceId"), workspace.ID) }
	activity := false
	for _, d := range f.byKind[typeSubDiagnostic] {
		for _, l := range list(d.Get("logs")) {
			if l["category"] == "Administrative" && l["enabled"] == true && sentTo(d) {
				activity = true
			}
		}
	}
	var alert *plan.Resource
	var ops []Term
	for _, q := range f.byKind[typeScheduledQuery] {
		query := strings.ToUpper(q.String("criteria.allOf.0.query"))
		if q.Get("enabled") == false || len(q.Strings("actions.actionGroups")) == 0 {
			continue
		}
		var found []Term
		for _, o := range sessionOperations {
			if strings.Contains(query, o.op) {
				found = append(found, Term(o.term))
			}
		}
		if len(found) > len(ops) {
			alert, ops = q, found
		}
	}
	if !activity || alert == nil {
		return []Statement{{Key: "access.unlogged", Promise: PromiseAccess, Gap: true}}
	}
	out := []Statement{{Key: "access.logged", Promise: PromiseAccess, Args: Args{
		"alert": alert.String("ruleName"), "workspace": workspace.String("workspaceName"), "operations": ops,
	}}}
	if len(f.mine[typeVM]) > 0 {
		for _, b := range f.byKind[typeBastion] {
			for _, d := range f.byKind[typeDiagnostic] {
				if strings.EqualFold(d.String("resourceUri"), b.ID) && sentTo(d) {
					return append(out, Statement{Key: "access.bastion-logged", Promise: PromiseAccess, Args: Args{
						"bastion": b.String("bastionHostName"), "workspace": workspace.String("workspaceName"),
					}})
				}
			}
		}
		out = append(out, Statement{Key: "access.bastion-unlogged", Promise: PromiseAccess, Gap: true})
	}
	return out
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
	// Every data service is private: no public network access, and a
	// private endpoint in the region's network that targets it.
	targeted := map[string]bool{}
	for _, pe := range f.byKind[typePrivateEP] {
		for _, c := range list(pe.Get("privateLinkServiceConnections")) {
			if id, ok := c["privateLinkServiceId"].(string); ok {
				targeted[strings.ToLower(id)] = true
			}
		}
	}
	var open, unreached, private []string
	check := func(r *plan.Resource, n, access string) {
		switch {
		case access != "Disabled":
			open = append(open, n)
		case !targeted[strings.ToLower(r.ID)]:
			unreached = append(unreached, n)
		default:
			private = append(private, n)
		}
	}
	for _, a := range f.mine[typeStorage] {
		check(a, a.String("accountName"), a.String("publicNetworkAccess"))
	}
	if kv := f.one(typeKeyVault, "", ""); kv != nil {
		check(kv, kv.String("vaultName"), kv.String("properties.publicNetworkAccess"))
	}
	if db := f.one(typeSQLDatabase, "", ""); db != nil {
		if s := f.serverOf(db); s != nil {
			check(s, s.String("serverName"), s.String("publicNetworkAccess"))
		}
	}
	switch {
	case len(open) > 0:
		out = append(out, Statement{Key: "isolation.public", Promise: PromiseIsolation, Gap: true, Args: Args{"resources": slices.Sorted(slices.Values(open))}})
	case len(unreached) > 0:
		out = append(out, Statement{Key: "isolation.no-endpoint", Promise: PromiseIsolation, Gap: true, Args: Args{"resources": slices.Sorted(slices.Values(unreached))}})
	default:
		out = append(out, Statement{Key: "isolation.private", Promise: PromiseIsolation, Args: Args{"resources": slices.Sorted(slices.Values(private))}})
	}
	return out
}

// guardrails: the stamp's initiative assigned to the tenant's group, each
// member by its Azure name and effect, and the zone resilience audit.
func (f *facts) guardrails() []Statement {
	rg := f.tenantGroup()
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
	out = append(out, f.platformGuardrails()...)
	if z := f.one(typePolicyAssign, "policyAssignmentName", "kpax-zone-resilience"); z != nil {
		out = append(out, Statement{Key: "guardrails.zones", Promise: PromiseControls, Args: Args{"effect": Term("effect." + fmt.Sprint(lookup(z.Inputs, "parameters.effect.value")))}})
	}
	return out
}

// platformGuardrails: the tenant's resources that live in the region's
// resource group (its environment, its database) are under that group's
// assignment, not its own group's (an assignment covers its scope only:
// learn.microsoft.com/azure/governance/policy/concepts/assignment-structure).
func (f *facts) platformGuardrails() []Statement {
	groups := map[string][]string{} // platform group ID -> the tenant's resources in it
	for _, k := range []string{typeEnvironment, typeSubnet, typeNSG, typeSQLDatabase} {
		for _, r := range f.mine[k] {
			i := strings.Index(strings.ToLower(r.ID), "/providers/")
			if i < 0 || r.ID == "" {
				continue
			}
			scope := strings.ToLower(r.ID[:i])
			if !strings.Contains(scope, "/resourcegroups/") || strings.HasSuffix(scope, "/"+strings.ToLower(f.tenantGroup())) {
				continue
			}
			groups[scope] = append(groups[scope], path.Base(r.ID))
		}
	}
	var out []Statement
	for _, scope := range slices.Sorted(maps.Keys(groups)) {
		args := Args{"rg": path.Base(scope), "resources": slices.Compact(slices.Sorted(slices.Values(groups[scope])))}
		st := Statement{Key: "guardrails.platform-none", Promise: PromiseControls, Gap: true, Args: args}
		for _, a := range f.byKind[typePolicyAssign] {
			if strings.EqualFold(a.String("scope"), scope) && a.String("policyAssignmentName") == "kpax-guardrails" && a.String("enforcementMode") != "DoNotEnforce" {
				st = Statement{Key: "guardrails.platform", Promise: PromiseControls, Args: args}
			}
		}
		out = append(out, st)
	}
	return out
}

// tenantGroup is the tenant's own resource group.
func (f *facts) tenantGroup() string {
	for _, g := range f.mine["azure-native:resources:ResourceGroup"] {
		return g.String("resourceGroupName")
	}
	return ""
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
	for _, s := range slices.Sorted(maps.Keys(bySet)) {
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
