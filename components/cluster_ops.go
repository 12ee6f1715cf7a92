// The operators' path into the VNet. What operators must do inside the
// network (a new tenant's database grant, the restore drill's check, a
// restore's SQL by hand) runs as a Container Apps job in an environment of
// its own, in the ops subnet, under the ops identity, a member of the
// region's operators group; its output goes to the region's Log Analytics
// workspace, so that each intervention leaves a trace.
//
// Why a job and not an ops VM behind Bastion: nothing runs (or can be
// reached) between interventions, there is no OS to patch or to log into,
// and a job's execution is started, watched and read through ARM by a
// workflow (az containerapp job start / execution show). Cost: a
// Consumption-only workload profiles environment has no plan management fee
// and jobs are billed per execution, inside a monthly free grant of 180,000
// vCPU-seconds (learn.microsoft.com/azure/container-apps/billing); an
// environment in a custom VNet also has its load balancer and public IP
// (the same page). The VM path would pay for the VM and its disk around the
// clock, with patching and sign-in to run, besides the Bastion it needs.

package components

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	appv20240301 "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"

	"github.com/kpax/kpax-cloud/spec"
)

// Names of the operators' path: its environment, the resource group Azure
// creates for that environment's infrastructure, and its identity.
func opsEnvironmentName(key string) string        { return "cae-kpax-" + key + "-ops" }
func opsInfraResourceGroupName(key string) string { return "rg-kpax-" + key + "-ops-infra" }
func opsIdentityName(key string) string           { return "id-kpax-" + key + "-ops" }

// OpsGrantJobName is the job that grants each tenant's identity its rights
// in the tenant's own database; the deploy workflow starts it after `up`.
func OpsGrantJobName(key string) string { return "job-kpax-" + key + "-grants" }

// OpsSQLJobName is the job that runs one query against one database, which
// its start adds to its environment (SERVER, DATABASE, QUERY, REQUESTED_BY):
// the restore drill's check, an operator's diagnosis.
func OpsSQLJobName(key string) string { return "job-kpax-" + key + "-sql" }

// grantRole is the role a tenant's identity holds in its own database: the
// KPAX server owns its schema (docs/restore.md, "Database access").
const grantRole = "db_owner"

