package components

import (
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// Cluster fixtures: one fully defaulted region per stack of the design, and a
// few tenants in every runtime and state. (testRegion is the tenant tests'
// single-region fixture; these are named apart so both files share a binary.)

// clusterTestRegionKeys are the six regions of the design.
var clusterTestRegionKeys = []string{"fr", "uk", "us", "ca", "za", "in"}

func clusterTestRegion(name string) *spec.Region {
	locations := map[string][2]string{
		"fr": {"francecentral", "francesouth"},
		"uk": {"uksouth", "ukwest"},
		"us": {"eastus2", "centralus"},
		"ca": {"canadacentral", "canadaeast"},
		"za": {"southafricanorth", "southafricawest"},
		"in": {"centralindia", "southindia"},
	}
	loc, ok := locations[name]
	if !ok {
		panic("no fixture for region " + name)
	}
	octet := 40
	for i, k := range clusterTestRegionKeys {
		if k == name {
			octet += i
		}
	}
	return &spec.Region{
		Name:           name,
		DisplayName:    strings.ToUpper(name),
		Location:       loc[0],
		PairedLocation: loc[1],
		Zones:          []string{"1", "2", "3"},
		AddressSpace:   fmt.Sprintf("10.%d.0.0/16", octet),
		DNSZone:        name + ".kpax.cloud",
		MaxTenants:     50,
		Stamps:         1,
		Operators:      spec.RegionOperators{GroupName: "kpax-operators-" + name, GroupObjectID: "44444444-4444-4444-4444-44444444444" + strconv.Itoa(len(name))},
		TLS:            spec.RegionTLS{CertificateName: "wildcard-" + name + "-kpax-cloud"},
		Backup:         spec.RegionBackup{DailyAt: "02:00", RetentionDays: 30},
		Maintenance:    spec.RegionMaintenance{Day: "Sunday", StartTime: "01:00", DurationHours: 3},
		Database:       spec.RegionDatabase{GeneralPurposeZoneRedundant: true, DatabasesPerServer: 50},
		// As in the region files: Azure did not list these two locations for
		// a zone-redundant Bastion. Both branches get tested.
		Bastion:  spec.RegionBastion{ZoneRedundant: name != "fr" && name != "in"},
		Registry: spec.RegionRegistry{Server: "kpaxcloud.azurecr.io", ResourceID: testRegistryID},
		Tags:     map[string]string{"owner": "platform"},
	}
}

func clusterTestTenant(region, name string, runtime spec.Runtime, state spec.State, server int, dailyAt string, days int) *spec.Tenant {
	t := &spec.Tenant{
		Name:        name,
		DisplayName: strings.ToUpper(name),
		Region:      region,
		Tier:        spec.TierStandard,
		Runtime:     runtime,
		State:       state,
		Stamp:       1,
		Database: spec.DatabaseSpec{
			SKU: "GP_Gen5_2", MaxSizeGB: 64, BackupRetentionDays: 14,
			LongTermRetention: spec.LTRSpec{Weeks: 4, Months: 12, Years: 5},
			Server:            server,
		},
		Storage: spec.StorageSpec{QuotaGB: 100, Redundancy: "ZRS"},
		Backup:  spec.BackupSpec{DailyAt: dailyAt, RetentionDays: days},
		DNS:     spec.DNSSpec{Hostname: name + "-app"},
		Tags:    map[string]string{"costCenter": "4711"},
	}
	switch runtime {
	case spec.RuntimeContainer:
		t.Container = &spec.ContainerSpec{Image: "kpaxcloud.azurecr.io/kpax-server:4.12.1", Replicas: 3, CPU: 1}
	case spec.RuntimeVM:
		t.VM = &spec.VMSpec{Size: "Standard_D4s_v5", Instances: 3, Image: "Canonical:ubuntu-24_04-lts:server:latest", ServerImage: "kpaxcloud.azurecr.io/kpax-server:4.12.1", DataDiskGB: 256}
	}
	return t
}

// clusterTestTenants are a region's sample tenants, given out of name order:
// a container tenant on the region's default schedule, a VM tenant on server
// 2, a suspended container tenant and a decommissioned VM tenant on server 3.
func clusterTestTenants(region string) []*spec.Tenant {
	return []*spec.Tenant{
		clusterTestTenant(region, region+"globex", spec.RuntimeVM, spec.StateActive, 2, "03:00", 14),
		clusterTestTenant(region, region+"acme", spec.RuntimeContainer, spec.StateActive, 1, "02:00", 30),
		clusterTestTenant(region, region+"umbrella", spec.RuntimeVM, spec.StateDecommissioned, 3, "04:30", 7),
		clusterTestTenant(region, region+"initech", spec.RuntimeContainer, spec.StateSuspended, 1, "03:00", 14),
	}
}

// testRegistryID is the registry the fixture regions pull from, in a
// subscription of its own.
const testRegistryID = "/subscriptions/0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90/resourceGroups/rg-kpax-shared/providers/Microsoft.ContainerRegistry/registries/kpaxcloud"

// Resource types of the cluster.
const (
	ctRG        = "azure-native:resources:ResourceGroup"
	ctWorkspace = "azure-native:operationalinsights:Workspace"
	ctDCR       = "azure-native:insights:DataCollectionRule"
	ctDiag      = "azure-native:insights:DiagnosticSetting"
	ctVNet      = "azure-native:network:VirtualNetwork"
	ctSubnet    = "azure-native:network/v20240501:Subnet"
	ctNSG       = "azure-native:network:NetworkSecurityGroup"
	ctRule      = "azure-native:network:SecurityRule"
	ctPIP       = "azure-native:network:PublicIPAddress"
	ctNAT       = "azure-native:network:NatGateway"
	ctBastion   = "azure-native:network/v20240501:BastionHost"
	ctZone      = "azure-native:network:Zone"
	ctPZone     = "azure-native:network:PrivateZone"
	ctLink      = "azure-native:network:VirtualNetworkLink"
	ctPRecord   = "azure-native:network:PrivateRecordSet"
	ctPE        = "azure-native:network:PrivateEndpoint"
	ctZoneGroup = "azure-native:network:PrivateDnsZoneGroup"
	ctKV        = "azure-native:keyvault:Vault"
	ctLock      = "azure-native:authorization:ManagementLockByScope"
	ctRole      = "azure-native:authorization:RoleAssignment"
	ctRSV       = "azure-native:recoveryservices/v20240101:Vault"
	ctPolicy    = "azure-native:recoveryservices:ProtectionPolicy"
	ctEnv       = "azure-native:app/v20240301:ManagedEnvironment"
	ctIdentity  = "azure-native:managedidentity:UserAssignedIdentity"
	ctWAF       = "azure-native:network:WebApplicationFirewallPolicy"
	ctAGW       = "azure-native:network:ApplicationGateway"
	ctSQL       = "azure-native:sql:Server"
	ctSQLAudit  = "azure-native:sql:ExtendedServerBlobAuditingPolicy"
	ctRandom    = "random:index/randomString:RandomString"
	ctCluster   = "kpax:components:RegionalCluster"
)

// clusterRun is a cluster built under mocks, with the values of its
// Platform that tests check, as exported stack outputs.
type clusterRun struct {
	region   *spec.Region
	tenants  []*spec.Tenant
	plan     *plan.Plan
	platform Platform
}

func runCluster(t *testing.T, r *spec.Region, tenants []*spec.Tenant) *clusterRun {
	t.Helper()
	var pf Platform
	p, err := plan.RunProgram(plan.Options{Project: "kpax-cloud", Stack: "test-" + r.Name}, func(ctx *pulumi.Context, exportAll plan.ExportFunc) error {
		c, err := NewRegionalCluster(ctx, "cluster-"+r.Name, &RegionalClusterArgs{Region: r, Tenants: tenants})
		if err != nil {
			return err
		}
		pf = c.Platform
		// Unset outputs are left out rather than exported: the Platform
		// completeness test reports them.
		export := func(name string, v pulumi.Input) {
			if o, ok := v.(pulumi.StringOutput); ok && o.OutputState == nil {
				return
			}
			exportAll(name, v)
		}
		export("resourceGroupName", pf.ResourceGroupName)
		export("workspaceId", pf.WorkspaceID)
		export("dataCollectionRuleId", pf.DataCollectionRuleID)
		export("vnetId", pf.VNetID)
		export("vmSubnetId", pf.VMSubnetID)
		export("endpointSubnetId", pf.EndpointSubnetID)
		export("environmentId", pf.EnvironmentID)
		export("environmentDefaultDomain", pf.EnvironmentDefaultDomain)
		export("environmentStaticIp", pf.EnvironmentStaticIP)
		export("recoveryVaultName", pf.RecoveryVaultName)
		export("keyVaultName", pf.KeyVaultName)
		export("gatewayPublicIp", pf.GatewayPublicIPAddress)
		export("clusterGatewayPublicIp", c.GatewayPublicIPAddress)
		for k, v := range pf.VMBackupPolicyIDs {
			export("vmPolicy/"+k, v)
		}
		for k, v := range pf.FileShareBackupPolicyIDs {
			export("fsPolicy/"+k, v)
		}
		for k, v := range pf.PrivateDNSZoneIDs {
			export("privateZone/"+k, v)
		}
		for k, v := range pf.GatewayBackendPoolIDs {
			export("pool/"+k, v)
		}
		for n, s := range pf.SQLServers {
			export(fmt.Sprintf("sqlServer/%d/id", n), s.ID)
			export(fmt.Sprintf("sqlServer/%d/name", n), s.Name)
		}
		export("plain/location", pulumi.String(pf.Location))
		export("plain/zones", pulumi.String(strings.Join(pf.Zones, ",")))
		export("plain/dnsZone", pulumi.String(pf.DNSZoneName))
		export("plain/gatewayPrefix", pulumi.String(pf.GatewaySubnetPrefix))
		export("plain/bastionPrefix", pulumi.String(pf.BastionSubnetPrefix))
		export("plain/operators", pulumi.String(pf.OperatorsGroupObjectID))
		export("plain/operatorsName", pulumi.String(pf.OperatorsGroupName))
		export("plain/workloadProfile", pulumi.String(pf.EnvironmentWorkloadProfile))
		export("plain/registryServer", pulumi.String(pf.RegistryServer))
		export("registryPullIdentityId", pf.RegistryPullIdentityID)
		return nil
	})
	if err != nil {
		t.Fatalf("cluster %s: %v", r.Name, err)
	}
	return &clusterRun{region: r, tenants: tenants, plan: p, platform: pf}
}

func (cr *clusterRun) out(key string) string {
	s, _ := cr.plan.Outputs[key].(string)
	return s
}

// outKeys are the exported keys under a prefix ("vmPolicy/"), without it.
func (cr *clusterRun) outKeys(prefix string) []string {
	var keys []string
	for k := range cr.plan.Outputs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, strings.TrimPrefix(k, prefix))
		}
	}
	sort.Strings(keys)
	return keys
}

