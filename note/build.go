// Build: the facts of one tenant's note, read from its stack's plan.

package note

import (
	"fmt"
	"path"
	"strings"

	"github.com/kpax/kpax-cloud/diffreport"
	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/rules"
	"github.com/kpax/kpax-cloud/spec"
)

// Input is what a note is computed from.
type Input struct {
	Plan    *plan.Plan
	Project *spec.Project
	// Tenant is the tenant's name; its region's stack is Plan.
	Tenant string
	// Commit and CommitDate are the revision the plan was made from.
	Commit, CommitDate string
	// Checks are kpax check's violations on the plan (rules.Check), when
	// the caller has them for every tenant of the stack; nil runs it.
	Checks []rules.Violation
}

// Azure resource types the note reads, without API version.
const (
	typeTenant         = "kpax:components:Tenant"
	typeContainerApp   = "azure-native:app:ContainerApp"
	typeEnvironment    = "azure-native:app:ManagedEnvironment"
	typeVM             = "azure-native:compute:VirtualMachine"
	typeVMSS           = "azure-native:compute:VirtualMachineScaleSet"
	typeVMExtension    = "azure-native:compute:VirtualMachineExtension"
	typeNIC            = "azure-native:network:NetworkInterface"
	typeSubnet         = "azure-native:network:Subnet"
	typeNSG            = "azure-native:network:NetworkSecurityGroup"
	typePublicIP       = "azure-native:network:PublicIPAddress"
	typeBastion        = "azure-native:network:BastionHost"
	typeRecordSet      = "azure-native:network:RecordSet"
	typeDNSSEC         = "azure-native:network:DnssecConfig"
	typeSQLServer      = "azure-native:sql:Server"
	typeSQLDatabase    = "azure-native:sql:Database"
	typeSQLEntraOnly   = "azure-native:sql:ServerAzureADOnlyAuthentication"
	typePrivateEP      = "azure-native:network:PrivateEndpoint"
	typeSubDiagnostic  = "azure-native:insights:SubscriptionDiagnosticSetting"
	typeDiagnostic     = "azure-native:insights:DiagnosticSetting"
	typeSQLShortTerm   = "azure-native:sql:BackupShortTermRetentionPolicy"
	typeSQLLongTerm    = "azure-native:sql:LongTermRetentionPolicy"
	typeStorage        = "azure-native:storage:StorageAccount"
	typeFileShare      = "azure-native:storage:FileShare"
	typeBlobService    = "azure-native:storage:BlobServiceProperties"
	typeReplication    = "azure-native:storage:ObjectReplicationPolicy"
	typeLifecycle      = "azure-native:storage:ManagementPolicy"
	typeKeyVault       = "azure-native:keyvault:Vault"
	typeRecoveryVault  = "azure-native:recoveryservices:Vault"
	typeProtectedItem  = "azure-native:recoveryservices:ProtectedItem"
	typeProtectionPol  = "azure-native:recoveryservices:ProtectionPolicy"
	typeRoleAssignment = "azure-native:authorization:RoleAssignment"
	typePolicyAssign   = "azure-native:authorization:PolicyAssignment"
	typePolicySet      = "azure-native:authorization:PolicySetDefinition"
	typeLock           = "azure-native:authorization:ManagementLockByScope"
	typeScheduledQuery = "azure-native:insights:ScheduledQueryRule"
	typeWorkspace      = "azure-native:operationalinsights:Workspace"
)

// facts is one build: the plan's indexes and the tenant's resources.
type facts struct {
	in     Input
	t      *spec.Tenant
	region *spec.Region
	byID   map[string]*plan.Resource   // lower-cased ID -> resource
	byKind map[string][]*plan.Resource // every custom resource by unversioned type
	mine   map[string][]*plan.Resource // the tenant's, by unversioned type
	urns   map[string]bool             // the tenant's resources' URNs
	checks []rules.Violation           // kpax check's violations on the tenant
	all    []rules.Violation           // kpax check's violations on the stack
}

// Build computes a tenant's note. An unknown tenant, one of another stack,
// or a decommissioned one (a RetainedError, with what is kept) is an error.
func Build(in Input) (*Note, error) {
	f, err := newFacts(in)
	if err != nil {
		return nil, err
	}
	n := &Note{
		Tenant: f.t.Name, DisplayName: f.t.DisplayName, Stack: in.Plan.Stack,
		Commit: in.Commit, CommitDate: in.CommitDate,
	}
	n.Sections = []Section{
		{Key: "architecture", Statements: f.architecture()},
		{Key: "location", Statements: f.location()},
		{Key: "security", Statements: f.security()},
		{Key: "backups", Statements: f.backups()},
	}
	return n, nil
}

