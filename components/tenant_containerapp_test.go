// A container tenant's app: replicas, ingress, identities, secrets, probes.

package components

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func TestTenantContainerApp(t *testing.T) {
	p := runTenants(t, containerTenant("acme", spec.StateActive))
	rs := tenantResources(t, p, "acme")
	app := one(t, rs, tApp)
	id := one(t, rs, tIdentity)
	kv := one(t, rs, tVault)
	for path, v := range map[string]any{
		"containerAppName":                                              "ca-acme",
		"workloadProfileName":                                           dedicatedProfile,
		"environmentId":                                                 testSubPrefix + "Microsoft.App/managedEnvironments/cae-acme",
		"identity.type":                                                 "UserAssigned",
		"identity.userAssignedIdentities.0":                             id.ID,
		"identity.userAssignedIdentities.1":                             testPullIdentity,
		"configuration.ingress.external":                                true,
		"configuration.ingress.allowInsecure":                           false,
		"configuration.ingress.targetPort":                              8080,
		"configuration.ingress.transport":                               "auto",
		"configuration.ingress.ipSecurityRestrictions.0.ipAddressRange": testGWPrefix,
		"configuration.ingress.ipSecurityRestrictions.0.action":         "Allow",
		"configuration.registries.0.server":                             "kpaxcloud.azurecr.io",
		"configuration.registries.0.identity":                           testPullIdentity,
		"configuration.secrets.0.name":                                  secretAppKey,
		"configuration.secrets.0.keyVaultUrl":                           "https://" + kv.String("vaultName") + ".vault.azure.net/secrets/" + secretAppKey,
		"configuration.secrets.0.identity":                              id.ID,
		"template.scale.minReplicas":                                    3,
		"template.scale.maxReplicas":                                    6,
		"template.containers.0.image":                                   "kpaxcloud.azurecr.io/kpax-server:4.12.1",
		"template.containers.0.resources.cpu":                           1,
		"template.containers.0.resources.memory":                        "2Gi",
	} {
		want(t, app, path, v)
	}
	// A new environment replaces the app, whose name stays: the old one
	// goes first.
	if !app.DeleteBeforeReplace {
		t.Errorf("the app is not deleted before it is replaced (its name stays)")
	}
	if n := len(app.Get("configuration.ingress.ipSecurityRestrictions").([]any)); n != 1 {
		t.Errorf("ingress accepts %d ranges, want the gateway subnet alone", n)
	}
	probes := map[string]string{}
	for _, pr := range app.Get("template.containers.0.probes").([]any) {
		m := pr.(map[string]any)
		probes[m["type"].(string)] = m["httpGet"].(map[string]any)["path"].(string)
	}
	if fmt.Sprint(probes) != fmt.Sprint(map[string]string{"Liveness": "/healthz", "Readiness": "/healthz", "Startup": "/healthz"}) {
		t.Errorf("probes %v", probes)
	}
	// No secret value is written into the app: every secret is a Key Vault
	// reference and every env var is either plain configuration or a secretRef.
	for _, s := range app.Get("configuration.secrets").([]any) {
		if _, ok := s.(map[string]any)["value"]; ok {
			t.Errorf("container app secret with a plain value: %v", s)
		}
	}
	for _, e := range app.Get("template.containers.0.env").([]any) {
		m := e.(map[string]any)
		if v, ok := m["value"].(string); ok && (strings.Contains(v, plan.MockSecretMarker) || v == plan.Secret) {
			t.Errorf("env %v carries a secret value", m["name"])
		}
	}
	// The app starts only once its identity can read its secrets, and the
	// vault and the share resolve to their private endpoints: the first
	// revision resolves the Key Vault reference and mounts the share, and
	// both have public access disabled (simazure.RuleKeyVaultReference).
	for _, ra := range ofType(rs, tRole) {
		if ra.String("principalType") == "Group" {
			continue // the operators' session role (tenant_access.go): nothing the app needs
		}
		if !waitsFor(rs, app, ra.Name) {
			t.Errorf("the app does not wait for role assignment %s", ra.Name)
		}
	}
	// ... and once those grants are in effect: it waits on the sleep that
	// waits for them.
	if !waitsFor(rs, app, "tenant-acme-roles-in-effect") {
		t.Errorf("the app does not wait for its grants to propagate")
	}
	for _, dep := range []string{"tenant-acme-pe-vault-dns", "tenant-acme-pe-file-dns", "tenant-acme-files"} {
		if !slices.ContainsFunc(app.DependsOn, func(urn string) bool { return strings.HasSuffix(urn, "::"+dep) }) {
			t.Errorf("the app does not wait for %s", dep)
		}
	}
}

