// The regional cluster as a whole, in every region: args, zones, locations,
// parents, names and tags, resource counts, stamps.

package components

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

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

func TestClusterWithoutTenants(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("uk"), nil)
	if got := len(cr.plan.OfType(ctSQL)); got != 1 {
		t.Errorf("%d SQL servers, want server 1", got)
	}
	if got := cr.outKeys("fsPolicy/"); !sameStrings(got, []string{"daily-0200-30d"}) {
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
// lists exactly the region's zones: nothing on the platform is zonal. A
// Bastion may go without zones where the region file says Azure cannot.
func checkZones(t *testing.T, cr *clusterRun) {
	t.Helper()
	mustHaveZones := map[string]bool{ctPIP: true, ctAGW: true, ctBastion: cr.region.Bastion.ZoneRedundant}
	for _, res := range cr.plan.Resources {
		found := 0
		walkInputs(res.Inputs, "", func(path string, v any) {
			leaf := path[strings.LastIndexByte(path, '.')+1:]
			if leaf != "zones" && leaf != "availabilityZones" {
				return
			}
			found++
			got := stringsOf(v)
			if !sameStrings(got, cr.region.Zones) {
				t.Errorf("%s %s: %s = %v, want %v", res.Type, res.Name, path, got, cr.region.Zones)
			}
		})
		if mustHaveZones[res.Type] && found == 0 {
			t.Errorf("%s %s: no zones", res.Type, res.Name)
		}
	}
	// Zone redundancy the resources express otherwise.
	for _, env := range cr.plan.OfType(ctEnv) {
		check(t, env, "zoneRedundant", true)
	}
	check(t, cr.get(t, ctRSV, cr.n("rsv")), "properties.redundancySettings.standardTierStorageRedundancy", "ZoneRedundant")
}

// checkLocations: every location input is the region's, except the global
// DNS resources.
func checkLocations(t *testing.T, cr *clusterRun) {
	t.Helper()
	global := map[string]bool{ctZone: true, ctPZone: true, ctLink: true, ctAlert: true}
	for _, res := range cr.plan.Resources {
		loc, ok := res.Inputs["location"]
		if !ok {
			continue
		}
		want := cr.region.Location
		switch {
		case global[res.Type]:
			want = "global"
		case res.Type == ctAG:
			want = actionGroupLocation
		}
		if loc != want {
			t.Errorf("%s %s: location %v, want %s", res.Type, res.Name, loc, want)
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
	ctRoleDef:        "roleDefinitionId",
	ctActivityLog:    "name",
	ctScheduledQuery: "ruleName",
	ctPIP:            "publicIpAddressName",
	ctSQLAdmin:       "administratorName",
	ctIdentity:       "resourceName",
	ctDiag:           "name",
	ctLock:           "lockName",
	ctPRecord:        "relativeRecordSetName",
	ctSQLAudit:       "blobAuditingPolicyName",
	ctSQLEntraOnly:   "authenticationName",
	ctEnv:            "environmentName",
	ctPolicy:         "policyName",
	ctWAF:            "policyName",
	ctAppi:           "resourceName",
	ctAlert:          "ruleName",
	ctAssign:         "policyAssignmentName",
	ctRandom:         "length",   // not an Azure resource: nothing to name
	ctDNSSEC:         "zoneName", // a zone's one configuration, always "default"
}

// taggable are the cluster's resource types that take tags.
var taggable = []string{ctRG, ctWorkspace, ctDCR, ctVNet, ctNSG, ctPIP, ctNAT, ctBastion, ctZone, ctPZone, ctLink,
	ctPE, ctKV, ctRSV, ctPolicy, ctEnv, ctIdentity, ctWAF, ctAGW, ctSQL, ctAG, ctAppi, ctAlert}

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
		// Random values and waits have no Azure name.
		if v, _ := res.Inputs[key].(string); v == "" && res.Type != ctRandom && res.Type != ctPassword && res.Type != ctSleep {
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
		// six subnets of the platform, and one per container tenant with
		// compute (2), each with its NSG (Bastion's too)
		ctVNet: 1, ctSubnet: 8, ctNSG: 8, ctPIP: 3, ctLB: 1, ctBastion: 1,
		// 4 privatelink zones and one per tenant environment
		ctPZone: 6, ctLink: 6, ctPRecord: 2, ctZone: 1, ctDNSSEC: 1,
		// the platform Key Vault and each of the 3 SQL servers
		ctPE: 4, ctZoneGroup: 4,
		ctKV: 1, ctRSV: 1, ctLock: 2, ctPolicy: 3,
		// the gateway's identity and the registry pull identity, each with
		// its one grant, and the operators' Reader on the Bastion
		// and the operators' path: its environment, identity, grant job and SQL job
		ctEnv: 3, ctIdentity: 3, ctRole: 3, ctWAF: 1, ctAGW: 1, ctJob: 2,
		// each server's Entra admin and its Entra-only setting
		ctSQL: 3, ctSQLAudit: 3, ctSQLAdmin: 3, ctSQLEntraOnly: 3,
		// the waits for the pull grant and the gateway's grant to take
		// effect, for the guardrails to apply, and for the run-command
		// role to be assignable
		ctSleep: 4,
		// workspace, vnet, egress LB, 8 NSGs, 3 IPs, bastion, kv, rsv, agw,
		// 3 masters, the 3 Container Apps environments
		ctDiag: 24,
		// the action group, the tests' Application Insights, the gateway's
		// 5xx and the vault's backup health and missed backups; the two
		// initiatives, and the
		// platform group's assignments of its own and of zone resilience
		ctAG: 1, ctAppi: 1, ctAlert: 3, ctPolicySet: 2, ctAssign: 2,
		// the operators' run-command role, the Activity Log to the
		// workspace and the alert on sessions (cluster_access.go)
		ctRoleDef: 1, ctActivityLog: 1, ctScheduledQuery: 1,
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

// TestGuardrailsComeFirst: every resource of the platform group and of a
// tenant's group waits for its group's guardrails to apply (the assignment,
// then Azure's five minutes): Azure Policy refuses only what arrives once an
// assignment applies.
func TestGuardrailsComeFirst(t *testing.T) {
	cr := runCluster(t, clusterTestRegion("fr"), clusterTestTenants("fr"))
	first := map[string]bool{ctRG: true, ctPolicySet: true, ctAssign: true, ctCluster: true}
	for _, r := range cr.plan.Resources {
		if !first[r.Type] && r.Name != cr.n("guardrails-in-effect") && !waitsFor(cr.plan.Resources, r, cr.n("guardrails-in-effect")) {
			t.Errorf("%s %s is created without waiting for the platform group's guardrails", r.Type, r.Name)
		}
	}
	p := runTenants(t, vmTenant("globex", spec.StateActive), containerTenant("acme", spec.StateActive))
	for _, tn := range []string{"globex", "acme"} {
		for _, r := range tenantResources(t, p, tn) {
			if !first[r.Type] && r.Type != "kpax:components:Tenant" && r.Name != "tenant-"+tn+"-guardrails-in-effect" && !waitsFor(p.Resources, r, "tenant-"+tn+"-guardrails-in-effect") {
				t.Errorf("%s %s is created without waiting for its group's guardrails", r.Type, r.Name)
			}
		}
	}
}
