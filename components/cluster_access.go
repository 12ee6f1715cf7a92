// OS and container access of the stamp's tenants: the custom role that lets
// the operators' group run a command on a tenant's VMs, the subscription's
// Activity Log sent to the region's workspace, and the alert on every
// session (exec, debug console, run command, serial console) outside an
// announced intervention (the region file's interventions). Promise: one
// way into a tenant's OS or container, for the operators only, and it
// leaves a trace with who and when.

package components

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

// runCommandActions are what the operators need to run a command on a VM,
// action or managed run command, and nothing else of the VM: running one
// needs Microsoft.Compute/virtualMachines/runCommand/action, listing the
// commands Microsoft.Compute/locations/runCommands/read
// (learn.microsoft.com/azure/virtual-machines/linux/run-command, "Limiting
// access to Run Command"); managed run commands are the child resource
// virtualMachines/runCommands
// (learn.microsoft.com/azure/virtual-machines/linux/run-command-managed).
// The built-in alternative, Virtual Machine Contributor, also carries
// extension writes, the serial console and deleting the VM.
var runCommandActions = []string{
	"Microsoft.Compute/virtualMachines/read",
	"Microsoft.Compute/virtualMachines/runCommand/action",
	"Microsoft.Compute/virtualMachines/runCommands/read",
	"Microsoft.Compute/virtualMachines/runCommands/write",
	"Microsoft.Compute/virtualMachines/runCommands/delete",
	"Microsoft.Compute/locations/runCommands/read",
	"Microsoft.Resources/subscriptions/resourceGroups/read",
}

// SessionOperations are the Azure Resource Manager operations that open a
// way into a tenant's OS or container. Each is a POST or PUT through ARM,
// which the Activity Log's Administrative category records with its caller
// and time ("all create, update, delete, and action operations performed
// through Resource Manager":
// learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema#administrative-category).
// The shell of `az containerapp exec` and `az containerapp debug` itself is
// a data-plane websocket that the Activity Log does not see; the token it
// needs comes from getAuthToken, which it does (the same token serves the
// log stream, so a log-stream view reads as a session too).
var SessionOperations = []string{
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION",
	"MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMANDS/WRITE",
	"MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/VIRTUALMACHINES/RUNCOMMAND/ACTION",
	"MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION",
	"MICROSOFT.APP/CONTAINERAPPS/GETAUTHTOKEN/ACTION",
	// The same token through the app's authtoken action and its
	// environment (learn.microsoft.com/azure/role-based-access-control/permissions/compute#microsoftapp).
	"MICROSOFT.APP/CONTAINERAPPS/AUTHTOKEN/ACTION",
	"MICROSOFT.APP/MANAGEDENVIRONMENTS/GETAUTHTOKEN/ACTION",
}

// activityLogCategories go from the subscription's Activity Log to the
// region's workspace (table AzureActivity): Administrative holds the
// sessions and every change through ARM, Security and Policy what Defender
// and the guardrails decide
// (learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema).
var activityLogCategories = []string{"Administrative", "Security", "Policy"}

// Session alert timing. Activity Log events reach a workspace 3 to 20
// minutes after the operation
// (learn.microsoft.com/azure/azure-monitor/logs/data-ingestion-time): each
// run looks back over an hour of TimeGenerated but keeps only the events
// ingested since the previous run, so every session alerts once.
const (
	sessionAlertFrequency = "PT15M"
	sessionAlertWindow    = "PT1H"
	sessionAlertIngested  = "15m"
)

