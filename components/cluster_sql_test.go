// The public DNS zone, the private zones, and the shared SQL servers.

package components

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestClusterDNSAndSQL(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	r := cr.region
	zone := cr.get(t, ctZone, cr.n("dns"))
	check(t, zone, "zoneName", r.DNSZone)
	check(t, zone, "location", "global")
	if cr.out("plain/dnsZone") != r.DNSZone {
		t.Errorf("Platform.DNSZoneName = %q", cr.out("plain/dnsZone"))
	}
	// The zone is signed, and the DS records of its keys are an output
	// for the registrar.
	dnssec := cr.get(t, ctDNSSEC, cr.n("dnssec"))
	check(t, dnssec, "zoneName", r.DNSZone)
	check(t, dnssec, "resourceGroupName", cr.out("resourceGroupName"))
	if ds, _ := cr.plan.Outputs["dnssecDsRecords"].([]any); len(ds) != 1 || !strings.Contains(fmt.Sprint(ds[0]), " 13 2 ") {
		t.Errorf("DS records output = %v, want the one record of the mock's signing key", cr.plan.Outputs["dnssecDsRecords"])
	}
	vnet := cr.get(t, ctVNet, cr.n("vnet"))
	for key, name := range map[string]string{
		"sqlServer": "privatelink.database.windows.net",
		"blob":      "privatelink.blob.core.windows.net",
		"file":      "privatelink.file.core.windows.net",
		"vault":     "privatelink.vaultcore.azure.net",
	} {
		z := cr.get(t, ctPZone, cr.n("pdns-"+key))
		check(t, z, "privateZoneName", name)
		check(t, z, "location", "global")
		link := cr.get(t, ctLink, cr.n("pdns-"+key+"-link"))
		check(t, link, "privateZoneName", name)
		check(t, link, "virtualNetwork.id", vnet.ID)
		check(t, link, "registrationEnabled", false)
		if got := cr.out("privateZone/" + key); got != z.ID {
			t.Errorf("Platform.PrivateDNSZoneIDs[%s] = %q, want %q", key, got, z.ID)
		}
	}
	if got := cr.outKeys("privateZone/"); len(got) != 4 {
		t.Errorf("private zone keys = %v", got)
	}

	// Servers 1, 2 and 3: the decommissioned tenant's server stays.
	servers := cr.plan.OfType(ctSQL)
	if len(servers) != 3 {
		t.Fatalf("%d SQL servers, want 3", len(servers))
	}
	for _, n := range []int{1, 2, 3} {
		s := cr.get(t, ctSQL, cr.n(fmt.Sprintf("sql-%d", n)))
		if !regexp.MustCompile(fmt.Sprintf(`^sql-kpax-fr-%d-[a-z0-9]{5}$`, n)).MatchString(s.String("serverName")) {
			t.Errorf("server name %q", s.String("serverName"))
		}
		if !s.Protect || !s.RetainOnDelete {
			t.Errorf("server %d: protect=%v retainOnDelete=%v", n, s.Protect, s.RetainOnDelete)
		}
		for path, v := range map[string]any{
			"version":             "12.0",
			"minimalTlsVersion":   "1.2",
			"publicNetworkAccess": "Disabled",
			"identity.type":       "SystemAssigned",
			"administrators.azureADOnlyAuthentication": true,
			"administrators.administratorType":         "ActiveDirectory",
			"administrators.login":                     r.Operators.GroupName,
			"administrators.sid":                       r.Operators.GroupObjectID,
			"administrators.principalType":             "Group",
		} {
			check(t, s, path, v)
		}
		// The server's administrators are create-only: a change would
		// replace the server. The program ignores them after creation, and
		// the admin child owns the admin.
		if !containsString(s.IgnoreChanges, "administrators") || s.Get("administratorLogin") != nil {
			t.Errorf("server %d: ignoreChanges %v, administratorLogin %v", n, s.IgnoreChanges, s.Get("administratorLogin"))
		}
		admin := cr.get(t, ctSQLAdmin, cr.n(fmt.Sprintf("sql-%d-entra-admin", n)))
		for path, v := range map[string]any{
			"serverName": s.String("serverName"), "administratorName": "ActiveDirectory", "administratorType": "ActiveDirectory",
			"login": r.Operators.GroupName, "sid": r.Operators.GroupObjectID,
		} {
			check(t, admin, path, v)
		}
		// The server's creation made the child: the program adopts it.
		if admin.Import != s.ID+"/administrators/ActiveDirectory" || !admin.RetainOnDelete {
			t.Errorf("server %d: the Entra admin imports %q (want the server's child), retainOnDelete %v", n, admin.Import, admin.RetainOnDelete)
		}
		// Entra-only in the program's state, after the admin it needs, and
		// never reset by a delete.
		only := cr.get(t, ctSQLEntraOnly, cr.n(fmt.Sprintf("sql-%d-entra-only", n)))
		check(t, only, "serverName", s.String("serverName"))
		check(t, only, "authenticationName", "Default")
		check(t, only, "azureADOnlyAuthentication", true)
		if !containsString(only.DependsOn, admin.URN) || !only.RetainOnDelete || only.Import != s.ID+"/azureADOnlyAuthentications/Default" {
			t.Errorf("server %d: Entra-only depends on %v (want the admin), retainOnDelete %v, imports %q (want the server's child)", n, only.DependsOn, only.RetainOnDelete, only.Import)
		}
		if cr.out(fmt.Sprintf("sqlServer/%d/id", n)) != s.ID || cr.out(fmt.Sprintf("sqlServer/%d/name", n)) != s.String("serverName") {
			t.Errorf("Platform.SQLServers[%d] = %q %q", n, cr.out(fmt.Sprintf("sqlServer/%d/id", n)), cr.out(fmt.Sprintf("sqlServer/%d/name", n)))
		}
		audit := cr.get(t, ctSQLAudit, cr.n(fmt.Sprintf("sql-%d-audit", n)))
		check(t, audit, "serverName", s.String("serverName"))
		check(t, audit, "state", "Enabled")
		check(t, audit, "isAzureMonitorTargetEnabled", true)
		// The stacks' existing extendedAuditingSettings resource becomes
		// this one: deleting it would turn the server's audit off.
		if !strings.Contains(strings.Join(audit.Aliases, " "), "azure-native:sql:ExtendedServerBlobAuditingPolicy") {
			t.Errorf("server %d: the audit policy has aliases %v, want the ExtendedServerBlobAuditingPolicy it replaces", n, audit.Aliases)
		}
	}
}

