package simazure

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Two tenants' environments on one subnet, and an app on a profile its
// environment does not have, are refused as Azure refuses them.
func TestEnvironmentSubnetAndProfile(t *testing.T) {
	s := newSim(t)
	s.group()
	subnet := "/subscriptions/x/resourceGroups/" + testRG + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-env-acme"
	env := func(name string) map[string]any {
		return map[string]any{"environmentName": name, "resourceGroupName": testRG,
			"vnetConfiguration": map[string]any{"infrastructureSubnetId": subnet},
			"workloadProfiles":  []any{map[string]any{"name": "dedicated", "workloadProfileType": "D4"}}}
	}
	acme := s.create(typeEnvironment, "cae-acme", env("cae-acme"))
	_, err := s.try(typeEnvironment, "cae-globex", env("cae-globex"))
	refusedBy(t, err, RuleEnvironmentSubnet, "a second environment on acme's subnet")

	_, err = s.try(typeContainerApp, "ca-acme", map[string]any{"containerAppName": "ca-acme", "resourceGroupName": testRG,
		"environmentId": acme, "workloadProfileName": "Consumption"})
	refusedBy(t, err, RuleWorkloadProfile, "an app on a profile its environment lacks")
}

// A subnet with an environment in it keeps its range; an empty one may change.
func TestSubnetInUseKeepsItsRange(t *testing.T) {
	s := newSim(t)
	s.group()
	subnet := func(prefix string) map[string]any {
		return map[string]any{"subnetName": "snet-env-acme-0", "virtualNetworkName": "vnet", "resourceGroupName": testRG, "addressPrefix": prefix}
	}
	update := func(id, from, to string) error {
		_, err := s.c.Update(Request{Type: typeSubnet, ID: id, Name: "snet", Inputs: resource.NewPropertyMapFromMap(subnet(to)),
			OldInputs: resource.NewPropertyMapFromMap(subnet(from))})
		return err
	}
	id := s.create(typeSubnet, "snet", subnet("10.0.32.0/26"))
	if err := update(id, "10.0.32.0/26", "10.0.32.64/26"); err != nil {
		t.Fatalf("an empty subnet's range: %v", err)
	}
	s.create(typeEnvironment, "cae-acme", map[string]any{"environmentName": "cae-acme", "resourceGroupName": testRG,
		"vnetConfiguration": map[string]any{"infrastructureSubnetId": id}})
	refusedBy(t, update(id, "10.0.32.64/26", "10.0.32.128/26"), RuleSubnetInUse, "the range of a subnet with an environment in it")
}
