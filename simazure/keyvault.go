// A Key Vault's two planes. ARM (management.azure.com) writes a vault's
// secrets as Microsoft.KeyVault/vaults/secrets resources, and the vault's
// firewall does not apply to it: "Control plane operations are not subject
// to the restrictions specified in firewall rules. This includes deployment
// of secrets or keys through ARM templates"
// (learn.microsoft.com/azure/key-vault/general/network-security;
// MicrosoftDocs/azure-docs#68668). The data plane (<vault>.vault.azure.net:
// `az keyvault certificate import`, `az keyvault secret set`) is held by
// it: a vault with public network access disabled answers only over its
// private endpoints.

package simazure

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Rules of the two planes.
var (
	// RuleVaultFirewall: a data-plane request to a vault whose public
	// network access is disabled, from outside its private endpoints'
	// VNet, is refused.
	RuleVaultFirewall = Rule{"vault-firewall", "ForbiddenByConnection",
		"https://learn.microsoft.com/azure/key-vault/general/network-security (public access disabled: private endpoints only); code and message: https://github.com/Azure/azure-cli/issues/31406"}
	// RuleGatewaySecret: Application Gateway fetches its certificate's
	// secret when it is created or updated, and fails when the secret
	// does not exist.
	RuleGatewaySecret = Rule{"gateway-certificate-secret", "ApplicationGatewayKeyVaultSecretException",
		"https://learn.microsoft.com/troubleshoot/azure/application-gateway/troubleshoot-application-gateway-key-vault-certificate (\"Unable to retrieve certificate\"; the gateway reads the secret with its identity, learn.microsoft.com/azure/application-gateway/key-vault-certs)"}
)

// typeSecret is a vault's secret as ARM knows it.
const typeSecret = "azure-native:keyvault:Secret"

// DataPlaneSetSecret is a data-plane write of a secret (a certificate
// import writes its secret too) into the vault named vaultName, from a
// caller in subnet fromSubnet (a subnet's resource ID), or from outside
// every VNet when fromSubnet is "": an operator's laptop, a GitHub-hosted
// runner. The secret it makes is what ARM then lists under the vault.
func (c *Cloud) DataPlaneSetSecret(vaultName, secretName, fromSubnet string) error {
	id := ""
	err := c.locked(func() error {
		all, err := c.all()
		if err != nil {
			return err
		}
		vault := byName(all, typeKeyVault, "vaultName", vaultName, "")
		if vault == nil {
			return fmt.Errorf("VaultNotFound: no vault %s", vaultName)
		}
		if err := dataPlaneReachable(all, vault, fromSubnet); err != nil {
			return err
		}
		id = vault.ID + "/secrets/" + secretName
		cur, err := c.get(id)
		if err != nil {
			return err
		}
		if cur == nil {
			cur = &Record{ID: id, Type: typeSecret, Created: c.now()}
		}
		inputs := map[string]any{
			"vaultName": vaultName, "secretName": secretName, "resourceGroupName": vault.String("resourceGroupName"),
			"properties": map[string]any{"contentType": "application/x-pkcs12"},
		}
		raw, err := encodeProps(resource.NewPropertyMapFromMap(inputs))
		if err != nil {
			return err
		}
		cur.Inputs, cur.Outputs, cur.plain = raw, raw, nil
		return c.put(cur)
	})
	return c.record("dataplane-set", typeSecret, id, "", err)
}

// dataPlaneReachable refuses a data-plane request to a private vault from
// outside the VNet of one of its private endpoints.
func dataPlaneReachable(all []*Record, vault *Record, fromSubnet string) error {
	if !strings.EqualFold(vault.String("properties.publicNetworkAccess"), "Disabled") {
		return nil
	}
	for _, pe := range byType(all, typePrivateEndpoint) {
		if !privatelyResolved(all, vault.ID) {
			break
		}
		for _, t := range stringsAt(pe.Plain(), "privateLinkServiceConnections.*.privateLinkServiceId") {
			if strings.EqualFold(t, vault.ID) && fromSubnet != "" && sameVNet(pe.String("subnet.id"), fromSubnet) {
				return nil
			}
		}
	}
	from := "outside the VNet"
	if fromSubnet != "" {
		from = "subnet " + fromSubnet
	}
	return refuse(RuleVaultFirewall, "ForbiddenByConnection: vault %s: Public network access is disabled and request is not from a trusted service nor via an approved private link (the request came from %s)", vault.String("vaultName"), from)
}

// sameVNet reports whether two subnet IDs lie in the same virtual network.
func sameVNet(a, b string) bool {
	vnet := func(id string) string {
		i := strings.Index(strings.ToLower(id), "/subnets/")
		if i < 0 {
			return ""
		}
		return strings.ToLower(id[:i])
	}
	return vnet(a) != "" && vnet(a) == vnet(b)
}

// secretOf is the secret a versionless secret URL
// (https://<vault>.vault.azure.net/secrets/<name>) names, if the vault holds
// it, written through either plane.
func secretOf(all []*Record, vault *Record, url string) *Record {
	_, rest, ok := strings.Cut(url, "/secrets/")
	if !ok {
		return nil
	}
	name, _, _ := strings.Cut(rest, "/")
	for _, r := range byType(all, typeSecret) {
		if strings.EqualFold(r.ID, vault.ID+"/secrets/"+name) {
			return r
		}
	}
	return nil
}
