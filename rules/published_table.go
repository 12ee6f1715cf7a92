// The published rules adopted and the exceptions taken: the table kpax check
// runs (published.go) and docs/published-rules.md lists.

package rules

import (
	"fmt"
	"strings"

	"github.com/kpax/kpax-cloud/plan"
	"github.com/kpax/kpax-cloud/spec"
)

// PublishedRules are the rules adopted: every one of them holds for every
// stack's plan, or is an Exception below.
var PublishedRules = []PublishedRule{
	// Key Vault
	{"Azure.KeyVault.SoftDelete", SetPSRule, "Key Vault soft delete", "Azure.KeyVault.Rule.yaml", []string{typeKeyVault}, paths("name"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "properties.enableSoftDelete", true) }},
	{"Azure.KeyVault.PurgeProtect", SetPSRule, "Key Vault purge protection", "Azure.KeyVault.Rule.yaml", []string{typeKeyVault}, paths("name"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "properties.enablePurgeProtection", true) }},
	{"12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", SetMCSB, "Azure Key Vault should use RBAC permission model (also Azure.KeyVault.RBAC)", "Key Vault/Should_Use_RBAC.json", []string{typeKeyVault}, paths("name"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "properties.enableRbacAuthorization", true) }},
	{"55615ac9-af46-4a59-874e-391cc3dfb490", SetMCSB, "Key Vault firewall enabled or public network access disabled (also Azure.KeyVault.Firewall)", "Key Vault/FirewallEnabled_Audit.json", []string{typeKeyVault}, paths("name"), nil,
		func(_ *checker, r *plan.Resource) string {
			return firstOf(eq(r, "properties.networkAcls.defaultAction", "Deny"), eq(r, "properties.publicNetworkAccess", "Disabled"))
		}},
	{"a6abeaec-4d90-4a02-805f-6b26c4d3fbe9", SetMCSB, "Azure Key Vaults should use private link", "Key Vault/Should_Use_PrivateEndpoint_Audit.json", []string{typeKeyVault}, paths("name"), nil,
		hasPrivateEndpoint},
	{"cf820ca0-f99e-4f3e-84fb-66e913812d21", SetMCSB, "Resource logs in Key Vault should be enabled (also Azure.KeyVault.Logs)", "Key Vault/AuditDiagnosticLog_Audit.json", []string{typeKeyVault}, paths("name"), nil,
		func(c *checker, r *plan.Resource) string {
			for _, d := range c.diagnosticsOf(r.ID) {
				logs, _ := d.Get("logs").([]any)
				for _, l := range logs {
					m, _ := l.(map[string]any)
					if isTrue(m["enabled"]) && (m["categoryGroup"] == "allLogs" || m["categoryGroup"] == "audit" || m["category"] == "AuditEvent") {
						return ""
					}
				}
			}
			return "no diagnostic setting sends its audit logs"
		}},

	// Storage
	{"404c3081-a854-4457-ae30-26a93ef643f9", SetMCSB, "Secure transfer to storage accounts should be enabled (also Azure.Storage.SecureTransfer)", "Storage/Storage_AuditForHTTPSEnabled_Audit.json", []string{typeStorageAccount}, paths("storage"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "enableHttpsTrafficOnly", true) }},
	{"4fa4b6c0-31ca-4c0d-b10d-24b96f62a751", SetMCSB, "Storage account public access should be disallowed (also Azure.Storage.BlobPublicAccess)", "Storage/ASC_Storage_DisallowPublicBlobAccess_Audit.json", []string{typeStorageAccount}, paths("storage"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "allowBlobPublicAccess", false) }},
	{"8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54", SetMCSB, "Storage accounts should prevent shared key access (also Azure.Storage.LocalAuth)", "Storage/StorageAccountAllowSharedKeyAccess_Audit.json", []string{typeStorageAccount}, paths("storage"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "allowSharedKeyAccess", false) }},
	{"Azure.Storage.MinTLS", SetPSRule, "Storage minimum TLS 1.2", "Azure.Storage.Rule.yaml", []string{typeStorageAccount}, paths("storage"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "minimumTlsVersion", "TLS1_2") }},
	{"2a1a9cdf-e04d-429a-8416-3bfb72a1b26f", SetMCSB, "Storage accounts should restrict network access using virtual network rules (also Azure.Storage.Firewall)", "Storage/StorageAccountOnlyVnetRulesEnabled_Audit.json", []string{typeStorageAccount}, paths("storage"), nil,
		func(_ *checker, r *plan.Resource) string {
			if rules, _ := r.Get("networkRuleSet.ipRules").([]any); len(rules) > 0 {
				return "networkRuleSet.ipRules admits IP ranges"
			}
			return eq(r, "networkRuleSet.defaultAction", "Deny")
		}},
	{"6edd7eda-6dd8-40f7-810d-67160c639cd9", SetMCSB, "Storage accounts should use private link", "Storage/StorageAccountPrivateEndpointEnabled_Audit.json", []string{typeStorageAccount}, paths("storage"), nil,
		hasPrivateEndpoint},
	{"85b005b2-95fc-4953-b9cb-f9ee6427c754", SetZones, "Storage Accounts should be Zone Redundant (also Azure.Storage.UseReplication)", "Resilience/Storage_storageAccounts_ZoneRedundant_Audit.json", []string{typeStorageAccount}, paths("storage.redundancy", "storage"), nil,
		func(_ *checker, r *plan.Resource) string {
			if sku := r.String("sku.name"); !strings.HasSuffix(sku, "ZRS") || r.String("kind") == "Storage" {
				return fmt.Sprintf("sku.name %q kind %q is not zone redundant", sku, r.String("kind"))
			}
			return ""
		}},
	{"Azure.Storage.SoftDelete", SetPSRule, "Blob and container soft delete (also Azure.Storage.ContainerSoftDelete)", "Azure.Storage.Rule.ps1", []string{typeStorageAccount}, paths("backup.retentionDays", "storage"), nil,
		func(c *checker, r *plan.Resource) string {
			for _, s := range c.childOf(typeBlobService, "accountName", r, "accountName") {
				if isTrue(s.Get("deleteRetentionPolicy.enabled")) && isTrue(s.Get("containerDeleteRetentionPolicy.enabled")) {
					return ""
				}
			}
			return "no blob service with blob and container soft delete"
		}},

	// SQL
	{"32e6bbec-16b6-44c2-be37-c5b672d103cf", SetMCSB, "Azure SQL Database should be running TLS version 1.2 or newer (also Azure.SQL.MinTLS)", "SQL/SqlServer_MiniumTLSVersion_Audit.json", []string{typeSQLServer}, nil, paths("database"),
		func(_ *checker, r *plan.Resource) string {
			if v := r.String("minimalTlsVersion"); !versionAtLeast(v, "1.2") {
				return fmt.Sprintf("minimalTlsVersion is %q, want 1.2 or newer", v)
			}
			return ""
		}},
	{"1b8ca024-1d5c-4dec-8995-b1a932b41780", SetMCSB, "Public network access on Azure SQL Database should be disabled", "SQL/SqlServer_PublicNetworkAccess_Audit.json", []string{typeSQLServer}, nil, paths("database"),
		func(_ *checker, r *plan.Resource) string { return eq(r, "publicNetworkAccess", "Disabled") }},
	{"7698e800-9299-47a6-b3b6-5a0fee576eed", SetMCSB, "Private endpoint connections on Azure SQL Database should be enabled", "SQL/SqlServer_PrivateEndpoint_Audit.json", []string{typeSQLServer}, nil, paths("database"),
		hasPrivateEndpoint},
	{"1f314764-cb73-4fc9-b863-8eca98ac36e9", SetMCSB, "An Azure Active Directory administrator should be provisioned for SQL servers (also Azure.SQL.AAD)", "SQL/SQL_DB_AuditServerADAdmins_Audit.json", []string{typeSQLServer}, nil, paths("operators"),
		// The policy looks for the server's administrators child resource
		// (AuditIfNotExists on Microsoft.Sql/servers/administrators), which
		// is also the only way ARM changes the admin after creation.
		func(c *checker, r *plan.Resource) string {
			admins := c.childOf(typeSQLEntraAdmin, "serverName", r, "serverName")
			if len(admins) == 0 {
				return "no ServerAzureADAdministrator child"
			}
			if a := admins[0]; a.String("login") == "" || a.String("sid") == "" {
				return "the Entra administrator has no login and sid"
			}
			return eq(admins[0], "administratorType", "ActiveDirectory")
		}},
	{"abda6d70-9778-44e7-84a8-06713e6db027", SetMCSB, "Azure SQL logical servers should have Microsoft Entra-only authentication enabled (also Azure.SQL.AADOnly)", "SQL/SqlServer_ADOnlyEnabled_Audit.json", []string{typeSQLServer}, nil, paths("operators"),
		func(_ *checker, r *plan.Resource) string {
			return eq(r, "administrators.azureADOnlyAuthentication", true)
		}},
	{"a6fb4358-5bf4-4ad7-ba82-2cd2f41ce5e9", SetMCSB, "Auditing on SQL server should be enabled (also Azure.SQL.Auditing)", "SQL/SqlServerAuditing_Audit.json", []string{typeSQLServer}, nil, paths("database"),
		func(c *checker, r *plan.Resource) string {
			for _, a := range c.childOf(typeSQLServerAudit, "serverName", r, "serverName") {
				if strings.EqualFold(a.String("state"), "Enabled") {
					return ""
				}
			}
			return "no enabled server auditing policy"
		}},
	{"abfb4388-5bf4-4ad7-ba82-2cd2f41ceae9", SetMCSB, "Azure Defender for SQL should be enabled for unprotected Azure SQL servers (also Azure.SQL.DefenderCloud)", "SQL/SqlServer_AdvancedDataSecurity_Audit.json", []string{typeSQLServer}, nil, paths("database"),
		func(*checker, *plan.Resource) string { return "no securityAlertPolicies (Defender for SQL)" }},
	{"Azure.SQL.VAScan", SetPSRule, "SQL vulnerability assessment", "Azure.SQL.Rule.ps1", []string{typeSQLServer}, nil, paths("database"),
		func(*checker, *plan.Resource) string { return "no sqlVulnerabilityAssessments" }},
	{"17k78e20-9358-41c9-923c-fb736d382a12", SetMCSB, "Transparent Data Encryption on SQL databases should be enabled (also Azure.SQL.TDE)", "SQL/SqlDBEncryption_Audit.json", []string{typeSQLDatabase}, paths("database"), nil,
		func(c *checker, r *plan.Resource) string {
			for _, tde := range c.childOf(typeSQLTDE, "databaseName", r, "databaseName") {
				if tde.String("serverName") == r.String("serverName") && strings.EqualFold(tde.String("state"), "Enabled") {
					return ""
				}
			}
			return "no enabled transparent data encryption"
		}},
	{"6221cac0-bb8d-40f4-9535-5d03f713f054", SetZones, "SQL Databases should be Zone Redundant", "Resilience/Sql_servers_databases_ZoneRedundant_Audit.json", []string{typeSQLDatabase}, paths("database.sku", "database"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "zoneRedundant", true) }},
	{"Azure.SQL.MaintenanceWindow", SetPSRule, "SQL database maintenance window", "Azure.SQL.Rule.ps1", []string{typeSQLDatabase}, paths("database"), nil,
		func(_ *checker, r *plan.Resource) string {
			if !strings.Contains(r.String("maintenanceConfigurationId"), "/publicMaintenanceConfigurations/SQL_") {
				return "maintenanceConfigurationId names no non-default window"
			}
			return ""
		}},

	// Application Gateway and its WAF policy
	{"564feb30-bf6a-4854-b4bb-0d2d2d1e6c66", SetMCSB, "Web Application Firewall (WAF) should be enabled for Application Gateway (also Azure.AppGw.UseWAF, WAFEnabled)", "Network/WAF_AppGatewayEnabled_Audit.json", []string{typeAppGateway}, nil, paths("name"),
		func(_ *checker, r *plan.Resource) string {
			if r.String("firewallPolicy.id") == "" {
				return "no firewallPolicy"
			}
			return eq(r, "sku.tier", "WAF_v2")
		}},
	{"Azure.AppGw.SSLPolicy", SetPSRule, "Application Gateway TLS policy", "Azure.AppGw.Rule.yaml", []string{typeAppGateway}, nil, paths("name"),
		func(_ *checker, r *plan.Resource) string {
			switch r.String("sslPolicy.policyName") {
			case "AppGwSslPolicy20170401S", "AppGwSslPolicy20220101", "AppGwSslPolicy20220101S":
				return ""
			}
			return fmt.Sprintf("sslPolicy.policyName %q is not one of the TLS 1.2 policies", r.String("sslPolicy.policyName"))
		}},
	{"Azure.AppGw.UseHTTPS", SetPSRule, "Application Gateway redirects HTTP to HTTPS", "Azure.AppGw.Rule.ps1", []string{typeAppGateway}, nil, paths("name"),
		func(_ *checker, r *plan.Resource) string {
			http := map[string]bool{}
			for _, l := range inputList(r, "httpListeners") {
				if l["protocol"] == "Http" {
					http[fmt.Sprint(l["name"])] = true
				}
			}
			for _, rule := range inputList(r, "requestRoutingRules") {
				id, _ := lookupString(rule, "httpListener.id")
				if http[id[strings.LastIndexByte(id, '/')+1:]] && fmt.Sprint(rule["redirectConfiguration"]) == "<nil>" {
					return fmt.Sprintf("rule %v serves an HTTP listener without a redirect", rule["name"])
				}
			}
			return ""
		}},
	{"Azure.AppGw.MinInstance", SetPSRule, "Application Gateway at least two instances", "Azure.AppGw.Rule.yaml", []string{typeAppGateway}, nil, paths("name"),
		func(_ *checker, r *plan.Resource) string {
			if n, _ := r.Get("autoscaleConfiguration.minCapacity").(float64); n < 2 {
				return fmt.Sprintf("autoscaleConfiguration.minCapacity is %v, want at least 2", show(r.Get("autoscaleConfiguration.minCapacity")))
			}
			return ""
		}},
	{"493c215c-0553-4976-bc81-57d2c04fc8c1", SetZones, "Application Gateways should be Zone Resilient (also Azure.AppGw.AvailabilityZone)", "Resilience/Network_applicationGateways_ZoneResilient_Audit.json", []string{typeAppGateway}, nil, paths("zones"),
		allZones},
	{"Azure.AppGwWAF.Enabled", SetPSRule, "WAF policy enabled in prevention mode, without exclusions (also PreventionMode, Exclusions)", "Azure.AppGwWAF.Rule.yaml", []string{typeWAFPolicy}, nil, paths("name"),
		func(_ *checker, r *plan.Resource) string {
			if ex, _ := r.Get("managedRules.exclusions").([]any); len(ex) > 0 {
				return "managedRules.exclusions is not empty"
			}
			return firstOf(eq(r, "policySettings.state", "Enabled"), eq(r, "policySettings.mode", "Prevention"))
		}},
	{"Azure.AppGwWAF.RuleGroups", SetPSRule, "WAF policy uses the default rule set 2.1 and the bot manager rule set 1.0", "Azure.AppGwWAF.Rule.yaml", []string{typeWAFPolicy}, nil, paths("name"),
		func(_ *checker, r *plan.Resource) string {
			sets := map[string]string{}
			for _, s := range inputList(r, "managedRules.managedRuleSets") {
				sets[fmt.Sprint(s["ruleSetType"])] = fmt.Sprint(s["ruleSetVersion"])
			}
			if !versionAtLeast(sets["Microsoft_DefaultRuleSet"], "2.1") || !versionAtLeast(sets["Microsoft_BotManagerRuleSet"], "1.0") {
				return fmt.Sprintf("managed rule sets %v lack Microsoft_DefaultRuleSet 2.1 and Microsoft_BotManagerRuleSet 1.0", sets)
			}
			return ""
		}},

	// Network
	{"Azure.NSG.AnyInboundSource", SetPSRule, "No NSG allows inbound traffic from any source", "Azure.NSG.Rule.ps1", []string{typeNSG}, nil, paths("addressSpace"),
		func(_ *checker, r *plan.Resource) string {
			for _, rule := range nsgRules(r) {
				if rule["direction"] == "Inbound" && rule["access"] == "Allow" && rule["sourceAddressPrefix"] == "*" {
					return fmt.Sprintf("rule %v allows inbound traffic from any source", rule["name"])
				}
			}
			return ""
		}},
	{"Azure.NSG.LateralTraversal", SetPSRule, "NSGs deny outbound SSH and RDP to the VNet", "Azure.NSG.Rule.ps1", []string{typeNSG}, nil, paths("addressSpace"),
		func(_ *checker, r *plan.Resource) string {
			for _, rule := range nsgRules(r) {
				if rule["direction"] == "Outbound" && rule["access"] == "Deny" && rule["destinationAddressPrefix"] == "VirtualNetwork" &&
					(anyPortIn(rule, 22) || anyPortIn(rule, 3389)) {
					return ""
				}
			}
			return "no outbound rule denies SSH or RDP to the VNet"
		}},
	{"Azure.VNET.UseNSGs", SetPSRule, "Every subnet has an NSG", "Azure.VNET.Rule.ps1", []string{typeSubnet}, nil, paths("addressSpace"),
		func(_ *checker, r *plan.Resource) string {
			if r.String("networkSecurityGroup.id") == "" {
				return "the subnet has no NSG"
			}
			return ""
		}},
	{"Azure.VNET.PrivateSubnet", SetPSRule, "Subnets have no default outbound access", "Azure.VNET.Rule.ps1", []string{typeSubnet}, nil, paths("addressSpace"),
		func(_ *checker, r *plan.Resource) string {
			switch subnetName(r) {
			case "GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "AzureBastionSubnet":
				return ""
			}
			if d, _ := r.Get("delegations").([]any); len(d) > 0 {
				return ""
			}
			return eq(r, "defaultOutboundAccess", false)
		}},
	{"682e4ab9-59fe-4871-9839-265b54c568c4", SetZones, "Public IP addresses should be Zone Resilient (also Azure.PublicIP.StandardSKU, AvailabilityZone)", "Resilience/Network_publicipaddresses_ZoneResilient_Audit.json", []string{typePublicIP}, nil, paths("zones"),
		func(c *checker, r *plan.Resource) string {
			return firstOf(eq(r, "sku.name", "Standard"), allZones(c, r))
		}},
	{"18314dc7-a25d-420c-a069-f094b25ff919", SetZones, "NAT gateway should be Zone Aligned", "Resilience/Network_natGateways_ZoneAligned_Audit.json", []string{typeNATGateway}, nil, paths("zones"),
		oneZone},
	{"Azure.DNS.DNSSEC", SetPSRule, "Public DNS zones are signed (DNSSEC)", "Azure.DNS.Rule.ps1", []string{typeDNSZone}, nil, paths("dnsZone"),
		// PSRule looks for a dnssecConfigs child of the zone.
		func(c *checker, r *plan.Resource) string {
			if len(c.childOf(typeDNSSEC, "zoneName", r, "zoneName")) == 0 {
				return "the zone has no DNSSEC configuration"
			}
			return ""
		}},

	// Compute
	{"Azure.VM.SecureBoot", SetPSRule, "VMs use Trusted Launch with secure boot (also Policy 1c30f9cd vTPM)", "Azure.VM.Rule.ps1", []string{typeVM}, paths("vm"), nil,
		func(_ *checker, r *plan.Resource) string {
			return firstOf(eq(r, "securityProfile.securityType", "TrustedLaunch"), eq(r, "securityProfile.uefiSettings.secureBootEnabled", true),
				eq(r, "securityProfile.uefiSettings.vTpmEnabled", true))
		}},
	{"Azure.VM.PublicKey", SetPSRule, "Linux VMs disable password authentication", "Azure.VM.Rule.ps1", []string{typeVM}, paths("vm"), nil,
		func(_ *checker, r *plan.Resource) string {
			return eq(r, "osProfile.linuxConfiguration.disablePasswordAuthentication", true)
		}},
	{"fc4d8e41-e223-45ea-9bf5-eada37891d87", SetMCSB, "Virtual machines should have encryption at host enabled", "Compute/HostBasedEncryptionRequired_Deny.json", []string{typeVM}, paths("vm"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "securityProfile.encryptionAtHost", true) }},
	{"42f4f3a2-7d20-4c13-a05d-01857a626c22", SetZones, "Virtual Machines should be Zone Aligned", "Resilience/Compute_virtualMachines_ZoneAligned_Audit.json", []string{typeVM}, paths("vm.instances"), nil,
		oneZone},
	{"bd876905-5b84-4f73-ab2d-2e7a7c4568d9", SetMCSB, "Machines should be configured to periodically check for missing system updates", "Azure Update Manager/AzUpdateMgmtCenter_AutoAssessmentMode_Audit.json", []string{typeVM}, paths("vm"), nil,
		func(_ *checker, r *plan.Resource) string {
			return eq(r, "osProfile.linuxConfiguration.patchSettings.assessmentMode", "AutomaticByPlatform")
		}},
	{"Azure.VM.MaintenanceConfig", SetPSRule, "VMs have a maintenance configuration", "Azure.VM.Rule.ps1", []string{typeVM}, paths("vm"), nil,
		func(c *checker, r *plan.Resource) string {
			for _, a := range c.ofKind(typeMaintenanceAssign) {
				if a.String("resourceName") == physicalName(r, "vmName") && a.String("resourceGroupName") == r.String("resourceGroupName") {
					return ""
				}
			}
			return "no maintenance configuration assignment"
		}},
	{"Azure.VM.AMA", SetPSRule, "VMs run the Azure Monitor agent", "Azure.VM.Rule.ps1", []string{typeVM}, paths("vm"), nil,
		func(c *checker, r *plan.Resource) string {
			if c.extensionsOf(r)["AzureMonitorLinuxAgent"] == nil {
				return "no AzureMonitorLinuxAgent extension"
			}
			return ""
		}},
	{"672fe5a1-2fcd-42d7-b85d-902b6e28c6ff", SetMCSB, "Guest Attestation extension should be installed on supported Linux virtual machines", "Security Center/ASC_InstallLinuxGAExtOnVm_Audit.json", []string{typeVM}, paths("vm"), nil,
		func(c *checker, r *plan.Resource) string {
			if e := c.extensionsOf(r)["GuestAttestation"]; e == nil || e.String("publisher") != "Microsoft.Azure.Security.LinuxAttestation" {
				return "no GuestAttestation extension"
			}
			return ""
		}},
	{"Azure.VM.ScriptExtensions", SetPSRule, "Custom script extensions carry no secret in their settings", "Azure.VM.Rule.ps1", []string{typeVMExtension}, paths("vm"), nil,
		func(_ *checker, r *plan.Resource) string {
			if r.String("type") != "CustomScript" {
				return ""
			}
			bad := ""
			walk(r.Get("settings"), "settings", func(path string, v any) {
				if s, ok := v.(string); ok && (s == plan.Secret || strings.Contains(s, "[secret]")) {
					bad = path + " holds a secret"
				}
			})
			return bad
		}},
	{"Azure.VM.AcceleratedNetworking", SetPSRule, "VM network interfaces use accelerated networking", "Azure.VM.Rule.ps1", []string{typeNIC}, paths("vm.size", "vm"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "enableAcceleratedNetworking", true) }},
	{"Azure.VM.PublicIPAttached", SetPSRule, "VM network interfaces have no public IP", "Azure.VM.Rule.ps1", []string{typeNIC}, paths("vm"), nil,
		func(_ *checker, r *plan.Resource) string {
			for _, ip := range inputList(r, "ipConfigurations") {
				if ip["publicIPAddress"] != nil {
					return "an IP configuration has a public IP"
				}
			}
			return ""
		}},
	{"013e242c-8828-4970-87b3-ab247555486d", SetMCSB, "Azure Backup should be enabled for Virtual Machines", "Backup/VirtualMachines_EnableAzureBackup_Audit.json", []string{typeVM}, paths("backup", "vm"), nil,
		func(c *checker, r *plan.Resource) string {
			for _, it := range c.ofKind(typeProtectedItem) {
				if refersTo(it.String("properties.sourceResourceId"), r, physicalName(r, "vmName")) {
					return ""
				}
			}
			return "no protected item backs it up"
		}},
	{"Azure.VMSS.AvailabilityZone", SetPSRule, "Scale sets span the zones", "Azure.VMSS.Rule.ps1", []string{typeVMSS}, paths("vm.instances"), nil,
		allZones},
	{"d3903bdf-ab85-4cce-85d3-2934d77629d4", SetZones, "Virtual Machine Scale Sets should be Zone Resilient", "Resilience/Compute_virtualMachineScaleSets_ZoneResilient_Audit.json", []string{typeVMSS}, paths("vm.instances"), nil,
		func(_ *checker, r *plan.Resource) string {
			if n, _ := r.Get("sku.capacity").(float64); len(r.Strings("zones")) != 1 && n < 3 {
				return fmt.Sprintf("sku.capacity is %v with %d zones: the policy wants one zone, or three with a capacity of three", show(r.Get("sku.capacity")), len(r.Strings("zones")))
			}
			return ""
		}},
	{"Azure.VMSS.AutoInstanceRepairs", SetPSRule, "Scale sets repair unhealthy instances", "Azure.VMSS.Rule.yaml", []string{typeVMSS}, paths("vm"), nil,
		func(_ *checker, r *plan.Resource) string { return eq(r, "automaticRepairsPolicy.enabled", true) }},

	// Container Apps
	{"Azure.ContainerApp.PublicAccess", SetPSRule, "Container Apps environments are internal, in a VNet", "Azure.ContainerApp.Rule.yaml", []string{typeEnvironment}, nil, paths("addressSpace"),
		func(_ *checker, r *plan.Resource) string {
			if r.String("vnetConfiguration.infrastructureSubnetId") == "" {
				return "no infrastructure subnet"
			}
			return eq(r, "vnetConfiguration.internal", true)
		}},
	{"42daa904-5969-47ef-92fb-b75df946195a", SetZones, "Container App should be Zone Redundant (also Azure.ContainerApp.AvailabilityZone)", "Resilience/App_managedEnvironments_ZoneRedundant_Audit.json", []string{typeEnvironment}, nil, paths("zones"),
		func(_ *checker, r *plan.Resource) string { return eq(r, "zoneRedundant", true) }},
	{"Azure.ContainerApp.Insecure", SetPSRule, "Container app ingress is HTTPS only, restricted, with an identity (also RestrictIngress, ManagedIdentity)", "Azure.ContainerApp.Rule.yaml", []string{typeContainerApp}, paths("container"), nil,
		func(_ *checker, r *plan.Resource) string {
			if !strings.Contains(r.String("identity.type"), "Assigned") {
				return "no managed identity"
			}
			if r.Get("configuration.ingress") == nil {
				return ""
			}
			if isTrue(r.Get("configuration.ingress.allowInsecure")) {
				return "ingress allows insecure HTTP"
			}
			restrictions := inputList(r, "configuration.ingress.ipSecurityRestrictions")
			if len(restrictions) == 0 {
				return "ingress is not restricted to known sources"
			}
			for _, x := range restrictions {
				if x["action"] != "Allow" {
					return "an ingress restriction is not an allow list"
				}
			}
			return ""
		}},
	{"Azure.ContainerApp.MinReplicas", SetPSRule, "Container apps run at least two replicas", "Azure.ContainerApp.Rule.yaml", []string{typeContainerApp}, paths("container.replicas", "container"), nil,
		func(_ *checker, r *plan.Resource) string {
			if n, _ := r.Get("template.scale.minReplicas").(float64); n < 2 {
				return fmt.Sprintf("template.scale.minReplicas is %v", show(r.Get("template.scale.minReplicas")))
			}
			return ""
		}},
	{"Azure.ContainerApp.HealthProbe", SetPSRule, "Container apps have liveness and readiness probes (also Azure.ContainerApp.Storage)", "Azure.ContainerApp.Rule.yaml", []string{typeContainerApp}, paths("container"), nil,
		func(_ *checker, r *plan.Resource) string {
			for _, v := range inputList(r, "template.volumes") {
				if v["storageType"] != "AzureFile" {
					return fmt.Sprintf("volume %v is not Azure Files", v["name"])
				}
			}
			for _, ct := range inputList(r, "template.containers") {
				kinds := map[string]int{}
				probes, _ := ct["probes"].([]any)
				for _, p := range probes {
					m, _ := p.(map[string]any)
					if m["httpGet"] != nil {
						kinds[fmt.Sprint(m["type"])]++
					}
				}
				if kinds["Liveness"] != 1 || kinds["Readiness"] != 1 {
					return fmt.Sprintf("container %v has probes %v, want one HTTP liveness and one readiness probe", ct["name"], kinds)
				}
			}
			return ""
		}},

	// Backup and monitoring
	{"Azure.RSV.Immutable", SetPSRule, "Recovery Services vaults are immutable", "Azure.RSV.Rule.yaml", []string{typeRecoveryVault}, nil, paths("backup"),
		func(_ *checker, r *plan.Resource) string {
			switch r.String("properties.securitySettings.immutabilitySettings.state") {
			case "Unlocked", "Locked":
				return ""
			}
			return "immutability is not enabled"
		}},
	{"ae243d87-5cf3-4dce-90bd-6d62be328de3", SetZones, "Backup and Site Recovery should be Zone Redundant", "Resilience/RecoveryServices_Vaults_ZoneRedundant_Audit.json", []string{typeRecoveryVault}, nil, paths("backup"),
		func(_ *checker, r *plan.Resource) string {
			return eq(r, "properties.redundancySettings.standardTierStorageRedundancy", "ZoneRedundant")
		}},
	{"31b8092a-36b8-434b-9af7-5ec844364148", SetPolicy, "[Preview]: Soft delete must be enabled for Recovery Services Vaults (checkAlwaysOnSoftDeleteOnly, by default: AlwaysOn)", "Backup/AzBackupRecoveryServicesVault_SoftDelete_Audit.json", []string{typeRecoveryVault}, nil, paths("backup"),
		func(_ *checker, r *plan.Resource) string {
			if s := r.String("properties.securitySettings.softDeleteSettings.softDeleteState"); !strings.EqualFold(s, "AlwaysON") {
				return fmt.Sprintf("soft delete is %q, not always on", s)
			}
			return ""
		}},
	{"e15effd4-2278-4c65-a0da-4d6f6d1890e2", SetPolicy, "Log Analytics Workspaces should block non-Azure Active Directory based ingestion", "Monitoring/LogAnalyticsWorkspaces_DisableLocalAuth_Deny.json", []string{typeWorkspace}, nil, paths("location"),
		func(_ *checker, r *plan.Resource) string { return eq(r, "features.disableLocalAuth", true) }},
	{"Azure.Log.Replication", SetPSRule, "Log Analytics workspaces replicate to another region", "Azure.Log.Rule.yaml", []string{typeWorkspace}, nil, paths("location"),
		func(_ *checker, r *plan.Resource) string { return eq(r, "replication.enabled", true) }},
	{"Azure.RBAC.UseRGDelegation", SetPSRule, "Role assignments at resource group scope", "Azure.Subscription.Rule.ps1", []string{typeRoleAssignment}, paths("name"), paths("name"),
		func(_ *checker, r *plan.Resource) string {
			if strings.Contains(r.String("scope"), "/providers/") {
				return "scoped to a single resource"
			}
			return ""
		}},
}

