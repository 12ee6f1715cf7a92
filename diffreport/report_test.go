package diffreport

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/plan"
)

const (
	gatewayType = "azure-native:network:ApplicationGateway"
	vmType      = "azure-native:compute:VirtualMachine"
	policyType  = "azure-native:recoveryservices/v20241001:ProtectionPolicy"
	itemType    = "azure-native:recoveryservices:ProtectedItem"
	recordType  = "azure-native:network:RecordSet"
)

// world builds one stack's plan: tenant components, their resources and
// the region's gateway with an entry per tenant.
type world struct {
	p *plan.Plan
}

func newWorld(stack string) *world {
	return &world{p: &plan.Plan{Stack: stack, Outputs: map[string]any{"tenantStates": map[string]any{}}}}
}

func (w *world) urn(typ, name string) string {
	return fmt.Sprintf("urn:pulumi:%s::kpax-cloud::%s::%s", w.p.Stack, typ, name)
}

func (w *world) add(typ, name, parent string, inputs map[string]any) *plan.Resource {
	r := &plan.Resource{URN: w.urn(typ, name), Type: typ, Name: name, Custom: true, Inputs: inputs, ID: "/id/" + name}
	if parent != "" {
		r.Parent = w.urn(plan.TenantComponentType, parent)
	}
	w.p.Resources = append(w.p.Resources, r)
	return r
}

func (w *world) tenant(name, state string, tags map[string]any) {
	w.p.Resources = append(w.p.Resources, &plan.Resource{URN: w.urn(plan.TenantComponentType, name), Type: plan.TenantComponentType, Name: name, Inputs: map[string]any{}})
	w.p.Outputs["tenantStates"].(map[string]any)[name] = state
	w.add(recordType, name+"-dns", name, map[string]any{"relativeRecordSetName": name, "tags": tags})
}

func (w *world) gateway(entries map[string]string) {
	var listeners, pools []any
	for _, t := range sortedKeys(entries) {
		listeners = append(listeners, map[string]any{"name": "tenant-" + t, "hostName": entries[t]})
		pools = append(pools, map[string]any{"name": "pool-" + t})
	}
	pools = append(pools, map[string]any{"name": "default"})
	w.add(gatewayType, "region-fr-agw", "", map[string]any{"httpListeners": listeners, "backendAddressPools": pools, "sku": map[string]any{"tier": "WAF_v2"}})
}

func TestOwner(t *testing.T) {
	tenants := []string{"acme", "bistro-lyon", "lyon", "acme-2"}
	for _, tc := range []struct{ entry, want string }{
		{"tenant-acme", "acme"},
		{"pool-acme", "acme"},
		{"acme", "acme"},
		{"pool-acme-2", "acme-2"},
		{"tenant-bistro-lyon", "bistro-lyon"},
		{"KPAX_GRANT_BISTRO_LYON", "bistro-lyon"},
		{"KPAX_GRANT_ACME_2", "acme-2"},
		{"OPS_CLIENT_ID", ""},
		{"tenant-lyon", "lyon"},
		{"acmecorp", ""},
		{"default", ""},
		{"", ""},
	} {
		if got := Owner(tenants, tc.entry); got != tc.want {
			t.Errorf("Owner(%q) = %q, want %q", tc.entry, got, tc.want)
		}
	}
}

