package spec

import "testing"

// TestStorageAccountsCountTheBlobCopy: each tenant takes two storage accounts
// of the subscription's per-region quota, its own and its blob copy's
// (components/tenant_blobcopy.go), and one place in the Recovery Services
// vault, where only its own account is registered.
func TestStorageAccountsCountTheBlobCopy(t *testing.T) {
	ts := make([]*Tenant, 7)
	for i := range ts {
		ts[i] = &Tenant{Name: "t", State: StateActive}
	}
	want := map[string]int{"storage accounts": 14, "storage accounts in the Recovery Services vault": 7}
	for _, q := range stampQuotas {
		if w, ok := want[q.what]; ok {
			if got := q.used(ts); got != w {
				t.Errorf("%s: 7 tenants use %d, want %d", q.what, got, w)
			}
			delete(want, q.what)
		}
	}
	for what := range want {
		t.Errorf("no quota %q", what)
	}
}
