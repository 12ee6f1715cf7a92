package rules

import (
	"fmt"
	"strings"
	"testing"

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
tags:
  costCenter: "platform-fr"
registry:
  server: kpaxcloud.azurecr.io
  resourceId: /subscriptions/0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90/resourceGroups/rg-kpax-shared/providers/Microsoft.ContainerRegistry/registries/kpaxcloud
`

const acmeYAML = `name: acme
displayName: ACME Industries
region: fr
tier: standard
runtime: container
state: active
container:
  image: kpaxcloud.azurecr.io/kpax-server:4.12.1
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
	acmeName       = "tenants/fr/acme.yaml:1:7:"
	acmeStorage    = "tenants/fr/acme.yaml:11:"
	acmeRedundancy = "tenants/fr/acme.yaml:13:15:"
	acmeTags       = "tenants/fr/acme.yaml:16:"
	acmeDailyAt    = "tenants/fr/acme.yaml:15:"
	acmeDatabase   = "tenants/fr/acme.yaml:9:"
	acmeRegion     = "tenants/fr/acme.yaml:3:"
	acmeRuntime    = "tenants/fr/acme.yaml:5:"
	bravoInstances = "tenants/fr/bravo.yaml:8:"
	bravoName      = "tenants/fr/bravo.yaml:1:7:"
	regionName     = "regions/fr.yaml:1:7:"
	regionZones    = "regions/fr.yaml:5:"
	regionLocation = "regions/fr.yaml:3:"
	regionDatabase = "regions/fr.yaml:14:"
)

func project(t *testing.T) *spec.Project {
	t.Helper()
	r, err := spec.ParseRegion("regions/fr.yaml", []byte(regionYAML))
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]*spec.Region{"fr": r}
	proj := &spec.Project{Root: ".", Regions: regions}
	for _, f := range []struct{ name, doc string }{{"acme", acmeYAML}, {"bravo", bravoYAML}} {
		tn, err := spec.ParseTenant("tenants/fr/"+f.name+".yaml", []byte(f.doc), regions)
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
	b.add(typePublicIP, "region-fr-pip-agw", cl, armID(platformRG, "Microsoft.Network/publicIPAddresses", "pip-agw"), rt(map[string]any{"zones": list("1", "2", "3")}))
	b.add(typeNATGateway, "region-fr-nat", cl, armID(platformRG, "Microsoft.Network/natGateways", "ng"), rt(map[string]any{"zones": list("1")}))
	b.add("azure-native:network/v20240501:BastionHost", "region-fr-bastion", cl, armID(platformRG, "Microsoft.Network/bastionHosts", "bas"), rt(map[string]any{"zones": list("1", "2", "3")}))
	b.add("azure-native:app/v20240301:ManagedEnvironment", "region-fr-cae", cl, armID(platformRG, "Microsoft.App/managedEnvironments", "cae"), rt(map[string]any{"zoneRedundant": true}))
	b.add("azure-native:recoveryservices/v20240101:Vault", "region-fr-rsv", cl, armID(platformRG, "Microsoft.RecoveryServices/vaults", "rsv"), rt(map[string]any{
		"properties": map[string]any{"publicNetworkAccess": "Disabled", "redundancySettings": map[string]any{"standardTierStorageRedundancy": "ZoneRedundant"}},
	}))
	sqlID := armID(platformRG, "Microsoft.Sql/servers", "sql-kpax-fr-1")
	b.add(typeSQLServer, "region-fr-sql-1", cl, sqlID, rt(map[string]any{"serverName": "sql-kpax-fr-1", "publicNetworkAccess": "Disabled", "minimalTlsVersion": "1.2"}))
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

	b.tenant("acme", "standard", "container", 0)
	b.tenant("bravo", "small", "vm", 2)
	return b.p
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
	b.add(typeRecordSet, name+"-dns", comp, armID(platformRG, "Microsoft.Network/dnsZones/fr.kpax.cloud/A", name), map[string]any{
		"resourceGroupName": platformRG, "zoneName": "fr.kpax.cloud", "relativeRecordSetName": name, "metadata": tt(),
	})
	if vms == 0 {
		b.add(typeContainerApp, name+"-app", comp, armID(rg, "Microsoft.App/containerApps", "ca-"+name), in(map[string]any{
			"environmentId": armID(platformRG, "Microsoft.App/managedEnvironments", "cae"),
		}))
		return
	}
	b.add("azure-native:compute:VirtualMachineScaleSet", name+"-vmss", comp, armID(rg, "Microsoft.Compute/virtualMachineScaleSets", "vmss-"+name),
		in(map[string]any{"zones": list("1", "2", "3"), "orchestrationMode": "Flexible"}))
	for i := 1; i <= vms; i++ {
		vm := fmt.Sprintf("vm-%s-%d", name, i)
		nic := b.add(typeNIC, name+fmt.Sprintf("-vm-%d-nic", i), comp, armID(rg, "Microsoft.Network/networkInterfaces", "nic-"+vm), in(map[string]any{
			"ipConfigurations": list(map[string]any{"name": "ipconfig1", "subnet": map[string]any{"id": armID(platformRG, "Microsoft.Network/virtualNetworks", "vnet/subnets/snet-vms")}}),
		}))
		b.add(typeVM, name+fmt.Sprintf("-vm-%d", i), comp, armID(rg, "Microsoft.Compute/virtualMachines", vm), in(map[string]any{
			"vmName": vm, "zones": list(fmt.Sprint(i)),
			"networkProfile": map[string]any{"networkInterfaces": list(map[string]any{"id": nic.ID})},
		}))
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
