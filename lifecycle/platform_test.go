// What a real Azure refuses, ignores or delays, walked on the simulated one
// (plan/semantics.go, simazure/propagation.go): each change below fails or
// silently does nothing on Azure unless the program handles it.

package lifecycle

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
)

// newGroupObjectID is the operators' group a region moves to.
const newGroupObjectID = "5a5a5a5a-1b1b-4c2c-8d3d-4e4e4e4e4e4e"

// firstUpWaitedForGrants: on the first up, every Container App was created
// once the role assignments of its tenant (its identity's, in its resource
// group) and the registry pull grant had taken effect, which only a wait in
// the program makes possible: the simulated clock moves only when the
// program sleeps.
func firstUpWaitedForGrants(t *testing.T, w *world) {
	t.Helper()
	recs, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	var grants, apps []*simazure.Record
	for _, r := range recs {
		switch r.Type {
		case "azure-native:authorization:RoleAssignment":
			grants = append(grants, r)
		case "azure-native:app:ContainerApp":
			apps = append(apps, r)
		}
	}
	if len(apps) == 0 {
		t.Fatal("first up: no Container App")
	}
	for _, app := range apps {
		rg := strings.ToLower(app.ID[:strings.Index(app.ID, "/providers/")])
		for _, g := range grants {
			scope := strings.ToLower(g.String("scope"))
			if !strings.HasPrefix(scope, rg+"/") && !strings.Contains(scope, "microsoft.containerregistry") {
				continue
			}
			if app.Created.Before(g.Created.Add(simazure.DefaultPropagation)) {
				t.Errorf("first up: app %s was created at %s, before grant %s (made at %s) took effect",
					app.ID, app.Created.Format("15:04:05"), g.ID, g.Created.Format("15:04:05"))
			}
		}
	}
}

