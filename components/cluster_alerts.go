// The stamp's alerting: the action group of the region file's receivers,
// the Application Insights resource that runs the tenants' availability
// tests, and the alerts on the platform's shared resources (the gateway's
// 5xx, the vault's backup health). Promise: when a tenant is down or a
// backup fails, the region's on-call operators are told.

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// actionGroupLocation: an action group in "Global" is stored in at least
// two regions and processed in any; regional action groups exist only in a
// few US, Swedish, German and Indian regions, none in France, the UK,
// Canada or South Africa
// (learn.microsoft.com/azure/azure-monitor/alerts/action-groups, "Global and
// regional action group processing"). Alerts carry no tenant data, only
// the rule, resource and values.
const actionGroupLocation = "Global"

func (b *clusterBuilder) alerting() error {
	var emails insights.EmailReceiverArray
	for i, e := range b.region.Alerts.Email {
		emails = append(emails, insights.EmailReceiverArgs{
			Name:                 pulumi.String(fmt.Sprintf("email-%d", i+1)),
			EmailAddress:         pulumi.String(e),
			UseCommonAlertSchema: pulumi.Bool(true),
		})
	}
	args := &insights.ActionGroupArgs{
		ActionGroupName:   pulumi.String(actionGroupName(b.key)),
		GroupShortName:    pulumi.String(actionGroupShortName(b.key)),
		Enabled:           pulumi.Bool(true),
		Location:          pulumi.String(actionGroupLocation),
		ResourceGroupName: b.rg.Name,
		EmailReceivers:    emails,
		Tags:              b.tags("alerts"),
	}
	if w := b.region.Alerts.Webhook; w != "" {
		args.WebhookReceivers = insights.WebhookReceiverArray{insights.WebhookReceiverArgs{
			Name:                 pulumi.String("webhook"),
			ServiceUri:           pulumi.String(w),
			UseCommonAlertSchema: pulumi.Bool(true),
		}}
	}
	group, err := insights.NewActionGroup(b.ctx, b.name+"-alerts", args, b.child()...)
	if err != nil {
		return err
	}
	groupID := group.ID().ToStringOutput()
	b.c.Platform.ActionGroupID = groupID

	// Standard availability tests need a workspace-based Application
	// Insights resource (learn.microsoft.com/azure/azure-monitor/app/availability,
	// "Prerequisites"); its results land in the region's workspace.
	appi, err := insights.NewComponent(b.ctx, b.name+"-appi", &insights.ComponentArgs{
		ResourceName:        pulumi.String(appInsightsName(b.key)),
		ResourceGroupName:   b.rg.Name,
		Location:            b.location,
		Kind:                pulumi.String("web"),
		ApplicationType:     pulumi.String("web"),
		IngestionMode:       pulumi.String("LogAnalytics"),
		WorkspaceResourceId: b.workspace.ID(),
		Tags:                b.tags("alerts"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.Platform.AppInsightsID = appi.ID().ToStringOutput()
	b.c.Platform.TestLocations = append([]string(nil), b.region.Alerts.TestLocations...)

	for _, a := range []staticAlert{
		{
			// Server errors of all tenants together: many at once is the
			// platform (the apps environment, the database servers), not
			// one tenant. BackendResponseStatus counts what the backends
			// answer, not the 502 the gateway itself returns for a host
			// name it does not know (its catch-all pool is empty), which
			// any scan of the zone would trip in ResponseStatus. Metric and
			// dimension: learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-network-applicationgateways-metrics;
			// the threshold AMBA's (services/Network/applicationGateways).
			what: "gateway-5xx", description: "Tenants' servers answer many 5xx through the region's gateway: a platform fault, not one tenant's.",
			scope: b.c.GatewayID, namespace: "Microsoft.Network/applicationGateways", metric: "BackendResponseStatus",
			aggregation: "Total", operator: "GreaterThan", threshold: 50,
			dimensions: []dimension{{"HttpStatusGroup", "Include", []string{"5xx"}}},
			severity:   severityWarning, frequency: "PT1M", window: "PT5M",
		},
		{
			// A failed or degraded backup of any item of the vault, one
			// series per data source, so that the alert names the tenant's
			// share. Metric BackupHealthEvent and its dimensions:
			// learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-recoveryservices-vaults-metrics;
			// the recipe (not Healthy, per data source, over a day):
			// learn.microsoft.com/azure/backup/metrics-overview. The vault's
			// own job-failure alerts are on too (cluster_backup.go); this
			// rule is what pages.
			what: "backup-health", description: "A tenant's backup failed or is degraded: the daily recovery point may be missing.",
			scope: b.c.RecoveryVaultID, namespace: "Microsoft.RecoveryServices/vaults", metric: "BackupHealthEvent",
			aggregation: "Count", operator: "GreaterThan", threshold: 0,
			dimensions: []dimension{
				{"healthStatus", "Exclude", []string{"Healthy"}},
				{"dataSourceURL", "Include", []string{"*"}},
			},
			severity: severityError, frequency: "PT1H", window: "P1D",
		},
		{
			// A backup that never ran emits no event at all: fewer than
			// one event in a day, per data source, is Microsoft's rule
			// for a missed backup (learn.microsoft.com/azure/backup/metrics-overview;
			// the metric is in preview there).
			what: "backup-missing", description: "A tenant's share had no backup in the last day: the daily recovery point is missing.",
			scope: b.c.RecoveryVaultID, namespace: "Microsoft.RecoveryServices/vaults", metric: "BackupHealthEvent",
			aggregation: "Count", operator: "LessThan", threshold: 1,
			dimensions: []dimension{{"dataSourceURL", "Include", []string{"*"}}},
			severity:   severityError, frequency: "PT1H", window: "P1D",
		},
	} {
		if _, err := metricAlert(b.ctx, b.name, b.key, a, b.rg.Name, groupID, b.tags("alerts"), b.child()...); err != nil {
			return err
		}
	}
	return nil
}
