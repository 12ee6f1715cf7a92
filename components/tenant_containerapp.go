// A container tenant's Container App in its own environment, reachable
// only from the gateway subnet, with the tenant's file share mounted through
// an environment storage. Promise: at least two replicas across zones, and
// every replica reads and writes the same backed-up files.

package components

import (
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	// app 2024-03-01, the environment's own API version: the default
	// 2022-10-01 API has no workloadProfileName and fails Key Vault secret
	// references ("ContainerAppSecretInvalid", pulumi-azure-native#2673, and
	// the note in the v2.90.0 SDK's own ContainerApp doc comment).
	appv20240301 "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"

	"github.com/kpax/kpax-cloud/spec"
)

// appFilesVolume names the file share's volume in the app, and appFilesDir
// is where the KPAX server finds its files, in a container and on a VM
// alike (KPAX_DATA_DIR).
const (
	appFilesVolume = "kpax-files"
	appFilesDir    = "/var/lib/kpax"
)

// filesStorage declares the tenant's file share in the region's
// environment, which is how a Container App mounts Azure Files: by the
// account key (tenant_storage.go). The storage is named after the tenant, and
// only this tenant's app mounts it (kpax check, rule isolation).
func (b *tenantBuilder) filesStorage() (*appv20240301.ManagedEnvironmentsStorage, error) {
	return appv20240301.NewManagedEnvironmentsStorage(b.ctx, b.name+"-files", &appv20240301.ManagedEnvironmentsStorageArgs{
		EnvironmentName:   b.env().Name,
		ResourceGroupName: b.p.ResourceGroupName,
		StorageName:       pulumi.String(environmentStorageName(b.t)),
		Properties: appv20240301.ManagedEnvironmentStoragePropertiesArgs{
			AzureFile: appv20240301.AzureFilePropertiesArgs{
				AccountName: b.account.Name,
				AccountKey:  b.storageKey,
				ShareName:   pulumi.String(tenantFileShareName),
				AccessMode:  pulumi.String("ReadWrite"),
			},
		},
	}, b.child(pulumi.DependsOn([]pulumi.Resource{b.share}))...)
}

// env is the tenant's own Container Apps environment.
func (b *tenantBuilder) env() TenantEnvironment { return b.p.Environments[b.t.Name] }