// Exceptions are the published rules the program deliberately breaks, each
// with its reason (docs/published-rules.md lists them). kpax check counts
// each one it takes and prints it: none is silent.
var Exceptions = []Exception{
	{"Azure.VNET.PrivateSubnet",
		"the Application Gateway's subnet: a v2 gateway needs outbound access of its own and does not support a private subnet (learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access); every other subnet is private or delegated",
		func(_ *checker, r *plan.Resource) bool { return subnetName(r) == "snet-gateway" }},
	{"8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",
		"the KPAX files are an SMB share: Azure Files backup needs shared key access, and Container Apps mounts Azure Files with the account key only; public network access is off, so the key works from the VNet only",
		func(c *checker, r *plan.Resource) bool { return c.owner[r] != nil }},
	{"abfb4388-5bf4-4ad7-ba82-2cd2f41ceae9",
		"Defender for SQL is a subscription-wide Microsoft Defender for Cloud plan that the security team enables for every server; the program does not own it",
		func(*checker, *plan.Resource) bool { return true }},
	{"Azure.SQL.VAScan",
		"vulnerability assessment comes with the Defender for SQL plan (above), outside the program",
		func(*checker, *plan.Resource) bool { return true }},
	{"Azure.SQL.MaintenanceWindow",
		"the databases keep Azure's default maintenance window: a tenant-facing window is a product decision, and Azure's zone-redundant failover covers planned maintenance",
		func(*checker, *plan.Resource) bool { return true }},
	{"Azure.NSG.LateralTraversal",
		"the gateway subnet's NSG: Application Gateway v2 must keep every outbound connection (learn.microsoft.com/azure/application-gateway/configuration-infrastructure); the tenant subnets deny outbound traffic to the rest of the VNet, the private endpoints excepted",
		func(_ *checker, r *plan.Resource) bool {
			return strings.HasSuffix(physicalName(r, "networkSecurityGroupName"), "-gateway")
		}},
	{"Azure.NSG.LateralTraversal",
		"the AzureBastionSubnet's NSG: Bastion's documented rule set allows SSH and RDP out to the VirtualNetwork, and Azure refuses the NSG without that rule (learn.microsoft.com/azure/bastion/bastion-nsg); the VMs' NSG admits those ports from the Bastion subnet alone",
		func(_ *checker, r *plan.Resource) bool {
			return strings.HasSuffix(physicalName(r, "networkSecurityGroupName"), "-bastion")
		}},
	{"013e242c-8828-4970-87b3-ab247555486d",
		"tenant VMs keep no data (the KPAX files are on the backed-up share, data in the database, secrets in the vault); a VM is rebuilt from its image and bootstrap, never restored",
		func(c *checker, r *plan.Resource) bool { return c.owner[r] != nil }},
	{"d3903bdf-ab85-4cce-85d3-2934d77629d4",
		"a Flexible scale set without a VM model has no capacity: the program creates each VM in its own zone, round robin over all three",
		func(_ *checker, r *plan.Resource) bool {
			return r.String("orchestrationMode") == "Flexible" && r.Get("virtualMachineProfile") == nil
		}},
	{"Azure.VMSS.AutoInstanceRepairs",
		"automatic repairs need a VM model with a health probe; the gateway's probe takes an unhealthy VM out of its pool, and an operator rebuilds it (docs/restore.md)",
		func(_ *checker, r *plan.Resource) bool { return r.Get("virtualMachineProfile") == nil }},
	{"Azure.ContainerApp.MinReplicas",
		"a suspended tenant's app scales to zero replicas by design: it keeps its data and URL and serves nothing",
		func(c *checker, r *plan.Resource) bool {
			t := c.owner[r]
			return t != nil && t.State == spec.StateSuspended
		}},
	{"Azure.Log.Replication",
		"workspace replication copies the region's logs to a second region, outside the paired-region residency promise, and is not offered in every location",
		func(*checker, *plan.Resource) bool { return true }},
	{"Azure.RBAC.UseRGDelegation",
		"each grant is scoped to the one resource it is for (a tenant's vault, account or registry), which is narrower than its resource group",
		func(*checker, *plan.Resource) bool { return true }},
}
