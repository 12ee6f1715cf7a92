package simazure

import "testing"

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
