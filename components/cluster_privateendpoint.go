// Private endpoints of the platform's own resources (Key Vault, SQL servers)
// in the endpoints subnet, with their DNS zone groups. Promise: data services
// have no public access.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// privateEndpoint connects a cluster resource to the endpoints subnet and
// registers it in its private DNS zone. part names the endpoint (one per
// target), group is the target's private link subresource.
// It returns the endpoint, which sits on the target's scope.
func (b *clusterBuilder) privateEndpoint(part, group string, target pulumi.StringInput, zoneKey string) (*network.PrivateEndpoint, error) {
	name := clusterPrivateEndpointName(b.key, part)
	pe, err := network.NewPrivateEndpoint(b.ctx, b.name+"-pe-"+part, &network.PrivateEndpointArgs{
		PrivateEndpointName:        pulumi.String(name),
		ResourceGroupName:          b.rg.Name,
		Location:                   b.location,
		Subnet:                     &network.SubnetTypeArgs{Id: b.subnetIDs[subnetEndpoints]},
		CustomNetworkInterfaceName: pulumi.String("nic-" + name),
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{
			network.PrivateLinkServiceConnectionArgs{
				Name:                 pulumi.String(name),
				PrivateLinkServiceId: target,
				GroupIds:             pulumi.StringArray{pulumi.String(group)},
			},
		},
		Tags: b.tags("private-endpoint"),
	}, b.child()...)
	if err != nil {
		return nil, err
	}
	_, err = network.NewPrivateDnsZoneGroup(b.ctx, b.name+"-pe-"+part+"-dns", &network.PrivateDnsZoneGroupArgs{
		PrivateDnsZoneGroupName: pulumi.String("default"),
		PrivateEndpointName:     pe.Name,
		ResourceGroupName:       b.rg.Name,
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{
			network.PrivateDnsZoneConfigArgs{
				Name:             pulumi.String(zoneKey),
				PrivateDnsZoneId: b.privateZones[zoneKey].ID().ToStringOutput(),
			},
		},
	}, b.child()...)
	return pe, err
}
