// The mock resource monitor: Azure-like IDs and computed outputs for every
// registration, and the calls the program makes.

package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// MockSubscriptionID is the subscription of every mocked Azure ID.
const MockSubscriptionID = "00000000-0000-0000-0000-000000000000"

// MockTenantID is the Entra tenant the mocked client config reports.
const MockTenantID = "11111111-1111-1111-1111-111111111111"

// MockSecretMarker is part of every secret value the mocks make up, so that
// tests can prove no secret reaches any output.
const MockSecretMarker = "mocksecret"

// recorder is the pulumi.MockResourceMonitor: it answers every registration
// with a deterministic Azure-like ID and outputs, and remembers the request.
type recorder struct {
	project   string
	stack     string
	mu        sync.Mutex
	resources []*Resource
}

var _ pulumi.MockResourceMonitor = (*recorder)(nil)

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	if rpc == nil {
		return "", nil, fmt.Errorf("plan: %s %q: reading existing resources is not supported offline", args.TypeToken, args.Name)
	}
	id, outputs := mockState(args.TypeToken, args.Name, args.Inputs, args.Custom)
	res := &Resource{
		Type:                args.TypeToken,
		Name:                args.Name,
		Parent:              rpc.GetParent(),
		Custom:              args.Custom,
		Protect:             rpc.GetProtect(),
		RetainOnDelete:      rpc.GetRetainOnDelete(),
		DependsOn:           sortedCopy(rpc.GetDependencies()),
		ReplaceOnChanges:    sortedCopy(rpc.GetReplaceOnChanges()),
		IgnoreChanges:       sortedCopy(rpc.GetIgnoreChanges()),
		DeleteBeforeReplace: rpc.GetDeleteBeforeReplace(),
		DeletedWith:         rpc.GetDeletedWith(),
		Aliases:             aliases(args.TypeToken, rpc.GetAliases(), rpc.GetAliasURNs()),
		Import:              rpc.GetImportId(),
		Provider:            explicitProvider(rpc.GetProvider()),
		Version:             rpc.GetVersion(),
		Inputs:              plainMap(args.Inputs),
		ID:                  id,
	}
	// The request does not carry the URN it will get: derive it the way the
	// mock monitor does.
	res.URN = r.urn(args.TypeToken, args.Name, rpc.GetParent())
	r.mu.Lock()
	r.resources = append(r.resources, res)
	r.mu.Unlock()
	if !args.Custom {
		return "", resource.PropertyMap{}, nil
	}
	return id, outputs, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "azure-native:authorization:getClientConfig":
		return resource.NewPropertyMapFromMap(map[string]any{
			"subscriptionId": MockSubscriptionID,
			"tenantId":       MockTenantID,
			"clientId":       "22222222-2222-2222-2222-222222222222",
			"objectId":       "33333333-3333-3333-3333-333333333333",
		}), nil
	case "azure-native:storage:listStorageAccountKeys":
		return resource.PropertyMap{
			"keys": resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
				"keyName":     resource.NewStringProperty("key1"),
				"permissions": resource.NewStringProperty("FULL"),
				"value":       resource.MakeSecret(resource.NewStringProperty(MockSecretMarker + "-account-key")),
			})}),
		}, nil
	case "azure-native:operationalinsights:getSharedKeys":
		return resource.PropertyMap{
			"primarySharedKey":   resource.MakeSecret(resource.NewStringProperty(MockSecretMarker + "-primary-key")),
			"secondarySharedKey": resource.MakeSecret(resource.NewStringProperty(MockSecretMarker + "-secondary-key")),
		}, nil
	}
	return resource.PropertyMap{}, nil
}

// explicitProvider returns the URN of a provider reference ("URN::ID")
// unless it names a default provider, which every resource has.
func explicitProvider(ref string) string {
	urn := ref
	if i := strings.LastIndex(ref, "::"); i >= 0 {
		urn = ref[:i]
	}
	if urn == "" || strings.Contains(urn, "::default") {
		return ""
	}
	return urn
}

func sortedCopy(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

// urn builds the URN the engine gives a resource: its type is qualified by
// its parent's type, unless the parent is the stack.
func (r *recorder) urn(typ, name, parent string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.stack), tokens.PackageName(r.project), parentType, tokens.Type(typ), name))
}

