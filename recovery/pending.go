// Package recovery helps an operator recover a stack whose deploy was
// interrupted (README, "When a deploy was interrupted"): it reads the
// pending operations of an exported state and says, for each pending
// create, which Azure resource it would be, so that the operator can check
// whether Azure finished it.
package recovery

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/kpax/kpax-cloud/plan"
)

// Pending is one pending operation of a state.
type Pending struct {
	// Op is the engine's: creating, updating, deleting, reading,
	// importing.
	Op   string `json:"op"`
	URN  string `json:"urn"`
	Type string `json:"type"`
	// Parent is the URN of the resource's parent component.
	Parent string `json:"parent,omitempty"`
	// APIVersion is the Azure API version the state's other resources of
	// the same type were made with (azure-native's azureApiVersion output,
	// pulumi/pulumi-azure-native#3766; not confirmed in v2.90.0 states), or
	// "" when none says: az resource show needs it for extension
	// resources, whose ID starts with another provider's namespace.
	APIVersion string `json:"apiVersion,omitempty"`
	// ID is, for a pending create of an Azure resource, the ARM ID it
	// gets: the name and scope are inputs, so it is known before Azure
	// answers. Empty for other providers' resources (random values exist
	// nowhere but in the state) and other operations.
	ID string `json:"id,omitempty"`
}

// state is the part of `pulumi stack export` this package reads.
type state struct {
	Deployment struct {
		Resources []struct {
			URN     string         `json:"urn"`
			Type    string         `json:"type"`
			ID      string         `json:"id"`
			Inputs  map[string]any `json:"inputs"`
			Outputs map[string]any `json:"outputs"`
		} `json:"resources"`
		Pending []struct {
			Type     string `json:"type"`
			Resource struct {
				URN      string         `json:"urn"`
				Type     string         `json:"type"`
				Parent   string         `json:"parent"`
				Custom   bool           `json:"custom"`
				Provider string         `json:"provider"`
				Inputs   map[string]any `json:"inputs"`
			} `json:"resource"`
		} `json:"pending_operations"`
	} `json:"deployment"`
}