// get is the one resource of a type with a logical name.
func (cr *clusterRun) get(t *testing.T, typ, logical string) *plan.Resource {
	t.Helper()
	r := cr.plan.Get(typ, logical)
	if r == nil {
		t.Fatalf("%s: no %s %q", cr.region.Name, typ, logical)
	}
	return r
}

// n is the cluster's logical name prefix.
func (cr *clusterRun) n(suffix string) string { return "cluster-" + cr.region.Name + "-" + suffix }

// check compares the input at path with a value; numbers are float64 in a
// plan.
func check(t *testing.T, r *plan.Resource, path string, v any) {
	t.Helper()
	got := r.Get(path)
	if i, ok := v.(int); ok {
		v = float64(i)
	}
	if fmt.Sprint(got) != fmt.Sprint(v) {
		t.Errorf("%s %s: %s = %#v, want %#v", r.Type, r.Name, path, got, v)
	}
}

// list returns the input at path as a list of objects.
func list(r *plan.Resource, path string) []map[string]any {
	var out []map[string]any
	items, _ := r.Get(path).([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// byName finds the object of a list input with a "name".
func byName(t *testing.T, r *plan.Resource, path, name string) map[string]any {
	t.Helper()
	for _, m := range list(r, path) {
		if m["name"] == name {
			return m
		}
	}
	t.Fatalf("%s %s: no %s named %q", r.Type, r.Name, path, name)
	return nil
}

func idOf(m map[string]any, key string) string {
	sub, _ := m[key].(map[string]any)
	s, _ := sub["id"].(string)
	return s
}

func stringsOf(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it.(string)
		out = append(out, s)
	}
	return out
}

func sameStrings(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func TestClusterRejectsMissingArgs(t *testing.T) {
	_, err := plan.Run(plan.Options{Stack: "test-fr"}, func(ctx *pulumi.Context) error {
		if _, err := NewRegionalCluster(ctx, "nil-args", nil); err == nil {
			t.Error("nil args: want an error")
		}
		if _, err := NewRegionalCluster(ctx, "nil-region", &RegionalClusterArgs{}); err == nil {
			t.Error("nil region: want an error")
		}
		other := clusterTestTenant("uk", "ukacme", spec.RuntimeContainer, spec.StateActive, 1, "02:00", 30)
		if _, err := NewRegionalCluster(ctx, "foreign", &RegionalClusterArgs{Region: clusterTestRegion("fr"), Tenants: []*spec.Tenant{other}}); err == nil ||
			!strings.Contains(err.Error(), "ukacme") {
			t.Errorf("tenant of another region: err = %v", err)
		}
		noRegistry := clusterTestRegion("fr")
		noRegistry.Registry = spec.RegionRegistry{}
		if _, err := NewRegionalCluster(ctx, "no-registry", &RegionalClusterArgs{Region: noRegistry}); err == nil || !strings.Contains(err.Error(), "registry") {
			t.Errorf("no registry: err = %v", err)
		}
		bad := clusterTestRegion("fr")
		bad.AddressSpace = "10.40.0.0/20"
		if _, err := NewRegionalCluster(ctx, "small", &RegionalClusterArgs{Region: bad}); err == nil || !strings.Contains(err.Error(), "/16") {
			t.Errorf("small address space: err = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSubnetDerivation(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		want    subnetPlan
		wantErr string
	}{
		{
			name: "fr /16",
			give: "10.40.0.0/16",
			want: subnetPlan{Apps: "10.40.0.0/21", VMs: "10.40.8.0/21", Endpoints: "10.40.16.0/22", Gateway: "10.40.20.0/24", Bastion: "10.40.21.0/26"},
		},
		{
			name: "another /16",
			give: "172.20.0.0/16",
			want: subnetPlan{Apps: "172.20.0.0/21", VMs: "172.20.8.0/21", Endpoints: "172.20.16.0/22", Gateway: "172.20.20.0/24", Bastion: "172.20.21.0/26"},
		},
		{
			name: "larger space uses its first /16",
			give: "10.64.0.0/12",
			want: subnetPlan{Apps: "10.64.0.0/21", VMs: "10.64.8.0/21", Endpoints: "10.64.16.0/22", Gateway: "10.64.20.0/24", Bastion: "10.64.21.0/26"},
		},
		{name: "too small", give: "10.40.0.0/17", wantErr: "must be a /16 or larger"},
		{name: "host bits", give: "10.40.1.0/16", wantErr: "host bits are set"},
		{name: "ipv6", give: "fd00::/16", wantErr: "must be IPv4"},
		{name: "garbage", give: "ten.forty/16", wantErr: "address space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deriveSubnets(tt.give)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSubnetDerivationInvariants checks every region's plan against Azure's
// minimum sizes, containment in the address space, and overlaps.
func TestSubnetDerivationInvariants(t *testing.T) {
	maxBits := map[string]int{
		subnetApps:      27, // workload-profiles environment minimum
		subnetGateway:   24, // Application Gateway v2 recommendation
		subnetBastion:   26, // AzureBastionSubnet minimum
		subnetVMs:       24,
		subnetEndpoints: 24,
	}
	for _, key := range clusterTestRegionKeys {
		r := clusterTestRegion(key)
		p, err := deriveSubnets(r.AddressSpace)
		if err != nil {
			t.Fatal(err)
		}
		space := netip.MustParsePrefix(r.AddressSpace)
		var prefixes []netip.Prefix
		for _, s := range p.all() {
			pre := netip.MustParsePrefix(s.Prefix)
			if !space.Contains(pre.Addr()) || pre.Bits() < space.Bits() {
				t.Errorf("%s: %s %s outside %s", key, s.Key, pre, space)
			}
			if pre.Bits() > maxBits[s.Key] {
				t.Errorf("%s: %s is a /%d, want /%d or larger", key, s.Key, pre.Bits(), maxBits[s.Key])
			}
			for _, q := range prefixes {
				if q.Overlaps(pre) {
					t.Errorf("%s: %s overlaps %s", key, pre, q)
				}
			}
			prefixes = append(prefixes, pre)
		}
		if p.all()[1].Name != "AzureBastionSubnet" {
			t.Errorf("Bastion's subnet must be named AzureBastionSubnet")
		}
	}
}

func TestClusterNetwork(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	r := cr.region
	rg := cr.get(t, ctRG, cr.n("rg"))
	check(t, rg, "resourceGroupName", "rg-kpax-fr-platform")

	vnet := cr.get(t, ctVNet, cr.n("vnet"))
	check(t, vnet, "virtualNetworkName", "vnet-kpax-fr")
	if got := vnet.Strings("addressSpace.addressPrefixes"); !sameStrings(got, []string{r.AddressSpace}) {
		t.Errorf("vnet address space = %v", got)
	}
	if vnet.Get("subnets") != nil {
		t.Errorf("vnet declares inline subnets; they are separate Subnet resources")
	}

	plan, _ := deriveSubnets(r.AddressSpace)
	nat := cr.get(t, ctNAT, cr.n("nat"))
	nsgIDs := map[string]string{}
	for _, nsg := range cr.plan.OfType(ctNSG) {
		nsgIDs[nsg.ID] = nsg.Name
	}
	wantSubnets := map[string]struct {
		name, prefix string
		nsg, nat     bool
		noDefaultOut bool
	}{
		"gateway":   {"snet-gateway", plan.Gateway, true, false, false},
		"bastion":   {"AzureBastionSubnet", plan.Bastion, false, false, false},
		"apps":      {"snet-apps", plan.Apps, true, true, false},
		"vms":       {"snet-vms", plan.VMs, true, true, true},
		"endpoints": {"snet-endpoints", plan.Endpoints, true, false, true},
	}
	if got := len(cr.plan.OfType(ctSubnet)); got != len(wantSubnets) {
		t.Errorf("%d subnets, want %d", got, len(wantSubnets))
	}
	for key, w := range wantSubnets {
		s := cr.get(t, ctSubnet, cr.n("snet-"+key))
		check(t, s, "subnetName", w.name)
		check(t, s, "addressPrefix", w.prefix)
		check(t, s, "virtualNetworkName", "vnet-kpax-fr")
		nsgID := s.String("networkSecurityGroup.id")
		if w.nsg != (nsgID != "") {
			t.Errorf("subnet %s: NSG %q, want one: %v", key, nsgID, w.nsg)
		}
		if w.nsg && nsgIDs[nsgID] != cr.n("nsg-"+key) {
			t.Errorf("subnet %s: NSG %q is not its own", key, nsgID)
		}
		if natID := s.String("natGateway.id"); (natID == nat.ID) != w.nat {
			t.Errorf("subnet %s: NAT gateway %q, want attached: %v", key, natID, w.nat)
		}
		if w.noDefaultOut && s.Get("defaultOutboundAccess") != false {
			t.Errorf("subnet %s: defaultOutboundAccess = %v, want false", key, s.Get("defaultOutboundAccess"))
		}
	}
	apps := cr.get(t, ctSubnet, cr.n("snet-apps"))
	check(t, apps, "delegations.0.serviceName", "Microsoft.App/environments")
	check(t, cr.get(t, ctSubnet, cr.n("snet-endpoints")), "privateEndpointNetworkPolicies", "Enabled")
	if got := cr.out("plain/gatewayPrefix"); got != plan.Gateway {
		t.Errorf("Platform.GatewaySubnetPrefix = %q", got)
	}
	if got := cr.out("vmSubnetId"); got != cr.get(t, ctSubnet, cr.n("snet-vms")).ID {
		t.Errorf("Platform.VMSubnetID = %q", got)
	}
	if got := cr.out("endpointSubnetId"); got != cr.get(t, ctSubnet, cr.n("snet-endpoints")).ID {
		t.Errorf("Platform.EndpointSubnetID = %q", got)
	}

	// The gateway subnet's NSG carries what Application Gateway v2 needs.
	gwNSG := cr.get(t, ctNSG, cr.n("nsg-gateway"))
	for _, w := range []struct{ rule, source, ports string }{
		{"allow-gateway-manager", "GatewayManager", "65200-65535"},
		{"allow-azure-load-balancer", "AzureLoadBalancer", "*"},
		{"allow-web-from-internet", "Internet", "80,443"},
	} {
		rule := byName(t, gwNSG, "securityRules", w.rule)
		if rule["access"] != "Allow" || rule["direction"] != "Inbound" || rule["sourceAddressPrefix"] != w.source ||
			strings.Join(stringsOf(rule["destinationPortRanges"]), ",") != w.ports {
			t.Errorf("gateway NSG rule %s = %v", w.rule, rule)
		}
	}
	// VMs take management traffic from Bastion only.
	vmNSG := cr.get(t, ctNSG, cr.n("nsg-vms"))
	if rule := byName(t, vmNSG, "securityRules", "allow-bastion-management"); rule["sourceAddressPrefix"] != plan.Bastion {
		t.Errorf("VM management source = %v, want the Bastion subnet", rule["sourceAddressPrefix"])
	}
	if rule := byName(t, vmNSG, "securityRules", "allow-gateway-to-app"); rule["sourceAddressPrefix"] != plan.Gateway {
		t.Errorf("VM app source = %v, want the gateway subnet", rule["sourceAddressPrefix"])
	}
	for _, nsg := range cr.plan.OfType(ctNSG) {
		rule := byName(t, nsg, "securityRules", "deny-management-from-internet")
		if rule["access"] != "Deny" || rule["sourceAddressPrefix"] != "Internet" {
			t.Errorf("%s: %v", nsg.Name, rule)
		}
	}

	// NAT egress: Standard, one zone of the region, zone-redundant IP.
	check(t, nat, "sku.name", "Standard")
	if got := nat.Strings("zones"); !sameStrings(got, r.Zones[:1]) {
		t.Errorf("NAT gateway zones = %v, want %v", got, r.Zones[:1])
	}
	natIPs := stringsOf(nil)
	for _, ip := range list(nat, "publicIpAddresses") {
		natIPs = append(natIPs, ip["id"].(string))
	}
	if pip := cr.get(t, ctPIP, cr.n("pip-nat")); !sameStrings(natIPs, []string{pip.ID}) {
		t.Errorf("NAT public IPs = %v", natIPs)
	}
	for _, pip := range cr.plan.OfType(ctPIP) {
		check(t, pip, "sku.name", "Standard")
		check(t, pip, "publicIPAllocationMethod", "Static")
		if got := pip.Strings("zones"); !sameStrings(got, r.Zones) {
			t.Errorf("%s zones = %v", pip.Name, got)
		}
	}

	// Bastion.
	bas := cr.get(t, ctBastion, cr.n("bastion"))
	check(t, bas, "sku.name", "Standard")
	check(t, bas, "enableTunneling", true)
	check(t, bas, "enableShareableLink", false)
	wantBastionZones := r.Zones
	if !r.Bastion.ZoneRedundant {
		wantBastionZones = nil // where Azure cannot span Bastion over zones
	}
	if got := bas.Strings("zones"); !sameStrings(got, wantBastionZones) {
		t.Errorf("bastion zones = %v, want %v", got, wantBastionZones)
	}
	check(t, bas, "ipConfigurations.0.subnet.id", cr.get(t, ctSubnet, cr.n("snet-bastion")).ID)
	check(t, bas, "ipConfigurations.0.publicIPAddress.id", cr.get(t, ctPIP, cr.n("pip-bastion")).ID)
}

func TestClusterMonitoring(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	ws := cr.get(t, ctWorkspace, cr.n("log"))
	check(t, ws, "workspaceName", "log-kpax-fr")
	check(t, ws, "sku.name", "PerGB2018")
	check(t, ws, "retentionInDays", 90)
	if cr.out("workspaceId") != ws.ID {
		t.Errorf("Platform.WorkspaceID = %q", cr.out("workspaceId"))
	}
	dcr := cr.get(t, ctDCR, cr.n("dcr-vm"))
	check(t, dcr, "destinations.logAnalytics.0.workspaceResourceId", ws.ID)
	if cr.out("dataCollectionRuleId") != dcr.ID {
		t.Errorf("Platform.DataCollectionRuleID = %q", cr.out("dataCollectionRuleId"))
	}

	diagnosed := map[string]*plan.Resource{}
	for _, d := range cr.plan.OfType(ctDiag) {
		check(t, d, "workspaceId", ws.ID)
		if diagnosed[d.String("resourceUri")] != nil {
			t.Errorf("two diagnostic settings for %s", d.String("resourceUri"))
		}
		diagnosed[d.String("resourceUri")] = d
	}
	// Every resource here that has diagnostic settings sends them.
	for _, typ := range []string{ctWorkspace, ctVNet, ctNSG, ctPIP, ctNAT, ctBastion, ctKV, ctRSV, ctAGW} {
		rs := cr.plan.OfType(typ)
		if len(rs) == 0 {
			t.Errorf("no %s", typ)
		}
		for _, res := range rs {
			if diagnosed[res.ID] == nil {
				t.Errorf("%s %s has no diagnostic setting", typ, res.Name)
			}
		}
	}
	for _, sql := range cr.plan.OfType(ctSQL) {
		d := diagnosed[sql.ID+"/databases/master"]
		if d == nil {
			t.Errorf("SQL server %s: no diagnostic setting on master", sql.Name)
			continue
		}
		check(t, d, "logs.0.category", "SQLSecurityAuditEvents")
	}
}

func TestClusterVaults(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	rg := cr.get(t, ctRG, cr.n("rg"))

	kv := cr.get(t, ctKV, cr.n("kv"))
	name := kv.String("vaultName")
	if !regexp.MustCompile(`^kv-kpax-fr-[a-z0-9]{5}$`).MatchString(name) || len(name) > 24 {
		t.Errorf("key vault name %q", name)
	}
	for path, v := range map[string]any{
		"properties.enableRbacAuthorization":   true,
		"properties.enableSoftDelete":          true,
		"properties.softDeleteRetentionInDays": 90,
		"properties.enablePurgeProtection":     true,
		"properties.publicNetworkAccess":       "Disabled",
		"properties.networkAcls.defaultAction": "Deny",
		"properties.sku.name":                  "standard",
		"properties.tenantId":                  plan.MockTenantID,
	} {
		check(t, kv, path, v)
	}
	suffix := cr.get(t, ctRandom, cr.n("suffix"))
	check(t, suffix, "length", 5)
	check(t, suffix, "special", false)
	check(t, suffix, "upper", false)
	if cr.out("keyVaultName") != name {
		t.Errorf("Platform.KeyVaultName = %q", cr.out("keyVaultName"))
	}

	pe := cr.get(t, ctPE, cr.n("pe-vault"))
	check(t, pe, "privateLinkServiceConnections.0.privateLinkServiceId", kv.ID)
	check(t, pe, "privateLinkServiceConnections.0.groupIds.0", "vault")
	check(t, pe, "subnet.id", cr.get(t, ctSubnet, cr.n("snet-endpoints")).ID)
	group := cr.get(t, ctZoneGroup, cr.n("pe-vault-dns"))
	vaultZone := cr.get(t, ctPZone, cr.n("pdns-vault"))
	check(t, vaultZone, "privateZoneName", "privatelink.vaultcore.azure.net")
	check(t, group, "privateDnsZoneConfigs.0.privateDnsZoneId", vaultZone.ID)

	rsv := cr.get(t, ctRSV, cr.n("rsv"))
	for path, v := range map[string]any{
		"vaultName": "rsv-kpax-fr",
		"sku.name":  "RS0",
		"sku.tier":  "Standard",
		"properties.redundancySettings.standardTierStorageRedundancy":    "ZoneRedundant",
		"properties.redundancySettings.crossRegionRestore":               "Disabled",
		"properties.securitySettings.softDeleteSettings.softDeleteState": "Enabled",
		"properties.securitySettings.immutabilitySettings.state":         "Unlocked",
		"properties.publicNetworkAccess":                                 "Disabled",
	} {
		check(t, rsv, path, v)
	}
	if cr.out("recoveryVaultName") != "rsv-kpax-fr" {
		t.Errorf("Platform.RecoveryVaultName = %q", cr.out("recoveryVaultName"))
	}

	// Locks on the two vaults, none on the resource group.
	locked := map[string]bool{}
	for _, l := range cr.plan.OfType(ctLock) {
		check(t, l, "level", "CanNotDelete")
		locked[l.String("scope")] = true
	}
	if len(locked) != 2 || !locked[kv.ID] || !locked[rsv.ID] {
		t.Errorf("locked scopes = %v, want the key vault and the recovery vault", locked)
	}
	if locked[rg.ID] {
		t.Errorf("the resource group is locked")
	}

	// One VM and one file share policy per distinct schedule: the region
	// default (02:00/30d, also acme's) and the tenants' (decommissioned
	// umbrella's included: its data keeps its policy).
	wantKeys := []string{"daily-0200-30d", "daily-0300-14d", "daily-0430-7d"}
	if got := cr.outKeys("vmPolicy/"); !sameStrings(got, wantKeys) {
		t.Errorf("VM policy keys = %v, want %v", got, wantKeys)
	}
	if got := cr.outKeys("fsPolicy/"); !sameStrings(got, wantKeys) {
		t.Errorf("file share policy keys = %v, want %v", got, wantKeys)
	}
	if got := len(cr.plan.OfType(ctPolicy)); got != 2*len(wantKeys) {
		t.Errorf("%d policies, want %d", got, 2*len(wantKeys))
	}
	vm := cr.get(t, ctPolicy, cr.n("policy-vm-daily-0430-7d"))
	for path, v := range map[string]any{
		"policyName":                      "vm-daily-0430-7d",
		"vaultName":                       "rsv-kpax-fr",
		"properties.backupManagementType": "AzureIaasVM",
		"properties.policyType":           "V2",
		"properties.timeZone":             "UTC",
		"properties.schedulePolicy.scheduleRunFrequency":                          "Daily",
		"properties.schedulePolicy.dailySchedule.scheduleRunTimes.0":              "2024-01-01T04:30:00Z",
		"properties.retentionPolicy.dailySchedule.retentionDuration.count":        7,
		"properties.retentionPolicy.dailySchedule.retentionDuration.durationType": "Days",
		"properties.retentionPolicy.dailySchedule.retentionTimes.0":               "2024-01-01T04:30:00Z",
	} {
		check(t, vm, path, v)
	}
	if !vm.RetainOnDelete {
		t.Errorf("policies must be retained on delete")
	}
	if got := cr.out("vmPolicy/daily-0430-7d"); got != vm.ID {
		t.Errorf("Platform.VMBackupPolicyIDs = %q, want %q", got, vm.ID)
	}
	fs := cr.get(t, ctPolicy, cr.n("policy-fs-daily-0300-14d"))
	for path, v := range map[string]any{
		"policyName":                                                       "fs-daily-0300-14d",
		"properties.backupManagementType":                                  "AzureStorage",
		"properties.workLoadType":                                          "AzureFileShare",
		"properties.schedulePolicy.scheduleRunFrequency":                   "Daily",
		"properties.schedulePolicy.scheduleRunTimes.0":                     "2024-01-01T03:00:00Z",
		"properties.retentionPolicy.dailySchedule.retentionDuration.count": 14,
	} {
		check(t, fs, path, v)
	}
}

func TestClusterContainerAppsEnvironment(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	env := cr.get(t, ctEnv, cr.n("cae"))
	check(t, env, "environmentName", "cae-kpax-fr")
	check(t, env, "zoneRedundant", true)
	check(t, env, "vnetConfiguration.internal", true)
	check(t, env, "vnetConfiguration.infrastructureSubnetId", cr.get(t, ctSubnet, cr.n("snet-apps")).ID)
	check(t, env, "workloadProfiles.0.name", "Consumption")
	check(t, env, "workloadProfiles.0.workloadProfileType", "Consumption")
	check(t, env, "appLogsConfiguration.destination", "log-analytics")
	check(t, env, "appLogsConfiguration.logAnalyticsConfiguration.sharedKey", plan.Secret)
	if got := env.String("appLogsConfiguration.logAnalyticsConfiguration.customerId"); got == "" {
		t.Errorf("no workspace customer ID")
	}
	if cr.out("plain/workloadProfile") != "Consumption" {
		t.Errorf("Platform.EnvironmentWorkloadProfile = %q", cr.out("plain/workloadProfile"))
	}

	// The private zone of the environment's default domain resolves every
	// app to the environment's static IP.
	zone := cr.get(t, ctPZone, cr.n("cae-dns"))
	if dd := cr.out("environmentDefaultDomain"); dd != "" {
		check(t, zone, "privateZoneName", dd)
	}
	record := cr.get(t, ctPRecord, cr.n("cae-dns-wildcard"))
	check(t, record, "relativeRecordSetName", "*")
	check(t, record, "recordType", "A")
	if ip := cr.out("environmentStaticIp"); ip != "" {
		check(t, record, "aRecords.0.ipv4Address", ip)
	}
	link := cr.get(t, ctLink, cr.n("cae-dns-link"))
	check(t, link, "virtualNetwork.id", cr.get(t, ctVNet, cr.n("vnet")).ID)
	check(t, link, "registrationEnabled", false)
}

func TestClusterGateway(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	r := cr.region
	gw := cr.get(t, ctAGW, cr.n("agw"))
	check(t, gw, "applicationGatewayName", "agw-kpax-fr")
	check(t, gw, "sku.name", "WAF_v2")
	check(t, gw, "sku.tier", "WAF_v2")
	if min, _ := gw.Get("autoscaleConfiguration.minCapacity").(float64); min < 2 {
		t.Errorf("autoscale minimum %v, want >= 2", min)
	}
	if got := gw.Strings("zones"); !sameStrings(got, r.Zones) {
		t.Errorf("gateway zones = %v", got)
	}
	check(t, gw, "sslPolicy.policyType", "Predefined")
	check(t, gw, "sslPolicy.policyName", "AppGwSslPolicy20220101S")

	pip := cr.get(t, ctPIP, cr.n("pip-agw"))
	check(t, gw, "frontendIPConfigurations.0.publicIPAddress.id", pip.ID)
	if cr.out("gatewayPublicIp") == "" || cr.out("gatewayPublicIp") != cr.out("clusterGatewayPublicIp") {
		t.Errorf("Platform.GatewayPublicIPAddress = %q", cr.out("gatewayPublicIp"))
	}
	check(t, gw, "gatewayIPConfigurations.0.subnet.id", cr.get(t, ctSubnet, cr.n("snet-gateway")).ID)

	waf := cr.get(t, ctWAF, cr.n("waf"))
	check(t, gw, "firewallPolicy.id", waf.ID)
	check(t, waf, "policySettings.mode", "Prevention")
	check(t, waf, "policySettings.state", "Enabled")
	check(t, waf, "managedRules.managedRuleSets.0.ruleSetType", "OWASP")
	check(t, waf, "managedRules.managedRuleSets.0.ruleSetVersion", "3.2")

	// The identity reads the certificate, versionless, from the platform
	// vault; the gateway waits for the role.
	id := cr.get(t, ctIdentity, cr.n("agw-identity"))
	check(t, gw, "identity.type", "UserAssigned")
	check(t, gw, "identity.userAssignedIdentities.0", id.ID)
	kv := cr.get(t, ctKV, cr.n("kv"))
	role := cr.get(t, ctRole, cr.n("agw-kv-secrets-user"))
	check(t, role, "scope", kv.ID)
	check(t, role, "principalType", "ServicePrincipal")
	check(t, role, "roleDefinitionId", "/subscriptions/"+plan.MockSubscriptionID+"/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(role.String("roleAssignmentName")) {
		t.Errorf("role assignment name %q is not a stable GUID", role.String("roleAssignmentName"))
	}
	if !containsString(gw.DependsOn, role.URN) {
		t.Errorf("gateway does not wait for its Key Vault role: %v", gw.DependsOn)
	}
	cert := byName(t, gw, "sslCertificates", "wildcard")
	if want := "https://" + kv.String("vaultName") + ".vault.azure.net/secrets/" + r.TLS.CertificateName; cert["keyVaultSecretId"] != want {
		t.Errorf("keyVaultSecretId = %v, want %s", cert["keyVaultSecretId"], want)
	}

	// Sub-resource references are the gateway's own children.
	gwID := "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/rg-kpax-fr-platform/providers/Microsoft.Network/applicationGateways/agw-kpax-fr"
	if gw.ID != gwID {
		t.Errorf("gateway ID %q, want %q", gw.ID, gwID)
	}
	child := func(kind, name string) string { return gwID + "/" + kind + "/" + name }

	// HTTP only redirects, permanently, to HTTPS.
	http := byName(t, gw, "httpListeners", "http")
	if http["protocol"] != "Http" || idOf(http, "frontendPort") != child("frontendPorts", "port-80") ||
		!sameStrings(stringsOf(http["hostNames"]), []string{"*." + r.DNSZone}) {
		t.Errorf("http listener = %v", http)
	}
	redirect := byName(t, gw, "redirectConfigurations", "http-to-https")
	if redirect["redirectType"] != "Permanent" || redirect["includePath"] != true || redirect["includeQueryString"] != true ||
		idOf(redirect, "targetListener") != child("httpListeners", "default") {
		t.Errorf("redirect = %v", redirect)
	}
	for _, rule := range list(gw, "requestRoutingRules") {
		if idOf(rule, "httpListener") == child("httpListeners", "http") &&
			(idOf(rule, "redirectConfiguration") != child("redirectConfigurations", "http-to-https") || rule["backendAddressPool"] != nil) {
			t.Errorf("the HTTP listener's rule does more than redirect: %v", rule)
		}
	}
	if port := byName(t, gw, "frontendPorts", "port-443"); port["port"] != float64(443) {
		t.Errorf("port-443 = %v", port)
	}

	// One HTTPS listener, pool, probe, settings and rule per tenant with
	// compute; none for the decommissioned one.
	priorities := map[float64]string{}
	for _, rule := range list(gw, "requestRoutingRules") {
		p, _ := rule["priority"].(float64)
		if p < 1 || p > 20000 {
			t.Errorf("rule %v: priority %v out of 1..20000", rule["name"], p)
		}
		if other, dup := priorities[p]; dup {
			t.Errorf("rules %v and %v share priority %v", rule["name"], other, p)
		}
		priorities[p], _ = rule["name"].(string)
	}
	domain := cr.out("environmentDefaultDomain")
	var tenantPriorities []float64
	for _, ten := range sortedTenants(cr.tenants) {
		key := "tenant-" + ten.Name
		if !ten.HasCompute() {
			for _, l := range list(gw, "httpListeners") {
				if l["name"] == key {
					t.Errorf("decommissioned %s still has a listener", ten.Name)
				}
			}
			if cr.out("pool/"+ten.Name) != "" {
				t.Errorf("decommissioned %s still has a pool ID", ten.Name)
			}
			continue
		}
		l := byName(t, gw, "httpListeners", key)
		if l["protocol"] != "Https" || l["hostName"] != ten.DNS.Hostname+"."+r.DNSZone ||
			idOf(l, "sslCertificate") != child("sslCertificates", "wildcard") || idOf(l, "frontendPort") != child("frontendPorts", "port-443") {
			t.Errorf("listener %s = %v", key, l)
		}
		rule := byName(t, gw, "requestRoutingRules", key)
		if idOf(rule, "httpListener") != child("httpListeners", key) ||
			idOf(rule, "backendAddressPool") != child("backendAddressPools", "pool-"+ten.Name) ||
			idOf(rule, "backendHttpSettings") != child("backendHttpSettingsCollection", key) {
			t.Errorf("rule %s = %v", key, rule)
		}
		tenantPriorities = append(tenantPriorities, rule["priority"].(float64))
		pool := byName(t, gw, "backendAddressPools", "pool-"+ten.Name)
		settings := byName(t, gw, "backendHttpSettingsCollection", key)
		probe := byName(t, gw, "probes", key)
		if probe["path"] != "/healthz" || idOf(settings, "probe") != child("probes", key) {
			t.Errorf("probe %s = %v (settings %v)", key, probe, settings)
		}
		switch ten.Runtime {
		case spec.RuntimeContainer:
			addrs, _ := pool["backendAddresses"].([]any)
			if len(addrs) != 1 {
				t.Fatalf("pool %s = %v", ten.Name, pool)
			}
			fqdn := addrs[0].(map[string]any)["fqdn"]
			if fqdn != containerAppName(ten)+"."+domain {
				t.Errorf("pool %s fqdn = %v, want %s.%s", ten.Name, fqdn, containerAppName(ten), domain)
			}
			if settings["protocol"] != "Https" || settings["port"] != float64(443) || settings["pickHostNameFromBackendAddress"] != true || probe["protocol"] != "Https" {
				t.Errorf("container backend %s: settings %v probe %v", ten.Name, settings, probe)
			}
			if cr.out("pool/"+ten.Name) != "" {
				t.Errorf("container tenant %s has a VM pool ID", ten.Name)
			}
		case spec.RuntimeVM:
			if pool["backendAddresses"] != nil {
				t.Errorf("VM pool %s has addresses: %v", ten.Name, pool)
			}
			if settings["protocol"] != "Http" || settings["port"] != float64(appPort) || probe["protocol"] != "Http" {
				t.Errorf("VM backend %s: settings %v probe %v", ten.Name, settings, probe)
			}
			if got := cr.out("pool/" + ten.Name); got != child("backendAddressPools", "pool-"+ten.Name) {
				t.Errorf("Platform.GatewayBackendPoolIDs[%s] = %q", ten.Name, got)
			}
		}
	}
	if !sort.Float64sAreSorted(tenantPriorities) {
		t.Errorf("tenant priorities %v do not follow name order", tenantPriorities)
	}
	if got, want := cr.outKeys("pool/"), []string{"frglobex"}; !sameStrings(got, want) {
		t.Errorf("gateway pool IDs for %v, want %v", got, want)
	}
}

func TestClusterGatewayRoutesAreStable(t *testing.T) {
	tenants := clusterTestTenants("fr")
	a, err := gatewayRoutes(tenants)
	if err != nil {
		t.Fatal(err)
	}
	reversed := append([]*spec.Tenant(nil), tenants...)
	sort.Slice(reversed, func(i, j int) bool { return reversed[i].Name > reversed[j].Name })
	b, err := gatewayRoutes(reversed)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 3 || len(a) != len(b) {
		t.Fatalf("routes: %d and %d, want 3", len(a), len(b))
	}
	for i := range a {
		if a[i].tenant.Name != b[i].tenant.Name || a[i].priority != b[i].priority {
			t.Errorf("route %d differs with the input order: %v/%d vs %v/%d", i, a[i].tenant.Name, a[i].priority, b[i].tenant.Name, b[i].priority)
		}
	}
}

func TestClusterDNSAndSQL(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	r := cr.region
	zone := cr.get(t, ctZone, cr.n("dns"))
	check(t, zone, "zoneName", r.DNSZone)
	check(t, zone, "location", "global")
	if cr.out("plain/dnsZone") != r.DNSZone {
		t.Errorf("Platform.DNSZoneName = %q", cr.out("plain/dnsZone"))
	}
	vnet := cr.get(t, ctVNet, cr.n("vnet"))
	for key, name := range map[string]string{
		"sqlServer": "privatelink.database.windows.net",
		"blob":      "privatelink.blob.core.windows.net",
		"file":      "privatelink.file.core.windows.net",
		"vault":     "privatelink.vaultcore.azure.net",
	} {
		z := cr.get(t, ctPZone, cr.n("pdns-"+key))
		check(t, z, "privateZoneName", name)
		check(t, z, "location", "global")
		link := cr.get(t, ctLink, cr.n("pdns-"+key+"-link"))
		check(t, link, "privateZoneName", name)
		check(t, link, "virtualNetwork.id", vnet.ID)
		check(t, link, "registrationEnabled", false)
		if got := cr.out("privateZone/" + key); got != z.ID {
			t.Errorf("Platform.PrivateDNSZoneIDs[%s] = %q, want %q", key, got, z.ID)
		}
	}
	if got := cr.outKeys("privateZone/"); len(got) != 4 {
		t.Errorf("private zone keys = %v", got)
	}

	// Servers 1, 2 and 3: the decommissioned tenant's server stays.
	servers := cr.plan.OfType(ctSQL)
	if len(servers) != 3 {
		t.Fatalf("%d SQL servers, want 3", len(servers))
	}
	for _, n := range []int{1, 2, 3} {
		s := cr.get(t, ctSQL, cr.n(fmt.Sprintf("sql-%d", n)))
		if !regexp.MustCompile(fmt.Sprintf(`^sql-kpax-fr-%d-[a-z0-9]{5}$`, n)).MatchString(s.String("serverName")) {
			t.Errorf("server name %q", s.String("serverName"))
		}
		if !s.Protect || !s.RetainOnDelete {
			t.Errorf("server %d: protect=%v retainOnDelete=%v", n, s.Protect, s.RetainOnDelete)
		}
		for path, v := range map[string]any{
			"version":             "12.0",
			"minimalTlsVersion":   "1.2",
			"publicNetworkAccess": "Disabled",
			"identity.type":       "SystemAssigned",
			"administrators.azureADOnlyAuthentication": true,
			"administrators.administratorType":         "ActiveDirectory",
			"administrators.login":                     r.Operators.GroupName,
			"administrators.sid":                       r.Operators.GroupObjectID,
			"administrators.principalType":             "Group",
		} {
			check(t, s, path, v)
		}
		if cr.out(fmt.Sprintf("sqlServer/%d/id", n)) != s.ID || cr.out(fmt.Sprintf("sqlServer/%d/name", n)) != s.String("serverName") {
			t.Errorf("Platform.SQLServers[%d] = %q %q", n, cr.out(fmt.Sprintf("sqlServer/%d/id", n)), cr.out(fmt.Sprintf("sqlServer/%d/name", n)))
		}
		audit := cr.get(t, ctSQLAudit, cr.n(fmt.Sprintf("sql-%d-audit", n)))
		check(t, audit, "serverName", s.String("serverName"))
		check(t, audit, "state", "Enabled")
		check(t, audit, "isAzureMonitorTargetEnabled", true)
	}
}

func TestClusterWithoutTenants(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("uk"), nil)
	if got := len(cr.plan.OfType(ctSQL)); got != 1 {
		t.Errorf("%d SQL servers, want server 1", got)
	}
	if got := cr.outKeys("vmPolicy/"); !sameStrings(got, []string{"daily-0200-30d"}) {
		t.Errorf("policies = %v, want the region default", got)
	}
	gw := cr.get(t, ctAGW, cr.n("agw"))
	if got := len(list(gw, "httpListeners")); got != 2 {
		t.Errorf("%d listeners, want the HTTP redirect and the HTTPS catch-all", got)
	}
}

// TestClusterPlatformIsComplete checks that every field of Platform is
// filled in.
func TestClusterPlatformIsComplete(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	r := cr.region
	for key, want := range map[string]string{
		"resourceGroupName":   "rg-kpax-fr-platform",
		"plain/location":      r.Location,
		"plain/zones":         strings.Join(r.Zones, ","),
		"plain/operators":     r.Operators.GroupObjectID,
		"plain/operatorsName": r.Operators.GroupName,
	} {
		if got := cr.out(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	// Every field, including ones added later, is set: outputs exist,
	// strings, lists and maps are not empty.
	v := reflect.ValueOf(cr.platform)
	for i := 0; i < v.NumField(); i++ {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.String, reflect.Slice, reflect.Map:
			if f.Len() == 0 {
				t.Errorf("Platform.%s is empty", name)
			}
		case reflect.Struct:
			if out, ok := f.Interface().(pulumi.Output); !ok || reflect.ValueOf(out).FieldByName("OutputState").IsNil() {
				t.Errorf("Platform.%s is not set", name)
			}
		case reflect.Interface:
			// DNSProvider is only for a later stamp in its own subscription.
			if f.IsNil() && name != "DNSProvider" {
				t.Errorf("Platform.%s is not set (stamp 1 owns the zone)", name)
			}
		default:
			t.Errorf("Platform.%s: unexpected kind %s", name, f.Kind())
		}
	}
	for key, ids := range map[string]map[string]pulumi.StringOutput{
		"VMBackupPolicyIDs":        cr.platform.VMBackupPolicyIDs,
		"FileShareBackupPolicyIDs": cr.platform.FileShareBackupPolicyIDs,
		"PrivateDNSZoneIDs":        cr.platform.PrivateDNSZoneIDs,
		"GatewayBackendPoolIDs":    cr.platform.GatewayBackendPoolIDs,
	} {
		for k, id := range ids {
			if reflect.ValueOf(id).FieldByName("OutputState").IsNil() {
				t.Errorf("Platform.%s[%s] is not set", key, k)
			}
		}
	}
}

// TestClusterProperties checks rules that hold for every registered resource
// of every region.
func TestClusterProperties(t *testing.T) {
	for _, key := range clusterTestRegionKeys {
		t.Run(key, func(t *testing.T) {
			r := clusterTestRegion(key)
			cr := runCluster(t, r, clusterTestTenants(key))
			checkZones(t, cr)
			checkLocations(t, cr)
			checkManagementPorts(t, cr)
			checkParents(t, cr)
			checkNamesAndTags(t, cr)
		})
	}
}

// checkZones: every input named zones or availabilityZones, at any depth,
// lists exactly the region's zones. The one exception is the NAT gateway, a
// zonal resource that cannot span zones: it sits in one of the region's. A
// Bastion may go without zones where the region file says Azure cannot.
func checkZones(t *testing.T, cr *clusterRun) {
	t.Helper()
	mustHaveZones := map[string]bool{ctPIP: true, ctAGW: true, ctBastion: cr.region.Bastion.ZoneRedundant, ctNAT: true}
	for _, res := range cr.plan.Resources {
		found := 0
		walkInputs(res.Inputs, "", func(path string, v any) {
			leaf := path[strings.LastIndexByte(path, '.')+1:]
			if leaf != "zones" && leaf != "availabilityZones" {
				return
			}
			found++
			got := stringsOf(v)
			if res.Type == ctNAT {
				if len(got) != 1 || !containsString(cr.region.Zones, got[0]) {
					t.Errorf("%s %s: %s = %v, want one of %v", res.Type, res.Name, path, got, cr.region.Zones)
				}
				return
			}
			if !sameStrings(got, cr.region.Zones) {
				t.Errorf("%s %s: %s = %v, want %v", res.Type, res.Name, path, got, cr.region.Zones)
			}
		})
		if mustHaveZones[res.Type] && found == 0 {
			t.Errorf("%s %s: no zones", res.Type, res.Name)
		}
	}
	// Zone redundancy the resources express otherwise.
	check(t, cr.get(t, ctEnv, cr.n("cae")), "zoneRedundant", true)
	check(t, cr.get(t, ctRSV, cr.n("rsv")), "properties.redundancySettings.standardTierStorageRedundancy", "ZoneRedundant")
}

// checkLocations: every location input is the region's, except the global
// DNS resources.
func checkLocations(t *testing.T, cr *clusterRun) {
	t.Helper()
	global := map[string]bool{ctZone: true, ctPZone: true, ctLink: true}
	for _, res := range cr.plan.Resources {
		loc, ok := res.Inputs["location"]
		if !ok {
			continue
		}
		want := cr.region.Location
		if global[res.Type] {
			want = "global"
		}
		if loc != want {
			t.Errorf("%s %s: location %v, want %s", res.Type, res.Name, loc, want)
		}
	}
}

// checkManagementPorts: no inbound allow rule, inline or standalone, opens
// SSH, RDP or WinRM to the internet.
func checkManagementPorts(t *testing.T, cr *clusterRun) {
	t.Helper()
	var rules []map[string]any
	for _, nsg := range cr.plan.OfType(ctNSG) {
		rules = append(rules, list(nsg, "securityRules")...)
	}
	for _, r := range cr.plan.OfType(ctRule) {
		rules = append(rules, r.Inputs)
	}
	if len(rules) == 0 {
		t.Fatal("no NSG rules")
	}
	for _, rule := range rules {
		if !strings.EqualFold(fmt.Sprint(rule["access"]), "Allow") || !strings.EqualFold(fmt.Sprint(rule["direction"]), "Inbound") {
			continue
		}
		sources := append(stringsOf(rule["sourceAddressPrefixes"]), fmt.Sprint(rule["sourceAddressPrefix"]))
		if !anyInternet(sources) {
			continue
		}
		ports := append(stringsOf(rule["destinationPortRanges"]), fmt.Sprint(rule["destinationPortRange"]))
		for _, mp := range []int{22, 3389, 5985, 5986} {
			if portsCover(ports, mp) {
				t.Errorf("rule %v allows port %d from %v", rule["name"], mp, sources)
			}
		}
	}
}

func anyInternet(sources []string) bool {
	for _, s := range sources {
		switch strings.ToLower(s) {
		case "*", "internet", "0.0.0.0/0", "any":
			return true
		}
	}
	return false
}

// portsCover reports whether NSG port specs ("22", "1000-2000", "*") include
// a port.
func portsCover(specs []string, port int) bool {
	for _, s := range specs {
		s = strings.TrimSpace(s)
		if s == "*" {
			return true
		}
		lo, hi, isRange := strings.Cut(s, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		if a <= port && port <= b {
			return true
		}
	}
	return false
}

func TestClusterPortsCover(t *testing.T) {
	tests := []struct {
		give []string
		port int
		want bool
	}{
		{[]string{"*"}, 22, true},
		{[]string{"80", "443"}, 22, false},
		{[]string{"20-25"}, 22, true},
		{[]string{"3380-3390"}, 3389, true},
		{[]string{"65200-65535"}, 5986, false},
		{[]string{"<nil>"}, 22, false},
	}
	for _, tt := range tests {
		if got := portsCover(tt.give, tt.port); got != tt.want {
			t.Errorf("portsCover(%v, %d) = %v, want %v", tt.give, tt.port, got, tt.want)
		}
	}
}

// checkParents: every resource but the component itself descends from it.
func checkParents(t *testing.T, cr *clusterRun) {
	t.Helper()
	comp := cr.plan.Get(ctCluster, "cluster-"+cr.region.Name)
	if comp == nil {
		t.Fatal("no RegionalCluster component")
	}
	for _, res := range cr.plan.Resources {
		if res == comp {
			continue
		}
		anc := cr.plan.Ancestors(res)
		if len(anc) == 0 || anc[len(anc)-1] != comp {
			t.Errorf("%s %s is not under the cluster", res.Type, res.Name)
		}
		if !strings.HasPrefix(res.Name, comp.Name+"-") {
			t.Errorf("%s %s: logical name not derived from the component's", res.Type, res.Name)
		}
	}
}

// physicalNameKeys are the inputs that name a resource where the name key
// is not <lowerFirst(kind)>Name.
var physicalNameKeys = map[string]string{
	ctPIP:      "publicIpAddressName",
	ctIdentity: "resourceName",
	ctDiag:     "name",
	ctLock:     "lockName",
	ctPRecord:  "relativeRecordSetName",
	ctSQLAudit: "blobAuditingPolicyName",
	ctEnv:      "environmentName",
	ctPolicy:   "policyName",
	ctWAF:      "policyName",
	ctRandom:   "length", // not an Azure resource: nothing to name
}

// taggable are the cluster's resource types that take tags.
var taggable = []string{ctRG, ctWorkspace, ctDCR, ctVNet, ctNSG, ctPIP, ctNAT, ctBastion, ctZone, ctPZone, ctLink,
	ctPE, ctKV, ctRSV, ctPolicy, ctEnv, ctIdentity, ctWAF, ctAGW, ctSQL}

// checkNamesAndTags: every Azure resource has an explicit physical name (no
// auto-naming), and every one that takes tags has the region's.
func checkNamesAndTags(t *testing.T, cr *clusterRun) {
	t.Helper()
	for _, res := range cr.plan.Resources {
		if !res.Custom {
			continue
		}
		kind := res.Type[strings.LastIndexByte(res.Type, ':')+1:]
		key, ok := physicalNameKeys[res.Type]
		if !ok {
			key = strings.ToLower(kind[:1]) + kind[1:] + "Name"
		}
		if res.Type == ctPZone && res.Name == cr.n("cae-dns") && cr.out("environmentDefaultDomain") == "" {
			// Named after the environment's defaultDomain output, which the
			// shared mocks only make up for the unversioned
			// azure-native:app:ManagedEnvironment token.
			continue
		}
		if v, _ := res.Inputs[key].(string); v == "" && res.Type != ctRandom {
			t.Errorf("%s %s: no physical name (%s)", res.Type, res.Name, key)
		}
	}
	for _, typ := range taggable {
		for _, res := range cr.plan.OfType(typ) {
			tags, _ := res.Inputs["tags"].(map[string]any)
			if tags["managed-by"] != managedBy || tags["region"] != cr.region.Name || tags["component"] == nil || tags["owner"] != "platform" {
				t.Errorf("%s %s: tags %v", typ, res.Name, tags)
			}
		}
	}
}

func walkInputs(v any, path string, visit func(path string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			visit(p, e)
			walkInputs(e, p, visit)
		}
	case []any:
		for i, e := range x {
			walkInputs(e, fmt.Sprintf("%s.%d", path, i), visit)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// TestClusterResourceCount pins the size of a region with the sample
// tenants, so that a change in it is a reviewed change.
func TestClusterResourceCount(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	counts := map[string]int{}
	custom := 0
	for _, res := range cr.plan.Resources {
		counts[res.Type]++
		if res.Custom {
			custom++
		}
	}
	want := map[string]int{
		ctCluster: 1, ctRG: 1, ctRandom: 1, ctWorkspace: 1, ctDCR: 1,
		ctVNet: 1, ctSubnet: 5, ctNSG: 4, ctPIP: 3, ctNAT: 1, ctBastion: 1,
		ctPZone: 5, ctLink: 5, ctPRecord: 1, ctZone: 1,
		// the platform Key Vault and each of the 3 SQL servers
		ctPE: 4, ctZoneGroup: 4,
		ctKV: 1, ctRSV: 1, ctLock: 2, ctPolicy: 6,
		// the gateway's identity and the registry pull identity, each with
		// its one grant
		ctEnv: 1, ctIdentity: 2, ctRole: 2, ctWAF: 1, ctAGW: 1,
		ctSQL: 3, ctSQLAudit: 3,
		// workspace, vnet, nat, 4 NSGs, 3 IPs, bastion, kv, rsv, agw, 3 masters
		ctDiag: 17,
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%s: %d, want %d", typ, counts[typ], n)
		}
	}
	for typ := range counts {
		if _, ok := want[typ]; !ok {
			t.Errorf("unexpected type %s (%d)", typ, counts[typ])
		}
	}
	t.Logf("fr with %d sample tenants: %d resources (%d custom)", len(cr.tenants), len(cr.plan.Resources), custom)
}

// A second stamp is an independent copy of the platform: its own names and
// address space, and its tenants' records in stamp 1's public zone.
func TestClusterSecondStamp(t *testing.T) {
	r := clusterTestRegion("fr")
	r.Stamps = 2
	r.AddressSpace = "10.10.0.0/16"
	tenant := clusterTestTenant("fr", "acme", spec.RuntimeContainer, spec.StateActive, 1, "01:00", 30)
	tenant.Stamp = 2
	var pf Platform
	p, err := plan.Run(plan.Options{Stack: "prod-fr-2"}, func(ctx *pulumi.Context) error {
		c, err := NewRegionalCluster(ctx, "region-fr-2", &RegionalClusterArgs{Region: r, Tenants: []*spec.Tenant{tenant}, Stamp: 2})
		if err != nil {
			return err
		}
		pf = c.Platform
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rg := p.Get("azure-native:resources:ResourceGroup", "region-fr-2-rg")
	if rg == nil || rg.String("resourceGroupName") != "rg-kpax-fr2-platform" {
		t.Fatalf("stamp 2 resource group: %+v", rg)
	}
	vnet := p.Get("azure-native:network:VirtualNetwork", "region-fr-2-vnet")
	if got := vnet.Strings("addressSpace.addressPrefixes"); len(got) != 1 || got[0] != "10.11.0.0/16" {
		t.Errorf("stamp 2 address space = %v, want [10.11.0.0/16]", got)
	}
	if zones := p.OfType("azure-native:network:Zone"); len(zones) != 0 {
		t.Errorf("stamp 2 creates a public DNS zone: %v", zones[0].Name)
	}
	if pf.DNSZoneName != "fr.kpax.cloud" || pf.DNSZoneResourceGroupName != "rg-kpax-fr-platform" || pf.DNSZone != nil {
		t.Errorf("stamp 2 DNS zone = %q in %q, want fr.kpax.cloud in rg-kpax-fr-platform", pf.DNSZoneName, pf.DNSZoneResourceGroupName)
	}
	for _, res := range p.Resources {
		for key, v := range res.Inputs {
			if s, ok := v.(string); ok && strings.HasSuffix(key, "Name") && strings.Contains(s, "-fr-") && !strings.Contains(s, "rg-kpax-fr-acme") {
				t.Errorf("%s %s: %s = %q reuses a stamp 1 name", res.Type, res.Name, key, s)
			}
		}
	}
	// A cluster refuses tenants of another stamp, and stamps the region
	// does not declare.
	_, err = plan.Run(plan.Options{Stack: "prod-fr"}, func(ctx *pulumi.Context) error {
		_, err := NewRegionalCluster(ctx, "region-fr", &RegionalClusterArgs{Region: r, Tenants: []*spec.Tenant{tenant}, Stamp: 1})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `tenant "acme" belongs to stamp 2`) {
		t.Errorf("err = %v, want a stamp mismatch", err)
	}
	_, err = plan.Run(plan.Options{Stack: "prod-fr-3"}, func(ctx *pulumi.Context) error {
		_, err := NewRegionalCluster(ctx, "region-fr-3", &RegionalClusterArgs{Region: r, Stamp: 3})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "stamp 3 is not one of the region's stamps (1-2)") {
		t.Errorf("err = %v, want an undeclared stamp", err)
	}
}

// Every shared SQL server is reachable through a private endpoint in the
// endpoints subnet, registered in the SQL private zone: its public access
// is off, so without one no tenant could reach its database.
func TestClusterSQLServersHavePrivateEndpoints(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	servers := cr.plan.OfType(ctSQL)
	if len(servers) == 0 {
		t.Fatal("no SQL servers")
	}
	for _, s := range servers {
		var found bool
		for _, pe := range cr.plan.OfType(ctPE) {
			if pe.String("privateLinkServiceConnections.0.privateLinkServiceId") == s.ID &&
				pe.String("privateLinkServiceConnections.0.groupIds.0") == "sqlServer" {
				found = true
				zg := cr.plan.Get(ctZoneGroup, pe.Name+"-dns")
				if zg == nil || !strings.Contains(zg.String("privateDnsZoneConfigs.0.privateDnsZoneId"), "privatelink.database.windows.net") {
					t.Errorf("%s: endpoint not registered in privatelink.database.windows.net: %+v", s.Name, zg)
				}
			}
		}
		if !found {
			t.Errorf("SQL server %s has no private endpoint", s.Name)
		}
	}
	kv := cr.get(t, ctKV, cr.n("kv"))
	if !kv.Protect || !kv.RetainOnDelete {
		t.Errorf("platform Key Vault: protect=%v retainOnDelete=%v", kv.Protect, kv.RetainOnDelete)
	}
}

// The stamp's apps pull with one platform identity, granted AcrPull on the
// region's registry (in its own subscription) and nothing else.
func TestClusterRegistryPull(t *testing.T) {
	r := clusterTestRegion("fr")
	cr := runCluster(t, r, clusterTestTenants("fr"))
	id := cr.get(t, ctIdentity, cr.n("acrpull-identity"))
	check(t, id, "resourceName", "id-kpax-fr-acrpull")
	check(t, id, "resourceGroupName", "rg-kpax-fr-platform")
	grant := cr.get(t, ctRole, cr.n("acrpull"))
	check(t, grant, "scope", testRegistryID)
	check(t, grant, "roleDefinitionId", "/subscriptions/0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90/providers/Microsoft.Authorization/roleDefinitions/"+roleAcrPull)
	check(t, grant, "principalType", "ServicePrincipal")
	if !containsString(grant.DependsOn, id.URN) {
		t.Errorf("the grant's principal is not the pull identity: dependsOn = %v", grant.DependsOn)
	}
	var onRegistry []string
	for _, ra := range cr.plan.OfType(ctRole) {
		if ra.String("scope") == testRegistryID {
			onRegistry = append(onRegistry, ra.Name)
		}
	}
	if !sameStrings(onRegistry, []string{grant.Name}) {
		t.Errorf("grants on the registry = %v, want the pull identity's alone", onRegistry)
	}
	if got := cr.out("plain/registryServer"); got != "kpaxcloud.azurecr.io" {
		t.Errorf("Platform.RegistryServer = %q", got)
	}
	if got := cr.out("registryPullIdentityId"); got != id.ID {
		t.Errorf("Platform.RegistryPullIdentityID = %q, want %q", got, id.ID)
	}
}
