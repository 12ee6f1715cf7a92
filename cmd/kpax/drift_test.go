package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDrift(t *testing.T) {
	write := func(doc string) string {
		p := filepath.Join(t.TempDir(), "preview.json")
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const urn = "urn:pulumi:prod-fr::kpax-cloud::kpax:components:Tenant$azure-native:storage:StorageAccount::acme-storage"
	drifted := write(`{"steps":[
	  {"op":"same","urn":"urn:pulumi:prod-fr::kpax-cloud::pulumi:pulumi:Stack::kpax-cloud-prod-fr"},
	  {"op":"update","urn":"` + urn + `","diffReasons":["publicNetworkAccess"],"detailedDiff":{"publicNetworkAccess":{"kind":"update","inputDiff":false}}}
	],"changeSummary":{"same":1,"update":1}}`)
	code, out, errs := kpax("drift", "--dir", root, "--stack", "prod-fr", "--preview", drifted)
	if code != exitDrift {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitDrift, out, errs)
	}
	if !strings.Contains(out, "### tenant `acme`: `tenants/fr/acme.yaml`\n\n- azure-native:storage:StorageAccount `acme-storage` differs: `publicNetworkAccess`") {
		t.Errorf("drift report:\n%s", out)
	}
	code, out, _ = kpax("drift", "--dir", root, "--stack", "prod-fr", "--preview", drifted, "--format", "json")
	if code != exitDrift || !strings.Contains(out, `"file": "tenants/fr/acme.yaml"`) {
		t.Errorf("json: exit %d\n%s", code, out)
	}
	clean := write(`{"steps":[{"op":"same","urn":"` + urn + `"}]}`)
	if code, out, errs := kpax("drift", "--dir", root, "--stack", "prod-fr", "--preview", clean); code != exitOK || !strings.Contains(out, "No drift") {
		t.Errorf("clean: exit %d\n%s%s", code, out, errs)
	}
	failed := write("error: failed to load the stack\n")
	if code, _, errs := kpax("drift", "--dir", root, "--stack", "prod-fr", "--preview", failed); code != exitInvalid || !strings.Contains(errs, "not the JSON of pulumi preview --json") {
		t.Errorf("failed preview: exit %d %s", code, errs)
	}
	if code, _, _ := kpax("drift", "--dir", root, "--stack", "prod-fr"); code != exitUsage {
		t.Errorf("no --preview: exit %d", code)
	}
}