// AzureState is the ID and outputs Azure returns for a new custom resource of
// type typ with these inputs: the inputs echoed, the physical name and ARM ID,
// and the computed outputs programs read. The offline mocks and the simulated
// Azure of the engine tests (simazure) both answer with it, so the two agree.
func AzureState(typ, logical string, inputs resource.PropertyMap) (string, resource.PropertyMap) {
	return mockState(typ, logical, inputs, true)
}

// mockState makes up the ID and outputs Azure would return: the inputs echoed,
// the physical name and ID, and the few computed outputs programs read.
func mockState(typ, logical string, inputs resource.PropertyMap, custom bool) (string, resource.PropertyMap) {
	out := inputs.Copy()
	if !custom {
		return "", out
	}
	h := shortHash(typ + "/" + logical)
	typ = unversioned(typ)
	switch typ {
	case "random:index/randomString:RandomString":
		length := 8
		if v, ok := inputs["length"]; ok && v.IsNumber() {
			length = int(v.NumberValue())
		}
		out["result"] = resource.NewStringProperty(alnum(h, length))
		return "mock-" + h, out
	case "random:index/randomPassword:RandomPassword":
		out["result"] = resource.MakeSecret(resource.NewStringProperty(MockSecretMarker + "-" + h + "-Aa1!"))
		out["bcryptHash"] = resource.MakeSecret(resource.NewStringProperty(MockSecretMarker + "-bcrypt-" + h))
		return "mock-" + h, out
	}
	name := physicalName(typ, logical, inputs)
	id := azureID(typ, name, inputs)
	out["id"] = resource.NewStringProperty(id)
	out["name"] = resource.NewStringProperty(name)
	out["azureApiVersion"] = resource.NewStringProperty("mock")
	location := "mocklocation"
	if v, ok := inputs["location"]; ok && v.IsString() {
		location = v.StringValue()
	}
	switch typ {
	case "azure-native:app:ManagedEnvironment":
		out["defaultDomain"] = resource.NewStringProperty(fmt.Sprintf("%s-%s.%s.azurecontainerapps.io", name, h[:6], location))
		out["staticIp"] = resource.NewStringProperty("10.250.0.10")
	case "azure-native:app:ContainerApp":
		out["latestRevisionFqdn"] = resource.NewStringProperty(name + "--rev1.mock.azurecontainerapps.io")
	case "azure-native:network:PublicIPAddress":
		out["ipAddress"] = resource.NewStringProperty(fmt.Sprintf("20.%d.%d.%d", h[0], h[1], h[2]))
	case "azure-native:managedidentity:UserAssignedIdentity":
		out["principalId"] = resource.NewStringProperty(guid(h + "principal"))
		out["clientId"] = resource.NewStringProperty(guid(h + "client"))
		out["tenantId"] = resource.NewStringProperty(MockTenantID)
	case "azure-native:sql:Server":
		out["fullyQualifiedDomainName"] = resource.NewStringProperty(name + ".database.windows.net")
		if v, ok := inputs["identity"]; ok && v.IsObject() {
			// A system-assigned identity's service principal, which
			// Directory Readers is given to.
			id := v.ObjectValue().Copy()
			id["principalId"] = resource.NewStringProperty(guid(h + "principal"))
			out["identity"] = resource.NewObjectProperty(id)
		}
	case "azure-native:operationalinsights:Workspace":
		out["customerId"] = resource.NewStringProperty(guid(h + "customer"))
	case "azure-native:network:DnssecConfig":
		// The one key-signing key Azure makes, with its DS record (a
		// mock's: key tag, algorithm 13, digest type 2, digest).
		ds := fmt.Sprintf("%d 13 2 %X", 10000+int(h[0])*100+int(h[1]), h)
		out["signingKeys"] = resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
			"flags": resource.NewNumberProperty(257),
			"delegationSignerInfo": resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
				"digestAlgorithmType": resource.NewNumberProperty(2),
				"record":              resource.NewStringProperty(ds),
			})}),
		})})
	case "azure-native:keyvault:Vault":
		props := resource.PropertyMap{}
		if v, ok := inputs["properties"]; ok && v.IsObject() {
			props = v.ObjectValue().Copy()
		}
		props["vaultUri"] = resource.NewStringProperty("https://" + name + ".vault.azure.net/")
		out["properties"] = resource.NewObjectProperty(props)
	case "azure-native:storage:ObjectReplicationPolicy":
		// Azure gives a policy put as "default" (on the destination) its
		// policy ID, and each rule without one a rule ID
		// (REST example StorageAccountCreateObjectReplicationPolicyOnDestination.json).
		policyID := name
		if strings.EqualFold(name, "default") {
			policyID = guid(h + "policy")
		}
		out["policyId"] = resource.NewStringProperty(policyID)
		if v, ok := inputs["rules"]; ok && v.IsArray() {
			var rules []resource.PropertyValue
			for i, r := range v.ArrayValue() {
				if !r.IsObject() {
					rules = append(rules, r)
					continue
				}
				rule := r.ObjectValue().Copy()
				if id, ok := rule["ruleId"]; !ok || !id.IsString() || id.StringValue() == "" {
					rule["ruleId"] = resource.NewStringProperty(guid(fmt.Sprintf("%s-rule-%d", h, i)))
				}
				rules = append(rules, resource.NewObjectProperty(rule))
			}
			out["rules"] = resource.NewArrayProperty(rules)
		}
	case "azure-native:storage:StorageAccount":
		out["primaryEndpoints"] = resource.NewObjectProperty(resource.PropertyMap{
			"blob": resource.NewStringProperty("https://" + name + ".blob.core.windows.net/"),
			"file": resource.NewStringProperty("https://" + name + ".file.core.windows.net/"),
		})
	}
	return id, out
}

