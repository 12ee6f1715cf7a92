// The platform Key Vault, which holds the region's wildcard TLS certificate
// for the gateway, with its lock, diagnostics and private endpoint.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// platformKeyVault holds the region's wildcard certificate (read by the
// gateway). The Go SDK would send enableRbacAuthorization=false and public
// access enabled if they were left out, so every security property is set.
func (b *clusterBuilder) platformKeyVault() error {
	name := b.suffix.Result.ApplyT(func(s string) string { return clusterKeyVaultName(b.key, s) }).(pulumi.StringOutput)
	kv, err := keyvault.NewVault(b.ctx, b.name+"-kv", &keyvault.VaultArgs{
		VaultName:         name,
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Properties: &keyvault.VaultPropertiesArgs{
			TenantId:                     b.tenantID,
			Sku:                          &keyvault.SkuArgs{Family: pulumi.String("A"), Name: keyvault.SkuNameStandard},
			EnableRbacAuthorization:      pulumi.Bool(true),
			EnableSoftDelete:             pulumi.Bool(true),
			SoftDeleteRetentionInDays:    pulumi.Int(clusterKeyVaultSoftDeleteDays),
			EnablePurgeProtection:        pulumi.Bool(true),
			PublicNetworkAccess:          pulumi.String("Disabled"),
			EnabledForDeployment:         pulumi.Bool(false),
			EnabledForDiskEncryption:     pulumi.Bool(false),
			EnabledForTemplateDeployment: pulumi.Bool(false),
			NetworkAcls: &keyvault.NetworkRuleSetArgs{
				DefaultAction: pulumi.String("Deny"),
				// Trusted Azure services keep access; the gateway itself
				// reads through the private endpoint (same VNet, private zone
				// linked).
				Bypass: pulumi.String("AzureServices"),
			},
		},
		Tags: b.tags("key-vault"),
		// It holds the region's TLS certificate: deleting it by accident
		// takes every tenant's URL down.
	}, b.child(pulumi.Protect(true), pulumi.RetainOnDelete(true))...)
	if err != nil {
		return err
	}
	b.keyVault = kv
	b.c.KeyVaultName = kv.Name
	b.c.Platform.KeyVaultID = kv.ID().ToStringOutput()
	b.c.Platform.KeyVaultName = kv.Name
	b.lock("kv", kv.ID().ToStringOutput(), "platform Key Vault (wildcard certificate)")
	diag, err := b.diagnosticSetting("kv", kv.ID().ToStringOutput(), allLogs, nil, allMetrics, false)
	if err != nil {
		return err
	}
	pe, err := b.privateEndpoint("vault", "vault", kv.ID().ToStringOutput(), "vault")
	b.onScope("kv", diag, pe)
	return err
}
