// A tenant's own Key Vault, its signing key and the secrets it keeps, with
// the vault's lock, private endpoint and diagnostics. Promise: secrets live
// only in the tenant's vault.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Secrets a tenant keeps in its own Key Vault.
const (
	// secretAppKey is the KPAX server's signing key.
	secretAppKey = "kpax-secret-key"
	// secretStorageKey is the storage account key a VM mounts the file
	// share with (tenant_storage.go says why a key).
	secretStorageKey = "storage-account-key"
)

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
	b.lock("kv", "kv-lock", vault.ID(), "Key Vault")
	pe, dns, err := b.privateEndpoint("vault", vault.ID(), "vault")
	if err != nil {
		return err
	}
	b.vaultReachable = dns
	diag, err := b.diagnostics("kv-diag", vault.ID(), []string{"allLogs"}, []string{"AllMetrics"})
	if err != nil {
		return err
	}
	role, err := b.identityRole("kv-secrets-user", "keyvault", vault.ID(), roleKeyVaultSecretsUser)
	if err != nil {
		return err
	}
	b.onScope("kv", pe, diag, role)
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
	s, err := keyvault.NewSecret(b.ctx, b.name+"-"+logical, &keyvault.SecretArgs{
		SecretName:        pulumi.String(name),
		VaultName:         b.vault.Name,
		ResourceGroupName: b.rg.Name,
		Properties: keyvault.SecretPropertiesArgs{
			Value:       pulumi.ToSecret(value).(pulumi.StringOutput),
			ContentType: pulumi.String("text/plain"),
		},
		Tags: b.tags,
	}, b.data()...)
	if err != nil {
		return nil, err
	}
	b.onScope("kv", s)
	return s, nil
}

// secretURI is the versionless URI of a vault secret: references to it
// follow rotations.
func (b *tenantBuilder) secretURI(name string) pulumi.StringOutput {
	return pulumi.Sprintf("%ssecrets/%s", b.vault.Properties.VaultUri(), name)
}