// nameKeys are the inputs that name a resource where azure-native's key is
// neither <kind>Name nor the only *Name input.
var nameKeys = map[string]string{
	"azure-native:recoveryservices:ProtectionContainer":       "containerName",
	"azure-native:recoveryservices:ProtectionPolicy":          "policyName",
	"azure-native:compute:VirtualMachineExtension":            "vmExtensionName",
	"azure-native:insights:DataCollectionRuleAssociation":     "associationName",
	"azure-native:authorization:ManagementLockByScope":        "lockName",
	"azure-native:network:RecordSet":                          "relativeRecordSetName",
	"azure-native:network:PrivateRecordSet":                   "relativeRecordSetName",
	"azure-native:storage:BlobServiceProperties":              "blobServicesName",
	"azure-native:storage:FileServiceProperties":              "fileServicesName",
	"azure-native:storage:ObjectReplicationPolicy":            "objectReplicationPolicyId",
	"azure-native:storage:ManagementPolicy":                   "managementPolicyName",
	"azure-native:sql:BackupShortTermRetentionPolicy":         "policyName",
	"azure-native:sql:LongTermRetentionPolicy":                "policyName",
	"azure-native:sql:TransparentDataEncryption":              "tdeName",
	"azure-native:sql:ServerAzureADAdministrator":             "administratorName",
	"azure-native:sql:ServerAzureADOnlyAuthentication":        "authenticationName",
	"azure-native:sql:ExtendedServerBlobAuditingPolicy":       "blobAuditingPolicyName",
	"azure-native:sql:ServerBlobAuditingPolicy":               "blobAuditingPolicyName",
	"azure-native:sql:ExtendedDatabaseBlobAuditingPolicy":     "blobAuditingPolicyName",
	"azure-native:app:ManagedEnvironmentsStorage":             "storageName",
	"azure-native:network:WebApplicationFirewallPolicy":       "policyName",
	"azure-native:authorization:PolicyAssignment":             "policyAssignmentName",
	"azure-native:insights:ActionGroup":                       "actionGroupName",
	"azure-native:insights:MetricAlert":                       "ruleName",
	"azure-native:insights:ScheduledQueryRule":                "ruleName",
	"azure-native:authorization:RoleDefinition":               "roleDefinitionId",
	"azure-native:alertsmanagement:AlertProcessingRuleByName": "alertProcessingRuleName",
}

