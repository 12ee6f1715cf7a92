// Which Azure resource types take tags: kpax check's tags rule holds every
// one of them to the platform's tags, and the simulated Azure's Policy
// (mode Indexed) evaluates them.

package plan

// TakesTags reports whether Azure gives resources of an unversioned
// azure-native type tags, even when a plan omits them. A type missing here
// that a plan tags anyway counts too, for whoever reads the plan's inputs.
func TakesTags(typ string) bool { return taggable[typ] }

var taggable = map[string]bool{
	"azure-native:resources:ResourceGroup":              true,
	"azure-native:storage:StorageAccount":               true,
	"azure-native:sql:Server":                           true,
	"azure-native:sql:Database":                         true,
	"azure-native:keyvault:Vault":                       true,
	"azure-native:keyvault:Secret":                      true,
	"azure-native:app:ContainerApp":                     true,
	"azure-native:app:ManagedEnvironment":               true,
	"azure-native:compute:VirtualMachine":               true,
	"azure-native:compute:VirtualMachineScaleSet":       true,
	"azure-native:compute:Disk":                         true,
	"azure-native:compute:VirtualMachineExtension":      true,
	"azure-native:network:NetworkInterface":             true,
	"azure-native:network:NetworkSecurityGroup":         true,
	"azure-native:network:VirtualNetwork":               true,
	"azure-native:network:PublicIPAddress":              true,
	"azure-native:network:NatGateway":                   true,
	"azure-native:network:BastionHost":                  true,
	"azure-native:network:ApplicationGateway":           true,
	"azure-native:network:WebApplicationFirewallPolicy": true,
	"azure-native:network:PrivateEndpoint":              true,
	"azure-native:network:Zone":                         true,
	"azure-native:network:PrivateZone":                  true,
	"azure-native:network:VirtualNetworkLink":           true,
	"azure-native:operationalinsights:Workspace":        true,
	"azure-native:recoveryservices:Vault":               true,
	"azure-native:recoveryservices:ProtectionPolicy":    true,
	"azure-native:recoveryservices:ProtectedItem":       true,
	"azure-native:recoveryservices:ProtectionContainer": true,
	"azure-native:managedidentity:UserAssignedIdentity": true,
	"azure-native:insights:DataCollectionRule":          true,
	"azure-native:insights:ActionGroup":                 true,
	"azure-native:insights:MetricAlert":                 true,
	"azure-native:insights:ScheduledQueryRule":          true,
	"azure-native:insights:WebTest":                     true,
	"azure-native:insights:Component":                   true,
	"azure-native:maintenance:MaintenanceConfiguration": true,
}
