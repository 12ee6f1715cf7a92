package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kpax/kpax-cloud/guardrails"
	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// The fixture is one region (fr) with two tenants: acme runs a container,
// bravo two VMs. goodPlan is a hand-built plan that keeps every promise;
// each rule's tests break one thing in it.

const regionYAML = `name: fr
displayName: France
location: francecentral
pairedLocation: francesouth
zones: ["1", "2", "3"]
addressSpace: 10.10.0.0/16
dnsZone: fr.kpax.cloud
maxTenants: 60
operators:
  groupName: kpax-operators-fr
  groupObjectId: 6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b
tls:
  certificateName: wildcard-fr-kpax-cloud
database:
  generalPurposeZoneRedundant: true
  databasesPerServer: 50
tags: {costCenter: "platform-fr"}
registry:
  server: kpaxcloud.azurecr.io
  resourceId: /subscriptions/0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90/resourceGroups/rg-kpax-shared/providers/Microsoft.ContainerRegistry/registries/kpaxcloud
  opsImage: kpaxcloud.azurecr.io/kpax-ops:1.0.0
alerts:
  email: [oncall-fr@kpax.cloud]
`

const acmeYAML = `name: acme
displayName: ACME Industries
region: fr
tier: standard
runtime: container
state: active
container: {slot: 0,
  image: kpaxcloud.azurecr.io/kpax-server:4.12.1}
database:
  sku: GP_Gen5_2
storage:
  quotaGB: 100
  redundancy: ZRS
backup:
  dailyAt: "02:00"
tags:
  costCenter: "4711"
`

const bravoYAML = `name: bravo
displayName: Bravo
region: fr
tier: small
runtime: vm
state: active
vm:
  instances: 2
`

// Lines of the fixture files that violations point at.
const (
	acmeName         = "tenants/fr/acme.yaml:1:7:"
	acmeStorage      = "tenants/fr/acme.yaml:11:"
	acmeRedundancy   = "tenants/fr/acme.yaml:13:15:"
	acmeTags         = "tenants/fr/acme.yaml:16:"
	acmeDailyAt      = "tenants/fr/acme.yaml:15:"
	acmeDatabase     = "tenants/fr/acme.yaml:9:"
	acmeRegion       = "tenants/fr/acme.yaml:3:"
	acmeRuntime      = "tenants/fr/acme.yaml:5:"
	bravoInstances   = "tenants/fr/bravo.yaml:8:"
	bravoName        = "tenants/fr/bravo.yaml:1:7:"
	regionName       = "regions/fr.yaml:1:7:"
	regionZones      = "regions/fr.yaml:5:"
	regionLocation   = "regions/fr.yaml:3:"
	regionDatabase   = "regions/fr.yaml:14:"
	regionAlerts     = "regions/fr.yaml:22:"
	regionAlertEmail = "regions/fr.yaml:23:"
	acmeState        = "tenants/fr/acme.yaml:6:"
	bravoState       = "tenants/fr/bravo.yaml:6:"
)

