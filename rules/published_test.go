package rules

import (
	"os"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

// breaking are resources that break each published rule, in a plan of
// their own: the rule must say so.
var breaking = []struct {
	rule   string
	typ    string
	inputs map[string]any
}{
	{"Azure.KeyVault.SoftDelete", typeKeyVault, map[string]any{"properties": map[string]any{"enableSoftDelete": false}}},
	{"Azure.KeyVault.PurgeProtect", typeKeyVault, map[string]any{"properties": map[string]any{}}},
	{"12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", typeKeyVault, map[string]any{"properties": map[string]any{"enableRbacAuthorization": false}}},
	{"55615ac9-af46-4a59-874e-391cc3dfb490", typeKeyVault, map[string]any{"properties": map[string]any{"publicNetworkAccess": "Enabled"}}},
	{"a6abeaec-4d90-4a02-805f-6b26c4d3fbe9", typeKeyVault, map[string]any{}},
	{"cf820ca0-f99e-4f3e-84fb-66e913812d21", typeKeyVault, map[string]any{}},
	{"404c3081-a854-4457-ae30-26a93ef643f9", typeStorageAccount, map[string]any{"enableHttpsTrafficOnly": false}},
	{"4fa4b6c0-31ca-4c0d-b10d-24b96f62a751", typeStorageAccount, map[string]any{}},
	{"8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54", typeStorageAccount, map[string]any{"allowSharedKeyAccess": true}},
	{"Azure.Storage.MinTLS", typeStorageAccount, map[string]any{"minimumTlsVersion": "TLS1_3"}},
	{"2a1a9cdf-e04d-429a-8416-3bfb72a1b26f", typeStorageAccount, map[string]any{"networkRuleSet": map[string]any{"defaultAction": "Deny", "ipRules": list(map[string]any{"value": "1.2.3.4"})}}},
	{"6edd7eda-6dd8-40f7-810d-67160c639cd9", typeStorageAccount, map[string]any{}},
	{"85b005b2-95fc-4953-b9cb-f9ee6427c754", typeStorageAccount, map[string]any{"sku": map[string]any{"name": "Standard_LRS"}}},
	{"Azure.Storage.SoftDelete", typeStorageAccount, map[string]any{"accountName": "st"}},
	{"32e6bbec-16b6-44c2-be37-c5b672d103cf", typeSQLServer, map[string]any{"minimalTlsVersion": "1.1"}},
	{"1b8ca024-1d5c-4dec-8995-b1a932b41780", typeSQLServer, map[string]any{"publicNetworkAccess": "Enabled"}},
	{"7698e800-9299-47a6-b3b6-5a0fee576eed", typeSQLServer, map[string]any{}},
	{"1f314764-cb73-4fc9-b863-8eca98ac36e9", typeSQLServer, map[string]any{"serverName": "sql"}},
	{"abda6d70-9778-44e7-84a8-06713e6db027", typeSQLServer, map[string]any{"administrators": map[string]any{"azureADOnlyAuthentication": false}}},
	{"a6fb4358-5bf4-4ad7-ba82-2cd2f41ce5e9", typeSQLServer, map[string]any{"serverName": "sql"}},
	{"abfb4388-5bf4-4ad7-ba82-2cd2f41ceae9", typeSQLServer, map[string]any{}},
	{"Azure.SQL.VAScan", typeSQLServer, map[string]any{}},
	{"17k78e20-9358-41c9-923c-fb736d382a12", typeSQLDatabase, map[string]any{"databaseName": "db"}},
	{"6221cac0-bb8d-40f4-9535-5d03f713f054", typeSQLDatabase, map[string]any{"zoneRedundant": false}},
	{"Azure.SQL.MaintenanceWindow", typeSQLDatabase, map[string]any{}},
	{"564feb30-bf6a-4854-b4bb-0d2d2d1e6c66", typeAppGateway, map[string]any{"sku": map[string]any{"tier": "WAF_v2"}}},
	{"Azure.AppGw.SSLPolicy", typeAppGateway, map[string]any{}},
	{"Azure.AppGw.UseHTTPS", typeAppGateway, map[string]any{"httpListeners": list(map[string]any{"name": "http", "protocol": "Http"}),
		"requestRoutingRules": list(map[string]any{"name": "r", "httpListener": map[string]any{"id": "/x/httpListeners/http"}})}},
	{"Azure.AppGw.MinInstance", typeAppGateway, map[string]any{"autoscaleConfiguration": map[string]any{"minCapacity": 1.0}}},
	{"493c215c-0553-4976-bc81-57d2c04fc8c1", typeAppGateway, map[string]any{"zones": list("1")}},
	{"Azure.AppGwWAF.Enabled", typeWAFPolicy, map[string]any{"policySettings": map[string]any{"state": "Enabled", "mode": "Detection"}}},
	{"Azure.AppGwWAF.RuleGroups", typeWAFPolicy, map[string]any{"managedRules": map[string]any{"managedRuleSets": list(map[string]any{"ruleSetType": "OWASP", "ruleSetVersion": "3.2"})}}},
	{"Azure.NSG.AnyInboundSource", typeNSG, map[string]any{"securityRules": list(map[string]any{"name": "open", "direction": "Inbound", "access": "Allow", "sourceAddressPrefix": "*"})}},
	{"Azure.NSG.LateralTraversal", typeNSG, map[string]any{"securityRules": list()}},
	{"Azure.VNET.UseNSGs", typeSubnet, map[string]any{"subnetName": "snet-apps"}},
	{"Azure.VNET.PrivateSubnet", typeSubnet, map[string]any{"subnetName": "snet-vms"}},
	{"682e4ab9-59fe-4871-9839-265b54c568c4", typePublicIP, map[string]any{"sku": map[string]any{"name": "Basic"}, "zones": list("1", "2", "3")}},
	{"18314dc7-a25d-420c-a069-f094b25ff919", typeNATGateway, map[string]any{"zones": list("1", "2")}},
	{"Azure.DNS.DNSSEC", typeDNSZone, map[string]any{}},
	{"Azure.VM.SecureBoot", typeVM, map[string]any{"securityProfile": map[string]any{"securityType": "Standard"}}},
	{"Azure.VM.PublicKey", typeVM, map[string]any{"osProfile": map[string]any{"linuxConfiguration": map[string]any{"disablePasswordAuthentication": false}}}},
	{"fc4d8e41-e223-45ea-9bf5-eada37891d87", typeVM, map[string]any{}},
	{"42f4f3a2-7d20-4c13-a05d-01857a626c22", typeVM, map[string]any{"zones": list("1", "2", "3")}},
	{"bd876905-5b84-4f73-ab2d-2e7a7c4568d9", typeVM, map[string]any{}},
	{"Azure.VM.MaintenanceConfig", typeVM, map[string]any{"vmName": "vm"}},
	{"Azure.VM.AMA", typeVM, map[string]any{"vmName": "vm"}},
	{"672fe5a1-2fcd-42d7-b85d-902b6e28c6ff", typeVM, map[string]any{"vmName": "vm"}},
	{"Azure.VM.ScriptExtensions", typeVMExtension, map[string]any{"type": "CustomScript", "settings": map[string]any{"commandToExecute": plan.Secret}}},
	{"Azure.VM.AcceleratedNetworking", typeNIC, map[string]any{}},
	{"Azure.VM.PublicIPAttached", typeNIC, map[string]any{"ipConfigurations": list(map[string]any{"publicIPAddress": map[string]any{"id": "/pip"}})}},
	{"013e242c-8828-4970-87b3-ab247555486d", typeVM, map[string]any{"vmName": "vm"}},
	{"Azure.VMSS.AvailabilityZone", typeVMSS, map[string]any{"zones": list("1")}},
	{"d3903bdf-ab85-4cce-85d3-2934d77629d4", typeVMSS, map[string]any{"zones": list("1", "2", "3")}},
	{"Azure.VMSS.AutoInstanceRepairs", typeVMSS, map[string]any{}},
	{"Azure.ContainerApp.PublicAccess", typeEnvironment, map[string]any{"vnetConfiguration": map[string]any{"internal": false, "infrastructureSubnetId": "/s"}}},
	{"42daa904-5969-47ef-92fb-b75df946195a", typeEnvironment, map[string]any{}},
	{"Azure.ContainerApp.Insecure", typeContainerApp, map[string]any{"identity": map[string]any{"type": "UserAssigned"}, "configuration": map[string]any{"ingress": map[string]any{"allowInsecure": true}}}},
	{"Azure.ContainerApp.MinReplicas", typeContainerApp, map[string]any{"template": map[string]any{"scale": map[string]any{"minReplicas": 1.0}}}},
	{"Azure.ContainerApp.HealthProbe", typeContainerApp, map[string]any{"template": map[string]any{"containers": list(map[string]any{"name": "c"})}}},
	{"Azure.RSV.Immutable", typeRecoveryVault, map[string]any{}},
	{"ae243d87-5cf3-4dce-90bd-6d62be328de3", typeRecoveryVault, map[string]any{"properties": map[string]any{"redundancySettings": map[string]any{"standardTierStorageRedundancy": "LocallyRedundant"}}}},
	{"31b8092a-36b8-434b-9af7-5ec844364148", typeRecoveryVault, map[string]any{"properties": map[string]any{"securitySettings": map[string]any{"softDeleteSettings": map[string]any{"softDeleteState": "Enabled"}}}}},
	{"e15effd4-2278-4c65-a0da-4d6f6d1890e2", typeWorkspace, map[string]any{"features": map[string]any{"disableLocalAuth": false}}},
	{"Azure.Log.Replication", typeWorkspace, map[string]any{}},
	{"Azure.RBAC.UseRGDelegation", typeRoleAssignment, map[string]any{"scope": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v"}},
}

func publishedRule(t *testing.T, id string) PublishedRule {
	t.Helper()
	for _, r := range PublishedRules {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no published rule %s", id)
	return PublishedRule{}
}

// TestPublishedRulesSeeWhatBreaksThem: each rule reports the resource that
// breaks it.
func TestPublishedRulesSeeWhatBreaksThem(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range breaking {
		seen[b.rule] = true
		t.Run(b.rule, func(t *testing.T) {
			rule := publishedRule(t, b.rule)
			p := &plan.Plan{Stack: "prod-fr", Resources: []*plan.Resource{{Type: b.typ, Name: "x", URN: "urn:x", Custom: true, ID: "/subscriptions/s/x", Inputs: b.inputs}}}
			c, err := newChecker(p, project(t), "fr")
			if err != nil {
				t.Fatal(err)
			}
			if msg := rule.broken(c, p.Resources[0]); msg == "" {
				t.Errorf("%s does not see %v", b.rule, b.inputs)
			}
		})
	}
	for _, r := range PublishedRules {
		if !seen[r.ID] {
			t.Errorf("published rule %s has no breaking case", r.ID)
		}
	}
}

// TestGoodPlanAndExceptions: the fixture's tenant storage accounts use
// shared keys, which the exception covers; the same account outside a
// tenant is reported, so an exception excuses what it names and nothing
// else.
func TestExceptionsExcuseWhatTheyName(t *testing.T) {
	p := goodPlan()
	for _, r := range p.Resources {
		if r.Type == typeStorageAccount {
			r.Inputs["allowSharedKeyAccess"] = true
		}
	}
	vs, applied := CheckPublished(p, project(t), "fr")
	for _, v := range vs {
		if strings.Contains(v.Message, "8c6a50c6") {
			t.Errorf("a tenant's account is reported despite its exception: %s", v)
		}
	}
	found := false
	for _, a := range applied {
		found = found || (a.Rule == "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54" && a.Count > 0)
	}
	if !found {
		t.Errorf("the shared key exception was not counted: %v", applied)
	}
	// The same account, taken out of its tenant, is a platform account.
	for _, r := range p.Resources {
		if r.Type == typeStorageAccount {
			r.Parent = ""
		}
	}
	vs, _ = CheckPublished(p, project(t), "fr")
	reported := false
	for _, v := range vs {
		reported = reported || strings.Contains(v.Message, "8c6a50c6")
	}
	if !reported {
		t.Errorf("an account outside any tenant is excused by the tenants' exception:\n%s", lines(vs))
	}
}

// TestPublishedRulesAreDocumented: docs/published-rules.md names every rule
// adopted and every exception, so that none is silent.
func TestPublishedRulesAreDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/published-rules.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	ids := map[string]bool{}
	for _, r := range PublishedRules {
		if ids[r.ID] {
			t.Errorf("rule %s is listed twice", r.ID)
		}
		ids[r.ID] = true
		if !strings.Contains(doc, r.ID) {
			t.Errorf("docs/published-rules.md does not name the adopted rule %s", r.ID)
		}
	}
	exceptions := doc[strings.Index(doc, "## Exceptions"):]
	for _, ex := range Exceptions {
		if !ids[ex.Rule] {
			t.Errorf("exception for %s, which is no published rule", ex.Rule)
		}
		if !strings.Contains(exceptions, ex.Rule) {
			t.Errorf("docs/published-rules.md lists no exception for %s", ex.Rule)
		}
	}
}

// TestBastionNSGExcusedFromLateralTraversal: the Bastion subnet's NSG must
// allow SSH and RDP out to the VNet (Azure refuses it otherwise), so the
// lateral-traversal rule excuses that NSG, and only that one.
func TestBastionNSGExcusedFromLateralTraversal(t *testing.T) {
	rules := list(map[string]any{"name": "allow-ssh-rdp-to-vnet", "direction": "Outbound", "access": "Allow",
		"destinationAddressPrefix": "VirtualNetwork", "destinationPortRanges": list("22", "3389")})
	for _, c := range []struct {
		name    string
		excused bool
	}{{"nsg-kpax-fr-bastion", true}, {"nsg-kpax-fr-vms", false}} {
		p := &plan.Plan{Stack: "prod-fr", Resources: []*plan.Resource{{Type: typeNSG, Name: "region-fr-nsg", URN: "urn:x", Custom: true,
			ID: "/subscriptions/s/x", Inputs: map[string]any{"networkSecurityGroupName": c.name, "securityRules": rules}}}}
		vs, applied := CheckPublished(p, project(t), "fr")
		reported := false
		for _, v := range vs {
			reported = reported || strings.Contains(v.Message, "Azure.NSG.LateralTraversal")
		}
		taken := false
		for _, a := range applied {
			taken = taken || (a.Rule == "Azure.NSG.LateralTraversal" && a.Count == 1)
		}
		if reported == c.excused || taken != c.excused {
			t.Errorf("%s: reported %v, exception taken %v; want excused %v", c.name, reported, taken, c.excused)
		}
	}
}