// physicalName is the Azure name of a resource: the azure-native input that
// names it (virtualNetworkName for VirtualNetwork, ...), else the logical
// name, which is what auto-naming would start from.
func physicalName(typ, logical string, inputs resource.PropertyMap) string {
	kind := typ[strings.LastIndexByte(typ, ':')+1:]
	candidates := []string{lowerFirst(kind) + "Name", "name", "resourceName"}
	if key, ok := nameKeys[unversioned(typ)]; ok {
		candidates = []string{key}
	}
	if kind == "ResourceGroup" {
		candidates = []string{"resourceGroupName"}
	}
	if kind == "DnssecConfig" {
		// A zone's one DNSSEC configuration is always named "default"
		// (dnssecConfigs/default in the REST API); no input names it.
		return "default"
	}
	for _, key := range candidates {
		if v, ok := inputs[resource.PropertyKey(key)]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	// Azure-native names a few resources with a key that repeats no part of
	// the type (storage accounts take accountName, vaults vaultName): take
	// the only *Name input that is not the resource group's.
	var only string
	for k, v := range inputs {
		key := string(k)
		if strings.HasSuffix(key, "Name") && key != "resourceGroupName" && v.IsString() {
			if only != "" {
				only = ""
				break
			}
			only = v.StringValue()
		}
	}
	if only != "" {
		return only
	}
	return logical
}

// armPaths are the ARM ID shapes of the types the program registers, after
// "/subscriptions/<s>/resourceGroups/<g>/providers/" (or, for extension
// resources, after their scope): {key} is an input, {name} the physical name.
// Child resources sit under their parents, as in Azure, so that a lock's or a
// deletion's reach follows the same hierarchy here and in the simulated Azure.
var armPaths = map[string]string{
	"app:ManagedEnvironment":                 "Microsoft.App/managedEnvironments/{name}",
	"app:ContainerApp":                       "Microsoft.App/containerApps/{name}",
	"app:ManagedEnvironmentsStorage":         "Microsoft.App/managedEnvironments/{environmentName}/storages/{name}",
	"compute:Disk":                           "Microsoft.Compute/disks/{name}",
	"compute:VirtualMachine":                 "Microsoft.Compute/virtualMachines/{name}",
	"compute:VirtualMachineExtension":        "Microsoft.Compute/virtualMachines/{vmName}/extensions/{name}",
	"compute:VirtualMachineScaleSet":         "Microsoft.Compute/virtualMachineScaleSets/{name}",
	"insights:DataCollectionRule":            "Microsoft.Insights/dataCollectionRules/{name}",
	"insights:DataCollectionRuleAssociation": "{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}",
	"insights:DiagnosticSetting":             "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
	"keyvault:Secret":                        "Microsoft.KeyVault/vaults/{vaultName}/secrets/{name}",
	"keyvault:Vault":                         "Microsoft.KeyVault/vaults/{name}",
	"maintenance:ConfigurationAssignment":    "Microsoft.Compute/virtualMachines/{resourceName}/providers/Microsoft.Maintenance/configurationAssignments/{name}",
	"maintenance:MaintenanceConfiguration":   "Microsoft.Maintenance/maintenanceConfigurations/{name}",
	"managedidentity:UserAssignedIdentity":   "Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
	"network:ApplicationGateway":             "Microsoft.Network/applicationGateways/{name}",
	"network:BastionHost":                    "Microsoft.Network/bastionHosts/{name}",
	"network:NatGateway":                     "Microsoft.Network/natGateways/{name}",
	"network:NetworkInterface":               "Microsoft.Network/networkInterfaces/{name}",
	"network:NetworkSecurityGroup":           "Microsoft.Network/networkSecurityGroups/{name}",
	"network:PrivateDnsZoneGroup":            "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{name}",
	"network:PrivateEndpoint":                "Microsoft.Network/privateEndpoints/{name}",
	"network:PrivateRecordSet":               "Microsoft.Network/privateDnsZones/{privateZoneName}/{recordType}/{name}",
	"network:PrivateZone":                    "Microsoft.Network/privateDnsZones/{name}",
	"network:PublicIPAddress":                "Microsoft.Network/publicIPAddresses/{name}",
	"network:RecordSet":                      "Microsoft.Network/dnszones/{zoneName}/{recordType}/{name}",
	"network:Subnet":                         "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{name}",
	"network:VirtualNetwork":                 "Microsoft.Network/virtualNetworks/{name}",
	"network:VirtualNetworkLink":             "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{name}",
	"network:WebApplicationFirewallPolicy":   "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/{name}",
	"network:Zone":                           "Microsoft.Network/dnszones/{name}",
	"network:DnssecConfig":                   "Microsoft.Network/dnszones/{zoneName}/dnssecConfigs/{name}",
	"operationalinsights:Workspace":          "Microsoft.OperationalInsights/workspaces/{name}",
	"recoveryservices:Vault":                 "Microsoft.RecoveryServices/vaults/{name}",
	"recoveryservices:ProtectionPolicy":      "Microsoft.RecoveryServices/vaults/{vaultName}/backupPolicies/{name}",
	"recoveryservices:ProtectionContainer":   "Microsoft.RecoveryServices/vaults/{vaultName}/backupFabrics/{fabricName}/protectionContainers/{name}",
	"recoveryservices:ProtectedItem":         "Microsoft.RecoveryServices/vaults/{vaultName}/backupFabrics/{fabricName}/protectionContainers/{containerName}/protectedItems/{name}",
	"sql:Server":                             "Microsoft.Sql/servers/{name}",
	"sql:Database":                           "Microsoft.Sql/servers/{serverName}/databases/{name}",
	"sql:ServerAzureADAdministrator":         "Microsoft.Sql/servers/{serverName}/administrators/{name}",
	"sql:ServerAzureADOnlyAuthentication":    "Microsoft.Sql/servers/{serverName}/azureADOnlyAuthentications/{name}",
	"sql:BackupShortTermRetentionPolicy":     "Microsoft.Sql/servers/{serverName}/databases/{databaseName}/backupShortTermRetentionPolicies/{name}",
	"sql:LongTermRetentionPolicy":            "Microsoft.Sql/servers/{serverName}/databases/{databaseName}/backupLongTermRetentionPolicies/{name}",
	"sql:TransparentDataEncryption":          "Microsoft.Sql/servers/{serverName}/databases/{databaseName}/transparentDataEncryption/{name}",
	"sql:ExtendedDatabaseBlobAuditingPolicy": "Microsoft.Sql/servers/{serverName}/databases/{databaseName}/extendedAuditingSettings/{name}",
	"sql:ExtendedServerBlobAuditingPolicy":   "Microsoft.Sql/servers/{serverName}/extendedAuditingSettings/{name}",
	"sql:ServerBlobAuditingPolicy":           "Microsoft.Sql/servers/{serverName}/auditingSettings/{name}",
	"storage:StorageAccount":                 "Microsoft.Storage/storageAccounts/{name}",
	"storage:BlobServiceProperties":          "Microsoft.Storage/storageAccounts/{accountName}/blobServices/{name}",
	"storage:FileServiceProperties":          "Microsoft.Storage/storageAccounts/{accountName}/fileServices/{name}",
	"storage:FileShare":                      "Microsoft.Storage/storageAccounts/{accountName}/fileServices/default/shares/{name}",
	"storage:BlobContainer":                  "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{name}",
	// azure-native builds the ID from the path parameters, so a policy put
	// on the destination as "default" is recorded under that name.
	"storage:ObjectReplicationPolicy":     "Microsoft.Storage/storageAccounts/{accountName}/objectReplicationPolicies/{name}",
	"storage:ManagementPolicy":            "Microsoft.Storage/storageAccounts/{accountName}/managementPolicies/{name}",
	"authorization:ManagementLockByScope": "{scope}/providers/Microsoft.Authorization/locks/{name}",
	"authorization:RoleAssignment":        "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
	"authorization:PolicyAssignment":      "{scope}/providers/Microsoft.Authorization/policyAssignments/{name}",
	// A subscription-level resource: under the subscription, in no group.
	"authorization:PolicySetDefinition":      "{subscription}/providers/Microsoft.Authorization/policySetDefinitions/{name}",
	"authorization:RoleDefinition":           "{scope}/providers/Microsoft.Authorization/roleDefinitions/{name}",
	"insights:SubscriptionDiagnosticSetting": "{subscription}/providers/Microsoft.Insights/diagnosticSettings/{name}",
	"insights:ScheduledQueryRule":            "Microsoft.Insights/scheduledQueryRules/{name}",
	"insights:ActionGroup":                   "Microsoft.Insights/actionGroups/{name}",
	"insights:Component":                     "Microsoft.Insights/components/{name}",
	"insights:MetricAlert":                   "Microsoft.Insights/metricAlerts/{name}",
	"insights:WebTest":                       "Microsoft.Insights/webtests/{name}",
}

// azureID builds an ARM ID of the shape Azure gives: subscription, resource
// group, provider namespace and type, name; children under their parents and
// extension resources under their scope (armPaths). A type the table lacks
// gets Microsoft.<Module>/<kind>s/<name>.
func azureID(typ, name string, inputs resource.PropertyMap) string {
	parts := strings.Split(typ, ":")
	module, kind := parts[1], parts[2]
	sub := "/subscriptions/" + MockSubscriptionID
	if kind == "ResourceGroup" {
		return sub + "/resourceGroups/" + name
	}
	rg := "mock-rg"
	if v, ok := inputs["resourceGroupName"]; ok && v.IsString() {
		rg = v.StringValue()
	}
	path, ok := armPaths[module+":"+kind]
	if !ok {
		path = "Microsoft." + upperFirst(module) + "/" + lowerFirst(kind) + "s/{name}"
	}
	input := func(key string) string {
		switch key {
		case "name":
			return name
		case "subscription":
			return sub
		}
		if v, ok := inputs[resource.PropertyKey(key)]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
		return "unknown-" + key
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			b.WriteString(path)
			break
		}
		end := strings.IndexByte(path, '}')
		b.WriteString(path[:open])
		b.WriteString(input(path[open+1 : end]))
		path = path[end+1:]
	}
	id := b.String()
	if strings.HasPrefix(id, "/") {
		return id // an extension resource, under its scope
	}
	return sub + "/resourceGroups/" + rg + "/providers/" + id
}

