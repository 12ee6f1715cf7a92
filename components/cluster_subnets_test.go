// The VNet layout derived from a stamp's address space.

package components

import (
	"net/netip"
	"strings"
	"testing"
)

func TestSubnetDerivation(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		want    subnetPlan
		wantErr string
	}{
		{
			name: "fr /16",
			give: "10.40.0.0/16",
			want: subnetPlan{Apps: "10.40.0.0/21", VMs: "10.40.8.0/21", Endpoints: "10.40.16.0/22", Gateway: "10.40.20.0/24", Bastion: "10.40.21.0/26", Ops: "10.40.21.64/27", Environments: "10.40.32.0/19"},
		},
		{
			name: "another /16",
			give: "172.20.0.0/16",
			want: subnetPlan{Apps: "172.20.0.0/21", VMs: "172.20.8.0/21", Endpoints: "172.20.16.0/22", Gateway: "172.20.20.0/24", Bastion: "172.20.21.0/26", Ops: "172.20.21.64/27", Environments: "172.20.32.0/19"},
		},
		{
			name: "larger space uses its first /16",
			give: "10.64.0.0/12",
			want: subnetPlan{Apps: "10.64.0.0/21", VMs: "10.64.8.0/21", Endpoints: "10.64.16.0/22", Gateway: "10.64.20.0/24", Bastion: "10.64.21.0/26", Ops: "10.64.21.64/27", Environments: "10.64.32.0/19"},
		},
		{name: "too small", give: "10.40.0.0/17", wantErr: "must be a /16 or larger"},
		{name: "host bits", give: "10.40.1.0/16", wantErr: "host bits are set"},
		{name: "ipv6", give: "fd00::/16", wantErr: "must be IPv4"},
		{name: "garbage", give: "ten.forty/16", wantErr: "address space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deriveSubnets(tt.give)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSubnetDerivationInvariants checks every region's plan against Azure's
// minimum sizes, containment in the address space, and overlaps.
func TestSubnetDerivationInvariants(t *testing.T) {
	maxBits := map[string]int{
		subnetApps:      27, // workload-profiles environment minimum
		subnetGateway:   24, // Application Gateway v2 recommendation
		subnetBastion:   26, // AzureBastionSubnet minimum
		subnetVMs:       24,
		subnetEndpoints: 24,
		subnetOps:       27, // workload-profiles environment minimum
	}
	for _, key := range clusterTestRegionKeys {
		r := clusterTestRegion(key)
		p, err := deriveSubnets(r.AddressSpace)
		if err != nil {
			t.Fatal(err)
		}
		space := netip.MustParsePrefix(r.AddressSpace)
		var prefixes []netip.Prefix
		for _, s := range p.all() {
			pre := netip.MustParsePrefix(s.Prefix)
			if !space.Contains(pre.Addr()) || pre.Bits() < space.Bits() {
				t.Errorf("%s: %s %s outside %s", key, s.Key, pre, space)
			}
			if pre.Bits() > maxBits[s.Key] {
				t.Errorf("%s: %s is a /%d, want /%d or larger", key, s.Key, pre.Bits(), maxBits[s.Key])
			}
			for _, q := range prefixes {
				if q.Overlaps(pre) {
					t.Errorf("%s: %s overlaps %s", key, pre, q)
				}
			}
			prefixes = append(prefixes, pre)
		}
		if p.all()[1].Name != "AzureBastionSubnet" {
			t.Errorf("Bastion's subnet must be named AzureBastionSubnet")
		}
	}
}
