// The VNet's layout: which subnet takes which CIDR of a stamp's address
// space. Pure arithmetic, no resources; validation and the NSG rules use it.

package components

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/kpax/kpax-cloud/spec"
)

// Subnet keys: the parts of the VNet, in creation order.
const (
	subnetGateway   = "gateway"
	subnetBastion   = "bastion"
	subnetApps      = "apps"
	subnetVMs       = "vms"
	subnetEndpoints = "endpoints"
	subnetOps       = "ops"
	// subnetEnvironments is the range of the container tenants' own
	// environment subnets; each tenant's is tenantEnvironmentSubnetKey.
	subnetEnvironments = "environments"
)

// subnetPlan is the VNet's layout: one CIDR per subnet, derived from the
// region's address space.
type subnetPlan struct {
	Apps, VMs, Endpoints, Gateway, Bastion, Ops string
	// Environments is the range the container tenants' environment
	// subnets are cut from, one /26 per slot (spec.ContainerSpec.Slot).
	Environments string
}

// plannedSubnet is one subnet of a plan, with its Azure name.
type plannedSubnet struct {
	Key, Name, Prefix string
	// Tenant is set on a container tenant's own environment subnet.
	Tenant *spec.Tenant
}

// all lists the plan's subnets in creation order.
func (p subnetPlan) all() []plannedSubnet {
	return []plannedSubnet{
		{subnetGateway, "snet-gateway", p.Gateway, nil},
		{subnetBastion, "AzureBastionSubnet", p.Bastion, nil},
		{subnetApps, "snet-apps", p.Apps, nil},
		{subnetVMs, "snet-vms", p.VMs, nil},
		{subnetEndpoints, "snet-endpoints", p.Endpoints, nil},
		{subnetOps, "snet-ops", p.Ops, nil},
	}
}

// environmentSubnetBits is the size of a tenant's environment subnet
// (spec.EnvironmentSubnetBits says why a /26).
const environmentSubnetBits = spec.EnvironmentSubnetBits

// tenantEnvironments lists the subnets of the container tenants that have
// an environment, by slot: the slot-th /26 of the environments range.
func (p subnetPlan) tenantEnvironments(ts []*spec.Tenant) ([]plannedSubnet, error) {
	rng, err := netip.ParsePrefix(p.Environments)
	if err != nil {
		return nil, fmt.Errorf("environments range %q: %w", p.Environments, err)
	}
	slots := 1 << (environmentSubnetBits - rng.Bits())
	a4 := rng.Addr().As4()
	base := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
	var out []plannedSubnet
	taken := map[int]string{}
	for _, t := range ts {
		if !hasEnvironment(t) {
			continue
		}
		slot := t.Container.Slot
		if slot < 0 || slot >= slots {
			return nil, fmt.Errorf("tenant %q: container.slot %d is outside 0-%d", t.Name, slot, slots-1)
		}
		if other, dup := taken[slot]; dup {
			return nil, fmt.Errorf("tenants %q and %q both hold container.slot %d", other, t.Name, slot)
		}
		taken[slot] = t.Name
		start := base + uint32(slot)<<(32-environmentSubnetBits)
		addr := netip.AddrFrom4([4]byte{byte(start >> 24), byte(start >> 16), byte(start >> 8), byte(start)})
		out = append(out, plannedSubnet{
			Key: tenantEnvironmentSubnetKey(t),
			// The slot is in the name: a new slot is a new subnet (Azure
			// refuses to change the range of a subnet in use), which the
			// tenant's environment then moves to.
			Name:   fmt.Sprintf("snet-env-%s-%d", t.Name, slot),
			Prefix: netip.PrefixFrom(addr, environmentSubnetBits).String(),
			Tenant: t,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// tenantEnvironmentSubnetKey keys a tenant's environment subnet (and its
// NSG) among the VNet's subnets.
func tenantEnvironmentSubnetKey(t *spec.Tenant) string { return "env-" + t.Name }

// subnetLayout places each subnet in the first /16 of the address space:
// a prefix length and the index of the block of that size, counted from the
// start of the space. Sizes, with Azure's minimums:
//   - apps /21: the former shared environment of all container tenants.
//     Retired (each tenant has an environment of its own since), kept
//     empty so that the move stays a change of compute only; a later
//     change removes it.
//   - vms /21: every tenant VM's NIC.
//   - endpoints /22: three private endpoints per tenant (SQL, blob, file).
//   - gateway /24: Application Gateway v2 asks for a dedicated /24 so that
//     autoscaling to its maximum never runs out of addresses.
//   - bastion /26: the minimum for AzureBastionSubnet (Standard SKU).
//   - ops /27: the operators' jobs environment; /27 is the minimum for a
//     workload profiles environment (learn.microsoft.com/azure/container-apps/custom-virtual-networks).
//   - environments /19 (x.x.32.0): spec.EnvironmentSlots /26s, one per
//     container tenant's own environment.
//
// The rest of the /16 (x.x.21.96 onwards) is free for later subnets. Changing
// an entry moves a subnet, which Azure refuses while it is in use: add
// entries, never edit them.
var subnetLayout = []struct {
	key   string
	bits  int
	index uint32
}{
	{subnetApps, 21, 0},         // x.x.0.0/21
	{subnetVMs, 21, 1},          // x.x.8.0/21
	{subnetEndpoints, 22, 4},    // x.x.16.0/22
	{subnetGateway, 24, 20},     // x.x.20.0/24
	{subnetBastion, 26, 84},     // x.x.21.0/26
	{subnetOps, 27, 170},        // x.x.21.64/27
	{subnetEnvironments, 19, 1}, // x.x.32.0/19
}

// deriveSubnets computes the subnet plan of an IPv4 address space of /16 or
// larger (for a larger space, the first /16 is used).
func deriveSubnets(addressSpace string) (subnetPlan, error) {
	prefix, err := netip.ParsePrefix(addressSpace)
	if err != nil {
		return subnetPlan{}, fmt.Errorf("address space %q: %w", addressSpace, err)
	}
	if !prefix.Addr().Is4() {
		return subnetPlan{}, fmt.Errorf("address space %q: must be IPv4", addressSpace)
	}
	if prefix.Masked() != prefix {
		return subnetPlan{}, fmt.Errorf("address space %q: host bits are set (did you mean %s?)", addressSpace, prefix.Masked())
	}
	if prefix.Bits() > 16 {
		return subnetPlan{}, fmt.Errorf("address space %q: must be a /16 or larger", addressSpace)
	}
	a4 := prefix.Addr().As4()
	base := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
	cidr := map[string]string{}
	for _, l := range subnetLayout {
		start := base + l.index<<(32-l.bits)
		addr := netip.AddrFrom4([4]byte{byte(start >> 24), byte(start >> 16), byte(start >> 8), byte(start)})
		cidr[l.key] = netip.PrefixFrom(addr, l.bits).String()
	}
	return subnetPlan{
		Apps:         cidr[subnetApps],
		VMs:          cidr[subnetVMs],
		Endpoints:    cidr[subnetEndpoints],
		Gateway:      cidr[subnetGateway],
		Bastion:      cidr[subnetBastion],
		Ops:          cidr[subnetOps],
		Environments: cidr[subnetEnvironments],
	}, nil
}
