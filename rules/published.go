// The published Azure rules this program's plans are held to: PSRule for
// Azure and the Azure Policy built-ins of the Microsoft cloud security
// benchmark and of "Resources should be Zone Resilient", each read from its
// own source (docs/published-rules.md), with the program's deliberate
// exceptions and their reasons.

package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// The rule sets, and where each was read.
const (
	SetPSRule = "PSRule for Azure" // github.com/Azure/PSRule.Rules.Azure, src/PSRule.Rules.Azure/rules/
	SetMCSB   = "Microsoft cloud security benchmark (policy set 1f3afdf9-d0c9-4c3d-847f-89da613e70a8)"
	SetZones  = "Resources should be Zone Resilient (policy set 130fb88f-0fc9-4678-bfe1-31022d71c7d5)"
	// SetPolicy are built-in policy definitions of the same repository
	// that neither initiative holds, adopted one by one.
	SetPolicy = "Azure Policy built-in definition (in neither initiative)"
)

// RulePublished is the name published-rule violations are reported under.
const RulePublished = "published"

// PublishedRule is one rule of a public rule set, as this program checks it
// on a plan.
type PublishedRule struct {
	// ID is the rule's own name (Azure.Storage.MinTLS) or the policy
	// definition's GUID.
	ID    string
	Set   string
	Title string
	// Source is the file the rule is defined in, in its repository.
	Source string
	kinds  []string
	// where the fix goes: a tenant's field, else the region file's
	tenantPaths, regionPaths []string
	// broken says what is wrong with r, or "" when the rule holds.
	broken func(c *checker, r *plan.Resource) string
}

// Exception is a published rule a resource deliberately does not follow.
type Exception struct {
	Rule    string
	Reason  string
	applies func(c *checker, r *plan.Resource) bool
}

// Applied is how often an exception was taken in a check.
type Applied struct {
	Exception
	Count int
}

func eq(r *plan.Resource, path string, want any) string {
	got := r.Get(path)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Sprintf("%s is %v, want %v", path, show(got), want)
	}
	return ""
}

func show(v any) any {
	if v == nil {
		return "(unset)"
	}
	return v
}

// firstOf returns the first non-empty message.
func firstOf(msgs ...string) string {
	for _, m := range msgs {
		if m != "" {
			return m
		}
	}
	return ""
}

// hasPrivateEndpoint: a private endpoint of the plan targets r.
func hasPrivateEndpoint(c *checker, r *plan.Resource) string {
	if c.endpoints == nil {
		ix := privateLinkTargets(c.ofKind(typePrivateEndpoint))
		c.endpoints = &ix
	}
	if !c.endpoints.refersTo(r, "") {
		return "no private endpoint targets it"
	}
	return ""
}

// diagnosticsOf are the plan's diagnostic settings by lower-cased resource.
func (c *checker) diagnosticsOf(id string) []*plan.Resource {
	if c.diags == nil {
		c.diags = map[string][]*plan.Resource{}
		for _, d := range c.ofKind(typeDiagnostic) {
			k := strings.ToLower(d.String("resourceUri"))
			c.diags[k] = append(c.diags[k], d)
		}
	}
	return c.diags[strings.ToLower(id)]
}

// childOf returns the custom resources of kind whose input key names r's
// Azure name (a server's auditing policy, an account's blob service).
func (c *checker) childOf(kind, key string, r *plan.Resource, nameKey string) []*plan.Resource {
	name := physicalName(r, nameKey)
	var out []*plan.Resource
	for _, ch := range c.ofKind(kind) {
		if strings.EqualFold(ch.String(key), name) {
			out = append(out, ch)
		}
	}
	return out
}

func allZones(c *checker, r *plan.Resource) string {
	if got := r.Strings("zones"); !sameSet(got, c.region.Zones) {
		return fmt.Sprintf("zones = %v, want the region's %v", got, c.region.Zones)
	}
	return ""
}