func (b *clusterBuilder) operatorAccess() error {
	role, err := authorization.NewRoleDefinition(b.ctx, b.name+"-role-run-command", &authorization.RoleDefinitionArgs{
		RoleDefinitionId: pulumi.String(stableGUID("cluster", b.key, "role", "run-command")),
		// Custom role names are unique in the Entra tenant, which every
		// stamp shares (learn.microsoft.com/azure/role-based-access-control/custom-roles,
		// "Custom role properties"): the stamp key keeps them apart.
		RoleName:         pulumi.String(runCommandRoleName(b.key)),
		Description:      pulumi.String("kpax-cloud: run a command on a tenant's VMs (the region's operators only)."),
		RoleType:         pulumi.String("CustomRole"),
		Scope:            pulumi.Sprintf("/subscriptions/%s", b.subscription),
		AssignableScopes: pulumi.StringArray{pulumi.Sprintf("/subscriptions/%s", b.subscription)},
		Permissions: authorization.PermissionArray{authorization.PermissionArgs{
			Actions: pulumi.ToStringArray(runCommandActions),
		}},
	}, b.child()...)
	if err != nil {
		return err
	}
	b.c.Platform.RunCommandRoleDefinitionID = role.ID().ToStringOutput()
	// A new role definition is eventually consistent: assigned in the same
	// up, it can fail with RoleDefinitionDoesNotExist until it has spread
	// ("Role Definitions are eventually consistent ... around 5m",
	// hashicorp/terraform-provider-azurerm#10602; pulumi/pulumi-azure#840).
	// The tenants' assignments of it wait; a role made again waits again.
	b.c.Platform.RunCommandRoleReady, err = sleep(b.ctx, b.name+"-role-run-command-in-effect", roleDefinitionPropagationWait,
		pulumi.StringMap{"role": role.ID().ToStringOutput()}, []pulumi.Resource{role}, b.child()...)
	if err != nil {
		return err
	}

	// The subscription's Activity Log, where every session's ARM operation
	// is recorded with its caller. One setting per stamp (named by its key):
	// the Activity Log takes at most five
	// (learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings,
	// "Number of diagnostic settings").
	var logs insights.SubscriptionLogSettingsArray
	for _, c := range activityLogCategories {
		logs = append(logs, insights.SubscriptionLogSettingsArgs{Category: pulumi.String(c), Enabled: pulumi.Bool(true)})
	}
	if _, err := insights.NewSubscriptionDiagnosticSetting(b.ctx, b.name+"-activity-log", &insights.SubscriptionDiagnosticSettingArgs{
		Name:        pulumi.String(activityLogSettingName(b.key)),
		WorkspaceId: b.workspace.ID().ToStringOutput(),
		Logs:        logs,
	}, b.child()...); err != nil {
		return err
	}

	_, err = insights.NewScheduledQueryRule(b.ctx, b.name+"-alert-os-sessions", &insights.ScheduledQueryRuleArgs{
		RuleName:            pulumi.String(alertName(b.key, "os-sessions")),
		DisplayName:         pulumi.String(alertName(b.key, "os-sessions")),
		Description:         pulumi.String("A shell, debug console, run command or serial console was opened on a tenant outside an announced intervention (interventions in the region file)."),
		ResourceGroupName:   b.rg.Name,
		Location:            b.location,
		Kind:                pulumi.String("LogAlert"),
		Enabled:             pulumi.Bool(true),
		Severity:            pulumi.Float64(severityError),
		EvaluationFrequency: pulumi.String(sessionAlertFrequency),
		WindowSize:          pulumi.String(sessionAlertWindow),
		Scopes:              pulumi.StringArray{b.workspace.ID().ToStringOutput()},
		// Each session is its own alert: nothing resolves it but a person.
		AutoMitigate: pulumi.Bool(false),
		Criteria: insights.ScheduledQueryRuleCriteriaArgs{AllOf: insights.ConditionArray{insights.ConditionArgs{
			Query:           pulumi.String(SessionQuery(b.region)),
			TimeAggregation: pulumi.String("Count"),
			Operator:        pulumi.String("GreaterThan"),
			Threshold:       pulumi.Float64(0),
			Dimensions: insights.DimensionArray{
				insights.DimensionArgs{Name: pulumi.String("Caller"), Operator: pulumi.String("Include"), Values: pulumi.StringArray{pulumi.String("*")}},
				insights.DimensionArgs{Name: pulumi.String("ResourceGroup"), Operator: pulumi.String("Include"), Values: pulumi.StringArray{pulumi.String("*")}},
			},
			FailingPeriods: insights.ConditionFailingPeriodsArgs{
				NumberOfEvaluationPeriods: pulumi.Float64(1),
				MinFailingPeriodsToAlert:  pulumi.Float64(1),
			},
		}}},
		Actions: insights.ActionsArgs{ActionGroups: pulumi.StringArray{b.c.Platform.ActionGroupID}},
		Tags:    b.tags("alerts"),
	}, b.child()...)
	return err
}

// SessionQuery is the alert's KQL over AzureActivity: one row per session
// (an ARM operation of SessionOperations, by correlation ID) in a resource
// group of the region's (rg-kpax-<region>-...: its tenants' and stamp 1's
// platform group), newly ingested, outside every announced intervention. An
// intervention for one tenant covers its resource group; one without a
// tenant covers the whole region. The query names no tenant of its own, so
// adding a tenant leaves the stamp's alert as it is. Two stamps of a region
// in one subscription both see its Activity Log, and both alert.
func SessionQuery(r *spec.Region) string {
	var windows []string
	for _, iv := range r.Interventions {
		from, to := iv.Window()
		w := fmt.Sprintf("TimeGenerated between (datetime(%s) .. datetime(%s))", from.Format(kqlTime), to.Format(kqlTime))
		if iv.Tenant != "" {
			w += " and ResourceGroup =~ " + kqlString(tenantResourceGroupName(&spec.Tenant{Region: r.Name, Name: iv.Tenant}))
		}
		windows = append(windows, "("+w+")")
	}
	lines := []string{
		"AzureActivity",
		"| where ingestion_time() > ago(" + sessionAlertIngested + ")",
		"| where OperationNameValue in~ (" + kqlList(SessionOperations) + ")",
		// startswith is case-insensitive, as ARM's resource group names are.
		"| where ResourceGroup startswith " + kqlString("rg-kpax-"+r.Name+"-"),
		"| summarize arg_min(TimeGenerated, Caller, ResourceGroup, OperationNameValue, ActivityStatusValue, _ResourceId) by CorrelationId",
	}
	if len(windows) > 0 {
		lines = append(lines, "| where not("+strings.Join(windows, " or ")+")")
	}
	lines = append(lines, "| project TimeGenerated, Caller, ResourceGroup, OperationNameValue, ActivityStatusValue, _ResourceId, CorrelationId")
	return strings.Join(lines, "\n")
}

const kqlTime = "2006-01-02T15:04:05Z"

// kqlList is a KQL dynamic array of strings; JSON's string literals are
// KQL's.
func kqlList(vs []string) string {
	b, _ := json.Marshal(vs)
	return "dynamic(" + string(b) + ")"
}

func kqlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
