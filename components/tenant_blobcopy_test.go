package components

import (
	"regexp"
	"testing"

	"github.com/kpax/kpax-cloud/spec"
)

// TestTenantBlobCopy: the tenant's blobs have a copy in a second account of
// its own, in its region, that object replication fills: the policy goes to
// the destination first and the source's half carries the IDs Azure gave
// it; versioning on both sides and the change feed on the source; nobody
// holds a key or a data role on the copy; the copy is data (protected,
// locked, private) and keeps deleted and overwritten versions for the
// tenant's backup retention.
func TestTenantBlobCopy(t *testing.T) {
	tn := containerTenant("acme", spec.StateActive)
	p := runTenants(t, tn)
	rs := tenantResources(t, p, "acme")
	src := named(t, rs, tAccount, "tenant-acme-storage")
	cp := named(t, rs, tAccount, "tenant-acme-blobcopy")
	if !regexp.MustCompile(`^bkacme[a-z0-9]{6}$`).MatchString(cp.String("accountName")) {
		t.Errorf("copy account name %q", cp.String("accountName"))
	}
	for path, v := range map[string]any{
		"location": src.String("location"), "sku.name": src.String("sku.name"), "kind": "StorageV2",
		"allowSharedKeyAccess": false, "allowCrossTenantReplication": false, "publicNetworkAccess": "Disabled",
		"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": false, "enableHttpsTrafficOnly": true,
	} {
		want(t, cp, path, v)
	}
	if !cp.Protect || !cp.RetainOnDelete {
		t.Errorf("the copy account is not data: protect=%v retainOnDelete=%v", cp.Protect, cp.RetainOnDelete)
	}
	locked := false
	for _, l := range p.OfType(tLock) {
		locked = locked || l.String("scope") == cp.ID
	}
	if !locked {
		t.Error("the copy account has no lock")
	}
	for _, r := range p.OfType(tRole) {
		if r.String("scope") == cp.ID {
			t.Errorf("%s grants a role on the copy", r.Name)
		}
	}
	want(t, p.Get(tPE, "tenant-acme-pe-blobcopy"), "privateLinkServiceConnections.0.privateLinkServiceId", cp.ID)

	srcBlobs := named(t, rs, tBlobSvc, "tenant-acme-blob-service")
	cpBlobs := named(t, rs, tBlobSvc, "tenant-acme-blobcopy-service")
	want(t, srcBlobs, "isVersioningEnabled", true)
	want(t, srcBlobs, "changeFeed.enabled", true)
	want(t, cpBlobs, "isVersioningEnabled", true)
	want(t, cpBlobs, "accountName", cp.String("accountName"))

	onDest := named(t, rs, tORP, "tenant-acme-blobcopy-policy")
	onSrc := named(t, rs, tORP, "tenant-acme-blob-replication")
	want(t, onDest, "accountName", cp.String("accountName"))
	want(t, onDest, "objectReplicationPolicyId", "default")
	want(t, onSrc, "accountName", src.String("accountName"))
	for _, pol := range []string{onDest.Name, onSrc.Name} {
		r := named(t, rs, tORP, pol)
		want(t, r, "sourceAccount", src.ID)
		want(t, r, "destinationAccount", cp.ID)
		want(t, r, "rules.0.sourceContainer", tenantBlobContainerName)
		want(t, r, "rules.0.destinationContainer", tenantBlobContainerName)
		want(t, r, "rules.0.filters.minCreationTime", objectReplicationAllBlobs)
	}
	// The mocks give the destination's half a policy ID and rule IDs as
	// Azure does; the source's half must carry them, not "default".
	guid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	if id := onSrc.String("objectReplicationPolicyId"); !guid.MatchString(id) {
		t.Errorf("the source's policy ID %q is not the one Azure gave the destination's half", id)
	}
	if id := onSrc.String("rules.0.ruleId"); !guid.MatchString(id) {
		t.Errorf("the source's rule ID %q is not the one Azure gave the destination's rule", id)
	}
	if id := onDest.String("rules.0.ruleId"); id != "" {
		t.Errorf("the destination's rule asks for the ID %q: Azure gives it", id)
	}
	for _, c := range []string{"tenant-acme-blob-container", "tenant-acme-blobcopy-container"} {
		ctr := named(t, rs, tBlobCtr, c)
		want(t, ctr, "containerName", tenantBlobContainerName)
		if !ctr.Protect || !ctr.RetainOnDelete {
			t.Errorf("%s is not data", c)
		}
	}
	life := named(t, rs, tLifecycle, "tenant-acme-blobcopy-retention")
	want(t, life, "accountName", cp.String("accountName"))
	want(t, life, "policy.rules.0.definition.actions.version.delete.daysAfterCreationGreaterThan", float64(tn.Backup.RetentionDays))
	want(t, life, "policy.rules.0.definition.filters.prefixMatch.0", tenantBlobContainerName+"/")
}
