package lifecycle

import (
	"errors"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/simazure"
)

// certificatePathsOnAPrivateVault: once a region is up, the certificate's
// old hand path is closed, as Azure closes it: an operator who opens the
// platform vault's public access meets the stamp's guardrail, and an import
// from outside the VNet meets the vault's firewall. The program's path (the
// stack's secret config, written through ARM) is what the first up used.
func certificatePathsOnAPrivateVault(t *testing.T, w *world) {
	t.Helper()
	vault := platformVault(t, w)
	err := w.cloud.OperatorSet(vault.ID, "properties.publicNetworkAccess", "Enabled")
	if !refusedBy(err, simazure.RulePolicyDeny) {
		t.Errorf("opening the platform vault to import the certificate: want the guardrail's refusal, got %v", err)
	}
	err = w.cloud.DataPlaneSetSecret(vault.String("vaultName"), "wildcard-by-hand", "")
	if !refusedBy(err, simazure.RuleVaultFirewall) {
		t.Errorf("importing the certificate from outside the VNet: want the vault's firewall to refuse, got %v", err)
	}
}

// guardrailsUnchanged: no step of the lifecycle, the program's or an
// operator's, changed or removed a stamp's guardrail, and every vault
// stayed private throughout.
func guardrailsUnchanged(t *testing.T, w *world) {
	t.Helper()
	log, err := w.cloud.Log()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range log {
		if op.Op != "update" && op.Op != "delete" {
			continue
		}
		switch op.Type {
		case "azure-native:authorization:PolicyAssignment", "azure-native:authorization:PolicySetDefinition":
			if !strings.Contains(op.URN, "kpax:components:Tenant$") {
				t.Errorf("a stamp guardrail was changed: %s %s", op.Op, op.ID)
			}
		}
	}
	recs, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Type == "azure-native:keyvault:Vault" && r.String("properties.publicNetworkAccess") != "Disabled" {
			t.Errorf("vault %s has public network access %q", r.ID, r.String("properties.publicNetworkAccess"))
		}
	}
}

// platformVault is the stamp's platform Key Vault in the cloud.
func platformVault(t *testing.T, w *world) *simazure.Record {
	t.Helper()
	recs, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Type == "azure-native:keyvault:Vault" && strings.HasSuffix(r.String("resourceGroupName"), "-platform") {
			return r
		}
	}
	t.Fatal("no platform Key Vault in the cloud")
	return nil
}

// refusedBy reports whether err is the simulated Azure's refusal by rule.
func refusedBy(err error, rule simazure.Rule) bool {
	var r *simazure.Refusal
	return errors.As(err, &r) && r.Rule.Name == rule.Name
}
