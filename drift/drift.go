// Package drift reads a nightly `pulumi preview --refresh --expect-no-changes
// --json` of one stack and says, per tenant and YAML file, what differs from
// the program: a change made outside it, in the portal or the CLI. Known
// refresh noise of azure-native, each entry with its upstream issue, is set
// aside by a versioned ignore-list (ignore.yaml).
package drift

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kpax/kpax-cloud/diffreport"
	"github.com/kpax/kpax-cloud/plan"
)

// Preview is what `pulumi preview --json` prints (the engine's
// display.PreviewDigest, pkg/v3/display/json.go), the fields drift reads.
type Preview struct {
	Steps       []Step       `json:"steps"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// Step is one step the engine would take.
type Step struct {
	Op           string                  `json:"op"`
	URN          string                  `json:"urn"`
	DiffReasons  []string                `json:"diffReasons"`
	DetailedDiff map[string]PropertyDiff `json:"detailedDiff"`
}

// PropertyDiff is one property's difference.
type PropertyDiff struct {
	Kind string `json:"kind"`
}

// Diagnostic is a message of the preview.
type Diagnostic struct {
	URN      string `json:"urn"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// ParsePreview reads a preview's JSON. A preview that failed (an error
// diagnostic, or no steps at all) is an error: it says nothing about drift.
func ParsePreview(data []byte) (*Preview, error) {
	var p Preview
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("not the JSON of pulumi preview --json: %w", err)
	}
	if len(p.Steps) == 0 {
		for _, d := range p.Diagnostics {
			if d.Severity == "error" {
				return nil, fmt.Errorf("the preview failed: %s", strings.TrimSpace(d.Message))
			}
		}
		// Even a stack without drift has steps ("same" for each
		// resource): none means the preview did not run.
		return nil, fmt.Errorf("the preview has no steps: it did not run")
	}
	return &p, nil
}

// Report is the drift of one stack.
type Report struct {
	Stack string `json:"stack"`
	// Sections are per tenant (File its YAML file), then the region
	// platform.
	Sections []Section `json:"sections"`
	// Ignored are the differences the ignore-list set aside, each with the
	// issue that explains it.
	Ignored []Ignored `json:"ignored"`
}

// Drifted reports whether anything differs.
func (r *Report) Drifted() bool { return len(r.Sections) > 0 }

// Section is the drift of one tenant, or of the region platform (Tenant "").
type Section struct {
	Tenant    string     `json:"tenant,omitempty"`
	File      string     `json:"file"`
	Resources []Resource `json:"resources"`
}

// Resource is one drifted resource.
type Resource struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	Name string `json:"name"`
	// Op is what the next up would do: update back, replace, create again.
	Op string `json:"op"`
	// Paths are the properties that differ.
	Paths []string `json:"paths"`
}

// Ignored is one difference the ignore-list covers.
type Ignored struct {
	URN   string `json:"urn"`
	Path  string `json:"path"`
	Issue string `json:"issue"`
}

// Build maps each changing step of the preview to its tenant, with the
// offline plan of the same stack (which resource belongs to which tenant, and
// which entry of a shared resource a list index is), and sets the ignored
// differences aside. files gives each tenant's YAML file; region is the
// region file.
func Build(stack string, pv *Preview, offline *plan.Plan, ignore []Rule, files map[string]string, region string) *Report {
	r := &Report{Stack: stack, Sections: []Section{}, Ignored: []Ignored{}}
	tenants := tenantNames(offline)
	bySection := map[string]*Section{}
	for _, st := range pv.Steps {
		if st.Op == "same" || st.Op == "read" || st.Op == "refresh" || st.Op == "" {
			continue
		}
		typ, name := urnTypeName(st.URN)
		paths := sortedPaths(st)
		var kept []string
		for _, p := range paths {
			if rule := Match(ignore, typ, p); rule != nil {
				r.Ignored = append(r.Ignored, Ignored{URN: st.URN, Path: p, Issue: rule.Issue})
				continue
			}
			kept = append(kept, p)
		}
		if len(paths) > 0 && len(kept) == 0 {
			continue
		}
		res := offline.ByURN(st.URN)
		owner := ""
		if res != nil {
			owner = tenantOf(offline, res)
		}
		if owner == "" && res == nil {
			owner = diffreport.Owner(tenants, name)
		}
		// A shared resource's drift inside one tenant's entry (a gateway
		// listener edited in the portal) is that tenant's.
		split := map[string][]string{}
		for _, p := range kept {
			who := owner
			if who == "" && res != nil {
				who = diffreport.Owner(tenants, entryName(res, p))
			}
			split[who] = append(split[who], p)
		}
		if len(kept) == 0 {
			split[owner] = nil // a resource to create again, or to delete
		}
		for who, ps := range split {
			sec := bySection[who]
			if sec == nil {
				sec = &Section{Tenant: who, File: region}
				if who != "" && files[who] != "" {
					sec.File = files[who]
				}
				bySection[who] = sec
			}
			sec.Resources = append(sec.Resources, Resource{URN: st.URN, Type: typ, Name: name, Op: st.Op, Paths: ps})
		}
	}
	keys := make([]string, 0, len(bySection))
	for k := range bySection {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		// Tenants first, by name; the region platform last.
		if (keys[i] == "") != (keys[j] == "") {
			return keys[j] == ""
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		sec := bySection[k]
		sort.Slice(sec.Resources, func(i, j int) bool { return sec.Resources[i].URN < sec.Resources[j].URN })
		r.Sections = append(r.Sections, *sec)
	}
	return r
}

func sortedPaths(st Step) []string {
	seen := map[string]bool{}
	for p := range st.DetailedDiff {
		seen[p] = true
	}
	if len(seen) == 0 {
		for _, p := range st.DiffReasons {
			seen[p] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// urnTypeName splits a URN's last type and its name:
// urn:pulumi:s::p::a$b::name is (b, name).
func urnTypeName(urn string) (string, string) {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return "", urn
	}
	chain := parts[2]
	if i := strings.LastIndexByte(chain, '$'); i >= 0 {
		chain = chain[i+1:]
	}
	return chain, strings.Join(parts[3:], "::")
}

func tenantNames(p *plan.Plan) []string {
	var out []string
	for _, r := range p.OfType(plan.TenantComponentType) {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}

func tenantOf(p *plan.Plan, r *plan.Resource) string {
	if r.Type == plan.TenantComponentType {
		return r.Name
	}
	for _, a := range p.Ancestors(r) {
		if a.Type == plan.TenantComponentType {
			return a.Name
		}
	}
	return ""
}

// entryName is the name of the list entry a detailed-diff path points into,
// read from the offline plan: "httpListeners[2].hostName" is the third
// listener, "tenant-acme".
func entryName(r *plan.Resource, path string) string {
	open := strings.IndexByte(path, '[')
	end := strings.IndexByte(path, ']')
	if open < 0 || end < open {
		return ""
	}
	i, err := strconv.Atoi(path[open+1 : end])
	if err != nil {
		return ""
	}
	list, _ := r.Get(strings.TrimPrefix(path[:open], "properties.")).([]any)
	if list == nil {
		list, _ = r.Get(path[:open]).([]any)
	}
	if i < 0 || i >= len(list) {
		return ""
	}
	m, _ := list[i].(map[string]any)
	name, _ := m["name"].(string)
	return name
}
