// A tenant's URL: its A record in the region's public zone, pointing at the
// region's gateway.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// dependsOnZone makes the record wait for the zone when this stack creates
// it (its name is a plain value, so nothing else orders the two), and
// writes through the zone's subscription when that is another one.
func (b *tenantBuilder) dependsOnZone() []pulumi.ResourceOption {
	var opts []pulumi.ResourceOption
	if b.p.DNSZone != nil {
		opts = append(opts, pulumi.DependsOn([]pulumi.Resource{b.p.DNSZone}))
	}
	if b.p.DNSProvider != nil {
		opts = append(opts, pulumi.Provider(b.p.DNSProvider))
	}
	return opts
}

// dnsRecord publishes the tenant's URL: an A record in the region's zone
// pointing at the region gateway, which terminates TLS for the whole zone.
// A decommissioned tenant has no URL.
func (b *tenantBuilder) dnsRecord() error {
	if !b.t.HasCompute() {
		return nil
	}
	_, err := network.NewRecordSet(b.ctx, b.name+"-dns", &network.RecordSetArgs{
		ZoneName:              pulumi.String(b.p.DNSZoneName),
		ResourceGroupName:     pulumi.String(b.p.DNSZoneResourceGroupName),
		RelativeRecordSetName: pulumi.String(b.t.DNS.Hostname),
		RecordType:            pulumi.String("A"),
		Ttl:                   pulumi.Float64(dnsTTL),
		ARecords:              network.ARecordArray{network.ARecordArgs{Ipv4Address: b.p.GatewayPublicIPAddress}},
		// Record sets take metadata, not tags: the same keys, for the same use.
		Metadata: b.tags,
	}, b.child(b.dependsOnZone()...)...)
	return err
}