// containerApp runs the tenant in its own internal Container Apps
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
	var ingress appv20240301.IngressPtrInput = appv20240301.IngressArgs{
		External:      pulumi.Bool(true),
		AllowInsecure: pulumi.Bool(false),
		TargetPort:    pulumi.Int(appPort),
		Transport:     pulumi.String("auto"),
		IpSecurityRestrictions: appv20240301.IpSecurityRestrictionRuleArray{
			appv20240301.IpSecurityRestrictionRuleArgs{
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
	probe := func(kind string, initialDelay, period, failures int) appv20240301.ContainerAppProbeArgs {
		return appv20240301.ContainerAppProbeArgs{
			Type:                pulumi.String(kind),
			HttpGet:             appv20240301.ContainerAppProbeHttpGetArgs{Path: pulumi.String(healthPath), Port: pulumi.Int(appPort), Scheme: pulumi.String("HTTP")},
			InitialDelaySeconds: pulumi.Int(initialDelay),
			PeriodSeconds:       pulumi.Int(period),
			FailureThreshold:    pulumi.Int(failures),
			TimeoutSeconds:      pulumi.Int(5),
		}
	}
	files, err := b.filesStorage()
	if err != nil {
		return err
	}
	identityID := b.identity.ID().ToStringOutput()
	var env appv20240301.EnvironmentVarArray
	for _, v := range b.serverEnv() {
		env = append(env, appv20240301.EnvironmentVarArgs{Name: pulumi.String(v.name), Value: v.value})
	}
	// The signing key, from the vault through the secret reference below.
	env = append(env, appv20240301.EnvironmentVarArgs{Name: pulumi.String("KPAX_SECRET_KEY"), SecretRef: pulumi.String(secretAppKey)})
	// The first revision resolves the vault reference and mounts the share:
	// both have private access only, so it waits for their private
	// endpoints' DNS as well (simazure.RuleKeyVaultReference).
	deps, err := b.appDependencies()
	if err != nil {
		return err
	}
	deps = append(deps, files)
	capp, err := appv20240301.NewContainerApp(b.ctx, b.name+"-app", &appv20240301.ContainerAppArgs{
		ContainerAppName:    pulumi.String(containerAppName(b.t)),
		ResourceGroupName:   b.rg.Name,
		Location:            b.location,
		EnvironmentId:       b.env().ID,
		WorkloadProfileName: pulumi.String(b.env().WorkloadProfile),
		Identity: appv20240301.ManagedServiceIdentityArgs{
			Type:                   pulumi.String("UserAssigned"),
			UserAssignedIdentities: pulumi.StringArray{identityID, b.p.RegistryPullIdentityID},
		},
		Configuration: appv20240301.ConfigurationArgs{
			// An upgrade never takes the tenant down: a new image is a
			// revision-scope change, so it makes a new revision, and in
			// single revision mode the active revision is not deactivated,
			// and keeps all the ingress traffic, until the new one is
			// ready; a revision is ready once one of its replicas has
			// passed its startup and readiness probes (below)
			// (learn.microsoft.com/azure/container-apps/revisions, "Zero
			// downtime deployment"). A version whose server never answers
			// its health path never gets traffic. Ready means one replica,
			// not all: the switch may come before the new revision has all
			// its replicas, so capacity can be short for a moment. README,
			// "Releasing a KPAX version".
			ActiveRevisionsMode: pulumi.String("Single"),
			Ingress:             ingress,
			// The image is pulled with the platform's pull identity (the
			// spec checks it names the region's registry).
			Registries: appv20240301.RegistryCredentialsArray{
				appv20240301.RegistryCredentialsArgs{Server: pulumi.String(b.p.RegistryServer), Identity: b.p.RegistryPullIdentityID},
			},
			// Secrets are Key Vault references resolved with the tenant
			// identity: the values never pass through this program or the
			// app's configuration.
			Secrets: appv20240301.SecretArray{
				appv20240301.SecretArgs{
					Name:        pulumi.String(secretAppKey),
					KeyVaultUrl: b.secretURI(secretAppKey),
					Identity:    identityID,
				},
			},
		},
		Template: appv20240301.TemplateArgs{
			Scale: appv20240301.ScaleArgs{MinReplicas: pulumi.Int(minReplicas), MaxReplicas: pulumi.Int(maxReplicas)},
			Volumes: appv20240301.VolumeArray{
				appv20240301.VolumeArgs{
					Name:        pulumi.String(appFilesVolume),
					StorageType: pulumi.String("AzureFile"),
					StorageName: pulumi.String(environmentStorageName(b.t)),
				},
			},
			Containers: appv20240301.ContainerArray{
				appv20240301.ContainerArgs{
					Name:  pulumi.String("kpax-server"),
					Image: pulumi.String(c.Image),
					Resources: appv20240301.ContainerResourcesArgs{
						Cpu:    pulumi.Float64(c.CPU),
						Memory: pulumi.String(strconv.FormatFloat(c.MemoryGi(), 'f', -1, 64) + "Gi"),
					},
					Env: env,
					VolumeMounts: appv20240301.VolumeMountArray{
						appv20240301.VolumeMountArgs{VolumeName: pulumi.String(appFilesVolume), MountPath: pulumi.String(appFilesDir)},
					},
					// Azure's limits: delay 1-60 s, at most 10 failures. The
					// startup probe allows about two minutes before liveness
					// takes over.
					Probes: appv20240301.ContainerAppProbeArray{
						probe("Startup", 10, 10, 10),
						probe("Liveness", 1, 10, 3),
						probe("Readiness", 1, 5, 3),
					},
				},
			},
		},
		Tags: b.tags,
		// A new environment (a new slot, or the move off the former shared
		// environment) replaces the app (environmentId is fixed at
		// creation, docs/update-semantics.md); its name stays, and ARM
		// names are unique in a group, so the old app goes first. The
		// tenant's data, files, URL and backups are other resources and
		// stay.
	}, b.child(pulumi.DependsOn(deps), pulumi.DeleteBeforeReplace(true))...)
	if err != nil {
		return err
	}
	// Container Apps export platform metrics only; their console and system
	// logs go to the workspace through the environment (the cluster's).
	_, err = b.diagnostics("app-diag", capp.ID(), nil, []string{"AllMetrics"})
	return err
}
