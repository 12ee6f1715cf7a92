// A container tenant's Container App in the region's environment, reachable
// only from the gateway subnet. Promise: at least two replicas across zones.

package components

import (
	"strconv"

	"github.com/pulumi/pulumi-azure-native-sdk/app/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

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