func oneZone(_ *checker, r *plan.Resource) string {
	if n := len(r.Strings("zones")); n != 1 {
		return fmt.Sprintf("%d zones, want exactly one", n)
	}
	return ""
}

// subnets of the plan's VNet, with their NSG and outbound settings.
func subnetName(r *plan.Resource) string { return physicalName(r, "subnetName") }

// nsgRules of an NSG resource.
func nsgRules(r *plan.Resource) []map[string]any {
	list, _ := r.Get("securityRules").([]any)
	var out []map[string]any
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// anyPortIn reports whether a rule's destination ports hold port.
func anyPortIn(rule map[string]any, port int) bool {
	ranges := stringList(rule["destinationPortRanges"])
	if s, ok := rule["destinationPortRange"].(string); ok {
		ranges = append(ranges, s)
	}
	for _, pr := range ranges {
		if portIn(pr, port) {
			return true
		}
	}
	return false
}

// version compares dotted versions ("2.1" >= "2.1").
func versionAtLeast(got, want string) bool {
	g, w := strings.Split(got, "."), strings.Split(want, ".")
	for i := range w {
		var a, b int
		if i < len(g) {
			a, _ = strconv.Atoi(g[i])
		}
		b, _ = strconv.Atoi(w[i])
		if a != b {
			return a > b
		}
	}
	return true
}

// extensionsOf are the VM extensions of a VM, by type.
func (c *checker) extensionsOf(vm *plan.Resource) map[string]*plan.Resource {
	out := map[string]*plan.Resource{}
	name := physicalName(vm, "vmName")
	for _, e := range c.ofKind(typeVMExtension) {
		if e.String("vmName") == name && e.String("resourceGroupName") == vm.String("resourceGroupName") {
			out[e.String("type")] = e
		}
	}
	return out
}

// checkPublished runs the published rules and records the exceptions taken.
func checkPublished(c *checker) {
	for _, rule := range PublishedRules {
		for _, k := range rule.kinds {
			for _, r := range c.ofKind(k) {
				msg := rule.broken(c, r)
				if msg == "" {
					continue
				}
				if ex, _ := c.excuse(rule.ID, r); ex != nil {
					c.applied[ex]++
					continue
				}
				c.report(r, rule.tenantPaths, rule.regionPaths, "%s (%s): %s", rule.ID, rule.Title, msg)
			}
		}
	}
}

// excuse is the first exception to rule that applies to r, and its place
// among the rule's exceptions (from 1: ExceptionKey); nil when none does.
func (c *checker) excuse(rule string, r *plan.Resource) (*Exception, int) {
	nth := 0
	for i := range Exceptions {
		ex := &Exceptions[i]
		if ex.Rule != rule {
			continue
		}
		nth++
		if ex.applies(c, r) {
			return ex, nth
		}
	}
	return nil, 0
}

// CheckPublished holds a stack's plan to the published rules. It returns
// the violations, sorted, and the exceptions taken.
func CheckPublished(p *plan.Plan, proj *spec.Project, region string) ([]Violation, []Applied) {
	c, err := newChecker(p, proj, region)
	if err != nil {
		return []Violation{{Rule: "setup", Message: err.Error(), File: "regions/" + region + ".yaml"}}, nil
	}
	c.rule = RulePublished
	checkPublished(c)
	Sort(c.found)
	var applied []Applied
	for ex, n := range c.applied {
		applied = append(applied, Applied{Exception: *ex, Count: n})
	}
	sort.Slice(applied, func(i, j int) bool { return applied[i].Rule < applied[j].Rule })
	return c.found, applied
}

// lookupString reads a string at a dotted path of a JSON-like value.
func lookupString(v any, path string) (string, bool) {
	for _, step := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = m[step]
	}
	s, ok := v.(string)
	return s, ok
}

// inputList reads a list of objects at a path of a resource's inputs.
func inputList(r *plan.Resource, path string) []map[string]any {
	raw, _ := r.Get(path).([]any)
	var out []map[string]any
	for _, e := range raw {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
