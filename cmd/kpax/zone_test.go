package main

import (
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/rules"
	"github.com/kpax/kpax-cloud/spec"
)

// TestEveryZoneCanFail removes each zone of each landed stack in turn from
// the plan, and shows that every tenant with compute keeps a working
// compute, database, storage, gateway and egress.
func TestEveryZoneCanFail(t *testing.T) {
	proj, err := spec.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range proj.Regions {
		stack := spec.StampStackName(r.Name, 1)
		p, err := program.Plan(root, stack)
		if err != nil {
			t.Fatal(err)
		}
		tenants := 0
		for _, zone := range r.Zones {
			got, err := rules.ZoneLoss(p, proj, r.Name, zone)
			if err != nil {
				t.Fatal(err)
			}
			tenants = len(got)
			for _, s := range got {
				for _, part := range rules.Parts {
					if why, broken := s.Broken[part]; broken {
						t.Errorf("%s without zone %s: tenant %s has no working %s: %s", stack, zone, s.Tenant, part, why)
					}
				}
			}
		}
		if tenants == 0 {
			t.Errorf("%s: no tenant with compute to check", stack)
		}
	}
}

// The mutations the zone and isolation promises must catch, on the landed
// fr plan: a NAT gateway pinned to one zone on the tenants' egress, and two
// container tenants in one environment.
func TestZoneAndIsolationMutations(t *testing.T) {
	proj, err := spec.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	base, err := program.Plan(root, "prod-fr")
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(p *plan.Plan)) *plan.Plan {
		p := *base
		p.Resources = nil
		for _, r := range base.Resources {
			c := *r
			c.Inputs = deepCopy(r.Inputs).(map[string]any)
			p.Resources = append(p.Resources, &c)
		}
		f(&p)
		return &p
	}
	find := func(p *plan.Plan, typ, name string) *plan.Resource {
		for _, r := range p.Resources {
			if plan.Unversioned(r.Type) == typ && r.Name == name {
				return r
			}
		}
		// A missing resource reads as an empty one: the mutation then
		// makes no violation, and the subtest says so.
		return &plan.Resource{Inputs: map[string]any{}}
	}
	for _, tc := range []struct {
		name, rule, words string
		give              func(p *plan.Plan)
	}{
		{"a zonal NAT gateway on the environments' and VMs' subnets", rules.RuleZoneFailure, "no working egress", func(p *plan.Plan) {
			nat := &plan.Resource{Type: "azure-native:network:NatGateway", Name: "region-fr-nat", Custom: true,
				URN: "urn:pulumi:prod-fr::kpax-cloud::azure-native:network:NatGateway::region-fr-nat",
				ID:  "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.Network/natGateways/ng-kpax-fr",
				Inputs: map[string]any{"natGatewayName": "ng-kpax-fr", "zones": []any{"1"}, "sku": map[string]any{"name": "Standard"},
					"location": "francecentral", "resourceGroupName": "rg-kpax-fr-platform"}}
			p.Resources = append(p.Resources, nat)
			for _, r := range p.Resources {
				if plan.Unversioned(r.Type) == "azure-native:network:Subnet" {
					if n := r.String("subnetName"); n == "snet-vms" || strings.HasPrefix(n, "snet-env-") {
						r.Inputs["natGateway"] = map[string]any{"id": nat.ID}
					}
				}
			}
		}},
		{"two container tenants in one environment", rules.RuleIsolation, "share the Container Apps environment", func(p *plan.Plan) {
			acme := find(p, "azure-native:app:ContainerApp", "acme-app")
			find(p, "azure-native:app:ContainerApp", "atelier-nord-app").Inputs["environmentId"] = acme.Inputs["environmentId"]
		}},
		{"a container tenant on the Consumption profile", rules.RuleIsolation, "Consumption", func(p *plan.Plan) {
			find(p, "azure-native:app:ContainerApp", "acme-app").Inputs["workloadProfileName"] = "Consumption"
		}},
		{"a tenant environment that admits another tenant's subnet", rules.RuleLateralTraffic, "tenants' environments never reach each other", func(p *plan.Plan) {
			var other string
			for _, r := range p.Resources {
				if strings.HasPrefix(r.String("subnetName"), "snet-env-atelier-nord-") {
					other = r.String("addressPrefix")
				}
			}
			nsg := find(p, "azure-native:network:NetworkSecurityGroup", "region-fr-nsg-env-acme")
			rules := nsg.Inputs["securityRules"].([]any)
			nsg.Inputs["securityRules"] = append(rules, map[string]any{"name": "allow-peer", "priority": 300.0, "direction": "Inbound", "access": "Allow",
				"protocol": "Tcp", "sourceAddressPrefix": other, "destinationAddressPrefix": "*", "destinationPortRange": "443"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			found := false
			var got []string
			for _, v := range rules.Check(mutate(tc.give), proj, "fr") {
				got = append(got, v.String())
				found = found || (v.Rule == tc.rule && strings.Contains(v.Message, tc.words))
			}
			if !found {
				t.Errorf("no [%s] violation with %q; got:\n%s", tc.rule, tc.words, strings.Join(got, "\n"))
			}
		})
	}
}

// deepCopy copies a plan's JSON-like inputs, so that a mutation stays in its
// copy.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
