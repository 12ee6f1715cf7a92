// Every stack's lifecycle on the real engine and the simulated Azure: a
// first `up`, an idempotent preview, a removed tenant file, suspend, resume,
// resize, server upgrades, decommission and the purge of docs/restore.md.

package lifecycle

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
)

// dataTypes hold tenants' data: the cloud must never be asked to delete
// one during a lifecycle change, only in a purge.
var dataTypes = map[string]bool{
	"azure-native:resources:ResourceGroup":              true,
	"azure-native:sql:Database":                         true,
	"azure-native:storage:StorageAccount":               true,
	"azure-native:storage:FileShare":                    true,
	"azure-native:keyvault:Vault":                       true,
	"azure-native:keyvault:Secret":                      true,
	"azure-native:recoveryservices:ProtectedItem":       true,
	"azure-native:recoveryservices:ProtectionContainer": true,
	"azure-native:storage:BlobContainer":                true,
}

// noDataDeleted fails the test if the cloud was asked to delete data, or
// refused anything.
func noDataDeleted(t *testing.T, what string, ops []simazure.Op) {
	t.Helper()
	for _, op := range ops {
		switch {
		case op.Op == "delete" && dataTypes[op.Type]:
			t.Errorf("%s: the cloud was asked to delete %s %s", what, op.Type, op.ID)
		case op.Op == "refuse":
			t.Errorf("%s: the cloud refused %s of %s: %s", what, op.Asked, op.ID, op.Error)
		}
	}
}

// opsOf returns the operations of a kind on resources of a type whose
// logical name (URN tail) starts with prefix.
func opsOf(ops []simazure.Op, kind, typ, prefix string) []simazure.Op {
	var out []simazure.Op
	for _, op := range ops {
		if op.Op == kind && (typ == "" || plan.Unversioned(op.Type) == typ) && strings.HasPrefix(op.URN[strings.LastIndex(op.URN, "::")+2:], prefix) {
			out = append(out, op)
		}
	}
	return out
}

// stackTenants are the tenants a stack deploys, by runtime and state.
func stackTenants(t *testing.T, dir, stack string) []*spec.Tenant {
	t.Helper()
	proj, err := spec.LoadProject(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []*spec.Tenant
	for _, tn := range proj.Tenants {
		if spec.StampStackName(tn.Region, tn.Stamp) == stack {
			out = append(out, tn)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// firstActive is the stack's first active tenant of a runtime, or nil.
func firstActive(ts []*spec.Tenant, runtime spec.Runtime) *spec.Tenant {
	for _, tn := range ts {
		if tn.Runtime == runtime && tn.State == spec.StateActive {
			return tn
		}
	}
	return nil
}

// setField rewrites a top-level field of a tenant file.
func (w *world) setField(tn *spec.Tenant, key, value string) {
	w.t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `:.*$`)
	w.edit(tn.Source.File, func(s string) string { return re.ReplaceAllString(s, key+": "+value) })
}

// TestStackLifecycles runs the whole lifecycle of every stack, the stacks in
// parallel (each has its own backend and cloud; go test runs as many at once
// as -parallel allows, the machine's cores by default).
func TestStackLifecycles(t *testing.T) {
	requireEngine(t)
	stacks, err := program.Stacks(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) == 0 {
		t.Fatal("no stacks")
	}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			lifecycle(t, stack)
		})
	}
}