// opsPath builds the operators' environment, identity and jobs.
func (b *clusterBuilder) opsPath() error {
	identity, err := newUserAssignedIdentity(b.ctx, b.name+"-ops-identity", &userAssignedIdentityArgs{
		ResourceName:      pulumi.String(opsIdentityName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Tags:              b.tags("ops"),
	}, b.child()...)
	if err != nil {
		return err
	}
	// Its own environment: nothing of a tenant's runs beside the jobs.
	env, err := b.internalEnvironment("ops-cae", opsEnvironmentName(b.key), opsInfraResourceGroupName(b.key), subnetOps, "ops", consumptionProfiles(), nil)
	if err != nil {
		return err
	}
	grants, err := b.grantEnv()
	if err != nil {
		return err
	}
	for _, job := range []struct {
		logical, name, script string
		env                   appv20240301.EnvironmentVarArray
	}{
		{"ops-job-grants", OpsGrantJobName(b.key), grantScript, grants},
		{"ops-job-sql", OpsSQLJobName(b.key), sqlJobScript, nil},
	} {
		if err := b.opsJob(env, identity, job.logical, job.name, job.script, job.env); err != nil {
			return err
		}
	}
	b.c.Platform.OpsIdentityPrincipalID = identity.PrincipalId
	return nil
}

// dbGrant is one tenant's database grant.
type dbGrant struct {
	Tenant, Server, Database, User string
}

// opsJob is one manual job of the operators' environment: the ops image
// running script under the ops identity, with OPS_CLIENT_ID and vars in its
// environment. A start may replace its template (Jobs_Start takes a
// JobExecutionTemplate): whoever may start it may run anything as the ops
// identity, which is why the README treats that right as SQL admin.
func (b *clusterBuilder) opsJob(env *appv20240301.ManagedEnvironment, identity *userAssignedIdentity, logical, name, script string, vars appv20240301.EnvironmentVarArray) error {
	_, err := appv20240301.NewJob(b.ctx, b.name+"-"+logical, &appv20240301.JobArgs{
		JobName:             pulumi.String(name),
		ResourceGroupName:   b.rg.Name,
		Location:            b.location,
		EnvironmentId:       env.ID(),
		WorkloadProfileName: pulumi.String(consumptionProfile),
		Identity: &appv20240301.ManagedServiceIdentityArgs{
			Type: pulumi.String("UserAssigned"),
			UserAssignedIdentities: pulumi.StringArray{
				identity.ID().ToStringOutput(), b.c.Platform.RegistryPullIdentityID,
			},
		},
		Configuration: &appv20240301.JobConfigurationArgs{
			TriggerType:       pulumi.String("Manual"),
			ReplicaTimeout:    pulumi.Int(opsJobTimeoutSeconds),
			ReplicaRetryLimit: pulumi.Int(0),
			ManualTriggerConfig: &appv20240301.JobConfigurationManualTriggerConfigArgs{
				Parallelism: pulumi.Int(1), ReplicaCompletionCount: pulumi.Int(1),
			},
			Registries: appv20240301.RegistryCredentialsArray{
				appv20240301.RegistryCredentialsArgs{Server: pulumi.String(b.region.Registry.Server), Identity: b.c.Platform.RegistryPullIdentityID},
			},
		},
		Template: &appv20240301.JobTemplateArgs{
			Containers: appv20240301.ContainerArray{
				appv20240301.ContainerArgs{
					Name:    pulumi.String("ops"),
					Image:   pulumi.String(b.region.Registry.OpsImage),
					Command: pulumi.StringArray{pulumi.String("/bin/sh"), pulumi.String("-c"), pulumi.String(script)},
					Env: append(appv20240301.EnvironmentVarArray{
						// go-sqlcmd signs in as this user-assigned
						// identity: its client ID is the user name
						// (github.com/microsoft/go-sqlcmd README).
						appv20240301.EnvironmentVarArgs{Name: pulumi.String("OPS_CLIENT_ID"), Value: identity.ClientId},
					}, vars...),
					Resources: &appv20240301.ContainerResourcesArgs{Cpu: pulumi.Float64(0.5), Memory: pulumi.String("1Gi")},
				},
			},
		},
		Tags: b.tags("ops"),
	}, b.child(pulumi.DependsOn([]pulumi.Resource{b.c.Platform.RegistryPull}))...)
	return err
}

// opsJobTimeoutSeconds bounds one execution; the deploy workflow waits as
// long.
const opsJobTimeoutSeconds = 1800

// GrantEnvPrefix starts the name of each tenant's grant in the grant job's
// environment: KPAX_GRANT_ACME, KPAX_GRANT_BISTRO_LYON.
const GrantEnvPrefix = "KPAX_GRANT_"

// grantEnv is one environment variable per tenant that is not
// decommissioned, named after the tenant, whose value is the shell-quoted
// arguments of its grant: TENANT SERVER DATABASE USER SQL. One entry per
// tenant keeps a tenant's change to its own entry (a plan diff names no
// other tenant), and the script runs them in name order.
func (b *clusterBuilder) grantEnv() (appv20240301.EnvironmentVarArray, error) {
	var tenants []*spec.Tenant
	for _, t := range b.tenants {
		if t.State != spec.StateDecommissioned {
			tenants = append(tenants, t)
		}
	}
	sort.Slice(tenants, func(i, j int) bool { return tenants[i].Name < tenants[j].Name })
	out := make(appv20240301.EnvironmentVarArray, 0, len(tenants))
	for _, t := range tenants {
		n := t.Database.Server
		if n == 0 {
			n = 1
		}
		server, ok := b.c.Platform.SQLServers[n]
		if !ok {
			return nil, fmt.Errorf("tenant %s: no SQL server %d", t.Name, n)
		}
		t := t
		value := server.Name.ApplyT(func(s string) string {
			return grantArgs(dbGrant{Tenant: t.Name, Server: s, Database: tenantDatabaseName(t), User: tenantIdentityName(t)})
		}).(pulumi.StringOutput)
		out = append(out, appv20240301.EnvironmentVarArgs{Name: pulumi.String(grantEnvName(t.Name)), Value: value})
	}
	return out, nil
}

// grantEnvName is a tenant's entry: tenant names are DNS labels, so the
// upper-cased name with '-' as '_' is unique.
func grantEnvName(tenant string) string {
	return GrantEnvPrefix + strings.ToUpper(strings.ReplaceAll(tenant, "-", "_"))
}

// grantArgs are the shell-quoted arguments of one tenant's grant.
func grantArgs(g dbGrant) string {
	return strings.Join([]string{shellQuote(g.Tenant), shellQuote(g.Server), shellQuote(g.Database), shellQuote(g.User), shellQuote(GrantSQL(g.User))}, " ")
}

// GrantSQL is the T-SQL that makes a tenant identity a user of the
// database it runs in, with its role. The user is contained: it has no
// login on the server and exists in this database only. FROM EXTERNAL
// PROVIDER resolves the identity by its name in Entra ID, which needs the
// server's identity to hold Directory Readers when the caller is itself a
// managed identity (learn.microsoft.com/azure/azure-sql/database/authentication-aad-service-principal).
func GrantSQL(user string) string {
	u, n := "["+strings.ReplaceAll(user, "]", "]]")+"]", "N'"+strings.ReplaceAll(user, "'", "''")+"'"
	return fmt.Sprintf("IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = %s) CREATE USER %s FROM EXTERNAL PROVIDER; "+
		"IF IS_ROLEMEMBER(N'%s', %s) = 0 ALTER ROLE [%s] ADD MEMBER %s;", n, u, grantRole, n, grantRole, u)
}

// grantScript is the grant job's command: each KPAX_GRANT_* entry, in name
// order, runs its T-SQL on its tenant's database as the ops identity and
// logs one line with the result; the job fails when any grant failed, so
// that the deploy workflow says so. Every statement is guarded, so the job
// can run any number of times with one result: CREATE USER for an existing
// user fails with Msg 15023 ("User, group, or role ... already exists in
// the current database").
const grantScript = `set -u
failed=0
grant() {
  if sqlcmd --server "tcp:$2.database.windows.net,1433" --database-name "$3" \
       --authentication-method ActiveDirectoryManagedIdentity --user-name "$OPS_CLIENT_ID" \
       --exit-on-error --query "$5"; then
    echo "kpax-grant tenant=$1 database=$3 user=$4 role=` + grantRole + ` result=ok"
  else
    echo "kpax-grant tenant=$1 database=$3 user=$4 result=failed"
    failed=1
  fi
}
for name in $(env | sed -n 's/^\(` + GrantEnvPrefix + `[A-Z0-9_]*\)=.*/\1/p' | sort); do
  eval "grant $(printenv "$name")"
done
exit $failed
`

// sqlJobScript runs the one query its start names and logs who asked for
// what: started without them, it fails and does nothing.
const sqlJobScript = `set -u
: "${SERVER:?start this job with SERVER, DATABASE, QUERY and REQUESTED_BY in its environment: docs/restore.md}"
: "${DATABASE:?}" "${QUERY:?}" "${REQUESTED_BY:?}"
echo "kpax-sql requested-by=$REQUESTED_BY server=$SERVER database=$DATABASE query=$QUERY"
exec sqlcmd --server "tcp:$SERVER.database.windows.net,1433" --database-name "$DATABASE" \
  --authentication-method ActiveDirectoryManagedIdentity --user-name "$OPS_CLIENT_ID" \
  --exit-on-error --headers -1 --query "$QUERY"
`