// Unversioned drops the API version of a versioned azure-native type token.
func Unversioned(typ string) string { return unversioned(typ) }

// unversioned drops the API version of a versioned azure-native type token:
// azure-native:app/v20240301:ManagedEnvironment is a ManagedEnvironment.
func unversioned(typ string) string {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "azure-native" {
		return typ
	}
	if i := strings.IndexByte(parts[1], '/'); i >= 0 {
		parts[1] = parts[1][:i]
	}
	return strings.Join(parts, ":")
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// alnum maps a hex hash onto lowercase letters and digits, as a random
// string without upper case or special characters would be.
func alnum(h string, n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[int(h[i%len(h)]+byte(i))%len(chars)]
	}
	return string(b)
}

func guid(seed string) string {
	h := shortHash(seed)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// aliases writes each alias of a registration as one string: its URN, or
// the parts of its spec that the program set ("name=old-name",
// "parent=urn:...", "noParent"). The SDK's own aliases of a type to its
// other API versions (azure-native:insights/v20170501preview:...) are left
// out: every registration carries them and they move nothing.
func aliases(typ string, specs []*pulumirpc.Alias, urns []string) []string {
	out := append([]string(nil), urns...)
	for _, a := range specs {
		if u := a.GetUrn(); u != "" {
			out = append(out, u)
			continue
		}
		s := a.GetSpec()
		if s == nil {
			continue
		}
		if s.GetName() == "" && s.GetStack() == "" && s.GetProject() == "" && s.GetParentUrn() == "" && !s.GetNoParent() &&
			unversioned(s.GetType()) == unversioned(typ) {
			continue
		}
		var parts []string
		for _, kv := range [][2]string{{"name", s.GetName()}, {"type", s.GetType()}, {"stack", s.GetStack()}, {"project", s.GetProject()}, {"parent", s.GetParentUrn()}} {
			if kv[1] != "" {
				parts = append(parts, kv[0]+"="+kv[1])
			}
		}
		if s.GetNoParent() {
			parts = append(parts, "noParent")
		}
		out = append(out, strings.Join(parts, ","))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return out
}
