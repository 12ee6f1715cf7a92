// The changes a human must approve explicitly: CI requires a label on the
// pull request when any is found.

package diffreport

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Flag is one change that needs approval.
type Flag struct {
	Reason  Reason `json:"reason"`
	Stack   string `json:"stack"`
	Tenant  string `json:"tenant,omitempty"`
	Message string `json:"message"`
}

// Reason is why a change is flagged.
type Reason string

// The reasons a change is flagged.
const (
	// ReasonRemoved: a tenant's file is gone while the tenant was not
	// decommissioned; its protected data stops the update.
	ReasonRemoved Reason = "removed-without-decommissioning"
	// ReasonProtectedData: a protected resource (data) would be deleted or
	// replaced.
	ReasonProtectedData Reason = "protected-data"
	// ReasonReplacement: Azure applies an input only by deleting and
	// recreating the resource.
	ReasonReplacement Reason = "replacement"
	// ReasonMoved: a tenant leaves one stack for another.
	ReasonMoved Reason = "moved"
	// ReasonRetentionLowered: a tenant's backups would be kept for less
	// time, which an immutable vault refuses.
	ReasonRetentionLowered Reason = "retention-lowered"
	// ReasonSubscription: a deployed stack's file names another
	// subscription. azure-native's DiffConfig reports no change for it, so
	// the preview shows nothing: existing resources stay where they are,
	// and new ones go to the new subscription.
	ReasonSubscription Reason = "subscription-changed"
	// ReasonRefused: the provider would send an in-place update that ARM
	// refuses (plan/semantics.go), and the program does not replace the
	// resource for it: the up fails there.
	ReasonRefused Reason = "update-refused"
	// ReasonIgnored: ARM would accept the update and keep the old value:
	// the change silently does nothing.
	ReasonIgnored Reason = "update-ignored"
)

// unhandled flags the edits of a change that Azure refuses or ignores in
// place and that the program does not replace the resource for.
func unhandled(s StackPlans, c plan.Change, tenants []string) []Flag {
	var out []Flag
	for _, e := range c.Edits {
		who := c.Tenant
		if who == "" {
			who = Owner(tenants, e.Entry())
		}
		switch e.Effect {
		case plan.EffectRefused:
			out = append(out, Flag{ReasonRefused, s.Stack, who, fmt.Sprintf(
				"`%s` (%s) in `%s`: `%s` changes, which %s. The up fails there: replace the resource for it (replaceOnChanges, and deleteBeforeReplace when its name is fixed), or leave the value as it is.",
				c.Name, c.Type, s.Stack, e.Path, e.Reason)})
		case plan.EffectIgnored:
			out = append(out, Flag{ReasonIgnored, s.Stack, who, fmt.Sprintf(
				"`%s` (%s) in `%s`: `%s` changes, but %s: the up succeeds and nothing changes in Azure. Change it through the resource that owns it, or ignore it (ignoreChanges).",
				c.Name, c.Type, s.Stack, e.Path, e.Reason)})
		}
	}
	return out
}

