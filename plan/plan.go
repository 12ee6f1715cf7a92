// Package plan runs a Pulumi program offline under Pulumi's own mocks and
// records every resource it registers: type, name, parent, options and
// inputs. It is the one recorder behind the component tests and `kpax plan`,
// so what the tests assert is exactly what operators are shown.
package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Secret replaces every secret value in a plan.
const Secret = "[secret]"

// Unknown replaces every value that is not known until deployment.
const Unknown = "[unknown]"

// Resource is one registration: a custom resource or a component.
type Resource struct {
	URN            string   `json:"urn"`
	Type           string   `json:"type"`
	Name           string   `json:"name"`
	Parent         string   `json:"parent,omitempty"`
	Custom         bool     `json:"custom"`
	Protect        bool     `json:"protect"`
	RetainOnDelete bool     `json:"retainOnDelete"`
	DependsOn      []string `json:"dependsOn,omitempty"`
	// The options that change what the engine does on a change of the
	// inputs: which paths replace the resource (on top of the provider's
	// own), which are ignored, whether a replacement deletes first, which
	// resource's deletion takes this one with it, and the former URNs it
	// answers to.
	ReplaceOnChanges    []string `json:"replaceOnChanges,omitempty"`
	IgnoreChanges       []string `json:"ignoreChanges,omitempty"`
	DeleteBeforeReplace bool     `json:"deleteBeforeReplace,omitempty"`
	DeletedWith         string   `json:"deletedWith,omitempty"`
	Aliases             []string `json:"aliases,omitempty"`
	// Import is the Azure ID the resource is adopted from, when it exists
	// before the program creates it.
	Import string `json:"import,omitempty"`
	// Provider is the explicit provider a resource is managed through,
	// when it is not the default one (a stamp writing to another
	// subscription's DNS zone).
	Provider string `json:"provider,omitempty"`
	// Version is the provider version the registration asks for; one
	// program must ask for one version of each provider.
	Version string         `json:"-"`
	Inputs  map[string]any `json:"inputs"`
	// ID is the mocked Azure ID. It is not part of the plan contract, but
	// it lets checks find which resource another one references.
	ID string `json:"-"`
}

// Plan is what one program run registered.
type Plan struct {
	Stack     string         `json:"stack"`
	Project   string         `json:"project"`
	Resources []*Resource    `json:"resources"`
	Outputs   map[string]any `json:"outputs"`

	// The indexes below are built on first use and rebuilt when Resources
	// grows (tests assemble plans by appending). A URN or parent edited
	// after a query is not seen.
	byURN    map[string]*Resource
	byName   map[typeName]*Resource // the first of each type and logical name
	children map[string][]*Resource // by parent URN, in plan order
	position map[*Resource]int
}

// Options say which project and stack the program believes it runs in, and
// the stack configuration it reads (keys are namespaced: "kpax-cloud:region").
type Options struct {
	Project string
	Stack   string
	Config  map[string]string
}

// ExportFunc publishes a stack output; it has the signature of
// (*pulumi.Context).Export.
type ExportFunc func(name string, value pulumi.Input)

// Run runs body under mocks and returns what it registered.
func Run(opts Options, body pulumi.RunFunc) (*Plan, error) {
	return RunProgram(opts, func(ctx *pulumi.Context, _ ExportFunc) error { return body(ctx) })
}

// RunProgram runs a program that publishes stack outputs through export, and
// records its outputs too.
func RunProgram(opts Options, body func(ctx *pulumi.Context, export ExportFunc) error) (*Plan, error) {
	if opts.Project == "" {
		opts.Project = "kpax-cloud"
	}
	if opts.Stack == "" {
		return nil, fmt.Errorf("plan: a stack name is required")
	}
	rec := &recorder{project: opts.Project, stack: opts.Stack}
	type exported struct {
		name string
		out  pulumi.Output
	}
	var (
		mu      sync.Mutex
		exports []exported
		values  = map[string]any{}
	)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		export := func(name string, value pulumi.Input) {
			ctx.Export(name, value)
			// The applied output is what we wait on below: waiting on it
			// guarantees the value was stored, and it carries secretness.
			applied := pulumi.ToOutputWithContext(ctx.Context(), value).ApplyT(func(v any) any {
				mu.Lock()
				values[name] = v
				mu.Unlock()
				return v
			})
			exports = append(exports, exported{name, applied})
		}
		return body(ctx, export)
	}, pulumi.WithMocks(opts.Project, opts.Stack, rec), func(info *pulumi.RunInfo) {
		info.Config = opts.Config
	})
	if err != nil {
		return nil, err
	}
	// The SDK registers resources from goroutines, so arrival order varies
	// between runs: order by logical name (then type) for stable output.
	sort.SliceStable(rec.resources, func(i, j int) bool {
		a, b := rec.resources[i], rec.resources[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Type < b.Type
	})
	p := &Plan{Stack: opts.Stack, Project: opts.Project, Resources: rec.resources, Outputs: map[string]any{}}
	for _, e := range exports {
		// IsSecret waits for the output to resolve.
		if pulumi.IsSecret(e.out) {
			p.Outputs[e.name] = Secret
			continue
		}
		mu.Lock()
		v := values[e.name]
		mu.Unlock()
		jv, err := jsonLike(v)
		if err != nil {
			return nil, fmt.Errorf("plan: output %q: %w", e.name, err)
		}
		p.Outputs[e.name] = jv

	}
	p.index()
	return p, nil
}

