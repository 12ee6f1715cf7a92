// The region's DNS: its public zone (tenants' URLs), the private-link zones
// private endpoints register in, and their links to the VNet. Promise: data
// services resolve to private addresses only.

package components

import (
	"sort"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// clusterPrivateDNSZones are the private-link zones tenants' private
// endpoints register in, by Platform.PrivateDNSZoneIDs key.
var clusterPrivateDNSZones = map[string]string{
	"sqlServer": "privatelink.database.windows.net",
	"blob":      "privatelink.blob.core.windows.net",
	"file":      "privatelink.file.core.windows.net",
	"vault":     "privatelink.vaultcore.azure.net",
}

// privateDNS builds the private-link zones, linked to the VNet.
func (b *clusterBuilder) privateDNS() error {
	b.privateZones = map[string]*network.PrivateZone{}
	b.c.Platform.PrivateDNSZoneIDs = map[string]pulumi.StringOutput{}
	keys := make([]string, 0, len(clusterPrivateDNSZones))
	for k := range clusterPrivateDNSZones {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		zone, _, err := b.privateZone("pdns-"+key, pulumi.String(clusterPrivateDNSZones[key]))
		if err != nil {
			return err
		}
		b.privateZones[key] = zone
		b.c.Platform.PrivateDNSZoneIDs[key] = zone.ID().ToStringOutput()
	}
	return nil
}

// privateZone is a private DNS zone linked to the VNet for resolution only
// (no auto-registration: records come from private endpoints or are
// declared).
func (b *clusterBuilder) privateZone(part string, zoneName pulumi.StringInput) (*network.PrivateZone, *network.VirtualNetworkLink, error) {
	zone, err := network.NewPrivateZone(b.ctx, b.name+"-"+part, &network.PrivateZoneArgs{
		PrivateZoneName:   zoneName,
		ResourceGroupName: b.rg.Name,
		Location:          pulumi.String("global"),
		Tags:              b.tags("dns"),
	}, b.child()...)
	if err != nil {
		return nil, nil, err
	}
	link, err := network.NewVirtualNetworkLink(b.ctx, b.name+"-"+part+"-link", &network.VirtualNetworkLinkArgs{
		VirtualNetworkLinkName: pulumi.String(clusterVNetName(b.key)),
		PrivateZoneName:        zone.Name,
		ResourceGroupName:      b.rg.Name,
		Location:               pulumi.String("global"),
		RegistrationEnabled:    pulumi.Bool(false),
		VirtualNetwork:         &network.SubResourceArgs{Id: b.vnet.ID().ToStringOutput()},
		Tags:                   b.tags("dns"),
	}, b.child()...)
	if err != nil {
		return nil, nil, err
	}
	return zone, link, nil
}

// publicDNS is the region's public zone; tenants add their records to it.
// Diagnostic settings are left out for DNS zones: they only have metrics,
// which Azure Monitor keeps without a setting.
func (b *clusterBuilder) publicDNS() error {
	b.c.Platform.DNSZoneName = b.region.DNSZone
	b.c.Platform.DNSZoneResourceGroupName = platformResourceGroupName(b.region.Name)
	if b.stamp > 1 {
		// One zone per region, delegated once: stamp 1 owns it, and later
		// stamps write their tenants' records into it by name, through a
		// provider for stamp 1's subscription when theirs is another.
		b.c.DNSZoneName = pulumi.String(b.region.DNSZone).ToStringOutput()
		// Stamp 1 signs the zone and exports its DS records.
		b.c.DNSDelegationSigner = pulumi.StringArray{}.ToStringArrayOutput()
		if b.dnsSubscriptionID != "" {
			provider, err := azurenative.NewProvider(b.ctx, b.name+"-dns-provider", &azurenative.ProviderArgs{
				SubscriptionId: pulumi.StringPtr(b.dnsSubscriptionID),
			}, b.child()...)
			if err != nil {
				return err
			}
			b.c.Platform.DNSProvider = provider
		}
		return nil
	}
	zone, err := network.NewZone(b.ctx, b.name+"-dns", &network.ZoneArgs{
		ZoneName:          pulumi.String(b.region.DNSZone),
		ResourceGroupName: b.rg.Name,
		Location:          pulumi.String("global"),
		ZoneType:          network.ZoneTypePublic,
		Tags:              b.tags("dns"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.DNSZoneName = zone.Name
	b.c.Platform.DNSZone = zone
	return b.dnssec(zone)
}

// dnssec signs the region's public zone: Azure DNS creates and rotates the
// signing keys itself and answers with the delegation signer (DS) records,
// which the operators enter at the parent zone's registrar; until they do,
// resolvers treat the zone as unsigned, and nothing breaks
// (learn.microsoft.com/azure/dns/dnssec: a signed zone validates through
// the DS record its parent zone holds). The DS records are a stack output
// (dnssecDsRecords, README "DNSSEC"). Unsigning later needs the DS record
// removed at the registrar first, or the zone stops resolving for
// validating resolvers (the order every DNSSEC host documents, e.g.
// docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec-disable.html).
func (b *clusterBuilder) dnssec(zone *network.Zone) error {
	cfg, err := network.NewDnssecConfig(b.ctx, b.name+"-dnssec", &network.DnssecConfigArgs{
		ZoneName:          zone.Name,
		ResourceGroupName: b.rg.Name,
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.DNSDelegationSigner = cfg.SigningKeys.ApplyT(func(keys []network.SigningKeyResponse) []string {
		out := []string{}
		for _, k := range keys {
			for _, ds := range k.DelegationSignerInfo {
				out = append(out, ds.Record)
			}
		}
		sort.Strings(out)
		return out
	}).(pulumi.StringArrayOutput)
	return nil
}
