// The region's shared Azure SQL logical servers (Entra-only, private), with
// their private endpoints and server audit. Promise: each tenant's database
// is reachable only from the VNet and only with its own Entra users.

package components

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-azure-native-sdk/sql/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

// sqlServerNumbers are the shared servers the region's tenants use (server 1
// always exists), sorted.
func sqlServerNumbers(tenants []*spec.Tenant) []int {
	seen := map[int]bool{1: true}
	for _, t := range tenants {
		if t.Database.Server > 0 {
			seen[t.Database.Server] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// sqlServers are the region's shared Azure SQL logical servers.
//
// Tenants' databases share servers because a subscription holds about 20
// logical servers per region by default, far fewer than the tenants a region
// holds. A server is only a namespace and a connection endpoint: each tenant
// still has its own database and its own contained Entra users (Entra-only
// authentication: no SQL logins exist, and a contained user exists in one
// database only), so no tenant can reach another's data. The network path is
// the server's private endpoint in the region's VNet.
func (b *clusterBuilder) sqlServers() error {
	b.c.Platform.SQLServers = map[int]SQLServer{}
	for _, n := range sqlServerNumbers(b.tenants) {
		n := n
		part := fmt.Sprintf("sql-%d", n)
		name := b.suffix.Result.ApplyT(func(s string) string { return sqlServerName(b.key, n, s) }).(pulumi.StringOutput)
		server, err := sql.NewServer(b.ctx, b.name+"-"+part, &sql.ServerArgs{
			ServerName:        name,
			ResourceGroupName: b.rg.Name,
			Location:          b.location,
			Version:           pulumi.String("12.0"),
			MinimalTlsVersion: pulumi.String("1.2"),
			// Reached only through its private endpoint in the VNet.
			PublicNetworkAccess:           pulumi.String("Disabled"),
			RestrictOutboundNetworkAccess: pulumi.String("Disabled"),
			Identity:                      &sql.ResourceIdentityArgs{Type: pulumi.String("SystemAssigned")},
			// Entra-only from the start: the only way to create a server
			// without a SQL login (a password would then be refused in every
			// later update: the SDK's Server docs, pulumi-azure-native#2937).
			// The property is create-only: the provider would replace the
			// server on a change (plan/semantics.go), so it is ignored after
			// creation, and the admin child below owns the admin.
			Administrators: &sql.ServerExternalAdministratorArgs{
				AdministratorType:         pulumi.String("ActiveDirectory"),
				AzureADOnlyAuthentication: pulumi.Bool(true),
				Login:                     pulumi.String(b.region.Operators.GroupName),
				Sid:                       pulumi.String(b.region.Operators.GroupObjectID),
				PrincipalType:             pulumi.String("Group"),
				TenantId:                  b.tenantID,
			},
			Tags: b.tags("sql"),
		}, b.child(pulumi.Protect(true), pulumi.RetainOnDelete(true), pulumi.IgnoreChanges([]string{"administrators"}))...)
		if err != nil {
			return err
		}
		admin, err := b.sqlEntraAdmin(part, server)
		if err != nil {
			return err
		}
		if err := b.sqlEntraOnly(part, server, admin); err != nil {
			return err
		}
		b.c.Platform.SQLServers[n] = SQLServer{ID: server.ID().ToStringOutput(), Name: server.Name}
		// A SQL private endpoint attaches to the server, not to a database:
		// one per server serves all of its databases.
		if _, err := b.privateEndpoint(part, "sqlServer", server.ID().ToStringOutput(), "sqlServer"); err != nil {
			return err
		}
		// Server audit to the workspace: Azure writes it through a
		// diagnostic setting on the server's master database, category
		// SQLSecurityAuditEvents
		// (learn.microsoft.com/azure/azure-sql/database/auditing-setup,
		// "Audit to Log Analytics destination").
		if err := b.diagnostics(part+"-master", pulumi.Sprintf("%s/databases/master", server.ID()), nil, []string{"SQLSecurityAuditEvents"}, nil, false); err != nil {
			return err
		}
		if err := b.sqlServerAudit(part, server); err != nil {
			return err
		}
	}
	return nil
}

// sqlServerAudit is the server's auditing policy: the auditingSettings
// child (Microsoft.Sql/servers/auditingSettings), which is what PSRule's
// Azure.SQL.Auditing looks for (src/PSRule.Rules.Azure/rules/Azure.SQL.Rule.ps1:
// a child of that type with state Enabled), sending to Azure Monitor, i.e.
// the master database's diagnostic setting.
//
// The servers were audited through the extendedAuditingSettings child
// before: both are the one audit configuration of the server. Removing the
// old resource would make azure-native "delete" it by writing its default
// state, state Disabled, which turns the server's audit off
// (pulumi-azure-native#1202 and #1322: deletion resets the policy). The
// alias makes the engine take the old resource for this one instead: no
// delete, no change in Azure (the inputs are the same), and the stack's
// state keeps its old ID, which reads the same configuration.
func (b *clusterBuilder) sqlServerAudit(part string, server *sql.Server) error {
	_, err := sql.NewServerBlobAuditingPolicy(b.ctx, b.name+"-"+part+"-audit", &sql.ServerBlobAuditingPolicyArgs{
		BlobAuditingPolicyName:      pulumi.String("default"),
		ServerName:                  server.Name,
		ResourceGroupName:           b.rg.Name,
		State:                       sql.BlobAuditingPolicyStateEnabled,
		IsAzureMonitorTargetEnabled: pulumi.Bool(true),
	}, b.child(pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("azure-native:sql:ExtendedServerBlobAuditingPolicy")}}))...)
	return err
}

