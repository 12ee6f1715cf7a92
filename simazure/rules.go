// The Azure behaviours the simulated Azure enforces: each a named Rule with
// the document it comes from, so that a refusal in a test says which promise
// of Azure's it keeps.

package simazure

import (
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/kpax/kpax-cloud/plan"
)

// Rule is one behaviour of Azure that breaks a deployment when a program
// ignores it.
type Rule struct {
	// Name is the rule's key in the log and in errors.
	Name string
	// Code is the error code a real deployment answers with: ARM's, or
	// the provider's message. "simulated:" marks a stand-in where no source
	// shows the code Azure returns (the behaviour is sourced, the code is
	// not), so that nobody searches Azure for it.
	Code string
	// Source is the document that states the behaviour.
	Source string
}

// The rules, in the order they are checked.
var (
	// RuleAlreadyExists: azure-native reads a resource before it creates it
	// and refuses to take over one that exists (ARM's PUT would silently
	// update it). A resource Pulumi retained on delete is such a resource.
	RuleAlreadyExists = Rule{"already-exists", "cannot create already existing resource",
		"https://github.com/pulumi/pulumi-azure-native/blob/master/provider/pkg/azure/client_azcore.go (CanCreate); https://github.com/pulumi/pulumi-azure-native/issues/1492"}
	// RuleSubscriptionNotFound: a resource lies in a subscription, named by
	// its ID; one that does not exist, or that the deploying identity cannot
	// reach, refuses every request. A stack whose provider has the wrong
	// subscription, or none, fails at its first resource.
	RuleSubscriptionNotFound = Rule{"subscription-not-found", "SubscriptionNotFound",
		"https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors (SubscriptionNotFound: a specified subscription for deployment can't be accessed)"}
	// RuleResourceGroupNotFound: a resource group's resources need the group.
	RuleResourceGroupNotFound = Rule{"resource-group-not-found", "ResourceGroupNotFound",
		"https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-not-found"}
	// RuleScopeLocked: a CanNotDelete lock refuses deleting the locked
	// resource, its children and the extension resources at its scope
	// (role assignments, diagnostic settings, the private endpoint
	// connection a private endpoint holds on it), and deleting the group
	// that contains it.
	RuleScopeLocked = Rule{"scope-locked", "ScopeLocked",
		"https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources#considerations-before-applying-your-locks"}
	// RuleImmutableVaultDelete: a vault with immutability enabled (unlocked
	// or locked) refuses "stop protection and delete data" while recovery
	// points are retained, which is what deleting a protected item asks.
	RuleImmutableVaultDelete = Rule{"immutable-vault-delete", "simulated:ImmutabilityOperationNotAllowed",
		"https://learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept#restricted-operations"}
	// RuleImmutableVaultRetention: the same vault refuses moving an item to
	// a policy that keeps recovery points for less time.
	RuleImmutableVaultRetention = Rule{"immutable-vault-retention", "simulated:ImmutabilityOperationNotAllowed",
		"https://learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept#restricted-operations"}
	// RuleVaultNotEmpty: a Recovery Services vault with registered
	// containers or protected items cannot be deleted.
	RuleVaultNotEmpty = Rule{"vault-not-empty", "simulated:VaultNotEmpty",
		"https://learn.microsoft.com/azure/backup/backup-azure-delete-vault#before-you-start"}
	// RuleUpdateRefused: the provider sent an in-place update of a
	// property ARM does not change after creation (a VM's image or OS
	// profile, zones, ...). The code and source of each refusal are its
	// row's in plan/semantics.go, the table kpax diff and kpax check read
	// too; the program must replace such a resource itself
	// (replaceOnChanges).
	RuleUpdateRefused = Rule{"update-refused", "PropertyChangeNotAllowed",
		"https://github.com/pulumi/pulumi-azure-native/issues/1117 (the provider updates what ARM refuses to change); each refusal carries its row's source from plan/semantics.go"}
	// RuleNSGPortRanges: "*" is only valid in the singular
	// destinationPortRange/sourcePortRange; the plural lists take ports or
	// ranges.
	RuleNSGPortRanges = Rule{"nsg-port-ranges", "SecurityRuleInvalidPortRange",
		"https://learn.microsoft.com/rest/api/virtualnetwork/security-rules/create-or-update (destinationPortRanges: ports or ranges)"}
	// RuleNSGRuleUnique: the rules of one NSG have unique names, and unique
	// priorities per direction.
	RuleNSGRuleUnique = Rule{"nsg-rule-unique", "SecurityRuleConflict",
		"https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules (priority: unique per rule)"}
	// RuleKeyVaultReference: a Container App resolves its Key Vault secret
	// references when the app (its revision) is created, with the named
	// identity and through the app's network: the identity needs a role on
	// the vault, and a vault without public access needs its private
	// endpoint and DNS records in place.
	RuleKeyVaultReference = Rule{"keyvault-reference", "ContainerAppSecretInvalid",
		"https://learn.microsoft.com/azure/container-apps/manage-secrets#reference-secret-from-key-vault; code seen in https://github.com/pulumi/pulumi-azure-native/issues/2673"}
	// RuleRegistryPull: a Container App pulls its image when it is created,
	// with the registry identity, which needs AcrPull on the registry.
	RuleRegistryPull = Rule{"registry-pull", "simulated:ImagePullUnauthorized",
		"https://learn.microsoft.com/azure/container-apps/managed-identity-image-pull"}
	// RuleVaultTierRetention: a file share policy on the vault-standard
	// tier must keep its vault copies longer than the share's snapshots.
	// No Microsoft page states it; azurerm validates it and documents the
	// service's refusal.
	RuleVaultTierRetention = Rule{"vault-tier-retention", "BMSUserErrorInvalidPolicyInput",
		"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/backup_policy_file_share (snapshot_retention_in_days must be less than the retention_daily count with backup_tier vault-standard)"}
	// RulePolicyDefinitionNotFound: an initiative's member or an
	// assignment names a definition that does not exist (a mistyped
	// built-in ID, or an initiative not created yet).
	RulePolicyDefinitionNotFound = Rule{"policy-definition-not-found", "PolicyDefinitionNotFound",
		"https://github.com/Azure/Enterprise-Scale/issues/804 (\"The policy assignment create request is invalid. The policy definition ... could not be found.\")"}
	// RulePolicyParameterUndefined: an initiative or an assignment may set
	// only the parameters its definition defines; "effect" on a built-in
	// whose effect is fixed is the classic case.
	RulePolicyParameterUndefined = Rule{"policy-parameter-undefined", "UndefinedPolicyParameter",
		"https://github.com/gettek/terraform-azurerm-policy-as-code/issues/47"}
	// RulePolicyParameterValue: a value must be one of the parameter's
	// allowedValues, compared case-sensitively.
	RulePolicyParameterValue = Rule{"policy-parameter-value", "PolicyParameterValueNotAllowed",
		"https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters (allowedValues); code: https://github.com/salesforce/cloud-guardrails/issues/53; casing: https://github.com/Azure/Azure-Landing-Zones/issues/442"}
	// RulePolicyParameterMissing: a parameter without a defaultValue must
	// be set by whoever assigns the definition.
	RulePolicyParameterMissing = Rule{"policy-parameter-missing", "simulated:MissingPolicyParameter",
		"https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters (defaultValue: the value when an assignment gives none)"}
	// RulePolicyDeny: a create or update that a Deny policy assigned over
	// the resource matches is refused, whoever asks: the program, the
	// portal or the CLI.
	RulePolicyDeny = Rule{"policy-deny", "RequestDisallowedByPolicy",
		"https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny"}
)

