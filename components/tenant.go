// The Tenant component: its args, outputs and fixed settings, the checks of
// its inputs, and the order in which build() creates a KPAX space's parts
// (each in a tenant_*.go file named after it).

package components

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/sql/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

// Tenant is one customer's dedicated KPAX space: its own resource group and
// identity, compute (a Container App or a Flexible scale set of VMs), Azure
// SQL database, storage account, Key Vault, URL and daily backups.
//
// The data resources (database, storage account and its file share, Key
// Vault and its secrets, backup items) are protected and retained on delete,
// and the database, account and vault are locked: no change to a tenant's
// YAML file, not even deleting it, can drop its data.
type Tenant struct {
	pulumi.ResourceState

	// URL is https://<hostname>.<region DNS zone>.
	URL pulumi.StringOutput `pulumi:"url"`
	// State is the tenant's lifecycle state (active, suspended, decommissioned).
	State pulumi.StringOutput `pulumi:"state"`
	// Retained is true when the tenant is decommissioned: its data is kept
	// and waits for the documented purge.
	Retained pulumi.BoolOutput `pulumi:"retained"`

	ResourceGroupName   pulumi.StringOutput `pulumi:"resourceGroupName"`
	IdentityID          pulumi.StringOutput `pulumi:"identityId"`
	IdentityPrincipalID pulumi.StringOutput `pulumi:"identityPrincipalId"`
	DatabaseID          pulumi.StringOutput `pulumi:"databaseId"`
	DatabaseName        pulumi.StringOutput `pulumi:"databaseName"`
	StorageAccountID    pulumi.StringOutput `pulumi:"storageAccountId"`
	StorageAccountName  pulumi.StringOutput `pulumi:"storageAccountName"`
	KeyVaultID          pulumi.StringOutput `pulumi:"keyVaultId"`
	KeyVaultName        pulumi.StringOutput `pulumi:"keyVaultName"`
}

// TenantArgs are a tenant's defaulted spec, its region and what the regional
// cluster shares with it.
type TenantArgs struct {
	Tenant   *spec.Tenant
	Region   *spec.Region
	Platform *Platform

	// DataCollectionRuleID is the region's Azure Monitor data collection
	// rule for VM guests. When set, every VM of a VM tenant is associated
	// with it; without an association the Azure Monitor agent collects
	// nothing.
	DataCollectionRuleID pulumi.StringInput
}

// Fixed settings of a tenant. Each is a deliberate choice, not a default
// left to Azure.
const (
	// tenantSuffixLength is the length of the random suffix of the
	// globally unique names (storage account, Key Vault).
	tenantSuffixLength = 6
	// appPort is the port the KPAX server listens on, in the container and
	// on the VMs.
	appPort = 8080
	// healthPath answers 200 when the KPAX server is up.
	healthPath = "/healthz"
	// keyVaultSoftDeleteDays is the longest soft-delete retention Azure
	// allows: a deleted vault (and its secrets) can be recovered for 90 days.
	keyVaultSoftDeleteDays = 90
	// blobRetentionMaxDays is Azure's limit on blob and container soft
	// delete (https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview).
	blobRetentionMaxDays = 365
	// largeFileShareGB is the quota above which a share needs the storage
	// account's large file shares (5 TiB).
	largeFileShareGB = 5120
	// dnsTTL is the TTL of a tenant's A record, in seconds.
	dnsTTL = 300
	// sqlDiffBackupHours is the interval of differential database backups
	// (12 or 24 hours are allowed; 12 shortens point-in-time restores).
	sqlDiffBackupHours = 12
	// vmAdminUsername is the local account Azure requires on a Linux VM. It
	// has no password and only a public key whose private half nobody holds
	// (vmBreakGlassPublicKey): operators sign in with Entra ID through
	// Bastion, and break-glass access is granted on the day it is needed
	// (docs/restore.md, "OS access").
	vmAdminUsername = "kpaxadmin"
	// lockName names every CanNotDelete lock of a tenant's data.
	lockName = "kpax-do-not-delete"
	// diagnosticSettingName names every diagnostic setting of a tenant.
	diagnosticSettingName = "kpax-to-workspace"
	// maintenanceStart is the first day the patch window may open; the
	// weekly recurrence picks the region's day after it. A constant, not
	// today's date, so that the configuration never changes between runs.
	maintenanceStart = "2025-01-01"
)

