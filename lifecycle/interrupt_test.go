// A deploy interrupted as a cancelled CI job interrupts it: the engine is
// killed (SIGKILL) while Azure finishes a create or an update. The README's
// runbook, "When a deploy was interrupted", is then followed step by step,
// and the stack must converge to what an uninterrupted run makes: nothing
// created twice, nothing holding data deleted.

package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/recovery"
	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
)

// upKilled runs `pulumi up` with the trap armed, kills the engine and its
// plugins when the trap trips, and returns what the killed run did.
func (w *world) upKilled(trap simazure.Trap) result {
	w.t.Helper()
	file := w.env[simazure.EnvInterrupt]
	if err := simazure.ArmTrap(file, trap); err != nil {
		w.t.Fatal(err)
	}
	// Without event streams: the Automation API waits for the engine's
	// last event, which a killed engine never writes.
	before := w.logLen()
	done := make(chan result, 1)
	go func() {
		_, err := w.stack.Up(context.Background(), optup.SuppressProgress())
		done <- result{err: err}
	}()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		data, err := os.ReadFile(file + ".tripped")
		if err == nil {
			var tr simazure.Tripped
			if err := json.Unmarshal(data, &tr); err != nil {
				w.t.Fatal(err)
			}
			killTree(tr.Engine)
			break
		}
		select {
		case r := <-done:
			w.t.Fatalf("up ended before the trap %+v tripped: %v", trap, r.err)
		default:
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the trap %+v did not trip", trap)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := <-done
	if r.err == nil {
		w.t.Fatal("the killed up reports success")
	}
	w.repairTornAttrs()
	ops, err := w.cloud.LogSince(before)
	if err != nil {
		w.t.Fatal(err)
	}
	r.ops = ops
	return r
}

// killTree sends SIGKILL to a process and all its descendants, as a runner
// does to a cancelled job's process tree.
func killTree(pid int) {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after it.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 {
			if ppid, err := strconv.Atoi(fields[1]); err == nil {
				children[ppid] = append(children[ppid], p)
			}
		}
	}
	var kill func(int)
	kill = func(p int) {
		_ = syscall.Kill(p, syscall.SIGKILL)
		for _, c := range children[p] {
			kill(c)
		}
	}
	kill(pid)
}

// export is `pulumi stack export` of the world's stack, as the file an
// operator writes.
func (w *world) export() []byte {
	w.t.Helper()
	dep, err := w.stack.Export(context.Background())
	if err != nil {
		// What the file backend holds, to tell a truncated checkpoint
		// from a missing one (seen once: "failed to load checkpoint: EOF").
		w.t.Fatalf("%v\nbackend files: %s", err, backendFiles(strings.TrimPrefix(w.env["PULUMI_BACKEND_URL"], "file://")))
	}
	data, err := json.Marshal(dep)
	if err != nil {
		w.t.Fatal(err)
	}
	return data
}

// pending reads the stack's pending operations, as kpax recover does.
func (w *world) pending() []recovery.Pending {
	w.t.Helper()
	ops, err := recovery.PendingOperations(w.export(), w.subscription())
	if err != nil {
		w.t.Fatal(err)
	}
	return ops
}