// jsonLike turns a resolved Go value (map[string]string, []string, ...) into
// the same JSON-like shapes as the inputs, so that outputs read the same way
// whether they come from a file or from a run.
func jsonLike(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

func (p *Plan) index() {
	p.byURN = make(map[string]*Resource, len(p.Resources))
	p.byName = make(map[typeName]*Resource, len(p.Resources))
	p.children = make(map[string][]*Resource)
	p.position = make(map[*Resource]int, len(p.Resources))
	for i, r := range p.Resources {
		p.byURN[r.URN] = r
		if k := (typeName{r.Type, r.Name}); p.byName[k] == nil {
			p.byName[k] = r
		}
		p.children[r.Parent] = append(p.children[r.Parent], r)
		p.position[r] = i
	}
}

func (p *Plan) ensureIndex() {
	if p.byURN == nil || len(p.position) != len(p.Resources) {
		p.index()
	}
}

// OfType returns the resources of one type token, in plan order (by logical name).
func (p *Plan) OfType(typ string) []*Resource {
	var out []*Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the resource of a type with a logical name, or nil.
//
// A hit is checked and a miss is confirmed by a scan, so that a test which
// renames a resource after a query still gets the truth.
func (p *Plan) Get(typ, name string) *Resource {
	p.ensureIndex()
	if r := p.byName[typeName{typ, name}]; r != nil && r.Type == typ && r.Name == name {
		return r
	}
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

type typeName struct{ typ, name string }

// ByURN returns the resource with a URN, or nil.
func (p *Plan) ByURN(urn string) *Resource {
	p.ensureIndex()
	return p.byURN[urn]
}

// Ancestors returns r's parent, its parent's parent, and so on up to (not
// including) the stack.
func (p *Plan) Ancestors(r *Resource) []*Resource {
	var out []*Resource
	for cur := p.ByURN(r.Parent); cur != nil; cur = p.ByURN(cur.Parent) {
		out = append(out, cur)
	}
	return out
}

// Descendants returns every resource below root, in plan order (by logical name).
// It walks root's subtree only: callers ask once per tenant, so a scan of
// the whole plan per call would make a stack's report quadratic.
func (p *Plan) Descendants(root *Resource) []*Resource {
	p.ensureIndex()
	var out []*Resource
	seen := map[*Resource]bool{root: true} // a hand-made plan may loop
	stack := []*Resource{root}
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range p.children[r.URN] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				stack = append(stack, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return p.position[out[i]] < p.position[out[j]] })
	return out
}

// CountByType counts the custom resources per type, sorted by type.
func (p *Plan) CountByType() []TypeCount {
	counts := map[string]int{}
	for _, r := range p.Resources {
		if r.Custom {
			counts[r.Type]++
		}
	}
	out := make([]TypeCount, 0, len(counts))
	for t, n := range counts {
		out = append(out, TypeCount{Type: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// TypeCount is how many resources of one type a plan has.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// Get returns the input at a dotted path ("sku.name", "subnets.0.name"), or
// nil when any step is missing.
func (r *Resource) Get(path string) any {
	var cur any = r.Inputs
	for _, step := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(v) {
				return nil
			}
			cur = v[i]
		default:
			return nil
		}
	}
	return cur
}

// String returns the input at path as a string ("" when absent or not a
// string).
func (r *Resource) String(path string) string {
	s, _ := r.Get(path).(string)
	return s
}

// Strings returns the input at path as a list of strings.
func (r *Resource) Strings(path string) []string {
	list, _ := r.Get(path).([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// backupRetentionPaths are where a Recovery Services backup policy keeps
// its daily retention: the vault tier of a file share policy
// (vaultRetentionPolicy, API 2023-06-01 and later) and the snapshot-only or
// VM policy shape (retentionPolicy).
var backupRetentionPaths = []string{
	"properties.vaultRetentionPolicy.vaultRetention.dailySchedule.retentionDuration.count",
	"properties.retentionPolicy.dailySchedule.retentionDuration.count",
}

// BackupRetentionDays is the daily retention, in days, of a backup policy
// with these inputs. kpax diff flags a shorter one and the simulated Azure
// refuses it in an immutable vault: one reading for both.
func BackupRetentionDays(inputs map[string]any) (int, bool) {
	r := Resource{Inputs: inputs}
	for _, path := range backupRetentionPaths {
		switch d := r.Get(path).(type) {
		case float64:
			return int(d), true
		case int:
			return d, true
		}
	}
	return 0, false
}
