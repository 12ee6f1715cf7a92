// The container tenants' own environments: internal, zone redundant, on a
// Dedicated profile, each in a subnet of its own.

package components

import (
	"fmt"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func TestClusterTenantEnvironments(t *testing.T) {
	tenants := clusterTestTenants("fr") // an active and a suspended container tenant
	cr := runCluster(t, clusterTestRegion("fr"), tenants)
	subnets, err := cr.subnets().tenantEnvironments(tenants)
	if err != nil {
		t.Fatal(err)
	}
	if len(subnets) != 2 {
		t.Fatalf("%d tenant environment subnets, want one per container tenant with compute (2)", len(subnets))
	}
	envSubnetIDs := map[string]bool{}
	for _, s := range subnets {
		tn := s.Tenant
		subnet := cr.get(t, ctSubnet, cr.n("snet-"+s.Key))
		check(t, subnet, "subnetName", fmt.Sprintf("snet-env-%s-%d", tn.Name, tn.Container.Slot))
		check(t, subnet, "addressPrefix", s.Prefix)
		check(t, subnet, "delegations.0.serviceName", "Microsoft.App/environments")
		if subnet.Get("natGateway") != nil {
			t.Errorf("%s: a NAT gateway on an environment subnet (the environment has its own egress)", s.Name)
		}
		if envSubnetIDs[subnet.ID] {
			t.Errorf("%s: subnet shared", s.Name)
		}
		envSubnetIDs[subnet.ID] = true

		env := cr.get(t, ctEnv, cr.n("cae-"+tn.Name))
		check(t, env, "environmentName", "cae-"+tn.Name)
		check(t, env, "infrastructureResourceGroup", "rg-kpax-fr-"+tn.Name+"-cae-infra")
		check(t, env, "zoneRedundant", true)
		check(t, env, "vnetConfiguration.internal", true)
		check(t, env, "vnetConfiguration.infrastructureSubnetId", subnet.ID)
		profile, err := spec.ProfileFor(tn, 3)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(list(env, "workloadProfiles")); got != 1 {
			t.Errorf("%s: %d workload profiles, want the Dedicated one alone (no Consumption profile to share)", tn.Name, got)
		}
		check(t, env, "workloadProfiles.0.name", dedicatedProfile)
		check(t, env, "workloadProfiles.0.workloadProfileType", "D4")
		check(t, env, "workloadProfiles.0.minimumCount", float64(profile.MinNodes))
		check(t, env, "workloadProfiles.0.maximumCount", float64(profile.MaxNodes))
		// Logs through Azure Monitor: a diagnostic setting to the
		// workspace, and no shared key anywhere (the workspace refuses it).
		check(t, env, "appLogsConfiguration.destination", "azure-monitor")
		if got := env.Get("appLogsConfiguration.logAnalyticsConfiguration"); got != nil {
			t.Errorf("appLogsConfiguration.logAnalyticsConfiguration = %v, want none", got)
		}
		// The subnet and zone redundancy are fixed at creation: a change
		// replaces the environment, the old one first (same name).
		if !containsString(env.ReplaceOnChanges, "vnetConfiguration") || !env.DeleteBeforeReplace {
			t.Errorf("%s: replaceOnChanges %v, deleteBeforeReplace %v", tn.Name, env.ReplaceOnChanges, env.DeleteBeforeReplace)
		}
		if tn.State == spec.StateSuspended && profile.MinNodes != 0 {
			t.Errorf("%s: a suspended tenant keeps %d nodes", tn.Name, profile.MinNodes)
		}

		// The private zone of the environment's default domain resolves
		// the app to the environment's static IP.
		zone := cr.get(t, ctPZone, cr.n("cae-dns-"+tn.Name))
		if dd := cr.out("environment/" + tn.Name + "/defaultDomain"); dd == "" || zone.String("privateZoneName") != dd {
			t.Errorf("%s: private zone %q, environment domain %q", tn.Name, zone.String("privateZoneName"), dd)
		}
		record := cr.get(t, ctPRecord, cr.n("cae-dns-wildcard-"+tn.Name))
		check(t, record, "relativeRecordSetName", "*")
		check(t, record, "recordType", "A")
		link := cr.get(t, ctLink, cr.n("cae-dns-"+tn.Name+"-link"))
		check(t, link, "virtualNetwork.id", cr.get(t, ctVNet, cr.n("vnet")).ID)
	}
	for _, e := range cr.plan.OfType(ctEnv) {
		var diag *plan.Resource
		for _, d := range cr.plan.OfType(ctDiag) {
			if d.String("resourceUri") == e.ID {
				diag = d
			}
		}
		if diag == nil {
			t.Errorf("environment %s: no diagnostic setting", e.Name)
			continue
		}
		check(t, diag, "workspaceId", cr.get(t, ctWorkspace, cr.n("log")).ID)
		check(t, diag, "logs.0.categoryGroup", "allLogs")
		check(t, diag, "logs.0.enabled", true)
	}
	// Only the operators' environment runs Consumption, and holds no tenant.
	for _, env := range cr.plan.OfType(ctEnv) {
		if env.String("workloadProfiles.0.workloadProfileType") == "Consumption" && env.String("environmentName") != "cae-kpax-fr-ops" {
			t.Errorf("%s runs the shared Consumption profile", env.Name)
		}
	}
}

// A tenant whose replicas cannot fit one environment's subnet is refused.
func TestProfileForLimits(t *testing.T) {
	tn := clusterTestTenant("fr", "frbig", spec.RuntimeContainer, spec.StateActive, 1, "02:00", 30)
	tn.Container.Replicas, tn.Container.CPU = 30, 2
	if _, err := spec.ProfileFor(tn, 3); err == nil {
		t.Errorf("30 replicas of 2 vCPU fit a /26 environment")
	}
	tn.Container.Replicas, tn.Container.CPU = 2, 0.5
	p, err := spec.ProfileFor(tn, 3)
	if err != nil || p.MinNodes != 2 || p.Type != "D4" {
		t.Errorf("2 replicas of 0.5 vCPU: %+v, %v; want 2 D4 nodes (one per zone the replicas use)", p, err)
	}
}
