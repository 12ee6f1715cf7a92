package components

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/app/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/compute/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/maintenance/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/recoveryservices/v2"
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
// Vault, VM data disks) are protected, retained on delete and locked: no
// change to a tenant's YAML file, not even deleting it, can drop its data.
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

// Built-in Azure role definitions the tenant component assigns.
const (
	roleStorageBlobDataContributor     = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	roleStorageFileDataSMBContributor  = "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb"
	roleKeyVaultSecretsUser            = "4633458b-17de-408a-b874-0445c86b69e6"
	roleVirtualMachineAdministratorLog = "1c0163c0-47e6-4577-8991-ea5c82e286e4"
	roleAcrPull                        = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
)

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
	// vmAdminUsername is the break-glass local account of tenant VMs. Day to
	// day, operators sign in with Entra ID through Bastion.
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

// Secrets a tenant keeps in its own Key Vault.
const (
	secretVMAdminPassword = "vm-admin-password"
	secretAppKey          = "kpax-secret-key"
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
		if _, ok := p.VMBackupPolicyIDs[t.Backup.PolicyKey()]; !ok && t.HasCompute() {
			errs = append(errs, fmt.Errorf("backup: the region vault has no VM policy %q", t.Backup.PolicyKey()))
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
	identity *managedidentity.UserAssignedIdentity
	// subscription is "/subscriptions/<id>", read from the resource group's
	// ID, for role definition IDs.
	subscription pulumi.StringOutput
	suffix       *random.RandomString

	vault    *keyvault.Vault
	account  *storage.StorageAccount
	share    *storage.FileShare
	database *sql.Database

	// identityRoles are the identity's role assignments: compute waits for
	// them so that its first start can already read its secrets and data.
	identityRoles []pulumi.Resource
	appSecret     *keyvault.Secret
	// serverScript is the VM bootstrap, the same for every VM of the tenant.
	serverScript *pulumi.StringOutput
	lastServer   pulumi.Resource // the previous VM's server extension
	// dataDisks are the VM tenant's data disks, by instance index.
	dataDisks []*compute.Disk
}

// child returns the options of a child resource: parented to the tenant,
// plus extra.
func (b *tenantBuilder) child(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{b.parent}, extra...)
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
		{"identity", b.managedIdentity},
		{"key vault", b.keyVault},
		{"storage", b.storage},
		{"database", b.sqlDatabase},
		{"compute", b.compute},
		{"dns", b.dnsRecord},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}

func (b *tenantBuilder) resourceGroup() error {
	rg, err := resources.NewResourceGroup(b.ctx, b.name+"-rg", &resources.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(tenantResourceGroupName(b.t)),
		Location:          b.location,
		Tags:              b.tags,
	}, b.child()...)
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

func (b *tenantBuilder) managedIdentity() error {
	id, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name+"-identity", &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(tenantIdentityName(b.t)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Tags:              b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	b.identity = id
	// One suffix serves both globally unique names. No keepers: it is made
	// once and never changes, whatever happens to the spec.
	b.suffix, err = random.NewRandomString(b.ctx, b.name+"-suffix", &random.RandomStringArgs{
		Length:  pulumi.Int(tenantSuffixLength),
		Lower:   pulumi.Bool(true),
		Numeric: pulumi.Bool(true),
		Upper:   pulumi.Bool(false),
		Special: pulumi.Bool(false),
	}, b.child()...)
	return err
}

// roleAssignment grants the tenant identity (or, for the VM login role, the
// operators' group) one role at one scope. Its name is a GUID derived from
// keys, so it is the same on every run.
func (b *tenantBuilder) roleAssignment(logical, scopeKey string, scope pulumi.StringInput, role, principalKey string, principalID pulumi.StringInput, principalType string, opts ...pulumi.ResourceOption) (*authorization.RoleAssignment, error) {
	return authorization.NewRoleAssignment(b.ctx, b.name+"-"+logical, &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(stableGUID(scopeKey, role, principalKey)),
		Scope:              scope,
		RoleDefinitionId:   pulumi.Sprintf("%s/providers/Microsoft.Authorization/roleDefinitions/%s", b.subscription, role),
		PrincipalId:        principalID,
		PrincipalType:      pulumi.String(principalType),
	}, b.child(opts...)...)
}

// identityRole grants the tenant identity a role on one of the tenant's own
// resources.
func (b *tenantBuilder) identityRole(logical, scopeKey string, scope pulumi.StringInput, role string) error {
	ra, err := b.roleAssignment(logical, "tenant/"+b.t.Name+"/"+scopeKey, scope, role,
		"tenant/"+b.t.Name+"/identity", b.identity.PrincipalId, "ServicePrincipal")
	if err != nil {
		return err
	}
	b.identityRoles = append(b.identityRoles, ra)
	return nil
}

// lock puts a CanNotDelete lock on a data resource: even an owner must
// remove the lock before Azure deletes it.
func (b *tenantBuilder) lock(logical string, scope pulumi.StringInput, what string) error {
	_, err := authorization.NewManagementLockByScope(b.ctx, b.name+"-"+logical, &authorization.ManagementLockByScopeArgs{
		LockName: pulumi.String(lockName),
		Level:    pulumi.String("CanNotDelete"),
		Scope:    scope,
		Notes:    pulumi.String(fmt.Sprintf("kpax-cloud: %s of tenant %s. See docs/restore.md (purge) before removing.", what, b.t.Name)),
	}, b.child()...)
	return err
}

// diagnostics sends a resource's logs and metrics to the region's workspace.
// logGroups are category groups ("allLogs"); metrics are metric categories.
func (b *tenantBuilder) diagnostics(logical string, resourceURI pulumi.StringInput, logGroups, metrics []string) error {
	var logs insights.LogSettingsArray
	for _, g := range logGroups {
		logs = append(logs, insights.LogSettingsArgs{CategoryGroup: pulumi.String(g), Enabled: pulumi.Bool(true)})
	}
	var ms insights.MetricSettingsArray
	for _, m := range metrics {
		ms = append(ms, insights.MetricSettingsArgs{Category: pulumi.String(m), Enabled: pulumi.Bool(true)})
	}
	_, err := insights.NewDiagnosticSetting(b.ctx, b.name+"-"+logical, &insights.DiagnosticSettingArgs{
		Name:        pulumi.String(diagnosticSettingName),
		ResourceUri: resourceURI,
		WorkspaceId: b.p.WorkspaceID,
		Logs:        logs,
		Metrics:     ms,
	}, b.child()...)
	return err
}

