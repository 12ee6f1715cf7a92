// Package rules checks a recorded plan against the platform's hosting
// promises: zone redundancy, data residency, no management ports on the
// internet, private data services, complete tenants with daily backups,
// deletion safety, tenant isolation and tags. Each violation points at the
// tenant or region YAML field responsible, so that `kpax check` reads like
// `kpax validate`.
//
// The package reads plans and specs only: it imports no azure-native
// package, so its tests build and run in seconds.
package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Rule names, as printed in brackets before every message.
const (
	RuleZones           = "zones"
	RuleResidency       = "residency"
	RuleManagementPorts = "management-ports"
	RuleDataServices    = "data-services"
	RuleCompleteness    = "tenant-completeness"
	RuleDeletionSafety  = "deletion-safety"
	RuleIsolation       = "isolation"
	RuleTags            = "tags"
)

// rules are run in this order; each one appends to the checker's findings.
var rules = []struct {
	name  string
	check func(c *checker)
}{
	{RuleZones, checkZones},
	{RuleResidency, checkResidency},
	{RuleManagementPorts, checkManagementPorts},
	{RuleDataServices, checkDataServices},
	{RuleCompleteness, checkCompleteness},
	{RuleDeletionSafety, checkDeletionSafety},
	{RuleIsolation, checkIsolation},
	{RuleTags, checkTags},
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

// Resource types the rules know, without API version.
const (
	typeTenant          = "kpax:components:Tenant"
	typeSQLServer       = "azure-native:sql:Server"
	typeSQLDatabase     = "azure-native:sql:Database"
	typeSQLShortTerm    = "azure-native:sql:BackupShortTermRetentionPolicy"
	typeSQLLongTerm     = "azure-native:sql:LongTermRetentionPolicy"
	typeStorageAccount  = "azure-native:storage:StorageAccount"
	typeFileShare       = "azure-native:storage:FileShare"
	typeKeyVault        = "azure-native:keyvault:Vault"
	typeRecoveryVault   = "azure-native:recoveryservices:Vault"
	typeProtectedItem   = "azure-native:recoveryservices:ProtectedItem"
	typeProtectionPol   = "azure-native:recoveryservices:ProtectionPolicy"
	typeContainerApp    = "azure-native:app:ContainerApp"
	typeEnvironment     = "azure-native:app:ManagedEnvironment"
	typeVM              = "azure-native:compute:VirtualMachine"
	typeVMSS            = "azure-native:compute:VirtualMachineScaleSet"
	typeDisk            = "azure-native:compute:Disk"
	typeNIC             = "azure-native:network:NetworkInterface"
	typeNSG             = "azure-native:network:NetworkSecurityGroup"
	typeSecurityRule    = "azure-native:network:SecurityRule"
	typePrivateEndpoint = "azure-native:network:PrivateEndpoint"
	typeNATGateway      = "azure-native:network:NatGateway"
	typePublicIP        = "azure-native:network:PublicIPAddress"
	typeAppGateway      = "azure-native:network:ApplicationGateway"
	typeBastion         = "azure-native:network:BastionHost"
	typeDNSZone         = "azure-native:network:Zone"
	typePrivateZone     = "azure-native:network:PrivateZone"
	typeZoneLink        = "azure-native:network:VirtualNetworkLink"
	typeRecordSet       = "azure-native:network:RecordSet"
	typePrivateRecord   = "azure-native:network:PrivateRecordSet"
	typeLock            = "azure-native:authorization:ManagementLockByScope"
	typeResourceGroup   = "azure-native:resources:ResourceGroup"
)

// kind drops the API version of a versioned azure-native type token, so
// that azure-native:recoveryservices/v20240101:Vault is a recovery vault.
func kind(typ string) string {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "azure-native" {
		return typ
	}
	if i := strings.IndexByte(parts[1], '/'); i >= 0 {
		parts[1] = parts[1][:i]
	}
	return strings.Join(parts, ":")
}

// checker holds one run: the plan, the specs it came from, and findings.
type checker struct {
	p       *plan.Plan
	proj    *spec.Project
	region  *spec.Region
	stamp   int
	tenants map[string]*spec.Tenant // every tenant of the project, by name
	owner   map[*plan.Resource]*spec.Tenant
	ownerC  map[*plan.Resource]*plan.Resource      // resource -> its Tenant component
	byID    map[string]*plan.Resource              // lower-cased ID -> resource
	byKind  map[string][]*plan.Resource            // unversioned type -> custom resources, in plan order
	byName  map[string]map[string][]*plan.Resource // named's memo: "kind key" -> Azure name -> resources
	rule    string
	found   []Violation
}

func newChecker(p *plan.Plan, proj *spec.Project, region string) (*checker, error) {
	r := proj.Regions[region]
	if r == nil {
		return nil, fmt.Errorf("region %q has no region file", region)
	}
	c := &checker{
		p: p, proj: proj, region: r, stamp: planStamp(p, r),
		tenants: map[string]*spec.Tenant{},
		owner:   map[*plan.Resource]*spec.Tenant{},
		ownerC:  map[*plan.Resource]*plan.Resource{},
		byID:    map[string]*plan.Resource{},
		byKind:  map[string][]*plan.Resource{},
		byName:  map[string]map[string][]*plan.Resource{},
	}
	for _, t := range proj.Tenants {
		c.tenants[t.Name] = t
	}
	for _, res := range p.Resources {
		if res.ID != "" {
			c.byID[strings.ToLower(res.ID)] = res
		}
		if res.Custom {
			k := kind(res.Type)
			c.byKind[k] = append(c.byKind[k], res)
		}
		comp := res
		if res.Type != typeTenant {
			comp = nil
			for _, a := range p.Ancestors(res) {
				if a.Type == typeTenant {
					comp = a
					break
				}
			}
		}
		if comp != nil {
			c.ownerC[res] = comp
			if t := c.tenants[comp.Name]; t != nil {
				c.owner[res] = t
			}
		}
	}
	return c, nil
}

// planStamp reads which stamp of the region the plan deploys: the stack
// output, else the stack name, else stamp 1.
func planStamp(p *plan.Plan, r *spec.Region) int {
	switch v := p.Outputs["stamp"].(type) {
	case float64:
		return int(v)
	case int:
		return v
	}
	for s := 2; s <= r.Stamps; s++ {
		if p.Stack == spec.StampStackName(r.Name, s) {
			return s
		}
	}
	return 1
}

// stampTenants are the tenants of the region's stamp this plan deploys.
func (c *checker) stampTenants() []*spec.Tenant {
	var out []*spec.Tenant
	for _, t := range c.proj.TenantsIn(c.region.Name) {
		if t.Stamp == c.stamp || (t.Stamp == 0 && c.stamp == 1) {
			out = append(out, t)
		}
	}
	return out
}

// custom returns the plan's Azure resources (custom, azure-native).
func (c *checker) custom() []*plan.Resource {
	var out []*plan.Resource
	for _, r := range c.p.Resources {
		if r.Custom && strings.HasPrefix(r.Type, "azure-native:") {
			out = append(out, r)
		}
	}
	return out
}

// ofKind returns the custom resources of one unversioned type. Rules ask
// per tenant and per resource, so the lists are built once per plan.
func (c *checker) ofKind(k string) []*plan.Resource {
	return c.byKind[k]
}

// named returns the custom resources of one unversioned type by their
// Azure name (the input key, else the ID's last segment), built once.
func (c *checker) named(k, key string) map[string][]*plan.Resource {
	memo := k + " " + key
	if m, ok := c.byName[memo]; ok {
		return m
	}
	m := map[string][]*plan.Resource{}
	for _, r := range c.ofKind(k) {
		n := physicalName(r, key)
		m[n] = append(m[n], r)
	}
	c.byName[memo] = m
	return m
}

// report records a violation of the current rule for res, located at the
// first of tenantPaths written in its tenant's file, or (for a platform
// resource) the first of regionPaths written in the region file.
func (c *checker) report(res *plan.Resource, tenantPaths, regionPaths []string, format string, args ...any) {
	urn := ""
	if res != nil {
		urn = res.URN
	}
	v := Violation{Rule: c.rule, URN: urn, Message: fmt.Sprintf(format, args...)}
	var t *spec.Tenant
	if res != nil {
		t = c.owner[res]
	}
	if t != nil {
		v.File, v.Line, v.Col = locate(t.Source, tenantPaths)
	} else {
		v.File, v.Line, v.Col = locate(c.region.Source, regionPaths)
	}
	c.found = append(c.found, v)
}

// reportTenant records a violation located in a tenant's own file.
func (c *checker) reportTenant(t *spec.Tenant, res *plan.Resource, paths []string, format string, args ...any) {
	v := Violation{Rule: c.rule, Message: fmt.Sprintf(format, args...)}
	if res != nil {
		v.URN = res.URN
	}
	v.File, v.Line, v.Col = locate(t.Source, paths)
	c.found = append(c.found, v)
}

// locate returns the position of the most specific written field: the
// first of paths written, else the nearest written parent of one, else the
// name line, else the document.
func locate(src spec.Source, paths []string) (string, int, int) {
	at := func(p string) (string, int, int) {
		pos := src.PosOf(p)
		return src.File, pos.Line, pos.Col
	}
	for _, p := range paths {
		if src.Has(p) {
			return at(p)
		}
	}
	for _, p := range paths {
		for i := strings.LastIndexByte(p, '.'); i > 0; i = strings.LastIndexByte(p, '.') {
			p = p[:i]
			if src.Has(p) {
				return at(p)
			}
		}
	}
	return at("name")
}

// paths is a short way to write a list of field paths.
func paths(p ...string) []string { return p }

// walk calls fn for every value in v, with its dotted path.
func walk(v any, path string, fn func(path string, v any)) {
	fn(path, v)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walk(x[k], join(path, k), fn)
		}
	case []any:
		for i, e := range x {
			walk(e, join(path, fmt.Sprint(i)), fn)
		}
	}
}

