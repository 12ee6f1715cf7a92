// A serving tenant's alerts: a standard availability test of its URL through
// the gateway, and alerts on its gateway pool's health and errors, its
// database's and its file share's availability, each named after the tenant
// and filtered to its own series. Suspended and decommissioned tenants serve
// nothing and have none, so they raise no false alarm. Promise: an operator
// hears of a tenant that is down before its customer calls.

package components

import (
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/spec"
)

// Availability test settings (learn.microsoft.com/azure/azure-monitor/app/availability).
const (
	// availabilityFrequency and availabilityTimeout are the test's
	// defaults, in seconds: every 5 minutes from each location.
	availabilityFrequency = 300
	availabilityTimeout   = 30
	// availabilityTolerance: the alert fires when all test locations but
	// two fail, Microsoft's recommended threshold (3 of the regions' 5),
	// so that one or two locations' own network trouble never pages
	// anyone; never fewer than two.
	availabilityTolerance = 2
	// certificateWarningDays: the test fails when the wildcard certificate
	// expires within this many days (docs/tls-certificate.md renews it).
	certificateWarningDays = 14
)

func (b *tenantBuilder) alerts() error {
	if b.t.State != spec.StateActive {
		return nil
	}
	test, err := b.availabilityTest()
	if err != nil {
		return err
	}
	// The criteria of a test's alert: the quickstart
	// monitoring-webtest-metric-alert (Azure/azure-quickstart-templates),
	// scopes the test and its Application Insights resource.
	if _, err := insights.NewMetricAlert(b.ctx, b.name+"-alert-availability", &insights.MetricAlertArgs{
		RuleName:            pulumi.String(alertName(b.t.Name, "availability")),
		Description:         pulumi.String("The tenant's URL fails from all test locations but two: the tenant is down for its users."),
		ResourceGroupName:   b.rg.Name,
		Location:            pulumi.String(metricAlertsLocation),
		Enabled:             pulumi.Bool(true),
		AutoMitigate:        pulumi.Bool(true),
		Severity:            pulumi.Int(severityError),
		EvaluationFrequency: pulumi.String("PT1M"),
		WindowSize:          pulumi.String("PT5M"),
		Scopes:              pulumi.StringArray{test.ID(), b.p.AppInsightsID},
		Criteria: insights.WebtestLocationAvailabilityCriteriaArgs{
			OdataType:           pulumi.String("Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria"),
			WebTestId:           test.ID(),
			ComponentId:         b.p.AppInsightsID,
			FailedLocationCount: pulumi.Float64(failedLocations(len(b.p.TestLocations))),
		},
		Actions: insights.MetricAlertActionArray{insights.MetricAlertActionArgs{ActionGroupId: b.p.ActionGroupID}},
		Tags:    b.tags,
	}, b.child()...); err != nil {
		return err
	}
	pool := gatewayBackendPoolName(b.t.Name)
	for _, a := range []staticAlert{
		{
			// The gateway's probe fails on the tenant's backends. The
			// metric's dimension is "<pool>~<backend settings>"
			// (learn.microsoft.com/azure/application-gateway/application-gateway-metrics;
			// supported-metrics/microsoft-network-applicationgateways-metrics),
			// the threshold AMBA's.
			what: "gateway-backend", description: "The gateway finds unhealthy backends of the tenant: replicas or VMs fail its health probe.",
			scope: b.p.GatewayID, namespace: "Microsoft.Network/applicationGateways", metric: "UnhealthyHostCount",
			aggregation: "Average", operator: "GreaterThan", threshold: 0,
			dimensions: []dimension{{"BackendSettingsPool", "Include", []string{pool + "~tenant-" + b.t.Name}}},
			severity:   severityError, frequency: "PT1M", window: "PT5M",
		},
		{
			// The tenant's server answers 5xx (dimensions BackendPool and
			// HttpStatusGroup, same sources).
			what: "server-5xx", description: "The tenant's KPAX server answers with server errors.",
			scope: b.p.GatewayID, namespace: "Microsoft.Network/applicationGateways", metric: "BackendResponseStatus",
			aggregation: "Total", operator: "GreaterThan", threshold: 10,
			dimensions: []dimension{
				{"BackendPool", "Include", []string{pool}},
				{"HttpStatusGroup", "Include", []string{"5xx"}},
			},
			severity: severityWarning, frequency: "PT1M", window: "PT5M",
		},
		{
			// "availability": the share of SLA-compliant connections, 0 when
			// every connection fails on a system error
			// (supported-metrics/microsoft-sql-servers-databases-metrics).
			what: "database-availability", description: "The tenant's database refuses connections for system reasons.",
			scope: b.database.ID(), namespace: "Microsoft.Sql/servers/databases", metric: "availability",
			aggregation: "Average", operator: "LessThan", threshold: 99,
			severity: severityError, frequency: "PT1M", window: "PT5M",
		},
		{
			// Availability of the file service, which holds the tenant's
			// share (supported-metrics/microsoft-storage-storageaccounts-fileservices-metrics;
			// threshold AMBA's for fileServices).
			what: "files-availability", description: "The tenant's file share fails requests: its KPAX files are unreachable.",
			scope: pulumi.Sprintf("%s/fileServices/default", b.account.ID()), namespace: "Microsoft.Storage/storageAccounts/fileServices", metric: "Availability",
			aggregation: "Average", operator: "LessThanOrEqual", threshold: 99.9,
			severity: severityError, frequency: "PT1M", window: "PT5M",
		},
	} {
		if _, err := metricAlert(b.ctx, b.name, b.t.Name, a, b.rg.Name, b.p.ActionGroupID, b.tags, b.child()...); err != nil {
			return err
		}
	}
	return nil
}