// privateEndpoint connects one subresource of a tenant resource to the
// region's private-endpoint subnet and registers it in the matching private
// DNS zone, so that the name resolves to the private address in the VNet.
func (b *tenantBuilder) privateEndpoint(subresource string, target pulumi.StringInput, dnsZoneKey string) error {
	name := tenantPrivateEndpointName(b.t, subresource)
	pe, err := network.NewPrivateEndpoint(b.ctx, b.name+"-pe-"+subresource, &network.PrivateEndpointArgs{
		PrivateEndpointName:        pulumi.String(name),
		ResourceGroupName:          b.rg.Name,
		Location:                   b.location,
		Subnet:                     &network.SubnetTypeArgs{Id: b.p.EndpointSubnetID},
		CustomNetworkInterfaceName: pulumi.String("nic-" + name),
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{
			network.PrivateLinkServiceConnectionArgs{
				Name:                 pulumi.String(name),
				PrivateLinkServiceId: target,
				GroupIds:             pulumi.StringArray{pulumi.String(subresource)},
			},
		},
		Tags: b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	_, err = network.NewPrivateDnsZoneGroup(b.ctx, b.name+"-pe-"+subresource+"-dns", &network.PrivateDnsZoneGroupArgs{
		PrivateDnsZoneGroupName: pulumi.String("default"),
		PrivateEndpointName:     pe.Name,
		ResourceGroupName:       b.rg.Name,
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{
			network.PrivateDnsZoneConfigArgs{
				Name:             pulumi.String(dnsZoneKey),
				PrivateDnsZoneId: b.p.PrivateDNSZoneIDs[dnsZoneKey],
			},
		},
	}, b.child()...)
	return err
}

// keyVault is the tenant's own vault for its secrets. The Go SDK would send
// enableRbacAuthorization=false and public access enabled if they were left
// out, so every security property is set here.
func (b *tenantBuilder) keyVault() error {
	name := b.suffix.Result.ApplyT(func(s string) string { return keyVaultName(b.t, s) }).(pulumi.StringOutput)
	vault, err := keyvault.NewVault(b.ctx, b.name+"-kv", &keyvault.VaultArgs{
		VaultName:         name,
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Properties: keyvault.VaultPropertiesArgs{
			// The identity's tenant is the subscription's Entra tenant, the
			// one the vault must trust.
			TenantId:                     b.identity.TenantId,
			Sku:                          keyvault.SkuArgs{Family: pulumi.String("A"), Name: keyvault.SkuNameStandard},
			EnableRbacAuthorization:      pulumi.Bool(true),
			EnableSoftDelete:             pulumi.Bool(true),
			SoftDeleteRetentionInDays:    pulumi.Int(keyVaultSoftDeleteDays),
			EnablePurgeProtection:        pulumi.Bool(true),
			EnabledForDeployment:         pulumi.Bool(false),
			EnabledForDiskEncryption:     pulumi.Bool(false),
			EnabledForTemplateDeployment: pulumi.Bool(false),
			PublicNetworkAccess:          pulumi.String("Disabled"),
			NetworkAcls: keyvault.NetworkRuleSetArgs{
				DefaultAction: pulumi.String("Deny"),
				// No trusted-service bypass: the app reads secrets through
				// the private endpoint, and this program writes them
				// through ARM, not the vault's data plane.
				Bypass: pulumi.String("None"),
			},
		},
		Tags: b.tags,
	}, b.data()...)
	if err != nil {
		return err
	}
	b.vault = vault
	if err := b.lock("kv-lock", vault.ID(), "Key Vault"); err != nil {
		return err
	}
	if err := b.privateEndpoint("vault", vault.ID(), "vault"); err != nil {
		return err
	}
	if err := b.diagnostics("kv-diag", vault.ID(), []string{"allLogs"}, []string{"AllMetrics"}); err != nil {
		return err
	}
	if err := b.identityRole("kv-secrets-user", "keyvault", vault.ID(), roleKeyVaultSecretsUser); err != nil {
		return err
	}
	// The application's signing key: generated once, kept only in the
	// vault, read by the app through its identity (a Key Vault reference
	// for the Container App, the vault's API on VMs).
	key, err := random.NewRandomPassword(b.ctx, b.name+"-app-key", &random.RandomPasswordArgs{
		Length:  pulumi.Int(48),
		Special: pulumi.Bool(false),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.appSecret, err = b.secret("app-key-secret", secretAppKey, key.Result)
	return err
}

// secret stores a value in the tenant's vault. ARM writes it (the vault's
// data plane is private), and the value stays a Pulumi secret throughout.
// Vault contents are data: protected and retained like the vault, and
// covered by the vault's lock.
func (b *tenantBuilder) secret(logical, name string, value pulumi.StringOutput) (*keyvault.Secret, error) {
	return keyvault.NewSecret(b.ctx, b.name+"-"+logical, &keyvault.SecretArgs{
		SecretName:        pulumi.String(name),
		VaultName:         b.vault.Name,
		ResourceGroupName: b.rg.Name,
		Properties: keyvault.SecretPropertiesArgs{
			Value:       pulumi.ToSecret(value).(pulumi.StringOutput),
			ContentType: pulumi.String("text/plain"),
		},
		Tags: b.tags,
	}, b.data()...)
}

// secretURI is the versionless URI of a vault secret: references to it
// follow rotations.
func (b *tenantBuilder) secretURI(name string) pulumi.StringOutput {
	return pulumi.Sprintf("%ssecrets/%s", b.vault.Properties.VaultUri(), name)
}

// storageSkuName maps the spec's redundancy to a StorageV2 SKU. Only
// zone-redundant SKUs exist here: GZRS adds an asynchronous copy in the
// paired region of the same geography.
func storageSkuName(redundancy string) (string, error) {
	switch strings.ToUpper(strings.TrimPrefix(redundancy, "Standard_")) {
	case "ZRS":
		return "Standard_ZRS", nil
	case "GZRS":
		return "Standard_GZRS", nil
	}
	return "", fmt.Errorf("unsupported %q (want ZRS or GZRS)", redundancy)
}

// storage is the tenant's own StorageV2 account: blobs for the app's objects
// and a file share for its files.
func (b *tenantBuilder) storage() error {
	skuName, err := storageSkuName(b.t.Storage.Redundancy)
	if err != nil {
		return err
	}
	largeShares := pulumi.String("Disabled")
	if b.t.Storage.QuotaGB > largeFileShareGB {
		largeShares = pulumi.String("Enabled")
	}
	name := b.suffix.Result.ApplyT(func(s string) string { return storageAccountName(b.t, s) }).(pulumi.StringOutput)
	account, err := storage.NewStorageAccount(b.ctx, b.name+"-storage", &storage.StorageAccountArgs{
		AccountName:            name,
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Kind:                   pulumi.String("StorageV2"),
		Sku:                    storage.SkuArgs{Name: pulumi.String(skuName)},
		AccessTier:             storage.AccessTierHot,
		EnableHttpsTrafficOnly: pulumi.Bool(true),
		MinimumTlsVersion:      pulumi.String("TLS1_2"),
		AllowBlobPublicAccess:  pulumi.Bool(false),
		// No account keys: the app reaches blobs and files with its
		// identity (the roles below), and Azure Backup snapshots the share
		// through the storage resource provider as a trusted service. This
		// is not proven against a live subscription: should the share's
		// backup or restore fail with KeyBasedAuthenticationNotPermitted,
		// this is the one switch to revisit, and key-based SMB mounts would
		// have to be argued here too.
		AllowSharedKeyAccess:         pulumi.Bool(false),
		DefaultToOAuthAuthentication: pulumi.Bool(true),
		AllowCrossTenantReplication:  pulumi.Bool(false),
		PublicNetworkAccess:          pulumi.String("Disabled"),
		NetworkRuleSet: storage.NetworkRuleSetArgs{
			DefaultAction: storage.DefaultActionDeny,
			// Azure Backup is a trusted service: it must reach the account
			// to snapshot and restore the file share.
			Bypass: pulumi.String("AzureServices"),
		},
		LargeFileSharesState: largeShares,
		Tags:                 b.tags,
	}, b.data()...)
	if err != nil {
		return err
	}
	b.account = account
	if err := b.lock("storage-lock", account.ID(), "storage account"); err != nil {
		return err
	}

	// Soft delete keeps deleted blobs and containers for the backup
	// retention; point-in-time restore can go back one day less (Azure
	// requires restore days < delete retention days), and needs versioning
	// and the change feed.
	deleteDays := b.t.Backup.RetentionDays
	if deleteDays > blobRetentionMaxDays {
		deleteDays = blobRetentionMaxDays
	}
	if deleteDays < 2 {
		deleteDays = 2 // so that the restore window is at least a day
	}
	if _, err := storage.NewBlobServiceProperties(b.ctx, b.name+"-blob-service", &storage.BlobServicePropertiesArgs{
		AccountName:                    account.Name,
		ResourceGroupName:              b.rg.Name,
		BlobServicesName:               pulumi.String("default"),
		DeleteRetentionPolicy:          storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
		ContainerDeleteRetentionPolicy: storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
		IsVersioningEnabled:            pulumi.Bool(true),
		ChangeFeed:                     storage.ChangeFeedArgs{Enabled: pulumi.Bool(true), RetentionInDays: pulumi.Int(deleteDays)},
		RestorePolicy:                  storage.RestorePolicyPropertiesArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays - 1)},
	}, b.child()...); err != nil {
		return err
	}
	files, err := storage.NewFileServiceProperties(b.ctx, b.name+"-file-service", &storage.FileServicePropertiesArgs{
		AccountName:                account.Name,
		ResourceGroupName:          b.rg.Name,
		FileServicesName:           pulumi.String("default"),
		ShareDeleteRetentionPolicy: storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(deleteDays)},
	}, b.child()...)
	if err != nil {
		return err
	}
	b.share, err = storage.NewFileShare(b.ctx, b.name+"-share", &storage.FileShareArgs{
		AccountName:       account.Name,
		ResourceGroupName: b.rg.Name,
		ShareName:         pulumi.String(tenantFileShareName),
		ShareQuota:        pulumi.Int(b.t.Storage.QuotaGB),
		EnabledProtocols:  pulumi.String("SMB"),
		AccessTier:        pulumi.String("TransactionOptimized"),
	}, b.data(pulumi.DependsOn([]pulumi.Resource{files}))...)
	if err != nil {
		return err
	}

	if err := b.privateEndpoint("blob", account.ID(), "blob"); err != nil {
		return err
	}
	if err := b.privateEndpoint("file", account.ID(), "file"); err != nil {
		return err
	}
	blobURI := pulumi.Sprintf("%s/blobServices/default", account.ID())
	fileURI := pulumi.Sprintf("%s/fileServices/default", account.ID())
	if err := b.diagnostics("blob-diag", blobURI, []string{"allLogs"}, []string{"Transaction"}); err != nil {
		return err
	}
	if err := b.diagnostics("file-diag", fileURI, []string{"allLogs"}, []string{"Transaction"}); err != nil {
		return err
	}
	if err := b.identityRole("storage-blob-contributor", "storage", account.ID(), roleStorageBlobDataContributor); err != nil {
		return err
	}
	if err := b.identityRole("storage-smb-contributor", "storage", account.ID(), roleStorageFileDataSMBContributor); err != nil {
		return err
	}
	return b.fileShareBackup()
}

// fileShareBackup registers the storage account with the region's Recovery
// Services vault and protects the file share with the daily policy. Both
// are retained on delete: removing them from the program must never stop
// protection and drop the recovery points with it.
func (b *tenantBuilder) fileShareBackup() error {
	containerName := b.account.Name.ApplyT(func(account string) string {
		return storageBackupContainerName(tenantResourceGroupName(b.t), account)
	}).(pulumi.StringOutput)
	container, err := recoveryservices.NewProtectionContainer(b.ctx, b.name+"-backup-container", &recoveryservices.ProtectionContainerArgs{
		VaultName:         b.p.RecoveryVaultName,
		ResourceGroupName: b.p.ResourceGroupName,
		FabricName:        pulumi.String("Azure"),
		ContainerName:     containerName,
		Properties: recoveryservices.AzureStorageContainerArgs{
			ContainerType:        pulumi.String("StorageContainer"),
			BackupManagementType: pulumi.String("AzureStorage"),
			SourceResourceId:     b.account.ID(),
			// The program's own CanNotDelete lock already guards the
			// account; a second lock that Azure Backup adds outside the
			// program would only surprise the purge procedure.
			AcquireStorageAccountLock: pulumi.String("NotAcquire"),
		},
		Tags: b.tags,
	}, b.child(pulumi.RetainOnDelete(true))...)
	if err != nil {
		return err
	}
	_, err = recoveryservices.NewProtectedItem(b.ctx, b.name+"-share-backup", &recoveryservices.ProtectedItemArgs{
		VaultName:         b.p.RecoveryVaultName,
		ResourceGroupName: b.p.ResourceGroupName,
		FabricName:        pulumi.String("Azure"),
		ContainerName:     containerName,
		ProtectedItemName: pulumi.String(fileShareProtectedItemName(tenantFileShareName)),
		Properties: recoveryservices.AzureFileshareProtectedItemArgs{
			ProtectedItemType: pulumi.String("AzureFileShareProtectedItem"),
			PolicyId:          b.p.FileShareBackupPolicyIDs[b.t.Backup.PolicyKey()],
			SourceResourceId:  b.account.ID(),
		},
		Tags: b.tags,
	}, b.child(pulumi.RetainOnDelete(true), pulumi.DependsOn([]pulumi.Resource{container, b.share}))...)
	return err
}

// sqlSkuArgs is a parsed vCore SKU name such as GP_Gen5_2.
type sqlSkuArgs struct {
	Name     string // GP_Gen5, GP_S_Gen5, BC_Gen5, HS_Gen5
	Tier     string // GeneralPurpose, BusinessCritical, Hyperscale
	Family   string // Gen5
	Capacity int    // vCores
}

// sqlSku parses a vCore SKU name (<tier>[_S]_<family>_<vcores>). Where
// General Purpose cannot be zone redundant (gpZoneRedundant false), GP and
// serverless GP map to Business Critical of the same size, which always can.
func sqlSku(name string, gpZoneRedundant bool) (sqlSkuArgs, error) {
	parts := strings.Split(name, "_")
	serverless := len(parts) == 4 && parts[1] == "S"
	if serverless {
		parts = []string{parts[0], parts[2], parts[3]}
	}
	if len(parts) != 3 {
		return sqlSkuArgs{}, fmt.Errorf("%q is not a vCore SKU like GP_Gen5_2", name)
	}
	capacity, err := strconv.Atoi(parts[2])
	if err != nil || capacity < 1 {
		return sqlSkuArgs{}, fmt.Errorf("%q: bad vCore count %q", name, parts[2])
	}
	edition, family := parts[0], parts[1]
	tiers := map[string]string{"GP": "GeneralPurpose", "BC": "BusinessCritical", "HS": "Hyperscale"}
	if _, ok := tiers[edition]; !ok {
		return sqlSkuArgs{}, fmt.Errorf("%q: unknown edition %q (want GP, BC or HS)", name, edition)
	}
	if serverless && edition != "GP" {
		return sqlSkuArgs{}, fmt.Errorf("%q: serverless exists only in General Purpose", name)
	}
	if edition == "GP" && !gpZoneRedundant {
		edition, serverless = "BC", false
	}
	skuName := edition + "_" + family
	if serverless {
		skuName = edition + "_S_" + family
	}
	return sqlSkuArgs{Name: skuName, Tier: tiers[edition], Family: family, Capacity: capacity}, nil
}

// iso8601Period is a retention such as P4W; zero turns that retention off.
func iso8601Period(n int, unit string) string {
	if n <= 0 {
		return "PT0S"
	}
	return fmt.Sprintf("P%d%s", n, unit)
}

// sqlDatabase is the tenant's own database on one of the region's shared
// logical servers.
//
// Why a shared server: a subscription holds only a few logical servers per
// region (20 by default), so the cluster owns them and the tenant owns its
// database. Isolation on a shared server comes from the server's Entra-only
// authentication (set by the cluster: no SQL logins, no passwords) and from
// contained database users: the tenant identity is a user of this database
// alone (docs/restore.md, "Database access": CREATE USER ... FROM EXTERNAL
// PROVIDER; ALTER ROLE db_owner ADD MEMBER ...). ARM cannot grant SQL
// data-plane access, so no role assignment stands in for it here. A login
// to one database of the server gives nothing in another.
//
// Why no per-tenant private endpoint: an Azure SQL private endpoint attaches
// to the server, not to a database, so a second endpoint to the same server
// would reach exactly what the cluster's endpoint already reaches, every
// database of the server, and isolate nothing. The server has public network
// access disabled and one private endpoint in the private-endpoint subnet,
// registered in the privatelink.database.windows.net zone; both belong to
// the cluster.
func (b *tenantBuilder) sqlDatabase() error {
	db := b.t.Database
	server := b.p.SQLServers[db.Server]
	sku, err := sqlSku(db.SKU, b.region.Database.GeneralPurposeZoneRedundant)
	if err != nil {
		return err
	}
	var haReplicas pulumi.IntPtrInput
	if sku.Tier == "Hyperscale" {
		// A zone-redundant Hyperscale database needs a high-availability
		// replica to fail over to.
		haReplicas = pulumi.Int(1)
	}
	database, err := sql.NewDatabase(b.ctx, b.name+"-db", &sql.DatabaseArgs{
		DatabaseName:      pulumi.String(tenantDatabaseName(b.t)),
		ServerName:        server.Name,
		ResourceGroupName: b.p.ResourceGroupName,
		Location:          b.location,
		Sku: sql.SkuArgs{
			Name:     pulumi.String(sku.Name),
			Tier:     pulumi.String(sku.Tier),
			Family:   pulumi.String(sku.Family),
			Capacity: pulumi.Int(sku.Capacity),
		},
		MaxSizeBytes:                     pulumi.Float64(float64(db.MaxSizeGB) * (1 << 30)),
		ZoneRedundant:                    pulumi.Bool(true),
		RequestedBackupStorageRedundancy: pulumi.String("Zone"),
		HighAvailabilityReplicaCount:     haReplicas,
		Tags:                             b.tags,
	}, b.data()...)
	if err != nil {
		return err
	}
	b.database = database
	if err := b.lock("db-lock", database.ID(), "database"); err != nil {
		return err
	}
	dbName, serverName, rgName := database.Name, server.Name, b.p.ResourceGroupName
	pitr := &sql.BackupShortTermRetentionPolicyArgs{
		PolicyName:        pulumi.String("default"),
		DatabaseName:      dbName,
		ServerName:        serverName,
		ResourceGroupName: rgName,
		RetentionDays:     pulumi.Int(db.BackupRetentionDays),
	}
	if sku.Tier != "Hyperscale" { // Hyperscale takes no differential backups
		pitr.DiffBackupIntervalInHours = pulumi.Int(sqlDiffBackupHours)
	}
	if _, err := sql.NewBackupShortTermRetentionPolicy(b.ctx, b.name+"-db-pitr", pitr, b.child()...); err != nil {
		return err
	}
	ltr := &sql.LongTermRetentionPolicyArgs{
		PolicyName:        pulumi.String("default"),
		DatabaseName:      dbName,
		ServerName:        serverName,
		ResourceGroupName: rgName,
		WeeklyRetention:   pulumi.String(iso8601Period(db.LongTermRetention.Weeks, "W")),
		MonthlyRetention:  pulumi.String(iso8601Period(db.LongTermRetention.Months, "M")),
		YearlyRetention:   pulumi.String(iso8601Period(db.LongTermRetention.Years, "Y")),
	}
	if db.LongTermRetention.Years > 0 {
		// The yearly backup is the first full backup of week 1.
		ltr.WeekOfYear = pulumi.Int(1)
	}
	if _, err := sql.NewLongTermRetentionPolicy(b.ctx, b.name+"-db-ltr", ltr, b.child()...); err != nil {
		return err
	}
	if _, err := sql.NewTransparentDataEncryption(b.ctx, b.name+"-db-tde", &sql.TransparentDataEncryptionArgs{
		TdeName:           pulumi.String("current"),
		DatabaseName:      dbName,
		ServerName:        serverName,
		ResourceGroupName: rgName,
		State:             sql.TransparentDataEncryptionStateEnumEnabled,
	}, b.child()...); err != nil {
		return err
	}
	// Auditing to Azure Monitor: the audit records reach the workspace
	// through the diagnostic setting below (category group allLogs holds
	// SQLSecurityAuditEvents).
	if _, err := sql.NewExtendedDatabaseBlobAuditingPolicy(b.ctx, b.name+"-db-audit", &sql.ExtendedDatabaseBlobAuditingPolicyArgs{
		BlobAuditingPolicyName:      pulumi.String("default"),
		DatabaseName:                dbName,
		ServerName:                  serverName,
		ResourceGroupName:           rgName,
		State:                       sql.BlobAuditingPolicyStateEnabled,
		IsAzureMonitorTargetEnabled: pulumi.Bool(true),
	}, b.child()...); err != nil {
		return err
	}
	return b.diagnostics("db-diag", database.ID(), []string{"allLogs"}, []string{"Basic", "InstanceAndAppAdvanced", "WorkloadManagement"})
}

func (b *tenantBuilder) compute() error {
	switch b.t.Runtime {
	case spec.RuntimeContainer:
		if !b.t.HasCompute() {
			return nil
		}
		return b.containerApp()
	case spec.RuntimeVM:
		return b.virtualMachines()
	}
	return fmt.Errorf("unknown runtime %q", b.t.Runtime)
}

// serverImage is the KPAX server image a tenant runs and the field that
// names it ("" when the runtime's block is missing).
func serverImage(t *spec.Tenant) (image, path string) {
	switch {
	case t.Runtime == spec.RuntimeContainer && t.Container != nil:
		return t.Container.Image, "container.image"
	case t.Runtime == spec.RuntimeVM && t.VM != nil:
		return t.VM.ServerImage, "vm.serverImage"
	}
	return "", ""
}

// appDependencies are what the KPAX server's first start needs in place
// besides its inputs, in a Container App or on a VM: the signing key in
// the vault, the tenant identity's roles, and the pull identity's grant.
func (b *tenantBuilder) appDependencies() []pulumi.Resource {
	deps := append([]pulumi.Resource{b.appSecret}, b.identityRoles...)
	if b.p.RegistryPull != nil {
		deps = append(deps, b.p.RegistryPull)
	}
	return deps
}

// containerApp runs the tenant in the region's internal Container Apps
// environment. Ingress is "external" to the environment, which in an
// internal environment means reachable from the VNet only, and it accepts
// the gateway subnet alone: the region gateway is the tenant's only door.
func (b *tenantBuilder) containerApp() error {
	c := b.t.Container
	minReplicas := c.Replicas
	suspended := b.t.State == spec.StateSuspended
	if suspended {
		minReplicas = 0
	}
	// Scale out under load up to twice the floor, and at least two more.
	maxReplicas := c.Replicas * 2
	if maxReplicas < c.Replicas+2 {
		maxReplicas = c.Replicas + 2
	}
	var ingress app.IngressPtrInput = app.IngressArgs{
		External:      pulumi.Bool(true),
		AllowInsecure: pulumi.Bool(false),
		TargetPort:    pulumi.Int(appPort),
		Transport:     pulumi.String("auto"),
		IpSecurityRestrictions: app.IpSecurityRestrictionRuleArray{
			app.IpSecurityRestrictionRuleArgs{
				Name:           pulumi.String("region-gateway"),
				Description:    pulumi.String("the region's application gateway subnet"),
				IpAddressRange: pulumi.String(b.p.GatewaySubnetPrefix),
				Action:         pulumi.String("Allow"),
			},
		},
	}
	if suspended {
		// Without ingress nothing wakes a scaled-to-zero app: HTTP scaling
		// exists only with ingress, so zero replicas stay zero.
		ingress = nil
	}
	probe := func(kind string, initialDelay, period, failures int) app.ContainerAppProbeArgs {
		return app.ContainerAppProbeArgs{
			Type:                pulumi.String(kind),
			HttpGet:             app.ContainerAppProbeHttpGetArgs{Path: pulumi.String(healthPath), Port: pulumi.Int(appPort), Scheme: pulumi.String("HTTP")},
			InitialDelaySeconds: pulumi.Int(initialDelay),
			PeriodSeconds:       pulumi.Int(period),
			FailureThreshold:    pulumi.Int(failures),
			TimeoutSeconds:      pulumi.Int(5),
		}
	}
	identityID := b.identity.ID().ToStringOutput()
	var env app.EnvironmentVarArray
	for _, v := range b.serverEnv() {
		env = append(env, app.EnvironmentVarArgs{Name: pulumi.String(v.name), Value: v.value})
	}
	// The signing key, from the vault through the secret reference above.
	env = append(env, app.EnvironmentVarArgs{Name: pulumi.String("KPAX_SECRET_KEY"), SecretRef: pulumi.String(secretAppKey)})
	capp, err := app.NewContainerApp(b.ctx, b.name+"-app", &app.ContainerAppArgs{
		ContainerAppName:  pulumi.String(containerAppName(b.t)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		EnvironmentId:     b.p.EnvironmentID,
		Identity: app.ManagedServiceIdentityArgs{
			Type:                   pulumi.String("UserAssigned"),
			UserAssignedIdentities: pulumi.StringArray{identityID, b.p.RegistryPullIdentityID},
		},
		Configuration: app.ConfigurationArgs{
			ActiveRevisionsMode: pulumi.String("Single"),
			Ingress:             ingress,
			// The image is pulled with the platform's pull identity (the
			// spec checks it names the region's registry).
			Registries: app.RegistryCredentialsArray{
				app.RegistryCredentialsArgs{Server: pulumi.String(b.p.RegistryServer), Identity: b.p.RegistryPullIdentityID},
			},
			// Secrets are Key Vault references resolved with the tenant
			// identity: the values never pass through this program or the
			// app's configuration.
			Secrets: app.SecretArray{
				app.SecretArgs{
					Name:        pulumi.String(secretAppKey),
					KeyVaultUrl: b.secretURI(secretAppKey),
					Identity:    identityID,
				},
			},
		},
		Template: app.TemplateArgs{
			Scale: app.ScaleArgs{MinReplicas: pulumi.Int(minReplicas), MaxReplicas: pulumi.Int(maxReplicas)},
			Containers: app.ContainerArray{
				app.ContainerArgs{
					Name:  pulumi.String("kpax-server"),
					Image: pulumi.String(c.Image),
					Resources: app.ContainerResourcesArgs{
						Cpu:    pulumi.Float64(c.CPU),
						Memory: pulumi.String(strconv.FormatFloat(c.MemoryGi(), 'f', -1, 64) + "Gi"),
					},
					Env: env,
					// Azure's limits: delay 1-60 s, at most 10 failures. The
					// startup probe allows about two minutes before liveness
					// takes over.
					Probes: app.ContainerAppProbeArray{
						probe("Startup", 10, 10, 10),
						probe("Liveness", 1, 10, 3),
						probe("Readiness", 1, 5, 3),
					},
				},
			},
		},
		Tags: b.tags,
	}, b.child(pulumi.DependsOn(b.appDependencies()))...)
	if err != nil {
		return err
	}
	// Container Apps export platform metrics only; their console and system
	// logs go to the workspace through the environment (the cluster's).
	return b.diagnostics("app-diag", capp.ID(), nil, []string{"AllMetrics"})
}

// imageURN is a marketplace image publisher:offer:sku:version.
type imageURN struct{ Publisher, Offer, Sku, Version string }

func parseImageURN(s string) (imageURN, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 4 {
		return imageURN{}, fmt.Errorf("%q is not publisher:offer:sku:version", s)
	}
	for _, p := range parts {
		if p == "" {
			return imageURN{}, fmt.Errorf("%q has an empty part", s)
		}
	}
	return imageURN{parts[0], parts[1], parts[2], parts[3]}, nil
}

// maintenanceRecurrence is the weekly recurrence of the region's patch
// window ("Week Saturday").
func maintenanceRecurrence(m spec.RegionMaintenance) (string, error) {
	days := []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	for _, d := range days {
		if strings.EqualFold(d, m.Day) {
			return "Week " + d, nil
		}
	}
	return "", fmt.Errorf("day %q is not a weekday name", m.Day)
}

// virtualMachines builds a VM tenant: the data that outlives its VMs (admin
// credential, data disks) in every state, and the scale set, VMs, patch
// window and VM backups while it has compute.
func (b *tenantBuilder) virtualMachines() error {
	v := b.t.VM
	password, err := random.NewRandomPassword(b.ctx, b.name+"-vm-admin-password", &random.RandomPasswordArgs{
		Length:     pulumi.Int(32),
		MinLower:   pulumi.Int(2),
		MinUpper:   pulumi.Int(2),
		MinNumeric: pulumi.Int(2),
		MinSpecial: pulumi.Int(2),
		// Characters Azure accepts in a Linux admin password.
		OverrideSpecial: pulumi.String("!#$%&*()-_=+[]{}<>:?"),
	}, b.child()...)
	if err != nil {
		return err
	}
	if _, err := b.secret("vm-admin-secret", secretVMAdminPassword, password.Result); err != nil {
		return err
	}

	// Data disks hold the KPAX files. They are separate resources, not part
	// of the VMs, so that suspending (no VMs) or decommissioning keeps them.
	// Premium_ZRS: a zone-redundant disk attaches to a VM in any zone, so
	// losing a zone loses no data and the disk can follow its VM elsewhere.
	for i := 1; i <= v.Instances; i++ {
		vm := vmName(b.t, i)
		disk, err := compute.NewDisk(b.ctx, fmt.Sprintf("%s-vm-%d-data", b.name, i), &compute.DiskArgs{
			DiskName:            pulumi.String(vmDataDiskName(vm)),
			ResourceGroupName:   b.rg.Name,
			Location:            b.location,
			Sku:                 compute.DiskSkuArgs{Name: pulumi.String("Premium_ZRS")},
			DiskSizeGB:          pulumi.Int(v.DataDiskGB),
			CreationData:        compute.CreationDataArgs{CreateOption: pulumi.String("Empty")},
			NetworkAccessPolicy: pulumi.String("DenyAll"),
			PublicNetworkAccess: pulumi.String("Disabled"),
			Tags:                b.tags,
		}, b.data()...)
		if err != nil {
			return err
		}
		if err := b.lock(fmt.Sprintf("vm-%d-data-lock", i), disk.ID(), "data disk of "+vm); err != nil {
			return err
		}
		b.dataDisks = append(b.dataDisks, disk)
	}
	if !b.t.HasCompute() {
		return nil
	}
	return b.scaleSet(password)
}

func (b *tenantBuilder) scaleSet(password *random.RandomPassword) error {
	v := b.t.VM
	image, err := parseImageURN(v.Image)
	if err != nil {
		return err
	}
	zones := pulumi.ToStringArray(b.p.Zones)
	// A Flexible scale set without a VM model: the program creates each VM
	// itself, so each has an ID a backup protected item can name. Fault
	// domain count 1 is what zonal Flexible scale sets require.
	vmss, err := compute.NewVirtualMachineScaleSet(b.ctx, b.name+"-vmss", &compute.VirtualMachineScaleSetArgs{
		VmScaleSetName:           pulumi.String(vmScaleSetName(b.t)),
		ResourceGroupName:        b.rg.Name,
		Location:                 b.location,
		OrchestrationMode:        pulumi.String("Flexible"),
		PlatformFaultDomainCount: pulumi.Int(1),
		Zones:                    zones,
		Tags:                     b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	recurrence, err := maintenanceRecurrence(b.region.Maintenance)
	if err != nil {
		return err
	}
	window, err := maintenance.NewMaintenanceConfiguration(b.ctx, b.name+"-patch-window", &maintenance.MaintenanceConfigurationArgs{
		ResourceName:        pulumi.String(maintenanceConfigurationName(b.t)),
		ResourceGroupName:   b.rg.Name,
		Location:            b.location,
		MaintenanceScope:    pulumi.String("InGuestPatch"),
		Visibility:          pulumi.String("Custom"),
		ExtensionProperties: pulumi.StringMap{"InGuestPatchMode": pulumi.String("User")},
		StartDateTime:       pulumi.String(maintenanceStart + " " + b.region.Maintenance.StartTime),
		Duration:            pulumi.String(fmt.Sprintf("%02d:00", b.region.Maintenance.DurationHours)),
		TimeZone:            pulumi.String("UTC"),
		RecurEvery:          pulumi.String(recurrence),
		InstallPatches: maintenance.InputPatchConfigurationArgs{
			RebootSetting: pulumi.String("IfRequired"),
			LinuxParameters: maintenance.InputLinuxParametersArgs{
				ClassificationsToInclude: pulumi.ToStringArray([]string{"Critical", "Security", "Other"}),
			},
		},
		Tags: b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	// Entra ID login for the operators' group only, on the tenant's resource
	// group (its VMs). Operators reach the VMs through the region's Bastion.
	if _, err := b.roleAssignment("operators-vm-login", "tenant/"+b.t.Name+"/resource-group", b.rg.ID(),
		roleVirtualMachineAdministratorLog, "region/"+b.region.Name+"/operators",
		pulumi.String(b.p.OperatorsGroupObjectID), "Group"); err != nil {
		return err
	}

	instances := v.Instances
	if b.t.State == spec.StateSuspended {
		instances = 0
	}
	for i := 1; i <= instances; i++ {
		if err := b.virtualMachine(i, vmss, window, image, password); err != nil {
			return fmt.Errorf("vm %d: %w", i, err)
		}
	}
	return nil
}

// serverExtension runs the KPAX server on a VM: the CustomScript extension
// runs the bootstrap (components/server.go) when the VM is created and again
// whenever the script changes, so a new server image in the tenant file
// rolls out in place, VM by VM. The script is public: it holds names, never
// a secret (the server reads its signing key from the tenant's vault).
func (b *tenantBuilder) serverExtension(logical string, vm *compute.VirtualMachine, after pulumi.Resource) error {
	if b.serverScript == nil {
		vars := b.serverEnv()
		vars = append(vars, serverVar{"KPAX_SECRET_KEY_NAME", pulumi.String(secretAppKey)})
		values := make([]any, 0, len(vars)+1)
		values = append(values, b.p.RegistryPullClientID)
		for _, v := range vars {
			values = append(values, v.value)
		}
		script := pulumi.All(values...).ApplyT(func(resolved []any) (string, error) {
			bs := serverBootstrap{Tenant: b.t.Name, Registry: b.p.RegistryServer, Image: b.t.VM.ServerImage, PullClientID: resolved[0].(string)}
			for i, v := range vars {
				bs.Env = append(bs.Env, [2]string{v.name, resolved[i+1].(string)})
			}
			return bs.encoded()
		}).(pulumi.StringOutput)
		b.serverScript = &script
	}
	// One VM at a time: each server waits for the previous VM's, so an
	// upgrade restarts one VM while the gateway's probe keeps traffic on
	// the others.
	deps := append(b.appDependencies(), after)
	if b.lastServer != nil {
		deps = append(deps, b.lastServer)
	}
	ext, err := compute.NewVirtualMachineExtension(b.ctx, logical+"-kpax-server", &compute.VirtualMachineExtensionArgs{
		VmExtensionName:         pulumi.String("kpax-server"),
		VmName:                  vm.Name,
		ResourceGroupName:       b.rg.Name,
		Location:                b.location,
		Publisher:               pulumi.String("Microsoft.Azure.Extensions"),
		Type:                    pulumi.String("CustomScript"),
		TypeHandlerVersion:      pulumi.String("2.1"),
		AutoUpgradeMinorVersion: pulumi.Bool(true),
		Settings:                pulumi.Map{"script": *b.serverScript},
		Tags:                    b.tags,
	}, b.child(pulumi.DependsOn(deps))...)
	if err != nil {
		return err
	}
	b.lastServer = ext
	return nil
}

// virtualMachine builds the i-th VM of the scale set with its NIC,
// extensions, patch assignment and backup. A logical name from the index is
// right here, unlike for spec lists: instance i is by definition "the i-th
// VM", and its data disk is the i-th disk. Zones go round robin.
func (b *tenantBuilder) virtualMachine(i int, vmss *compute.VirtualMachineScaleSet, window *maintenance.MaintenanceConfiguration, image imageURN, password *random.RandomPassword) error {
	name := vmName(b.t, i)
	logical := fmt.Sprintf("%s-vm-%d", b.name, i)
	zone := b.p.Zones[(i-1)%len(b.p.Zones)]
	nic, err := network.NewNetworkInterface(b.ctx, logical+"-nic", &network.NetworkInterfaceArgs{
		NetworkInterfaceName: pulumi.String(vmNICName(name)),
		ResourceGroupName:    b.rg.Name,
		Location:             b.location,
		IpConfigurations: network.NetworkInterfaceIPConfigurationArray{
			network.NetworkInterfaceIPConfigurationArgs{
				Name:                      pulumi.String("ipconfig1"),
				Primary:                   pulumi.Bool(true),
				PrivateIPAllocationMethod: pulumi.String("Dynamic"),
				Subnet:                    &network.SubnetTypeArgs{Id: b.p.VMSubnetID},
				// No public IP: the gateway's backend pool is the only way in.
				ApplicationGatewayBackendAddressPools: network.ApplicationGatewayBackendAddressPoolArray{
					network.ApplicationGatewayBackendAddressPoolArgs{Id: b.p.GatewayBackendPoolIDs[b.t.Name]},
				},
			},
		},
		Tags: b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	vm, err := compute.NewVirtualMachine(b.ctx, logical, &compute.VirtualMachineArgs{
		VmName:                 pulumi.String(name),
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Zones:                  pulumi.StringArray{pulumi.String(zone)},
		VirtualMachineScaleSet: compute.SubResourceArgs{Id: vmss.ID()},
		HardwareProfile:        compute.HardwareProfileArgs{VmSize: pulumi.String(b.t.VM.Size)},
		// The system identity is the one Entra ID login (AADSSHLoginForLinux)
		// and the Azure Monitor agent use; the tenant identity is the
		// server's, and the platform's pull identity fetches its image.
		Identity: compute.VirtualMachineIdentityArgs{
			Type:                   compute.ResourceIdentityType_SystemAssigned_UserAssigned,
			UserAssignedIdentities: pulumi.StringArray{b.identity.ID(), b.p.RegistryPullIdentityID},
		},
		SecurityProfile: compute.SecurityProfileArgs{
			SecurityType:     pulumi.String("TrustedLaunch"),
			UefiSettings:     compute.UefiSettingsArgs{SecureBootEnabled: pulumi.Bool(true), VTpmEnabled: pulumi.Bool(true)},
			EncryptionAtHost: pulumi.Bool(true),
		},
		OsProfile: compute.OSProfileArgs{
			ComputerName:             pulumi.String(name),
			AdminUsername:            pulumi.String(vmAdminUsername),
			AdminPassword:            password.Result,
			AllowExtensionOperations: pulumi.Bool(true),
			LinuxConfiguration: compute.LinuxConfigurationArgs{
				DisablePasswordAuthentication: pulumi.Bool(false),
				ProvisionVMAgent:              pulumi.Bool(true),
				PatchSettings: compute.LinuxPatchSettingsArgs{
					PatchMode:      pulumi.String("AutomaticByPlatform"),
					AssessmentMode: pulumi.String("AutomaticByPlatform"),
					// Patches follow the tenant's maintenance configuration
					// (the region's window) instead of Azure's own timing.
					AutomaticByPlatformSettings: compute.LinuxVMGuestPatchAutomaticByPlatformSettingsArgs{
						BypassPlatformSafetyChecksOnUserSchedule: pulumi.Bool(true),
						RebootSetting:                            pulumi.String("IfRequired"),
					},
				},
			},
		},
		StorageProfile: compute.StorageProfileArgs{
			ImageReference: compute.ImageReferenceArgs{
				Publisher: pulumi.String(image.Publisher),
				Offer:     pulumi.String(image.Offer),
				Sku:       pulumi.String(image.Sku),
				Version:   pulumi.String(image.Version),
			},
			OsDisk: compute.OSDiskArgs{
				Name:         pulumi.String("disk-" + name + "-os"),
				CreateOption: pulumi.String("FromImage"),
				Caching:      compute.CachingTypesReadWrite,
				ManagedDisk:  compute.ManagedDiskParametersArgs{StorageAccountType: pulumi.String("Premium_LRS")},
				// The OS disk holds nothing that is not rebuilt from the image.
				DeleteOption: pulumi.String("Delete"),
			},
			DataDisks: compute.DataDiskArray{
				compute.DataDiskArgs{
					Lun:          pulumi.Int(0),
					CreateOption: pulumi.String("Attach"),
					Caching:      compute.CachingTypesReadOnly,
					ManagedDisk:  compute.ManagedDiskParametersArgs{Id: b.dataDisks[i-1].ID()},
					DeleteOption: pulumi.String("Detach"),
				},
			},
		},
		NetworkProfile: compute.NetworkProfileArgs{
			NetworkInterfaces: compute.NetworkInterfaceReferenceArray{
				compute.NetworkInterfaceReferenceArgs{Id: nic.ID(), Primary: pulumi.Bool(true), DeleteOption: pulumi.String("Detach")},
			},
		},
		// Boot diagnostics in Azure-managed storage: no account to secure.
		DiagnosticsProfile: compute.DiagnosticsProfileArgs{
			BootDiagnostics: compute.BootDiagnosticsArgs{Enabled: pulumi.Bool(true)},
		},
		Tags: b.tags,
	}, b.child()...)
	if err != nil {
		return err
	}
	extensions := []struct{ logical, name, publisher, version string }{
		{"aad-login", "AADSSHLoginForLinux", "Microsoft.Azure.ActiveDirectory", "1.0"},
		{"monitor-agent", "AzureMonitorLinuxAgent", "Microsoft.Azure.Monitor", "1.0"},
	}
	// A VM takes one extension operation at a time (Azure answers a
	// concurrent one with a conflict), and extensions that install packages
	// contend for the package manager: each waits for the one before.
	var previous pulumi.Resource = vm
	for _, e := range extensions {
		ext, err := compute.NewVirtualMachineExtension(b.ctx, logical+"-"+e.logical, &compute.VirtualMachineExtensionArgs{
			VmExtensionName:         pulumi.String(e.name),
			VmName:                  vm.Name,
			ResourceGroupName:       b.rg.Name,
			Location:                b.location,
			Publisher:               pulumi.String(e.publisher),
			Type:                    pulumi.String(e.name),
			TypeHandlerVersion:      pulumi.String(e.version),
			AutoUpgradeMinorVersion: pulumi.Bool(true),
			EnableAutomaticUpgrade:  pulumi.Bool(e.name == "AzureMonitorLinuxAgent"),
			Tags:                    b.tags,
		}, b.child(pulumi.DependsOn([]pulumi.Resource{previous}))...)
		if err != nil {
			return err
		}
		previous = ext
	}
	if err := b.serverExtension(logical, vm, previous); err != nil {
		return err
	}
	if b.dcrID != nil {
		if _, err := insights.NewDataCollectionRuleAssociation(b.ctx, logical+"-dcr", &insights.DataCollectionRuleAssociationArgs{
			AssociationName:      pulumi.String("kpax-vm-guest"),
			ResourceUri:          vm.ID(),
			DataCollectionRuleId: b.dcrID,
		}, b.child()...); err != nil {
			return err
		}
	}
	if _, err := maintenance.NewConfigurationAssignment(b.ctx, logical+"-patch", &maintenance.ConfigurationAssignmentArgs{
		ConfigurationAssignmentName: pulumi.String(maintenanceConfigurationName(b.t)),
		ResourceGroupName:           b.rg.Name,
		Location:                    b.location,
		ProviderName:                pulumi.String("Microsoft.Compute"),
		ResourceType:                pulumi.String("virtualMachines"),
		ResourceName:                vm.Name,
		MaintenanceConfigurationId:  window.ID(),
	}, b.child()...); err != nil {
		return err
	}
	// The VM's daily backup in the region's vault. Not retained on delete:
	// the VM goes when the tenant is suspended and comes back on resume
	// under the same name, and a retained item would block that. The data
	// disk outlives the VM, and the vault's soft delete keeps the stopped
	// item's recovery points (docs/restore.md).
	rgName := tenantResourceGroupName(b.t)
	_, err = recoveryservices.NewProtectedItem(b.ctx, logical+"-backup", &recoveryservices.ProtectedItemArgs{
		VaultName:         b.p.RecoveryVaultName,
		ResourceGroupName: b.p.ResourceGroupName,
		FabricName:        pulumi.String("Azure"),
		ContainerName:     pulumi.String(vmBackupContainerName(rgName, name)),
		ProtectedItemName: pulumi.String(vmProtectedItemName(rgName, name)),
		Properties: recoveryservices.AzureIaaSComputeVMProtectedItemArgs{
			ProtectedItemType: pulumi.String("Microsoft.Compute/virtualMachines"),
			PolicyId:          b.p.VMBackupPolicyIDs[b.t.Backup.PolicyKey()],
			SourceResourceId:  vm.ID(),
		},
		Tags: b.tags,
	}, b.child()...)
	return err
}

// dependsOnZone makes the record wait for the zone when this stack creates
// it (its name is a plain value, so nothing else orders the two), and
// writes through the zone's subscription when that is another one.
func (b *tenantBuilder) dependsOnZone() []pulumi.ResourceOption {
	var opts []pulumi.ResourceOption
	if b.p.DNSZone != nil {
		opts = append(opts, pulumi.DependsOn([]pulumi.Resource{b.p.DNSZone}))
	}
	if b.p.DNSProvider != nil {
		opts = append(opts, pulumi.Provider(b.p.DNSProvider))
	}
	return opts
}

// dnsRecord publishes the tenant's URL: an A record in the region's zone
// pointing at the region gateway, which terminates TLS for the whole zone.
// A decommissioned tenant has no URL.
func (b *tenantBuilder) dnsRecord() error {
	if !b.t.HasCompute() {
		return nil
	}
	_, err := network.NewRecordSet(b.ctx, b.name+"-dns", &network.RecordSetArgs{
		ZoneName:              pulumi.String(b.p.DNSZoneName),
		ResourceGroupName:     pulumi.String(b.p.DNSZoneResourceGroupName),
		RelativeRecordSetName: pulumi.String(b.t.DNS.Hostname),
		RecordType:            pulumi.String("A"),
		Ttl:                   pulumi.Float64(dnsTTL),
		ARecords:              network.ARecordArray{network.ARecordArgs{Ipv4Address: b.p.GatewayPublicIPAddress}},
		// Record sets take metadata, not tags: the same keys, for the same use.
		Metadata: b.tags,
	}, b.child(b.dependsOnZone()...)...)
	return err
}

// stableGUID is a name-based UUID (the layout of RFC 4122 version 5: SHA-1
// of the names, version and variant bits set) for resources whose Azure name
// must be a GUID, such as role assignments. The same parts always give the
// same GUID, so the name never changes between runs; parts name the scope,
// role and principal by key, never by list position or by a value only known
// after deployment.
func stableGUID(parts ...string) string {
	h := sha1.Sum([]byte("kpax-cloud\x00" + strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
