package program

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

const root = ".."

var wantStacks = map[string]string{
	"prod-fr": "francecentral", "prod-uk": "uksouth", "prod-us": "eastus2",
	"prod-ca": "canadacentral", "prod-za": "southafricanorth", "prod-in": "centralindia",
}

// The Pulumi CLI loads these files with the same SDK loaders: a file it
// would refuse fails here.
func TestPulumiFilesLoadWithTheSDK(t *testing.T) {
	proj, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if proj.Name != Project || proj.Runtime.Name() != "go" {
		t.Errorf("project %q runtime %q", proj.Name, proj.Runtime.Name())
	}
	if _, ok := proj.Config[ConfigRegion]; !ok {
		t.Errorf("Pulumi.yaml does not declare %s", ConfigRegion)
	}
	stacks, err := Stacks(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != len(wantStacks) {
		t.Errorf("stacks = %v, want %d", stacks, len(wantStacks))
	}
	for _, s := range stacks {
		cfg, err := StackConfig(root, s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if got, want := cfg[ConfigRegion], strings.TrimPrefix(s, "prod-"); got != want {
			t.Errorf("%s: %s = %q, want %q", s, ConfigRegion, got, want)
		}
		if got := cfg[ConfigLocation]; got != wantStacks[s] {
			t.Errorf("%s: %s = %q, want %q", s, ConfigLocation, got, wantStacks[s])
		}
	}
	if _, err := StackConfig(root, "prod-xx"); err == nil || !strings.Contains(err.Error(), "prod-fr") {
		t.Errorf("unknown stack: err = %v, want one listing the stacks", err)
	}
}

func planAll(t *testing.T) map[string]*plan.Plan {
	t.Helper()
	plans := map[string]*plan.Plan{}
	for s := range wantStacks {
		p, err := Plan(root, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		plans[s] = p
	}
	return plans
}

// Every stack deploys exactly its region's tenants, everything in its
// region's location, and no secret reaches the plan.
func TestEveryStackPlansItsOwnRegionOnly(t *testing.T) {
	proj, err := spec.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	for stack, p := range planAll(t) {
		region := strings.TrimPrefix(stack, "prod-")
		var got []string
		for _, r := range p.OfType("kpax:components:Tenant") {
			got = append(got, r.Name)
		}
		var want []string
		for _, tn := range proj.TenantsIn(region) {
			want = append(want, tn.Name)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: tenants %v, want %v", stack, got, want)
		}
		if n := len(p.OfType("kpax:components:RegionalCluster")); n != 1 {
			t.Errorf("%s: %d regional clusters", stack, n)
		}
		for _, r := range p.Resources {
			if loc := r.String("location"); loc != "" && !strings.EqualFold(loc, "global") && loc != wantStacks[stack] {
				t.Errorf("%s: %s %s is in %q", stack, r.Type, r.Name, loc)
			}
		}
		js, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(js), plan.MockSecretMarker) {
			t.Errorf("%s: a secret value reached the plan", stack)
		}
		for _, other := range proj.Tenants {
			if other.Region != region && strings.Contains(string(js), "rg-kpax-"+other.Region+"-"+other.Name) {
				t.Errorf("%s: plan mentions tenant %s of region %s", stack, other.Name, other.Region)
			}
		}
	}
}

// Removing a YAML file must never delete data: every data resource of every
// tenant is protected and retained on delete in its registration request.
func TestEveryTenantsDataIsProtected(t *testing.T) {
	dataTypes := map[string]bool{
		"azure-native:sql:Database":           true,
		"azure-native:storage:StorageAccount": true,
		"azure-native:keyvault:Vault":         true,
		"azure-native:storage:FileShare":      true,
	}
	for stack, p := range planAll(t) {
		for _, tenant := range p.OfType("kpax:components:Tenant") {
			found := map[string]bool{}
			for _, r := range p.Descendants(tenant) {
				if dataTypes[r.Type] {
					found[r.Type] = true
					if !r.Protect || !r.RetainOnDelete {
						t.Errorf("%s: %s %s: protect=%v retainOnDelete=%v", stack, r.Type, r.Name, r.Protect, r.RetainOnDelete)
					}
				}
			}
			if len(found) != len(dataTypes) {
				t.Errorf("%s: tenant %s has data resources %v, want all of %v", stack, tenant.Name, found, dataTypes)
			}
		}
	}
}

func TestOutputs(t *testing.T) {
	p, err := Plan(root, "prod-us")
	if err != nil {
		t.Fatal(err)
	}
	urls, _ := p.Outputs["tenantUrls"].(map[string]any)
	if urls["initech"] != "https://initech.us.kpax.cloud" {
		t.Errorf("tenantUrls = %v", urls)
	}
	if _, ok := urls["old-corp"]; ok {
		t.Errorf("a decommissioned tenant has a URL: %v", urls)
	}
	retained, _ := p.Outputs["retainedTenants"].([]any)
	if len(retained) != 1 || retained[0] != "old-corp" {
		t.Errorf("retainedTenants = %v, want [old-corp]", retained)
	}
	states, _ := p.Outputs["tenantStates"].(map[string]any)
	if states["old-corp"] != "decommissioned" || states["umbrella"] != "active" {
		t.Errorf("tenantStates = %v", states)
	}
}

// TestTenantImagesFollowTheirRing: each stack exports the image every tenant
// with compute runs, and that image is its ring's in releases.yaml: a ring's
// new version reaches its tenants, and only them.
func TestTenantImagesFollowTheirRing(t *testing.T) {
	dir := t.TempDir()
	for _, pattern := range []string{"Pulumi*.yaml", "rollout.yaml", spec.ReleasesFile, "regions/*.yaml", "tenants/*/*.yaml"} {
		files, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if rel == spec.ReleasesFile { // canary takes 4.13.0
				data = []byte(strings.Replace(string(data), "kpax-server:4.12.1", "kpax-server:4.13.0", 1))
			}
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	const old, next = "kpaxcloud.azurecr.io/kpax-server:4.12.1", "kpaxcloud.azurecr.io/kpax-server:4.13.0"
	for stack, want := range map[string]map[string]string{
		// za's tenants follow canary, its region's defaultRing.
		"prod-za": {"cape-office": next, "karoo-print": next},
		// thames-print follows early; globex the last ring.
		"prod-uk": {"thames-print": old, "globex": old},
		// old-corp is decommissioned: no compute, no image.
		"prod-us": {"initech": old, "umbrella": old},
	} {
		p, err := Plan(dir, stack)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		images, _ := p.Outputs["tenantImages"].(map[string]any)
		for k, v := range images {
			got[k], _ = v.(string)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: tenantImages = %v, want %v", stack, got, want)
		}
		// What the output says is what the app was given.
		if app := p.Get("azure-native:app/v20240301:ContainerApp", "cape-office-app"); stack == "prod-za" {
			if app == nil || !strings.Contains(fmt.Sprint(app.Inputs["template"]), next) {
				t.Errorf("cape-office's app does not run %s: %v", next, app)
			}
		}
	}
}

func TestStackRefusesAMismatchedLocation(t *testing.T) {
	_, err := plan.RunProgram(plan.Options{Stack: "prod-fr", Config: map[string]string{
		ConfigRegion: "fr", ConfigLocation: "westeurope",
	}}, func(ctx *pulumi.Context, export plan.ExportFunc) error { return Deploy(ctx, root, export) })
	if err == nil || !strings.Contains(err.Error(), "francecentral") {
		t.Errorf("err = %v, want a location mismatch naming francecentral", err)
	}
}

// Every container app and every VM's KPAX server of every stack pulls its
// image with the stamp's pull identity, from the region's registry, once the
// identity's AcrPull exists.
func TestServersPullWithThePlatformIdentity(t *testing.T) {
	for stack, p := range planAll(t) {
		clusters := p.OfType("kpax:components:RegionalCluster")
		if len(clusters) != 1 {
			t.Fatalf("%s: %d clusters", stack, len(clusters))
		}
		// The grant takes effect some minutes after it is made: compute
		// waits on the wait for it (components/propagation.go).
		grant := p.Get("time:index/sleep:Sleep", clusters[0].Name+"-acrpull-in-effect")
		identity := p.Get("azure-native:managedidentity:UserAssignedIdentity", clusters[0].Name+"-acrpull-identity")
		if grant == nil || identity == nil {
			t.Fatalf("%s: no registry pull identity and wait for its grant", stack)
		}
		if pull := p.Get("azure-native:authorization:RoleAssignment", clusters[0].Name+"-acrpull"); pull == nil || !slices.Contains(grant.DependsOn, pull.URN) {
			t.Fatalf("%s: the wait does not follow the AcrPull grant", stack)
		}
		for _, app := range p.OfType("azure-native:app:ContainerApp") {
			if got := app.String("configuration.registries.0.identity"); got != identity.ID {
				t.Errorf("%s: %s pulls with %q, want the pull identity %q", stack, app.Name, got, identity.ID)
			}
			if server := app.String("configuration.registries.0.server"); !strings.HasPrefix(app.String("template.containers.0.image"), server+"/") {
				t.Errorf("%s: %s image %q is not from its registry %q", stack, app.Name, app.String("template.containers.0.image"), server)
			}
			if !slices.Contains(app.DependsOn, grant.URN) {
				t.Errorf("%s: %s does not wait for the AcrPull grant", stack, app.Name)
			}
		}
		for _, ext := range p.OfType("azure-native:compute:VirtualMachineExtension") {
			if ext.String("vmExtensionName") != "kpax-server" {
				continue
			}
			if !slices.Contains(ext.DependsOn, grant.URN) {
				t.Errorf("%s: %s does not wait for the AcrPull grant", stack, ext.Name)
			}
		}
		for _, vm := range p.OfType("azure-native:compute:VirtualMachine") {
			if !slices.Contains(vm.Strings("identity.userAssignedIdentities"), identity.ID) {
				t.Errorf("%s: %s cannot pull: it lacks the pull identity", stack, vm.Name)
			}
		}
	}
}

// Two stacks may share a subscription (a region's stamps always do; two
// regions when their files say so): whatever a stack creates at subscription
// scope, such as its Policy initiatives, is named per stamp, so that no two
// stacks ever write the same resource.
func TestSubscriptionScopedResourcesAreNamedPerStamp(t *testing.T) {
	owner := map[string]string{}
	scoped := 0
	for stack, p := range planAll(t) {
		for _, r := range p.Resources {
			if !r.Custom || r.ID == "" || !strings.HasPrefix(r.ID, "/subscriptions/") || strings.Contains(strings.ToLower(r.ID), "/resourcegroups/") {
				continue
			}
			scoped++
			id := strings.ToLower(r.ID)
			if other, ok := owner[id]; ok {
				t.Errorf("%s and %s both create %s", other, stack, r.ID)
			}
			owner[id] = stack
		}
	}
	if scoped == 0 {
		t.Fatal("no stack creates anything at subscription scope: the test looks at nothing")
	}
	t.Logf("%d subscription-scoped resources, each of one stack", scoped)
}
