package components

import (
	"encoding/base64"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Every VM of a VM tenant runs the KPAX server through one bootstrap: the
// image from the region's registry, pulled with the platform's identity,
// the same configuration as a Container App gets, and no secret.
func TestTenantVMServerBootstrap(t *testing.T) {
	p := runTenants(t, vmTenant("globex", spec.StateActive))
	var script string
	for n := 1; n <= 3; n++ {
		ext := p.Get(tExtension, fmt.Sprintf("tenant-globex-vm-%d-kpax-server", n))
		if ext == nil {
			t.Fatalf("vm %d has no kpax-server extension", n)
		}
		want(t, ext, "vmName", fmt.Sprintf("vm-globex-%d", n))
		want(t, ext, "publisher", "Microsoft.Azure.Extensions")
		want(t, ext, "type", "CustomScript")
		want(t, ext, "typeHandlerVersion", "2.1")
		if n == 1 {
			script = ext.String("settings.script")
		} else if ext.String("settings.script") != script {
			t.Errorf("vm %d runs another script than vm 1", n)
		}
		// The server reads its vault and mounts its share, both private:
		// it waits for their private endpoints' DNS, and for the key.
		for _, dep := range []string{"tenant-globex-app-key-secret", "tenant-globex-kv-secrets-user",
			"tenant-globex-pe-vault-dns", "tenant-globex-pe-file-dns", "tenant-globex-storage-key-secret"} {
			if !waitsFor(p.Resources, ext, dep) {
				t.Errorf("vm %d's server starts before %s: dependsOn %v", n, dep, ext.DependsOn)
			}
		}
		if prev := fmt.Sprintf("::tenant-globex-vm-%d-kpax-server", n-1); n > 1 &&
			!slices.ContainsFunc(ext.DependsOn, func(urn string) bool { return strings.HasSuffix(urn, prev) }) {
			t.Errorf("vm %d's server does not wait for vm %d's: upgrades would restart every VM at once", n, n-1)
		}
		// One extension operation at a time on a VM: login, agent,
		// attestation, server.
		chain := []string{fmt.Sprintf("tenant-globex-vm-%d", n), fmt.Sprintf("tenant-globex-vm-%d-aad-login", n), fmt.Sprintf("tenant-globex-vm-%d-monitor-agent", n), fmt.Sprintf("tenant-globex-vm-%d-guest-attestation", n), ext.Name}
		for k := 1; k < len(chain); k++ {
			e := p.Get(tExtension, chain[k])
			if e == nil || !slices.ContainsFunc(e.DependsOn, func(urn string) bool { return strings.HasSuffix(urn, "::"+chain[k-1]) }) {
				t.Errorf("%s does not wait for %s", chain[k], chain[k-1])
			}
		}
		vm := p.Get(tVM, fmt.Sprintf("tenant-globex-vm-%d", n))
		want(t, vm, "identity.userAssignedIdentities.1", testPullIdentity)
		// A VM replaced delete-first (an image change) waits for the
		// previous VM's server to be back: the tenant never loses every VM.
		if prev := fmt.Sprintf("::tenant-globex-vm-%d-kpax-server", n-1); n > 1 &&
			!slices.ContainsFunc(vm.DependsOn, func(urn string) bool { return strings.HasSuffix(urn, prev) }) {
			t.Errorf("vm %d does not wait for vm %d's server: a replacement would take every VM down at once", n, n-1)
		}
	}
	raw, err := base64.StdEncoding.DecodeString(script)
	if err != nil {
		t.Fatalf("settings.script is not base64: %v", err)
	}
	sc := string(raw)
	for _, line := range []string{
		"registry='kpaxcloud.azurecr.io'",
		"image='kpaxcloud.azurecr.io/kpax-server:4.12.1'",
		"pull_client_id='" + testPullClientID + "'",
		"KPAX_TENANT=globex",
		"KPAX_URL=https://globex." + testDNSZone,
		"KPAX_PORT=8080",
		"KPAX_FILE_SHARE=kpax",
		"KPAX_DATA_DIR=" + appFilesDir,
		"KPAX_SECRET_KEY_NAME=" + secretAppKey,
		"share='kpax'",
		"entra_tenant='" + plan.MockTenantID + "'",
		`    --data-urlencode "tenant=$entra_tenant" \`,
		"retry mount_share",
	} {
		if !slices.Contains(strings.Split(sc, "\n"), line) {
			t.Errorf("the bootstrap lacks the line %q", line)
		}
	}
	for _, prefix := range []string{"AZURE_CLIENT_ID=", "KPAX_DB_SERVER=", "KPAX_DB_NAME=", "KPAX_STORAGE_ACCOUNT=", "KPAX_KEY_VAULT_URL=https://"} {
		if !strings.Contains(sc, "\n"+prefix) || strings.Contains(sc, "\n"+prefix+"\n") {
			t.Errorf("the bootstrap sets no %s", prefix)
		}
	}
	// The share is mounted over encrypted SMB 3.1.1 with the key read from
	// the vault secret, on the directory the server is told.
	if !strings.Contains(sc, "cifs vers=3.1.1,seal,credentials=/etc/kpax/files.cred") ||
		!strings.Contains(sc, "key_secret_url='https://") || !strings.Contains(sc, "/secrets/"+secretStorageKey+"'") {
		t.Error("the bootstrap does not mount the share with the key from the vault")
	}
	if strings.Contains(sc, "mkfs") || strings.Contains(sc, "/dev/disk/azure") {
		t.Error("the bootstrap still prepares a data disk")
	}
	if strings.Contains(sc, "\nKPAX_SECRET_KEY=") {
		t.Error("the bootstrap writes the secret key: the server reads it from the vault")
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		cmd := exec.Command(bash, "-n")
		cmd.Stdin = strings.NewReader(sc)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v\n%s", err, out)
		}
	}
}

func TestServerBootstrapScript(t *testing.T) {
	base := serverBootstrap{Tenant: "acme", Registry: "kpaxcloud.azurecr.io", Image: "kpaxcloud.azurecr.io/kpax-server:4.12.1", PullClientID: "id",
		Env: [][2]string{{"KPAX_TENANT", "acme"}}}
	a, err := base.script()
	if err != nil {
		t.Fatal(err)
	}
	// A new server image is a new script: the extension runs it again.
	next := base
	next.Image = "kpaxcloud.azurecr.io/kpax-server:4.13.0"
	if b, _ := next.script(); b == a || !strings.Contains(b, "image='kpaxcloud.azurecr.io/kpax-server:4.13.0'") {
		t.Error("changing the image does not change the script")
	}
	for _, bad := range [][2]string{{"KPAX_X", "two\nlines"}, {"KPAX=X", "v"}} {
		b := base
		b.Env = [][2]string{bad}
		if _, err := b.script(); err == nil {
			t.Errorf("variable %q accepted", bad)
		}
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}
