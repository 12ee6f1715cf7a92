// Azure names: length and character rules, stability.

package components

import (
	"regexp"
	"testing"

	"github.com/kpax/kpax-cloud/spec"
)

func TestTenantNames(t *testing.T) {
	long := &spec.Tenant{Name: "a-very-long-tenant-nm", Region: "fr"}
	for _, got := range []string{storageAccountName(long, "abc123"), keyVaultName(long, "abc123")} {
		if len(got) > 24 || !regexp.MustCompile(`^[a-z][a-z0-9]+abc123$`).MatchString(got) {
			t.Errorf("global name %q", got)
		}
	}
	if got := storageAccountName(&spec.Tenant{Name: "acme"}, "x1y2z3"); got != "stacmex1y2z3" {
		t.Errorf("storageAccountName = %q", got)
	}
	a := stableGUID("tenant/acme/storage", roleStorageBlobDataContributor, "tenant/acme/identity")
	if a != stableGUID("tenant/acme/storage", roleStorageBlobDataContributor, "tenant/acme/identity") {
		t.Errorf("stableGUID is not stable")
	}
	if a == stableGUID("tenant/acme/storage", roleKeyVaultSecretsUser, "tenant/acme/identity") {
		t.Errorf("stableGUID ignores the role")
	}
	if subscriptionScope("/subscriptions/abc/resourceGroups/x") != "/subscriptions/abc" || subscriptionScope("nope") != "" {
		t.Errorf("subscriptionScope")
	}
}
