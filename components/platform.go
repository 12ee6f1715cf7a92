// Platform: what the regional cluster hands to each tenant (IDs, names, zones,
// policies). Tenants never look the cluster up by themselves.

package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Platform is everything a tenant stack uses of its region's cluster. The
// regional cluster fills it in; the tenant component takes it as an input and
// never looks the cluster up by itself (shared dependencies are passed in).
type Platform struct {
	// Location and Zones are the region's, as plain values: they decide
	// resource shapes, not just property values.
	Location string
	Zones    []string

	// ResourceGroupName is the platform resource group (vault, DNS zones).
	ResourceGroupName pulumi.StringOutput
	// WorkspaceID is the Log Analytics workspace every diagnostic setting
	// sends to.
	WorkspaceID pulumi.StringOutput
	// DataCollectionRuleID is the Azure Monitor data collection rule of VM
	// guests (the same value as TenantArgs.DataCollectionRuleID).
	DataCollectionRuleID pulumi.StringOutput

	// VNetID is the region's virtual network.
	VNetID     pulumi.StringOutput
	VMSubnetID pulumi.StringOutput
	// EgressBackendPoolID is the egress load balancer's pool that every
	// tenant VM's NIC joins: its outbound rule is the VMs' way out.
	EgressBackendPoolID pulumi.StringOutput
	// Egress is that load balancer: a NIC joins its pool once it exists.
	Egress           pulumi.Resource
	EndpointSubnetID pulumi.StringOutput
	// GatewaySubnetPrefix is the application gateway subnet's CIDR: the
	// only source a tenant's compute accepts traffic from.
	GatewaySubnetPrefix string
	// BastionSubnetPrefix is the AzureBastionSubnet's CIDR: the only source
	// of management traffic (SSH, RDP) to the VMs.
	BastionSubnetPrefix string

	// Environments are the container tenants' own Container Apps
	// environments, by tenant name (cluster_containerapps.go).
	Environments map[string]TenantEnvironment

	// KeyVaultID and KeyVaultName are the platform Key Vault, which holds
	// the region's wildcard certificate.
	KeyVaultID   pulumi.StringOutput
	KeyVaultName pulumi.StringOutput

	// RunCommandRoleDefinitionID is the stamp's custom role that runs a
	// command on a VM; tenants grant it to the operators' group only
	// (cluster_access.go, tenant_access.go).
	RunCommandRoleDefinitionID pulumi.StringOutput
	// RunCommandRoleReady is the wait after that role's creation, which
	// the tenants' assignments of it follow.
	RunCommandRoleReady pulumi.Resource

	// RecoveryVaultName is the region's Recovery Services vault, in the
	// platform resource group.
	RecoveryVaultName pulumi.StringOutput
	RecoveryVaultID   pulumi.StringOutput
	// FileShareBackupPolicyIDs are the vault's daily file share policies by
	// spec.BackupSpec.PolicyKey.
	FileShareBackupPolicyIDs map[string]pulumi.StringOutput

	// DNSZoneName is the region's public zone, in DNSZoneResourceGroupName:
	// stamp 1's platform resource group, whichever stamp a tenant is in.
	DNSZoneName              string
	DNSZoneResourceGroupName string
	// DNSZone is the zone resource when this stack owns it (stamp 1), so
	// that records wait for it; nil in later stamps, where it exists already.
	DNSZone pulumi.Resource
	// DNSProvider writes to the zone when it is in another subscription
	// (a later stamp in its own subscription); nil otherwise.
	DNSProvider pulumi.ProviderResource
	// PrivateDNSZoneIDs are the private zones tenants' private endpoints
	// register in, by subresource: "sqlServer", "blob", "file", "vault".
	PrivateDNSZoneIDs map[string]pulumi.StringOutput

	// SQLServers are the region's shared logical servers by
	// spec.DatabaseSpec.Server.
	SQLServers map[int]SQLServer

	// GatewayPublicIPAddress is the front door's address: every tenant's DNS
	// record points at it.
	GatewayPublicIPAddress pulumi.StringOutput
	// GatewayBackendPoolIDs are the gateway's backend pools of VM tenants, by
	// tenant name: a VM tenant's NICs join its pool.
	GatewayBackendPoolIDs map[string]pulumi.StringOutput

	// RegistryServer is the registry every tenant's server image comes
	// from, and RegistryPullIdentityID the platform identity that pulls
	// from it (AcrPull on the registry and nothing else). Apps and VMs carry
	// it next to their tenant's own identity, which keeps its grants to the
	// tenant's data. RegistryPull is the grant: a first pull waits for it.
	RegistryServer         string
	RegistryPullIdentityID pulumi.StringOutput
	// RegistryPullClientID is the pull identity's client ID, with which a
	// VM asks the instance metadata service for its token.
	RegistryPullClientID pulumi.StringOutput
	RegistryPull         pulumi.Resource
	// OpsIdentityPrincipalID is the operators' jobs identity, which the
	// region's operators group must hold (README, "The operators' path").
	OpsIdentityPrincipalID pulumi.StringOutput

	// ActionGroupID is the stamp's action group: every alert sends to it.
	ActionGroupID pulumi.StringOutput
	// AppInsightsID is the stamp's Application Insights resource, in the
	// platform resource group, which runs the tenants' availability tests.
	AppInsightsID pulumi.StringOutput
	// TestLocations are where those tests probe from (the region file's).
	TestLocations []string
	// GatewayID is the region's Application Gateway, whose backend health
	// and 5xx a tenant's alerts watch for its own pool.
	GatewayID pulumi.StringOutput
	// TenantGuardrailsID is the stamp's policy initiative for tenant
	// resource groups (guardrails.Tenant).
	TenantGuardrailsID pulumi.StringOutput

	// OperatorsGroupObjectID is the Entra group granted VM login, and
	// OperatorsGroupName its display name (the SQL servers' admin login).
	OperatorsGroupObjectID string
	OperatorsGroupName     string
}

// SQLServer is one of the region's shared Azure SQL logical servers.
type SQLServer struct {
	ID   pulumi.StringOutput
	Name pulumi.StringOutput
}