// TestTenantFilesAgree: the compute's mount, the share, its backup and the
// account's settings describe one file store. A container app mounts the
// tenant's own share through an environment storage that uses the
// account's key, which the account allows; the backup protects that share
// in that account with a vault-tier policy; a VM mounts it with the same
// key, kept in the tenant's vault.
func TestTenantFilesAgree(t *testing.T) {
	p := runTenants(t, containerTenant("acme", spec.StateActive), vmTenant("globex", spec.StateActive))
	for _, name := range []string{"acme", "globex"} {
		rs := tenantResources(t, p, name)
		account := named(t, rs, tAccount, "tenant-"+name+"-storage")
		share := one(t, rs, tShare)
		item := one(t, rs, tItem)
		// Azure Files backup and key-based mounts both need key access.
		want(t, account, "allowSharedKeyAccess", true)
		want(t, account, "publicNetworkAccess", "Disabled")
		want(t, share, "enabledProtocols", "SMB")
		want(t, share, "accountName", account.String("accountName"))
		want(t, item, "protectedItemName", share.String("shareName"))
		want(t, item, "properties.sourceResourceId", account.ID)
		if !strings.HasPrefix(item.String("properties.policyId"), testSubPrefix+"Microsoft.RecoveryServices/vaults/rsv-kpax-fr/backupPolicies/") {
			t.Errorf("%s: the share is backed up by %q, not the region's vault", name, item.String("properties.policyId"))
		}
		pe := p.Get(tPE, "tenant-"+name+"-pe-file")
		want(t, pe, "privateLinkServiceConnections.0.privateLinkServiceId", account.ID)
	}
	acme := tenantResources(t, p, "acme")
	storage := one(t, acme, tEnvStorage)
	account, share, app := named(t, acme, tAccount, "tenant-acme-storage"), one(t, acme, tShare), one(t, acme, tApp)
	for path, v := range map[string]any{
		"environmentName":                  "cae-acme",
		"resourceGroupName":                testPlatformRG,
		"storageName":                      "files-acme",
		"properties.azureFile.accountName": account.String("accountName"),
		"properties.azureFile.shareName":   share.String("shareName"),
		"properties.azureFile.accountKey":  plan.Secret,
		"properties.azureFile.accessMode":  "ReadWrite",
	} {
		want(t, storage, path, v)
	}
	for path, v := range map[string]any{
		"template.volumes.0.name":                         appFilesVolume,
		"template.volumes.0.storageType":                  "AzureFile",
		"template.volumes.0.storageName":                  storage.String("storageName"),
		"template.containers.0.volumeMounts.0.volumeName": appFilesVolume,
		"template.containers.0.volumeMounts.0.mountPath":  appFilesDir,
	} {
		want(t, app, path, v)
	}
	var dataDir string
	for _, e := range app.Get("template.containers.0.env").([]any) {
		if m := e.(map[string]any); m["name"] == "KPAX_DATA_DIR" {
			dataDir, _ = m["value"].(string)
		}
	}
	if dataDir != appFilesDir {
		t.Errorf("the server is told its files are in %q, the share is mounted on %q", dataDir, appFilesDir)
	}
	globex := tenantResources(t, p, "globex")
	key := p.Get(tSecret, "tenant-globex-storage-key-secret")
	want(t, key, "vaultName", one(t, globex, tVault).String("vaultName"))
	if len(ofType(globex, tEnvStorage)) != 0 || len(ofType(acme, tSecret)) != 1 {
		t.Error("each runtime keeps the key where its compute reads it, and nowhere else")
	}
}