// failedLocations is how many of n test locations must fail for the
// availability alert to fire.
func failedLocations(n int) int { return max(2, n-availabilityTolerance) }

// availabilityTest is a standard test of the tenant's health page through
// the gateway, in the platform resource group beside the Application
// Insights resource it reports to. A standard test must say so twice, as
// the resource's kind and as its properties' Kind: both default to ping,
// and ping tests retire in September 2026 (availability.md). The
// hidden-link tag ties the test to the resource; the API refuses a test
// without it (terraform-provider-azurerm#3331; the AVM webtest module adds
// it always).
func (b *tenantBuilder) availabilityTest() (*insights.WebTest, error) {
	name := webTestName(spec.StampKey(b.region.Name, b.t.Stamp), b.t.Name)
	var locations insights.WebTestGeolocationArray
	for _, l := range b.p.TestLocations {
		locations = append(locations, insights.WebTestGeolocationArgs{Location: pulumi.String(l)})
	}
	tags := pulumi.All(b.p.AppInsightsID, b.tags.ToStringMapOutput()).ApplyT(func(v []any) map[string]string {
		out := map[string]string{"hidden-link:" + v[0].(string): "Resource"}
		for k, val := range v[1].(map[string]string) {
			out[k] = val
		}
		return out
	}).(pulumi.StringMapOutput)
	return insights.NewWebTest(b.ctx, b.name+"-availability-test", &insights.WebTestArgs{
		WebTestName:        pulumi.String(name),
		SyntheticMonitorId: pulumi.String(name),
		Description:        pulumi.String("KPAX space " + b.t.Name + ": its health page, through the region's gateway."),
		ResourceGroupName:  b.p.ResourceGroupName,
		Location:           b.location,
		Kind:               insights.WebTestKindStandard,
		WebTestKind:        insights.WebTestKindStandard,
		Enabled:            pulumi.Bool(true),
		Frequency:          pulumi.Int(availabilityFrequency),
		Timeout:            pulumi.Int(availabilityTimeout),
		RetryEnabled:       pulumi.Bool(true),
		Locations:          locations,
		Request: insights.WebTestPropertiesRequestArgs{
			RequestUrl:             pulumi.String("https://" + tenantFQDN(b.t, b.region.DNSZone) + healthPath),
			HttpVerb:               pulumi.String("GET"),
			ParseDependentRequests: pulumi.Bool(false),
		},
		ValidationRules: insights.WebTestPropertiesValidationRulesArgs{
			ExpectedHttpStatusCode:        pulumi.Int(200),
			SSLCheck:                      pulumi.Bool(true),
			SSLCertRemainingLifetimeCheck: pulumi.Int(certificateWarningDays),
		},
		Tags: tags,
	}, b.child()...)
}