// Rules lists every rule.
func Rules() []Rule {
	return []Rule{RuleAlreadyExists, RuleSubscriptionNotFound, RuleResourceGroupNotFound, RuleScopeLocked, RuleImmutableVaultDelete,
		RuleImmutableVaultRetention, RuleVaultNotEmpty, RuleUpdateRefused, RuleNSGPortRanges, RuleNSGRuleUnique, RuleKeyVaultReference,
		RuleRegistryPull, RuleVaultTierRetention, RulePolicyDefinitionNotFound, RulePolicyParameterUndefined,
		RulePolicyParameterValue, RulePolicyParameterMissing, RulePolicyDeny, RulePropagation, RuleEntraAdminFirst,
		RuleVaultFirewall, RuleGatewaySecret, RuleWorkspaceLocalAuth, RuleSoftDeleteAlwaysOn, RuleBastionNSG,
		RuleEnvironmentSubnet, RuleWorkloadProfile, RuleSubnetInUse, RuleObjectReplicationPrerequisites, RuleObjectReplicationOrder}
}

// Refusal is Azure saying no.
type Refusal struct {
	Rule    Rule
	Message string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("%s: %s (simulated Azure rule %s: %s)", r.Rule.Code, r.Message, r.Rule.Name, r.Rule.Source)
}

