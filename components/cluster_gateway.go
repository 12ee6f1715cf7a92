// The region's one front door: the zone-redundant Application Gateway WAF_v2,
// its WAF policy and identity, and one listener, pool, probe and rule per
// tenant. Promise: a tenant is reachable from the internet only here, over TLS.

package components

import (
	"fmt"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"hash/fnv"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

// gatewayRoute is one tenant's route through the gateway.
type gatewayRoute struct {
	tenant   *spec.Tenant
	priority int
}

// gatewayRoutes are the tenants that get a listener: those with compute, in
// name order, each with a unique rule priority. A tenant's priority comes from
// its name (a hash into the tenants' range), not from its place among the
// others: adding, resizing or retiring one tenant leaves every other tenant's
// rule as it was, so a one-tenant change shows that tenant's entries only.
// Two names on one slot take the next free one, in name order (with 98
// tenants over 18,900 slots, that is rare). Priorities only order rules whose
// listeners overlap, and each tenant's listener has its own host name.
func gatewayRoutes(tenants []*spec.Tenant) ([]gatewayRoute, error) {
	var out []gatewayRoute
	taken := map[int]bool{}
	slots := gatewayRedirectPriority - gatewayFirstTenantPriority
	for _, t := range sortedTenants(tenants) {
		if !t.HasCompute() {
			continue
		}
		if len(taken) == slots {
			return nil, fmt.Errorf("too many tenants for the gateway's rule priorities (%d)", len(out)+1)
		}
		h := fnv.New32a()
		h.Write([]byte(t.Name))
		slot := int(h.Sum32() % uint32(slots))
		for taken[slot] {
			slot = (slot + 1) % slots
		}
		taken[slot] = true
		out = append(out, gatewayRoute{tenant: t, priority: gatewayFirstTenantPriority + slot})
	}
	return out, nil
}

// applicationGateway is the region's single front door: WAF_v2 over all
// zones, TLS with the wildcard certificate from the platform Key Vault, an
// HTTP listener that only redirects, and one HTTPS listener per tenant.
func (b *clusterBuilder) applicationGateway() error {
	r := b.region
	routes, err := gatewayRoutes(b.tenants)
	if err != nil {
		return err
	}
	ip, err := b.publicIP("agw")
	if err != nil {
		return err
	}
	b.c.GatewayPublicIPAddress = ip.IpAddress.Elem()
	b.c.Platform.GatewayPublicIPAddress = ip.IpAddress.Elem()

	// The gateway reads the certificate as a secret (a certificate's
	// private key is only served through the secrets endpoint).
	identity, readCert, err := b.identityWithRole(platformIdentity{
		logical: "agw-identity", name: gatewayIdentityName(b.key), part: "gateway",
		grant: "agw-kv-secrets-user", grantName: stableGUID("cluster", b.key, "platform-key-vault", roleKeyVaultSecretsUser, "gateway-identity"),
		scope:            b.keyVault.ID().ToStringOutput(),
		roleDefinitionID: pulumi.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", b.subscription, roleKeyVaultSecretsUser),
	})
	if err != nil {
		return err
	}
	b.onScope("kv", readCert)
	// The gateway reads the certificate when it is created: it waits for
	// its identity's grant to take effect, and for the secret.
	certReadable, err := waitForGrants(b.ctx, b.name+"-agw-kv-in-effect", map[string]*authorization.RoleAssignment{"agw-kv-secrets-user": readCert}, b.child()...)
	if err != nil {
		return err
	}
	// Each container tenant's backend resolves through its environment's
	// private zone: the gateway waits for them.
	gatewayDeps := []pulumi.Resource{certReadable}
	for _, t := range sortedTenants(b.tenants) {
		if env, ok := b.c.Platform.Environments[t.Name]; ok {
			gatewayDeps = append(gatewayDeps, env.Ready...)
		}
	}
	certificate, err := b.certificateSecret()
	if err != nil {
		return err
	}
	if certificate != nil {
		gatewayDeps = append(gatewayDeps, certificate)
	}

	waf, err := network.NewWebApplicationFirewallPolicy(b.ctx, b.name+"-waf", &network.WebApplicationFirewallPolicyArgs{
		PolicyName:        pulumi.String(wafPolicyName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		PolicySettings: &network.PolicySettingsArgs{
			State:            pulumi.String("Enabled"),
			Mode:             pulumi.String("Prevention"),
			RequestBodyCheck: pulumi.Bool(true),
		},
		ManagedRules: &network.ManagedRulesDefinitionArgs{
			ManagedRuleSets: network.ManagedRuleSetArray{
				network.ManagedRuleSetArgs{
					RuleSetType:    pulumi.String(gatewayWAFRuleSetType),
					RuleSetVersion: pulumi.String(gatewayWAFRuleSetVersion),
				},
				network.ManagedRuleSetArgs{
					RuleSetType:    pulumi.String(gatewayBotRuleSetType),
					RuleSetVersion: pulumi.String(gatewayBotRuleSetVersion),
				},
			},
		},
		Tags: b.tags("gateway"),
	}, b.child()...)
	if err != nil {
		return err
	}

	gwName := applicationGatewayName(b.key)
	// A gateway's parts refer to each other by ARM ID, which exists before
	// the gateway does: build them from the subscription, group and name.
	// The gateway's own ID is resolved once; each of the several references
	// per tenant only appends to it.
	gwID := pulumi.All(b.subscription, b.rg.Name).ApplyT(func(v []any) string {
		return gatewayARMID(v[0].(string), v[1].(string), gwName)
	}).(pulumi.StringOutput)
	sub := func(kind, name string) network.SubResourceArgs {
		return network.SubResourceArgs{Id: gwID.ApplyT(func(id string) string {
			return id + "/" + kind + "/" + name
		}).(pulumi.StringOutput)}
	}
	subPtr := func(kind, name string) *network.SubResourceArgs {
		s := sub(kind, name)
		return &s
	}
	const (
		frontendIP   = "public"
		port80       = "port-80"
		port443      = "port-443"
		httpListener = "http"
		defaultName  = "default"
		redirectName = "http-to-https"
	)
	wildcard := "*." + r.DNSZone

	pools := network.ApplicationGatewayBackendAddressPoolArray{
		// The catch-all's pool is empty on purpose: an unknown hostname of
		// the zone gets a 502 from the gateway, never a tenant's site.
		network.ApplicationGatewayBackendAddressPoolArgs{Name: pulumi.String(defaultName)},
	}
	settings := network.ApplicationGatewayBackendHttpSettingsArray{
		network.ApplicationGatewayBackendHttpSettingsArgs{
			Name:                pulumi.String(defaultName),
			Port:                pulumi.Int(80),
			Protocol:            pulumi.String("Http"),
			CookieBasedAffinity: pulumi.String("Disabled"),
			RequestTimeout:      pulumi.Int(30),
		},
	}
	var probes network.ApplicationGatewayProbeArray
	listeners := network.ApplicationGatewayHttpListenerArray{
		network.ApplicationGatewayHttpListenerArgs{
			Name:                    pulumi.String(httpListener),
			FrontendIPConfiguration: subPtr("frontendIPConfigurations", frontendIP),
			FrontendPort:            subPtr("frontendPorts", port80),
			Protocol:                pulumi.String("Http"),
			HostNames:               pulumi.StringArray{pulumi.String(wildcard)},
		},
		network.ApplicationGatewayHttpListenerArgs{
			Name:                        pulumi.String(defaultName),
			FrontendIPConfiguration:     subPtr("frontendIPConfigurations", frontendIP),
			FrontendPort:                subPtr("frontendPorts", port443),
			Protocol:                    pulumi.String("Https"),
			HostNames:                   pulumi.StringArray{pulumi.String(wildcard)},
			SslCertificate:              subPtr("sslCertificates", gatewayCertificateName),
			RequireServerNameIndication: pulumi.Bool(true),
		},
	}
	rules := network.ApplicationGatewayRequestRoutingRuleArray{
		network.ApplicationGatewayRequestRoutingRuleArgs{
			Name:                  pulumi.String(redirectName),
			RuleType:              pulumi.String("Basic"),
			Priority:              pulumi.Int(gatewayRedirectPriority),
			HttpListener:          subPtr("httpListeners", httpListener),
			RedirectConfiguration: subPtr("redirectConfigurations", redirectName),
		},
		network.ApplicationGatewayRequestRoutingRuleArgs{
			Name:                pulumi.String(defaultName),
			RuleType:            pulumi.String("Basic"),
			Priority:            pulumi.Int(gatewayDefaultPriority),
			HttpListener:        subPtr("httpListeners", defaultName),
			BackendAddressPool:  subPtr("backendAddressPools", defaultName),
			BackendHttpSettings: subPtr("backendHttpSettingsCollection", defaultName),
		},
	}
	for _, route := range routes {
		t := route.tenant
		key := "tenant-" + t.Name
		pool := network.ApplicationGatewayBackendAddressPoolArgs{Name: pulumi.String(gatewayBackendPoolName(t.Name))}
		probe := network.ApplicationGatewayProbeArgs{
			Name:               pulumi.String(key),
			Path:               pulumi.String(healthPath),
			Interval:           pulumi.Int(30),
			Timeout:            pulumi.Int(30),
			UnhealthyThreshold: pulumi.Int(3),
			Match:              &network.ApplicationGatewayProbeHealthResponseMatchArgs{StatusCodes: pulumi.StringArray{pulumi.String("200-399")}},
		}
		setting := network.ApplicationGatewayBackendHttpSettingsArgs{
			Name:                pulumi.String(key),
			CookieBasedAffinity: pulumi.String("Disabled"),
			RequestTimeout:      pulumi.Int(60),
			Probe:               subPtr("probes", key),
		}
		switch t.Runtime {
		case spec.RuntimeContainer:
			// The app's internal FQDN in the environment, over HTTPS with
			// the environment's certificate; the Host header must be the
			// app's own name for the environment's ingress to route it.
			env, ok := b.c.Platform.Environments[t.Name]
			if !ok {
				return fmt.Errorf("tenant %q: no environment", t.Name)
			}
			pool.BackendAddresses = network.ApplicationGatewayBackendAddressArray{
				network.ApplicationGatewayBackendAddressArgs{
					Fqdn: pulumi.Sprintf("%s.%s", containerAppName(t), env.DefaultDomain),
				},
			}
			setting.Port = pulumi.Int(443)
			setting.Protocol = pulumi.String("Https")
			setting.PickHostNameFromBackendAddress = pulumi.Bool(true)
			probe.Protocol = pulumi.String("Https")
			probe.PickHostNameFromBackendHttpSettings = pulumi.Bool(true)
		case spec.RuntimeVM:
			// The pool has no addresses: the tenant's VM NICs join it. The
			// KPAX server listens on appPort on the VMs.
			setting.Port = pulumi.Int(appPort)
			setting.Protocol = pulumi.String("Http")
			probe.Protocol = pulumi.String("Http")
			probe.Host = pulumi.String(tenantFQDN(t, r.DNSZone))
		default:
			return fmt.Errorf("tenant %q: unknown runtime %q", t.Name, t.Runtime)
		}
		pools = append(pools, pool)
		probes = append(probes, probe)
		settings = append(settings, setting)
		listeners = append(listeners, network.ApplicationGatewayHttpListenerArgs{
			Name:                        pulumi.String(key),
			FrontendIPConfiguration:     subPtr("frontendIPConfigurations", frontendIP),
			FrontendPort:                subPtr("frontendPorts", port443),
			Protocol:                    pulumi.String("Https"),
			HostName:                    pulumi.String(tenantFQDN(t, r.DNSZone)),
			SslCertificate:              subPtr("sslCertificates", gatewayCertificateName),
			RequireServerNameIndication: pulumi.Bool(true),
		})
		rules = append(rules, network.ApplicationGatewayRequestRoutingRuleArgs{
			Name:                pulumi.String(key),
			RuleType:            pulumi.String("Basic"),
			Priority:            pulumi.Int(route.priority),
			HttpListener:        subPtr("httpListeners", key),
			BackendAddressPool:  subPtr("backendAddressPools", gatewayBackendPoolName(t.Name)),
			BackendHttpSettings: subPtr("backendHttpSettingsCollection", key),
		})
	}

	gw, err := network.NewApplicationGateway(b.ctx, b.name+"-agw", &network.ApplicationGatewayArgs{
		ApplicationGatewayName: pulumi.String(gwName),
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Zones:                  b.zones,
		Sku: &network.ApplicationGatewaySkuArgs{
			Name: pulumi.String("WAF_v2"),
			Tier: pulumi.String("WAF_v2"),
		},
		AutoscaleConfiguration: &network.ApplicationGatewayAutoscaleConfigurationArgs{
			MinCapacity: pulumi.Int(gatewayMinCapacity),
			MaxCapacity: pulumi.Int(gatewayMaxCapacity),
		},
		Identity: &network.ManagedServiceIdentityArgs{
			Type:                   network.ResourceIdentityTypeUserAssigned,
			UserAssignedIdentities: pulumi.StringArray{identity.ID().ToStringOutput()},
		},
		FirewallPolicy: &network.SubResourceArgs{Id: waf.ID().ToStringOutput()},
		EnableHttp2:    pulumi.Bool(true),
		SslPolicy: &network.ApplicationGatewaySslPolicyArgs{
			PolicyType: pulumi.String("Predefined"),
			// TLS 1.2 minimum with strong ciphers only.
			PolicyName: pulumi.String("AppGwSslPolicy20220101S"),
		},
		SslCertificates: network.ApplicationGatewaySslCertificateArray{
			network.ApplicationGatewaySslCertificateArgs{
				Name: pulumi.String(gatewayCertificateName),
				// Versionless: the gateway picks up a renewed certificate
				// by itself (it polls the vault every 4 hours).
				KeyVaultSecretId: pulumi.Sprintf("https://%s.vault.azure.net/secrets/%s", b.keyVault.Name, r.TLS.CertificateName),
			},
		},
		GatewayIPConfigurations: network.ApplicationGatewayIPConfigurationArray{
			network.ApplicationGatewayIPConfigurationArgs{
				Name:   pulumi.String("gateway"),
				Subnet: &network.SubResourceArgs{Id: b.subnetIDs[subnetGateway]},
			},
		},
		FrontendIPConfigurations: network.ApplicationGatewayFrontendIPConfigurationArray{
			network.ApplicationGatewayFrontendIPConfigurationArgs{
				Name:            pulumi.String(frontendIP),
				PublicIPAddress: &network.SubResourceArgs{Id: ip.ID().ToStringOutput()},
			},
		},
		FrontendPorts: network.ApplicationGatewayFrontendPortArray{
			network.ApplicationGatewayFrontendPortArgs{Name: pulumi.String(port80), Port: pulumi.Int(80)},
			network.ApplicationGatewayFrontendPortArgs{Name: pulumi.String(port443), Port: pulumi.Int(443)},
		},
		RedirectConfigurations: network.ApplicationGatewayRedirectConfigurationArray{
			// Redirecting to the HTTPS catch-all listener keeps the
			// request's host, path and query: every tenant's http:// URL
			// lands on its https:// one.
			network.ApplicationGatewayRedirectConfigurationArgs{
				Name:               pulumi.String(redirectName),
				RedirectType:       pulumi.String("Permanent"),
				TargetListener:     subPtr("httpListeners", defaultName),
				IncludePath:        pulumi.Bool(true),
				IncludeQueryString: pulumi.Bool(true),
			},
		},
		BackendAddressPools:           pools,
		BackendHttpSettingsCollection: settings,
		Probes:                        probes,
		HttpListeners:                 listeners,
		RequestRoutingRules:           rules,
		Tags:                          b.tags("gateway"),
		// The gateway resolves its container backends (<app>.<environment
		// domain>) when it is configured, through the private zone linked
		// to the VNet; a name that does not resolve then has no last-known
		// address and stays unhealthy until the gateway is touched again
		// (learn.microsoft.com/azure/application-gateway/
		// how-application-gateway-works, "Backend server DNS resolution").
	}, b.child(pulumi.DependsOn(gatewayDeps))...)
	if err != nil {
		return err
	}
	b.c.GatewayID = gw.ID().ToStringOutput()
	b.c.Platform.GatewayID = b.c.GatewayID
	b.c.Platform.GatewayBackendPoolIDs = map[string]pulumi.StringOutput{}
	for _, route := range routes {
		if route.tenant.Runtime != spec.RuntimeVM {
			continue
		}
		pool := gatewayBackendPoolName(route.tenant.Name)
		// From the gateway's own ID, so that a NIC joining the pool waits
		// for the gateway that holds it.
		b.c.Platform.GatewayBackendPoolIDs[route.tenant.Name] = gw.ID().ToStringOutput().ApplyT(func(id string) string {
			return id + "/backendAddressPools/" + pool
		}).(pulumi.StringOutput)
	}
	return b.diagnostics("agw", gw.ID().ToStringOutput(), allLogs, nil, allMetrics, false)
}

// certificateSecret writes the region's wildcard certificate into the
// platform Key Vault as the secret the gateway reads, through ARM
// (Microsoft.KeyVault/vaults/secrets): the control plane is not held by the
// vault's firewall ("Control plane operations are not subject to the
// restrictions specified in firewall rules. This includes deployment of
// secrets or keys through ARM templates":
// learn.microsoft.com/azure/key-vault/general/network-security;
// MicrosoftDocs/azure-docs#68668), so the vault stays private, and the
// stamp's guardrail against public vaults (405c5871) holds throughout.
//
// The gateway takes a secret holding a base-64 encoded unencrypted PFX
// (the network spec's keyVaultSecretId) of content type
// application/x-pkcs12. A new value is a new version of the secret; the
// gateway's versionless reference moves to it within four hours
// (learn.microsoft.com/azure/application-gateway/key-vault-certs) and the
// old version stays enabled meanwhile: a rotation is one config change and
// one `pulumi up`, with no outage.
//
// Retained on delete: a stack that stops carrying the certificate must not
// take away what the gateway serves.
func (b *clusterBuilder) certificateSecret() (pulumi.Resource, error) {
	if b.tlsCertificate == nil {
		b.ctx.Log.Warn(fmt.Sprintf("stack %s has no tlsCertificate config: the gateway reads secret %q from the platform Key Vault, which this stack does not write; a first up fails at the gateway until it exists (docs/tls-certificate.md)",
			b.ctx.Stack(), b.region.TLS.CertificateName), nil)
		return nil, nil
	}
	return keyvault.NewSecret(b.ctx, b.name+"-tls-certificate", &keyvault.SecretArgs{
		SecretName:        pulumi.String(b.region.TLS.CertificateName),
		VaultName:         b.keyVault.Name,
		ResourceGroupName: b.rg.Name,
		Properties: &keyvault.SecretPropertiesArgs{
			Value:       pulumi.ToSecret(b.tlsCertificate.ToStringOutput()).(pulumi.StringOutput),
			ContentType: pulumi.String("application/x-pkcs12"),
		},
		Tags: b.tags("tls"),
	}, b.child(pulumi.RetainOnDelete(true))...)
}
