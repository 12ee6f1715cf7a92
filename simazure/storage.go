// Object replication: what Azure Storage refuses of a replication policy,
// which the tenants' blob copy relies on (components/tenant_blobcopy.go).

package simazure

import (
	"path"
	"strings"
)

// Types the object replication rules look at.
const (
	typeObjectReplication = "azure-native:storage:ObjectReplicationPolicy"
	typeBlobService       = "azure-native:storage:BlobServiceProperties"
	typeBlobContainer     = "azure-native:storage:BlobContainer"
)

var (
	// RuleObjectReplicationPrerequisites: a replication policy needs blob
	// versioning on both accounts and the change feed on the source, and
	// the containers its rules name must exist.
	RuleObjectReplicationPrerequisites = Rule{"object-replication-prerequisites", "simulated:ObjectReplicationPrerequisitesNotMet",
		"https://learn.microsoft.com/azure/storage/blobs/object-replication-overview#prerequisites-and-caveats-for-object-replication (change feed on the source, versioning on both; \"The source and destination containers must both exist\")"}
	// RuleObjectReplicationOrder: the policy is created on the destination
	// first, as "default", and Azure gives it its ID; the source's half
	// must carry that ID (and its rules the destination's rule IDs).
	RuleObjectReplicationOrder = Rule{"object-replication-order", "simulated:ObjectReplicationPolicyNotFound",
		"https://learn.microsoft.com/rest/api/storagerp/object-replication-policies/create-or-update (objectReplicationPolicyId: \"Configure the policy on the destination account first\")"}
)

// blobService is the blob service record of an account, named by its ID.
func blobService(all []*Record, accountID string) *Record {
	name := path.Base(accountID)
	for _, r := range byType(all, typeBlobService) {
		if strings.EqualFold(r.String("accountName"), name) {
			return r
		}
	}
	return nil
}

func isOn(r *Record, p string) bool {
	if r == nil {
		return false
	}
	v, _ := lookup(r.Plain(), p).(bool)
	return v
}

// checkObjectReplication holds both rules for a policy's half.
func checkObjectReplication(all []*Record, r *Record) error {
	src, dst := r.String("sourceAccount"), r.String("destinationAccount")
	if s := blobService(all, src); s == nil || !isOn(s, "isVersioningEnabled") || !isOn(s, "changeFeed.enabled") {
		return refuse(RuleObjectReplicationPrerequisites, "%s: the source account %s needs blob versioning and the change feed", r.ID, src)
	}
	if d := blobService(all, dst); d == nil || !isOn(d, "isVersioningEnabled") {
		return refuse(RuleObjectReplicationPrerequisites, "%s: the destination account %s needs blob versioning", r.ID, dst)
	}
	for _, side := range []struct{ account, key string }{{src, "sourceContainer"}, {dst, "destinationContainer"}} {
		for _, c := range stringsAt(r.Plain(), "rules.*."+side.key) {
			found := false
			for _, ctr := range byType(all, typeBlobContainer) {
				found = found || (strings.EqualFold(ctr.String("accountName"), path.Base(side.account)) && strings.EqualFold(ctr.String("containerName"), c))
			}
			if !found {
				return refuse(RuleObjectReplicationPrerequisites, "%s: container %s does not exist in %s", r.ID, c, side.account)
			}
		}
	}
	onSource := strings.EqualFold(r.String("accountName"), path.Base(src))
	if !onSource {
		return nil
	}
	id := r.String("objectReplicationPolicyId")
	for _, d := range byType(all, typeObjectReplication) {
		if strings.EqualFold(d.String("accountName"), path.Base(dst)) && strings.EqualFold(outputString(d, "policyId"), id) && id != "" {
			return nil
		}
	}
	return refuse(RuleObjectReplicationOrder, "%s: no policy %q on the destination account %s; create it there first (as \"default\") and use the ID Azure gives it", r.ID, id, dst)
}
