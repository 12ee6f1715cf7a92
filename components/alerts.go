// Metric alerts, shared by the cluster's and the tenants' alerting: one
// static threshold on one metric of one resource, sent to the stamp's action
// group. Each alert's choice of signal, with its source, is at its caller.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Alert severities (Azure Monitor: 0 critical ... 4 verbose).
const (
	// severityError: a promise is broken for someone now (a tenant down, a
	// backup failed).
	severityError = 1
	// severityWarning: a promise may break (errors rising).
	severityWarning = 2
)

// metricAlertsLocation: metric alert rules are global resources; the
// Allowed locations policy exempts "global"
// (learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-metric-alert-rule,
// and the quickstart monitoring-webtest-metric-alert uses it).
const metricAlertsLocation = "global"

// staticAlert is one threshold on one metric. Dimensions split or filter
// the series: "Include" with the tenant's own value makes the alert the
// tenant's.
type staticAlert struct {
	what        string // what is watched: the rule is alertName(owner, what)
	description string
	scope       pulumi.StringInput
	namespace   string
	metric      string
	aggregation string // Average, Total, Count, ...
	operator    string // GreaterThan, LessThan, LessThanOrEqual, ...
	threshold   float64
	dimensions  []dimension
	severity    int
	frequency   string // ISO 8601: how often the rule is evaluated
	window      string // ISO 8601: the period each evaluation looks at
}

type dimension struct {
	name, operator string
	values         []string
}

// metricAlert creates owner's alert a (owner: a tenant's name or a stamp's
// key) in resourceGroup, sending to actionGroupID; its logical name is
// parent's name + "-alert-" + a.what.
func metricAlert(ctx *pulumi.Context, parent, owner string, a staticAlert, resourceGroup, actionGroupID pulumi.StringInput, tags pulumi.StringMap, opts ...pulumi.ResourceOption) (*insights.MetricAlert, error) {
	var dims insights.MetricDimensionArray
	for _, d := range a.dimensions {
		dims = append(dims, insights.MetricDimensionArgs{
			Name: pulumi.String(d.name), Operator: pulumi.String(d.operator), Values: pulumi.ToStringArray(d.values),
		})
	}
	criterion := insights.MetricCriteriaArgs{
		CriterionType:   pulumi.String("StaticThresholdCriterion"),
		Name:            pulumi.String(a.metric),
		MetricNamespace: pulumi.String(a.namespace),
		MetricName:      pulumi.String(a.metric),
		TimeAggregation: pulumi.String(a.aggregation),
		Operator:        pulumi.String(a.operator),
		Threshold:       pulumi.Float64(a.threshold),
	}
	if len(dims) > 0 {
		criterion.Dimensions = dims
	}
	return insights.NewMetricAlert(ctx, parent+"-alert-"+a.what, &insights.MetricAlertArgs{
		RuleName:            pulumi.String(alertName(owner, a.what)),
		Description:         pulumi.String(a.description),
		ResourceGroupName:   resourceGroup,
		Location:            pulumi.String(metricAlertsLocation),
		Enabled:             pulumi.Bool(true),
		AutoMitigate:        pulumi.Bool(true),
		Severity:            pulumi.Int(a.severity),
		EvaluationFrequency: pulumi.String(a.frequency),
		WindowSize:          pulumi.String(a.window),
		Scopes:              pulumi.StringArray{a.scope},
		Criteria: insights.MetricAlertSingleResourceMultipleMetricCriteriaArgs{
			OdataType: pulumi.String("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"),
			AllOf:     insights.MetricCriteriaArray{criterion},
		},
		Actions: insights.MetricAlertActionArray{insights.MetricAlertActionArgs{ActionGroupId: actionGroupID}},
		Tags:    tags,
	}, opts...)
}