func TestSharedEntriesGoToTheirTenant(t *testing.T) {
	base, head := newWorld("prod-fr"), newWorld("prod-fr")
	base.tenant("acme", "active", nil)
	base.tenant("globex", "active", nil)
	base.gateway(map[string]string{"acme": "acme.fr.kpax.cloud", "globex": "globex.fr.kpax.cloud"})
	head.tenant("acme", "active", nil)
	head.tenant("globex", "active", nil)
	head.tenant("newco", "active", nil)
	head.gateway(map[string]string{"acme": "acme.fr.kpax.cloud", "globex": "globex.fr.kpax.cloud", "newco": "newco.fr.kpax.cloud"})

	r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
	if len(r.Stacks) != 1 || len(r.Stacks[0].Sections) != 1 {
		t.Fatalf("want one stack with one section (newco's), got %+v", r.Stacks)
	}
	sec := r.Stacks[0].Sections[0]
	if strings.Join(sec.Tenants, ",") != "newco" {
		t.Fatalf("section tenants = %v", sec.Tenants)
	}
	var gw *Change
	for i := range sec.Changes {
		if sec.Changes[i].Type == gatewayType {
			gw = &sec.Changes[i]
		}
	}
	if gw == nil || !gw.Shared || gw.Kind != "update" {
		t.Fatalf("the gateway's newco entries are not in newco's section: %+v", sec.Changes)
	}
	var paths []string
	for _, e := range gw.Edits {
		paths = append(paths, e.Kind+" "+e.Path)
	}
	if got, want := strings.Join(paths, "; "), "add backendAddressPools[pool-newco]; add httpListeners[tenant-newco]"; got != want {
		t.Errorf("gateway edits = %s, want %s", got, want)
	}
	if want := (Counts{Add: 2, Update: 1}); sec.Counts != want {
		t.Errorf("newco counts = %+v, want %+v", sec.Counts, want)
	}
	if want := (Counts{Add: 2, Update: 1}); r.Stacks[0].Counts != want {
		t.Errorf("stack counts = %+v, want %+v", r.Stacks[0].Counts, want)
	}
	md := r.Markdown(MarkdownOptions{})
	for _, other := range []string{"acme", "globex"} {
		if strings.Contains(md, other) {
			t.Errorf("a one-tenant change names %s:\n%s", other, md)
		}
	}
	for _, want := range []string{
		"#### tenant `newco`: 2 to add, 1 to update",
		"- `~` azure-native:network:ApplicationGateway `region-fr-agw` (shared by the region's tenants; this tenant's entries):\n  - `+` `backendAddressPools[pool-newco]`\n",
		"  - `+` `httpListeners[tenant-newco]`\n    - `hostName`: `\"newco.fr.kpax.cloud\"`\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestPlatformEditsStayWithThePlatform(t *testing.T) {
	base, head := newWorld("prod-fr"), newWorld("prod-fr")
	for _, w := range []*world{base, head} {
		w.tenant("acme", "active", nil)
		w.gateway(map[string]string{"acme": "acme.fr.kpax.cloud"})
	}
	gw := head.p.Get(gatewayType, "region-fr-agw")
	gw.Inputs["sku"] = map[string]any{"tier": "WAF_v2", "capacity": 3.0}
	gw.Inputs["httpListeners"].([]any)[0].(map[string]any)["hostName"] = "acme.example.com"

	r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
	secs := r.Stacks[0].Sections
	if len(secs) != 2 || len(secs[0].Tenants) != 0 || secs[1].Tenants[0] != "acme" {
		t.Fatalf("want a platform and an acme section, got %+v", secs)
	}
	if e := secs[0].Changes[0].Edits; len(e) != 1 || e[0].Path != "sku.capacity" || secs[0].Changes[0].Shared {
		t.Errorf("platform edits = %+v", e)
	}
	if e := secs[1].Changes[0].Edits; len(e) != 1 || e[0].Path != "httpListeners[tenant-acme].hostName" {
		t.Errorf("acme's edits = %+v", e)
	}
	if r.Stacks[0].Counts != (Counts{Update: 1}) {
		t.Errorf("the gateway counts once per stack: %+v", r.Stacks[0].Counts)
	}
	md := r.Markdown(MarkdownOptions{})
	if !strings.Contains(md, "  - `~` `httpListeners[tenant-acme].hostName`: `\"acme.fr.kpax.cloud\"` → `\"acme.example.com\"`\n") {
		t.Errorf("markdown lacks the listener's edit:\n%s", md)
	}
}

// fleet is n tenants in one stack with the same tag, and the same
// tenants with a tag added (costCenter differing per tenant when distinct).
func fleet(n int, distinct bool) (base, head *world) {
	base, head = newWorld("prod-fr"), newWorld("prod-fr")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("t%03d", i)
		base.tenant(name, "active", map[string]any{"tier": "small"})
		cc := "4000"
		if distinct {
			cc = fmt.Sprint(4000 + i)
		}
		head.tenant(name, "active", map[string]any{"tier": "small", "costCenter": cc})
	}
	return base, head
}