// platformChanges makes, in one up, the changes that a kinder simulator
// would let through and a real Azure would not:
//   - the VM tenant's OS image changes: ARM refuses the update, so its VMs
//     are replaced, each deleted before its successor (the name stays);
//   - the operators' group changes: ARM ignores it on the SQL server, so it
//     reaches the servers through their administrator child, and the
//     group's role assignments are replaced (ARM refuses to update them);
//   - the Bastion's zone redundancy toggles: ARM refuses the update, so
//     the Bastion alone is replaced;
//   - the gateway's certificate is renewed through the stack's config: a
//     new version of its secret, written through ARM, with no outage;
//   - a new container tenant arrives: its first revision waits for its
//     fresh grants to take effect;
//   - an existing container tenant moves to another environment slot: a
//     new subnet, its environment and app replaced (the old ones first,
//     since their names stay), and its data, URL and backups untouched,
//     as on the move off the former shared environment.
func platformChanges(t *testing.T, w *world, stack string, vm, app *spec.Tenant) {
	t.Helper()
	proj, err := spec.LoadProject(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	region := proj.Regions[vm.Region]
	regionFile := region.Source.File

	image := regexp.MustCompile(`(?m)^  image: Canonical:.*$`)
	w.edit(vm.Source.File, func(s string) string {
		if image.MatchString(s) {
			return image.ReplaceAllString(s, "  image: Canonical:ubuntu-24_04-lts:server:latest")
		}
		return strings.Replace(s, "\nvm:\n", "\nvm:\n  image: Canonical:ubuntu-24_04-lts:server:latest\n", 1)
	})
	w.edit(regionFile, func(s string) string {
		return strings.Replace(s, "groupObjectId: "+region.Operators.GroupObjectID, "groupObjectId: "+newGroupObjectID, 1)
	})
	// The certificate's renewal, as docs/tls-certificate.md has it: the
	// stack's secret config changes.
	w.setCertificate("simulated wildcard PFX, version 2")
	zoneRedundant := !region.Bastion.ZoneRedundant
	w.edit(regionFile, func(s string) string {
		line := regexp.MustCompile(`(?m)^  zoneRedundant: (true|false)(.*)$`)
		if line.MatchString(s) {
			return line.ReplaceAllString(s, fmt.Sprintf("  zoneRedundant: %v$2", zoneRedundant))
		}
		return s + fmt.Sprintf("bastion:\n  zoneRedundant: %v\n", zoneRedundant)
	})
	newcomer := addContainerTenant(t, w, app)
	slot := regexp.MustCompile(`(?m)^  slot: \d+`)
	w.edit(app.Source.File, func(s string) string { return slot.ReplaceAllString(s, "  slot: 97") })

	r := w.mustUp("platform changes")
	noDataDeleted(t, "platform changes", r.ops)
	movedCompute(t, r.ops, app)

	// The VMs: deleted, then created again under the same name, one after
	// the other: the next goes only once the one before is back.
	lastCreated := -1
	for i := 1; i <= vm.VM.Instances; i++ {
		name := fmt.Sprintf("%s-vm-%d", vm.Name, i)
		deleted, created := -1, -1
		for n, op := range r.ops {
			if op.Type != "azure-native:compute:VirtualMachine" || !strings.HasSuffix(op.URN, "::"+name) {
				continue
			}
			switch op.Op {
			case "delete":
				deleted = n
			case "create":
				created = n
			}
		}
		if deleted < 0 || created < deleted {
			t.Errorf("image change: VM %s was not replaced delete-first (delete at %d, create at %d)", name, deleted, created)
		}
		if deleted < lastCreated {
			t.Errorf("image change: VM %s was deleted (op %d) before the VM before it was back (op %d): the tenant lost every VM", name, deleted, lastCreated)
		}
		lastCreated = created
	}
	// The SQL servers: the new group is their Entra admin.
	recs, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	servers := 0
	for _, rec := range recs {
		if rec.Type != "azure-native:sql:Server" {
			continue
		}
		servers++
		if sid, err := w.cloud.EntraAdmin(rec.ID); err != nil || sid != newGroupObjectID {
			t.Errorf("operators' group change: the Entra admin of %s is %q (%v), want %s", rec.ID, sid, err, newGroupObjectID)
		}
	}
	if servers == 0 {
		t.Error("no SQL server in the cloud")
	}
	// The Bastion: replaced, delete-first; the gateway: updated in place.
	if len(opsOf(r.ops, "delete", "azure-native:network:BastionHost", "")) != 1 || len(opsOf(r.ops, "create", "azure-native:network:BastionHost", "")) != 1 {
		t.Errorf("bastion zones toggled to %v: want the Bastion deleted and created once, got %v", zoneRedundant, r.ops)
	}
	// The certificate: a new version of the same secret, written through
	// ARM; the gateway's versionless reference picks it up, and the
	// gateway is never taken down.
	certificateOps := func(kind string) []simazure.Op {
		var out []simazure.Op
		for _, op := range opsOf(r.ops, kind, "azure-native:keyvault:Secret", "") {
			if strings.HasSuffix(op.URN, "-tls-certificate") {
				out = append(out, op)
			}
		}
		return out
	}
	for _, kind := range []string{"delete", "create"} {
		if ops := opsOf(r.ops, kind, "azure-native:network:ApplicationGateway", ""); len(ops) != 0 {
			t.Errorf("certificate rotation: the gateway was asked to %s: an outage", kind)
		}
		if ops := certificateOps(kind); len(ops) != 0 {
			t.Errorf("certificate rotation: the certificate's secret was asked to %s: the gateway would lose it", kind)
		}
	}
	if len(certificateOps("update")) != 1 {
		t.Errorf("certificate rotation: the certificate's secret was not updated once: %v", certificateOps("update"))
	}
	// The newcomer's app waited for its grants.
	if len(opsOf(r.ops, "create", "azure-native:app:ContainerApp", newcomer+"-app")) != 1 {
		t.Errorf("new tenant %s: its app was not created", newcomer)
	}
	firstUpWaitedForGrants(t, w)
	// ... and serves with no hand step: the deploy workflow's grant job
	// makes its identity a user of its database, signed in as a member of
	// the new operators group.
	ex := runGrants(t, w, newGroupObjectID)
	grantsHold(t, w, "new tenant", ex, stackTenants(t, w.dir, stack))
	if !slices.ContainsFunc(ex.Log, func(l string) bool { return strings.HasPrefix(l, "kpax-grant tenant="+newcomer+" ") }) {
		t.Errorf("new tenant %s: the grant job did not grant it: %v", newcomer, ex.Log)
	}
	// The lifecycle's final preview checks that the stack is at rest; a
	// preview here would be one more engine walk per stack.
}

// addContainerTenant writes a new tenant file next to app's, with app's
// shape and a new name, and returns the name.
func addContainerTenant(t *testing.T, w *world, app *spec.Tenant) string {
	t.Helper()
	data, err := os.ReadFile(w.file(app.Source.File))
	if err != nil {
		t.Fatal(err)
	}
	name := "newco"
	body := regexp.MustCompile(`(?m)^name: .*$`).ReplaceAllString(string(data), "name: "+name)
	body = regexp.MustCompile(`(?m)^state: .*$`).ReplaceAllString(body, "state: active")
	// An environment subnet of its own: the landed stamps use the first
	// few slots.
	body = regexp.MustCompile(`(?m)^  slot: \d+`).ReplaceAllString(body, "  slot: 99")
	rel := strings.TrimSuffix(app.Source.File, app.Name+".yaml") + name + ".yaml"
	if err := os.WriteFile(w.file(rel), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// movedCompute: a container tenant moved to a new environment slot had its
// compute replaced and nothing of its data, URL or backups touched.
func movedCompute(t *testing.T, ops []simazure.Op, app *spec.Tenant) {
	t.Helper()
	for _, part := range []struct{ typ, suffix string }{
		{"azure-native:app:ContainerApp", "::" + app.Name + "-app"},
		{"azure-native:app:ManagedEnvironment", "-cae-" + app.Name},
		{"azure-native:network:Subnet", "-snet-env-" + app.Name},
	} {
		var seen []string
		for _, op := range ops {
			if plan.Unversioned(op.Type) == part.typ && strings.HasSuffix(op.URN, part.suffix) {
				seen = append(seen, op.Op)
			}
		}
		if !slices.Contains(seen, "delete") || !slices.Contains(seen, "create") {
			t.Errorf("move of %s to a new slot: its %s was not replaced (ops %v)", app.Name, part.typ, seen)
		}
	}
	for _, op := range ops {
		typ := plan.Unversioned(op.Type)
		kept := dataTypes[typ] || typ == "azure-native:network:RecordSet" || typ == "azure-native:storage:ObjectReplicationPolicy"
		if kept && (op.Op == "create" || op.Op == "delete") && strings.Contains(op.URN, "::"+app.Name+"-") {
			t.Errorf("move of %s to a new slot: its %s was %sd (%s): data, URL and backups stay", app.Name, op.Type, op.Op, op.URN)
		}
	}
}
