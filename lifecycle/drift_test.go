// The nightly drift job on the real engine: a refresh preview that expects
// no changes, as .github/workflows/drift.yml runs it, after changes made
// outside the program in the simulated Azure; its steps read by the drift
// package as kpax drift reads them.

package lifecycle

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/kpax/kpax-cloud/drift"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
)

// nightlyPreview is the drift job's preview, `pulumi preview --refresh
// --expect-no-changes`, through the Automation API: the real engine and
// CLI, but the inline program, since the CLI needs Pulumi's Go language host
// to run a Go program from a folder and the module proxy here does not
// serve github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3 (403). The
// steps are what --json prints as its digest (pkg/v3/display/json.go,
// PreviewDigest.Steps: op, urn, diffReasons, detailedDiff); it returns them
// and whether the preview failed.
func (w *world) nightlyPreview() (*drift.Preview, bool) {
	w.t.Helper()
	ch := make(chan events.EngineEvent)
	done := make(chan []drift.Step)
	go func() {
		var steps []drift.Step
		for ev := range ch {
			if ev.ResourcePreEvent == nil {
				continue
			}
			m := ev.ResourcePreEvent.Metadata
			st := drift.Step{Op: string(m.Op), URN: m.URN, DiffReasons: m.Diffs, DetailedDiff: map[string]drift.PropertyDiff{}}
			for k, d := range m.DetailedDiff {
				st.DetailedDiff[k] = drift.PropertyDiff{Kind: string(d.Kind)}
			}
			steps = append(steps, st)
		}
		done <- steps
	}()
	_, err := w.stack.Preview(context.Background(), optpreview.Refresh(), optpreview.ExpectNoChanges(), optpreview.EventStreams(ch))
	steps := <-done
	if err != nil && !strings.Contains(err.Error(), "no changes were expected") {
		w.t.Fatalf("preview --refresh: %v", err)
	}
	return &drift.Preview{Steps: steps}, err != nil
}

func TestNightlyDriftPreview(t *testing.T) {
	w := newWorld(t, "prod-uk")
	w.mustUp("first up")

	proj, err := spec.LoadProject(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, tn := range proj.Tenants {
		files[tn.Name] = tn.Source.File
	}
	offline, err := program.Plan(w.dir, w.name)
	if err != nil {
		t.Fatal(err)
	}
	ignore, err := drift.LoadIgnoreList()
	if err != nil {
		t.Fatal(err)
	}
	report := func(pv *drift.Preview) *drift.Report {
		t.Helper()
		return drift.Build(w.name, pv, offline, ignore.Rules, files, "regions/uk.yaml")
	}

	pv, failed := w.nightlyPreview()
	if r := report(pv); failed || r.Drifted() || len(pv.Steps) == 0 {
		t.Fatalf("right after up: failed %v, %d steps, drift:\n%s", failed, len(pv.Steps), r.Markdown())
	}

	// Someone tries to open thames-print's storage account to the internet
	// in the portal: the stamp's guardrails refuse it, so there is nothing
	// to drift.
	// The tenant's own account (its second one holds the blob copy).
	account := one(t, w.cloud, "azure-native:storage:StorageAccount", "/resourceGroups/rg-kpax-uk-thames-print/providers/Microsoft.Storage/storageAccounts/st")
	var refusal *simazure.Refusal
	if err := w.cloud.OperatorSet(account.ID, "publicNetworkAccess", "Enabled"); !errors.As(err, &refusal) || refusal.Rule.Name != simazure.RulePolicyDeny.Name {
		t.Fatalf("opening a tenant's storage account in the portal: want a refusal by the guardrails, got %v", err)
	}
	// What no guardrail covers drifts: anonymous blob access allowed on
	// that account, and the region's log retention shortened.
	if err := w.cloud.OperatorSet(account.ID, "allowBlobPublicAccess", true); err != nil {
		t.Fatal(err)
	}
	workspace := one(t, w.cloud, "azure-native:operationalinsights:Workspace", "/resourceGroups/rg-kpax-uk-platform/")
	if err := w.cloud.OperatorSet(workspace.ID, "retentionInDays", 30); err != nil {
		t.Fatal(err)
	}
	pv, failed = w.nightlyPreview()
	if !failed {
		t.Errorf("--expect-no-changes did not fail on drift")
	}
	r := report(pv)
	md := r.Markdown()
	for _, want := range []string{
		"### tenant `thames-print`: `tenants/uk/thames-print.yaml`\n\n- azure-native:storage:StorageAccount `thames-print-storage` differs: `allowBlobPublicAccess`",
		"### region platform: `regions/uk.yaml`\n\n- azure-native:operationalinsights:Workspace `region-uk-log` differs: `retentionInDays`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("drift report lacks\n%s\n--- got:\n%s", want, md)
		}
	}
	if len(r.Sections) != 2 || strings.Contains(md, "globex") {
		t.Errorf("drift beyond the two changes:\n%s", md)
	}

	// pulumi up --refresh puts the program's values back (a plain up
	// compares with the state, which the preview did not write); the next
	// night is clean.
	w.mustUp("revert the drift", optup.Refresh())
	if pv, failed := w.nightlyPreview(); failed || report(pv).Drifted() {
		t.Errorf("after up: failed %v, drift:\n%s", failed, report(pv).Markdown())
	}
}
