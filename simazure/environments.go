// Container Apps environments: one environment to a subnet, and apps only on
// the workload profiles their environment has.

package simazure

import (
	"strings"
)

var (
	// RuleEnvironmentSubnet: an environment's infrastructure subnet is its
	// own; a second environment on it is refused. "The subnet you use for
	// an environment must be dedicated to it and can't be used by other
	// services" (learn.microsoft.com/azure/container-apps/custom-virtual-networks).
	RuleEnvironmentSubnet = Rule{"environment-subnet", "simulated:ManagedEnvironmentSubnetInUse",
		"https://learn.microsoft.com/azure/container-apps/custom-virtual-networks (a subnet dedicated to one environment)"}
	// RuleWorkloadProfile: an app runs on one of its environment's workload
	// profiles, named by workloadProfileName.
	RuleWorkloadProfile = Rule{"workload-profile", "simulated:WorkloadProfileNotFound",
		"https://learn.microsoft.com/azure/container-apps/workload-profiles-manage-cli (an app is placed on a profile of its environment)"}
	// RuleSubnetInUse: the address range of a subnet that holds resources
	// (an environment, a NIC, a private endpoint) cannot change.
	RuleSubnetInUse = Rule{"subnet-in-use", "InUseSubnetCannotBeUpdated",
		"https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet#change-subnet-settings (the address range of a subnet with resources in it cannot change)"}
)

// checkSubnetRange refuses a new address range for a subnet that another
// resource refers to.
func checkSubnetRange(all []*Record, cur, next *Record) error {
	if cur == nil || cur.String("addressPrefix") == next.String("addressPrefix") {
		return nil
	}
	id := strings.ToLower(cur.ID)
	for _, r := range all {
		if r.ID == cur.ID || r.Type == typeNSG {
			continue
		}
		if strings.Contains(strings.ToLower(string(r.Inputs)), id) {
			return refuse(RuleSubnetInUse, "subnet %s holds %s: its range %s cannot become %s", cur.ID, r.ID, cur.String("addressPrefix"), next.String("addressPrefix"))
		}
	}
	return nil
}

// checkEnvironmentSubnet refuses a new environment on a subnet another
// environment holds.
func checkEnvironmentSubnet(all []*Record, env *Record) error {
	subnet := strings.ToLower(env.String("vnetConfiguration.infrastructureSubnetId"))
	if subnet == "" {
		return nil
	}
	for _, r := range all {
		if r.Type == typeEnvironment && r.ID != env.ID && strings.ToLower(r.String("vnetConfiguration.infrastructureSubnetId")) == subnet {
			return refuse(RuleEnvironmentSubnet, "subnet %s already holds environment %s: an environment's subnet is its own", subnet, r.ID)
		}
	}
	return nil
}

// checkWorkloadProfile refuses an app on a profile its environment lacks.
func checkWorkloadProfile(all []*Record, app *Record) error {
	name := app.String("workloadProfileName")
	envID := strings.ToLower(app.String("environmentId"))
	if name == "" || envID == "" {
		return nil
	}
	for _, r := range all {
		if r.Type != typeEnvironment || strings.ToLower(r.ID) != envID {
			continue
		}
		profiles, _ := lookup(r.Plain(), "workloadProfiles").([]any)
		var have []string
		for _, p := range profiles {
			n, _ := lookup(p, "name").(string)
			if n == name {
				return nil
			}
			have = append(have, n)
		}
		return refuse(RuleWorkloadProfile, "environment %s has no workload profile %q (it has %v)", r.ID, name, have)
	}
	return nil
}