// NewTenant builds a tenant's resources.
func NewTenant(ctx *pulumi.Context, name string, args *TenantArgs, opts ...pulumi.ResourceOption) (*Tenant, error) {
	if err := validateTenantArgs(args); err != nil {
		return nil, fmt.Errorf("tenant %q: %w", name, err)
	}
	tn := &Tenant{}
	if err := ctx.RegisterComponentResource("kpax:components:Tenant", name, tn, opts...); err != nil {
		return nil, err
	}
	b := &tenantBuilder{
		ctx:      ctx,
		name:     name,
		t:        args.Tenant,
		region:   args.Region,
		p:        args.Platform,
		dcrID:    args.DataCollectionRuleID,
		tags:     tenantTags(args.Tenant),
		parent:   pulumi.Parent(tn),
		location: pulumi.String(args.Platform.Location),
	}
	if err := b.build(); err != nil {
		return nil, fmt.Errorf("tenant %q: %w", args.Tenant.Name, err)
	}

	tn.URL = pulumi.String("https://" + tenantFQDN(b.t, b.region.DNSZone)).ToStringOutput()
	tn.State = pulumi.String(string(b.t.State)).ToStringOutput()
	tn.Retained = pulumi.Bool(b.t.State == spec.StateDecommissioned).ToBoolOutput()
	tn.ResourceGroupName = b.rg.Name
	tn.IdentityID = b.identity.ID().ToStringOutput()
	tn.IdentityPrincipalID = b.identity.PrincipalId
	tn.DatabaseID = b.database.ID().ToStringOutput()
	tn.DatabaseName = b.database.Name
	tn.StorageAccountID = b.account.ID().ToStringOutput()
	tn.StorageAccountName = b.account.Name
	tn.KeyVaultID = b.vault.ID().ToStringOutput()
	tn.KeyVaultName = b.vault.Name
	if err := ctx.RegisterResourceOutputs(tn, pulumi.Map{
		"url":                 tn.URL,
		"state":               tn.State,
		"retained":            tn.Retained,
		"resourceGroupName":   tn.ResourceGroupName,
		"identityId":          tn.IdentityID,
		"identityPrincipalId": tn.IdentityPrincipalID,
		"databaseId":          tn.DatabaseID,
		"databaseName":        tn.DatabaseName,
		"storageAccountId":    tn.StorageAccountID,
		"storageAccountName":  tn.StorageAccountName,
		"keyVaultId":          tn.KeyVaultID,
		"keyVaultName":        tn.KeyVaultName,
	}); err != nil {
		return nil, err
	}
	return tn, nil
}