func project(t *testing.T) *spec.Project {
	t.Helper()
	r, err := spec.ParseRegion("regions/fr.yaml", []byte(regionYAML))
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]*spec.Region{"fr": r}
	rel, err := spec.ParseReleases(spec.ReleasesFile, []byte("rings:\n  - {name: broad, image: kpaxcloud.azurecr.io/kpax-server:4.12.1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	proj := &spec.Project{Root: ".", Regions: regions, Releases: rel}
	for _, f := range []struct{ name, doc string }{{"acme", acmeYAML}, {"bravo", bravoYAML}} {
		tn, err := spec.ParseTenant("tenants/fr/"+f.name+".yaml", []byte(f.doc), regions, rel)
		if err != nil {
			t.Fatal(err)
		}
		proj.Tenants = append(proj.Tenants, tn)
	}
	return proj
}

// builder assembles a plan by hand.
type builder struct {
	p *plan.Plan
}

const sub = "/subscriptions/00000000-0000-0000-0000-000000000000"

func (b *builder) add(typ, name string, parent *plan.Resource, id string, inputs map[string]any) *plan.Resource {
	r := &plan.Resource{Type: typ, Name: name, Custom: !strings.HasPrefix(typ, "kpax:"), ID: id, Inputs: inputs}
	r.URN = fmt.Sprintf("urn:pulumi:prod-fr::kpax-cloud::%s::%s", typ, name)
	if parent != nil {
		r.Parent = parent.URN
	}
	if r.Inputs == nil {
		r.Inputs = map[string]any{}
	}
	b.p.Resources = append(b.p.Resources, r)
	return r
}

func armID(rg, provider, name string) string {
	return sub + "/resourceGroups/" + rg + "/providers/" + provider + "/" + name
}

func tags(kv ...string) map[string]any {
	m := map[string]any{"managed-by": "kpax-cloud", "region": "fr"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func list(v ...any) []any { return v }

const platformRG = "rg-kpax-fr-platform"

// goodPlan is a plan of stack prod-fr that breaks no rule.
func goodPlan() *plan.Plan {
	b := &builder{p: &plan.Plan{Stack: "prod-fr", Project: "kpax-cloud", Outputs: map[string]any{"stamp": 1.0}}}
	cl := b.add("kpax:components:RegionalCluster", "region-fr", nil, "", nil)
	rt := func(extra map[string]any) map[string]any {
		m := map[string]any{"location": "francecentral", "resourceGroupName": platformRG, "tags": tags("component", "x")}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	b.add("azure-native:resources:ResourceGroup", "region-fr-rg", cl, sub+"/resourceGroups/"+platformRG,
		map[string]any{"location": "francecentral", "resourceGroupName": platformRG, "tags": tags()})
	b.add(typeNSG, "region-fr-nsg-vms", cl, armID(platformRG, "Microsoft.Network/networkSecurityGroups", "nsg-vms"), rt(map[string]any{
		"securityRules": list(
			map[string]any{"name": "allow-bastion", "access": "Allow", "direction": "Inbound", "sourceAddressPrefix": "10.10.30.0/26", "destinationPortRanges": list("22", "3389")},
			map[string]any{"name": "allow-https", "access": "Allow", "direction": "Inbound", "sourceAddressPrefix": "Internet", "destinationPortRange": "443"},
			map[string]any{"name": "deny-management", "access": "Deny", "direction": "Inbound", "sourceAddressPrefix": "Internet", "destinationPortRanges": list("22", "3389", "5985", "5986")},
			map[string]any{"name": "deny-vnet-inbound", "priority": 4000.0, "access": "Deny", "direction": "Inbound", "sourceAddressPrefix": "VirtualNetwork", "destinationPortRange": "*"},
			map[string]any{"name": "deny-vnet-outbound", "priority": 4000.0, "access": "Deny", "direction": "Outbound", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "*"},
		),
	}))
	// The operators' jobs subnet, which no tenant subnet may admit.
	b.add("azure-native:network/v20240501:Subnet", "region-fr-snet-ops", cl, armID(platformRG, "Microsoft.Network/virtualNetworks", "vnet/subnets/snet-ops"), map[string]any{
		"subnetName": "snet-ops", "addressPrefix": "10.10.21.64/27", "resourceGroupName": platformRG, "virtualNetworkName": "vnet",
		"networkSecurityGroup":  map[string]any{"id": armID(platformRG, "Microsoft.Network/networkSecurityGroups", "nsg-ops")},
		"delegations":           list(map[string]any{"name": "Microsoft.App.environments", "serviceName": "Microsoft.App/environments"}),
		"defaultOutboundAccess": false,
	})
	b.add(typePublicIP, "region-fr-pip-agw", cl, armID(platformRG, "Microsoft.Network/publicIPAddresses", "pip-agw"), rt(map[string]any{"zones": list("1", "2", "3")}))
	// The VMs' egress: an outbound-only load balancer on a zone-redundant IP.
	egressIP := b.add(typePublicIP, "region-fr-pip-egress", cl, armID(platformRG, "Microsoft.Network/publicIPAddresses", "pip-egress"), rt(map[string]any{"zones": list("1", "2", "3")}))
	b.add(typeLoadBalancer, "region-fr-egress-lb", cl, armID(platformRG, "Microsoft.Network/loadBalancers", "lbe"), rt(map[string]any{
		"frontendIPConfigurations": list(map[string]any{"name": "egress", "publicIPAddress": map[string]any{"id": egressIP.ID}}),
		"backendAddressPools":      list(map[string]any{"name": "vms"}),
		"outboundRules":            list(map[string]any{"name": "vms-out", "protocol": "All"}),
	}))
	b.add("azure-native:network/v20240501:BastionHost", "region-fr-bastion", cl, armID(platformRG, "Microsoft.Network/bastionHosts", "bas"), rt(map[string]any{"zones": list("1", "2", "3")}))
	// acme's own environment, in a subnet of its own.
	b.add("azure-native:app/v20240301:ManagedEnvironment", "region-fr-cae", cl, armID(platformRG, "Microsoft.App/managedEnvironments", "cae-acme"), rt(map[string]any{
		"zoneRedundant": true, "environmentName": "cae-acme",
		"vnetConfiguration": map[string]any{"infrastructureSubnetId": armID(platformRG, "Microsoft.Network/virtualNetworks", "vnet/subnets/snet-env-acme")},
		"workloadProfiles":  list(map[string]any{"name": "dedicated", "workloadProfileType": "D4", "minimumCount": 3.0, "maximumCount": 6.0}),
	}))
	rsv := b.add("azure-native:recoveryservices/v20240101:Vault", "region-fr-rsv", cl, armID(platformRG, "Microsoft.RecoveryServices/vaults", "rsv"), rt(map[string]any{
		"vaultName":  "rsv",
		"properties": map[string]any{"publicNetworkAccess": "Disabled", "redundancySettings": map[string]any{"standardTierStorageRedundancy": "ZoneRedundant"}},
	}))
	rsv.Protect, rsv.RetainOnDelete = true, true
	b.add(typeLock, "region-fr-lock-rsv", cl, rsv.ID+"/providers/Microsoft.Authorization/locks/kpax", map[string]any{"level": "CanNotDelete", "scope": rsv.ID})
	sqlID := armID(platformRG, "Microsoft.Sql/servers", "sql-kpax-fr-1")
	b.add(typeSQLServer, "region-fr-sql-1", cl, sqlID, rt(map[string]any{"serverName": "sql-kpax-fr-1", "publicNetworkAccess": "Disabled", "minimalTlsVersion": "1.2",
		"administrators": map[string]any{"azureADOnlyAuthentication": true}}))
	b.add(typeSQLEntraAdmin, "region-fr-sql-1-entra-admin", cl, sqlID+"/administrators/ActiveDirectory", map[string]any{
		"serverName": "sql-kpax-fr-1", "resourceGroupName": platformRG, "administratorType": "ActiveDirectory", "login": "kpax-operators-fr", "sid": "6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b"})
	b.add(typePrivateEndpoint, "region-fr-pe-sql", cl, armID(platformRG, "Microsoft.Network/privateEndpoints", "pe-sql"), rt(map[string]any{
		"privateLinkServiceConnections": list(map[string]any{"privateLinkServiceId": sqlID, "groupIds": list("sqlServer")}),
	}))
	for _, kind := range []string{"vm", "fs"} {
		name := "region-fr-policy-" + kind + "-daily"
		b.add("azure-native:recoveryservices:ProtectionPolicy", name, cl, armID(platformRG, "Microsoft.RecoveryServices/vaults/rsv/backupPolicies", kind+"-daily"), map[string]any{
			"policyName": kind + "-daily", "resourceGroupName": platformRG, "tags": tags(),
			"properties": map[string]any{"schedulePolicy": map[string]any{"scheduleRunFrequency": "Daily"}},
		})
	}
	b.add(typeDNSZone, "region-fr-dns", cl, armID(platformRG, "Microsoft.Network/dnsZones", "fr.kpax.cloud"),
		map[string]any{"location": "global", "resourceGroupName": platformRG, "zoneName": "fr.kpax.cloud", "tags": tags()})

	gw := b.add(typeAppGateway, "region-fr-agw", cl, armID(platformRG, "Microsoft.Network/applicationGateways", "agw"), rt(map[string]any{"zones": list("1", "2", "3")}))
	b.operations(cl, gw)

	b.tenant("acme", "standard", "container", 0)
	b.tenant("bravo", "small", "vm", 2)
	return b.p
}

// Operations fixtures: the stamp's action group, Application Insights and
// initiatives.
var (
	actionGroupID   = armID(platformRG, "Microsoft.Insights/actionGroups", "ag-kpax-fr")
	appInsightsID   = armID(platformRG, "Microsoft.Insights/components", "appi-kpax-fr")
	gatewayID       = armID(platformRG, "Microsoft.Network/applicationGateways", "agw")
	guardrailSetIDs = map[string]string{}
)

// alert is a metric alert of owner on one metric of scope.
func (b *builder) alert(parent *plan.Resource, tt map[string]any, owner, what, scope, metric string, dims ...any) {
	op := "GreaterThan"
	if what == "backup-missing" {
		op = "LessThan"
	}
	crit := map[string]any{"metricName": metric, "criterionType": "StaticThresholdCriterion", "operator": op}
	if len(dims) > 0 {
		crit["dimensions"] = list(dims...)
	}
	b.add(typeMetricAlert, parent.Name+"-alert-"+what, parent, armID("rg", "Microsoft.Insights/metricAlerts", "kpax-"+owner+"-"+what), map[string]any{
		"ruleName": "kpax-" + owner + "-" + what, "location": "global", "enabled": true, "scopes": list(scope), "tags": tt,
		"criteria": map[string]any{"allOf": list(crit)},
		"actions":  list(map[string]any{"actionGroupId": actionGroupID}),
	})
}

func (b *builder) operations(cl, gw *plan.Resource) {
	b.add(typeActionGroup, "region-fr-alerts", cl, actionGroupID, map[string]any{
		"actionGroupName": "ag-kpax-fr", "location": "Global", "enabled": true, "resourceGroupName": platformRG, "tags": tags(),
		"emailReceivers": list(map[string]any{"name": "email-1", "emailAddress": "oncall-fr@kpax.cloud"}),
	})
	b.add(typeAppInsights, "region-fr-appi", cl, appInsightsID, map[string]any{
		"resourceName": "appi-kpax-fr", "location": "francecentral", "resourceGroupName": platformRG, "tags": tags(),
		"workspaceResourceId": armID(platformRG, "Microsoft.OperationalInsights/workspaces", "log"),
	})
	b.alert(cl, tags("component", "alerts"), "fr", "gateway-5xx", gw.ID, "BackendResponseStatus")
	b.alert(cl, tags("component", "alerts"), "fr", "backup-health", armID(platformRG, "Microsoft.RecoveryServices/vaults", "rsv"), "BackupHealthEvent")
	b.alert(cl, tags("component", "alerts"), "fr", "backup-missing", armID(platformRG, "Microsoft.RecoveryServices/vaults", "rsv"), "BackupHealthEvent")
	r, err := spec.ParseRegion("regions/fr.yaml", []byte(regionYAML))
	if err != nil {
		panic(err)
	}
	for kind, members := range map[string][]guardrails.Member{"platform": guardrails.Platform(r), "tenant": guardrails.Tenant(r)} {
		var refs []any
		for _, m := range members {
			params := map[string]any{}
			for k, v := range m.Params {
				params[k] = map[string]any{"value": v}
			}
			refs = append(refs, map[string]any{"policyDefinitionReferenceId": m.Ref, "policyDefinitionId": m.DefinitionID, "parameters": params})
		}
		id := sub + "/providers/Microsoft.Authorization/policySetDefinitions/kpax-guardrails-fr-" + kind
		guardrailSetIDs[kind] = id
		b.add(typePolicySet, "region-fr-guardrails-"+kind, cl, id, map[string]any{
			"policySetDefinitionName": "kpax-guardrails-fr-" + kind, "policyDefinitions": refs,
		})
	}
	b.guard(cl, sub+"/resourceGroups/"+platformRG, "platform")
}

// guard assigns the stamp's initiative and the zone-resilience audit to a
// resource group.
func (b *builder) guard(parent *plan.Resource, rgID, kind string) {
	b.add(typePolicyAssignment, parent.Name+"-guardrails", parent, rgID+"/providers/Microsoft.Authorization/policyAssignments/kpax-guardrails", map[string]any{
		"policyAssignmentName": "kpax-guardrails", "scope": rgID, "policyDefinitionId": guardrailSetIDs[kind], "enforcementMode": "Default",
	})
	b.add(typePolicyAssignment, parent.Name+"-zone-resilience", parent, rgID+"/providers/Microsoft.Authorization/policyAssignments/kpax-zone-resilience", map[string]any{
		"policyAssignmentName": "kpax-zone-resilience", "scope": rgID, "policyDefinitionId": guardrails.ZoneResilienceInitiative,
		"enforcementMode": "Default", "parameters": map[string]any{"effect": map[string]any{"value": "Audit"}},
	})
}

// watch adds an active tenant's availability test and alerts.
func (b *builder) watch(comp, db, account *plan.Resource, name string, tt func() map[string]any) {
	test := b.add(typeWebTest, name+"-availability-test", comp, armID(platformRG, "Microsoft.Insights/webtests", "wt-kpax-fr-"+name), map[string]any{
		"webTestName": "wt-kpax-fr-" + name, "location": "francecentral", "resourceGroupName": platformRG, "tags": tt(),
		"kind": "standard", "webTestKind": "standard", "enabled": true,
		"request":   map[string]any{"requestUrl": "https://" + name + ".fr.kpax.cloud/healthz"},
		"locations": list(map[string]any{"location": "emea-fr-pra-edge"}, map[string]any{"location": "emea-ch-zrh-edge"}, map[string]any{"location": "emea-nl-ams-azr"}, map[string]any{"location": "emea-gb-db3-azr"}, map[string]any{"location": "emea-ru-msa-edge"}),
	})
	b.add(typeMetricAlert, name+"-alert-availability", comp, armID("rg", "Microsoft.Insights/metricAlerts", "kpax-"+name+"-availability"), map[string]any{
		"ruleName": "kpax-" + name + "-availability", "location": "global", "enabled": true, "scopes": list(test.ID, appInsightsID), "tags": tt(),
		"criteria": map[string]any{"webTestId": test.ID, "componentId": appInsightsID, "failedLocationCount": 2.0},
		"actions":  list(map[string]any{"actionGroupId": actionGroupID}),
	})
	b.alert(comp, tt(), name, "gateway-backend", gatewayID, "UnhealthyHostCount",
		map[string]any{"name": "BackendSettingsPool", "operator": "Include", "values": list("pool-" + name + "~tenant-" + name)})
	b.alert(comp, tt(), name, "server-5xx", gatewayID, "BackendResponseStatus",
		map[string]any{"name": "BackendPool", "operator": "Include", "values": list("pool-" + name)},
		map[string]any{"name": "HttpStatusGroup", "operator": "Include", "values": list("5xx")})
	b.alert(comp, tt(), name, "database-availability", db.ID, "availability")
	b.alert(comp, tt(), name, "files-availability", account.ID+"/fileServices/default", "Availability")
}

// tenant adds a tenant's component and resources; vms > 0 makes it a VM tenant.
func (b *builder) tenant(name, tier, runtime string, vms int) {
	comp := b.add(typeTenant, name, nil, "", nil)
	rg := "rg-kpax-fr-" + name
	tt := func() map[string]any { return tags("tenant", name, "tier", tier, "runtime", runtime) }
	in := func(extra map[string]any) map[string]any {
		m := map[string]any{"location": "francecentral", "resourceGroupName": rg, "tags": tt()}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	lock := func(res *plan.Resource) {
		b.add(typeLock, res.Name+"-lock", comp, res.ID+"/providers/Microsoft.Authorization/locks/kpax", map[string]any{"level": "CanNotDelete", "scope": res.ID})
	}
	data := func(r *plan.Resource) *plan.Resource { r.Protect, r.RetainOnDelete = true, true; return r }
	pe := func(target *plan.Resource, group string) {
		b.add(typePrivateEndpoint, name+"-pe-"+group, comp, armID(rg, "Microsoft.Network/privateEndpoints", "pe-"+name+"-"+group), in(map[string]any{
			"privateLinkServiceConnections": list(map[string]any{"privateLinkServiceId": target.ID, "groupIds": list(group)}),
			"subnet":                        map[string]any{"id": armID(platformRG, "Microsoft.Network/virtualNetworks", "vnet/subnets/snet-endpoints")},
		}))
	}

	b.add("azure-native:resources:ResourceGroup", name+"-rg", comp, sub+"/resourceGroups/"+rg, map[string]any{"location": "francecentral", "resourceGroupName": rg, "tags": tt()})
	b.guard(comp, sub+"/resourceGroups/"+rg, "tenant")
	db := data(b.add(typeSQLDatabase, name+"-db", comp, armID(platformRG, "Microsoft.Sql/servers/sql-kpax-fr-1/databases", "sqldb-"+name), map[string]any{
		"location": "francecentral", "resourceGroupName": platformRG, "serverName": "sql-kpax-fr-1", "databaseName": "sqldb-" + name,
		"zoneRedundant": true, "tags": tt(),
	}))
	lock(db)
	for _, pol := range []string{typeSQLShortTerm, typeSQLLongTerm} {
		b.add(pol, name+"-db-"+pol[strings.LastIndexByte(pol, ':')+1:], comp, db.ID+"/policy", map[string]any{
			"resourceGroupName": platformRG, "serverName": "sql-kpax-fr-1", "databaseName": "sqldb-" + name,
		})
	}
	account := "st" + name
	st := data(b.add(typeStorageAccount, name+"-storage", comp, armID(rg, "Microsoft.Storage/storageAccounts", account), in(map[string]any{
		"accountName": account, "sku": map[string]any{"name": "Standard_ZRS"}, "publicNetworkAccess": "Disabled",
		"minimumTlsVersion": "TLS1_2", "enableHttpsTrafficOnly": true, "allowBlobPublicAccess": false,
	})))
	lock(st)
	pe(st, "blob")
	data(b.add(typeFileShare, name+"-share", comp, st.ID+"/fileServices/default/shares/kpax", map[string]any{
		"accountName": account, "resourceGroupName": rg, "shareName": "kpax",
	}))
	b.add(typeProtectedItem, name+"-share-backup", comp, armID(platformRG, "Microsoft.RecoveryServices/vaults/rsv/protectedItems", "share-"+name), map[string]any{
		"protectedItemName": "kpax", "resourceGroupName": platformRG, "tags": tt(),
		"properties": map[string]any{"sourceResourceId": st.ID, "policyId": armID(platformRG, "Microsoft.RecoveryServices/vaults/rsv/backupPolicies", "fs-daily")},
	})
	kv := data(b.add(typeKeyVault, name+"-kv", comp, armID(rg, "Microsoft.KeyVault/vaults", "kv"+name), in(map[string]any{
		"vaultName": "kv" + name, "properties": map[string]any{"publicNetworkAccess": "Disabled"},
	})))
	lock(kv)
	pe(kv, "vault")
	defer b.watch(comp, db, st, name, tt)
	b.add(typeRecordSet, name+"-dns", comp, armID(platformRG, "Microsoft.Network/dnsZones/fr.kpax.cloud/A", name), map[string]any{
		"resourceGroupName": platformRG, "zoneName": "fr.kpax.cloud", "relativeRecordSetName": name, "metadata": tt(),
	})
	if vms == 0 {
		b.add(typeContainerApp, name+"-app", comp, armID(rg, "Microsoft.App/containerApps", "ca-"+name), in(map[string]any{
			"environmentId": armID(platformRG, "Microsoft.App/managedEnvironments", "cae-"+name), "workloadProfileName": "dedicated",
			"template": map[string]any{"scale": map[string]any{"minReplicas": 3.0}},
		}))
		return
	}
	b.add("azure-native:compute:VirtualMachineScaleSet", name+"-vmss", comp, armID(rg, "Microsoft.Compute/virtualMachineScaleSets", "vmss-"+name),
		in(map[string]any{"zones": list("1", "2", "3"), "orchestrationMode": "Flexible"}))
	for i := 1; i <= vms; i++ {
		vm := fmt.Sprintf("vm-%s-%d", name, i)
		nic := b.add(typeNIC, name+fmt.Sprintf("-vm-%d-nic", i), comp, armID(rg, "Microsoft.Network/networkInterfaces", "nic-"+vm), in(map[string]any{
			"ipConfigurations": list(map[string]any{"name": "ipconfig1", "subnet": map[string]any{"id": armID(platformRG, "Microsoft.Network/virtualNetworks", "vnet/subnets/snet-vms")},
				"loadBalancerBackendAddressPools": list(map[string]any{"id": armID(platformRG, "Microsoft.Network/loadBalancers", "lbe/backendAddressPools/vms")})}),
		}))
		r := b.add(typeVM, name+fmt.Sprintf("-vm-%d", i), comp, armID(rg, "Microsoft.Compute/virtualMachines", vm), in(map[string]any{
			"vmName": vm, "zones": list(fmt.Sprint(i)),
			"networkProfile": map[string]any{"networkInterfaces": list(map[string]any{"id": nic.ID})},
			"storageProfile": map[string]any{"imageReference": map[string]any{"sku": "22_04-lts-gen2"}},
		}))
		r.ReplaceOnChanges, r.DeleteBeforeReplace = []string{"storageProfile.imageReference", "zones", "location"}, true
	}
}

// find returns the resource with a logical name.
func find(t *testing.T, p *plan.Plan, name string) *plan.Resource {
	t.Helper()
	for _, r := range p.Resources {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("fixture has no resource %q", name)
	return nil
}

// remove drops the resource with a logical name.
func remove(t *testing.T, p *plan.Plan, name string) {
	t.Helper()
	find(t, p, name)
	kept := p.Resources[:0]
	for _, r := range p.Resources {
		if r.Name != name {
			kept = append(kept, r)
		}
	}
	p.Resources = kept
}

// run runs one rule over a plan of the fixture project.
func run(t *testing.T, rule string, p *plan.Plan) []Violation {
	t.Helper()
	vs, err := checkOnly(rule, p, project(t), "fr")
	if err != nil {
		t.Fatal(err)
	}
	return vs
}
