// Moving a tenant to another stamp, as the README says it behaves: a file
// that names another stamp moves nothing in place; the documented procedure
// (decommission, purge, recreate) does.

package lifecycle

import (
	"os"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/spec"
)

// stamp2Subscription is the subscription of fr's second stamp.
const stamp2Subscription = "22222222-0000-0000-0000-000000000002"

func TestMoveTenantToAnotherStamp(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "prod-fr")
	w.mustUp("stamp 1")
	// Open stamp 2 of fr in its own subscription, as the README says.
	w.edit("regions/fr.yaml", func(s string) string { return strings.Replace(s, "\nmaxTenants:", "\nstamps: 2\nmaxTenants:", 1) })
	stamp1Subscription := w.subscription()
	stack2 := "config:\n  kpax-cloud:region: fr\n  kpax-cloud:stamp: \"2\"\n  azure-native:location: francecentral\n" +
		"  azure-native:subscriptionId: " + stamp2Subscription + "\n  kpax-cloud:dnsSubscriptionId: " + stamp1Subscription + "\n"
	if err := os.WriteFile(w.file("Pulumi.prod-fr-2.yaml"), []byte(stack2), 0o644); err != nil {
		t.Fatal(err)
	}
	w.edit("rollout.yaml", func(s string) string { return s + "  - prod-fr-2\n" })
	s2 := w.sibling("prod-fr-2")
	var acme *spec.Tenant
	for _, tn := range stackTenants(t, w.dir, "prod-fr") {
		if tn.Name == "acme" {
			acme = tn
		}
	}
	if acme == nil {
		t.Fatal("prod-fr has no tenant acme")
	}
	withStamp := func(stamp string) {
		w.edit(acme.Source.File, func(s string) string {
			s = strings.ReplaceAll(s, "\nstamp: 2\n", "\n")
			if stamp != "" {
				s += "stamp: " + stamp + "\n"
			}
			return s
		})
	}

	// A file that names stamp 2 moves nothing: stamp 1 stops at the
	// tenant's protected data, and stamp 2 cannot create the tenant's URL,
	// which stamp 1 still holds in the region's one zone.
	withStamp("2")
	if p := w.preview(); p.err == nil || !strings.Contains(p.err.Error(), "protect") {
		t.Errorf("stamp 1 after the move: want a refusal on protected resources, got %v", p.err)
	}
	r := s2.up()
	refused := opsOf(r.ops, "refuse", "azure-native:network:RecordSet", "acme-dns")
	if r.err == nil || len(refused) != 1 || !strings.Contains(refused[0].Error, "already exists") {
		t.Errorf("stamp 2 with the moved file: want the cloud to refuse acme's record, which stamp 1 holds; got %v %v", r.err, refused)
	}

	// The procedure of the README: decommission and purge in stamp 1 (the
	// data stays in stamp 1's subscription, for the migration), then the
	// file names stamp 2 again and the tenant is created anew there.
	withStamp("")
	w.setField(acme, "state", "decommissioned")
	w.mustUp("decommission in stamp 1")
	data, err := os.ReadFile(w.file(acme.Source.File))
	if err != nil {
		t.Fatal(err)
	}
	unprotect(t, w, acme)
	if err := os.Remove(w.file(acme.Source.File)); err != nil {
		t.Fatal(err)
	}
	w.mustUp("purge in stamp 1")
	moved := strings.Replace(string(data), "state: decommissioned", "state: active", 1) + "stamp: 2\n"
	if err := os.WriteFile(w.file(acme.Source.File), []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	r = s2.mustUp("acme in stamp 2")
	if n := len(opsOf(r.ops, "create", "azure-native:network:RecordSet", "acme-dns")); n != 1 {
		t.Errorf("stamp 2 did not create acme's record in the region's zone (%d)", n)
	}
	rec := one(t, w.cloud, "azure-native:network:RecordSet", "/dnszones/fr.kpax.cloud/A/acme")
	if !strings.HasPrefix(rec.URN, "urn:pulumi:prod-fr-2::") || subscriptionOf(rec.ID) != stamp1Subscription {
		t.Errorf("acme's record %s belongs to %s: want stamp 2's, in stamp 1's zone", rec.ID, rec.URN)
	}
	// Both databases exist: the old one, kept for the migration, and the
	// new one, in stamp 2's subscription.
	dbs := map[string]bool{}
	all, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range all {
		if rec.Type == "azure-native:sql:Database" && strings.HasSuffix(rec.ID, "/databases/sqldb-acme") {
			dbs[subscriptionOf(rec.ID)] = true
		}
	}
	if !dbs[stamp1Subscription] || !dbs[stamp2Subscription] {
		t.Errorf("acme's databases are in %v: want the old one in stamp 1's subscription and the new one in stamp 2's", dbs)
	}
	if p := w.preview(); p.err != nil || len(p.steps) != 0 {
		t.Errorf("stamp 1 after the move: %v %v", p.steps, p.err)
	}
}
