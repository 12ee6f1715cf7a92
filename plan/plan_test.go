package plan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type component struct {
	pulumi.ResourceState
}

type custom struct {
	pulumi.CustomResourceState
	Name pulumi.StringOutput `pulumi:"name"`
}

func TestRunRecordsRegistrations(t *testing.T) {
	p, err := RunProgram(Options{Stack: "test", Config: map[string]string{"kpax-cloud:region": "fr"}},
		func(ctx *pulumi.Context, export ExportFunc) error {
			var comp component
			if err := ctx.RegisterComponentResource("kpax:test:Thing", "thing", &comp); err != nil {
				return err
			}
			pw, err := random.NewRandomPassword(ctx, "thing-pw", &random.RandomPasswordArgs{Length: pulumi.Int(24)}, pulumi.Parent(&comp))
			if err != nil {
				return err
			}
			var rg custom
			if err := ctx.RegisterResource("azure-native:resources:ResourceGroup", "thing-rg", pulumi.Map{
				"resourceGroupName": pulumi.String("rg-thing"),
				"location":          pulumi.String("francecentral"),
			}, &rg, pulumi.Parent(&comp)); err != nil {
				return err
			}
			var acct custom
			if err := ctx.RegisterResource("azure-native:storage:StorageAccount", "thing-st", pulumi.Map{
				"resourceGroupName": rg.Name,
				"accountName":       pulumi.String("stthing"),
				"password":          pw.Result,
				"sku":               pulumi.Map{"name": pulumi.String("Standard_ZRS")},
			}, &acct, pulumi.Parent(&comp), pulumi.Protect(true), pulumi.RetainOnDelete(true), pulumi.DependsOn([]pulumi.Resource{&rg})); err != nil {
				return err
			}
			export("account", acct.Name)
			export("password", pw.Result)
			export("region", pulumi.String(ctx.Stack()))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	acct := p.Get("azure-native:storage:StorageAccount", "thing-st")
	if acct == nil {
		t.Fatal("storage account not recorded")
	}
	if !acct.Protect || !acct.RetainOnDelete || !acct.Custom {
		t.Errorf("options not recorded: %+v", acct)
	}
	if got := acct.String("sku.name"); got != "Standard_ZRS" {
		t.Errorf("sku.name = %q", got)
	}
	if got := acct.String("resourceGroupName"); got != "rg-thing" {
		t.Errorf("resourceGroupName = %q, want the group's mocked name", got)
	}
	if got := acct.String("password"); got != Secret {
		t.Errorf("secret input recorded as %q", got)
	}
	wantID := "/subscriptions/" + MockSubscriptionID + "/resourceGroups/rg-thing/providers/Microsoft.Storage/storageAccounts/stthing"
	if acct.ID != wantID {
		t.Errorf("ID = %q, want %q", acct.ID, wantID)
	}
	// Explicit DependsOn and the resources whose outputs are inputs.
	if len(acct.DependsOn) != 2 || !strings.HasSuffix(acct.DependsOn[0], "::thing-rg") || !strings.HasSuffix(acct.DependsOn[1], "::thing-pw") {
		t.Errorf("dependsOn = %v", acct.DependsOn)
	}
	comp := p.Get("kpax:test:Thing", "thing")
	if comp == nil || comp.Custom {
		t.Fatalf("component not recorded as a component: %+v", comp)
	}
	if anc := p.Ancestors(acct); len(anc) != 1 || anc[0] != comp {
		t.Errorf("ancestors = %v", anc)
	}
	if want := "urn:pulumi:test::kpax-cloud::kpax:test:Thing$azure-native:storage:StorageAccount::thing-st"; acct.URN != want {
		t.Errorf("URN = %q, want %q", acct.URN, want)
	}
	if p.Outputs["account"] != "stthing" || p.Outputs["password"] != Secret || p.Outputs["region"] != "test" {
		t.Errorf("outputs = %v", p.Outputs)
	}
	js, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), MockSecretMarker) {
		t.Errorf("a secret value reached the plan: %s", js)
	}
}

func TestResourceGetPaths(t *testing.T) {
	r := &Resource{Inputs: map[string]any{
		"subnets": []any{map[string]any{"name": "apps"}},
		"zones":   []any{"1", "2", "3"},
	}}
	if got := r.String("subnets.0.name"); got != "apps" {
		t.Errorf("subnets.0.name = %q", got)
	}
	for _, path := range []string{"subnets.1.name", "subnets.x", "missing.path", "zones.0.deeper"} {
		if got := r.Get(path); got != nil {
			t.Errorf("Get(%q) = %v, want nil", path, got)
		}
	}
	if got := r.Strings("zones"); strings.Join(got, ",") != "1,2,3" {
		t.Errorf("zones = %v", got)
	}
}

func TestDescendantsWalksOneSubtreeInPlanOrder(t *testing.T) {
	p := &Plan{}
	add := func(name string, parent *Resource) *Resource { return appendResource(p, name, parent) }
	a := add("a", nil)
	a1 := add("a1", a)
	b := add("b", nil)
	add("b1", b)
	a2 := add("a2", a)
	a11 := add("a11", a1)

	names := func(rs []*Resource) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return strings.Join(out, " ")
	}
	if got := names(p.Descendants(a)); got != "a1 a2 a11" {
		t.Errorf("Descendants(a) = %q, want plan order %q", got, "a1 a2 a11")
	}
	// A resource appended after the first query is seen: tests build plans
	// by appending.
	add("a21", a2)
	if got := names(p.Descendants(a2)); got != "a21" {
		t.Errorf("Descendants(a2) after an append = %q, want %q", got, "a21")
	}
	if got := p.Descendants(a11); len(got) != 0 {
		t.Errorf("Descendants of a leaf = %q", names(got))
	}
	// A hand-made loop must not hang the walk.
	loop := &Plan{Resources: []*Resource{{URN: "x", Parent: "y"}, {URN: "y", Parent: "x"}}}
	if got := loop.Descendants(loop.Resources[0]); len(got) != 1 || got[0].URN != "y" {
		t.Errorf("Descendants over a loop = %v", got)
	}
}

// appendResource appends a resource named name under parent (nil: none) to
// p, as a test assembles a plan by hand.
func appendResource(p *Plan, name string, parent *Resource) *Resource {
	r := &Resource{URN: "urn:pulumi:test::kpax-cloud::t::" + name, Name: name}
	if parent != nil {
		r.Parent = parent.URN
	}
	p.Resources = append(p.Resources, r)
	return r
}
