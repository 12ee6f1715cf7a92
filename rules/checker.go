// One run of the rules over a plan: the checker, its per-plan indexes, the
// resource types the rules know, and how a violation is located in a YAML file.

package rules

import (
	"fmt"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Resource types the rules know, without API version.
const (
	typeTenant            = "kpax:components:Tenant"
	typeSQLServer         = "azure-native:sql:Server"
	typeSQLDatabase       = "azure-native:sql:Database"
	typeSQLShortTerm      = "azure-native:sql:BackupShortTermRetentionPolicy"
	typeSQLLongTerm       = "azure-native:sql:LongTermRetentionPolicy"
	typeStorageAccount    = "azure-native:storage:StorageAccount"
	typeFileShare         = "azure-native:storage:FileShare"
	typeKeyVault          = "azure-native:keyvault:Vault"
	typeRecoveryVault     = "azure-native:recoveryservices:Vault"
	typeProtectedItem     = "azure-native:recoveryservices:ProtectedItem"
	typeProtectionPol     = "azure-native:recoveryservices:ProtectionPolicy"
	typeContainerApp      = "azure-native:app:ContainerApp"
	typeEnvironment       = "azure-native:app:ManagedEnvironment"
	typeVM                = "azure-native:compute:VirtualMachine"
	typeVMSS              = "azure-native:compute:VirtualMachineScaleSet"
	typeDisk              = "azure-native:compute:Disk"
	typeNIC               = "azure-native:network:NetworkInterface"
	typeNSG               = "azure-native:network:NetworkSecurityGroup"
	typeSecurityRule      = "azure-native:network:SecurityRule"
	typePrivateEndpoint   = "azure-native:network:PrivateEndpoint"
	typeNATGateway        = "azure-native:network:NatGateway"
	typeLoadBalancer      = "azure-native:network:LoadBalancer"
	typeFirewall          = "azure-native:network:AzureFirewall"
	typePublicIP          = "azure-native:network:PublicIPAddress"
	typeAppGateway        = "azure-native:network:ApplicationGateway"
	typeBastion           = "azure-native:network:BastionHost"
	typeDNSZone           = "azure-native:network:Zone"
	typeDNSSEC            = "azure-native:network:DnssecConfig"
	typePrivateZone       = "azure-native:network:PrivateZone"
	typeZoneLink          = "azure-native:network:VirtualNetworkLink"
	typeRecordSet         = "azure-native:network:RecordSet"
	typePrivateRecord     = "azure-native:network:PrivateRecordSet"
	typeLock              = "azure-native:authorization:ManagementLockByScope"
	typeRoleAssignment    = "azure-native:authorization:RoleAssignment"
	typeRoleDefinition    = "azure-native:authorization:RoleDefinition"
	typeDiagnostic        = "azure-native:insights:DiagnosticSetting"
	typeBlobService       = "azure-native:storage:BlobServiceProperties"
	typeSQLServerAudit    = "azure-native:sql:ServerBlobAuditingPolicy"
	typeSQLEntraAdmin     = "azure-native:sql:ServerAzureADAdministrator"
	typeSQLTDE            = "azure-native:sql:TransparentDataEncryption"
	typeWAFPolicy         = "azure-native:network:WebApplicationFirewallPolicy"
	typeSubnet            = "azure-native:network:Subnet"
	typeVMExtension       = "azure-native:compute:VirtualMachineExtension"
	typeMaintenanceAssign = "azure-native:maintenance:ConfigurationAssignment"
	typeWorkspace         = "azure-native:operationalinsights:Workspace"
	typeResourceGroup     = "azure-native:resources:ResourceGroup"
	typeActionGroup       = "azure-native:insights:ActionGroup"
	typeMetricAlert       = "azure-native:insights:MetricAlert"
	typeWebTest           = "azure-native:insights:WebTest"
	typeAppInsights       = "azure-native:insights:Component"
	typePolicySet         = "azure-native:authorization:PolicySetDefinition"
	typePolicyAssignment  = "azure-native:authorization:PolicyAssignment"
)

// kind drops the API version of a versioned azure-native type token, so
// that azure-native:recoveryservices/v20240101:Vault is a recovery vault.
func kind(typ string) string { return plan.Unversioned(typ) }

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

	// For the published rules: indexes built on first use, and the
	// exceptions taken.
	endpoints *refIndex
	diags     map[string][]*plan.Resource
	applied   map[*Exception]int
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
		applied: map[*Exception]int{},
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
