package program

import (
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/bench"
	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/rules"
	"github.com/kpax/kpax-cloud/spec"
)

// The program benchmarks live here rather than in bench/ so that they add
// no test binary linking the azure-native SDK: this package's tests link it
// already. bench/ holds the spec benchmarks and the helpers.

var benchSizes = []int{10, 100, 1000}

// benchRegion is region fr as loaded from the repository, and its landed
// tenants (one active container, one suspended container, one active VM
// tenant), which bench.Tenants clones in turn.
func benchRegion(b *testing.B) (*spec.Region, []*spec.Tenant) {
	b.Helper()
	proj, err := spec.LoadRegion(root, "fr")
	if err != nil {
		b.Fatal(err)
	}
	models := proj.TenantsIn("fr")
	if len(models) == 0 {
		b.Fatal("no tenants in region fr")
	}
	return proj.Regions["fr"], models
}

func benchOptions(r *spec.Region) plan.Options {
	return plan.Options{Project: Project, Stack: r.StackName(),
		Config: map[string]string{ConfigRegion: r.Name, ConfigLocation: r.Location}}
}

// runStamp runs the program of stamp 1 of r with tenants in memory: what
// Deploy does once the files are loaded. The capacity checks of the files
// (maxTenants at most 98) do not apply, so one stamp can hold 1,000.
func runStamp(r *spec.Region, tenants []*spec.Tenant) (*plan.Plan, error) {
	return plan.RunProgram(benchOptions(r), func(ctx *pulumi.Context, export plan.ExportFunc) error {
		return DeployStamp(ctx, r, 1, tenants, StampOptions{}, export)
	})
}

// measure runs run once outside the timer, checks that it registers want
// resources (a floor must match the program; -1: any number), then times
// b.N runs with their allocations and peak memory.
func measure(b *testing.B, want int, run func() (*plan.Plan, error)) {
	b.Helper()
	p, err := run()
	if err != nil {
		b.Fatal(err)
	}
	if want >= 0 && len(p.Resources) != want {
		b.Fatalf("the floor registered %d resources, the program %d", len(p.Resources), want)
	}
	b.ReportAllocs()
	peak := bench.StartPeak(b)
	for i := 0; i < b.N; i++ {
		if _, err := run(); err != nil {
			b.Fatal(err)
		}
	}
	peak.Stop()
	b.ReportMetric(float64(len(p.Resources)), "resources")
}

// BenchmarkProgram is the whole program under mocks for n tenants in one
// stamp of region fr.
func BenchmarkProgram(b *testing.B) {
	region, models := benchRegion(b)
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			tenants := bench.Tenants(models, n)
			measure(b, -1, func() (*plan.Plan, error) { return runStamp(region, tenants) })
		})
	}
}

// BenchmarkFloor registers as many resources as the program does for n
// tenants, under the same recorder, with no program logic: one plain custom
// type with a few string inputs, components where the program has
// components, each resource under the same parent. The shape is read from
// one run of the program, before the timer starts.
func BenchmarkFloor(b *testing.B) {
	region, models := benchRegion(b)
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, err := runStamp(region, bench.Tenants(models, n))
			if err != nil {
				b.Fatal(err)
			}
			nodes := floorShape(p)
			measure(b, len(p.Resources), func() (*plan.Plan, error) {
				return plan.Run(benchOptions(region), func(ctx *pulumi.Context) error { return registerFloor(ctx, nodes) })
			})
		})
	}
}

// floorNode is one resource of the floor: its parent is an earlier node
// (-1: the stack).
type floorNode struct {
	name      string
	component bool
	parent    int

	// For the typed floor: the program's type token, Go type, aliases and
	// inputs (as plain values) of the resource.
	typ     string
	goType  reflect.Type
	aliases []pulumi.Alias
	inputs  pulumi.Map
}

type floorComponent struct{ pulumi.ResourceState }

type floorCustom struct{ pulumi.CustomResourceState }

// floorShape lists a plan's resources (the stack aside), parents first.
func floorShape(p *plan.Plan) []floorNode {
	children := map[string][]*plan.Resource{}
	var roots []*plan.Resource
	for _, r := range p.Resources {
		if r.Type == "pulumi:pulumi:Stack" {
			continue
		}
		if parent := p.ByURN(r.Parent); parent == nil || parent.Type == "pulumi:pulumi:Stack" {
			roots = append(roots, r)
			continue
		}
		children[r.Parent] = append(children[r.Parent], r)
	}
	var nodes []floorNode
	var add func(rs []*plan.Resource, parent int)
	add = func(rs []*plan.Resource, parent int) {
		sort.Slice(rs, func(i, j int) bool { return rs[i].URN < rs[j].URN })
		for _, r := range rs {
			nodes = append(nodes, floorNode{name: r.Name, component: !r.Custom, parent: parent, typ: r.Type, inputs: plainInputs(r.Inputs)})
			add(children[r.URN], len(nodes)-1)
		}
	}
	add(roots, -1)
	return nodes
}

