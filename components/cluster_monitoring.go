// The region's monitoring: the Log Analytics workspace every diagnostic
// setting of the stamp sends to, the data collection rule of tenant VM guests,
// and the diagnostics helper the other parts use. Promise: every sign-in and
// every change of a region's platform is on record, in the region.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// diagnostics sends a resource's logs (category groups, "allLogs") and
// metrics ("AllMetrics") to the region's workspace. dedicated asks for
// resource-specific tables where the resource supports them.
func (b *clusterBuilder) diagnostics(part string, resourceURI pulumi.StringInput, logGroups, logCategories, metrics []string, dedicated bool) error {
	_, err := b.diagnosticSetting(part, resourceURI, logGroups, logCategories, metrics, dedicated)
	return err
}

// diagnosticSetting is diagnostics, returning the setting: an extension
// resource on the monitored resource's scope, which a lock there waits for.
func (b *clusterBuilder) diagnosticSetting(part string, resourceURI pulumi.StringInput, logGroups, logCategories, metrics []string, dedicated bool) (*insights.DiagnosticSetting, error) {
	var logs insights.LogSettingsArray
	for _, g := range logGroups {
		logs = append(logs, insights.LogSettingsArgs{CategoryGroup: pulumi.String(g), Enabled: pulumi.Bool(true)})
	}
	for _, c := range logCategories {
		logs = append(logs, insights.LogSettingsArgs{Category: pulumi.String(c), Enabled: pulumi.Bool(true)})
	}
	var ms insights.MetricSettingsArray
	for _, m := range metrics {
		ms = append(ms, insights.MetricSettingsArgs{Category: pulumi.String(m), Enabled: pulumi.Bool(true)})
	}
	args := &insights.DiagnosticSettingArgs{
		Name:        pulumi.String(diagnosticSettingName),
		ResourceUri: resourceURI,
		WorkspaceId: b.workspace.ID().ToStringOutput(),
		Logs:        logs,
		Metrics:     ms,
	}
	if dedicated {
		args.LogAnalyticsDestinationType = pulumi.String("Dedicated")
	}
	return insights.NewDiagnosticSetting(b.ctx, b.name+"-diag-"+part, args, b.child()...)
}

var (
	allLogs    = []string{"allLogs"}
	allMetrics = []string{"AllMetrics"}
)

func (b *clusterBuilder) logAnalytics() error {
	ws, err := operationalinsights.NewWorkspace(b.ctx, b.name+"-log", &operationalinsights.WorkspaceArgs{
		WorkspaceName:     pulumi.String(clusterWorkspaceName(b.key)),
		ResourceGroupName: b.rg.Name,
		Location:          b.location,
		Sku:               &operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")},
		RetentionInDays:   pulumi.Int(workspaceRetentionDays),
		// No local (shared key) authentication: only Entra-authenticated
		// writers ingest, so a leaked workspace key cannot forge or flood
		// the region's audit trail. The writers are all Entra ones:
		// diagnostic settings, the Azure Monitor agent (data collection
		// rule) and the Container Apps environments, which log through
		// Azure Monitor (internalEnvironment). The Data Collector API and
		// the legacy Log Analytics agent stop working
		// (learn.microsoft.com/azure/azure-monitor/logs/azure-ad-authentication-logs;
		// Azure Policy e15effd4, rules/published_table.go;
		// simazure.RuleWorkspaceLocalAuth).
		Features: &operationalinsights.WorkspaceFeaturesArgs{
			DisableLocalAuth: pulumi.Bool(true),
			EnableLogAccessUsingOnlyResourcePermissions: pulumi.Bool(true),
		},
		Tags: b.tags("monitoring"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.workspace = ws
	b.c.WorkspaceID = ws.ID().ToStringOutput()
	b.c.Platform.WorkspaceID = ws.ID().ToStringOutput()
	// The workspace's own audit log (queries, changes) goes to itself.
	if err := b.diagnostics("log", ws.ID().ToStringOutput(), allLogs, nil, allMetrics, false); err != nil {
		return err
	}
	return b.vmDataCollectionRule()
}

// vmDataCollectionRule is what the Azure Monitor agent on tenant VMs
// collects: the security-relevant syslog facilities (sign-ins through
// Bastion land in auth/authpriv) from Warning up, and every auth message.
// Tenant VMs are associated with it (TenantArgs.DataCollectionRuleID).
func (b *clusterBuilder) vmDataCollectionRule() error {
	const destination = "workspace"
	dcr, err := insights.NewDataCollectionRule(b.ctx, b.name+"-dcr-vm", &insights.DataCollectionRuleArgs{
		DataCollectionRuleName: pulumi.String(clusterDataCollectionRuleName(b.key)),
		ResourceGroupName:      b.rg.Name,
		Location:               b.location,
		Kind:                   pulumi.String("Linux"),
		Description:            pulumi.String("kpax-cloud: guest logs of tenant VMs"),
		DataSources: &insights.DataCollectionRuleDataSourcesArgs{
			Syslog: insights.SyslogDataSourceArray{
				insights.SyslogDataSourceArgs{
					Name:          pulumi.String("auth"),
					Streams:       pulumi.StringArray{pulumi.String("Microsoft-Syslog")},
					FacilityNames: pulumi.StringArray{pulumi.String("auth"), pulumi.String("authpriv")},
					LogLevels:     pulumi.StringArray{pulumi.String("*")},
				},
				insights.SyslogDataSourceArgs{
					Name:          pulumi.String("system"),
					Streams:       pulumi.StringArray{pulumi.String("Microsoft-Syslog")},
					FacilityNames: pulumi.StringArray{pulumi.String("daemon"), pulumi.String("kern"), pulumi.String("syslog"), pulumi.String("cron")},
					LogLevels: pulumi.StringArray{pulumi.String("Warning"), pulumi.String("Error"), pulumi.String("Critical"),
						pulumi.String("Alert"), pulumi.String("Emergency")},
				},
			},
		},
		Destinations: &insights.DataCollectionRuleDestinationsArgs{
			LogAnalytics: insights.LogAnalyticsDestinationArray{
				insights.LogAnalyticsDestinationArgs{Name: pulumi.String(destination), WorkspaceResourceId: b.workspace.ID().ToStringOutput()},
			},
		},
		DataFlows: insights.DataFlowArray{
			insights.DataFlowArgs{
				Streams:      pulumi.StringArray{pulumi.String("Microsoft-Syslog")},
				Destinations: pulumi.StringArray{pulumi.String(destination)},
			},
		},
		Tags: b.tags("monitoring"),
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.DataCollectionRuleID = dcr.ID().ToStringOutput()
	b.c.Platform.DataCollectionRuleID = dcr.ID().ToStringOutput()
	return nil
}