// validateTenantArgs reports every missing input at once, before anything
// is registered: a tenant is built whole or not at all.
func validateTenantArgs(args *TenantArgs) error {
	if args == nil {
		return errors.New("args are required")
	}
	var errs []error
	if args.Tenant == nil {
		errs = append(errs, errors.New("args.Tenant is required"))
	}
	if args.Region == nil {
		errs = append(errs, errors.New("args.Region is required"))
	}
	if args.Platform == nil {
		errs = append(errs, errors.New("args.Platform is required"))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	t, r, p := args.Tenant, args.Region, args.Platform
	if t.Region != r.Name {
		errs = append(errs, fmt.Errorf("tenant region %q is not the stack's region %q", t.Region, r.Name))
	}
	if p.Location == "" {
		errs = append(errs, errors.New("platform: Location is required"))
	}
	if t.HasCompute() && (p.DNSZoneName == "" || p.DNSZoneResourceGroupName == "") {
		errs = append(errs, errors.New("platform: DNSZoneName and DNSZoneResourceGroupName are required for a tenant with a URL"))
	}
	if _, ok := p.SQLServers[t.Database.Server]; !ok {
		errs = append(errs, fmt.Errorf("database.server: the region has no SQL server %d", t.Database.Server))
	}
	if _, err := sqlSku(t.Database.SKU, r.Database.GeneralPurposeZoneRedundant); err != nil {
		errs = append(errs, fmt.Errorf("database.sku: %w", err))
	}
	if _, err := storageSkuName(t.Storage.Redundancy); err != nil {
		errs = append(errs, fmt.Errorf("storage.redundancy: %w", err))
	}
	for _, key := range []string{"blob", "file", "vault"} {
		if _, ok := p.PrivateDNSZoneIDs[key]; !ok {
			errs = append(errs, fmt.Errorf("platform: no private DNS zone for %q", key))
		}
	}
	if _, ok := p.Environments[t.Name]; !ok && hasEnvironment(t) {
		errs = append(errs, fmt.Errorf("platform: no environment for container tenant %q (the cluster builds one per container tenant of its stamp)", t.Name))
	}
	if _, ok := p.FileShareBackupPolicyIDs[t.Backup.PolicyKey()]; !ok {
		errs = append(errs, fmt.Errorf("backup: the region vault has no file share policy %q", t.Backup.PolicyKey()))
	}
	if image, path := serverImage(t); t.HasCompute() && path != "" {
		if p.RegistryServer == "" || p.RegistryPullIdentityID.OutputState == nil || p.RegistryPullClientID.OutputState == nil {
			errs = append(errs, errors.New("platform: RegistryServer and the pull identity are required for a tenant with compute"))
		} else if !strings.HasPrefix(image, p.RegistryServer+"/") {
			errs = append(errs, fmt.Errorf("%s: %q is not in the region's registry %s", path, image, p.RegistryServer))
		}
	}
	switch t.Runtime {
	case spec.RuntimeContainer:
		if t.Container == nil {
			errs = append(errs, errors.New("container: required with runtime container"))
		}
		if p.GatewaySubnetPrefix == "" && t.HasCompute() {
			errs = append(errs, errors.New("platform: GatewaySubnetPrefix is required for container tenants"))
		}
	case spec.RuntimeVM:
		if t.VM == nil {
			errs = append(errs, errors.New("vm: required with runtime vm"))
			break
		}
		if _, err := parseImageURN(t.VM.Image); err != nil {
			errs = append(errs, fmt.Errorf("vm.image: %w", err))
		}
		if len(p.Zones) == 0 {
			errs = append(errs, errors.New("platform: Zones is required for VM tenants"))
		}
		if _, ok := p.GatewayBackendPoolIDs[t.Name]; !ok && t.HasCompute() {
			errs = append(errs, fmt.Errorf("platform: the gateway has no backend pool for %q", t.Name))
		}
		if _, err := maintenanceRecurrence(r.Maintenance); err != nil {
			errs = append(errs, fmt.Errorf("region maintenance: %w", err))
		}
	default:
		errs = append(errs, fmt.Errorf("runtime: unknown %q", t.Runtime))
	}
	return errors.Join(errs...)
}

// tenantBuilder carries what the parts of one tenant share while they are
// registered.
type tenantBuilder struct {
	ctx      *pulumi.Context
	name     string
	t        *spec.Tenant
	region   *spec.Region
	p        *Platform
	dcrID    pulumi.StringInput
	tags     pulumi.StringMap
	parent   pulumi.ResourceOption
	location pulumi.StringInput

	rg       *resources.ResourceGroup
	identity *userAssignedIdentity
	// subscription is "/subscriptions/<id>", read from the resource group's
	// ID, for role definition IDs.
	subscription pulumi.StringOutput
	suffix       *random.RandomString

	vault   *keyvault.Vault
	account *storage.StorageAccount
	share   *storage.FileShare
	// blobs is the account's blob service: versioning and the change feed,
	// which the blob copy's replication needs on its source.
	blobs    *storage.BlobServiceProperties
	database *sql.Database

	// identityRoles are the identity's role assignments, by logical name:
	// compute waits for them to take effect (rolesInEffect) so that its
	// first start can already read its secrets and data.
	identityRoles map[string]*authorization.RoleAssignment
	rolesInEffect pulumi.Resource
	appSecret     *keyvault.Secret
	// vaultReachable and filesReachable are the DNS registrations of the
	// vault's and the file service's private endpoints: the vault and the
	// share have no public access, so compute that starts before them cannot
	// read its secrets or mount its files.
	vaultReachable pulumi.Resource
	filesReachable pulumi.Resource
	// storageKey is the account key the file share is mounted with
	// (tenant_storage.go says why a key).
	storageKey pulumi.StringOutput
	// storageKeySecret keeps it in the tenant's vault for the VMs.
	storageKeySecret *keyvault.Secret
	// serverScript is the VM bootstrap, the same for every VM of the tenant.
	serverScript *pulumi.StringOutput
	lastServer   pulumi.Resource // the previous VM's server extension
	// locks are the CanNotDelete locks of the tenant's data, registered last
	// so that each waits for what sits on its scope (locks.go).
	locks lockSet
	// guarded is the group's guardrails assignment (tenant_policy.go).
	guarded pulumi.Resource
}

// child returns the options of a child resource: parented to the tenant,
// after the group's guardrails once they exist, plus extra.
func (b *tenantBuilder) child(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{b.parent}
	if b.guarded != nil {
		opts = append(opts, pulumi.DependsOn([]pulumi.Resource{b.guarded}))
	}
	return append(opts, extra...)
}

// data returns the options of a data resource: deleting it must be a
// deliberate act (state unprotect, then the documented purge), never the
// side effect of a YAML change.
func (b *tenantBuilder) data(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.child(append([]pulumi.ResourceOption{pulumi.Protect(true), pulumi.RetainOnDelete(true)}, extra...)...)
}

func (b *tenantBuilder) build() error {
	steps := []struct {
		what string
		run  func() error
	}{
		{"resource group", b.resourceGroup},
		{"guardrails", b.guardrails},
		{"identity", b.managedIdentity},
		{"key vault", b.keyVault},
		{"storage", b.storage},
		{"file share backup", b.fileShareBackup},
		{"blob copy", b.blobCopy},
		{"database", b.sqlDatabase},
		{"compute", b.compute},
		{"operators' access", b.operatorAccess},
		{"dns", b.dnsRecord},
		{"alerts", b.alerts},
		{"locks", b.registerLocks},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}

// resourceGroup is the tenant's own group. It is kept like the data it holds:
// deleting a group deletes everything in it, the storage account and the
// Key Vault included, so a purge that unprotects the data would otherwise
// delete it through the group the moment Pulumi forgets it.
func (b *tenantBuilder) resourceGroup() error {
	rg, err := resources.NewResourceGroup(b.ctx, b.name+"-rg", &resources.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(tenantResourceGroupName(b.t)),
		Location:          b.location,
		Tags:              b.tags,
	}, b.data()...)
	if err != nil {
		return err
	}
	b.rg = rg
	b.subscription = rg.ID().ToStringOutput().ApplyT(subscriptionScope).(pulumi.StringOutput)
	return nil
}

// subscriptionScope returns "/subscriptions/<id>" of an ARM resource ID.
func subscriptionScope(id string) string {
	parts := strings.SplitN(strings.TrimPrefix(id, "/"), "/", 3)
	if len(parts) < 2 || !strings.EqualFold(parts[0], "subscriptions") {
		return ""
	}
	return "/subscriptions/" + parts[1]
}