func TestIdenticalChangesAreGrouped(t *testing.T) {
	base, head := fleet(5, false)
	r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
	secs := r.Stacks[0].Sections
	if len(secs) != 1 || len(secs[0].Tenants) != 5 {
		t.Fatalf("want one section for 5 tenants, got %+v", secs)
	}
	c := secs[0].Changes[0]
	if c.Name != Placeholder+"-dns" || c.Edits[0].Path != "tags.costCenter" {
		t.Errorf("grouped change = %+v", c)
	}
	md := r.Markdown(MarkdownOptions{})
	for _, want := range []string{
		"#### the same change on 5 tenants of `prod-fr`: 1 to update each",
		"Tenants: `t000`, `t001`, `t002`, `t003`, `t004`.",
		"- `~` azure-native:network:RecordSet `{tenant}-dns`:\n  - `+` `tags.costCenter`: `\"4000\"`\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}

	base, head = fleet(5, true)
	r = Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
	if n := len(r.Stacks[0].Sections); n != 5 {
		t.Errorf("distinct changes are grouped: %d sections", n)
	}
}

func TestOverBudgetIsASummary(t *testing.T) {
	base, head := fleet(300, true)
	base.gateway(map[string]string{"t000": "a"})
	base.p.Get(gatewayType, "region-fr-agw").Protect = true
	r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
	full := r.Markdown(MarkdownOptions{})
	const budget = 8000
	if len(full) <= budget {
		t.Fatalf("the fixture fits the budget (%d)", len(full))
	}
	md := r.Markdown(MarkdownOptions{Budget: budget, FullDiff: "[the artifact](https://example.invalid/run/1)"})
	if len(md) > budget {
		t.Errorf("summary is %d characters, budget %d", len(md), budget)
	}
	for _, want := range []string{
		fmt.Sprintf("The full diff is %d characters, more than this comment's budget of 8000; it is in [the artifact](https://example.invalid/run/1).", len(full)),
		"**⚠ Protected data resource `region-fr-agw`", // the flag survives
		"### `prod-fr`: 0 to add, 300 to update, 0 to replace, 1 to delete",
		"| region platform | 0 | 0 | 0 | 1 |",
		"| tenant `t000` | 0 | 1 | 0 | 0 |",
		"more sections: see the full diff",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}

func TestFlags(t *testing.T) {
	// A VM's new image: ARM refuses the update (plan/semantics.go), the
	// program replaces the VM for it, deleting the old one first; the flag
	// says so, with the table's reason.
	vm := func(sku string, opts bool) func(w *world) {
		return func(w *world) {
			r := w.add(vmType, "acme-vm-1", "acme", map[string]any{"vmName": "vm-acme-1", "storageProfile": map[string]any{"imageReference": map[string]any{"sku": sku}}})
			if opts {
				r.ReplaceOnChanges, r.DeleteBeforeReplace = []string{"storageProfile.imageReference"}, true
			}
		}
	}
	t.Run("VM image change replaces the VM, with the reason", func(t *testing.T) {
		base, head := newWorld("prod-fr"), newWorld("prod-fr")
		for _, w := range []*world{base, head} {
			w.tenant("acme", "active", nil)
		}
		vm("22_04-lts-gen2", true)(base)
		vm("24_04-lts", true)(head)
		r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
		if len(r.Flags) != 1 || r.Flags[0].Reason != ReasonReplacement || r.Flags[0].Tenant != "acme" ||
			!strings.Contains(r.Flags[0].Message, "is replaced (the old one is deleted first): Azure cannot change `storageProfile.imageReference.sku` in place. Why: replaceOnChanges; without it: ARM refuses to change storageProfile.imageReference in place, PropertyChangeNotAllowed (https://github.com/pulumi/pulumi-azure-native/issues/1117") {
			t.Errorf("flags = %+v", r.Flags)
		}
		if md := r.Markdown(MarkdownOptions{}); !strings.Contains(md, "`storageProfile.imageReference.sku`: `\"22_04-lts-gen2\"` → `\"24_04-lts\"` **forces replacement**") {
			t.Errorf("markdown does not mark the replacing edit:\n%s", md)
		}
	})
	t.Run("VM image change the program does not handle", func(t *testing.T) {
		base, head := newWorld("prod-fr"), newWorld("prod-fr")
		for _, w := range []*world{base, head} {
			w.tenant("acme", "active", nil)
		}
		vm("22_04-lts-gen2", false)(base)
		vm("24_04-lts", false)(head)
		r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
		if len(r.Flags) != 1 || r.Flags[0].Reason != ReasonRefused || !strings.Contains(r.Flags[0].Message, "The up fails there") {
			t.Errorf("flags = %+v", r.Flags)
		}
	})
	t.Run("ignored update", func(t *testing.T) {
		base, head := newWorld("prod-fr"), newWorld("prod-fr")
		base.add("azure-native:app:ManagedEnvironment", "region-fr-cae", "", map[string]any{"environmentName": "cae", "vnetConfiguration": map[string]any{"internal": true}})
		head.add("azure-native:app:ManagedEnvironment", "region-fr-cae", "", map[string]any{"environmentName": "cae", "vnetConfiguration": map[string]any{"internal": false}})
		r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
		if len(r.Flags) != 1 || r.Flags[0].Reason != ReasonIgnored || !strings.Contains(r.Flags[0].Message, "nothing changes in Azure") {
			t.Errorf("flags = %+v", r.Flags)
		}
		// A program that ignores it has no change at all.
		head.p.Resources[len(head.p.Resources)-1].IgnoreChanges = []string{"vnetConfiguration"}
		if r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}}); len(r.Flags) != 0 {
			t.Errorf("an ignored path is flagged: %+v", r.Flags)
		}
	})

	t.Run("shorter backup retention", func(t *testing.T) {
		base, head := newWorld("prod-fr"), newWorld("prod-fr")
		for _, w := range []*world{base, head} {
			w.tenant("acme", "active", nil)
			for _, days := range []float64{30, 7} {
				w.add(policyType, fmt.Sprintf("region-fr-policy-fs-%v", days), "", map[string]any{"properties": map[string]any{"vaultRetentionPolicy": map[string]any{
					"vaultRetention": map[string]any{"dailySchedule": map[string]any{"retentionDuration": map[string]any{"count": days}}}}}})
			}
		}
		base.add(itemType, "acme-share-backup", "acme", map[string]any{"properties": map[string]any{"policyId": "/id/region-fr-policy-fs-30"}})
		head.add(itemType, "acme-share-backup", "acme", map[string]any{"properties": map[string]any{"policyId": "/id/region-fr-policy-fs-7"}})
		r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
		if len(r.Flags) != 1 || r.Flags[0].Reason != ReasonRetentionLowered || !strings.Contains(r.Flags[0].Message, "would be kept 7 days instead of 30") {
			t.Errorf("flags = %+v", r.Flags)
		}
		// A longer retention is not flagged.
		r = Build("main", []StackPlans{{Stack: "prod-fr", Base: head.p, Head: base.p}})
		if len(r.Flags) != 0 {
			t.Errorf("a longer retention is flagged: %+v", r.Flags)
		}
	})

	t.Run("moves", func(t *testing.T) {
		for _, tc := range []struct{ from, to, want string }{
			{"prod-fr", "prod-uk", "Tenant `acme` moves from `prod-fr` to `prod-uk`: a tenant's data never leaves its region"},
			{"prod-fr", "prod-fr-2", "Tenant `acme` moves from stamp `prod-fr` to `prod-fr-2`: its data does not move with it"},
		} {
			oldFrom, oldTo := newWorld(tc.from), newWorld(tc.to)
			oldFrom.tenant("acme", "active", nil)
			newFrom, newTo := newWorld(tc.from), newWorld(tc.to)
			newTo.tenant("acme", "active", nil)
			r := Build("main", []StackPlans{{Stack: tc.from, Base: oldFrom.p, Head: newFrom.p}, {Stack: tc.to, Base: oldTo.p, Head: newTo.p}})
			var reasons []string
			found := false
			for _, f := range r.Flags {
				reasons = append(reasons, string(f.Reason))
				found = found || strings.HasPrefix(f.Message, tc.want)
			}
			if !found || strings.Join(reasons, ",") != "removed-without-decommissioning,moved" {
				t.Errorf("%s → %s: flags = %+v", tc.from, tc.to, r.Flags)
			}
		}
	})
}