func lifecycle(t *testing.T, stack string) {
	w := newWorld(t, stack)
	tenants := stackTenants(t, w.dir, stack)
	app, vm := firstActive(tenants, spec.RuntimeContainer), firstActive(tenants, spec.RuntimeVM)
	if app == nil || vm == nil {
		t.Fatalf("stack %s needs an active container tenant and an active VM tenant for its lifecycle", stack)
	}

	// 1. A first `up` creates exactly what the offline plan shows. The
	// times are logged for docs/benchmarks.md, never asserted.
	start := time.Now()
	r := w.mustUp("first up")
	upTime := time.Since(start)
	offline, err := program.Plan(w.dir, stack)
	if err != nil {
		t.Fatal(err)
	}
	// What the program adopts (import) exists already: the SQL servers'
	// Entra admins and Entra-only settings, made by the servers' creation.
	want := map[string]int{}
	adopted := 0
	for _, res := range offline.Resources {
		switch {
		case !res.Custom || !strings.HasPrefix(res.Type, "azure-native:"):
		case res.Import != "":
			adopted++
		default:
			want[plan.Unversioned(res.Type)]++
		}
	}
	if n := len(opsOf(r.ops, "create", "azure-native:sql:Server", "")); adopted != 2*n || n == 0 {
		t.Errorf("first up: %d resources adopted, want one Entra admin and one Entra-only setting for each of the %d SQL servers", adopted, n)
	}
	got := map[string]int{}
	for _, op := range r.ops {
		if op.Op == "create" {
			got[op.Type]++
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("first up: the cloud was asked to create\n%v\nthe offline plan has\n%v", got, want)
	}
	// Everything lands in the stack file's subscription, but for the pull
	// grant on the region's registry, which lives in the registry's.
	sub, outside := "/subscriptions/"+w.subscription()+"/", 0
	for _, op := range r.ops {
		if op.Op == "create" && !strings.HasPrefix(strings.ToLower(op.ID), strings.ToLower(sub)) {
			outside++
			if op.Type != "azure-native:authorization:RoleAssignment" || !strings.Contains(op.ID, "Microsoft.ContainerRegistry") {
				t.Errorf("first up: %s %s is outside the stack's subscription %s", op.Type, op.ID, sub)
			}
		}
	}
	if outside != 1 {
		t.Errorf("first up: %d resources outside the stack's subscription, want the registry's pull grant alone", outside)
	}

	guardrailsFirst(t, w)

	// The certificate came through the stack's config and ARM; the hand
	// path of opening the vault is closed by the stamp's own guardrail.
	certificatePathsOnAPrivateVault(t, w)

	// Onboarding without a hand step: the deploy workflow's grant job
	// gives every tenant's identity its rights in its own database, once
	// the ops identity is in the operators group, and running it again
	// changes nothing.
	proj, err := spec.LoadProject(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	region := proj.Regions[app.Region]
	if ex := runGrants(t, w, ""); ex.Status != "Failed" {
		t.Errorf("grant job before the ops identity joins the operators group: %s %v", ex.Status, ex.Log)
	}
	first := runGrants(t, w, region.Operators.GroupObjectID)
	grantsHold(t, w, "first grant", first, tenants)
	again := runGrants(t, w, region.Operators.GroupObjectID)
	grantsHold(t, w, "second grant", again, tenants)
	if fmt.Sprint(first) != fmt.Sprint(again) {
		t.Errorf("the grant job ran twice with two results:\n%v\n%v", first, again)
	}

	// New grants are enforced only after they propagate: the first up
	// waited for them before creating what relies on them.
	firstUpWaitedForGrants(t, w)

	// 2. The program is deterministic: nothing to do the second time.
	start = time.Now()
	if p := w.preview(optpreview.ExpectNoChanges()); p.err != nil || len(p.steps) != 0 {
		t.Errorf("second preview: %d steps %v, err %v", len(p.steps), p.steps, p.err)
	}
	t.Logf("%s: first up %v (%d cloud operations), full preview %v", stack, upTime.Round(time.Millisecond), len(r.ops), time.Since(start).Round(time.Millisecond))

	// A release: canary and early get a new version, in place.
	promotion(t, w, stack)

	// 3. Removing a tenant's file stops at its protected data.
	data, err := os.ReadFile(w.file(app.Source.File))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(w.file(app.Source.File)); err != nil {
		t.Fatal(err)
	}
	p := w.preview()
	if p.err == nil || !strings.Contains(p.err.Error(), "protect") {
		t.Errorf("preview without %s's file: want a refusal on protected resources, got %v", app.Name, p.err)
	}
	if len(p.ops) != 0 {
		t.Errorf("a preview asked the cloud for %v", p.ops)
	}
	if err := os.WriteFile(w.file(app.Source.File), data, 0o644); err != nil {
		t.Fatal(err)
	}

	// 4. Suspend: compute goes to zero, data and DNS stay.
	w.setField(app, "state", "suspended")
	w.setField(vm, "state", "suspended")
	r = w.mustUp("suspend")
	noDataDeleted(t, "suspend", r.ops)
	if n := len(opsOf(r.ops, "delete", "azure-native:compute:VirtualMachine", vm.Name+"-vm-")); n != vm.VM.Instances {
		t.Errorf("suspend: %d of %s's %d VMs deleted", n, vm.Name, vm.VM.Instances)
	}
	if len(opsOf(r.ops, "update", "azure-native:app:ContainerApp", app.Name+"-app")) != 1 {
		t.Errorf("suspend: %s's app was not scaled in place: %v", app.Name, r.ops)
	}
	if len(opsOf(r.ops, "delete", "azure-native:network:RecordSet", "")) != 0 {
		t.Errorf("suspend: a DNS record was deleted")
	}

	// 5. Resume, resize one tenant and upgrade the other's server.
	w.setField(app, "state", "active")
	w.setField(vm, "state", "active")
	// A resize goes up a tier, or for a large tenant adds replicas: a
	// smaller tier would also shorten its backup retention, which the
	// immutable vault refuses (checked below, and flagged by kpax diff).
	resized := app.Tier != spec.TierLarge
	if resized {
		w.setField(app, "tier", map[spec.Tier]string{spec.TierSmall: "standard", spec.TierStandard: "large"}[app.Tier])
	} else {
		w.edit(app.Source.File, func(s string) string { return strings.Replace(s, "\ncontainer:\n", "\ncontainer:\n  replicas: 6\n", 1) })
	}
	w.edit(vm.Source.File, func(s string) string {
		return strings.Replace(s, "\nvm:\n", "\nvm:\n  serverImage: kpaxcloud.azurecr.io/kpax-server:4.13.0\n", 1)
	})
	r = w.mustUp("resume, resize and upgrade")
	noDataDeleted(t, "resume", r.ops)
	if n := len(opsOf(r.ops, "create", "azure-native:compute:VirtualMachine", vm.Name+"-vm-")); n != vm.VM.Instances {
		t.Errorf("resume: %d VMs created, want %d", n, vm.VM.Instances)
	}
	for _, s := range r.steps {
		if strings.Contains(s.Op, "replace") && !strings.Contains(s.URN, "VirtualMachine") {
			t.Errorf("resume/resize/upgrade replaces %s", s.URN)
		}
	}
	if resized && len(opsOf(r.ops, "update", "azure-native:sql:Database", app.Name+"-db")) != 1 {
		t.Errorf("resize: %s's database was not resized in place", app.Name)
	}
	if len(opsOf(r.ops, "update", "azure-native:app:ContainerApp", app.Name+"-app")) != 1 {
		t.Errorf("resize: %s's app was not updated in place", app.Name)
	}
	// An image upgrade updates in place: the app's file pins a newer image
	// than its ring's.
	w.edit(app.Source.File, func(s string) string {
		return strings.Replace(s, "\ncontainer:\n", "\ncontainer:\n  image: kpaxcloud.azurecr.io/kpax-server:4.13.0\n", 1)
	})
	w.edit(vm.Source.File, func(s string) string { return strings.Replace(s, "kpax-server:4.13.0", "kpax-server:4.14.0", 1) })
	r = w.mustUp("image upgrade")
	noDataDeleted(t, "image upgrade", r.ops)
	if len(opsOf(r.ops, "update", "azure-native:app:ContainerApp", app.Name+"-app")) != 1 {
		t.Errorf("upgrade: %s's app was not updated in place", app.Name)
	}
	if n := len(opsOf(r.ops, "update", "azure-native:compute:VirtualMachineExtension", vm.Name+"-vm-")); n != vm.VM.Instances {
		t.Errorf("upgrade: %d of %s's server extensions updated, want %d", n, vm.Name, vm.VM.Instances)
	}
	for _, op := range r.ops {
		if op.Op != "update" {
			t.Errorf("upgrade: the cloud was asked to %s %s", op.Op, op.ID)
		}
	}

	// Shortening a tenant's backup retention moves its share's backup to a
	// shorter policy, which the immutable vault refuses: the update fails on
	// that item, and nothing of the data is touched.
	if stack == "prod-fr" {
		w.edit(vm.Source.File, func(s string) string { return s + "backup:\n  retentionDays: 8\n" })
		r = w.up()
		refused := opsOf(r.ops, "refuse", "azure-native:recoveryservices:ProtectedItem", vm.Name+"-share-backup")
		if r.err == nil || len(refused) != 1 || refused[0].Rule != simazure.RuleImmutableVaultRetention.Name {
			t.Errorf("shorter retention: want the immutable vault to refuse the move, got %v and %v", r.err, r.ops)
		}
		w.edit(vm.Source.File, func(s string) string { return strings.TrimSuffix(s, "backup:\n  retentionDays: 8\n") })
		r = w.mustUp("retention restored")
	}

	// 6. What Azure refuses, ignores or delays, in one up: a VM tenant's OS
	// image, the operators' group, the Bastion's zones, the gateway's
	// certificate, and a new container tenant whose grants are fresh.
	platformChanges(t, w, stack, vm, app)

	// 7. Decommission: compute and DNS go, data stays.
	for _, tn := range []*spec.Tenant{app, vm} {
		w.setField(tn, "state", "decommissioned")
	}
	r = w.mustUp("decommission")
	noDataDeleted(t, "decommission", r.ops)
	for _, tn := range []*spec.Tenant{app, vm} {
		if len(opsOf(r.ops, "delete", "azure-native:network:RecordSet", tn.Name+"-dns")) != 1 {
			t.Errorf("decommission: %s's DNS record is kept", tn.Name)
		}
	}
	if len(opsOf(r.ops, "delete", "azure-native:app:ContainerApp", app.Name+"-app")) != 1 {
		t.Errorf("decommission: %s's app is kept", app.Name)
	}
	if n := len(opsOf(r.ops, "delete", "azure-native:compute:VirtualMachine", vm.Name+"-vm-")); n != vm.VM.Instances {
		t.Errorf("decommission: %d VMs deleted, want %d", n, vm.VM.Instances)
	}

	// 8. Purge one of them, as docs/restore.md says.
	purge(t, w, app)

	// The stack is as the program says once more.
	if p := w.preview(optpreview.ExpectNoChanges()); p.err != nil || len(p.steps) != 0 {
		t.Errorf("final preview: %d steps %v, err %v", len(p.steps), p.steps, p.err)
	}
	guardrailsUnchanged(t, w)
}

// promotion: a new version on the canary and early lines of releases.yaml
// reaches exactly the tenants of those rings, in place: each one's app or
// server extensions are updated, nothing is replaced, and the tenants of the
// broad ring and the pinned ones are not touched.
func promotion(t *testing.T, w *world, stack string) {
	t.Helper()
	w.edit("releases.yaml", func(s string) string {
		for _, ring := range []string{"canary", "early"} {
			line := regexp.MustCompile(`(?m)(- name: ` + ring + `\b[^\n]*\n\s+image: kpaxcloud\.azurecr\.io/kpax-server:)[0-9.]+`)
			if !line.MatchString(s) {
				t.Fatalf("releases.yaml has no %s line", ring)
			}
			s = line.ReplaceAllString(s, "${1}4.20.0")
		}
		return s
	})
	proj, err := spec.LoadProject(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	r := w.mustUp("promotion of canary and early")
	noDataDeleted(t, "promotion", r.ops)
	for _, op := range r.ops {
		if op.Op != "update" {
			t.Errorf("promotion: the cloud was asked to %s %s", op.Op, op.ID)
		}
	}
	promoted := 0
	for _, tn := range stackTenants(t, w.dir, stack) {
		// A suspended VM tenant has no VM to update.
		if !tn.HasCompute() || (tn.Runtime == spec.RuntimeVM && tn.State != spec.StateActive) {
			continue
		}
		ring := proj.Releases.Ring(tn.Ring)
		_, pinned := tn.ServerImage(proj.Releases)
		want := !pinned && ring != nil && (ring.Name == "canary" || ring.Name == "early")
		var got int
		switch tn.Runtime {
		case spec.RuntimeContainer:
			got = len(opsOf(r.ops, "update", "azure-native:app:ContainerApp", tn.Name+"-app"))
		case spec.RuntimeVM:
			got = len(opsOf(r.ops, "update", "azure-native:compute:VirtualMachineExtension", tn.Name+"-vm-"))
		}
		switch {
		case want && got == 0:
			t.Errorf("promotion: %s (ring %s) was not updated", tn.Name, tn.Ring)
		case !want && got != 0:
			t.Errorf("promotion: %s (ring %s, pinned %v) was updated %d times: only the promoted rings' tenants change", tn.Name, tn.Ring, pinned, got)
		}
		if want {
			promoted++
		}
	}
	t.Logf("%s: promotion of canary and early updated %d tenants in place", stack, promoted)
}
