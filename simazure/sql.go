// Azure SQL's Entra administrator, as ARM keeps it: one administrators child
// per server ("ActiveDirectory"), made by the server's creation when its
// administrators property is given, and changed afterwards only through
// that child (plan/semantics.go: ARM ignores administrators in a server
// update).

package simazure

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// RuleEntraAdminFirst: Entra-only authentication needs the server's Entra
// admin to exist first.
var RuleEntraAdminFirst = Rule{"entra-admin-first", "InvalidServerAADOnlyAuthNoAADAdminPropertyName",
	"https://github.com/pulumi/pulumi-azure-native/issues/1042 (\"AAD Admin is not configured, AAD Admin must be set before enabling/disabling AAD Authentication Only\")"}

// entraAdminID is the ID of a server's Entra administrator child.
func entraAdminID(serverID string) string { return serverID + "/administrators/ActiveDirectory" }

// serverCreatedAdmin is the administrators child that creating a server with
// an Entra admin makes, and its Entra-only child when the admin asks for
// it: they exist outside the program, so that creating the child resources
// afterwards meets RuleAlreadyExists, as it does in Azure.
func (c *Cloud) serverCreatedAdmin(server *Record) error {
	admin, ok := lookup(server.Plain(), "administrators").(map[string]any)
	if !ok {
		return nil
	}
	// Its inputs are what azure-native reads back on an import: the
	// properties and the path parameters.
	in := map[string]any{"administratorName": "ActiveDirectory", "administratorType": "ActiveDirectory",
		"serverName": server.String("serverName"), "resourceGroupName": server.String("resourceGroupName")}
	for _, k := range []string{"login", "sid", "tenantId"} {
		if v, ok := admin[k]; ok {
			in[k] = v
		}
	}
	raw, err := encodeProps(resource.NewPropertyMapFromMap(in))
	if err != nil {
		return err
	}
	if err := c.put(&Record{ID: entraAdminID(server.ID), Type: typeSQLAdmin, Inputs: raw, Outputs: raw, Created: server.Created}); err != nil {
		return err
	}
	// Entra-only authentication given at creation is the server's
	// azureADOnlyAuthentications/Default child, set to true: it exists
	// before any program creates it, and azure-native refuses to create a
	// child whose state is not its default (false) (pulumi-azure-native,
	// provider/pkg/openapi/defaults/defaultResourcesState.go lists the child
	// with default state azureADOnlyAuthentication false; client_azcore.go
	// CanCreate): the
	// program imports it.
	if only, _ := admin["azureADOnlyAuthentication"].(bool); !only {
		return nil
	}
	raw, err = encodeProps(resource.NewPropertyMapFromMap(map[string]any{
		"authenticationName": "Default", "azureADOnlyAuthentication": true,
		"serverName": server.String("serverName"), "resourceGroupName": server.String("resourceGroupName"),
	}))
	if err != nil {
		return err
	}
	return c.put(&Record{ID: entraOnlyID(server.ID), Type: typeSQLEntraOnly, Inputs: raw, Outputs: raw, Created: server.Created})
}

// entraOnlyID is the ID of a server's Entra-only authentication child.
func entraOnlyID(serverID string) string { return serverID + "/azureADOnlyAuthentications/Default" }

// checkEntraOnly refuses Entra-only authentication on a server without an
// Entra admin.
func (c *Cloud) checkEntraOnly(rec *Record) error {
	server := strings.TrimSuffix(rec.ID, "/azureADOnlyAuthentications/"+rec.String("authenticationName"))
	admin, err := c.get(entraAdminID(server))
	if err != nil {
		return err
	}
	if admin == nil {
		return refuse(RuleEntraAdminFirst, "%s: server %s has no Entra administrator", rec.ID, server)
	}
	return nil
}

// EntraAdmin is the object ID of a SQL server's Entra administrator, as
// Azure holds it; "" when it has none.
func (c *Cloud) EntraAdmin(serverID string) (string, error) {
	r, err := c.Get(entraAdminID(serverID))
	if err != nil || r == nil {
		return "", err
	}
	return r.String("sid"), nil
}