func refuse(rule Rule, format string, args ...any) *Refusal {
	return &Refusal{Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Types the rules look at, unversioned.
const (
	typeResourceGroup   = "azure-native:resources:ResourceGroup"
	typeLock            = "azure-native:authorization:ManagementLockByScope"
	typeRoleAssignment  = "azure-native:authorization:RoleAssignment"
	typePrivateEndpoint = "azure-native:network:PrivateEndpoint"
	typeZoneGroup       = "azure-native:network:PrivateDnsZoneGroup"
	typeNSG             = "azure-native:network:NetworkSecurityGroup"
	typeSecurityRule    = "azure-native:network:SecurityRule"
	typeKeyVault        = "azure-native:keyvault:Vault"
	typeContainerApp    = "azure-native:app:ContainerApp"
	typeIdentity        = "azure-native:managedidentity:UserAssignedIdentity"
	typeRecoveryVault   = "azure-native:recoveryservices:Vault"
	typeBackupPolicy    = "azure-native:recoveryservices:ProtectionPolicy"
	typeBackupContainer = "azure-native:recoveryservices:ProtectionContainer"
	typeProtectedItem   = "azure-native:recoveryservices:ProtectedItem"
	typeAppGateway      = "azure-native:network:ApplicationGateway"
	typeSleep           = "time:index/sleep:Sleep"
	typeSQLServer       = "azure-native:sql:Server"
	typeSQLAdmin        = "azure-native:sql:ServerAzureADAdministrator"
	typeSQLEntraOnly    = "azure-native:sql:ServerAzureADOnlyAuthentication"
)

// roleAcrPull is the built-in AcrPull role's ID.
const roleAcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d"

// byType returns the records of an unversioned type.
func byType(all []*Record, typ string) []*Record {
	var out []*Record
	for _, r := range all {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// byName returns the record of a type whose input key holds name (in the
// resource group rg when rg is not empty).
func byName(all []*Record, typ, key, name, rg string) *Record {
	for _, r := range byType(all, typ) {
		if strings.EqualFold(r.String(key), name) && (rg == "" || strings.EqualFold(r.String("resourceGroupName"), rg)) {
			return r
		}
	}
	return nil
}

// checkLocks refuses deleting target while a CanNotDelete lock covers it.
func checkLocks(all []*Record, target *Record) error {
	covered := []string{target.ID}
	if target.Type == typePrivateEndpoint {
		// Deleting the endpoint deletes its connection on the target.
		covered = append(covered, stringsAt(target.Plain(), "privateLinkServiceConnections.*.privateLinkServiceId")...)
	}
	for _, l := range byType(all, typeLock) {
		if strings.EqualFold(l.ID, target.ID) || !strings.EqualFold(l.String("level"), "CanNotDelete") {
			continue
		}
		scope := l.String("scope")
		for _, id := range covered {
			if strings.EqualFold(id, scope) || isUnder(id, scope) || (target.Type == typeResourceGroup && isUnder(scope, target.ID)) {
				return refuse(RuleScopeLocked, "the scope %s is locked by %s (CanNotDelete); deleting %s is not allowed", scope, l.ID, target.ID)
			}
		}
	}
	return nil
}

// immutable reports whether a vault's immutability is enabled.
func immutable(vault *Record) bool {
	if vault == nil {
		return false
	}
	s := vault.String("properties.securitySettings.immutabilitySettings.state")
	return strings.EqualFold(s, "Unlocked") || strings.EqualFold(s, "Locked")
}

// itemVault is the vault a protected item or container is in.
func itemVault(all []*Record, r *Record) *Record {
	return byName(all, typeRecoveryVault, "vaultName", r.String("vaultName"), r.String("resourceGroupName"))
}

// policyRetentionDays is the daily retention of a backup policy, by ID.
func policyRetentionDays(all []*Record, id string) (int, bool) {
	for _, p := range byType(all, typeBackupPolicy) {
		if strings.EqualFold(p.ID, id) {
			return plan.BackupRetentionDays(p.Plain())
		}
	}
	return 0, false
}

// checkVaultTierRetention refuses a file share policy whose vault copies do
// not outlive the share's snapshots.
func checkVaultTierRetention(r *Record) error {
	if r.Type != typeBackupPolicy {
		return nil
	}
	in := r.Plain()
	snapshot, ok := lookup(in, "properties.vaultRetentionPolicy.snapshotRetentionInDays").(float64)
	if !ok {
		return nil
	}
	if days, ok := plan.BackupRetentionDays(in); ok && float64(days) <= snapshot {
		return refuse(RuleVaultTierRetention, "%s: the vault keeps recovery points %d days, not longer than the share's %v days of snapshots", r.ID, days, snapshot)
	}
	return nil
}

// checkPortRanges refuses "*" in a plural port list of any rule.
func checkPortRanges(r *Record) error {
	var rules []any
	switch r.Type {
	case typeNSG:
		rules, _ = lookup(r.Plain(), "securityRules").([]any)
	case typeSecurityRule:
		rules = []any{r.Plain()}
	default:
		return nil
	}
	names, priorities := map[string]bool{}, map[string]bool{}
	for _, rule := range rules {
		name, _ := lookup(rule, "name").(string)
		prio := fmt.Sprint(lookup(rule, "direction"), "/", lookup(rule, "priority"))
		if names[name] {
			return refuse(RuleNSGRuleUnique, "%s: two security rules are named %q", r.ID, name)
		}
		if priorities[prio] {
			return refuse(RuleNSGRuleUnique, "%s: two %s rules have priority %v", r.ID, lookup(rule, "direction"), lookup(rule, "priority"))
		}
		names[name], priorities[prio] = true, true
		for _, key := range []string{"destinationPortRanges", "sourcePortRanges"} {
			for _, p := range stringsAt(rule, key) {
				if p == "*" {
					name, _ := lookup(rule, "name").(string)
					return refuse(RuleNSGPortRanges, "security rule %q: %s contains \"*\"; use the singular %s for any port",
						name, key, strings.TrimSuffix(key, "s"))
				}
			}
		}
	}
	return nil
}

// checkContainerApp refuses creating an app whose image pull or Key Vault
// references would fail at its first revision: its identities need their
// roles, in effect (propagation.go), and a private vault its private DNS.
func checkContainerApp(all []*Record, g grants, app *Record) error {
	principals := principalsOf(all)
	plain := app.Plain()
	regs, _ := lookup(plain, "configuration.registries").([]any)
	for _, reg := range regs {
		identity, _ := lookup(reg, "identity").(string)
		server, _ := lookup(reg, "server").(string)
		effective, pending := g.find(principals[strings.ToLower(identity)], func(ra *Record) bool {
			return strings.Contains(strings.ToLower(ra.String("roleDefinitionId")), roleAcrPull)
		})
		switch {
		case len(effective) > 0:
		case len(pending) > 0:
			return refuse(RulePropagation, "the app's registry identity %s was granted AcrPull on %s at %s, not yet in effect (%s after the grant)",
				identity, server, pending[0].Created.Format(time.TimeOnly), g.delay)
		default:
			return refuse(RuleRegistryPull, "the app's registry identity %s has no AcrPull on %s", identity, server)
		}
	}
	secrets, _ := lookup(plain, "configuration.secrets").([]any)
	for _, s := range secrets {
		url, _ := lookup(s, "keyVaultUrl").(string)
		if url == "" {
			continue
		}
		identity, _ := lookup(s, "identity").(string)
		name, _ := lookup(s, "name").(string)
		vault := vaultOfURL(all, url)
		if vault == nil {
			return refuse(RuleKeyVaultReference, "secret %q: vault of %s does not exist", name, url)
		}
		if err := vaultReadable(g, vault, principals[strings.ToLower(identity)], fmt.Sprintf("secret %q: identity %s", name, identity)); err != nil {
			return err
		}
		if strings.EqualFold(vault.String("properties.publicNetworkAccess"), "Disabled") && !privatelyResolved(all, vault.ID) {
			return refuse(RuleKeyVaultReference, "secret %q: vault %s allows private access only, and has no private endpoint with DNS records yet", name, vault.String("vaultName"))
		}
	}
	return nil
}

// checkGatewayCertificates refuses a gateway that reads its certificates
// from a vault its identity may not read yet: Application Gateway fetches a
// Key Vault certificate when it is created or updated, with its
// user-assigned identity
// (learn.microsoft.com/azure/application-gateway/key-vault-certs).
func checkGatewayCertificates(all []*Record, g grants, gw *Record) error {
	principals := principalsOf(all)
	plain := gw.Plain()
	var principal, identity string
	if ids, _ := lookup(plain, "identity.userAssignedIdentities").([]any); len(ids) > 0 {
		identity, _ = ids[0].(string)
		principal = principals[strings.ToLower(identity)]
	}
	certs, _ := lookup(plain, "sslCertificates").([]any)
	for _, cert := range certs {
		url, _ := lookup(cert, "keyVaultSecretId").(string)
		if url == "" {
			continue
		}
		vault := vaultOfURL(all, url)
		if vault == nil {
			return refuse(RuleKeyVaultReference, "certificate %s: its vault does not exist", url)
		}
		if err := vaultReadable(g, vault, principal, "the gateway's identity "+identity); err != nil {
			return err
		}
		if secretOf(all, vault, url) == nil {
			return refuse(RuleGatewaySecret, "Unable to retrieve certificate %s: vault %s holds no such secret", url, vault.String("vaultName"))
		}
	}
	return nil
}

// vaultReadable refuses when the principal has no role on the vault, or
// only one that has not taken effect yet.
func vaultReadable(g grants, vault *Record, principal, who string) error {
	effective, pending := g.find(principal, func(ra *Record) bool { return strings.EqualFold(ra.String("scope"), vault.ID) })
	switch {
	case len(effective) > 0:
		return nil
	case len(pending) > 0:
		return refuse(RulePropagation, "%s: Unable to get value using Managed identity: its role on vault %s was granted at %s and is not in effect yet (%s after the grant)",
			who, vault.String("vaultName"), pending[0].Created.Format(time.TimeOnly), g.delay)
	}
	return refuse(RuleKeyVaultReference, "%s has no role on vault %s", who, vault.String("vaultName"))
}

// principalsOf maps each user-assigned identity's resource ID (lower case)
// to its principal ID.
func principalsOf(all []*Record) map[string]string {
	out := map[string]string{}
	for _, id := range byType(all, typeIdentity) {
		out[strings.ToLower(id.ID)] = outputString(id, "principalId")
	}
	return out
}

// vaultOfURL is the Key Vault a secret URL (https://<vault>.vault.azure.net/...) names.
func vaultOfURL(all []*Record, url string) *Record {
	name := strings.TrimPrefix(url, "https://")
	name = name[:strings.IndexAny(name+".", "./")]
	return byName(all, typeKeyVault, "vaultName", name, "")
}

// privatelyResolved reports whether a resource has a private endpoint whose
// DNS zone group exists: only then does its name resolve to the endpoint.
func privatelyResolved(all []*Record, target string) bool {
	for _, pe := range byType(all, typePrivateEndpoint) {
		for _, t := range stringsAt(pe.Plain(), "privateLinkServiceConnections.*.privateLinkServiceId") {
			if !strings.EqualFold(t, target) {
				continue
			}
			if byName(all, typeZoneGroup, "privateEndpointName", pe.String("privateEndpointName"), pe.String("resourceGroupName")) != nil {
				return true
			}
		}
	}
	return false
}

// outputString reads a string output of a record.
func outputString(r *Record, key string) string {
	m, err := decodeProps(r.Outputs)
	if err != nil {
		return ""
	}
	s, _ := lookup(plainMap(m, false), key).(string)
	return s
}

// refusedChanges lists the changed inputs ARM refuses to update in place,
// each with its row of the table; nil when ARM takes the update.
func refusedChanges(typ string, old, cur map[string]any) []plan.InputChange {
	var out []plan.InputChange
	for _, c := range plan.DiffInputs(typ, old, cur) {
		if c.Semantic.Effect == plan.EffectRefused {
			out = append(out, c)
		}
	}
	return out
}

// refuseUpdate is ARM's answer to an update of properties it does not
// change: the first row's code and source.
func refuseUpdate(id string, changes []plan.InputChange) *Refusal {
	paths := make([]string, len(changes))
	for i, c := range changes {
		paths[i] = c.Path
	}
	first := changes[0].Semantic
	rule := Rule{Name: RuleUpdateRefused.Name, Code: first.Code, Source: first.Source}
	return refuse(rule, "%s: changing %s is not allowed on an existing resource", id, strings.Join(paths, ", "))
}

// keepIgnored puts back, in the inputs of an update, the old value of every
// property ARM ignores in an update (a SQL server's administrators): ARM
// answers 200 and the resource keeps what it had.
func keepIgnored(typ string, old, cur resource.PropertyMap) resource.PropertyMap {
	out := cur.Copy()
	for _, c := range plan.DiffInputs(typ, plainMap(old, true), plainMap(cur, true)) {
		if c.Semantic.Effect != plan.EffectIgnored {
			continue
		}
		path, err := resource.ParsePropertyPath(c.Semantic.Path)
		if err != nil {
			continue
		}
		if v, ok := path.Get(resource.NewObjectProperty(old)); ok {
			path.Set(resource.NewObjectProperty(out), v)
		} else {
			path.Delete(resource.NewObjectProperty(out))
		}
	}
	return out
}
