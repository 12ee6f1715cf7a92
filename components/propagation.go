// Waiting for new role assignments to take effect. Azure RBAC answers a
// role assignment's creation at once but enforces it only once the change
// has propagated, which takes up to about ten minutes: a Container App
// created right after its identity's grant fails with "Unable to get value
// using Managed identity" (learn.microsoft.com/azure/role-based-access-control/troubleshooting,
// "Role assignment changes are not being detected"; microsoft/azure-container-apps#930).
// Whatever uses a grant made in the same `up` waits on a sleep that starts
// once the grant exists and is made again whenever the grant is replaced.

package components

import (
	"sort"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The time provider's Sleep (pulumiverse/pulumi-time, the Terraform
// time_sleep): no Go SDK of it is served here, so the one resource is
// declared by its token, as the npm package @pulumiverse/time 0.1.1
// registers it, with the plugin's version and download location.
const (
	sleepType = "time:index/sleep:Sleep"
	// TimeProviderVersion is the time plugin the program asks for; the
	// engine tests install the simulator under it.
	TimeProviderVersion = "0.1.1"
	timeProviderServer  = "github://api.github.com/pulumiverse/pulumi-time"
	// rolePropagationWait is Learn's bound for a role assignment to take
	// effect ("up to 10 minutes").
	rolePropagationWait = "10m"
	// roleDefinitionPropagationWait is how long a new custom role takes
	// to be assignable everywhere (cluster_access.go).
	roleDefinitionPropagationWait = "5m"
	// PolicyPropagationWait is how long a new policy assignment takes to
	// apply: "A new policy or initiative assignment takes about five
	// minutes to be applied" (learn.microsoft.com/azure/governance/policy/troubleshoot/general).
	PolicyPropagationWait = "5m"
)

// propagationWait is a time:index/sleep:Sleep.
type propagationWait struct {
	pulumi.CustomResourceState
}

// waitForGrants registers the wait that whatever relies on grants depends
// on. Its triggers are the grants' IDs and principals, keyed by their
// logical names: a grant that is made again changes a trigger and starts a
// new wait; an existing stack waits no more.
func waitForGrants(ctx *pulumi.Context, name string, grants map[string]*authorization.RoleAssignment, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	keys := make([]string, 0, len(grants))
	for k := range grants {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	triggers := pulumi.StringMap{}
	deps := make([]pulumi.Resource, 0, len(keys))
	for _, k := range keys {
		triggers[k] = grants[k].ID().ToStringOutput()
		// A grant's name is derived from its keys, so one that is made
		// again (a new principal) keeps its ID: its principal starts the
		// wait again.
		triggers[k+"-principal"] = grants[k].PrincipalId
		deps = append(deps, grants[k])
	}
	return sleep(ctx, name, rolePropagationWait, triggers, deps, opts...)
}

// sleep registers a time:index/sleep:Sleep of duration after deps, made
// again when a trigger changes.
func sleep(ctx *pulumi.Context, name, duration string, triggers pulumi.StringMap, deps []pulumi.Resource, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	var w propagationWait
	err := ctx.RegisterResource(sleepType, name, pulumi.Map{
		"createDuration": pulumi.String(duration),
		"triggers":       triggers,
	}, &w, append(opts, pulumi.DependsOn(deps), pulumi.Version(TimeProviderVersion), pulumi.PluginDownloadURL(timeProviderServer))...)
	if err != nil {
		return nil, err
	}
	return &w, nil
}
