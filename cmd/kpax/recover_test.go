package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecover settles an interrupted deploy's state with a stand-in az that
// knows one of the two Azure resources: that one is kept with its ID, the
// other and the random value are cleared, and the pending update is left
// for pulumi refresh.
func TestRecover(t *testing.T) {
	const sub = "9eeb924c-3aa7-452b-8154-7e01789cf586"
	const dbID = "/subscriptions/" + sub + "/resourceGroups/rg-kpax-za-platform/providers/Microsoft.Sql/servers/sql-kpax-za-1-abcde/databases/sqldb-cape-office"
	tenant := "urn:pulumi:prod-za::kpax-cloud::kpax:components:Tenant::cape-office"
	child := func(typ, name string) string {
		return "urn:pulumi:prod-za::kpax-cloud::kpax:components:Tenant$" + typ + "::" + name
	}
	pending := func(op, typ, name string, custom bool, inputs map[string]any) map[string]any {
		return map[string]any{"type": op, "resource": map[string]any{"urn": child(typ, name), "type": typ, "custom": custom, "parent": tenant, "inputs": inputs}}
	}
	// Stamp 1's DNS zone, reached through an explicit provider for its
	// subscription (a later stamp in a subscription of its own).
	const dnsSub = "0d7c1c8b-c01d-4639-9d03-da0810c2a425"
	dnsProvider := "urn:pulumi:prod-za::kpax-cloud::pulumi:providers:azure-native::dns"
	record := pending("creating", "azure-native:network:RecordSet", "cape-office-dns", true, map[string]any{
		"resourceGroupName": "rg-kpax-za-platform", "zoneName": "za.kpax.cloud", "relativeRecordSetName": "cape-office", "recordType": "A"})
	record["resource"].(map[string]any)["provider"] = dnsProvider + "::prov-id"
	// A replacement interrupted after its create: the old app still holds
	// the URN.
	oldApp := map[string]any{"urn": child("azure-native:app:ContainerApp", "cape-office-app"), "type": "azure-native:app:ContainerApp", "custom": true, "id": "/old"}
	// A replacement of a fixed name, interrupted in its create: what Azure
	// has under the ID is the old vault itself, which must not be deleted.
	const vaultID = "/subscriptions/" + sub + "/resourceGroups/rg-kpax-za-cape-office/providers/Microsoft.KeyVault/vaults/kv-cape-office"
	oldVault := map[string]any{"urn": child("azure-native:keyvault:Vault", "cape-office-kv"), "type": "azure-native:keyvault:Vault", "custom": true, "id": vaultID}
	state := map[string]any{"version": 3, "deployment": map[string]any{
		"manifest": map[string]any{"time": "2026-12-04T00:00:00Z", "magic": "", "version": "v3.276.0"},
		"resources": []any{
			map[string]any{"urn": tenant, "type": "kpax:components:Tenant", "custom": false},
			map[string]any{"urn": dnsProvider, "type": "pulumi:providers:azure-native", "custom": true, "id": "prov-id", "inputs": map[string]any{"subscriptionId": dnsSub}},
			oldApp,
			oldVault,
		},
		"pending_operations": []any{
			record,
			pending("creating", "azure-native:app:ContainerApp", "cape-office-app", true, map[string]any{
				"resourceGroupName": "rg-kpax-za-cape-office", "containerAppName": "ca-cape-office"}),
			pending("creating", "azure-native:keyvault:Vault", "cape-office-kv", true, map[string]any{
				"resourceGroupName": "rg-kpax-za-cape-office", "vaultName": "kv-cape-office"}),
			pending("creating", "azure-native:sql:Database", "cape-office-db", true, map[string]any{
				"resourceGroupName": "rg-kpax-za-platform", "serverName": "sql-kpax-za-1-abcde", "databaseName": "sqldb-cape-office"}),
			pending("creating", "azure-native:storage:StorageAccount", "cape-office-storage", true, map[string]any{
				"resourceGroupName": "rg-kpax-za-cape-office", "accountName": "stkpaxcapeoffice1234"}),
			pending("creating", "random:index/randomString:RandomString", "cape-office-suffix", true, map[string]any{"length": 5}),
			pending("updating", "azure-native:storage:FileShare", "cape-office-share", true, map[string]any{}),
		},
	}}
	dir := t.TempDir()
	data, _ := json.Marshal(state)
	stateFile, out := filepath.Join(dir, "state.json"), filepath.Join(dir, "settled.json")
	if err := os.WriteFile(stateFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	const recordID = "/subscriptions/" + dnsSub + "/resourceGroups/rg-kpax-za-platform/providers/Microsoft.Network/dnszones/za.kpax.cloud/A/cape-office"
	const appID = "/subscriptions/" + sub + "/resourceGroups/rg-kpax-za-cape-office/providers/Microsoft.App/containerApps/ca-cape-office"
	az := `#!/bin/sh
case "$*" in
  *sqldb-cape-office*) echo "` + dbID + `" ;;
  *"--ids ` + recordID + ` "*) echo "` + recordID + `" ;;
  *ca-cape-office*) echo "` + appID + `" ;;
  *kv-cape-office*) echo "` + vaultID + `" ;;
  *) echo "(ResourceNotFound) The Resource was not found." >&2; exit 3 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(az), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))

	code, stdout, errs := kpax("recover", "--dir", root, "--stack", "prod-za", "--state", stateFile, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d %s", code, errs)
	}
	for _, want := range []string{
		"7 pending operations",
		"creating " + child("azure-native:keyvault:Vault", "cape-office-kv") + "\n    Azure finished it: kept, with its ID\n    " + vaultID,
		"creating " + child("azure-native:network:RecordSet", "cape-office-dns") + "\n    Azure finished it: kept, with its ID\n    " + recordID,
		"creating " + child("azure-native:sql:Database", "cape-office-db") + "\n    Azure finished it: kept, with its ID\n    " + dbID,
		"creating " + child("azure-native:storage:StorageAccount", "cape-office-storage") + "\n    Azure does not have it: cleared",
		"creating " + child("random:index/randomString:RandomString", "cape-office-suffix") + "\n    Azure does not have it: cleared",
		"updating " + child("azure-native:storage:FileShare", "cape-office-share") + "\n    pulumi refresh reads it",
		"pulumi stack import --stack prod-za --file " + out,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	var settled struct {
		Deployment struct {
			Resources []struct {
				URN, ID string
				Delete  bool `json:"delete"`
			} `json:"resources"`
			Pending []struct {
				Type string `json:"type"`
			} `json:"pending_operations"`
		} `json:"deployment"`
	}
	data, err := os.ReadFile(out)
	if err != nil || json.Unmarshal(data, &settled) != nil {
		t.Fatalf("settled state: %v", err)
	}
	r := settled.Deployment.Resources
	if len(r) != 7 || r[2].ID != "/old" || !r[2].Delete || r[3].ID != vaultID || r[3].Delete || r[4].ID != recordID || r[5].ID != appID || r[5].Delete || r[6].ID != dbID {
		t.Errorf("resources: want the old app pending deletion, the vault kept once and live, then the record, the new app and the database: %+v", r)
	}
	if p := settled.Deployment.Pending; len(p) != 1 || p[0].Type != "updating" {
		t.Errorf("pending: %+v", p)
	}
	// An az that fails otherwise (not logged in, a group or subscription
	// not found) is an error, never a "does not exist": clearing a
	// finished create breaks the next up.
	for _, failure := range []string{"echo 'Please run az login' >&2; exit 1", "echo \"(ResourceGroupNotFound) Resource group 'rg' could not be found.\" >&2; exit 3"} {
		if err := os.WriteFile(filepath.Join(bin, "az"), []byte("#!/bin/sh\n"+failure+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := kpax("recover", "--dir", root, "--stack", "prod-za", "--state", stateFile, "--out", out); code != exitInvalid || !strings.Contains(errs, "az resource show") {
			t.Errorf("az failing with %q: exit %d %s", failure, code, errs)
		}
	}
}
