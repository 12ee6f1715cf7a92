package simazure

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/kpax/kpax-cloud/plan"
)

// sim is a cloud under test with a few helpers to make resources in it.
type sim struct {
	t *testing.T
	c *Cloud
}

func newSim(t *testing.T) *sim {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddSubscription(plan.MockSubscriptionID); err != nil {
		t.Fatal(err)
	}
	return &sim{t: t, c: c}
}

// create makes a resource and returns its ID; it fails the test if the
// cloud refuses.
func (s *sim) create(typ, name string, inputs map[string]any) string {
	s.t.Helper()
	id, err := s.try(typ, name, inputs)
	if err != nil {
		s.t.Fatalf("create %s %s: %v", typ, name, err)
	}
	return id
}

func (s *sim) try(typ, name string, inputs map[string]any) (string, error) {
	id, _, err := s.c.Create(Request{Type: typ, URN: "urn:test::" + name, Name: name, Inputs: resource.NewPropertyMapFromMap(inputs)})
	return id, err
}

func (s *sim) del(typ, id string) error {
	return s.c.Delete(Request{Type: typ, ID: id, URN: "urn:test"})
}

// refusedBy asserts that err is a refusal of the rule.
func refusedBy(t *testing.T, err error, rule Rule, what string) {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) || r.Rule.Name != rule.Name {
		t.Errorf("%s: want a refusal by %s, got %v", what, rule.Name, err)
		return
	}
	if !strings.Contains(err.Error(), rule.Source) || !strings.Contains(err.Error(), rule.Code) {
		t.Errorf("%s: the refusal does not name its code and source: %v", what, err)
	}
}

const testRG = "rg-test"

func (s *sim) group() string {
	return s.create(typeResourceGroup, "rg", map[string]any{"resourceGroupName": testRG, "location": "francecentral"})
}

func (s *sim) account(name string) string {
	return s.create("azure-native:storage:StorageAccount", name, map[string]any{"accountName": name, "resourceGroupName": testRG})
}

func (s *sim) lock(name, scope string) string {
	return s.create(typeLock, name, map[string]any{"lockName": "kpax-do-not-delete", "level": "CanNotDelete", "scope": scope})
}

func TestRuleAlreadyExists(t *testing.T) {
	s := newSim(t)
	s.group()
	s.account("stacme")
	_, err := s.try("azure-native:storage:StorageAccount", "again", map[string]any{"accountName": "stacme", "resourceGroupName": testRG})
	refusedBy(t, err, RuleAlreadyExists, "a second account of the same name")
}

