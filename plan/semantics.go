// What a change of one input does on Azure, through the azure-native
// provider: the one table that kpax diff, kpax check and the simulated Azure
// read. The provider replaces a resource only on its name, its path
// parameters and the properties its metadata marks force-new; every other
// change goes out as an in-place update, which ARM applies, refuses or
// silently ignores. A property that Azure fixes at creation is therefore not
// one the provider replaces on (docs/update-semantics.md).

package plan

import (
	"sort"
	"strings"
)

// Effect is what a change of an input does.
type Effect string

// The effects of a change.
const (
	// EffectReplace: the provider deletes and recreates the resource.
	EffectReplace Effect = "replace"
	// EffectRefused: the provider sends an in-place update, and ARM
	// refuses it: the `up` fails unless the program replaces the resource
	// itself (replaceOnChanges).
	EffectRefused Effect = "refused"
	// EffectIgnored: the provider sends an in-place update, and ARM
	// accepts it but keeps the old value.
	EffectIgnored Effect = "ignored"
	// EffectUpdate: ARM updates the resource in place.
	EffectUpdate Effect = "update"
)

// anyType is the Type of a row that holds for every azure-native type.
const anyType = "azure-native:*"

// Semantic is one row of the table: what a change of the input at Path (a
// dotted path; the row covers every path under it) of a resource of Type
// does, what ARM answers, and the document that says so.
type Semantic struct {
	Type   string `json:"type"`
	Path   string `json:"path"`
	Effect Effect `json:"effect"`
	// Code is the error ARM answers a refused update with.
	Code   string `json:"code,omitempty"`
	Source string `json:"source"`
}

// Sources the rows share.
const (
	// srcProviderDiff: azure-native replaces on path parameters and on its
	// force-new metadata, and sends everything else as a PUT; it deletes
	// first whenever the name was not randomly auto-named.
	srcProviderDiff = "https://github.com/pulumi/pulumi-azure-native/blob/v2.90.0/provider/pkg/provider/diff.go (path parameters replace; the old resource is deleted first)"
	// srcForceNewMap: the provider's hand-kept force-new list.
	srcForceNewMap = "https://github.com/pulumi/pulumi-azure-native/blob/v2.90.0/provider/pkg/gen/replacement.go (forceNewMap)"
	// srcLocation: location is force-new only where forceNewMap says so;
	// elsewhere the move goes out as an update, which ARM refuses.
	// srcAppSpec is the Container Apps API the program deploys.
	srcAppSpec = "specification/app/resource-manager/Microsoft.App/stable/2024-03-01/"
	// srcTrackedLocation: a top-level create-only property is force-new.
	srcTrackedLocation = "specification/common-types/resource-management/v3/types.json, TrackedResource.location (x-ms-mutability read, create), which " + srcAppSpec + " derives from"
	srcLocation        = "https://github.com/pulumi/pulumi-azure-native/issues/3053 (a location change previews as an update; ARM answers InvalidResourceLocation)"
	// srcRandom: every input of a pulumi-random resource forces a new one.
	srcRandom = "https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/string (every argument forces a new resource; pulumi-random bridges it)"
	// simulatedCode marks a refusal whose behaviour is sourced but whose
	// error code no source shows (as simazure's rules do).
	simulatedCode = "simulated:PropertyChangeNotAllowed"
)