// recover follows the README's runbook, "When a deploy was interrupted", on
// the world's stack, with the simulated cloud standing in for
// `az resource show --ids`. It returns the URNs of the pending creates it
// kept, because Azure had finished them.
func (w *world) recover() []string {
	w.t.Helper()
	ctx := context.Background()
	// 1. pulumi cancel: the killed update still holds the stack's lock.
	if err := w.stack.Cancel(ctx); err != nil {
		w.t.Fatalf("pulumi cancel: %v", err)
	}
	// 2. pulumi stack export.
	export := w.export()
	// 3. kpax recover: what Azure finished joins the state with its ID, the
	// other pending creates are cleared.
	settled, kept, _, err := recovery.Settle(export, w.subscription(), func(p recovery.Pending) (bool, error) {
		rec, err := w.cloud.Get(p.ID)
		return rec != nil, err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	// 4. pulumi stack import.
	var next apitype.UntypedDeployment
	if err := json.Unmarshal(settled, &next); err != nil {
		w.t.Fatal(err)
	}
	if err := w.stack.Import(ctx, next); err != nil {
		w.t.Fatalf("pulumi stack import: %v", err)
	}
	// 5. pulumi refresh: every resource as Azure has it; pending updates
	// and deletes are dropped.
	if _, err := w.stack.Refresh(ctx, optrefresh.SuppressProgress()); err != nil {
		w.t.Fatalf("pulumi refresh: %v", err)
	}
	if left := w.pending(); len(left) > 0 {
		w.t.Errorf("pending operations after the runbook: %+v", left)
	}
	return kept
}

// cloudShape is what a cloud holds, independent of random names: how many
// resources of each URN.
func cloudShape(t *testing.T, c *simazure.Cloud) map[string]int {
	t.Helper()
	recs, err := c.Records()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range recs {
		if r.URN != "" {
			out[r.URN]++
		}
	}
	return out
}

// TestInterruptedDeployRecovers kills the engine in a first up and in an
// update, follows the runbook, and compares the cloud with the one an
// uninterrupted run makes.
func TestInterruptedDeployRecovers(t *testing.T) {
	t.Parallel()
	const stack = "prod-za"
	w := newWorld(t, stack)
	// Production writes the state after every step (PULUMI_SKIP_CHECKPOINTS
	// is for the other tests' speed): without it, a killed engine leaves no
	// state at all.
	delete(w.env, "PULUMI_SKIP_CHECKPOINTS")
	w.open()
	tenants := stackTenants(t, w.dir, stack)
	app := firstActive(tenants, spec.RuntimeContainer)
	if app == nil {
		t.Fatal("prod-za has no active container tenant")
	}
	ctx := context.Background()

	// A. The first up, killed once Azure has made the tenant's database
	// (a data resource with a fixed name).
	w.upKilled(simazure.Trap{Op: "create", URNSuffix: "::" + app.Name + "-db"})
	dbPending := false
	for _, op := range w.pending() {
		dbPending = dbPending || (op.Op == "creating" && strings.HasSuffix(op.URN, "::"+app.Name+"-db"))
	}
	if !dbPending {
		t.Fatalf("the killed up left no pending create of %s's database", app.Name)
	}
	// The dead update holds the lock: nothing runs until pulumi cancel.
	if _, err := w.stack.Up(ctx, optup.SuppressProgress()); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("up of the interrupted stack: want a refusal for the lock, got %v", err)
	}
	kept := w.recover()
	if !slices.ContainsFunc(kept, func(urn string) bool { return strings.HasSuffix(urn, "::"+app.Name+"-db") }) {
		t.Errorf("the runbook kept %v, not %s's database, which Azure finished", kept, app.Name)
	}
	r := w.mustUp("up after the runbook")
	noDataDeleted(t, "recovery of the first up", r.ops)

	// B. An update, killed once Azure has applied it: a resize of the
	// tenant's database.
	if app.Tier == spec.TierLarge {
		t.Fatal("prod-za's first container tenant is large: pick a resize for it")
	}
	w.setField(app, "tier", map[spec.Tier]string{spec.TierSmall: "standard", spec.TierStandard: "large"}[app.Tier])
	w.upKilled(simazure.Trap{Op: "update", URNSuffix: "::" + app.Name + "-db"})
	w.recover()
	r = w.mustUp("up after the runbook (update)")
	noDataDeleted(t, "recovery of the update", r.ops)
	if p := w.preview(optpreview.ExpectNoChanges()); p.err != nil || len(p.steps) != 0 {
		t.Errorf("after the recoveries: %d steps %v, err %v", len(p.steps), p.steps, p.err)
	}

	// Nothing was created twice, in the whole history of the cloud.
	log, err := w.cloud.Log()
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]int{}
	for _, op := range log {
		if op.Op == "create" {
			created[strings.ToLower(op.ID)]++
		}
		if op.Op == "delete" && dataTypes[op.Type] {
			t.Errorf("the cloud was asked to delete %s %s", op.Type, op.ID)
		}
	}
	for id, n := range created {
		if n > 1 {
			t.Errorf("%s was created %d times", id, n)
		}
	}

	// The same cloud as the same two deploys, uninterrupted.
	clean := newWorld(t, stack)
	clean.mustUp("uninterrupted first up")
	if err := copyFile(w.file(app.Source.File), clean.file(app.Source.File), 0o644); err != nil {
		t.Fatal(err)
	}
	clean.mustUp("uninterrupted resize")
	got, want := cloudShape(t, w.cloud), cloudShape(t, clean.cloud)
	for urn, n := range want {
		if got[urn] != n {
			t.Errorf("%s: %d in the recovered cloud, %d in an uninterrupted one", urn, got[urn], n)
		}
	}
	for urn, n := range got {
		if _, ok := want[urn]; !ok {
			t.Errorf("%s: %d in the recovered cloud, none in an uninterrupted one", urn, n)
		}
	}
	if plan, err := program.Plan(w.dir, stack); err != nil || len(got) == 0 {
		t.Errorf("plan: %v; %d resources", err, len(got))
	} else {
		t.Logf("%s: recovered from two interruptions into the %d resources of an uninterrupted run (%d in the plan)", stack, len(got), len(plan.Resources))
	}
}

// repairTornAttrs deletes the empty metadata sidecars (<file>.attrs) that a
// kill can leave in the tests' file backend: gocloud's fileblob writes a
// sidecar with os.Create then encodes into it (gocloud.dev blob/fileblob
// attrs.go, setAttrs), so a SIGKILL between the two leaves it empty, and
// every later read of the checkpoint fails with "failed to load checkpoint:
// EOF". A missing sidecar reads as default attributes (getAttrs). The
// checkpoint itself is written to a temp file and renamed, and stays whole.
// Production stacks live in Pulumi Cloud, which has no such file.
func (w *world) repairTornAttrs() {
	w.t.Helper()
	dir := filepath.Join(strings.TrimPrefix(w.env["PULUMI_BACKEND_URL"], "file://"), ".pulumi")
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".attrs") && info.Size() == 0 {
			w.t.Logf("the kill left an empty %s: removed", strings.TrimPrefix(p, dir))
			return os.Remove(p)
		}
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// backendFiles lists the stack files of a file backend with their sizes.
func backendFiles(dir string) string {
	var out []string
	_ = filepath.Walk(filepath.Join(dir, ".pulumi", "stacks"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, fmt.Sprintf("%s (%d bytes)", strings.TrimPrefix(p, dir), info.Size()))
		}
		return nil
	})
	return strings.Join(out, ", ")
}