// sqlEntraAdmin makes the server's Entra admin the operators' group, and
// keeps it so: ARM updates the administrators child in place, so a new group
// in the region file takes over every database of the server. Creating the
// server with its admin made that child already, and azure-native refuses to
// create an existing resource, so the program adopts it (import) on the up
// that creates the server; a preview, which does not know the server's ID
// yet, shows a create. The child is never deleted: the servers' admin may
// not go while Entra-only authentication is on
// (InvalidServerAzureADAdminDeleteOperation, ServerAzureADAdministrators.json).
func (b *clusterBuilder) sqlEntraAdmin(part string, server *sql.Server) (*sql.ServerAzureADAdministrator, error) {
	adminID := server.ID().ApplyT(func(id pulumi.ID) pulumi.ID { return id + "/administrators/ActiveDirectory" }).(pulumi.IDOutput)
	return sql.NewServerAzureADAdministrator(b.ctx, b.name+"-"+part+"-entra-admin", &sql.ServerAzureADAdministratorArgs{
		AdministratorName: pulumi.String("ActiveDirectory"),
		AdministratorType: pulumi.String("ActiveDirectory"),
		Login:             pulumi.String(b.region.Operators.GroupName),
		Sid:               pulumi.String(b.region.Operators.GroupObjectID),
		TenantId:          b.tenantID,
		ResourceGroupName: b.rg.Name,
		ServerName:        server.Name,
	}, b.child(pulumi.Import(adminID), pulumi.RetainOnDelete(true))...)
}

// sqlEntraOnly keeps the server on Microsoft Entra ID sign-ins in the
// program's state. The server's own administrators.azureADOnlyAuthentication
// is read by ARM at creation only and ignored here after it
// (plan/semantics.go), so without this child a switch back to SQL passwords
// would go unseen: azureADOnlyAuthentications/Default is where Azure keeps
// the setting (learn.microsoft.com/rest/api/sql/server-azure-ad-only-authentications/create-or-update).
// The server's creation made the child (Entra-only above), and azure-native
// creates it only from its default state (false): the program adopts it,
// as it does the admin. It needs the Entra admin first
// (pulumi-azure-native#1042; simazure entra-admin-first). Retained on
// delete: azure-native deletes it with an ARM DELETE, which turns Entra-only
// off. Keep "Default" and the import suffix as they are: a path parameter
// or import ID in another case is a replacement.
func (b *clusterBuilder) sqlEntraOnly(part string, server *sql.Server, admin *sql.ServerAzureADAdministrator) error {
	onlyID := server.ID().ApplyT(func(id pulumi.ID) pulumi.ID { return id + "/azureADOnlyAuthentications/Default" }).(pulumi.IDOutput)
	_, err := sql.NewServerAzureADOnlyAuthentication(b.ctx, b.name+"-"+part+"-entra-only", &sql.ServerAzureADOnlyAuthenticationArgs{
		AuthenticationName:        pulumi.String("Default"),
		AzureADOnlyAuthentication: pulumi.Bool(true),
		ResourceGroupName:         b.rg.Name,
		ServerName:                server.Name,
	}, b.child(pulumi.Import(onlyID), pulumi.DependsOn([]pulumi.Resource{admin}), pulumi.RetainOnDelete(true))...)
	return err
}
