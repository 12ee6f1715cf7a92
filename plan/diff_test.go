package plan

import (
	"testing"
)

func res(urn, typ, name, parent string, protect bool, inputs map[string]any) *Resource {
	return &Resource{URN: urn, Type: typ, Name: name, Parent: parent, Custom: typ != TenantComponentType, Protect: protect, Inputs: inputs}
}

func TestCompare(t *testing.T) {
	const acme = "urn:pulumi:s::p::kpax:components:Tenant::acme"
	const globex = "urn:pulumi:s::p::kpax:components:Tenant::globex"
	base := &Plan{Resources: []*Resource{
		res(acme, TenantComponentType, "acme", "", false, nil),
		res(acme+"-db", "azure-native:sql:Database", "acme-db", acme, true, map[string]any{
			"databaseName": "sqldb-acme", "sku": map[string]any{"capacity": 2.0}}),
		res(acme+"-st", "azure-native:storage:StorageAccount", "acme-st", acme, true, map[string]any{
			"accountName": "stacme1", "sku": map[string]any{"name": "Standard_ZRS"}}),
		res(globex, TenantComponentType, "globex", "", false, nil),
		res(globex+"-db", "azure-native:sql:Database", "globex-db", globex, true, map[string]any{"databaseName": "sqldb-globex"}),
	}}
	head := &Plan{Resources: []*Resource{
		res(acme, TenantComponentType, "acme", "", false, nil),
		res(acme+"-db", "azure-native:sql:Database", "acme-db", acme, true, map[string]any{
			"databaseName": "sqldb-acme", "sku": map[string]any{"capacity": 4.0}}),
		res(acme+"-st", "azure-native:storage:StorageAccount", "acme-st", acme, true, map[string]any{
			"accountName": "stacme2", "sku": map[string]any{"name": "Standard_ZRS"}}),
		res(acme+"-app", "azure-native:app:ContainerApp", "acme-app", acme, false, map[string]any{}),
	}}
	changes := Compare(base, head)
	got := map[string]Change{}
	for _, c := range changes {
		got[c.Name] = c
	}
	if len(changes) != 5 {
		t.Fatalf("changes = %+v, want 5", changes)
	}
	if c := got["acme-db"]; c.Kind != "update" || len(c.Edits) != 1 || c.Edits[0].Path != "sku.capacity" || c.Edits[0].Old != 2.0 || c.Edits[0].New != 4.0 {
		t.Errorf("acme-db: %+v", c)
	}
	if c := got["acme-st"]; c.Kind != "replace" || !c.Protected || c.Edits[0].Path != "accountName" || !c.Edits[0].Replaces {
		t.Errorf("acme-st: %+v", c)
	}
	if c := got["acme-app"]; c.Kind != "add" || c.Tenant != "acme" {
		t.Errorf("acme-app: %+v", c)
	}
	if c := got["globex-db"]; c.Kind != "delete" || !c.Protected || c.Tenant != "globex" {
		t.Errorf("globex-db: %+v", c)
	}
	if c := got["globex"]; c.Kind != "delete" || c.Protected {
		t.Errorf("globex: %+v", c)
	}
}

// TestSemanticOf: what the table says of a change, including what it does
// not list (names and path parameters replace; the rest updates).
func TestSemanticOf(t *testing.T) {
	for _, tc := range []struct {
		typ, path string
		want      Effect
	}{
		{"azure-native:storage:StorageAccount", "accountName", EffectReplace},
		{"azure-native:storage:StorageAccount", "location", EffectReplace},
		{"azure-native:storage:StorageAccount", "sku.name", EffectUpdate},
		{"azure-native:storage:StorageAccount", "tags.tier", EffectUpdate},
		{"azure-native:recoveryservices/v20240101:Vault", "properties.redundancySettings.standardTierStorageRedundancy", EffectRefused},
		{"azure-native:compute:VirtualMachine", "storageProfile.imageReference.sku", EffectRefused},
		{"azure-native:compute:VirtualMachine", "osProfile.adminUsername", EffectRefused},
		{"azure-native:compute:VirtualMachine", "osProfile.linuxConfiguration.patchSettings.patchMode", EffectUpdate},
		{"azure-native:compute:VirtualMachine", "osProfile.allowExtensionOperations", EffectUpdate},
		{"azure-native:compute:VirtualMachine", "hardwareProfile.vmSize", EffectUpdate},
		{"azure-native:compute:VirtualMachine", "vmName", EffectReplace},
		{"azure-native:network/v20240501:BastionHost", "zones", EffectRefused},
		{"azure-native:sql:Server", "administrators.sid", EffectReplace},
		{"azure-native:app/v20240301:ManagedEnvironment", "vnetConfiguration.infrastructureSubnetId", EffectIgnored},
		{"azure-native:authorization:RoleAssignment", "roleDefinitionId", EffectRefused},
		{"azure-native:authorization:RoleAssignment", "principalId", EffectReplace},
		{"azure-native:network:NatGateway", "location", EffectRefused},
		{"azure-native:network:PublicIPAddress", "location", EffectReplace},
		{"azure-native:network:Subnet", "delegations.serviceName", EffectRefused},
		{"time:index/sleep:Sleep", "triggers.acrpull", EffectReplace},
		{"time:index/sleep:Sleep", "createDuration", EffectUpdate},
		{"azure-native:sql:Database", "maxSizeBytes", EffectUpdate},
		{"azure-native:sql:Database", "resourceGroupName", EffectReplace},
		{"azure-native:app/v20240301:ContainerApp", "workloadProfileName", EffectUpdate},
		{"azure-native:authorization:RoleAssignment", "scope", EffectReplace},
		{"azure-native:insights:DiagnosticSetting", "resourceUri", EffectReplace},
		{"random:index/randomString:RandomString", "length", EffectReplace},
	} {
		if got := SemanticOf(tc.typ, tc.path); got.Effect != tc.want {
			t.Errorf("SemanticOf(%s, %s) = %s, want %s", tc.typ, tc.path, got.Effect, tc.want)
		}
	}
}

// TestEverySemanticHasASource: a row without a source is an opinion, and
// two rows for one path would contradict each other.
func TestEverySemanticHasASource(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Semantics() {
		if seen[s.Type+" "+s.Path] {
			t.Errorf("two rows for %s %s", s.Type, s.Path)
		}
		seen[s.Type+" "+s.Path] = true
		if s.Source == "" || (s.Effect == EffectRefused && s.Code == "") {
			t.Errorf("%s %s (%s): source %q, code %q", s.Type, s.Path, s.Effect, s.Source, s.Code)
		}
	}
}
