// Package release is the health gate of a KPAX server release: whether a
// ring's tenants have run a version long enough, and without alerts, for the
// next ring to get it (issue 22; README, "Releasing a KPAX version"). It reads
// no YAML and imports no Azure SDK: its inputs come from the project (the
// ring's tenants) and from Azure through `az` (azure.go), so that it runs in
// CI with read rights only and in tests with a stand-in for az.
package release

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// The states of a tenant, as its file says (spec.State*): only an active
// tenant serves, so only an active tenant can prove a version.
const (
	StateActive         = "active"
	StateSuspended      = "suspended"
	StateDecommissioned = "decommissioned"
)

// GatedAlerts are the kinds of a tenant's alerts that stop a promotion: its
// URL fails (availability test), the gateway finds its backends unhealthy,
// its server answers 5xx. components/tenant_alerts.go creates them, named by
// alertName: kpax-<tenant>-<kind>. The database's and file share's alerts
// are the platform's, not the server version's, and do not gate.
var GatedAlerts = []string{"availability", "gateway-backend", "server-5xx"}

// AlertNames are the names of tenant's gated alert rules.
func AlertNames(tenant string) []string {
	out := make([]string, len(GatedAlerts))
	for i, kind := range GatedAlerts {
		out[i] = "kpax-" + tenant + "-" + kind
	}
	return out
}

// Tenant is one tenant of the ring, as the gate sees it.
type Tenant struct {
	Name  string `json:"name"`
	Stack string `json:"stack"`
	// State is the tenant file's state: active, suspended or decommissioned.
	State string `json:"state"`
	// Running is the image the tenant runs, as Azure reports it ("" when
	// not read: a tenant that does not serve).
	Running string `json:"running,omitempty"`
	// Since is when the tenant started running the gated version, all of
	// its replicas or VMs; zero when it does not run it.
	Since time.Time `json:"since,omitempty"`
}

// Alert is one fired alert of the alert history.
type Alert struct {
	// Name is the alert rule's name (kpax-<tenant>-<kind>).
	Name string `json:"name"`
	// Tenant is the tenant whose resource group holds the rule; "" when
	// unknown, and then the name alone decides.
	Tenant string `json:"tenant,omitempty"`
	// FiredAt is when the alert fired (its startDateTime); ResolvedAt when
	// its condition resolved, zero while it is still fired.
	FiredAt    time.Time `json:"firedAt"`
	ResolvedAt time.Time `json:"resolvedAt,omitempty"`
}

// GateInput is what the gate decides on.
type GateInput struct {
	Ring    string
	Version string
	// Soak is how long every active tenant of the ring must have run the
	// version, with none of its gated alerts fired.
	Soak    time.Duration
	Now     time.Time
	Tenants []Tenant
	Alerts  []Alert
}

// Verdict is the gate's answer for one tenant.
type Verdict struct {
	Name  string `json:"name"`
	Stack string `json:"stack"`
	State string `json:"state"`
	// Counted: the tenant is active, so the gate holds it to the soak.
	Counted bool `json:"counted"`
	Pass    bool `json:"pass"`
	// Reasons say why not (empty when it passes or does not count), or
	// why the tenant does not count.
	Reasons []string `json:"reasons,omitempty"`
}

// GateResult is the gate's answer for the ring.
type GateResult struct {
	Ring    string `json:"ring"`
	Version string `json:"version"`
	Pass    bool   `json:"pass"`
	// Reason sums the answer up in one sentence.
	Reason  string    `json:"reason"`
	Tenants []Verdict `json:"tenants"`
}