// PendingOperations reads the pending operations of an exported state (the
// output of `pulumi stack export`), sorted by URN. subscription is the
// stack's (its stack file's): the ARM IDs lie in it, but for resources of
// an explicit provider with a subscription of its own (a later stamp's DNS
// records in stamp 1's).
func PendingOperations(export []byte, subscription string) ([]Pending, error) {
	var s state
	if err := json.Unmarshal(export, &s); err != nil {
		return nil, fmt.Errorf("not a `pulumi stack export` of a stack: %w", err)
	}
	// Providers by reference ("URN::ID"), for their subscriptions; API
	// versions by type.
	providerSub, apiVersion := map[string]string{}, map[string]string{}
	for _, r := range s.Deployment.Resources {
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			if sub, _ := r.Inputs["subscriptionId"].(string); sub != "" {
				providerSub[r.URN+"::"+r.ID] = sub
			}
		}
		if v, _ := r.Outputs["azureApiVersion"].(string); v != "" {
			apiVersion[r.Type] = v
		}
	}
	out := make([]Pending, 0, len(s.Deployment.Pending))
	for _, op := range s.Deployment.Pending {
		p := Pending{Op: op.Type, URN: op.Resource.URN, Type: op.Resource.Type, Parent: op.Resource.Parent, APIVersion: apiVersion[op.Resource.Type]}
		if op.Type == "creating" && op.Resource.Custom && strings.HasPrefix(op.Resource.Type, "azure-native:") {
			logical := op.Resource.URN[strings.LastIndex(op.Resource.URN, "::")+2:]
			id, _ := plan.AzureState(op.Resource.Type, logical, resource.NewPropertyMapFromMap(op.Resource.Inputs))
			sub := subscription
			if own := providerSub[op.Resource.Provider]; own != "" {
				sub = own
			}
			p.ID = strings.Replace(id, "/subscriptions/"+plan.MockSubscriptionID, "/subscriptions/"+sub, 1)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out, nil
}

// Settle resolves the pending creates of an exported state: each one Azure
// finished (exists says so of its ID) becomes a resource of the state with
// that ID, and every other one is dropped, as --clear-pending-creates
// drops it. Pending updates and deletes stay for `pulumi refresh`, which
// reads what Azure has and drops them. It returns the state to `pulumi
// stack import`, and the URNs it kept and dropped.
//
// `pulumi refresh --import-pending-creates URN ID` is the engine's own way
// to keep a finished create, but in v3.276.0 it turns the operation into an
// "importing" one, which the next snapshot does not carry (the snapshot
// manager keeps only the base's pending creates: pkg/backend/snapshot.go)
// and no step turns into a resource: the resource is forgotten, and the
// next `up` fails on it with "cannot create already existing resource", as
// lifecycle/interrupt_test.go first found. `pulumi import` needs the
// language plugin, which inline programs do not have. Export, edit and
// import is the way Pulumi's maintainers give for a pending create
// (pulumi/pulumi#4265).
func Settle(export []byte, subscription string, exists func(p Pending) (bool, error)) (settled []byte, kept, dropped []string, err error) {
	pending, err := PendingOperations(export, subscription)
	if err != nil {
		return nil, nil, nil, err
	}
	ids := map[string]string{}
	for _, p := range pending {
		if p.Op != "creating" || p.ID == "" {
			continue
		}
		ok, err := exists(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", p.ID, err)
		}
		if ok {
			ids[p.URN] = p.ID
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(export, &doc); err != nil {
		return nil, nil, nil, err
	}
	dep, _ := doc["deployment"].(map[string]any)
	if dep == nil {
		return nil, nil, nil, fmt.Errorf("not a `pulumi stack export` of a stack: no deployment")
	}
	resources, _ := dep["resources"].([]any)
	left := []any{}
	ops, _ := dep["pending_operations"].([]any)
	for _, o := range ops {
		op, _ := o.(map[string]any)
		res, _ := op["resource"].(map[string]any)
		if res == nil || op["type"] != "creating" {
			left = append(left, o)
			continue
		}
		urn, _ := res["urn"].(string)
		id, ok := ids[urn]
		if !ok {
			dropped = append(dropped, urn)
			continue
		}
		// A replacement interrupted after its create: the old resource
		// still has the URN. If it is another Azure resource (a new name),
		// it becomes pending deletion, as the engine marks it once the new
		// one exists, and the next up deletes it; two live entries of one
		// URN are refused by stack import. If it has the very ID that Azure
		// answered for, the "finished create" is the old resource itself:
		// marking it for deletion would delete the only copy, so the state
		// keeps that entry and drops the create.
		same := false
		for _, o := range resources {
			old, _ := o.(map[string]any)
			if old == nil || old["urn"] != urn || old["delete"] == true {
				continue
			}
			if oldID, _ := old["id"].(string); strings.EqualFold(oldID, id) {
				same = true
				continue
			}
			old["delete"] = true
		}
		if same {
			kept = append(kept, urn)
			continue
		}
		// Its parent and dependencies finished before it started, so they
		// precede it in the list, as a state requires. The refresh then
		// reads its outputs as Azure has them.
		outputs := map[string]any{}
		if in, ok := res["inputs"].(map[string]any); ok {
			for k, v := range in {
				outputs[k] = v
			}
		}
		outputs["id"] = id
		res["id"] = id
		res["outputs"] = outputs
		resources = append(resources, res)
		kept = append(kept, urn)
	}
	dep["resources"] = resources
	dep["pending_operations"] = left
	settled, err = json.MarshalIndent(doc, "", "    ")
	sort.Strings(kept)
	sort.Strings(dropped)
	return settled, kept, dropped, err
}
