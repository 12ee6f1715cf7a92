package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A region outgrows one stack by declaring a second stamp: a stack file, a
// count in the region file, and `stamp: 2` in the tenants that move there.
func TestSecondStampDeclaredAndPlanned(t *testing.T) {
	dir := copyProject(t)
	edit(t, dir, "regions/fr.yaml", "maxTenants: 60", "maxTenants: 60\nstamps: 2")
	edit(t, dir, "tenants/fr/bistro-lyon.yaml", "state: active", "state: active\nstamp: 2")
	// In stamp 1's subscription; the new stack takes its turn last.
	stack := "config:\n  kpax-cloud:region: fr\n  kpax-cloud:stamp: \"2\"\n  azure-native:location: francecentral\n" +
		"  azure-native:subscriptionId: 0d7c1c8b-c01d-4639-9d03-da0810c2a425\n"
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.prod-fr-2.yaml"), []byte(stack), 0o644); err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "rollout.yaml", "  - prod-us\n", "  - prod-us\n  - prod-fr-2\n")
	if code, out, errs := kpax("validate", "--dir", dir); code != exitOK {
		t.Fatalf("validate: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := kpax("plan", "--dir", dir, "--stack", "prod-fr-2")
	if code != exitOK {
		t.Fatalf("plan prod-fr-2: exit %d\n%s", code, errs)
	}
	for _, want := range []string{
		"+ kpax:components:RegionalCluster  region-fr-2",
		"+ kpax:components:Tenant  bistro-lyon  [vm, small, active, https://bistro-lyon.fr.kpax.cloud]",
		`stamp: 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan of prod-fr-2 lacks %q", want)
		}
	}
	if strings.Contains(out, "Tenant  acme") {
		t.Errorf("plan of prod-fr-2 holds stamp 1's tenant acme")
	}
	_, out, _ = kpax("plan", "--dir", dir, "--stack", "prod-fr")
	if strings.Contains(out, "bistro-lyon") {
		t.Errorf("plan of prod-fr still holds bistro-lyon")
	}
	// A stack file that names stamp 2 under stamp 1's stack name is refused.
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.prod-fr.yaml"), []byte(stack), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := kpax("plan", "--dir", dir, "--stack", "prod-fr"); code != exitInvalid || !strings.Contains(errs, "belong to stack prod-fr-2") {
		t.Errorf("mismatched stack file: exit %d, stderr %q", code, errs)
	}
}

// A stamp in its own subscription writes its tenants' records into stamp 1's
// zone through an explicit provider for stamp 1's subscription.
func TestStampInItsOwnSubscription(t *testing.T) {
	dir := copyProject(t)
	edit(t, dir, "regions/fr.yaml", "maxTenants: 60", "maxTenants: 60\nstamps: 2")
	edit(t, dir, "tenants/fr/acme.yaml", "state: active", "state: active\nstamp: 2")
	stack := "config:\n  kpax-cloud:region: fr\n  kpax-cloud:stamp: \"2\"\n  kpax-cloud:dnsSubscriptionId: 44444444-4444-4444-4444-444444444444\n" +
		"  azure-native:location: francecentral\n  azure-native:subscriptionId: 55555555-5555-5555-5555-555555555555\n"
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.prod-fr-2.yaml"), []byte(stack), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := kpax("plan", "--dir", dir, "--stack", "prod-fr-2", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var p struct {
		Resources []struct {
			URN, Type, Name, Provider string
			Inputs                    map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	var providerURN string
	for _, r := range p.Resources {
		if r.Type == "pulumi:providers:azure-native" {
			providerURN = r.URN
			if r.Inputs["subscriptionId"] != "44444444-4444-4444-4444-444444444444" {
				t.Errorf("DNS provider inputs = %v", r.Inputs)
			}
		}
	}
	if providerURN == "" {
		t.Fatal("no provider for stamp 1's subscription")
	}
	for _, r := range p.Resources {
		switch {
		case r.Type == "azure-native:network:RecordSet":
			if r.Provider != providerURN || r.Inputs["resourceGroupName"] != "rg-kpax-fr-platform" {
				t.Errorf("record %s: provider %q, group %v; want %s in rg-kpax-fr-platform", r.Name, r.Provider, r.Inputs["resourceGroupName"], providerURN)
			}
		case r.Provider != "":
			t.Errorf("%s %s goes through provider %s: only DNS records cross subscriptions", r.Type, r.Name, r.Provider)
		}
	}
}
