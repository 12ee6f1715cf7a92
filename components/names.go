// Every Azure name the components give, with Azure's length and character
// rules: the one place to look a name up or change its format.

package components

import (
	"fmt"
	"strings"

	"github.com/kpax/kpax-cloud/spec"
)

// Azure names are derived here, in one place, from spec keys only: never from
// list positions, so that reordering or adding YAML files renames nothing.

// platformResourceGroupName is the region's shared resource group.
func platformResourceGroupName(region string) string {
	return fmt.Sprintf("rg-kpax-%s-platform", region)
}

// tenantResourceGroupName is a tenant's own resource group.
func tenantResourceGroupName(t *spec.Tenant) string {
	return fmt.Sprintf("rg-kpax-%s-%s", t.Region, t.Name)
}

// containerAppName is a tenant's Container App (2-32 chars, lowercase
// letters, digits and hyphens): tenant names are at most 20 characters.
func containerAppName(t *spec.Tenant) string {
	return "ca-" + t.Name
}

// environmentStorageName is a tenant's file share as the region's Container
// Apps environment knows it (storage names: lowercase letters, digits and
// hyphens, at most 32 characters; tenant names are at most 20).
func environmentStorageName(t *spec.Tenant) string {
	return "files-" + t.Name
}

// gatewayBackendPoolName is a tenant's backend pool on the region gateway.
func gatewayBackendPoolName(tenant string) string {
	return "pool-" + tenant
}

// tenantFQDN is the public hostname of a tenant.
func tenantFQDN(t *spec.Tenant, dnsZone string) string {
	return t.DNS.Hostname + "." + dnsZone
}

// compactName removes the hyphens of a name for resources whose names allow
// only lowercase letters and digits (storage accounts).
func compactName(name string) string {
	return strings.ReplaceAll(name, "-", "")
}

// The tenant component's names. Resource-group-scoped names need only be
// unique in the tenant's own resource group, so they carry just the tenant;
// the ones that live in the platform resource group or are global carry the
// region or a random suffix as well.

// tenantIdentityName is the tenant's user-assigned managed identity.
func tenantIdentityName(t *spec.Tenant) string {
	return fmt.Sprintf("id-kpax-%s-%s", t.Region, t.Name)
}

// tenantDatabaseName is the tenant's database on its region's shared server.
func tenantDatabaseName(t *spec.Tenant) string {
	return "sqldb-" + t.Name
}

// storageAccountNameMax and keyVaultNameMax are Azure's limits on the two
// globally unique names a tenant owns (3-24 characters each).
const (
	storageAccountNameMax = 24
	keyVaultNameMax       = 24
)

// globalName joins a prefix, the tenant name without hyphens and a random
// suffix, shortening the tenant part so that the result fits max characters.
// Lowercase letters and digits only: valid for storage accounts and vaults.
func globalName(prefix, tenant, suffix string, max int) string {
	room := max - len(prefix) - len(suffix)
	name := compactName(tenant)
	if room < len(name) {
		name = name[:room]
	}
	return prefix + name + suffix
}

// storageAccountName is a tenant's storage account: "st", the tenant and
// the never-changing random suffix.
func storageAccountName(t *spec.Tenant, suffix string) string {
	return globalName("st", t.Name, suffix, storageAccountNameMax)
}

// keyVaultName is a tenant's Key Vault: "kv", the tenant and the random
// suffix (a vault name stays reserved while the vault is soft deleted, so
// it must not be derived from the tenant name alone).
func keyVaultName(t *spec.Tenant, suffix string) string {
	return globalName("kv", t.Name, suffix, keyVaultNameMax)
}

// blobCopyAccountName is the tenant's second storage account, which holds
// the object-replicated copy of its blobs: "bk", the tenant and the same
// random suffix as its first account.
func blobCopyAccountName(t *spec.Tenant, suffix string) string {
	return globalName("bk", t.Name, suffix, storageAccountNameMax)
}

// tenantBlobContainerName is the container the KPAX server keeps its blobs
// in (KPAX_BLOB_CONTAINER), in the tenant's account and in its copy: object
// replication copies named containers only.
const tenantBlobContainerName = "kpax"

// tenantFileShareName is the file share that holds a tenant's KPAX files.
const tenantFileShareName = "kpax"

// tenantPrivateEndpointName is a tenant's private endpoint to one
// subresource (blob, file, vault) of its own resources.
func tenantPrivateEndpointName(t *spec.Tenant, subresource string) string {
	return fmt.Sprintf("pe-kpax-%s-%s-%s", t.Region, t.Name, subresource)
}