// Every shared SQL server is reachable through a private endpoint in the
// endpoints subnet, registered in the SQL private zone: its public access
// is off, so without one no tenant could reach its database.
func TestClusterSQLServersHavePrivateEndpoints(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	servers := cr.plan.OfType(ctSQL)
	if len(servers) == 0 {
		t.Fatal("no SQL servers")
	}
	for _, s := range servers {
		var found bool
		for _, pe := range cr.plan.OfType(ctPE) {
			if pe.String("privateLinkServiceConnections.0.privateLinkServiceId") == s.ID &&
				pe.String("privateLinkServiceConnections.0.groupIds.0") == "sqlServer" {
				found = true
				zg := cr.plan.Get(ctZoneGroup, pe.Name+"-dns")
				if zg == nil || !strings.Contains(zg.String("privateDnsZoneConfigs.0.privateDnsZoneId"), "privatelink.database.windows.net") {
					t.Errorf("%s: endpoint not registered in privatelink.database.windows.net: %+v", s.Name, zg)
				}
			}
		}
		if !found {
			t.Errorf("SQL server %s has no private endpoint", s.Name)
		}
	}
	kv := cr.get(t, ctKV, cr.n("kv"))
	if !kv.Protect || !kv.RetainOnDelete {
		t.Errorf("platform Key Vault: protect=%v retainOnDelete=%v", kv.Protect, kv.RetainOnDelete)
	}
}
