// Targeted previews, as the preview workflow runs them for a one-tenant pull
// request, show exactly the steps of an untargeted preview.

package lifecycle

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/kpax/kpax-cloud/program"
)

// snapshot copies the world's project as it is now: the base revision of
// the next change.
func (w *world) snapshot() string {
	w.t.Helper()
	dir := filepath.Join(w.t.TempDir(), "base")
	if err := copyProject(w.dir, dir); err != nil {
		w.t.Fatal(err)
	}
	return dir
}

func TestTargetedPreviewsAreComplete(t *testing.T) {
	t.Parallel()
	const stack = "prod-uk"
	w := newWorld(t, stack)
	w.mustUp("first up")
	newTenant := "tenants/uk/zzbarnew.yaml"
	changes := []struct {
		name    string
		edit    func()
		gateway bool // the change routes or unroutes the tenant on the gateway
		apply   bool
	}{
		{"add a tenant", func() {
			data := "name: zzbarnew\ndisplayName: Zzbar New\nregion: uk\ntier: standard\nruntime: container\n" +
				"container:\n  image: kpaxcloud.azurecr.io/kpax-server:4.12.1\n  slot: 5\n"
			if err := os.WriteFile(w.file(newTenant), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}, true, true},
		{"resize a tenant", func() {
			w.edit(newTenant, func(s string) string { return strings.Replace(s, "tier: standard", "tier: large", 1) })
		}, false, true},
		{"decommission a tenant", func() {
			w.edit(newTenant, func(s string) string { return s + "state: decommissioned\n" })
		}, true, false},
	}
	for _, c := range changes {
		base := w.snapshot()
		c.edit()
		targets, err := program.Targets(base, w.dir, stack)
		if err != nil {
			t.Fatal(err)
		}
		full := w.preview()
		if full.err != nil {
			t.Fatalf("%s: untargeted preview: %v", c.name, full.err)
		}
		part := w.preview(optpreview.Target(targets), optpreview.TargetDependents())
		if part.err != nil {
			t.Fatalf("%s: targeted preview: %v", c.name, part.err)
		}
		if fmt.Sprint(full.steps) != fmt.Sprint(part.steps) {
			t.Errorf("%s: the targeted preview (%d targets) shows %d steps, the untargeted %d:\n targeted   %v\n untargeted %v",
				c.name, len(targets), len(part.steps), len(full.steps), part.steps, full.steps)
		}
		if gatewayStep(full.steps) != c.gateway {
			t.Errorf("%s: the preview updates the gateway: %v, want %v", c.name, gatewayStep(full.steps), c.gateway)
		}
		if c.gateway {
			// What the workflow used to target: the tenant's component and
			// its dependents. The gateway is the tenant's dependency, so
			// that preview hid its update.
			old := w.preview(optpreview.Target([]string{tenantURN(stack, "zzbarnew")}), optpreview.TargetDependents())
			if old.err == nil && gatewayStep(old.steps) {
				t.Errorf("%s: targeting the component alone shows the gateway too; the test no longer shows the gap", c.name)
			}
		}
		t.Logf("%s: %d targets, %d steps in both previews", c.name, len(targets), len(full.steps))
		if c.apply {
			w.mustUp(c.name)
		}
	}
}

// gatewayStep reports whether the steps change the region's gateway.
func gatewayStep(steps []step) bool {
	for _, s := range steps {
		if strings.HasSuffix(s.URN, "$azure-native:network:ApplicationGateway::region-uk-agw") {
			return true
		}
	}
	return false
}