// vmScaleSetName is a VM tenant's Flexible scale set.
func vmScaleSetName(t *spec.Tenant) string {
	return fmt.Sprintf("vmss-kpax-%s-%s", t.Region, t.Name)
}

// vmName is the i-th VM (counted from 1) of a VM tenant. It is also the
// VM's host name (at most 64 characters on Linux).
func vmName(t *spec.Tenant, i int) string {
	return fmt.Sprintf("vm-%s-%d", t.Name, i)
}

// vmNICName is the network interface of the VM named vm.
func vmNICName(vm string) string { return "nic-" + vm }

// maintenanceConfigurationName is a VM tenant's guest patch window.
func maintenanceConfigurationName(t *spec.Tenant) string {
	return fmt.Sprintf("mc-kpax-%s-%s-patch", t.Region, t.Name)
}

// Backup item names of the Recovery Services vault. The formats are the
// ones Azure Backup itself gives (and the ARM quickstart templates use).

// storageBackupContainerName is the vault's container of a storage account
// whose file shares it protects.
func storageBackupContainerName(resourceGroup, account string) string {
	return fmt.Sprintf("storagecontainer;Storage;%s;%s", resourceGroup, account)
}

// The regional cluster's names. Every one of them is made from the region key
// (and, for globally unique names, the cluster's random suffix), so that two
// regions never collide and a name never moves once created.

// clusterVNetName is the region's virtual network.
func clusterVNetName(region string) string { return "vnet-kpax-" + region }

// clusterNSGName is the network security group of one of the region's
// subnets, by subnet key (apps, vms, endpoints, gateway).
func clusterNSGName(region, subnet string) string {
	return fmt.Sprintf("nsg-kpax-%s-%s", region, subnet)
}

// clusterPublicIPName is one of the region's public IPs, by its user (agw,
// bastion, nat).
func clusterPublicIPName(region, user string) string {
	return fmt.Sprintf("pip-kpax-%s-%s", region, user)
}

// egressLoadBalancerName is the region's outbound-only load balancer (the VMs' egress).
func egressLoadBalancerName(region string) string { return "lbe-kpax-" + region }

// clusterBastionName is the region's Bastion host.
func clusterBastionName(region string) string { return "bas-kpax-" + region }

// clusterWorkspaceName is the region's Log Analytics workspace (4-63 chars).
func clusterWorkspaceName(region string) string { return "log-kpax-" + region }

// clusterDataCollectionRuleName is the Azure Monitor rule of VM guests.
func clusterDataCollectionRuleName(region string) string {
	return fmt.Sprintf("dcr-kpax-%s-vm", region)
}

// clusterKeyVaultName is the platform Key Vault. Vault names are global and
// 3-24 characters: "kv-kpax-" (8) + a region key + "-" + the suffix stays well
// under the limit for the short region keys the spec allows.
func clusterKeyVaultName(region, suffix string) string {
	return fmt.Sprintf("kv-kpax-%s-%s", region, suffix)
}

// clusterRecoveryVaultName is the region's Recovery Services vault.
func clusterRecoveryVaultName(region string) string { return "rsv-kpax-" + region }

// fileShareBackupPolicyName names the vault's file share policies after
// spec.BackupSpec.PolicyKey, so that a policy keeps its name as long as its
// schedule exists.
func fileShareBackupPolicyName(key string) string { return "fs-" + key }

// tenantEnvironmentName is a container tenant's own environment, in its
// stamp's platform group (unique there, since tenant names are).
func tenantEnvironmentName(t *spec.Tenant) string { return "cae-" + t.Name }

// tenantEnvironmentInfraResourceGroupName is the group Azure creates for
// that environment's infrastructure.
func tenantEnvironmentInfraResourceGroupName(key string, t *spec.Tenant) string {
	return fmt.Sprintf("rg-kpax-%s-%s-cae-infra", key, t.Name)
}

// applicationGatewayName is the region's front door.
func applicationGatewayName(region string) string { return "agw-kpax-" + region }

// wafPolicyName is the gateway's WAF policy (letters, digits, hyphens).
func wafPolicyName(region string) string { return "waf-kpax-" + region }

// gatewayIdentityName is the user-assigned identity the gateway reads its
// certificate with.
func gatewayIdentityName(region string) string { return fmt.Sprintf("id-kpax-%s-agw", region) }

// registryPullIdentityName is the identity container apps pull images with.
func registryPullIdentityName(region string) string { return fmt.Sprintf("id-kpax-%s-acrpull", region) }

