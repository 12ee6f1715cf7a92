// The tenant's resource group under the stamp's guardrails (cluster_policy.go):
// its initiative and the zone-resilience audit. A decommissioned tenant keeps
// them, with its group and its data.

package components

func (b *tenantBuilder) guardrails() error {
	assignment, err := assignGuardrails(b.ctx, b.name, b.rg.ID().ToStringOutput(), b.p.TenantGuardrailsID, b.child()...)
	b.guarded = assignment
	return err
}
