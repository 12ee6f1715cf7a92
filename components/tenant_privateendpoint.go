// Private endpoints of a tenant's own resources (blob, file, vault) with
// their DNS zone groups. Promise: data services have no public access.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// privateEndpoint connects one subresource of a tenant resource to the
// region's private-endpoint subnet and registers it in the matching private
// DNS zone, so that the name resolves to the private address in the VNet.
// It returns the endpoint (which sits on the target's scope) and its DNS
// registration (what a client of the target must wait for).
func (b *tenantBuilder) privateEndpoint(subresource string, target pulumi.StringInput, dnsZoneKey string) (*network.PrivateEndpoint, *network.PrivateDnsZoneGroup, error) {
	return b.privateEndpointAs(subresource, subresource, target, dnsZoneKey)
}

// privateEndpointAs is privateEndpoint under a key of its own, for a second
// resource with the same subresource (the blob copy's account beside the
// tenant's own).
func (b *tenantBuilder) privateEndpointAs(key, subresource string, target pulumi.StringInput, dnsZoneKey string) (*network.PrivateEndpoint, *network.PrivateDnsZoneGroup, error) {
	name := tenantPrivateEndpointName(b.t, key)
	pe, err := network.NewPrivateEndpoint(b.ctx, b.name+"-pe-"+key, &network.PrivateEndpointArgs{
		PrivateEndpointName:        pulumi.String(name),
		ResourceGroupName:          b.rg.Name,
		Location:                   b.location,
		Subnet:                     &network.SubnetTypeArgs{Id: b.p.EndpointSubnetID},
		CustomNetworkInterfaceName: pulumi.String("nic-" + name),
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{
			network.PrivateLinkServiceConnectionArgs{
				Name:                 pulumi.String(name),
				PrivateLinkServiceId: target,
				GroupIds:             pulumi.StringArray{pulumi.String(subresource)},
			},
		},
		Tags: b.tags,
	}, b.child()...)
	if err != nil {
		return nil, nil, err
	}
	group, err := network.NewPrivateDnsZoneGroup(b.ctx, b.name+"-pe-"+key+"-dns", &network.PrivateDnsZoneGroupArgs{
		PrivateDnsZoneGroupName: pulumi.String("default"),
		PrivateEndpointName:     pe.Name,
		ResourceGroupName:       b.rg.Name,
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{
			network.PrivateDnsZoneConfigArgs{
				Name:             pulumi.String(dnsZoneKey),
				PrivateDnsZoneId: b.p.PrivateDNSZoneIDs[dnsZoneKey],
			},
		},
	}, b.child()...)
	return pe, group, err
}