// sqlServerName is one of the region's shared logical servers. Server names
// are global (they are DNS names under database.windows.net), hence the
// suffix; 1-63 lowercase letters, digits and hyphens.
func sqlServerName(region string, n int, suffix string) string {
	return fmt.Sprintf("sql-kpax-%s-%d-%s", region, n, suffix)
}

// clusterPrivateEndpointName is the private endpoint of one of the cluster's
// resources, by its private-link group (vault, ...).
func clusterPrivateEndpointName(region, group string) string {
	return fmt.Sprintf("pe-kpax-%s-%s", region, group)
}

// gatewayARMID is the ARM ID of the region's gateway. A gateway's inputs
// refer to its own children (backendAddressPools/pool-acme,
// frontendPorts/port-443, ...) by IDs under it, which exist before the
// gateway does.
func gatewayARMID(subscription, resourceGroup, gateway string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/applicationGateways/%s",
		subscription, resourceGroup, gateway)
}

// actionGroupName is a stamp's action group, and actionGroupShortName the
// name its emails and SMS show (at most 12 characters, Azure's limit in the
// actionGroups REST spec; stamp keys are at most four: fr10).
func actionGroupName(key string) string      { return "ag-kpax-" + key }
func actionGroupShortName(key string) string { return "kpax-" + key }

// appInsightsName is the stamp's Application Insights resource, which holds
// its tenants' availability tests.
func appInsightsName(key string) string { return "appi-kpax-" + key }

// webTestName is a tenant's availability test (the resource's name and its
// syntheticMonitorId).
func webTestName(key, tenant string) string { return fmt.Sprintf("wt-kpax-%s-%s", key, tenant) }

// alertName is an alert rule of a tenant or of a stamp ("kpax-acme-availability",
// "kpax-fr-backup-health"): the name the notification shows first.
func alertName(owner, what string) string { return fmt.Sprintf("kpax-%s-%s", owner, what) }

// guardrailsSetName is a stamp's policy initiative for one kind of scope
// ("platform" or "tenant"); the stamp key keeps two stamps in one
// subscription apart.
func guardrailsSetName(key, kind string) string {
	return fmt.Sprintf("kpax-guardrails-%s-%s", key, kind)
}

// DatabaseAddress is where an operator's command finds a tenant's database
// (docs/restore.md): the stamp's platform resource group, the name of its
// shared server up to the random suffix, and the database.
type DatabaseAddress struct {
	ResourceGroup string
	ServerPrefix  string
	Database      string
}

// TenantDatabaseAddress is t's database address in its stamp.
func TenantDatabaseAddress(t *spec.Tenant) DatabaseAddress {
	key := spec.StampKey(t.Region, t.Stamp)
	return DatabaseAddress{
		ResourceGroup: platformResourceGroupName(key),
		ServerPrefix:  sqlServerName(key, t.Database.Server, ""),
		Database:      tenantDatabaseName(t),
	}
}

// runCommandRoleName is a stamp's custom role for running a command on its
// tenants' VMs; custom role names are unique in the Entra tenant.
func runCommandRoleName(stamp string) string { return "kpax run command operator (" + stamp + ")" }

// activityLogSettingName is a stamp's diagnostic setting of its
// subscription's Activity Log; stamps sharing a subscription each have one.
func activityLogSettingName(stamp string) string { return "kpax-activity-" + stamp }

// PartsAddress is where the restore drill finds a tenant's files, blobs and
// secrets (docs/restore.md, "The restore drill: one more part a week"): the
// tenant's resource group, which holds its two storage accounts (names
// starting "st" and "bk") and its Key Vault, and the stamp's platform group
// and Recovery Services vault, which hold the share's recovery points.
type PartsAddress struct {
	TenantResourceGroup   string
	PlatformResourceGroup string
	RecoveryVault         string
	FileShare             string
	BlobContainer         string
	Secret                string
}

// TenantPartsAddress is t's parts address in its stamp.
func TenantPartsAddress(t *spec.Tenant) PartsAddress {
	key := spec.StampKey(t.Region, t.Stamp)
	return PartsAddress{
		TenantResourceGroup:   tenantResourceGroupName(t),
		PlatformResourceGroup: platformResourceGroupName(key),
		RecoveryVault:         clusterRecoveryVaultName(key),
		FileShare:             tenantFileShareName,
		BlobContainer:         tenantBlobContainerName,
		Secret:                secretAppKey,
	}
}