func registerFloor(ctx *pulumi.Context, nodes []floorNode) error {
	res := make([]pulumi.Resource, len(nodes))
	for i, n := range nodes {
		var opts []pulumi.ResourceOption
		if n.parent >= 0 {
			opts = append(opts, pulumi.Parent(res[n.parent]))
		}
		if n.component {
			c := &floorComponent{}
			if err := ctx.RegisterComponentResource("kpax:bench:Component", n.name, c, opts...); err != nil {
				return err
			}
			res[i] = c
			continue
		}
		c := &floorCustom{}
		if err := ctx.RegisterResource("kpax:bench:Plain", n.name, pulumi.Map{
			"name":              pulumi.String(n.name),
			"resourceGroupName": pulumi.String("rg-bench"),
			"location":          pulumi.String("francecentral"),
			"sku":               pulumi.String("Standard"),
		}, c, opts...); err != nil {
			return err
		}
		res[i] = c
	}
	return nil
}

// BenchmarkFloorTyped is the floor of the program's own resource types: the
// same resources as the program for n tenants, each registered with the
// same type token, Go resource type (whose output fields the SDK fills by
// reflection) and aliases (an azure-native constructor adds one per other
// API version of its type, and the SDK turns each into a URN output), and
// with the program's recorded inputs as plain values. What it lacks is the
// program's logic: no outputs feed inputs, no Apply, no dependencies.
func BenchmarkFloorTyped(b *testing.B) {
	region, models := benchRegion(b)
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			type seen struct {
				goType  reflect.Type
				aliases []pulumi.Alias
			}
			var captured = map[string]seen{}
			p, err := plan.RunProgram(benchOptions(region), func(ctx *pulumi.Context, export plan.ExportFunc) error {
				if err := ctx.RegisterStackTransformation(func(a *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
					o, _ := pulumi.NewResourceOptions(a.Opts...)
					captured[a.Type+"::"+a.Name] = seen{reflect.TypeOf(a.Resource), o.Aliases}
					return nil
				}); err != nil {
					return err
				}
				return DeployStamp(ctx, region, 1, bench.Tenants(models, n), StampOptions{}, export)
			})
			if err != nil {
				b.Fatal(err)
			}
			nodes := floorShape(p)
			for i := range nodes {
				c, ok := captured[nodes[i].typ+"::"+nodes[i].name]
				if !ok {
					b.Fatalf("no registration seen for %s %s", nodes[i].typ, nodes[i].name)
				}
				nodes[i].goType, nodes[i].aliases = c.goType, c.aliases
			}
			measure(b, len(p.Resources), func() (*plan.Plan, error) {
				return plan.Run(benchOptions(region), func(ctx *pulumi.Context) error { return registerTyped(ctx, nodes) })
			})
		})
	}
}

func registerTyped(ctx *pulumi.Context, nodes []floorNode) error {
	res := make([]pulumi.Resource, len(nodes))
	for i, n := range nodes {
		opts := []pulumi.ResourceOption{pulumi.Aliases(n.aliases)}
		if n.parent >= 0 {
			opts = append(opts, pulumi.Parent(res[n.parent]))
		}
		if n.component {
			c := &floorComponent{}
			if err := ctx.RegisterComponentResource(n.typ, n.name, c, opts...); err != nil {
				return err
			}
			res[i] = c
			continue
		}
		r := reflect.New(n.goType.Elem()).Interface().(pulumi.CustomResource)
		if err := ctx.RegisterResource(n.typ, n.name, n.inputs, r, opts...); err != nil {
			return err
		}
		res[i] = r
	}
	return nil
}

// plainInputs turns recorded inputs back into Pulumi inputs of plain
// values.
func plainInputs(in map[string]any) pulumi.Map {
	out := pulumi.Map{}
	for k, v := range in {
		if pv := plainInput(v); pv != nil {
			out[k] = pv
		}
	}
	return out
}

func plainInput(v any) pulumi.Input {
	switch v := v.(type) {
	case string:
		return pulumi.String(v)
	case bool:
		return pulumi.Bool(v)
	case float64:
		return pulumi.Float64(v)
	case int:
		return pulumi.Int(v)
	case []any:
		arr := pulumi.Array{}
		for _, e := range v {
			if pe := plainInput(e); pe != nil {
				arr = append(arr, pe)
			}
		}
		return arr
	case map[string]any:
		return plainInputs(v)
	}
	return nil
}

// BenchmarkCheck is `kpax check` of one stack: every platform rule over the
// program's plan for n tenants of region fr. The plan is recorded once,
// before the timer starts.
func BenchmarkCheck(b *testing.B) {
	region, models := benchRegion(b)
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			tenants := bench.Tenants(models, n)
			p, err := runStamp(region, tenants)
			if err != nil {
				b.Fatal(err)
			}
			proj := &spec.Project{Root: root, Regions: map[string]*spec.Region{region.Name: region}, Tenants: tenants}
			if v := rules.Check(p, proj, region.Name); len(v) != 0 {
				b.Fatalf("%d violations, the first: %+v", len(v), v[0])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rules.Check(p, proj, region.Name)
			}
			b.ReportMetric(float64(len(p.Resources)), "resources")
		})
	}
}