// Gate answers whether in.Ring may hand in.Version to the next ring: every
// active tenant of the ring has run the version for at least in.Soak, and
// none of its gated alerts (AlertNames) fired, or stayed fired, within the
// soak window (in.Now-in.Soak, in.Now]. Suspended and decommissioned tenants
// serve no one, prove nothing and do not count. A ring without an active
// tenant does not pass: nothing has proved the version.
func Gate(in GateInput) GateResult {
	res := GateResult{Ring: in.Ring, Version: in.Version}
	windowStart := in.Now.Add(-in.Soak)
	tenants := append([]Tenant(nil), in.Tenants...)
	sort.Slice(tenants, func(i, j int) bool {
		if tenants[i].Stack != tenants[j].Stack {
			return tenants[i].Stack < tenants[j].Stack
		}
		return tenants[i].Name < tenants[j].Name
	})
	counted, failed := 0, 0
	for _, t := range tenants {
		v := Verdict{Name: t.Name, Stack: t.Stack, State: t.State}
		if t.State != StateActive {
			v.Reasons = []string{fmt.Sprintf("%s: serves no one, does not count", t.State)}
			res.Tenants = append(res.Tenants, v)
			continue
		}
		v.Counted = true
		counted++
		switch {
		case t.Since.IsZero():
			running := t.Running
			if running == "" {
				running = "nothing Azure reports"
			}
			v.Reasons = append(v.Reasons, fmt.Sprintf("does not run %s (runs %s)", in.Version, running))
		case t.Since.After(windowStart):
			ran := in.Now.Sub(t.Since).Truncate(time.Minute)
			if ran < 0 {
				ran = 0
			}
			v.Reasons = append(v.Reasons, fmt.Sprintf("has run %s for %s since %s, not the soak of %s (ready at %s)",
				in.Version, ran, t.Since.UTC().Format(time.RFC3339), in.Soak, t.Since.Add(in.Soak).UTC().Format(time.RFC3339)))
		}
		for _, a := range tenantAlerts(t.Name, in.Alerts) {
			if a.FiredAt.After(in.Now) || (!a.ResolvedAt.IsZero() && a.ResolvedAt.Before(windowStart)) {
				continue
			}
			if a.ResolvedAt.IsZero() {
				v.Reasons = append(v.Reasons, fmt.Sprintf("alert %s fired at %s and is still fired", a.Name, a.FiredAt.UTC().Format(time.RFC3339)))
			} else {
				v.Reasons = append(v.Reasons, fmt.Sprintf("alert %s fired at %s (resolved %s)", a.Name, a.FiredAt.UTC().Format(time.RFC3339), a.ResolvedAt.UTC().Format(time.RFC3339)))
			}
		}
		v.Pass = len(v.Reasons) == 0
		if !v.Pass {
			failed++
		}
		res.Tenants = append(res.Tenants, v)
	}
	switch {
	case counted == 0:
		res.Reason = fmt.Sprintf("ring %s has no active tenant: nothing has proved %s", in.Ring, in.Version)
	case failed > 0:
		res.Reason = fmt.Sprintf("ring %s: %d of %d active tenants have not proved %s over the soak of %s", in.Ring, failed, counted, in.Version, in.Soak)
	default:
		res.Pass = true
		res.Reason = fmt.Sprintf("ring %s: all %d active tenants have run %s for %s with no availability, backend or 5xx alert", in.Ring, counted, in.Version, in.Soak)
	}
	return res
}

// tenantAlerts are the alerts of the history that are tenant's gated ones,
// by rule name, and of its resource group when the history says which.
func tenantAlerts(tenant string, alerts []Alert) []Alert {
	names := AlertNames(tenant)
	var out []Alert
	for _, a := range alerts {
		if a.Tenant != "" && a.Tenant != tenant {
			continue
		}
		for _, n := range names {
			if strings.EqualFold(a.Name, n) {
				out = append(out, a)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FiredAt.Before(out[j].FiredAt) })
	return out
}

// Text is the result as the check prints it: the answer, then each tenant
// that does not pass or does not count, with why.
func (r GateResult) Text() string {
	var b strings.Builder
	verdict := "PASS"
	if !r.Pass {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "gate %s of ring %s at %s: %s\n", verdict, r.Ring, r.Version, r.Reason)
	for _, v := range r.Tenants {
		switch {
		case v.Pass:
			fmt.Fprintf(&b, "  ok   %s/%s\n", v.Stack, v.Name)
		case !v.Counted:
			fmt.Fprintf(&b, "  skip %s/%s: %s\n", v.Stack, v.Name, strings.Join(v.Reasons, "; "))
		default:
			fmt.Fprintf(&b, "  FAIL %s/%s: %s\n", v.Stack, v.Name, strings.Join(v.Reasons, "; "))
		}
	}
	return b.String()
}
