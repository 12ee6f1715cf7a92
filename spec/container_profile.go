// The Dedicated workload profile a container tenant's own environment runs
// on: which type, and how many nodes, from its replicas and CPU. Plain
// arithmetic, shared by validation (quotas), the components and the docs.

package spec

import (
	"fmt"
	"math"
)

// Facts of Azure Container Apps' Dedicated profiles and their subnets
// (learn.microsoft.com/azure/container-apps/workload-profiles-overview and
// .../custom-virtual-networks).
const (
	// DedicatedProfileType is the General Purpose profile a tenant
	// environment runs: D4, 4 vCPU and 16 GiB per node (General Purpose
	// profiles have 4 GiB per vCPU). The runtime "reserves some compute
	// resources" without a published figure, so a node is planned with one
	// vCPU less (DedicatedNodeUsableCores); a replica that does not fit
	// takes the next size, D8 (LargeProfileType).
	DedicatedProfileType     = "D4"
	DedicatedNodeCores       = 4
	DedicatedNodeUsableCores = 3.0
	LargeProfileType         = "D8"
	largeNodeCores           = 8
	// EnvironmentSubnetBits is a tenant environment's subnet, a /26: 64
	// addresses, less Azure's 5 and the environment's 12 (14 on a newer
	// page), one per node.
	EnvironmentSubnetBits = 26
	// MaxDedicatedNodes is what one tenant environment may scale to: the
	// /26's 45 node addresses (47 by the older count), halved because a
	// single-revision deployment runs the old and the new revision's nodes
	// side by side ("capacity is halved", the subnet page).
	MaxDedicatedNodes = 22
	// DedicatedCoresPerEnvironment: General Purpose cores one environment
	// may run by default (learn.microsoft.com/azure/container-apps/quotas);
	// a tenant's ceiling of nodes stays within it.
	DedicatedCoresPerEnvironment = 100
)

// DedicatedProfile sizes one tenant's Dedicated workload profile.
type DedicatedProfile struct {
	Type      string
	NodeCores int
	// MinNodes keep the tenant's floor of replicas running, spread over the
	// zones (never fewer nodes than zones the replicas could use), and
	// MaxNodes hold its scale-out ceiling.
	MinNodes, MaxNodes int
}

// Cores is the vCPUs the profile runs at its floor, which the region's
// Dedicated core quota holds.
func (p DedicatedProfile) Cores() int { return p.MinNodes * p.NodeCores }

// MaxContainerReplicas is the scale-out ceiling of a tenant's app: twice
// its floor, and at least two more.
func MaxContainerReplicas(replicas int) int { return max(replicas*2, replicas+2) }

// ProfileFor sizes the Dedicated profile of a container tenant with zones
// availability zones. A suspended tenant keeps no node.
func ProfileFor(t *Tenant, zones int) (DedicatedProfile, error) {
	c := t.Container
	if c == nil {
		return DedicatedProfile{}, fmt.Errorf("tenant %q has no container block", t.Name)
	}
	if c.CPU <= 0 {
		return DedicatedProfile{}, fmt.Errorf("container.cpu %g is not a size", c.CPU)
	}
	typ, cores := DedicatedProfileType, DedicatedNodeCores
	if c.CPU > DedicatedNodeUsableCores {
		typ, cores = LargeProfileType, largeNodeCores
	}
	perNode := max(int(math.Floor(float64(cores-1)/c.CPU)), 1)
	nodes := func(replicas int) int {
		return max((replicas+perNode-1)/perNode, min(replicas, zones))
	}
	p := DedicatedProfile{Type: typ, NodeCores: cores, MinNodes: nodes(c.Replicas), MaxNodes: nodes(MaxContainerReplicas(c.Replicas))}
	if t.State == StateSuspended {
		p.MinNodes = 0
	}
	if p.MaxNodes > MaxDedicatedNodes {
		return p, fmt.Errorf("%d replicas of %g vCPU scale out to %d %s nodes, more than the %d a tenant environment's /%d subnet holds", c.Replicas, c.CPU, p.MaxNodes, typ, MaxDedicatedNodes, EnvironmentSubnetBits)
	}
	if p.MaxNodes*cores > DedicatedCoresPerEnvironment {
		return p, fmt.Errorf("%d replicas of %g vCPU scale out to %d %s nodes, %d cores, more than the %d one environment may run", c.Replicas, c.CPU, p.MaxNodes, typ, p.MaxNodes*cores, DedicatedCoresPerEnvironment)
	}
	return p, nil
}