// The JSON document holds every fact the comment shows: the comment
// rendered from the parsed JSON is the same comment.
func TestJSONRoundTripsTheMarkdown(t *testing.T) {
	base, head := fleet(3, true)
	base.gateway(map[string]string{"t000": "a.fr", "t001": "b.fr"})
	head.gateway(map[string]string{"t000": "a2.fr", "t002": "c.fr"})
	head.p.Get(gatewayType, "region-fr-agw").Inputs["sku"] = map[string]any{"tier": "WAF_v2", "capacity": 2}
	r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p}})
	doc, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(doc, &back); err != nil {
		t.Fatal(err)
	}
	for _, o := range []MarkdownOptions{{}, {Budget: 1200, FullDiff: "the artifact"}} {
		if got, want := back.Markdown(o), r.Markdown(o); got != want {
			t.Errorf("budget %d: the Markdown of the parsed JSON differs:\n%s\n---\n%s", o.Budget, got, want)
		}
	}
}

func TestScriptsAreDiffedByLine(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	var b strings.Builder
	writeEdit(&b, plan.Edit{Path: "settings.script", Kind: "update",
		Old: enc("#!/bin/sh\nKPAX_URL=https://a.example\nexec kpax\n"), New: enc("#!/bin/sh\nKPAX_URL=https://b.example\nexec kpax\n")})
	want := "  - `~` `settings.script` (base64-decoded lines removed and added):\n" +
		"    - `-` `KPAX_URL=https://a.example`\n" +
		"    - `+` `KPAX_URL=https://b.example`\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// A one-line value, even base64, is shown around its difference.
	b.Reset()
	writeEdit(&b, plan.Edit{Path: "p", Kind: "update", Old: enc("one line only"), New: enc("one line, too")})
	if !strings.Contains(b.String(), " → ") {
		t.Errorf("a one-line value is diffed by line: %s", b.String())
	}
}

