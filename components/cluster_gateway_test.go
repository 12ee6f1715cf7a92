// The Application Gateway: TLS, WAF, and each tenant's route.

package components

import (
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

func TestClusterGateway(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	r := cr.region
	gw := cr.get(t, ctAGW, cr.n("agw"))
	check(t, gw, "applicationGatewayName", "agw-kpax-fr")
	check(t, gw, "sku.name", "WAF_v2")
	check(t, gw, "sku.tier", "WAF_v2")
	if min, _ := gw.Get("autoscaleConfiguration.minCapacity").(float64); min < 2 {
		t.Errorf("autoscale minimum %v, want >= 2", min)
	}
	if got := gw.Strings("zones"); !sameStrings(got, r.Zones) {
		t.Errorf("gateway zones = %v", got)
	}
	check(t, gw, "sslPolicy.policyType", "Predefined")
	check(t, gw, "sslPolicy.policyName", "AppGwSslPolicy20220101S")

	pip := cr.get(t, ctPIP, cr.n("pip-agw"))
	check(t, gw, "frontendIPConfigurations.0.publicIPAddress.id", pip.ID)
	if cr.out("gatewayPublicIp") == "" || cr.out("gatewayPublicIp") != cr.out("clusterGatewayPublicIp") {
		t.Errorf("Platform.GatewayPublicIPAddress = %q", cr.out("gatewayPublicIp"))
	}
	check(t, gw, "gatewayIPConfigurations.0.subnet.id", cr.get(t, ctSubnet, cr.n("snet-gateway")).ID)

	waf := cr.get(t, ctWAF, cr.n("waf"))
	check(t, gw, "firewallPolicy.id", waf.ID)
	check(t, waf, "policySettings.mode", "Prevention")
	check(t, waf, "policySettings.state", "Enabled")
	check(t, waf, "managedRules.managedRuleSets.0.ruleSetType", "Microsoft_DefaultRuleSet")
	check(t, waf, "managedRules.managedRuleSets.0.ruleSetVersion", "2.1")
	check(t, waf, "managedRules.managedRuleSets.1.ruleSetType", "Microsoft_BotManagerRuleSet")
	check(t, waf, "managedRules.managedRuleSets.1.ruleSetVersion", "1.0")

	// The identity reads the certificate, versionless, from the platform
	// vault; the gateway waits for the role.
	id := cr.get(t, ctIdentity, cr.n("agw-identity"))
	check(t, gw, "identity.type", "UserAssigned")
	check(t, gw, "identity.userAssignedIdentities.0", id.ID)
	kv := cr.get(t, ctKV, cr.n("kv"))
	role := cr.get(t, ctRole, cr.n("agw-kv-secrets-user"))
	check(t, role, "scope", kv.ID)
	check(t, role, "principalType", "ServicePrincipal")
	check(t, role, "roleDefinitionId", "/subscriptions/"+plan.MockSubscriptionID+"/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(role.String("roleAssignmentName")) {
		t.Errorf("role assignment name %q is not a stable GUID", role.String("roleAssignmentName"))
	}
	if !waitsFor(cr.plan.Resources, gw, role.Name) || !waitsFor(cr.plan.Resources, gw, cr.n("agw-kv-in-effect")) {
		t.Errorf("gateway does not wait for its Key Vault role to take effect: %v", gw.DependsOn)
	}
	cert := byName(t, gw, "sslCertificates", "wildcard")
	if want := "https://" + kv.String("vaultName") + ".vault.azure.net/secrets/" + r.TLS.CertificateName; cert["keyVaultSecretId"] != want {
		t.Errorf("keyVaultSecretId = %v, want %s", cert["keyVaultSecretId"], want)
	}

	// Sub-resource references are the gateway's own children.
	gwID := "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.Network/applicationGateways/agw-kpax-fr"
	if gw.ID != gwID {
		t.Errorf("gateway ID %q, want %q", gw.ID, gwID)
	}
	child := func(kind, name string) string { return gwID + "/" + kind + "/" + name }

	// HTTP only redirects, permanently, to HTTPS.
	http := byName(t, gw, "httpListeners", "http")
	if http["protocol"] != "Http" || idOf(http, "frontendPort") != child("frontendPorts", "port-80") ||
		!sameStrings(stringsOf(http["hostNames"]), []string{"*." + r.DNSZone}) {
		t.Errorf("http listener = %v", http)
	}
	redirect := byName(t, gw, "redirectConfigurations", "http-to-https")
	if redirect["redirectType"] != "Permanent" || redirect["includePath"] != true || redirect["includeQueryString"] != true ||
		idOf(redirect, "targetListener") != child("httpListeners", "default") {
		t.Errorf("redirect = %v", redirect)
	}
	for _, rule := range list(gw, "requestRoutingRules") {
		if idOf(rule, "httpListener") == child("httpListeners", "http") &&
			(idOf(rule, "redirectConfiguration") != child("redirectConfigurations", "http-to-https") || rule["backendAddressPool"] != nil) {
			t.Errorf("the HTTP listener's rule does more than redirect: %v", rule)
		}
	}
	if port := byName(t, gw, "frontendPorts", "port-443"); port["port"] != float64(443) {
		t.Errorf("port-443 = %v", port)
	}

	// One HTTPS listener, pool, probe, settings and rule per tenant with
	// compute; none for the decommissioned one.
	priorities := map[float64]string{}
	for _, rule := range list(gw, "requestRoutingRules") {
		p, _ := rule["priority"].(float64)
		if p < 1 || p > 20000 {
			t.Errorf("rule %v: priority %v out of 1..20000", rule["name"], p)
		}
		if other, dup := priorities[p]; dup {
			t.Errorf("rules %v and %v share priority %v", rule["name"], other, p)
		}
		priorities[p], _ = rule["name"].(string)
	}
	var tenantPriorities []float64
	for _, ten := range sortedTenants(cr.tenants) {
		key := "tenant-" + ten.Name
		if !ten.HasCompute() {
			for _, l := range list(gw, "httpListeners") {
				if l["name"] == key {
					t.Errorf("decommissioned %s still has a listener", ten.Name)
				}
			}
			if cr.out("pool/"+ten.Name) != "" {
				t.Errorf("decommissioned %s still has a pool ID", ten.Name)
			}
			continue
		}
		l := byName(t, gw, "httpListeners", key)
		if l["protocol"] != "Https" || l["hostName"] != ten.DNS.Hostname+"."+r.DNSZone ||
			idOf(l, "sslCertificate") != child("sslCertificates", "wildcard") || idOf(l, "frontendPort") != child("frontendPorts", "port-443") {
			t.Errorf("listener %s = %v", key, l)
		}
		rule := byName(t, gw, "requestRoutingRules", key)
		if idOf(rule, "httpListener") != child("httpListeners", key) ||
			idOf(rule, "backendAddressPool") != child("backendAddressPools", "pool-"+ten.Name) ||
			idOf(rule, "backendHttpSettings") != child("backendHttpSettingsCollection", key) {
			t.Errorf("rule %s = %v", key, rule)
		}
		tenantPriorities = append(tenantPriorities, rule["priority"].(float64))
		pool := byName(t, gw, "backendAddressPools", "pool-"+ten.Name)
		settings := byName(t, gw, "backendHttpSettingsCollection", key)
		probe := byName(t, gw, "probes", key)
		if probe["path"] != "/healthz" || idOf(settings, "probe") != child("probes", key) {
			t.Errorf("probe %s = %v (settings %v)", key, probe, settings)
		}
		switch ten.Runtime {
		case spec.RuntimeContainer:
			addrs, _ := pool["backendAddresses"].([]any)
			if len(addrs) != 1 {
				t.Fatalf("pool %s = %v", ten.Name, pool)
			}
			fqdn := addrs[0].(map[string]any)["fqdn"]
			// The app in the tenant's own environment.
			domain := cr.out("environment/" + ten.Name + "/defaultDomain")
			if domain == "" || fqdn != containerAppName(ten)+"."+domain {
				t.Errorf("pool %s fqdn = %v, want %s.%s", ten.Name, fqdn, containerAppName(ten), domain)
			}
			if settings["protocol"] != "Https" || settings["port"] != float64(443) || settings["pickHostNameFromBackendAddress"] != true || probe["protocol"] != "Https" {
				t.Errorf("container backend %s: settings %v probe %v", ten.Name, settings, probe)
			}
			if cr.out("pool/"+ten.Name) != "" {
				t.Errorf("container tenant %s has a VM pool ID", ten.Name)
			}
		case spec.RuntimeVM:
			if pool["backendAddresses"] != nil {
				t.Errorf("VM pool %s has addresses: %v", ten.Name, pool)
			}
			if settings["protocol"] != "Http" || settings["port"] != float64(appPort) || probe["protocol"] != "Http" {
				t.Errorf("VM backend %s: settings %v probe %v", ten.Name, settings, probe)
			}
			if got := cr.out("pool/" + ten.Name); got != child("backendAddressPools", "pool-"+ten.Name) {
				t.Errorf("Platform.GatewayBackendPoolIDs[%s] = %q", ten.Name, got)
			}
		}
	}
	seen := map[float64]bool{}
	for _, p := range tenantPriorities {
		if seen[p] || p < gatewayFirstTenantPriority || p >= gatewayRedirectPriority {
			t.Errorf("tenant priorities %v: not unique within [%d, %d)", tenantPriorities, gatewayFirstTenantPriority, gatewayRedirectPriority)
		}
		seen[p] = true
	}
	if got, want := cr.outKeys("pool/"), []string{"frglobex"}; !sameStrings(got, want) {
		t.Errorf("gateway pool IDs for %v, want %v", got, want)
	}
}

// TestClusterGatewayRoutesAreStable: a tenant's priority depends on its
// name only, not on the input order or on the other tenants, so that adding
// or retiring a tenant leaves every other tenant's rule unchanged.
func TestClusterGatewayRoutesAreStable(t *testing.T) {
	tenants := clusterTestTenants("fr")
	priorities := func(ts []*spec.Tenant) map[string]int {
		t.Helper()
		routes, err := gatewayRoutes(ts)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, r := range routes {
			out[r.tenant.Name] = r.priority
		}
		return out
	}
	a := priorities(tenants)
	if len(a) != 3 {
		t.Fatalf("routes: %v, want 3", a)
	}
	reversed := append([]*spec.Tenant(nil), tenants...)
	sort.Slice(reversed, func(i, j int) bool { return reversed[i].Name > reversed[j].Name })
	// 97 more tenants, the most a stamp holds, and then one fewer.
	more := append([]*spec.Tenant(nil), tenants...)
	for i := 0; i < 95; i++ {
		n := *tenants[0]
		n.Name = fmt.Sprintf("added-%02d", i)
		more = append(more, &n)
	}
	for name, ts := range map[string][]*spec.Tenant{"reversed": reversed, "98 tenants": more, "one retired": tenants[1:]} {
		b := priorities(ts)
		for tenant, p := range a {
			if q, ok := b[tenant]; ok && q != p {
				t.Errorf("%s: %s moves from priority %d to %d", name, tenant, p, q)
			}
		}
	}
}

// TestClusterGatewayWaitsForAppsDNS: the gateway resolves each container
// backend through its environment's private zone when it is configured; a
// backend that does not resolve then stays unhealthy, so each zone, its VNet
// link and the wildcard record come first.
func TestClusterGatewayWaitsForAppsDNS(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	gw := cr.get(t, ctAGW, cr.n("agw"))
	for _, tn := range []string{"fracme", "frinitech"} {
		for _, dep := range []*plan.Resource{
			cr.get(t, ctPZone, cr.n("cae-dns-"+tn)), cr.get(t, ctLink, cr.n("cae-dns-"+tn+"-link")), cr.get(t, ctPRecord, cr.n("cae-dns-wildcard-"+tn)),
		} {
			if !containsString(gw.DependsOn, dep.URN) {
				t.Errorf("the gateway does not wait for %s", dep.Name)
			}
		}
	}
}
