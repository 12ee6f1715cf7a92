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

func TestReplacesOnChange(t *testing.T) {
	for _, tc := range []struct {
		typ, path string
		want      bool
	}{
		{"azure-native:storage:StorageAccount", "accountName", true},
		{"azure-native:storage:StorageAccount", "location", true},
		{"azure-native:storage:StorageAccount", "sku.name", false},
		{"azure-native:storage:StorageAccount", "tags.tier", false},
		{"azure-native:recoveryservices/v20240101:Vault", "properties.redundancySettings.standardTierStorageRedundancy", true},
		{"azure-native:compute:VirtualMachine", "zones.0", true},
		{"azure-native:network/v20240501:BastionHost", "zones", true},
		{"azure-native:sql:Database", "maxSizeBytes", false},
		{"azure-native:sql:Database", "resourceGroupName", true},
	} {
		if got := replacesOnChange(tc.typ, tc.path); got != tc.want {
			t.Errorf("replacesOnChange(%s, %s) = %v, want %v", tc.typ, tc.path, got, tc.want)
		}
	}
}