func TestCodeSpans(t *testing.T) {
	for _, tc := range []struct{ give, want string }{
		{`"a"`, "`\"a\"`"},
		{"a`b", "``a`b``"},
		{"`a", "`` `a ``"},
	} {
		if got := code(tc.give); got != tc.want {
			t.Errorf("code(%q) = %q, want %q", tc.give, got, tc.want)
		}
	}
}

// A stack file that names another subscription is flagged: the provider
// shows no change for it, so the preview would not tell.
func TestSubscriptionChangeIsFlagged(t *testing.T) {
	base, head := fleet(1, true)
	const a, b = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
	for _, tc := range []struct {
		from, to string
		flagged  bool
	}{
		{a, a, false},
		{a, strings.ToUpper(a), false},
		{"", a, false}, // a new stack, or one that had no subscription
		{a, b, true},
		{a, "", true},
	} {
		r := Build("main", []StackPlans{{Stack: "prod-fr", Base: base.p, Head: head.p, BaseSubscription: tc.from, HeadSubscription: tc.to}})
		got := len(r.Flags) == 1 && r.Flags[0].Reason == ReasonSubscription && strings.Contains(r.Flags[0].Message, "moves from subscription")
		if got != tc.flagged || (!tc.flagged && len(r.Flags) != 0) {
			t.Errorf("%q → %q: flags %+v, want flagged=%v", tc.from, tc.to, r.Flags, tc.flagged)
		}
	}
}
