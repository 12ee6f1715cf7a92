// The registry pull identity and its AcrPull grant.

package components

import (
	"strings"
	"testing"
)

// The stamp's apps pull with one platform identity, granted AcrPull on the
// region's registry (in its own subscription) and nothing else.
func TestClusterRegistryPull(t *testing.T) {
	r := clusterTestRegion("fr")
	cr := runCluster(t, r, clusterTestTenants("fr"))
	id := cr.get(t, ctIdentity, cr.n("acrpull-identity"))
	check(t, id, "resourceName", "id-kpax-fr-acrpull")
	check(t, id, "resourceGroupName", "rg-kpax-fr-platform")
	grant := cr.get(t, ctRole, cr.n("acrpull"))
	check(t, grant, "scope", testRegistryID)
	check(t, grant, "roleDefinitionId", "/subscriptions/0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90/providers/Microsoft.Authorization/roleDefinitions/"+roleAcrPull)
	check(t, grant, "principalType", "ServicePrincipal")
	if !containsString(grant.DependsOn, id.URN) {
		t.Errorf("the grant's principal is not the pull identity: dependsOn = %v", grant.DependsOn)
	}
	var onRegistry []string
	for _, ra := range cr.plan.OfType(ctRole) {
		if ra.String("scope") == testRegistryID {
			onRegistry = append(onRegistry, ra.Name)
		}
	}
	if !sameStrings(onRegistry, []string{grant.Name}) {
		t.Errorf("grants on the registry = %v, want the pull identity's alone", onRegistry)
	}
	if got := cr.out("plain/registryServer"); got != "kpaxcloud.azurecr.io" {
		t.Errorf("Platform.RegistryServer = %q", got)
	}
	if got := cr.out("registryPullIdentityId"); got != id.ID {
		t.Errorf("Platform.RegistryPullIdentityID = %q, want %q", got, id.ID)
	}
}

// TestClusterBastionOperators: the operators' group may open Bastion
// sessions (Reader on the host), and nobody else is granted anything there.
func TestClusterBastionOperators(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	host := cr.get(t, ctBastion, cr.n("bastion"))
	ra := cr.get(t, ctRole, cr.n("bastion-operators-reader"))
	check(t, ra, "scope", host.ID)
	check(t, ra, "principalId", cr.region.Operators.GroupObjectID)
	check(t, ra, "principalType", "Group")
	if !strings.HasSuffix(ra.String("roleDefinitionId"), "/"+roleReader) {
		t.Errorf("operators get %s on the Bastion", ra.String("roleDefinitionId"))
	}
}
