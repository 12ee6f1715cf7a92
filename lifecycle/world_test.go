// What a stack under test does: engine operations on its world, and what the
// simulated cloud was asked in return.

package lifecycle

import (
	"context"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
)

// seedOutside records in the cloud what the stack's region uses but does
// not create: the container registry (and its resource group) in its own
// subscription.
func seedOutside(dir, stack string, cloud *simazure.Cloud) error {
	proj, err := spec.LoadProject(dir)
	if err != nil {
		return err
	}
	region := strings.SplitN(strings.TrimPrefix(stack, "prod-"), "-", 2)[0]
	r := proj.Regions[region]
	if r == nil {
		return nil
	}
	id := r.Registry.ResourceID
	parts := strings.Split(id, "/")
	if len(parts) < 5 {
		return nil
	}
	rg := strings.Join(parts[:5], "/")
	if err := cloud.Seed(rg, "azure-native:resources:ResourceGroup", map[string]any{"resourceGroupName": parts[4]}); err != nil {
		return err
	}
	return cloud.Seed(id, "azure-native:containerregistry:Registry", map[string]any{"registryName": filepath.Base(id)})
}

// step is one resource operation the engine planned or did: its op (create,
// update, replace, delete, ...) and URN.
type step struct{ Op, URN string }

// result is an engine operation's outcome: its steps (without "same"), the
// cloud's log entries it caused, and its error.
type result struct {
	steps []step
	ops   []simazure.Op
	err   error
}

// collect gathers the resource steps of an event stream.
func collect(ch <-chan events.EngineEvent, done chan<- []step) {
	seen := map[step]bool{}
	var out []step
	for ev := range ch {
		if ev.ResourcePreEvent == nil {
			continue
		}
		m := ev.ResourcePreEvent.Metadata
		op := string(m.Op)
		if op == "same" || op == "read" {
			continue
		}
		s := step{Op: op, URN: m.URN}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN+out[i].Op < out[j].URN+out[j].Op })
	done <- out
}

// up runs `pulumi up` on the world.
func (w *world) up(opts ...optup.Option) result {
	w.t.Helper()
	before := w.logLen()
	ch := make(chan events.EngineEvent)
	done := make(chan []step, 1)
	go collect(ch, done)
	_, err := w.stack.Up(context.Background(), append(opts, optup.EventStreams(ch), optup.SuppressProgress())...)
	steps := <-done
	ops, lerr := w.cloud.LogSince(before)
	if lerr != nil {
		w.t.Fatal(lerr)
	}
	return result{steps: steps, ops: ops, err: err}
}

// preview runs `pulumi preview` on the world.
func (w *world) preview(opts ...optpreview.Option) result {
	w.t.Helper()
	before := w.logLen()
	ch := make(chan events.EngineEvent)
	done := make(chan []step, 1)
	go collect(ch, done)
	_, err := w.stack.Preview(context.Background(), append(opts, optpreview.EventStreams(ch), optpreview.SuppressProgress())...)
	steps := <-done
	ops, lerr := w.cloud.LogSince(before)
	if lerr != nil {
		w.t.Fatal(lerr)
	}
	return result{steps: steps, ops: ops, err: err}
}

func (w *world) logLen() int {
	log, err := w.cloud.Log()
	if err != nil {
		w.t.Fatal(err)
	}
	return len(log)
}

// mustUp runs `pulumi up` and fails the test if it fails.
func (w *world) mustUp(what string, opts ...optup.Option) result {
	w.t.Helper()
	r := w.up(opts...)
	if r.err != nil {
		w.t.Fatalf("%s: pulumi up -s %s: %v", what, w.name, r.err)
	}
	for _, op := range r.ops {
		if op.Op == "refuse" {
			w.t.Fatalf("%s: the cloud refused %s of %s: %s", what, op.Asked, op.ID, op.Error)
		}
	}
	return r
}

// tenantURN is the URN of a tenant's component in a stack.
func tenantURN(stack, tenant string) string {
	return "urn:pulumi:" + stack + "::kpax-cloud::kpax:components:Tenant::" + tenant
}