func newFacts(in Input) (*facts, error) {
	var t *spec.Tenant
	for _, c := range in.Project.Tenants {
		if c.Name == in.Tenant {
			t = c
		}
	}
	if t == nil {
		return nil, fmt.Errorf("no tenant %q: the tenants are the files under tenants/ (kpax stacks lists the regions)", in.Tenant)
	}
	region := in.Project.Regions[t.Region]
	if region == nil {
		return nil, fmt.Errorf("tenant %q: no region file for region %q", t.Name, t.Region)
	}
	f := &facts{
		in: in, t: t, region: region,
		byID: map[string]*plan.Resource{}, byKind: map[string][]*plan.Resource{},
		mine: map[string][]*plan.Resource{}, urns: map[string]bool{},
	}
	var stampTenants []string
	for _, o := range in.Project.TenantsIn(region.Name) {
		stampTenants = append(stampTenants, o.Name)
	}
	var comp *plan.Resource
	for _, r := range in.Plan.Resources {
		if r.Type == typeTenant && r.Name == t.Name {
			comp = r
		}
	}
	if comp == nil {
		return nil, fmt.Errorf("tenant %q is not in the plan of stack %s (its region is %s)", t.Name, in.Plan.Stack, t.Region)
	}
	for _, r := range in.Plan.Resources {
		if !r.Custom {
			continue
		}
		k := plan.Unversioned(r.Type)
		if r.ID != "" {
			f.byID[strings.ToLower(r.ID)] = r
		}
		f.byKind[k] = append(f.byKind[k], r)
		if f.owns(r, comp, stampTenants) {
			f.mine[k] = append(f.mine[k], r)
			f.urns[r.URN] = true
		}
	}
	if t.State == spec.StateDecommissioned {
		return nil, f.retained()
	}
	f.all = in.Checks
	if f.all == nil {
		f.all = rules.Check(in.Plan, in.Project, region.Name)
	}
	for _, v := range f.all {
		if f.urns[v.URN] || v.File == t.Source.File || (v.URN == "" && v.File == region.Source.File) {
			f.checks = append(f.checks, v)
		}
	}
	return f, nil
}

// owns: a resource under the tenant's component, or a platform entry named
// after it (its environment, subnet, NSG: "region-fr-cae-acme"), the
// longest matching tenant name winning (bistro-lyon's, not lyon's).
func (f *facts) owns(r, comp *plan.Resource, tenants []string) bool {
	for _, a := range f.in.Plan.Ancestors(r) {
		if a.Type == typeTenant {
			return a == comp
		}
	}
	return diffreport.Owner(tenants, r.Name) == f.t.Name
}

// one is the tenant's first resource of a kind whose input key is value
// (any, when key is "").
func (f *facts) one(kind, key, value string) *plan.Resource {
	for _, r := range f.mine[kind] {
		if key == "" || r.String(key) == value {
			return r
		}
	}
	return nil
}

// ref is the resource an ID input points to.
func (f *facts) ref(id string) *plan.Resource { return f.byID[strings.ToLower(id)] }

// name is a resource's Azure name: the input key, else the ID's last segment.
func name(r *plan.Resource, key string) string {
	if r == nil {
		return ""
	}
	if s := r.String(key); s != "" {
		return s
	}
	return path.Base(r.ID)
}

// checksOf are kpax check's violations of the tenant under some rules.
func (f *facts) checksOf(ruleNames ...string) []Statement {
	var out []Statement
	for _, v := range f.checks {
		for _, n := range ruleNames {
			if v.Rule == n {
				out = append(out, Statement{Key: "item.violation", Args: Args{"rule": v.Rule, "message": v.Message}})
			}
		}
	}
	return out
}

// violationsOn are kpax check's violations on shared resources the tenant
// relies on (the NSG of its VMs' subnet).
func (f *facts) violationsOn(rs ...*plan.Resource) []Statement {
	var out []Statement
	for _, v := range f.all {
		for _, r := range rs {
			if r != nil && v.URN == r.URN && !f.urns[v.URN] {
				out = append(out, Statement{Key: "item.violation", Args: Args{"rule": v.Rule, "message": v.Message}})
			}
		}
	}
	return out
}

// RetainedError is the answer for a decommissioned tenant: it has no
// space to describe, only data kept until a purge.
type RetainedError struct{ msg string }

func (e *RetainedError) Error() string { return e.msg }

// retainedKinds name what a decommissioned tenant keeps, in order.
var retainedKinds = []struct{ kind, what, key string }{
	{typeSQLDatabase, "database", "databaseName"},
	{typeStorage, "storage account", "accountName"},
	{typeFileShare, "file share", "shareName"},
	{typeKeyVault, "Key Vault", "vaultName"},
	{typeProtectedItem, "backup item of file share", "protectedItemName"},
}

// retained is the error for a decommissioned tenant: what the plan still
// keeps of it, and until when.
func (f *facts) retained() error {
	var kept []string
	for _, k := range retainedKinds {
		for _, r := range f.mine[k.kind] {
			if r.RetainOnDelete || r.Protect {
				kept = append(kept, k.what+" "+name(r, k.key))
			}
		}
	}
	what := "nothing of it is left in the plan"
	if len(kept) > 0 {
		what = "retained: " + strings.Join(kept, ", ") +
			". They are kept, protected and locked, until an operator purges them by hand (docs/restore.md, \"Purge a decommissioned tenant\"); " +
			f.t.Source.File + " sets no purge date"
	}
	if item := f.one(typeProtectedItem, "", ""); item != nil {
		if p := f.ref(item.String("properties.policyId")); p != nil {
			what += fmt.Sprintf(". Until the purge the daily file backups go on, each kept %d days",
				num(p.Get("properties.vaultRetentionPolicy.vaultRetention.dailySchedule.retentionDuration.count")))
		}
	}
	return &RetainedError{fmt.Sprintf("tenant %s (%s) is decommissioned: it has no KPAX space to describe, so no note is written; %s",
		f.t.Name, f.t.DisplayName, what)}
}