// semantics are the rows, by unversioned type. Paths not listed are
// updatable, but for names and path parameters (isPathParam) and location
// (anyType rows).
var semantics = []Semantic{
	// Any azure-native type: location is not force-new but where a
	// type's row says so.
	{anyType, "location", EffectRefused, "InvalidResourceLocation", srcLocation},
	{"azure-native:resources:ResourceGroup", "location", EffectReplace, "", srcForceNewMap + " ResourceGroup: location"},
	{"azure-native:network:VirtualNetwork", "location", EffectReplace, "", srcForceNewMap + " VirtualNetwork: location"},

	// Compute: no force-new metadata and no create-only mutability in the
	// spec (computeRPCommon.json 2023-03-01 has no x-ms-mutability), so
	// every change is an update; ARM refuses the ones below.
	{"azure-native:compute:VirtualMachine", "storageProfile.imageReference", EffectRefused, "PropertyChangeNotAllowed",
		"https://github.com/pulumi/pulumi-azure-native/issues/1117 (\"Changing property 'imageReference.id' is not allowed.\")"},
	{"azure-native:compute:VirtualMachine", "storageProfile.osDisk", EffectRefused, "PropertyChangeNotAllowed",
		"https://github.com/hashicorp/terraform-provider-azurerm/pull/16323 (\"Changing property 'osDisk.name' is not allowed.\")"},
	{"azure-native:compute:VirtualMachine", "osProfile", EffectRefused, "PropertyChangeNotAllowed",
		"https://github.com/pulumi/pulumi-azure-native/issues/577 (computerName); https://github.com/MicrosoftDocs/azure-docs/issues/12602 (\"Changing property 'osProfile' is not allowed.\"); computeRPCommon.json 2023-03-01 OSProfile.adminUsername: \"This property cannot be updated after the VM is created.\""},
	{"azure-native:compute:VirtualMachine", "osProfile.linuxConfiguration.ssh", EffectRefused, "PropertyChangeNotAllowed",
		"https://github.com/Azure/aks-engine/issues/585 (\"Changing property 'linuxConfiguration.ssh.publicKeys' is not allowed.\")"},
	{"azure-native:compute:VirtualMachine", "osProfile.linuxConfiguration.disablePasswordAuthentication", EffectRefused, "PropertyChangeNotAllowed",
		"https://github.com/Azure/bicep/issues/15273 (\"Changing property 'linuxConfiguration.disablePasswordAuthentication' is not allowed.\")"},
	{"azure-native:compute:VirtualMachine", "osProfile.allowExtensionOperations", EffectUpdate, "",
		"https://learn.microsoft.com/azure/virtual-machines/linux/disable-provisioning (az vm update --set osProfile.allowExtensionOperations=...)"},
	{"azure-native:compute:VirtualMachine", "osProfile.linuxConfiguration.patchSettings", EffectUpdate, "",
		"https://learn.microsoft.com/azure/virtual-machines/automatic-vm-guest-patching (a PUT on an existing VM sets linuxConfiguration.patchSettings.patchMode)"},
	{"azure-native:compute:VirtualMachine", "securityProfile.securityType", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/virtual-machines/trusted-launch-existing-vm (an existing VM moves to Trusted Launch only deallocated, by its own procedure)"},
	{"azure-native:compute:VirtualMachine", "securityProfile.encryptionAtHost", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/virtual-machines/disks-enable-host-based-encryption-portal (an existing VM gets encryption at host only while deallocated: the provider's PUT reaches it running; the refusal's code is not shown)"},
	{"azure-native:compute:VirtualMachine", "zones", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/virtual-machines/move-virtual-machines-regional-zonal-portal (a VM changes zone only by being recreated)"},
	{"azure-native:compute:VirtualMachineScaleSet", "orchestrationMode", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-orchestration-modes (the orchestration mode is set at creation)"},
	{"azure-native:compute:VirtualMachineScaleSet", "platformFaultDomainCount", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-manage-fault-domains (the fault domain count is set at creation)"},
	{"azure-native:compute:VirtualMachineScaleSet", "zones", EffectRefused, simulatedCode,
		"virtualMachineScaleSet.json 2023-03-01 VirtualMachineScaleSet.zones: \"Availability zones can only be set when you create the scale set\" (https://github.com/Azure/azure-rest-api-specs/tree/main/specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2023-03-01)"},

	// Network: zones have no create-only mutability in the spec, so the
	// provider sends a change; Learn says each is fixed at deployment.
	{"azure-native:network:BastionHost", "zones", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/reliability/reliability-bastion (\"You can't change the availability zone setting after you deploy your Azure Bastion resource.\")"},
	{"azure-native:network:NatGateway", "zones", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/nat-gateway/nat-availability-zones (\"Zones can't be changed, updated, or created for NAT gateway after deployment.\")"},
	{"azure-native:network:PublicIPAddress", "zones", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#availability-zone (\"A public IP's availability zone can't be changed after the public IP's creation.\")"},
	{"azure-native:network:PublicIPAddress", "sku", EffectReplace, "", srcForceNewMap + " PublicIPAddress: location, publicIPAddressVersion, publicIPPrefix, sku"},
	{"azure-native:network:PublicIPAddress", "location", EffectReplace, "", srcForceNewMap + " PublicIPAddress: location, publicIPAddressVersion, publicIPPrefix, sku"},
	{"azure-native:network:PublicIPAddress", "publicIPAddressVersion", EffectReplace, "", srcForceNewMap + " PublicIPAddress: location, publicIPAddressVersion, publicIPPrefix, sku"},
	{"azure-native:network:ApplicationGateway", "zones", EffectRefused, simulatedCode,
		"https://learn.microsoft.com/azure/reliability/reliability-application-gateway-v2 (\"Availability zone support can't be disabled.\")"},

	{"azure-native:network:Subnet", "delegations", EffectRefused, "SubnetDelegationsCannotChangeWhenSubnetUsedByResource",
		"https://github.com/MicrosoftDocs/azure-docs/issues/39112 (\"Delegations of subnet ... cannot be changed ... because it is being used by the resource\"; Subnet has no force-new entry: replacement.go \"no force-news\")"},

	// Data and platform. A create-only property at the top level (after
	// flattening properties) is force-new; a nested one is sent as an
	// update (provider/pkg/gen/properties.go, forceNew).
	{"azure-native:sql:Server", "administrators", EffectReplace, "",
		"specification/sql/resource-manager/Microsoft.Sql/stable/2021-11-01/Servers.json:981-988 (x-ms-mutability read, create: force-new; https://github.com/pulumi/pulumi-azure-native/issues/4096); Learn REST 2023-08-01: \"This can only be used at server create time. If used for server update, it will be ignored or it will result in an error.\""},
	{"azure-native:sql:Server", "administratorLogin", EffectReplace, "",
		"specification/sql/resource-manager/Microsoft.Sql/stable/2021-11-01/Servers.json:892-899 (\"Once created it cannot be changed.\", x-ms-mutability read, create)"},
	{"azure-native:recoveryservices:Vault", "properties.redundancySettings", EffectRefused, "StorageModelModifyError",
		"https://learn.microsoft.com/azure/backup/backup-create-recovery-services-vault (\"After you configure a backup, the option to modify is disabled.\"); code: https://github.com/hashicorp/terraform-provider-azurerm/pull/8813"},
	{"azure-native:storage:StorageAccount", "isHnsEnabled", EffectReplace, "", srcForceNewMap + " StorageAccount: isHnsEnabled, location"},
	{"azure-native:storage:StorageAccount", "location", EffectReplace, "", srcForceNewMap + " StorageAccount: isHnsEnabled, location"},
	{"azure-native:storage:StorageAccount", "sku", EffectUpdate, "",
		"https://learn.microsoft.com/azure/storage/common/redundancy-migration (ZRS to GZRS: \"Use Azure portal, PowerShell, or CLI\")"},
	// The program deploys app 2024-03-01, whose resources derive from
	// common-types v3 TrackedResource: location is create-only there, so
	// the provider replaces on it.
	{"azure-native:app:ManagedEnvironment", "zoneRedundant", EffectReplace, "",
		srcAppSpec + "ManagedEnvironments.json, ManagedEnvironment.properties.zoneRedundant (x-ms-mutability create, read: force-new)"},
	{"azure-native:app:ManagedEnvironment", "infrastructureResourceGroup", EffectReplace, "",
		srcAppSpec + "ManagedEnvironments.json, ManagedEnvironment.properties.infrastructureResourceGroup (x-ms-mutability create, read: force-new)"},
	{"azure-native:app:ManagedEnvironment", "location", EffectReplace, "", srcTrackedLocation},
	{"azure-native:app:ContainerApp", "location", EffectReplace, "", srcTrackedLocation},
	{"azure-native:app:Job", "location", EffectReplace, "", srcTrackedLocation},
	{"azure-native:app:ManagedEnvironment", "vnetConfiguration", EffectIgnored, "",
		"https://github.com/pulumi/pulumi-azure-native/issues/2577 (\"when attempting to change the vnetConfiguration the change will just be ignored\"; create-only in the spec, but nested, so not force-new)"},
	{"azure-native:app:ContainerApp", "environmentId", EffectReplace, "",
		srcAppSpec + "ContainerApps.json, ContainerApp.properties.environmentId (x-ms-mutability create, read: force-new)"},
	{"azure-native:authorization:RoleAssignment", "principalId", EffectReplace, "",
		srcForceNewMap + " RoleAssignment: principalId, scope (https://github.com/pulumi/pulumi-azure-native/pull/1010, after RoleAssignmentUpdateNotPermitted in #771)"},
	{"azure-native:authorization:RoleAssignment", "roleDefinitionId", EffectRefused, "simulated:RoleAssignmentUpdateNotPermitted",
		"https://learn.microsoft.com/azure/role-based-access-control/troubleshooting (\"You also can't change the properties of an existing role assignment.\")"},

	// pulumiverse time: a sleep is made again when its triggers change.
	{"time:index/sleep:Sleep", "triggers", EffectReplace, "",
		"https://registry.terraform.io/providers/hashicorp/time/latest/docs/resources/sleep (triggers: \"Arbitrary map of values that, when changed, will run any creation or destroy delays again\"; pulumiverse/pulumi-time bridges it)"},

	// pulumi-random: everything is fixed at creation.
	{"random:index/randomString:RandomString", "", EffectReplace, "", srcRandom},
	{"random:index/randomPassword:RandomPassword", "", EffectReplace, "", srcRandom},
}

// Semantics lists the table's rows, by type and path, for documentation and
// reviews.
func Semantics() []Semantic {
	out := append([]Semantic(nil), semantics...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// SemanticOf is the row that governs a change of the input at path (dotted,
// "storageProfile.imageReference.version") of a resource of type typ: the
// most specific row that covers it; else, for the resource's names and path
// parameters, the provider's replacement; else an in-place update.
func SemanticOf(typ, path string) Semantic {
	typ = unversioned(typ)
	best := -1
	for i, s := range semantics {
		if (s.Type != typ && (s.Type != anyType || !strings.HasPrefix(typ, "azure-native:"))) || !covers(s.Path, path) {
			continue
		}
		// The type's own row wins over the any-type row, then the longer
		// path.
		if best < 0 || (s.Type == typ && semantics[best].Type == anyType) ||
			(s.Type == semantics[best].Type && len(s.Path) > len(semantics[best].Path)) {
			best = i
		}
	}
	if best >= 0 {
		return semantics[best]
	}
	if isPathParam(typ, path) {
		return Semantic{Type: typ, Path: firstSegment(path), Effect: EffectReplace, Source: srcProviderDiff}
	}
	return Semantic{Type: typ, Path: path, Effect: EffectUpdate}
}

// covers reports whether a change at path lies under prefix, segment by
// segment ("osProfile" covers "osProfile.adminUsername", not
// "osProfileX"); the empty prefix covers everything.
func covers(prefix, path string) bool {
	return prefix == "" || path == prefix || strings.HasPrefix(path, prefix+".")
}

func firstSegment(path string) string {
	if i := strings.IndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return path
}

// isPathParam reports whether the top-level input at path names the
// resource, its group or its parents, or is the scope of an extension
// resource: the provider replaces on every one of them.
func isPathParam(typ, path string) bool {
	if typ == TenantComponentType || typ == "kpax:components:RegionalCluster" || !strings.HasPrefix(typ, "azure-native:") {
		return false
	}
	first := firstSegment(path)
	if first != path {
		return false
	}
	if notPathParams[first] {
		return false
	}
	if first == "resourceGroupName" || strings.HasSuffix(first, "Name") {
		return true
	}
	if typ == "azure-native:maintenance:ConfigurationAssignment" && first == "resourceType" {
		return true
	}
	tmpl := armPaths[strings.TrimPrefix(typ, "azure-native:")]
	return strings.Contains(tmpl, "{"+first+"}")
}

// notPathParams are top-level inputs named like a name that are properties
// of the resource, not parts of its ID.
var notPathParams = map[string]bool{"displayName": true, "groupShortName": true, "workloadProfileName": true}

// ReplacesOnChange reports whether the provider replaces a resource of type
// typ on a change of the input at path.
func ReplacesOnChange(typ, path string) bool { return SemanticOf(typ, path).Effect == EffectReplace }

// underOption reports whether a dotted input path lies under one of the
// paths of a resource option (replaceOnChanges, ignoreChanges), written in
// Pulumi's property path syntax: "osProfile", "storageProfile.osDisk",
// "zones[*]", "*".
func underOption(paths []string, path string) bool {
	for _, p := range paths {
		p = strings.ReplaceAll(p, "[*]", "")
		if p == "*" || covers(p, path) {
			return true
		}
	}
	return false
}
