// Diagnostic settings of a tenant's resources, to the region's workspace
// (which stays in the region).

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// diagnostics sends a resource's logs and metrics to the region's workspace.
// logGroups are category groups ("allLogs"); metrics are metric categories.
// It returns the setting, an extension resource on the monitored resource's
// scope (a lock on that scope must wait for it).
func (b *tenantBuilder) diagnostics(logical string, resourceURI pulumi.StringInput, logGroups, metrics []string) (*insights.DiagnosticSetting, error) {
	var logs insights.LogSettingsArray
	for _, g := range logGroups {
		logs = append(logs, insights.LogSettingsArgs{CategoryGroup: pulumi.String(g), Enabled: pulumi.Bool(true)})
	}
	var ms insights.MetricSettingsArray
	for _, m := range metrics {
		ms = append(ms, insights.MetricSettingsArgs{Category: pulumi.String(m), Enabled: pulumi.Bool(true)})
	}
	return insights.NewDiagnosticSetting(b.ctx, b.name+"-"+logical, &insights.DiagnosticSettingArgs{
		Name:        pulumi.String(diagnosticSettingName),
		ResourceUri: resourceURI,
		WorkspaceId: b.p.WorkspaceID,
		Logs:        logs,
		Metrics:     ms,
	}, b.child()...)
}
