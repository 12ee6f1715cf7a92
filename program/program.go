// Package program is the Pulumi program of kpax-cloud: stack config -> the
// region's spec -> the regional cluster and one tenant component per tenant
// -> stack outputs. main.go and `kpax plan` both run it.
package program

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/kpax/kpax-cloud/components"
	"github.com/kpax/kpax-cloud/spec"
)

// Project is the Pulumi project name; config keys live in its namespace.
const Project = "kpax-cloud"

// ConfigRegion is the stack config key naming the stack's region.
const ConfigRegion = Project + ":region"

// ConfigStamp is the stack config key naming which of the region's stamps
// the stack deploys (default 1).
const ConfigStamp = Project + ":stamp"

// ConfigLocation is the azure-native provider's location key; a stack sets it
// to its region's location so that nothing can default elsewhere.
const ConfigLocation = "azure-native:location"

// Run is the program `pulumi up` runs: it reads the project files from the
// working directory, which the Pulumi CLI sets to the project root.
func Run(ctx *pulumi.Context) error {
	return Deploy(ctx, ".", ctx.Export)
}

// Deploy builds the stack from the project files under root and publishes
// its outputs through export.
func Deploy(ctx *pulumi.Context, root string, export func(string, pulumi.Input)) error {
	regionKey := config.Require(ctx, "region")
	stamp := config.GetInt(ctx, "stamp")
	if stamp == 0 {
		stamp = 1
	}
	// A stack only ever loads its own region's tenants.
	proj, err := spec.LoadRegion(root, regionKey)
	if err != nil {
		return fmt.Errorf("stack %s: %w", ctx.Stack(), err)
	}
	region, ok := proj.Regions[regionKey]
	if !ok {
		return fmt.Errorf("stack %s: %s is %q but regions/%s.yaml does not exist", ctx.Stack(), ConfigRegion, regionKey, regionKey)
	}
	if loc := config.Get(ctx, "azure-native:location"); loc != "" && loc != region.Location {
		return fmt.Errorf("stack %s: %s is %q but region %s is in %q", ctx.Stack(), ConfigLocation, loc, region.Name, region.Location)
	}
	// The production stacks are named after what they deploy; a stack
	// named for another stamp would build that stamp's names here.
	if want := spec.StampStackName(region.Name, stamp); strings.HasPrefix(ctx.Stack(), "prod-") && ctx.Stack() != want {
		return fmt.Errorf("stack %s: %s=%s and %s=%d belong to stack %s", ctx.Stack(), ConfigRegion, regionKey, ConfigStamp, stamp, want)
	}
	var tenants []*spec.Tenant
	for _, t := range proj.TenantsIn(regionKey) {
		if t.Stamp == stamp {
			tenants = append(tenants, t)
		}
	}
	opts := StampOptions{
		// Set only for a stamp in its own subscription.
		DNSSubscriptionID: config.Get(ctx, "dnsSubscriptionId"),
	}
	// The region's wildcard certificate, a secret of the stack's config
	// (docs/tls-certificate.md).
	if cert, err := config.TrySecret(ctx, ConfigTLSCertificate); err == nil {
		opts.TLSCertificate = cert
	}
	return DeployStamp(ctx, region, stamp, tenants, opts, export)
}

// ConfigTLSCertificate is the stack's secret config key of the region's
// wildcard certificate: `pulumi config set --secret tlsCertificate "$(base64 -w0 wildcard.pfx)"`.
const ConfigTLSCertificate = "tlsCertificate"

// StampOptions are what a stack's config adds to a stamp's spec.
type StampOptions struct {
	// DNSSubscriptionID is stamp 1's subscription, for a stamp in its own.
	DNSSubscriptionID string
	// TLSCertificate is the region's wildcard certificate (base64 PFX), or
	// nil.
	TLSCertificate pulumi.StringInput
}

// DeployStamp builds one stamp of a region from its loaded, validated spec:
// the regional cluster, one tenant component per tenant (the stamp's, in
// name order) and the stack outputs. Deploy calls it once the stack's
// configuration and files are checked; benchmarks call it with specs built
// in memory.
func DeployStamp(ctx *pulumi.Context, region *spec.Region, stamp int, tenants []*spec.Tenant, opts StampOptions, export func(string, pulumi.Input)) error {
	// Stamp 1 keeps the name it had before stamps existed: renaming the
	// component would change every URN of the region.
	clusterName := "region-" + region.Name
	if stamp > 1 {
		clusterName = fmt.Sprintf("region-%s-%d", region.Name, stamp)
	}
	cluster, err := components.NewRegionalCluster(ctx, clusterName, &components.RegionalClusterArgs{
		Region:            region,
		Tenants:           tenants,
		Stamp:             stamp,
		DNSSubscriptionID: opts.DNSSubscriptionID,
		TLSCertificate:    opts.TLSCertificate,
	})
	if err != nil {
		return fmt.Errorf("region %s: %w", region.Name, err)
	}

	urls := pulumi.StringMap{}
	states := pulumi.StringMap{}
	images := pulumi.StringMap{}
	var retained []string
	for _, t := range tenants {
		// The component's name is the tenant's name alone: it is unique
		// across regions and stays the URN key if the tenant's tier,
		// runtime or state changes.
		tc, err := components.NewTenant(ctx, t.Name, &components.TenantArgs{
			Tenant:               t,
			Region:               region,
			Platform:             &cluster.Platform,
			DataCollectionRuleID: cluster.DataCollectionRuleID,
		})
		if err != nil {
			return fmt.Errorf("tenant %q: %w", t.Name, err)
		}
		states[t.Name] = pulumi.String(string(t.State))
		if t.State == spec.StateDecommissioned {
			retained = append(retained, t.Name)
			continue
		}
		urls[t.Name] = tc.URL
		// The spec's image is what the tenant's app or VMs were given:
		// its ring's, or its pin.
		image, _ := t.ServerImage(nil)
		images[t.Name] = pulumi.String(image)
	}
	sort.Strings(retained)

	export("region", pulumi.String(region.Name))
	export("stamp", pulumi.Int(stamp))
	export("location", pulumi.String(region.Location))
	export("dnsZone", pulumi.String(region.DNSZone))
	export("gatewayPublicIp", cluster.GatewayPublicIPAddress)
	// The DS records of the region's signed zone, for its registrar
	// (README, "DNSSEC"); empty on a stamp that does not own the zone.
	export("dnssecDsRecords", cluster.DNSDelegationSigner)
	export("platformResourceGroup", cluster.ResourceGroupName)
	// The deploy workflow starts this job after every up (README, "The
	// operators' path").
	export("opsGrantJob", pulumi.String(components.OpsGrantJobName(spec.StampKey(region.Name, stamp))))
	export("tenantUrls", urls)
	export("tenantStates", states)
	// The KPAX server image each tenant with compute runs, which `kpax
	// release status --deployed` compares with releases.yaml.
	export("tenantImages", images)
	// Decommissioned tenants whose data is kept until an operator purges it
	// (docs/restore.md, "Purge").
	export("retainedTenants", pulumi.ToStringArray(retained))
	return nil
}
