// The Azure behaviours behind the published rules the program adopted in
// issue 21: a workspace without local authentication, a vault whose soft
// delete is always on, and the NSG Azure Bastion demands on its subnet.

package simazure

import "strings"

var (
	// RuleWorkspaceLocalAuth: a workspace with local authentication
	// disabled ingests only Entra-authenticated data; a writer with the
	// workspace's shared key (a Container Apps environment whose logs go
	// to "log-analytics") is refused. The behaviour is sourced; at which
	// point Azure says no (creating the environment or each write) is
	// not, so the simulation refuses the environment: a silent loss of
	// logs becomes a failed deployment.
	RuleWorkspaceLocalAuth = Rule{"workspace-local-auth", "simulated:LocalAuthDisabled",
		"https://learn.microsoft.com/azure/azure-monitor/logs/azure-ad-authentication-logs (disableLocalAuth: \"Azure AD authentication must be used for all access\"); https://learn.microsoft.com/azure/container-apps/log-options (the log-analytics destination writes with the workspace's shared key)"}
	// RuleSoftDeleteAlwaysOn: once a Recovery Services vault's soft delete
	// is AlwaysON, it cannot be turned off (nor back to Enabled).
	RuleSoftDeleteAlwaysOn = Rule{"soft-delete-always-on", "simulated:SoftDeleteStateChangeNotAllowed",
		"https://learn.microsoft.com/azure/backup/quick-backup-azure-enable-enhanced-soft-delete (\"Once you enable the always-on state for soft delete, you can't disable it for that vault.\")"}
	// RuleBastionNSG: an NSG on the AzureBastionSubnet must carry
	// Bastion's rules (443 in from GatewayManager, 443 out to AzureCloud,
	// 22 and 3389 out to the VirtualNetwork), or associating or updating it
	// fails.
	RuleBastionNSG = Rule{"bastion-nsg", "NetworkSecurityGroupNotCompliantForAzureBastionSubnet",
		"https://learn.microsoft.com/azure/bastion/bastion-nsg#apply (\"If you do not add these rules, the NSG creation/update will fail\"); code: https://github.com/Azure/azure-quickstart-templates/issues/8655"}
)

const (
	typeWorkspace = "azure-native:operationalinsights:Workspace"
	bastionSubnet = "AzureBastionSubnet"
)

// checkEnvironmentLogs refuses an environment that would write its logs with
// the shared key of a workspace that has local authentication disabled.
func checkEnvironmentLogs(all []*Record, env *Record) error {
	if !strings.EqualFold(env.String("appLogsConfiguration.destination"), "log-analytics") {
		return nil
	}
	customer := env.String("appLogsConfiguration.logAnalyticsConfiguration.customerId")
	for _, ws := range byType(all, typeWorkspace) {
		if customer == "" || outputString(ws, "customerId") != customer {
			continue
		}
		if isTrueValue(lookup(ws.Plain(), "features.disableLocalAuth")) {
			return refuse(RuleWorkspaceLocalAuth, "%s writes its logs with the shared key of workspace %s, which has local authentication disabled",
				env.ID, ws.String("workspaceName"))
		}
	}
	return nil
}

// checkSoftDeleteState refuses leaving AlwaysON.
func checkSoftDeleteState(cur, next *Record) error {
	const path = "properties.securitySettings.softDeleteSettings.softDeleteState"
	if strings.EqualFold(cur.String(path), "AlwaysON") && !strings.EqualFold(next.String(path), "AlwaysON") {
		return refuse(RuleSoftDeleteAlwaysOn, "%s: soft delete is AlwaysON and cannot become %q", cur.ID, next.String(path))
	}
	return nil
}

// bastionRequired are the rules Azure checks on the AzureBastionSubnet's NSG.
var bastionRequired = []struct {
	direction, peer string
	port            int
}{
	{"Inbound", "GatewayManager", 443},
	{"Outbound", "AzureCloud", 443},
	{"Outbound", "VirtualNetwork", 22},
	{"Outbound", "VirtualNetwork", 3389},
}

// checkBastionSubnet refuses a Bastion subnet whose NSG lacks a required
// rule, and an update of an NSG that such a subnet uses.
func checkBastionSubnet(all []*Record, r *Record) error {
	var nsg *Record
	switch r.Type {
	case typeSubnet:
		id := r.String("networkSecurityGroup.id")
		if !strings.EqualFold(r.String("subnetName"), bastionSubnet) || id == "" {
			return nil
		}
		for _, n := range byType(all, typeNSG) {
			if strings.EqualFold(n.ID, id) {
				nsg = n
			}
		}
	case typeNSG:
		for _, s := range byType(all, typeSubnet) {
			if strings.EqualFold(s.String("subnetName"), bastionSubnet) && strings.EqualFold(s.String("networkSecurityGroup.id"), r.ID) {
				nsg = r
			}
		}
	}
	if nsg == nil {
		return nil
	}
	rules, _ := lookup(nsg.Plain(), "securityRules").([]any)
	for _, want := range bastionRequired {
		if !explicitlyAllows(rules, want.direction, want.peer, want.port) {
			return refuse(RuleBastionNSG, "Network security group %s does not have necessary rules for Azure Bastion Subnet %s: no %s allow of port %d for %s",
				nsg.String("networkSecurityGroupName"), bastionSubnet, strings.ToLower(want.direction), want.port, want.peer)
		}
	}
	return nil
}

// explicitlyAllows reports whether the first rule (by priority) that
// matches TCP traffic of a direction to or from peer on a port allows it.
// Azure's default rules do not count: Bastion wants its rules in the NSG.
func explicitlyAllows(rules []any, direction, peer string, port int) bool {
	best, allowed := -1.0, false
	for _, raw := range rules {
		rule, _ := raw.(map[string]any)
		if !strings.EqualFold(str(rule, "direction"), direction) {
			continue
		}
		if p := str(rule, "protocol"); p != "" && p != "*" && !strings.EqualFold(p, "Tcp") {
			continue
		}
		key := "sourceAddressPrefix"
		if direction == "Outbound" {
			key = "destinationAddressPrefix"
		}
		if prefix := str(rule, key); prefix != "*" && !strings.EqualFold(prefix, peer) {
			continue
		}
		if !rulePortCovers(rule, port) {
			continue
		}
		if prio, _ := rule["priority"].(float64); best < 0 || prio < best {
			best, allowed = prio, strings.EqualFold(str(rule, "access"), "Allow")
		}
	}
	return allowed
}

func str(v any, path string) string {
	s, _ := lookup(v, path).(string)
	return s
}

func isTrueValue(v any) bool {
	b, ok := v.(bool)
	return ok && b
}
