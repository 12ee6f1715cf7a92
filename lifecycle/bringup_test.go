package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kpax/kpax-cloud/components"

	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
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

// runGrants is the deploy workflow's step after `up`: start the stamp's
// grant job and read its execution. The Entra steps of README ("The
// operators' path"), the ops identity in the operators group and Directory
// Readers for each SQL server's identity, are made here as the operator
// makes them, unless group is "".
func runGrants(t *testing.T, w *world, group string) simazure.Execution {
	t.Helper()
	recs, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	var job, identity *simazure.Record
	for _, r := range recs {
		switch {
		case r.Type == "azure-native:app:Job" && strings.HasSuffix(r.String("jobName"), "-grants"):
			job = r
		case r.Type == "azure-native:managedidentity:UserAssignedIdentity" && strings.HasSuffix(r.String("resourceName"), "-ops"):
			identity = r
		}
	}
	if job == nil || identity == nil {
		t.Fatalf("no grant job (%v) or ops identity (%v) in the cloud", job != nil, identity != nil)
	}
	principal, err := w.cloud.OutputString(identity.ID, "principalId")
	if err != nil {
		t.Fatal(err)
	}
	if group != "" {
		if err := w.cloud.AddGroupMember(group, principal); err != nil {
			t.Fatal(err)
		}
		// ... and each SQL server's identity holds Directory Readers.
		for _, r := range recs {
			if r.Type != "azure-native:sql:Server" {
				continue
			}
			server, err := w.cloud.OutputString(r.ID, "identity.principalId")
			if err != nil || server == "" {
				t.Fatalf("SQL server %s has no identity (%v)", r.ID, err)
			}
			if err := w.cloud.AddDirectoryReader(server); err != nil {
				t.Fatal(err)
			}
		}
	}
	ex, err := w.cloud.StartJob(job.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// grantsHold: the grant job succeeded with one ok line per live tenant,
// and each live tenant's identity is db_owner of its own database and
// nothing else is a user there.
func grantsHold(t *testing.T, w *world, what string, ex simazure.Execution, tenants []*spec.Tenant) {
	t.Helper()
	if ex.Status != "Succeeded" {
		t.Errorf("%s: the grant job %s: %v", what, ex.Status, ex.Log)
	}
	recs, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range tenants {
		if tn.State == spec.StateDecommissioned {
			continue
		}
		user := "id-kpax-" + tn.Region + "-" + tn.Name
		line := "kpax-grant tenant=" + tn.Name + " database=sqldb-" + tn.Name + " user=" + user + " role=db_owner result=ok"
		if !slices.Contains(ex.Log, line) {
			t.Errorf("%s: no log line %q in %v", what, line, ex.Log)
		}
		for _, r := range recs {
			if r.Type != "azure-native:sql:Database" || r.String("databaseName") != "sqldb-"+tn.Name {
				continue
			}
			users, err := w.cloud.DatabaseUsers(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(users) != "["+user+":db_owner]" {
				t.Errorf("%s: users of %s: %v, want %s as db_owner alone", what, r.ID, users, user)
			}
		}
	}
}

// guardrailsFirst: after a first up, every resource of a group the program
// guards was created once the group's guardrails applied: after the
// assignment and Azure's five minutes to apply it (components.PolicyPropagationWait),
// on the simulated clock. Earlier, Azure would have let it through unchecked.
func guardrailsFirst(t *testing.T, w *world) {
	t.Helper()
	wait, err := time.ParseDuration(components.PolicyPropagationWait)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := w.cloud.Records()
	if err != nil {
		t.Fatal(err)
	}
	applies := map[string]time.Time{}
	for _, r := range recs {
		if r.Type == "azure-native:authorization:PolicyAssignment" && strings.HasSuffix(r.ID, "/policyAssignments/kpax-guardrails") {
			applies[groupOf(r.ID)] = r.Created.Add(wait)
		}
	}
	if len(applies) == 0 {
		t.Error("first up: no guardrails were assigned")
	}
	for _, r := range recs {
		at, ours := applies[groupOf(r.ID)]
		switch {
		case !ours || r.Type == "azure-native:resources:ResourceGroup" || r.Type == "azure-native:authorization:PolicyAssignment":
		case r.Created.Before(at):
			t.Errorf("first up: %s %s was created at %s, before its group's guardrails applied (%s)", r.Type, r.ID, r.Created.Format(time.TimeOnly), at.Format(time.TimeOnly))
		}
	}
}

// groupOf is the resource group ID an ID lies in (lower case), or "".
func groupOf(id string) string {
	l := strings.ToLower(id)
	i := strings.Index(l, "/resourcegroups/")
	if i < 0 {
		return ""
	}
	rest := l[i+len("/resourcegroups/"):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return l[:i] + "/resourcegroups/" + rest
}