// deletedFirst says when a replacement deletes the old resource first: the
// program asks for it, or azure-native replaces on its own (it deletes first
// every resource whose name it did not make up).
func deletedFirst(head *plan.Plan, c plan.Change) string {
	if r := head.ByURN(c.URN); r != nil && r.DeleteBeforeReplace {
		return " (the old one is deleted first)"
	}
	if strings.HasPrefix(c.Type, "azure-native:") {
		for _, e := range c.Edits {
			if e.Replaces && plan.SemanticOf(c.Type, e.Dotted()).Effect == plan.EffectReplace {
				return " (the old one is deleted first)"
			}
		}
	}
	return ""
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// immutableVaultSource is why a shorter retention is refused.
const immutableVaultSource = "https://learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept#restricted-operations"

func flags(stacks []StackPlans, compared [][]plan.Change) []Flag {
	var out []Flag
	removed := map[string]string{} // tenant -> stack it left
	added := map[string]string{}
	for i, s := range stacks {
		if s.BaseSubscription != "" && !strings.EqualFold(s.BaseSubscription, s.HeadSubscription) {
			out = append(out, Flag{ReasonSubscription, s.Stack, "", fmt.Sprintf(
				"Stack `%s` moves from subscription `%s` to `%s`: the provider treats it as no change, so its resources stay in the old subscription while new ones go to the new. A stack does not move between subscriptions; open a new stamp there and move tenants (README, Stamps).",
				s.Stack, s.BaseSubscription, orNone(s.HeadSubscription))})
		}
		states, _ := s.Base.Outputs["tenantStates"].(map[string]any)
		tenants := tenantNames(s.Base, s.Head)
		for _, c := range compared[i] {
			switch {
			case c.Type == plan.TenantComponentType && c.Kind == "delete":
				removed[c.Name] = s.Stack
				if states[c.Name] != "decommissioned" {
					out = append(out, Flag{ReasonRemoved, s.Stack, c.Name, fmt.Sprintf(
						"Tenant `%s` is removed from `%s` without `state: decommissioned` first (it was %v). Its protected data stops the update; set `state: decommissioned` instead.",
						c.Name, s.Stack, states[c.Name])})
				}
			case c.Type == plan.TenantComponentType && c.Kind == "add":
				added[c.Name] = s.Stack
			case c.Protected && (c.Kind == "delete" || c.Kind == "replace"):
				out = append(out, Flag{ReasonProtectedData, s.Stack, c.Tenant, fmt.Sprintf(
					"Protected data resource `%s` (%s) would be %sd in `%s`.", c.Name, c.Type, strings.TrimSuffix(c.Kind, "e"), s.Stack)})
			case c.Kind == "replace":
				// One flag per tenant whose entries force it, so that a
				// replacement hidden in a shared resource's list entry
				// names its tenant.
				paths := map[string][]string{}
				reasons := map[string][]string{}
				for _, e := range c.Edits {
					if e.Replaces {
						who := c.Tenant
						if who == "" {
							who = Owner(tenants, e.Entry())
						}
						paths[who] = append(paths[who], "`"+e.Path+"`")
						reasons[who] = appendOnce(reasons[who], e.Reason)
					}
				}
				for _, who := range sortedKeys(paths) {
					out = append(out, Flag{ReasonReplacement, s.Stack, who, fmt.Sprintf(
						"`%s` (%s) in `%s` is replaced%s: Azure cannot change %s in place. Why: %s.", c.Name, c.Type, s.Stack,
						deletedFirst(s.Head, c), strings.Join(paths[who], ", "), strings.Join(reasons[who], "; "))})
				}
			}
			out = append(out, unhandled(s, c, tenants)...)
			if f, ok := retentionLowered(s, c); ok {
				out = append(out, f)
			}
		}
	}
	for name, from := range removed {
		to, ok := added[name]
		if !ok {
			continue
		}
		fromRegion, _, _ := spec.ParseStampStackName(from)
		toRegion, _, _ := spec.ParseStampStackName(to)
		msg := fmt.Sprintf("Tenant `%s` moves from `%s` to `%s`: a tenant's data never leaves its region; create a new tenant and migrate instead.", name, from, to)
		if fromRegion == toRegion {
			msg = fmt.Sprintf("Tenant `%s` moves from stamp `%s` to `%s`: its data does not move with it, and the old stamp stops on its protected data. Decommission it in `%s` first, then create it in `%s` (README, Stamps).", name, from, to, from, to)
		}
		out = append(out, Flag{ReasonMoved, to, name, msg})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Message < out[j].Message })
	if out == nil {
		out = []Flag{}
	}
	return out
}

// retentionLowered flags a tenant's protected item that moves to a backup
// policy keeping recovery points for fewer days, or a policy whose own
// retention drops: the region's vault is immutable, and Azure refuses both.
func retentionLowered(s StackPlans, c plan.Change) (Flag, bool) {
	for _, e := range c.Edits {
		switch {
		case strings.HasSuffix(plan.Unversioned(c.Type), ":ProtectedItem") && e.Path == "properties.policyId":
			oldDays, okOld := policyDays(s.Base, e.Old)
			newDays, okNew := policyDays(s.Head, e.New)
			if okOld && okNew && newDays < oldDays {
				return Flag{ReasonRetentionLowered, s.Stack, c.Tenant, fmt.Sprintf(
					"The backups of `%s` in `%s` would be kept %d days instead of %d: `%s` moves to a shorter policy, which the region's immutable vault refuses (%s). Keep the retention, or restore what must be kept elsewhere first.",
					c.Tenant, s.Stack, newDays, oldDays, c.Name, immutableVaultSource)}, true
			}
		case strings.HasSuffix(plan.Unversioned(c.Type), ":ProtectionPolicy") && strings.HasSuffix(e.Path, "retentionDuration.count"):
			oldDays, okOld := e.Old.(float64)
			newDays, okNew := e.New.(float64)
			if okOld && okNew && newDays < oldDays {
				return Flag{ReasonRetentionLowered, s.Stack, c.Tenant, fmt.Sprintf(
					"Backup policy `%s` in `%s` would keep recovery points %v days instead of %v, which the region's immutable vault refuses (%s).",
					c.Name, s.Stack, newDays, oldDays, immutableVaultSource)}, true
			}
		}
	}
	return Flag{}, false
}

// policyDays is the retention of the backup policy with this ID in p.
func policyDays(p *plan.Plan, id any) (int, bool) {
	s, ok := id.(string)
	if !ok || s == "" {
		return 0, false
	}
	for _, r := range p.Resources {
		if strings.EqualFold(r.ID, s) {
			return plan.BackupRetentionDays(r.Inputs)
		}
	}
	return 0, false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
