// A container tenant's app: replicas, ingress, identities, secrets, probes.

package components

import (
	"fmt"
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
		"environmentId":                                                 testSubPrefix + "Microsoft.App/managedEnvironments/cae-kpax-fr",
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
	// The app starts only once its identity can read its secrets.
	for _, ra := range ofType(rs, tRole) {
		if !contains(app.DependsOn, ra.URN) {
			t.Errorf("the app does not wait for role assignment %s", ra.Name)
		}
	}
}