func join(path, step string) string {
	if path == "" {
		return step
	}
	return path + "." + step
}

// leaf is the last step of a dotted path.
func leaf(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

// stringList reads a JSON-like list of strings (other elements are skipped).
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// physicalName is the Azure name of a resource: the last step of its ID,
// else the input that names it.
func physicalName(r *plan.Resource, key string) string {
	if s := r.String(key); s != "" {
		return s
	}
	if i := strings.LastIndexByte(r.ID, '/'); i >= 0 {
		return r.ID[i+1:]
	}
	return ""
}

// refersTo reports whether ref (an ARM ID) names r: its ID, or an ID of the
// same provider type ending in its physical name.
func refersTo(ref string, r *plan.Resource, name string) bool {
	if ref == "" {
		return false
	}
	if r.ID != "" && strings.EqualFold(ref, r.ID) {
		return true
	}
	return name != "" && strings.HasSuffix(strings.ToLower(ref), "/"+strings.ToLower(name))
}

// refIndex holds ARM references (IDs or scopes) and the resources that
// make them, and answers refersTo for all of them at once: rules look up
// every data resource of a stack against every lock, private endpoint or
// protected item, which would otherwise be quadratic in the stack's tenants.
type refIndex struct {
	refs  map[string][]*plan.Resource // lower-cased reference -> who makes it
	names map[string][]*plan.Resource // its lower-cased last segment -> who
}

func newRefIndex() refIndex {
	return refIndex{refs: map[string][]*plan.Resource{}, names: map[string][]*plan.Resource{}}
}

// add records that by makes the reference ref.
func (ix refIndex) add(ref string, by *plan.Resource) {
	if ref == "" {
		return
	}
	ref = strings.ToLower(ref)
	ix.refs[ref] = append(ix.refs[ref], by)
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		ix.names[ref[i+1:]] = append(ix.names[ref[i+1:]], by)
	}
}

// lookup returns the resources whose reference refersTo r with this Azure
// name (one may come twice).
func (ix refIndex) lookup(r *plan.Resource, name string) []*plan.Resource {
	var out []*plan.Resource
	if r.ID != "" {
		out = append(out, ix.refs[strings.ToLower(r.ID)]...)
	}
	if name != "" && !strings.Contains(name, "/") {
		out = append(out, ix.names[strings.ToLower(name)]...)
	}
	return out
}

// refersTo reports whether some reference of the index refersTo r.
func (ix refIndex) refersTo(r *plan.Resource, name string) bool {
	return len(ix.lookup(r, name)) > 0
}

// isTrue reports whether an input is the boolean true.
func isTrue(v any) bool { b, ok := v.(bool); return ok && b }

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s] == 0 {
			return false
		}
		seen[s]--
	}
	return true
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
