// The VNet's layout: which subnet takes which CIDR of a stamp's address
// space. Pure arithmetic, no resources; validation and the NSG rules use it.

package components

import (
	"fmt"
	"net/netip"
)

// Subnet keys: the parts of the VNet, in creation order.
const (
	subnetGateway   = "gateway"
	subnetBastion   = "bastion"
	subnetApps      = "apps"
	subnetVMs       = "vms"
	subnetEndpoints = "endpoints"
	subnetOps       = "ops"
)

// subnetPlan is the VNet's layout: one CIDR per subnet, derived from the
// region's address space.
type subnetPlan struct {
	Apps, VMs, Endpoints, Gateway, Bastion, Ops string
}

// plannedSubnet is one subnet of a plan, with its Azure name.
type plannedSubnet struct {
	Key, Name, Prefix string
}

// all lists the plan's subnets in creation order.
func (p subnetPlan) all() []plannedSubnet {
	return []plannedSubnet{
		{subnetGateway, "snet-gateway", p.Gateway},
		{subnetBastion, "AzureBastionSubnet", p.Bastion},
		{subnetApps, "snet-apps", p.Apps},
		{subnetVMs, "snet-vms", p.VMs},
		{subnetEndpoints, "snet-endpoints", p.Endpoints},
		{subnetOps, "snet-ops", p.Ops},
	}
}

// subnetLayout places each subnet in the first /16 of the address space:
// a prefix length and the index of the block of that size, counted from the
// start of the space. Sizes, with Azure's minimums:
//   - apps /21 (2048): a workload-profiles environment needs at least a
//     /27, but every Consumption replica takes an address of the subnet;
//     /21 leaves room for maxTenants tenants with several replicas each.
//   - vms /21: every tenant VM's NIC.
//   - endpoints /22: three private endpoints per tenant (SQL, blob, file).
//   - gateway /24: Application Gateway v2 asks for a dedicated /24 so that
//     autoscaling to its maximum never runs out of addresses.
//   - bastion /26: the minimum for AzureBastionSubnet (Standard SKU).
//   - ops /27: the operators' jobs environment; /27 is the minimum for a
//     workload profiles environment (learn.microsoft.com/azure/container-apps/custom-virtual-networks).
//
// The rest of the /16 (x.x.21.96 onwards) is free for later subnets. Changing
// an entry moves a subnet, which Azure refuses while it is in use: add
// entries, never edit them.
var subnetLayout = []struct {
	key   string
	bits  int
	index uint32
}{
	{subnetApps, 21, 0},      // x.x.0.0/21
	{subnetVMs, 21, 1},       // x.x.8.0/21
	{subnetEndpoints, 22, 4}, // x.x.16.0/22
	{subnetGateway, 24, 20},  // x.x.20.0/24
	{subnetBastion, 26, 84},  // x.x.21.0/26
	{subnetOps, 27, 170},     // x.x.21.64/27
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
		Apps:      cidr[subnetApps],
		VMs:       cidr[subnetVMs],
		Endpoints: cidr[subnetEndpoints],
		Gateway:   cidr[subnetGateway],
		Bastion:   cidr[subnetBastion],
		Ops:       cidr[subnetOps],
	}, nil
}
