// Package rules checks a recorded plan against the platform's hosting
// promises: zone redundancy, data residency, no management ports on the
// internet, private data services, complete tenants with daily backups,
// deletion safety, safe replacements, tenant isolation, who may open a
// session in a tenant, tags, alerting and Azure Policy
// guardrails. Each violation points at the
// tenant or region YAML field responsible, so that `kpax check` reads like
// `kpax validate`.
//
// The package reads plans and specs only: it imports no azure-native
// package, so its tests build and run in seconds.
package rules

import (
	"fmt"
	"sort"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Rule names, as printed in brackets before every message.
const (
	RuleZones           = "zones"
	RuleResidency       = "residency"
	RuleManagementPorts = "management-ports"
	RuleLateralTraffic  = "lateral-traffic"
	RuleDataServices    = "data-services"
	RuleCompleteness    = "tenant-completeness"
	RuleDeletionSafety  = "deletion-safety"
	RuleIsolation       = "isolation"
	RuleTags            = "tags"
	RuleAlerting        = "alerting"
	RuleGuardrails      = "guardrails"
)

// rules are run in this order; each one appends to the checker's findings.
var rules = []struct {
	name  string
	check func(c *checker)
}{
	{RuleZones, checkZones},
	{RuleZoneFailure, checkZoneFailure},
	{RuleResidency, checkResidency},
	{RuleManagementPorts, checkManagementPorts},
	{RuleLateralTraffic, checkLateralTraffic},
	{RuleDataServices, checkDataServices},
	{RuleCompleteness, checkCompleteness},
	{RuleDeletionSafety, checkDeletionSafety},
	{RuleReplacement, checkReplacement},
	{RuleIsolation, checkIsolation},
	{RuleSessionAccess, checkSessionAccess},
	{RuleTags, checkTags},
	{RuleAlerting, checkAlerting},
	{RuleGuardrails, checkGuardrails},
}

// Names lists the rules in the order they run.
func Names() []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.name
	}
	return out
}

// Violation is one broken promise: the rule, the resource, what is wrong,
// and the YAML field (file:line:col, relative to the project root) to fix.
type Violation struct {
	Rule    string `json:"rule"`
	URN     string `json:"urn"`
	Message string `json:"message"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
}

func (v Violation) String() string {
	loc := v.File
	if v.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", v.File, v.Line, v.Col)
	}
	s := fmt.Sprintf("%s: [%s] %s", loc, v.Rule, v.Message)
	if v.URN != "" {
		s += " (" + v.URN + ")"
	}
	return s
}

// Sort orders violations by file, line, column, rule, URN and message.
func Sort(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Col != b.Col:
			return a.Col < b.Col
		case a.Rule != b.Rule:
			return a.Rule < b.Rule
		case a.URN != b.URN:
			return a.URN < b.URN
		}
		return a.Message < b.Message
	})
}

// Check runs every rule over the plan of one stack of region (the region
// key: fr, uk, ...) and returns the violations, sorted.
func Check(p *plan.Plan, proj *spec.Project, region string) []Violation {
	c, err := newChecker(p, proj, region)
	if err != nil {
		return []Violation{{Rule: "setup", Message: err.Error(), File: "regions/" + region + ".yaml"}}
	}
	for _, r := range rules {
		c.rule = r.name
		r.check(c)
	}
	Sort(c.found)
	return c.found
}

// checkOnly runs one rule; tests use it to feed each rule its own plans.
func checkOnly(name string, p *plan.Plan, proj *spec.Project, region string) ([]Violation, error) {
	c, err := newChecker(p, proj, region)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if r.name == name {
			c.rule = name
			r.check(c)
			Sort(c.found)
			return c.found, nil
		}
	}
	return nil, fmt.Errorf("no rule %q", name)
}
