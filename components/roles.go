// Built-in Azure roles the components assign, and the stable GUIDs that name
// role assignments.

package components

import (
	"crypto/sha1"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// grantReplacement are the options of every role assignment. ARM refuses to
// update an assignment's principal or role (RoleAssignmentUpdateNotPermitted,
// plan/semantics.go), and its name is a stable GUID that may not change with
// them: the program replaces it, deleting the old one first since the name
// stays. An assignment holds no data.
func grantReplacement() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{
		pulumi.ReplaceOnChanges([]string{"principalId", "roleDefinitionId"}),
		pulumi.DeleteBeforeReplace(true),
	}
}

// Built-in Azure role definitions the components assign
// (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const (
	roleStorageBlobDataContributor     = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	roleKeyVaultSecretsUser            = "4633458b-17de-408a-b874-0445c86b69e6"
	roleVirtualMachineAdministratorLog = "1c0163c0-47e6-4577-8991-ea5c82e286e4"
	roleAcrPull                        = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
	roleReader                         = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	roleContainerAppsOperator          = "f3bd1b5c-91fa-40e7-afe7-0c11d331232c"
)

// stableGUID is a name-based UUID (the layout of RFC 4122 version 5: SHA-1
// of the names, version and variant bits set) for resources whose Azure name
// must be a GUID, such as role assignments. The same parts always give the
// same GUID, so the name never changes between runs; parts name the scope,
// role and principal by key, never by list position or by a value only known
// after deployment.
func stableGUID(parts ...string) string {
	h := sha1.Sum([]byte("kpax-cloud\x00" + strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
