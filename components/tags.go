// The tags every resource carries: tenant, region, tier, managed-by.

package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

// managedBy marks every resource this program owns, so that anything in the
// subscription without it is known to be hand-made.
const managedBy = "kpax-cloud"

// regionTags are the tags of a regional cluster's resources.
func regionTags(r *spec.Region, component string) pulumi.StringMap {
	tags := pulumi.StringMap{}
	for k, v := range r.Tags {
		tags[k] = pulumi.String(v)
	}
	tags["region"] = pulumi.String(r.Name)
	tags["managed-by"] = pulumi.String(managedBy)
	tags["component"] = pulumi.String(component)
	return tags
}

// tenantTags are the tags of a tenant's resources. The fixed keys are set
// last so that a tenant's own tags cannot overwrite them.
func tenantTags(t *spec.Tenant) pulumi.StringMap {
	tags := pulumi.StringMap{}
	for k, v := range t.Tags {
		tags[k] = pulumi.String(v)
	}
	tags["tenant"] = pulumi.String(t.Name)
	tags["region"] = pulumi.String(t.Region)
	tags["tier"] = pulumi.String(string(t.Tier))
	tags["runtime"] = pulumi.String(string(t.Runtime))
	tags["managed-by"] = pulumi.String(managedBy)
	return tags
}
