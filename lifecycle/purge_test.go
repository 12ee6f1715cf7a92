// The purge of a decommissioned tenant, step by step as docs/restore.md
// ("Purge a decommissioned tenant") says: the Pulumi steps on the real CLI,
// the Azure CLI steps as the same ARM operations on the simulated Azure.

package lifecycle

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
)

// cli runs the Pulumi CLI on the world's stack, as an operator would.
func (w *world) cli(args ...string) (string, error) {
	cmd := exec.Command(w.e.cliPath, append(args, "--stack", w.name, "--non-interactive")...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "PULUMI_HOME="+w.e.home)
	for k, v := range w.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("pulumi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// one finds the single record of a type whose ID contains part.
func one(t *testing.T, c *simazure.Cloud, typ, part string) *simazure.Record {
	t.Helper()
	all, err := c.Records()
	if err != nil {
		t.Fatal(err)
	}
	var found []*simazure.Record
	for _, r := range all {
		if r.Type == typ && strings.Contains(strings.ToLower(r.ID), strings.ToLower(part)) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s records match %q, want 1", len(found), typ, part)
	}
	return found[0]
}

// unprotect is step 1 of the purge: the tenant's resources are unprotected
// in the stack's state, and nothing else.
func unprotect(t *testing.T, w *world, tn *spec.Tenant) {
	t.Helper()
	out, err := w.cli("stack", "export")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Deployment struct {
			Resources []struct {
				URN     string `json:"urn"`
				Parent  string `json:"parent"`
				Protect bool   `json:"protect"`
			} `json:"resources"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal([]byte(out), &state); err != nil {
		t.Fatalf("stack export: %v", err)
	}
	component := tenantURN(w.name, tn.Name)
	n := 0
	for _, r := range state.Deployment.Resources {
		if r.Parent == component && r.Protect {
			if _, err := w.cli("state", "unprotect", "--yes", r.URN); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatalf("step 1: %s has no protected resource in the state", tn.Name)
	}
}

func purge(t *testing.T, w *world, tn *spec.Tenant) {
	t.Helper()
	tenantRG := "rg-kpax-" + tn.Region + "-" + tn.Name
	unprotect(t, w, tn)

	last, err := spec.LoadProject(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	retentionDays := 0
	for _, cur := range last.Tenants {
		if cur.Name == tn.Name {
			retentionDays = cur.Backup.RetentionDays
		}
	}

	// Step 2: remove the tenant's file and deploy. Pulumi deletes the
	// locks first (each waits for what sits on its scope), then the role
	// assignments, diagnostic settings and private endpoints under them,
	// and forgets the data, which Azure keeps.
	if err := os.Remove(w.file(tn.Source.File)); err != nil {
		t.Fatal(err)
	}
	r := w.mustUp("purge step 2")
	for _, op := range r.ops {
		if op.Op == "delete" && dataTypes[op.Type] {
			t.Errorf("purge step 2: Pulumi deleted %s %s: it must only forget data", op.Type, op.ID)
		}
	}
	// The database's, the storage account's, the blob copy's and the
	// Key Vault's.
	if len(opsOf(r.ops, "delete", "azure-native:authorization:ManagementLockByScope", tn.Name+"-")) != 4 {
		t.Errorf("purge step 2: the tenant's 4 locks were not deleted: %v", r.ops)
	}
	c := w.cloud
	db := one(t, c, "azure-native:sql:Database", "/databases/sqldb-"+tn.Name)
	item := one(t, c, "azure-native:recoveryservices:ProtectedItem", ";"+tenantRG+";")
	container := one(t, c, "azure-native:recoveryservices:ProtectionContainer", ";"+tenantRG+";")
	vaultLock := one(t, c, "azure-native:authorization:ManagementLockByScope", "/vaults/rsv-kpax-")

	// Step 3: stop the share's backup; its recovery points stay, as per
	// the policy. Deleting them now is refused by the immutable vault.
	if err := c.OperatorStopProtection(item.ID, true); err != nil {
		t.Fatalf("step 3: %v", err)
	}
	if err := c.OperatorDelete(item.ID); err == nil {
		t.Errorf("step 3: the cloud deleted backup data before it expired")
	}

	// Step 4: delete the data: the database, then the tenant's group with
	// its storage account, share and Key Vault.
	for _, id := range []string{db.ID, "/subscriptions/" + subscriptionOf(db.ID) + "/resourceGroups/" + tenantRG} {
		if err := c.OperatorDelete(id); err != nil {
			t.Errorf("step 4: %v", err)
		}
	}

	// Step 5: once the retention has passed, lift the vault's lock, delete
	// the expired item, unregister the account, and let Pulumi put the
	// lock back (a refresh sees it gone). The retention is the tenant's
	// last deployed one, read from its file before step 2 removed it.
	if err := c.Advance(time.Duration(retentionDays+1) * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := c.OperatorDelete(item.ID); err == nil {
		t.Errorf("step 5: the item was deleted under the vault's lock")
	}
	for _, id := range []string{vaultLock.ID, item.ID, container.ID} {
		if err := c.OperatorDelete(id); err != nil {
			t.Errorf("step 5: %v", err)
		}
	}
	r = w.mustUp("purge step 5", optup.Refresh())
	if got, _ := c.Get(vaultLock.ID); got == nil {
		t.Errorf("step 5: pulumi up --refresh did not put the vault's lock back")
	}

	// Nothing of the tenant is left.
	all, err := c.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range all {
		if strings.Contains(strings.ToLower(rec.ID), strings.ToLower(tenantRG)) || strings.HasSuffix(rec.ID, "/databases/sqldb-"+tn.Name) {
			t.Errorf("after the purge the cloud still holds %s", rec.ID)
		}
	}
}

// subscriptionOf is the subscription of an ARM ID.
func subscriptionOf(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) > 1 {
		return parts[1]
	}
	return ""
}