func TestRuleSubscriptionNotFound(t *testing.T) {
	s := newSim(t)
	const other = "44444444-4444-4444-8444-444444444444"
	_, _, err := s.c.Create(Request{Type: typeResourceGroup, URN: "urn:test::rg", Name: "rg", Subscription: other,
		Inputs: resource.NewPropertyMapFromMap(map[string]any{"resourceGroupName": testRG, "location": "francecentral"})})
	refusedBy(t, err, RuleSubscriptionNotFound, "a group in a subscription the cloud does not have")
	if err := s.c.AddSubscription(other); err != nil {
		t.Fatal(err)
	}
	rg, _, err := s.c.Create(Request{Type: typeResourceGroup, URN: "urn:test::rg", Name: "rg", Subscription: other,
		Inputs: resource.NewPropertyMapFromMap(map[string]any{"resourceGroupName": testRG, "location": "francecentral"})})
	if err != nil || !strings.HasPrefix(rg, "/subscriptions/"+other+"/") {
		t.Errorf("a group in the provider's subscription: %s, %v", rg, err)
	}
	// A scope in a third subscription (a registry's role assignment) is
	// refused until that subscription exists too.
	const registry = "/subscriptions/55555555-5555-4555-8555-555555555555/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/kpax"
	_, err = s.try(typeRoleAssignment, "ra", map[string]any{"roleAssignmentName": "guid", "scope": registry, "principalId": "p"})
	refusedBy(t, err, RuleSubscriptionNotFound, "a role assignment on a registry of an unknown subscription")
	for id, typ := range map[string]string{resourceGroupOf(registry): typeResourceGroup, registry: "azure-native:containerregistry:Registry"} {
		if err := s.c.Seed(id, typ, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.try(typeRoleAssignment, "ra", map[string]any{"roleAssignmentName": "guid", "scope": registry, "principalId": "p"}); err != nil {
		t.Errorf("a role assignment on a seeded registry: %v", err)
	}
}

// TestProviderNeedsASubscription: like azure-native, the provider takes its
// subscription from its configuration, else from ARM_SUBSCRIPTION_ID, and
// works in no subscription otherwise.
func TestProviderNeedsASubscription(t *testing.T) {
	s := newSim(t)
	create := func(p *Provider) error {
		_, err := p.Create(context.Background(), plugin.CreateRequest{URN: "urn:pulumi:s::p::azure-native:resources:ResourceGroup::rg",
			Type: "azure-native:resources:ResourceGroup", Name: "rg",
			Properties: resource.NewPropertyMapFromMap(map[string]any{"resourceGroupName": testRG, "location": "francecentral"})})
		return err
	}
	t.Setenv("ARM_SUBSCRIPTION_ID", "")
	p := NewProvider("azure-native", semver.MustParse("2.90.0"), s.c)
	if err := create(p); err == nil || !strings.Contains(err.Error(), "subscription") {
		t.Errorf("no subscription anywhere: %v", err)
	}
	t.Setenv("ARM_SUBSCRIPTION_ID", plan.MockSubscriptionID)
	if err := create(NewProvider("azure-native", semver.MustParse("2.90.0"), s.c)); err != nil {
		t.Errorf("ARM_SUBSCRIPTION_ID: %v", err)
	}
	const configured = "66666666-6666-4666-8666-666666666666"
	p = NewProvider("azure-native", semver.MustParse("2.90.0"), s.c)
	if _, err := p.Configure(context.Background(), plugin.ConfigureRequest{Inputs: resource.NewPropertyMapFromMap(map[string]any{"subscriptionId": configured})}); err != nil {
		t.Fatal(err)
	}
	// The configuration wins over the environment; this subscription does
	// not exist in the cloud, so its first resource is refused.
	refusedBy(t, create(p), RuleSubscriptionNotFound, "a provider configured for a subscription the cloud lacks")
}

func TestRuleResourceGroupNotFound(t *testing.T) {
	s := newSim(t)
	_, err := s.try("azure-native:storage:StorageAccount", "st", map[string]any{"accountName": "st", "resourceGroupName": "missing"})
	refusedBy(t, err, RuleResourceGroupNotFound, "an account in a group that does not exist")
}

func TestRuleScopeLocked(t *testing.T) {
	s := newSim(t)
	rg := s.group()
	st := s.account("stacme")
	role := s.create(typeRoleAssignment, "ra", map[string]any{"roleAssignmentName": "guid", "scope": st, "principalId": "p"})
	diag := s.create("azure-native:insights:DiagnosticSetting", "diag", map[string]any{"name": "to-workspace", "resourceUri": st + "/blobServices/default"})
	pe := s.create(typePrivateEndpoint, "pe", map[string]any{"privateEndpointName": "pe-blob", "resourceGroupName": testRG,
		"privateLinkServiceConnections": []any{map[string]any{"privateLinkServiceId": st}}})
	share := s.create("azure-native:storage:FileShare", "share", map[string]any{"accountName": "stacme", "resourceGroupName": testRG, "shareName": "kpax"})
	lock := s.lock("lock", st)
	for what, target := range map[string][2]string{
		"the locked account":                  {"azure-native:storage:StorageAccount", st},
		"a role assignment at its scope":      {typeRoleAssignment, role},
		"a diagnostic setting on its service": {"azure-native:insights:DiagnosticSetting", diag},
		"a private endpoint to it":            {typePrivateEndpoint, pe},
		"its file share":                      {"azure-native:storage:FileShare", share},
		"its resource group":                  {typeResourceGroup, rg},
	} {
		refusedBy(t, s.del(target[0], target[1]), RuleScopeLocked, what)
	}
	if err := s.del(typeLock, lock); err != nil {
		t.Fatalf("deleting the lock itself: %v", err)
	}
	for _, id := range []string{role, diag, pe, st} {
		if err := s.del("x", id); err != nil {
			t.Errorf("after the lock is gone, deleting %s: %v", id, err)
		}
	}
	if rec, _ := s.c.Get(share); rec != nil {
		t.Errorf("deleting the account left its share behind")
	}
}

// backupVault makes a vault with immutability in state, a 30-day and a
// 7-day policy, a container and an item on the 30-day policy.
func (s *sim) backupVault(state string) (vault, long, short, container, item string) {
	s.group()
	vault = s.create(typeRecoveryVault, "rsv", map[string]any{"vaultName": "rsv", "resourceGroupName": testRG,
		"properties": map[string]any{"securitySettings": map[string]any{"immutabilitySettings": map[string]any{"state": state}}}})
	policy := func(name string, days int) string {
		return s.create(typeBackupPolicy, name, map[string]any{"policyName": name, "vaultName": "rsv", "resourceGroupName": testRG,
			"properties": map[string]any{"vaultRetentionPolicy": map[string]any{"vaultRetention": map[string]any{
				"dailySchedule": map[string]any{"retentionDuration": map[string]any{"count": days, "durationType": "Days"}}}}}})
	}
	long, short = policy("fs-30d", 30), policy("fs-7d", 7)
	container = s.create(typeBackupContainer, "ct", map[string]any{"vaultName": "rsv", "resourceGroupName": testRG, "fabricName": "Azure", "containerName": "storagecontainer;Storage;rg;st"})
	item = s.create(typeProtectedItem, "item", map[string]any{"vaultName": "rsv", "resourceGroupName": testRG, "fabricName": "Azure",
		"containerName": "storagecontainer;Storage;rg;st", "protectedItemName": "kpax", "properties": map[string]any{"policyId": long}})
	return
}

func (s *sim) movePolicy(item, to string) error {
	rec, _ := s.c.Get(item)
	old, _ := decodeProps(rec.Inputs)
	next := old.Copy()
	next["properties"] = resource.NewObjectProperty(resource.PropertyMap{"policyId": resource.NewStringProperty(to)})
	_, err := s.c.Update(Request{Type: typeProtectedItem, ID: item, Name: "item", Inputs: next, OldInputs: old})
	return err
}

func TestRuleImmutableVault(t *testing.T) {
	s := newSim(t)
	vault, long, short, container, item := s.backupVault("Unlocked")
	refusedBy(t, s.del(typeProtectedItem, item), RuleImmutableVaultDelete, "deleting a protected item with retained points")
	refusedBy(t, s.movePolicy(item, short), RuleImmutableVaultRetention, "moving to a shorter policy")
	refusedBy(t, s.del(typeRecoveryVault, vault), RuleVaultNotEmpty, "deleting a vault that holds an item")
	refusedBy(t, s.del(typeBackupContainer, container), RuleVaultNotEmpty, "unregistering a container that holds an item")
	if err := s.movePolicy(item, long); err != nil {
		t.Errorf("keeping the same policy: %v", err)
	}
	// Stopping protection as per policy is allowed; the points then expire
	// with their policy, after which the data may go.
	if err := s.c.OperatorStopProtection(item, true); err != nil {
		t.Fatalf("stop protection, retain as per policy: %v", err)
	}
	refusedBy(t, s.del(typeProtectedItem, item), RuleImmutableVaultDelete, "deleting before the points expire")
	if err := s.c.Advance(31 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.del(typeProtectedItem, item); err != nil {
		t.Errorf("deleting once the points have expired: %v", err)
	}
	if err := s.del(typeBackupContainer, container); err != nil {
		t.Errorf("unregistering the empty container: %v", err)
	}
}

func TestRuleImmutableVaultIndefinitely(t *testing.T) {
	s := newSim(t)
	_, _, _, _, item := s.backupVault("Locked")
	if err := s.c.OperatorStopProtection(item, false); err != nil {
		t.Fatal(err)
	}
	_ = s.c.Advance(10 * 365 * 24 * time.Hour)
	refusedBy(t, s.del(typeProtectedItem, item), RuleImmutableVaultDelete, "points retained indefinitely never expire")
}

func TestDisabledImmutabilityAllowsDeletes(t *testing.T) {
	s := newSim(t)
	_, _, short, _, item := s.backupVault("Disabled")
	if err := s.movePolicy(item, short); err != nil {
		t.Errorf("a mutable vault refused a shorter policy: %v", err)
	}
	if err := s.del(typeProtectedItem, item); err != nil {
		t.Errorf("a mutable vault refused deleting an item: %v", err)
	}
}

// TestRuleUpdateRefused: the provider sends a zone change as an update (it
// has no force-new entry for it), and ARM refuses it with the table's code
// and source.
func TestRuleUpdateRefused(t *testing.T) {
	s := newSim(t)
	s.group()
	old := map[string]any{"publicIpAddressName": "pip", "resourceGroupName": testRG, "zones": []any{"1", "2", "3"}}
	id := s.create("azure-native:network:PublicIPAddress", "pip", old)
	next := map[string]any{"publicIpAddressName": "pip", "resourceGroupName": testRG, "zones": []any{"1"}}
	_, err := s.c.Update(Request{Type: "azure-native:network:PublicIPAddress", ID: id, Name: "pip",
		Inputs: resource.NewPropertyMapFromMap(next), OldInputs: resource.NewPropertyMapFromMap(old)})
	row := plan.SemanticOf("azure-native:network:PublicIPAddress", "zones")
	refusedBy(t, err, Rule{Name: RuleUpdateRefused.Name, Code: row.Code, Source: row.Source}, "moving a public IP's zones in place")

	p := NewProvider("azure-native", semver.MustParse("2.90.0"), s.c)
	diff, err := p.Diff(context.Background(), plugin.DiffRequest{Type: tokens.Type("azure-native:network:PublicIPAddress"),
		OldInputs: resource.NewPropertyMapFromMap(old), NewInputs: resource.NewPropertyMapFromMap(next)})
	if err != nil || diff.Changes != plugin.DiffSome || len(diff.ReplaceKeys) != 0 || diff.DetailedDiff["zones"].Kind != plugin.DiffUpdate {
		t.Errorf("diff of a zone change = %+v, %v; want an in-place update of zones, as the provider sends it", diff, err)
	}
	renamed := map[string]any{"publicIpAddressName": "pip2", "resourceGroupName": testRG, "zones": []any{"1", "2", "3"}}
	diff, err = p.Diff(context.Background(), plugin.DiffRequest{Type: tokens.Type("azure-native:network:PublicIPAddress"),
		OldInputs: resource.NewPropertyMapFromMap(old), NewInputs: resource.NewPropertyMapFromMap(renamed)})
	if err != nil || len(diff.ReplaceKeys) != 1 || diff.ReplaceKeys[0] != "publicIpAddressName" {
		t.Errorf("diff of a rename = %+v, %v; want a replacement on the name", diff, err)
	}
	same, _ := p.Diff(context.Background(), plugin.DiffRequest{Type: tokens.Type("azure-native:network:PublicIPAddress"),
		OldInputs: resource.NewPropertyMapFromMap(old), NewInputs: resource.NewPropertyMapFromMap(old)})
	if same.Changes != plugin.DiffNone {
		t.Errorf("no change diffs as %v", same.Changes)
	}
}

// TestIgnoredUpdateKeepsTheOldValue: ARM takes an update of a Container
// Apps environment's network and keeps the network it had.
func TestIgnoredUpdateKeepsTheOldValue(t *testing.T) {
	s := newSim(t)
	s.group()
	env := func(subnet string) map[string]any {
		return map[string]any{"environmentName": "cae", "resourceGroupName": testRG, "vnetConfiguration": map[string]any{"infrastructureSubnetId": subnet}}
	}
	const typ = "azure-native:app:ManagedEnvironment"
	id := s.create(typ, "cae", env("snet-old"))
	if _, err := s.c.Update(Request{Type: typ, ID: id, Name: "cae",
		Inputs: resource.NewPropertyMapFromMap(env("snet-new")), OldInputs: resource.NewPropertyMapFromMap(env("snet-old"))}); err != nil {
		t.Fatalf("ARM answers an ignored update with success: %v", err)
	}
	rec, err := s.c.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.String("vnetConfiguration.infrastructureSubnetId"); got != "snet-old" {
		t.Errorf("after the update the environment is in %q, want the old subnet: ARM ignores it", got)
	}
}

func TestRuleNSG(t *testing.T) {
	s := newSim(t)
	s.group()
	rule := func(name string, priority int, ports []any) map[string]any {
		return map[string]any{"name": name, "priority": priority, "direction": "Inbound", "destinationPortRanges": ports}
	}
	_, err := s.try(typeNSG, "nsg", map[string]any{"networkSecurityGroupName": "nsg", "resourceGroupName": testRG,
		"securityRules": []any{rule("any", 100, []any{"*"})}})
	refusedBy(t, err, RuleNSGPortRanges, `"*" in destinationPortRanges`)
	_, err = s.try(typeNSG, "nsg", map[string]any{"networkSecurityGroupName": "nsg", "resourceGroupName": testRG,
		"securityRules": []any{rule("a", 100, []any{"80"}), rule("b", 100, []any{"443"})}})
	refusedBy(t, err, RuleNSGRuleUnique, "two inbound rules with one priority")
	_, err = s.try(typeNSG, "nsg", map[string]any{"networkSecurityGroupName": "nsg", "resourceGroupName": testRG,
		"securityRules": []any{rule("a", 100, []any{"80"}), rule("a", 110, []any{"443"})}})
	refusedBy(t, err, RuleNSGRuleUnique, "two rules of one name")
	s.create(typeNSG, "nsg", map[string]any{"networkSecurityGroupName": "nsg", "resourceGroupName": testRG,
		"securityRules": []any{rule("a", 100, []any{"80", "443"}), map[string]any{"name": "b", "priority": 110, "direction": "Inbound", "destinationPortRange": "*"}}})
}

func TestRuleContainerAppStart(t *testing.T) {
	s := newSim(t)
	s.group()
	identity := s.create(typeIdentity, "id", map[string]any{"resourceName": "id-acme", "resourceGroupName": testRG})
	principal := outputString(mustGet(t, s.c, identity), "principalId")
	pull := s.create(typeIdentity, "pull", map[string]any{"resourceName": "id-pull", "resourceGroupName": testRG})
	pullPrincipal := outputString(mustGet(t, s.c, pull), "principalId")
	vault := s.create(typeKeyVault, "kv", map[string]any{"vaultName": "kvacme", "resourceGroupName": testRG, "properties": map[string]any{"publicNetworkAccess": "Disabled"}})
	app := map[string]any{"containerAppName": "ca-acme", "resourceGroupName": testRG, "configuration": map[string]any{
		"registries": []any{map[string]any{"server": "kpaxcloud.azurecr.io", "identity": pull}},
		"secrets":    []any{map[string]any{"name": "key", "keyVaultUrl": "https://kvacme.vault.azure.net/secrets/key", "identity": identity}},
	}}
	_, err := s.try(typeContainerApp, "app", app)
	refusedBy(t, err, RuleRegistryPull, "an app whose pull identity has no AcrPull")
	// The registry exists outside the program.
	registry := "/subscriptions/x/resourceGroups/shared/providers/Microsoft.ContainerRegistry/registries/kpaxcloud"
	if err := s.c.Seed("/subscriptions/x/resourceGroups/shared", typeResourceGroup, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if err := s.c.Seed(registry, "azure-native:containerregistry:Registry", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	s.create(typeRoleAssignment, "acrpull", map[string]any{"roleAssignmentName": "g1", "scope": registry,
		"principalId": pullPrincipal, "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"})
	// A grant is enforced only once it has propagated.
	_, err = s.try(typeContainerApp, "app", app)
	refusedBy(t, err, RulePropagation, "an app whose pull grant was just made")
	if err := s.c.Advance(DefaultPropagation); err != nil {
		t.Fatal(err)
	}
	_, err = s.try(typeContainerApp, "app", app)
	refusedBy(t, err, RuleKeyVaultReference, "an app whose identity has no role on the vault")
	s.create(typeRoleAssignment, "kvrole", map[string]any{"roleAssignmentName": "g2", "scope": vault, "principalId": principal})
	_, err = s.try(typeContainerApp, "app", app)
	refusedBy(t, err, RulePropagation, "an app whose Key Vault role was just granted")
	if err := s.c.Advance(DefaultPropagation - time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = s.try(typeContainerApp, "app", app)
	refusedBy(t, err, RulePropagation, "a second before the role takes effect")
	if err := s.c.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = s.try(typeContainerApp, "app", app)
	refusedBy(t, err, RuleKeyVaultReference, "an app before its private vault has a private endpoint")
	s.create(typePrivateEndpoint, "pe", map[string]any{"privateEndpointName": "pe-vault", "resourceGroupName": testRG,
		"privateLinkServiceConnections": []any{map[string]any{"privateLinkServiceId": vault}}})
	_, err = s.try(typeContainerApp, "app", app)
	refusedBy(t, err, RuleKeyVaultReference, "an app before the endpoint's DNS records")
	s.create(typeZoneGroup, "dns", map[string]any{"privateDnsZoneGroupName": "default", "privateEndpointName": "pe-vault", "resourceGroupName": testRG})
	s.create(typeContainerApp, "app", app)
}

// TestPropagationIsConfigurable: a test may make grants take effect at
// once, or later than Learn's bound.
func TestPropagationIsConfigurable(t *testing.T) {
	s := newSim(t)
	if got := s.c.propagation(); got != DefaultPropagation {
		t.Errorf("default propagation %v, want %v", got, DefaultPropagation)
	}
	if err := s.c.SetPropagation(0); err != nil {
		t.Fatal(err)
	}
	g := s.c.grants(nil)
	if g.delay != 0 {
		t.Errorf("propagation %v after SetPropagation(0)", g.delay)
	}
}

// TestSQLEntraAdmin: a server created with an Entra admin has its
// administrators child, so that creating the child resource meets
// already-exists; Entra-only authentication needs an admin; the child is
// what changes the admin.
func TestSQLEntraAdmin(t *testing.T) {
	s := newSim(t)
	s.group()
	with := s.create(typeSQLServer, "sql1", map[string]any{"serverName": "sql1", "resourceGroupName": testRG,
		"administrators": map[string]any{"sid": "group-a", "login": "ops"}})
	if sid, err := s.c.EntraAdmin(with); err != nil || sid != "group-a" {
		t.Errorf("admin of a server created with one: %q, %v", sid, err)
	}
	_, err := s.try(typeSQLAdmin, "admin1", map[string]any{"serverName": "sql1", "resourceGroupName": testRG, "administratorName": "ActiveDirectory", "sid": "group-a"})
	refusedBy(t, err, RuleAlreadyExists, "the admin child of a server created with administrators")
	// What an import reads back: the child's inputs, path parameters
	// included, as the program declares them.
	read, _, err := s.c.Read(with + "/administrators/ActiveDirectory")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"administratorName": "ActiveDirectory", "administratorType": "ActiveDirectory", "sid": "group-a",
		"login": "ops", "serverName": "sql1", "resourceGroupName": testRG} {
		if got := read[resource.PropertyKey(k)]; !got.IsString() || got.StringValue() != v {
			t.Errorf("the implicit admin child's %s = %v, want %q", k, got, v)
		}
	}

	// Entra-only at creation makes the azureADOnlyAuthentications child:
	// the program imports it.
	only := s.create(typeSQLServer, "sql3", map[string]any{"serverName": "sql3", "resourceGroupName": testRG,
		"administrators": map[string]any{"sid": "group-a", "login": "ops", "azureADOnlyAuthentication": true}})
	_, err = s.try(typeSQLEntraOnly, "only3", map[string]any{"serverName": "sql3", "resourceGroupName": testRG, "authenticationName": "Default", "azureADOnlyAuthentication": true})
	refusedBy(t, err, RuleAlreadyExists, "the Entra-only child of a server created Entra-only")
	if read, _, err := s.c.Read(only + "/azureADOnlyAuthentications/Default"); err != nil || !read["azureADOnlyAuthentication"].IsBool() || !read["azureADOnlyAuthentication"].BoolValue() {
		t.Errorf("the implicit Entra-only child reads %v, %v; want azureADOnlyAuthentication true", read, err)
	}

	without := s.create(typeSQLServer, "sql2", map[string]any{"serverName": "sql2", "resourceGroupName": testRG, "administratorLogin": "boot"})
	_, err = s.try(typeSQLEntraOnly, "only", map[string]any{"serverName": "sql2", "resourceGroupName": testRG, "authenticationName": "Default", "azureADOnlyAuthentication": true})
	refusedBy(t, err, RuleEntraAdminFirst, "Entra-only authentication before the admin")
	in := map[string]any{"serverName": "sql2", "resourceGroupName": testRG, "administratorName": "ActiveDirectory", "sid": "group-a"}
	admin := s.create(typeSQLAdmin, "admin2", in)
	s.create(typeSQLEntraOnly, "only", map[string]any{"serverName": "sql2", "resourceGroupName": testRG, "authenticationName": "Default", "azureADOnlyAuthentication": true})
	next := map[string]any{"serverName": "sql2", "resourceGroupName": testRG, "administratorName": "ActiveDirectory", "sid": "group-b"}
	if _, err := s.c.Update(Request{Type: typeSQLAdmin, ID: admin, Name: "admin2", Inputs: resource.NewPropertyMapFromMap(next), OldInputs: resource.NewPropertyMapFromMap(in)}); err != nil {
		t.Fatal(err)
	}
	if sid, err := s.c.EntraAdmin(without); err != nil || sid != "group-b" {
		t.Errorf("admin after the child's update: %q, %v; want group-b", sid, err)
	}
}

func mustGet(t *testing.T, c *Cloud, id string) *Record {
	t.Helper()
	r, err := c.Get(id)
	if err != nil || r == nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return r
}

func TestRuleVaultTierRetention(t *testing.T) {
	s := newSim(t)
	s.group()
	s.create(typeRecoveryVault, "rsv", map[string]any{"vaultName": "rsv", "resourceGroupName": testRG})
	props := func(days int) map[string]any {
		return map[string]any{"policyName": "fs", "vaultName": "rsv", "resourceGroupName": testRG,
			"properties": map[string]any{"vaultRetentionPolicy": map[string]any{"snapshotRetentionInDays": 7, "vaultRetention": map[string]any{
				"dailySchedule": map[string]any{"retentionDuration": map[string]any{"count": days, "durationType": "Days"}}}}}}
	}
	_, err := s.try(typeBackupPolicy, "fs", props(7))
	refusedBy(t, err, RuleVaultTierRetention, "vault retention equal to the snapshots'")
	id := s.create(typeBackupPolicy, "fs", props(8))
	_, err = s.c.Update(Request{Type: typeBackupPolicy, ID: id, URN: "urn:test::fs", Name: "fs",
		Inputs: resource.NewPropertyMapFromMap(props(7)), OldInputs: resource.NewPropertyMapFromMap(props(8))})
	refusedBy(t, err, RuleVaultTierRetention, "updating to a vault retention equal to the snapshots'")
}

// parameterValues is Azure Policy's shape of parameter values:
// {"name": {"value": v}}.
func parameterValues(params map[string]any) map[string]any {
	values := map[string]any{}
	for k, v := range params {
		values[k] = map[string]any{"value": v}
	}
	return values
}

func TestRulePolicyParameters(t *testing.T) {
	s := newSim(t)
	rg := s.group()
	const defs = "/providers/Microsoft.Authorization/policyDefinitions/"
	member := func(id string, params map[string]any) map[string]any {
		return map[string]any{"policyDefinitionReferenceId": "m", "policyDefinitionId": defs + id, "parameters": parameterValues(params)}
	}
	set := func(name string, m map[string]any) map[string]any {
		return map[string]any{"policySetDefinitionName": name, "policyDefinitions": []any{m}}
	}
	locations := "e56962a6-4747-49cd-b67b-bf8b01975c4c"
	tag := "871b6d14-10aa-478d-b590-94f262ecfa99"
	for _, c := range []struct {
		what   string
		member map[string]any
		rule   Rule
	}{
		{"an effect on Require a tag, whose effect is fixed", member(tag, map[string]any{"tagName": "tenant", "effect": "Deny"}), RulePolicyParameterUndefined},
		{"an effect in the wrong case", member(locations, map[string]any{"listOfAllowedLocations": []any{"uksouth"}, "effect": "deny"}), RulePolicyParameterValue},
		{"Require a tag without its tag", member(tag, nil), RulePolicyParameterMissing},
		{"Allowed locations without its locations", member(locations, map[string]any{"effect": "Deny"}), RulePolicyParameterMissing},
		{"a mistyped built-in", member("e56962a6-4747-49cd-b67b-bf8b01975c4d", map[string]any{}), RulePolicyDefinitionNotFound},
	} {
		// A name per case, so that a case wrongly accepted does not make
		// the next one fail as already existing.
		_, err := s.try(typePolicySet, c.what, set(c.what, c.member))
		refusedBy(t, err, c.rule, c.what)
	}
	setID := s.create(typePolicySet, "set", set("kpax-test", member(locations, map[string]any{"listOfAllowedLocations": []any{"uksouth"}, "effect": "Deny"})))
	// An expression is Azure's to resolve, not a value to hold against
	// the allowed ones.
	s.create(typePolicySet, "expr", set("kpax-expr", member(locations, map[string]any{"listOfAllowedLocations": []any{"uksouth"}, "effect": "[parameters('effect')]"})))

	assign := func(def string, params map[string]any) map[string]any {
		return map[string]any{"policyAssignmentName": "kpax-test", "scope": rg, "policyDefinitionId": def, "parameters": parameterValues(params)}
	}
	zones := "/providers/Microsoft.Authorization/policySetDefinitions/130fb88f-0fc9-4678-bfe1-31022d71c7d5"
	_, err := s.try(typePolicyAssignment, "a", assign(setID, map[string]any{"effect": "Deny"}))
	refusedBy(t, err, RulePolicyParameterUndefined, "a parameter on an initiative that defines none")
	_, err = s.try(typePolicyAssignment, "a", assign(zones, map[string]any{"effect": "Audit", "allow": "both"}))
	refusedBy(t, err, RulePolicyParameterValue, "the zone initiative's allow in the wrong case")
	_, err = s.try(typePolicyAssignment, "a", assign(strings.Replace(setID, "kpax-test", "kpax-other", 1), nil))
	refusedBy(t, err, RulePolicyDefinitionNotFound, "an initiative that does not exist")
	s.create(typePolicyAssignment, "a", assign(setID, nil))
	zoneAudit := assign(zones, map[string]any{"effect": "Audit", "allow": "Both"})
	zoneAudit["policyAssignmentName"] = "kpax-zones"
	id := s.create(typePolicyAssignment, "z", zoneAudit)
	zoneEnforce := assign(zones, map[string]any{"effect": "Enforce"})
	zoneEnforce["policyAssignmentName"] = "kpax-zones"
	_, err = s.c.Update(Request{Type: typePolicyAssignment, ID: id, URN: "urn:test::z", Name: "z",
		Inputs: resource.NewPropertyMapFromMap(zoneEnforce), OldInputs: resource.NewPropertyMapFromMap(zoneAudit)})
	refusedBy(t, err, RulePolicyParameterValue, "updating the zone initiative's effect to a value it does not take")
}

// TestRulePolicyDeny: the guardrails of a resource group refuse what they
// match, from the program and from the portal alike, and nothing else.
func TestRulePolicyDeny(t *testing.T) {
	s := newSim(t)
	rg := s.group()
	const defs = "/providers/Microsoft.Authorization/policyDefinitions/"
	member := func(ref, id string, params map[string]any) map[string]any {
		return map[string]any{"policyDefinitionReferenceId": ref, "policyDefinitionId": defs + id, "parameters": parameterValues(params)}
	}
	set := s.create(typePolicySet, "set", map[string]any{"policySetDefinitionName": "kpax-guardrails", "policyDefinitions": []any{
		member("locations", "e56962a6-4747-49cd-b67b-bf8b01975c4c", map[string]any{"listOfAllowedLocations": []any{"francecentral"}, "effect": "Deny"}),
		member("storage", "b2982f36-99f2-4db5-8eff-283140c09693", map[string]any{"effect": "Deny"}),
		member("keyvault", "405c5871-3e91-4644-8a63-58e19d68ff5b", map[string]any{"effect": "Deny"}),
		member("sql-audit", "1b8ca024-1d5c-4dec-8995-b1a932b41780", nil), // its default effect is Audit
		member("tag", "871b6d14-10aa-478d-b590-94f262ecfa99", map[string]any{"tagName": "tenant"}),
	}})
	tags := map[string]any{"tenant": "acme"}
	account := func(name string, extra map[string]any) map[string]any {
		in := map[string]any{"accountName": name, "resourceGroupName": testRG, "publicNetworkAccess": "Disabled", "tags": tags}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	// Before the assignment, nothing is refused.
	s.create("azure-native:storage:StorageAccount", "early", account("stearly", map[string]any{"publicNetworkAccess": "Enabled"}))
	s.create(typePolicyAssignment, "guardrails", map[string]any{"policyAssignmentName": "kpax-guardrails", "scope": rg, "policyDefinitionId": set})

	for _, c := range []struct {
		what  string
		typ   string
		input map[string]any
	}{
		{"a storage account open to the internet", "azure-native:storage:StorageAccount", account("stopen", map[string]any{"publicNetworkAccess": "Enabled"})},
		{"a storage account that leaves public access to its default", "azure-native:storage:StorageAccount", account("stdefault", map[string]any{"publicNetworkAccess": nil})},
		{"a storage account without its tenant tag", "azure-native:storage:StorageAccount", account("stuntagged", map[string]any{"tags": map[string]any{"region": "fr"}})},
		{"a storage account in another geography", "azure-native:storage:StorageAccount", account("stwest", map[string]any{"location": "West Europe"})},
		{"a key vault open to the internet", typeKeyVault, map[string]any{"vaultName": "kvopen", "resourceGroupName": testRG, "tags": tags,
			"properties": map[string]any{"publicNetworkAccess": "Enabled"}}},
	} {
		_, err := s.try(c.typ, c.what, c.input)
		refusedBy(t, err, RulePolicyDeny, c.what)
	}
	// What the guardrails allow: a compliant account, a global resource, a
	// type the location and tag rules do not see, and an audited rule.
	id := s.create("azure-native:storage:StorageAccount", "ok", account("stok", map[string]any{"location": "France Central"}))
	s.create("azure-native:insights:ActionGroup", "ag", map[string]any{"actionGroupName": "ag", "resourceGroupName": testRG, "location": "Global", "tags": tags})
	s.create("azure-native:storage:FileShare", "share", map[string]any{"shareName": "kpax", "accountName": "stok", "resourceGroupName": testRG})
	s.create("azure-native:sql:Server", "sql", map[string]any{"serverName": "sql-open", "resourceGroupName": testRG, "tags": tags, "publicNetworkAccess": "Enabled"})

	// The portal is refused too, and what it was refused stays as it was.
	err := s.c.OperatorSet(id, "publicNetworkAccess", "Enabled")
	refusedBy(t, err, RulePolicyDeny, "opening the account in the portal")
	if got := mustGet(t, s.c, id).String("publicNetworkAccess"); got != "Disabled" {
		t.Errorf("after the refusal the account's publicNetworkAccess is %q", got)
	}
	// An update by the program is held the same way.
	_, err = s.c.Update(Request{Type: "azure-native:storage:StorageAccount", ID: id, URN: "urn:test::ok", Name: "ok",
		Inputs:    resource.NewPropertyMapFromMap(account("stok", map[string]any{"tags": map[string]any{}})),
		OldInputs: resource.NewPropertyMapFromMap(account("stok", nil))})
	refusedBy(t, err, RulePolicyDeny, "an update that drops the tenant tag")

	// A tag is found whatever the case of its name.
	s.create("azure-native:storage:StorageAccount", "case", account("stcase", map[string]any{"tags": map[string]any{"Tenant": "acme"}}))
	// A vault recovered from soft delete is not judged.
	s.create(typeKeyVault, "recovered", map[string]any{"vaultName": "kvback", "resourceGroupName": testRG, "tags": tags,
		"properties": map[string]any{"createMode": "recover", "publicNetworkAccess": "Enabled"}})

	// A resource without a location of its own has its group's: a group
	// outside the allowed locations refuses it.
	s.create(typeResourceGroup, "west", map[string]any{"resourceGroupName": "rg-west", "location": "westeurope"})
	west := "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/rg-west"
	s.create(typePolicyAssignment, "west-guardrails", map[string]any{"policyAssignmentName": "kpax-guardrails", "scope": west, "policyDefinitionId": set})
	westAccount := account("stwestgroup", nil)
	westAccount["resourceGroupName"] = "rg-west"
	_, err = s.try("azure-native:storage:StorageAccount", "west-account", westAccount)
	refusedBy(t, err, RulePolicyDeny, "an account that takes its group's location, outside the allowed ones")

	// An assignment that does not enforce refuses nothing.
	s.create(typeResourceGroup, "quiet", map[string]any{"resourceGroupName": "rg-quiet", "location": "francecentral"})
	quiet := "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/rg-quiet"
	s.create(typePolicyAssignment, "quiet-guardrails", map[string]any{"policyAssignmentName": "kpax-guardrails", "scope": quiet,
		"policyDefinitionId": set, "enforcementMode": "DoNotEnforce"})
	quietAccount := account("stquiet", map[string]any{"publicNetworkAccess": "Enabled"})
	quietAccount["resourceGroupName"] = "rg-quiet"
	s.create("azure-native:storage:StorageAccount", "quiet-account", quietAccount)

	// An assignment at the subscription holds every group of it, and an
	// initiative's parameter reaches its members through an expression.
	subSet := s.create(typePolicySet, "sub-set", map[string]any{"policySetDefinitionName": "kpax-sub",
		"parameters":        map[string]any{"effect": map[string]any{"type": "String", "defaultValue": "Audit"}},
		"policyDefinitions": []any{member("storage", "b2982f36-99f2-4db5-8eff-283140c09693", map[string]any{"effect": "[parameters('effect')]"})}})
	subscription := "/subscriptions/" + plan.MockSubscriptionID
	s.create(typePolicyAssignment, "sub-audit", map[string]any{"policyAssignmentName": "kpax-sub-audit", "scope": subscription, "policyDefinitionId": subSet})
	openQuiet := account("stquiet2", map[string]any{"publicNetworkAccess": "Enabled"})
	openQuiet["resourceGroupName"] = "rg-quiet"
	s.create("azure-native:storage:StorageAccount", "quiet-account-2", openQuiet) // the initiative's default: Audit
	s.create(typePolicyAssignment, "sub-deny", map[string]any{"policyAssignmentName": "kpax-sub-deny", "scope": subscription, "policyDefinitionId": subSet,
		"parameters": map[string]any{"effect": map[string]any{"value": "Deny"}}})
	openQuiet["accountName"] = "stquiet3"
	_, err = s.try("azure-native:storage:StorageAccount", "quiet-account-3", openQuiet)
	refusedBy(t, err, RulePolicyDeny, "an open account under a subscription assignment that sets Deny")
	if err := s.del(typePolicyAssignment, subscription+"/providers/Microsoft.Authorization/policyAssignments/kpax-sub-deny"); err != nil {
		t.Fatal(err)
	}

	// With the assignment gone, the portal's change goes through.
	assignment := rg + "/providers/Microsoft.Authorization/policyAssignments/kpax-guardrails"
	if err := s.del(typePolicyAssignment, assignment); err != nil {
		t.Fatal(err)
	}
	if err := s.c.OperatorSet(id, "publicNetworkAccess", "Enabled"); err != nil {
		t.Errorf("without the assignment: %v", err)
	}
}

// TestEveryRuleIsTested keeps this file honest: a new rule needs a test
// that makes the cloud refuse by it.
func TestEveryRuleIsTested(t *testing.T) {
	tested := map[string]bool{
		RuleAlreadyExists.Name: true, RuleSubscriptionNotFound.Name: true, RuleResourceGroupNotFound.Name: true, RuleScopeLocked.Name: true,
		RuleImmutableVaultDelete.Name: true, RuleImmutableVaultRetention.Name: true, RuleVaultNotEmpty.Name: true,
		RuleUpdateRefused.Name: true, RuleNSGPortRanges.Name: true, RuleNSGRuleUnique.Name: true,
		RuleKeyVaultReference.Name: true, RuleRegistryPull.Name: true, RuleVaultTierRetention.Name: true,
		RulePolicyDefinitionNotFound.Name: true, RulePolicyParameterUndefined.Name: true,
		RulePolicyParameterValue.Name: true, RulePolicyParameterMissing.Name: true, RulePolicyDeny.Name: true,
		RulePropagation.Name: true, RuleEntraAdminFirst.Name: true, RuleVaultFirewall.Name: true, RuleGatewaySecret.Name: true,
		RuleWorkspaceLocalAuth.Name: true, RuleSoftDeleteAlwaysOn.Name: true, RuleBastionNSG.Name: true,
		RuleEnvironmentSubnet.Name: true, RuleWorkloadProfile.Name: true, // TestEnvironmentSubnetAndProfile
		RuleSubnetInUse.Name:                    true, // TestSubnetInUseKeepsItsRange
		RuleObjectReplicationPrerequisites.Name: true, RuleObjectReplicationOrder.Name: true,
	}
	for _, r := range Rules() {
		if !tested[r.Name] {
			t.Errorf("rule %s has no test in which the cloud refuses", r.Name)
		}
		if !strings.HasPrefix(r.Source, "https://") || r.Code == "" {
			t.Errorf("rule %s has no source link or ARM code", r.Name)
		}
	}
}

// TestLogRecordsEveryOperation: what the cloud was asked, in order, with
// refusals and their rule.
func TestLogRecordsEveryOperation(t *testing.T) {
	s := newSim(t)
	s.group()
	st := s.account("stacme")
	s.lock("lock", st)
	_ = s.del("azure-native:storage:StorageAccount", st)
	log, err := s.c.Log()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range log {
		got = append(got, op.Op+" "+op.Type+" "+op.Rule)
	}
	want := []string{
		"create azure-native:resources:ResourceGroup ",
		"create azure-native:storage:StorageAccount ",
		"create azure-native:authorization:ManagementLockByScope ",
		"refuse azure-native:storage:StorageAccount scope-locked",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestVaultPlanes: a private vault refuses a data-plane write from outside
// its VNet and takes the same secret through ARM; a gateway is refused until
// its certificate's secret exists, whichever plane wrote it.
func TestVaultPlanes(t *testing.T) {
	s := newSim(t)
	s.group()
	if err := s.c.SetPropagation(0); err != nil {
		t.Fatal(err)
	}
	vault := s.create(typeKeyVault, "kv", map[string]any{"vaultName": "kvplat", "resourceGroupName": testRG, "properties": map[string]any{"publicNetworkAccess": "Disabled"}})
	subnet := "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/"
	s.create(typePrivateEndpoint, "pe", map[string]any{"privateEndpointName": "pe-vault", "resourceGroupName": testRG,
		"subnet":                        map[string]any{"id": subnet + "snet-endpoints"},
		"privateLinkServiceConnections": []any{map[string]any{"privateLinkServiceId": vault}}})
	s.create(typeZoneGroup, "dns", map[string]any{"privateDnsZoneGroupName": "default", "privateEndpointName": "pe-vault", "resourceGroupName": testRG})
	identity := s.create(typeIdentity, "id", map[string]any{"resourceName": "id-agw", "resourceGroupName": testRG})
	s.create(typeRoleAssignment, "kvrole", map[string]any{"roleAssignmentName": "g1", "scope": vault, "principalId": outputString(mustGet(t, s.c, identity), "principalId")})
	gateway := map[string]any{"applicationGatewayName": "agw", "resourceGroupName": testRG,
		"identity":        map[string]any{"userAssignedIdentities": []any{identity}},
		"sslCertificates": []any{map[string]any{"name": "wildcard", "keyVaultSecretId": "https://kvplat.vault.azure.net/secrets/wildcard"}}}
	_, err := s.try(typeAppGateway, "agw", gateway)
	refusedBy(t, err, RuleGatewaySecret, "a gateway whose certificate is not in the vault")

	refusedBy(t, s.c.DataPlaneSetSecret("kvplat", "wildcard", ""), RuleVaultFirewall, "a certificate import from outside the VNet")
	refusedBy(t, s.c.DataPlaneSetSecret("kvplat", "wildcard", "/subscriptions/x/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/vnet/subnets/a"), RuleVaultFirewall, "a certificate import from another VNet")
	if err := s.c.DataPlaneSetSecret("kvplat", "inside", subnet+"snet-ops"); err != nil {
		t.Errorf("a data-plane write from inside the vault's VNet: %v", err)
	}
	// ARM writes the secret whatever the vault's network rules.
	s.create(typeSecret, "tls", map[string]any{"vaultName": "kvplat", "secretName": "wildcard", "resourceGroupName": testRG,
		"properties": map[string]any{"value": "cGZ4", "contentType": "application/x-pkcs12"}})
	s.create(typeAppGateway, "agw", gateway)
}

// TestGrantJob: the grant job's T-SQL reaches a server only over its private
// endpoint with both NSGs letting TDS through, signed in as a member of the
// server's Entra admin group, with the server able to resolve principals;
// a guarded grant runs twice with one result, an unguarded one does not.
func TestGrantJob(t *testing.T) {
	s := newSim(t)
	s.group()
	net := "/subscriptions/" + plan.MockSubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Network/"
	allow := func(name, dir, peer string) map[string]any {
		key := "sourceAddressPrefix"
		if dir == "Outbound" {
			key = "destinationAddressPrefix"
		}
		return map[string]any{"name": name, "priority": 100, "direction": dir, "access": "Allow", key: peer, "destinationPortRanges": []any{"1433"}}
	}
	deny := func(dir string) map[string]any {
		key := "sourceAddressPrefix"
		if dir == "Outbound" {
			key = "destinationAddressPrefix"
		}
		return map[string]any{"name": "deny-" + dir, "priority": 4000, "direction": dir, "access": "Deny", key: "VirtualNetwork", "destinationPortRange": "*"}
	}
	opsNSG := s.create(typeNSG, "nsg-ops", map[string]any{"networkSecurityGroupName": "nsg-ops", "resourceGroupName": testRG,
		"securityRules": []any{allow("out", "Outbound", "10.0.16.0/22"), deny("Outbound")}})
	endpointsRules := []any{deny("Inbound")}
	endpointsNSG := s.create(typeNSG, "nsg-endpoints", map[string]any{"networkSecurityGroupName": "nsg-endpoints", "resourceGroupName": testRG, "securityRules": endpointsRules})
	subnet := func(name, prefix, nsg string) string {
		return s.create(typeSubnet, name, map[string]any{"subnetName": name, "virtualNetworkName": "vnet", "resourceGroupName": testRG,
			"addressPrefix": prefix, "networkSecurityGroup": map[string]any{"id": nsg}})
	}
	opsSubnet, endpoints := subnet("snet-ops", "10.0.21.64/27", opsNSG), subnet("snet-endpoints", "10.0.16.0/22", endpointsNSG)
	if !strings.HasPrefix(opsSubnet, net) {
		t.Fatalf("subnet ID %s", opsSubnet)
	}
	server := s.create(typeSQLServer, "sql", map[string]any{"serverName": "sql-1", "resourceGroupName": testRG, "identity": map[string]any{"type": "SystemAssigned"},
		"administrators": map[string]any{"sid": "operators", "login": "ops"}})
	s.create(typePrivateEndpoint, "pe-sql", map[string]any{"privateEndpointName": "pe-sql", "resourceGroupName": testRG,
		"subnet": map[string]any{"id": endpoints}, "privateLinkServiceConnections": []any{map[string]any{"privateLinkServiceId": server}}})
	db := s.create(typeSQLDatabase, "db", map[string]any{"serverName": "sql-1", "databaseName": "sqldb-acme", "resourceGroupName": testRG})
	s.create(typeIdentity, "tenant", map[string]any{"resourceName": "id-kpax-fr-acme", "resourceGroupName": testRG})
	ops := s.create(typeIdentity, "ops", map[string]any{"resourceName": "id-kpax-fr-ops", "resourceGroupName": testRG})
	env := s.create(typeEnvironment, "cae-ops", map[string]any{"environmentName": "cae-ops", "resourceGroupName": testRG,
		"vnetConfiguration": map[string]any{"infrastructureSubnetId": opsSubnet}})
	guarded := "IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'id-kpax-fr-acme') CREATE USER [id-kpax-fr-acme] FROM EXTERNAL PROVIDER; " +
		"IF IS_ROLEMEMBER(N'db_owner', N'id-kpax-fr-acme') = 0 ALTER ROLE [db_owner] ADD MEMBER [id-kpax-fr-acme];"
	job := func(name, sql string) string {
		return s.create(typeJob, name, map[string]any{"jobName": name, "resourceGroupName": testRG, "environmentId": env,
			"identity": map[string]any{"userAssignedIdentities": []any{ops}},
			"template": map[string]any{"containers": []any{map[string]any{"env": []any{
				map[string]any{"name": "OPS_CLIENT_ID", "value": "x"},
				map[string]any{"name": "KPAX_GRANT_ACME", "value": "'acme' 'sql-1' 'sqldb-acme' 'id-kpax-fr-acme' '" + strings.ReplaceAll(sql, "'", `'\''`) + "'"},
			}}}}})
	}
	grants, plain := job("grants", guarded), job("plain", "CREATE USER [id-kpax-fr-acme] FROM EXTERNAL PROVIDER;")
	run := func(id, want, what string) {
		t.Helper()
		ex, err := s.c.StartJob(id)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Log) != 1 || !strings.Contains(ex.Log[0], want) {
			t.Errorf("%s: log %v, want %q", what, ex.Log, want)
		}
	}
	run(grants, "does not admit 10.0.21.64/27 on 1433", "the endpoints' NSG closed to the ops subnet")
	if err := s.c.OperatorSet(endpointsNSG, "securityRules", append([]any{allow("in", "Inbound", "10.0.21.64/27")}, endpointsRules...)); err != nil {
		t.Fatal(err)
	}
	run(grants, "Msg 18456", "the ops identity outside the admin group")
	if err := s.c.AddGroupMember("operators", outputString(mustGet(t, s.c, ops), "principalId")); err != nil {
		t.Fatal(err)
	}
	run(grants, "Msg 33134", "a server identity without Directory Readers")
	if err := s.c.AddDirectoryReader(outputString(mustGet(t, s.c, server), "identity.principalId")); err != nil {
		t.Fatal(err)
	}
	run(grants, "result=ok", "the first grant")
	run(grants, "result=ok", "the same grant again")
	run(plain, "Msg 15023", "an unguarded CREATE USER for an existing user")
	if users, err := s.c.DatabaseUsers(db); err != nil || fmt.Sprint(users) != "[id-kpax-fr-acme:db_owner]" {
		t.Errorf("users of the database: %v, %v", users, err)
	}
}

// TestRuleWorkspaceLocalAuth: an environment that logs with the shared key
// of a workspace without local authentication is refused; through Azure
// Monitor (its diagnostic setting) it is not.
func TestRuleWorkspaceLocalAuth(t *testing.T) {
	s := newSim(t)
	s.group()
	wsID := s.create(typeWorkspace, "log", map[string]any{"workspaceName": "log", "resourceGroupName": testRG,
		"features": map[string]any{"disableLocalAuth": true}})
	ws, err := s.c.Get(wsID)
	if err != nil {
		t.Fatal(err)
	}
	customer := outputString(ws, "customerId")
	if customer == "" {
		t.Fatal("the workspace has no customerId output")
	}
	withKey := map[string]any{"environmentName": "cae", "resourceGroupName": testRG, "appLogsConfiguration": map[string]any{
		"destination": "log-analytics", "logAnalyticsConfiguration": map[string]any{"customerId": customer, "sharedKey": "key"}}}
	_, err = s.try(typeEnvironment, "cae", withKey)
	refusedBy(t, err, RuleWorkspaceLocalAuth, "an environment writing with the shared key")
	id := s.create(typeEnvironment, "cae", map[string]any{"environmentName": "cae", "resourceGroupName": testRG,
		"appLogsConfiguration": map[string]any{"destination": "azure-monitor"}})
	_, err = s.c.Update(Request{Type: typeEnvironment, ID: id, Name: "cae", Inputs: resource.NewPropertyMapFromMap(withKey),
		OldInputs: resource.NewPropertyMapFromMap(map[string]any{"environmentName": "cae", "resourceGroupName": testRG})})
	refusedBy(t, err, RuleWorkspaceLocalAuth, "an environment moved back to the shared key")
}

// TestRuleSoftDeleteAlwaysOn: AlwaysON is for good.
func TestRuleSoftDeleteAlwaysOn(t *testing.T) {
	s := newSim(t)
	s.group()
	vault := func(state string) map[string]any {
		return map[string]any{"vaultName": "rsv", "resourceGroupName": testRG, "properties": map[string]any{
			"securitySettings": map[string]any{"softDeleteSettings": map[string]any{"softDeleteState": state}}}}
	}
	update := func(id, from, to string) error {
		_, err := s.c.Update(Request{Type: typeRecoveryVault, ID: id, Name: "rsv",
			Inputs: resource.NewPropertyMapFromMap(vault(to)), OldInputs: resource.NewPropertyMapFromMap(vault(from))})
		return err
	}
	id := s.create(typeRecoveryVault, "rsv", vault("Enabled"))
	if err := update(id, "Enabled", "AlwaysON"); err != nil {
		t.Fatalf("Enabled to AlwaysON: %v", err)
	}
	refusedBy(t, update(id, "AlwaysON", "Disabled"), RuleSoftDeleteAlwaysOn, "turning always-on soft delete off")
	refusedBy(t, update(id, "AlwaysON", "Enabled"), RuleSoftDeleteAlwaysOn, "turning always-on soft delete back to Enabled")
}

// TestRuleBastionNSG: Bastion's subnet takes an NSG with its rules only,
// and the NSG keeps them.
func TestRuleBastionNSG(t *testing.T) {
	s := newSim(t)
	s.group()
	rule := func(name string, priority int, direction, peer, port string) map[string]any {
		r := map[string]any{"name": name, "priority": priority, "direction": direction, "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": port}
		if direction == "Inbound" {
			r["sourceAddressPrefix"] = peer
		} else {
			r["destinationAddressPrefix"] = peer
		}
		return r
	}
	full := []any{rule("gm", 100, "Inbound", "GatewayManager", "443"), rule("cloud", 100, "Outbound", "AzureCloud", "443"),
		rule("ssh", 110, "Outbound", "VirtualNetwork", "22"), rule("rdp", 120, "Outbound", "VirtualNetwork", "3389")}
	nsg := func(name string, rules []any) map[string]any {
		return map[string]any{"networkSecurityGroupName": name, "resourceGroupName": testRG, "securityRules": rules}
	}
	subnet := func(nsgID string) map[string]any {
		return map[string]any{"subnetName": "AzureBastionSubnet", "virtualNetworkName": "vnet", "resourceGroupName": testRG,
			"networkSecurityGroup": map[string]any{"id": nsgID}}
	}
	partial := s.create(typeNSG, "partial", nsg("partial", full[:3]))
	_, err := s.try(typeSubnet, "bastion", subnet(partial))
	refusedBy(t, err, RuleBastionNSG, "a Bastion subnet whose NSG lacks outbound RDP")
	// A deny in front of a required allow counts as missing.
	deny := rule("deny-gm", 90, "Inbound", "GatewayManager", "443")
	deny["access"] = "Deny"
	denied := s.create(typeNSG, "denied", nsg("denied", append([]any{deny}, full...)))
	_, err = s.try(typeSubnet, "bastion", subnet(denied))
	refusedBy(t, err, RuleBastionNSG, "a Bastion subnet whose NSG denies GatewayManager first")

	good := s.create(typeNSG, "good", nsg("good", full))
	s.create(typeSubnet, "bastion", subnet(good))
	_, err = s.c.Update(Request{Type: typeNSG, ID: good, Name: "good", Inputs: resource.NewPropertyMapFromMap(nsg("good", full[1:])),
		OldInputs: resource.NewPropertyMapFromMap(nsg("good", full))})
	refusedBy(t, err, RuleBastionNSG, "dropping GatewayManager from the NSG Bastion's subnet uses")
	// Another subnet takes any NSG.
	s.create(typeSubnet, "apps", map[string]any{"subnetName": "snet-apps", "virtualNetworkName": "vnet", "resourceGroupName": testRG,
		"networkSecurityGroup": map[string]any{"id": partial}})
}

// TestRuleObjectReplication: a replication policy is refused without
// versioning on both accounts and the change feed on the source, or before
// its containers exist; its source half is refused before the destination's,
// and accepted with the ID Azure gave the destination's.
func TestRuleObjectReplication(t *testing.T) {
	setup := func(srcVersioning, srcFeed, dstVersioning, containers bool) (*sim, func(account, id string) map[string]any) {
		s := newSim(t)
		s.group()
		src, dst := s.account("stsrc"), s.account("bkdst")
		for _, b := range []struct {
			account          string
			versioning, feed bool
		}{{"stsrc", srcVersioning, srcFeed}, {"bkdst", dstVersioning, false}} {
			s.create(typeBlobService, b.account+"-blobs", map[string]any{"accountName": b.account, "resourceGroupName": testRG, "blobServicesName": "default",
				"isVersioningEnabled": b.versioning, "changeFeed": map[string]any{"enabled": b.feed}})
			if containers {
				s.create(typeBlobContainer, b.account+"-kpax", map[string]any{"accountName": b.account, "resourceGroupName": testRG, "containerName": "kpax"})
			}
		}
		return s, func(account, id string) map[string]any {
			return map[string]any{"accountName": account, "resourceGroupName": testRG, "objectReplicationPolicyId": id,
				"sourceAccount": src, "destinationAccount": dst,
				"rules": []any{map[string]any{"sourceContainer": "kpax", "destinationContainer": "kpax"}}}
		}
	}
	for _, tc := range []struct {
		name                                        string
		srcVersioning, srcFeed, dstVersioning, ctrs bool
	}{
		{"no versioning on the source", false, true, true, true},
		{"no change feed on the source", true, false, true, true},
		{"no versioning on the destination", true, true, false, true},
		{"no containers", true, true, true, false},
	} {
		s, policy := setup(tc.srcVersioning, tc.srcFeed, tc.dstVersioning, tc.ctrs)
		_, err := s.try(typeObjectReplication, "on-dst", policy("bkdst", "default"))
		refusedBy(t, err, RuleObjectReplicationPrerequisites, tc.name)
	}

	s, policy := setup(true, true, true, true)
	_, err := s.try(typeObjectReplication, "on-src", policy("stsrc", "default"))
	refusedBy(t, err, RuleObjectReplicationOrder, "the source's half first")
	_, out, err := s.c.Create(Request{Type: typeObjectReplication, URN: "urn:test::on-dst", Name: "on-dst", Inputs: resource.NewPropertyMapFromMap(policy("bkdst", "default"))})
	if err != nil {
		t.Fatal(err)
	}
	given := out["policyId"].StringValue()
	if given == "" || given == "default" {
		t.Fatalf("Azure gave the destination's half the ID %q", given)
	}
	_, err = s.try(typeObjectReplication, "on-src-wrong", policy("stsrc", "0f0f0f0f-0000-0000-0000-000000000000"))
	refusedBy(t, err, RuleObjectReplicationOrder, "the source's half with another ID")
	s.create(typeObjectReplication, "on-src", policy("stsrc", given))
}
