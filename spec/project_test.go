package spec

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// baseRegion and baseTenant are a minimal valid project; each test case
// overrides one file.
const baseRegion = regionHead + registryLine + alertsLine

// regionHead is the base region but its last line, registryLine, so that
// region("", extra) adds its lines at line 11 and on.
const regionHead = `name: fr
location: francecentral
pairedLocation: francesouth
zones: ["1", "2", "3"]
addressSpace: 10.10.0.0/16
dnsZone: fr.kpax.cloud
maxTenants: 60
operators:
  groupName: kpax-operators-fr
  groupObjectId: 6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b
`

const registryLine = "registry: {server: kpaxcloud.azurecr.io, resourceId: " + testRegistryID + ", opsImage: kpaxcloud.azurecr.io/kpax-ops:1.0.0}\n"

// alertsLine ends every test region, after the lines a test adds.
const alertsLine = "alerts: {email: [oncall@kpax.cloud]}\n"

const testRegistryID = "/subscriptions/0b7e2c4a-5d1f-4e8b-9c3a-7f2d1e6b4a90/resourceGroups/rg-kpax-shared/providers/Microsoft.ContainerRegistry/registries/kpaxcloud"

const baseTenant = `name: acme
region: fr
tier: standard
runtime: container
`

const ukRegion = `name: uk
location: uksouth
pairedLocation: ukwest
zones: ["1", "2", "3"]
addressSpace: 10.20.0.0/16
dnsZone: uk.kpax.cloud
maxTenants: 60
operators:
  groupName: kpax-operators-uk
  groupObjectId: 6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7c
` + registryLine + alertsLine

// tenant is the base tenant with more lines; the first added line is line 5.
func tenant(extra string) string { return baseTenant + extra }

// vmTenant is a vm tenant; the first added line is line 5.
func vmTenant(extra string) string {
	return strings.Replace(baseTenant, "runtime: container", "runtime: vm", 1) + extra
}

// region is the base region with one line replaced (or added when old is "").
func region(old, new string) string {
	if old == "" {
		return regionHead + new + registryLine + alertsLine
	}
	if !strings.Contains(baseRegion, old) {
		panic("base region has no " + old)
	}
	return strings.Replace(baseRegion, old, new, 1)
}

// alerts is the base region with its alerts line replaced.
func alerts(line string) string { return strings.Replace(baseRegion, alertsLine, line, 1) }

// writeProject writes the base project with files overriding it; an empty
// name in files removes the file.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	all := map[string]string{"regions/fr.yaml": baseRegion, "tenants/fr/acme.yaml": baseTenant, ReleasesFile: baseReleases}
	for k, v := range files {
		all[k] = v
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	slots := map[string]int{} // region folder -> next slot
	for _, name := range names {
		content := all[name]
		if content == removed {
			continue
		}
		if strings.HasPrefix(name, "tenants/") {
			folder := path.Dir(name)
			content = withSlot(content, slots[folder])
			slots[folder]++
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const removed = "\x00removed"

func loadDiags(t *testing.T, root string) Diagnostics {
	t.Helper()
	_, err := LoadProject(root)
	if err == nil {
		return nil
	}
	var ds Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error is %T, not Diagnostics: %v", err, err)
	}
	return ds
}

// withSlot gives a container tenant's fixture that states no environment
// slot the given one, without moving any line the fixture's expected
// diagnostics point at: appended at the end, or put first in a flow-style
// container block.
func withSlot(content string, slot int) string {
	if !strings.Contains(content, "runtime: container") || strings.Contains(content, "slot:") {
		return content
	}
	switch {
	case strings.Contains(content, "container: {"):
		// Last in the flow block, on its line: no other field moves.
		i := strings.Index(content, "container: {")
		end := strings.IndexAny(content[i:], "}\n")
		if end < 0 || content[i+end] != '}' {
			return content // not valid YAML: left as the test wrote it
		}
		return content[:i+end] + fmt.Sprintf(", slot: %d", slot) + content[i+end:]
	case strings.Contains(content, "\ncontainer:\n"):
		i := strings.Index(content, "\ncontainer:\n") + len("\ncontainer:\n")
		last := true // the container block ends the file: the slot goes last
		for _, line := range strings.Split(content[i:], "\n") {
			last = last && (line == "" || strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t"))
		}
		if last {
			if !strings.HasSuffix(content, "\n") {
				content += "\n"
			}
			return content + fmt.Sprintf("  slot: %d\n", slot)
		}
		return content[:i] + fmt.Sprintf("  slot: %d\n", slot) + content[i:]
	case strings.Contains(content, "\ncontainer:"):
		return content
	}
	if strings.Count(content, "{") != strings.Count(content, "}") {
		return content // not valid YAML: left as the test wrote it
	}
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	return content + fmt.Sprintf("container: {slot: %d}\n", slot)
}

func billionLaughs() string {
	var b strings.Builder
	b.WriteString("name: acme\nregion: fr\ntier: standard\nruntime: container\n")
	b.WriteString("tags:\n  a: &a \"lol\"\n")
	for i := 0; i < 9; i++ {
		fmt.Fprintf(&b, "x%d: &x%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			if i == 0 {
				b.WriteString("*a")
			} else {
				fmt.Fprintf(&b, "*x%d", i-1)
			}
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func manyTags(n int) string {
	var b strings.Builder
	b.WriteString("tags:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  t%02d: v\n", i)
	}
	return b.String()
}

func TestLoadProjectRejects(t *testing.T) {
	const acme = "tenants/fr/acme.yaml"
	const fr = "regions/fr.yaml"
	tests := []struct {
		name  string
		files map[string]string
		// want is the start of one diagnostic: file:line:col: path: message.
		want string
		// more allows other diagnostics besides want.
		more bool
	}{
		// Decoding.
		{"tab indentation", map[string]string{acme: tenant("container:\n\treplicas: 3\n")},
			acme + ":6:1: tab character in indentation", false},
		{"binary garbage", map[string]string{acme: "name: acme\nregion: \xff\xfe\x00\n"},
			acme + ":2:9: invalid UTF-8 byte 0xff: this is not a YAML text file", false},
		{"NUL byte", map[string]string{acme: "name: ac\x00me\n"}, acme + ":1:9: NUL byte", false},
		{"control character", map[string]string{acme: tenant("displayName: a\x07b\n")}, acme + ":5:15: control character U+0007", false},
		{"alias bomb", map[string]string{acme: billionLaughs()},
			acme + ":6:6: anchors and aliases are not allowed (anchor &a)", true},
		{"alias", map[string]string{acme: tenant("displayName: &n ACME\ntags: {a: *n}\n")},
			acme + ":6:11: anchors and aliases are not allowed (alias *n)", true},
		{"duplicate key", map[string]string{acme: tenant("tier: small\n")},
			acme + `:5:1: tier: duplicate key "tier" (first at line 3)`, false},
		{"duplicate nested key", map[string]string{acme: tenant("container:\n  replicas: 3\n  replicas: 4\n")},
			acme + `:7:3: container.replicas: duplicate key "replicas" (first at line 6)`, false},
		{"duplicate tag", map[string]string{acme: tenant("tags:\n  a: \"1\"\n  a: \"2\"\n")},
			acme + `:7:3: tags.a: duplicate key "a" (first at line 6)`, false},
		{"number overflowing int64", map[string]string{acme: tenant("container:\n  replicas: 99999999999999999999\n")},
			acme + ":6:13: container.replicas: number out of range", false},
		{"number just past int64", map[string]string{acme: tenant("database:\n  maxSizeGB: 9223372036854775808\n")},
			acme + ":6:14: database.maxSizeGB: number out of range", false},
		{"multiple documents", map[string]string{acme: tenant("---\nname: other\n")},
			acme + ":5:1: only one YAML document per file", false},
		{"empty file", map[string]string{acme: ""}, acme + ":1:1: file is empty", false},
		{"comment-only file", map[string]string{acme: "# nothing yet\n\n"}, acme + ":1:1: file is empty", false},
		{"document marker only", map[string]string{acme: "---\n"}, acme + ":2:1: file is empty", false},
		{"top level is a list", map[string]string{acme: "- name: acme\n"},
			acme + `:1:1: the top level must be a mapping of fields like "name: acme" (got a list)`, false},
		{"top level is a string", map[string]string{acme: "acme\n"},
			acme + `:1:1: the top level must be a mapping`, false},
		{"file over 1 MiB", map[string]string{acme: tenant("# " + strings.Repeat("x", 1<<20) + "\n")},
			acme + ":1:1: file is larger than 1 MiB", false},
		{"syntax error", map[string]string{acme: tenant("tags: {a: \"1\",\n")},
			acme + ":5:1: invalid YAML: did not find expected node content", false},
		{"unknown field with suggestion", map[string]string{acme: tenant("container:\n  replica: 3\n")},
			acme + `:6:3: container.replica: unknown field "replica" (did you mean "replicas"?); allowed fields in container: image, replicas, cpu`, false},
		{"unknown field differing in case", map[string]string{acme: tenant("displayname: ACME\n")},
			acme + `:5:1: displayname: unknown field "displayname" (did you mean "displayName"?)`, false},
		{"unknown field without suggestion", map[string]string{acme: tenant("colour: red\n")},
			acme + `:5:1: colour: unknown field "colour"; allowed fields: name, displayName, region, tier, runtime, state, stamp, ring, container, vm, database, storage, backup, dns, tags`, false},
		{"number for a string", map[string]string{acme: tenant("displayName: 42\n")},
			acme + `:5:14: displayName: must be a string (quote it): got the number 42`, false},
		{"number for a tag value", map[string]string{acme: tenant("tags: {costCenter: 4711}\n")},
			acme + `:5:20: tags.costCenter: must be a string (quote it)`, false},
		{"string for a number", map[string]string{acme: tenant("container:\n  replicas: three\n")},
			acme + `:6:13: container.replicas: must be a whole number (got the string "three")`, false},
		{"fraction for a whole number", map[string]string{acme: tenant("container:\n  replicas: 2.5\n")},
			acme + `:6:13: container.replicas: must be a whole number (got the number 2.5)`, false},
		{"list for a block", map[string]string{acme: tenant("container: [1]\n")},
			acme + `:5:12: container: must be a mapping of fields (got a list)`, true},
		{"null value", map[string]string{acme: tenant("displayName:\n")},
			acme + `:5:13: displayName: has no value`, false},
		{"string for a bool", map[string]string{fr: region("", "database: {generalPurposeZoneRedundant: yes}\n")},
			fr + `:11:41: database.generalPurposeZoneRedundant: must be true or false (got the string "yes")`, false},
		{"registry missing", map[string]string{fr: regionHead + alertsLine},
			fr + `:1:1: registry: is required: the container registry that serves the KPAX server image`, false},
		{"registry server not a host", map[string]string{fr: strings.Replace(baseRegion, "server: kpaxcloud.azurecr.io", "server: https://kpaxcloud.azurecr.io", 1)},
			fr + `:11:20: registry.server: must be the registry's login server, a lowercase host name like kpaxcloud.azurecr.io (got "https://kpaxcloud.azurecr.io")`, false},
		{"registry ID of another resource type", map[string]string{fr: strings.Replace(baseRegion, "Microsoft.ContainerRegistry/registries", "Microsoft.Storage/storageAccounts", 1)},
			fr + `:11:54: registry.resourceId: must be the registry's ARM ID`, false},
		{"ops image from another registry", map[string]string{fr: strings.Replace(baseRegion, "opsImage: kpaxcloud.azurecr.io/kpax-ops:1.0.0", "opsImage: ghcr.io/kpax/kpax-ops:1.0.0", 1)},
			fr + `:11:206: registry.opsImage: must come from the region's registry kpaxcloud.azurecr.io, the only one its jobs can pull from (got "ghcr.io/kpax/kpax-ops:1.0.0")`, false},
		{"ops image unpinned", map[string]string{fr: strings.Replace(baseRegion, "opsImage: kpaxcloud.azurecr.io/kpax-ops:1.0.0", "opsImage: kpaxcloud.azurecr.io/kpax-ops", 1)},
			fr + `:11:206: registry.opsImage: must pin a tag or digest`, false},
		{"ops image missing", map[string]string{fr: strings.Replace(baseRegion, ", opsImage: kpaxcloud.azurecr.io/kpax-ops:1.0.0", "", 1)},
			fr + `:11:11: registry.opsImage: is required`, false},
		{"image from another registry", map[string]string{"tenants/fr/acme.yaml": tenant("container: {image: ghcr.io/kpax/kpax-server:4.12.1}\n")},
			`tenants/fr/acme.yaml:5:20: container.image: must come from region fr's registry kpaxcloud.azurecr.io, the only one its apps and VMs can pull from (got "ghcr.io/kpax/kpax-server:4.12.1")`, false},
		{"VM server image from another registry", map[string]string{"tenants/fr/acme.yaml": vmTenant("vm: {serverImage: docker.io/kpax/kpax-server:4.12.1}\n")},
			`tenants/fr/acme.yaml:5:19: vm.serverImage: must come from region fr's registry kpaxcloud.azurecr.io, the only one its apps and VMs can pull from (got "docker.io/kpax/kpax-server:4.12.1")`, false},
		{"VM server image unpinned", map[string]string{"tenants/fr/acme.yaml": vmTenant("vm: {serverImage: kpaxcloud.azurecr.io/kpax-server:latest}\n")},
			`tenants/fr/acme.yaml:5:19: vm.serverImage: must not use the tag "latest"`, false},
		{"unknown Bastion field", map[string]string{fr: region("", "bastion: {zoneRedundnat: false}\n")},
			fr + `:11:11: bastion.zoneRedundnat: unknown field "zoneRedundnat" (did you mean "zoneRedundant"?); allowed fields in bastion: zoneRedundant`, false},
		{"unquoted zones", map[string]string{fr: region(`zones: ["1", "2", "3"]`, "zones: [1, 2, 3]")},
			fr + `:4:9: zones.0: must be a string (quote it)`, true},

		// Tenant rules.
		{"name missing", map[string]string{acme: "region: fr\ntier: standard\nruntime: container\n"},
			acme + ":1:1: name: is required", false},
		{"name too short", map[string]string{"tenants/fr/ab.yaml": "name: ab\nregion: fr\ntier: small\nruntime: container\n"},
			"tenants/fr/ab.yaml:1:7: name: must be a lowercase DNS label of 3-20 characters", false},
		{"name with capitals", map[string]string{"tenants/fr/Beta.yaml": "name: Beta\nregion: fr\ntier: small\nruntime: container\n"},
			"tenants/fr/Beta.yaml:1:7: name: must be a lowercase DNS label", true},
		{"name too long", map[string]string{"tenants/fr/abcdefghijklmnopqrstu.yaml": "name: abcdefghijklmnopqrstu\nregion: fr\ntier: small\nruntime: container\n"},
			"tenants/fr/abcdefghijklmnopqrstu.yaml:1:7: name: must be a lowercase DNS label of 3-20 characters", false},
		{"name is not the file name", map[string]string{acme: strings.Replace(baseTenant, "name: acme", "name: acme-two", 1)},
			acme + `:1:7: name: must equal the file name "acme" (got "acme-two")`, false},
		{"region missing", map[string]string{acme: "name: acme\ntier: standard\nruntime: container\n"},
			acme + ":1:1: region: is required", false},
		{"region is not the folder", map[string]string{"regions/uk.yaml": ukRegion, acme: strings.Replace(baseTenant, "region: fr", "region: uk", 1)},
			acme + `:2:9: region: must equal the folder name "fr" (got "uk")`, false},
		{"region does not exist", map[string]string{"tenants/de/acme.yaml": strings.Replace(baseTenant, "region: fr", "region: de", 1), acme: removed},
			`tenants/de/acme.yaml:2:9: region: unknown region "de": regions are fr`, false},
		{"tier unknown", map[string]string{acme: strings.Replace(baseTenant, "tier: standard", "tier: medium", 1)},
			acme + `:3:7: tier: must be one of small, standard, large (got "medium")`, false},
		{"runtime missing", map[string]string{acme: "name: acme\nregion: fr\ntier: standard\n"},
			acme + `:1:1: runtime: is required`, false},
		{"runtime unknown", map[string]string{acme: strings.Replace(baseTenant, "runtime: container", "runtime: k8s", 1)},
			acme + `:4:10: runtime: must be one of container, vm (got "k8s")`, false},
		{"state unknown", map[string]string{acme: tenant("state: paused\n")},
			acme + `:5:8: state: must be one of active, suspended, decommissioned (got "paused")`, false},
		{"vm block on a container tenant", map[string]string{acme: tenant("vm:\n  size: Standard_D2s_v5\n")},
			acme + `:5:1: vm: is forbidden with runtime: container`, false},
		{"container block on a vm tenant", map[string]string{acme: vmTenant("container:\n  replicas: 3\n")},
			acme + `:5:1: container: is forbidden with runtime: vm`, false},
		{"replicas below 2", map[string]string{acme: tenant("container:\n  replicas: 1\n")},
			acme + `:6:13: container.replicas: must be at least 2 (got 1)`, false},
		{"replicas explicitly 0", map[string]string{acme: tenant("container:\n  replicas: 0\n")},
			acme + `:6:13: container.replicas: must be at least 2 (got 0)`, false},
		{"replicas above 30", map[string]string{acme: tenant("container:\n  replicas: 31\n")},
			acme + `:6:13: container.replicas: must be at most 30 (got 31)`, false},
		{"cpu not a multiple of 0.25", map[string]string{acme: tenant("container:\n  cpu: 0.3\n")},
			acme + `:6:8: container.cpu: must be a multiple of 0.25 between 0.25 and 4 (got 0.3)`, false},
		{"cpu above 4", map[string]string{acme: tenant("container:\n  cpu: 8\n")},
			acme + `:6:8: container.cpu: must be a multiple of 0.25 between 0.25 and 4 (got 8)`, false},
		{"image without registry", map[string]string{acme: tenant("container:\n  image: kpax-server:4.12.1\n")},
			acme + `:6:10: container.image: must start with a registry host`, false},
		{"image without tag", map[string]string{acme: tenant("container:\n  image: kpaxcloud.azurecr.io/kpax-server\n")},
			acme + `:6:10: container.image: must pin a tag or digest`, false},
		{"image tagged latest", map[string]string{acme: tenant("container:\n  image: kpaxcloud.azurecr.io/kpax-server:latest\n")},
			acme + `:6:10: container.image: must not use the tag "latest"`, false},
		{"vm instances below 2", map[string]string{acme: vmTenant("vm:\n  instances: 1\n")},
			acme + `:6:14: vm.instances: must be at least 2 (got 1)`, false},
		{"vm size", map[string]string{acme: vmTenant("vm:\n  size: D4s_v5\n")},
			acme + `:6:9: vm.size: must be an Azure VM size like "Standard_D4s_v5" (got "D4s_v5")`, false},
		{"vm image", map[string]string{acme: vmTenant("vm:\n  image: ubuntu\n")},
			acme + `:6:10: vm.image: must be a marketplace image publisher:offer:sku:version`, false},
		{"vm data disk, a removed field", map[string]string{acme: vmTenant("vm:\n  dataDiskGB: 2\n")},
			acme + `:6:3: vm.dataDiskGB: no longer a field: VMs keep no data since the KPAX files moved to the tenant's file share, sized by storage.quotaGB; remove the line`, false},
		{"database sku", map[string]string{acme: tenant("database:\n  sku: S0\n")},
			acme + `:6:8: database.sku: must be an Azure SQL vCore SKU`, false},
		{"database size 0", map[string]string{acme: tenant("database:\n  maxSizeGB: 0\n")},
			acme + `:6:14: database.maxSizeGB: must be at least 1 (got 0)`, false},
		{"database PITR above 35", map[string]string{acme: tenant("database:\n  backupRetentionDays: 36\n")},
			acme + `:6:24: database.backupRetentionDays: must be at most 35 (got 36)`, false},
		{"database LTR weeks", map[string]string{acme: tenant("database:\n  longTermRetention: {weeks: 521}\n")},
			acme + `:6:30: database.longTermRetention.weeks: must be at most 520 (got 521)`, false},
		{"database LTR years", map[string]string{acme: tenant("database:\n  longTermRetention:\n    years: 11\n")},
			acme + `:7:12: database.longTermRetention.years: must be at most 10 (got 11)`, false},
		{"database server 0", map[string]string{acme: tenant("database: {server: 0}\n")},
			acme + `:5:20: database.server: must be at least 1 (got 0)`, false},
		{"storage quota", map[string]string{acme: tenant("storage: {quotaGB: 200000}\n")},
			acme + `:5:20: storage.quotaGB: must be at most 102400 (got 200000)`, false},
		{"storage redundancy", map[string]string{acme: tenant("storage: {redundancy: LRS}\n")},
			acme + `:5:23: storage.redundancy: must be one of ZRS, GZRS (got "LRS")`, false},
		{"backup at a quarter past", map[string]string{acme: tenant("backup: {dailyAt: \"02:15\"}\n")},
			acme + `:5:19: backup.dailyAt: must be a UTC time HH:MM on the hour or half hour`, false},
		{"backup retention", map[string]string{acme: tenant("backup: {retentionDays: 3}\n")},
			acme + `:5:25: backup.retentionDays: must be at least 8 (got 3)`, false},
		{"dns hostname", map[string]string{acme: tenant("dns: {hostname: Acme_1}\n")},
			acme + `:5:17: dns.hostname: must be a lowercase DNS label of 1-63 characters`, false},
		{"reserved tag", map[string]string{acme: tenant("tags: {tenant: other}\n")},
			acme + `:5:16: tags.tenant: is forbidden: the tag "tenant" is set by kpax-cloud`, false},
		{"too many tags", map[string]string{acme: tenant(manyTags(41))},
			acme + `:5:1: tags: must have at most 40 tags (got 41)`, false},
		{"tag value too long", map[string]string{acme: tenant("tags: {note: " + strings.Repeat("x", 257) + "}\n")},
			acme + `:5:14: tags.note: tag value must be at most 256 characters (got 257)`, false},
		{"display name too long", map[string]string{acme: tenant("displayName: " + strings.Repeat("x", 65) + "\n")},
			acme + `:5:14: displayName: must be at most 64 characters (got 65)`, false},

		{"database LTR months", map[string]string{acme: tenant("database:\n  longTermRetention: {months: 121}\n")},
			acme + `:6:31: database.longTermRetention.months: must be at most 120 (got 121)`, false},
		{"tag name too long", map[string]string{acme: tenant("tags: {" + strings.Repeat("k", 513) + ": v}\n")},
			acme + `:5:523: tags.` + strings.Repeat("k", 513) + `: tag name must be at most 512 characters (got 513)`, false},
		{"tags not a mapping", map[string]string{acme: tenant("tags: [a, b]\n")},
			acme + `:5:7: tags: must be a mapping of names to strings (got a list)`, false},
		{"image with a bad digest", map[string]string{acme: tenant("container:\n  image: kpaxcloud.azurecr.io/kpax-server@sha256:abc\n")},
			acme + `:6:10: container.image: must have a digest of the form sha256:<64 hex digits>`, false},
		{"vm instances above 30", map[string]string{acme: vmTenant("vm:\n  instances: 31\n")},
			acme + `:6:14: vm.instances: must be at most 30 (got 31)`, false},
		// Region rules.
		{"region name is not the file name", map[string]string{fr: region("name: fr", "name: uk")},
			fr + `:1:7: name: must equal the file name "fr" (got "uk")`, true},
		{"region unknown", map[string]string{"regions/de.yaml": strings.NewReplacer("name: fr", "name: de", "10.10.", "10.30.", "fr.kpax", "de.kpax").Replace(baseRegion)},
			`regions/de.yaml:1:7: name: must be one of ca, fr, in, uk, us, za (got "de")`, false},
		{"region location", map[string]string{fr: region("location: francecentral", "location: westeurope")},
			fr + `:2:11: location: must be "francecentral" for region fr`, false},
		{"region paired location", map[string]string{fr: region("pairedLocation: francesouth", "pairedLocation: northeurope")},
			fr + `:3:17: pairedLocation: must be "francesouth", the Azure pair of francecentral`, false},
		{"two zones", map[string]string{fr: region(`zones: ["1", "2", "3"]`, `zones: ["1", "2"]`)},
			fr + `:4:8: zones: must list exactly the three zones "1", "2", "3" (got 2)`, false},
		{"duplicate zone", map[string]string{fr: region(`zones: ["1", "2", "3"]`, `zones: ["1", "2", "2"]`)},
			fr + `:4:19: zones.2: duplicate zone "2"`, false},
		{"public address space", map[string]string{fr: region("10.10.0.0/16", "8.8.0.0/16")},
			fr + `:5:15: addressSpace: must be a private IPv4 range`, false},
		{"address space not /16", map[string]string{fr: region("10.10.0.0/16", "10.10.0.0/24")},
			fr + `:5:15: addressSpace: must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) of exactly /16`, false},
		{"address space host bits", map[string]string{fr: region("10.10.0.0/16", "10.10.1.0/16")},
			fr + `:5:15: addressSpace: has host bits set: did you mean 10.10.0.0/16?`, false},
		{"dns zone of two labels", map[string]string{fr: region("dnsZone: fr.kpax.cloud", "dnsZone: kpax.cloud")},
			fr + `:6:10: dnsZone: must be a lowercase DNS name of at least 3 labels`, false},
		{"maxTenants above 98", map[string]string{fr: region("maxTenants: 60", "maxTenants: 100")},
			fr + `:7:13: maxTenants: must be at most 98 (got 100)`, false},
		{"maxTenants missing", map[string]string{fr: region("maxTenants: 60\n", "")},
			fr + `:1:1: maxTenants: is required`, false},
		{"operators group name missing", map[string]string{fr: region("  groupName: kpax-operators-fr\n", "")},
			fr + `:8:1: operators.groupName: is required`, false},
		{"operators group id not a GUID", map[string]string{fr: region("6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b", "kpax-ops")},
			fr + `:10:18: operators.groupObjectId: must be the Entra ID group's object ID`, false},
		{"certificate name", map[string]string{fr: region("", "tls: {certificateName: wild.card}\n")},
			fr + `:11:24: tls.certificateName: must be a Key Vault certificate name`, false},
		{"region backup time", map[string]string{fr: region("", "backup: {dailyAt: \"25:00\"}\n")},
			fr + `:11:19: backup.dailyAt: must be a UTC time HH:MM on the hour or half hour`, false},
		{"region backup retention", map[string]string{fr: region("", "backup: {retentionDays: 365}\n")},
			fr + `:11:25: backup.retentionDays: must be at most 200 (got 365)`, false},
		{"maintenance day", map[string]string{fr: region("", "maintenance: {day: sunday}\n")},
			fr + `:11:20: maintenance.day: must be one of Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday (got "sunday")`, false},
		{"maintenance start", map[string]string{fr: region("", "maintenance: {startTime: 2am}\n")},
			fr + `:11:26: maintenance.startTime: must be a UTC time HH:MM`, false},
		{"maintenance duration", map[string]string{fr: region("", "maintenance: {durationHours: 4}\n")},
			fr + `:11:30: maintenance.durationHours: must be at most 3 (got 4)`, false},
		{"databases per server", map[string]string{fr: region("", "database: {databasesPerServer: 501}\n")},
			fr + `:11:32: database.databasesPerServer: must be at most 500 (got 501)`, false},

		{"region name missing", map[string]string{fr: region("name: fr\n", "")},
			fr + `:1:1: name: is required`, false},
		{"zones missing", map[string]string{fr: region("zones: [\"1\", \"2\", \"3\"]\n", "")},
			fr + `:1:1: zones: is required`, false},
		{"zones a string", map[string]string{fr: region(`zones: ["1", "2", "3"]`, `zones: "1,2,3"`)},
			fr + `:4:8: zones: must be a list of strings (got the string "1,2,3")`, true},
		{"nil operators group id", map[string]string{fr: region("6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b", "00000000-0000-0000-0000-000000000000")},
			fr + `:10:18: operators.groupObjectId: must not be the nil GUID`, false},
		{"maintenance too short", map[string]string{fr: region("", "maintenance: {durationHours: 1}\n")},
			fr + `:11:30: maintenance.durationHours: must be at least 2 (got 1)`, false},
		{"reserved region tag", map[string]string{fr: region("", "tags: {Managed-By: me}\n")},
			fr + `:11:20: tags.Managed-By: is forbidden`, false},
		// Files and folders.
		{"yml file among regions", map[string]string{"regions/uk.yml": ukRegion},
			"regions/uk.yml:1:1: unexpected file: only regions/<region>.yaml files belong here", false},
		{"stray file among tenants", map[string]string{"tenants/fr/notes.txt": "hello"},
			"tenants/fr/notes.txt:1:1: unexpected file", false},
		{"tenant outside a region folder", map[string]string{"tenants/acme.yaml": baseTenant, acme: removed},
			"tenants/acme.yaml:1:1: a tenant file belongs in its region's folder", false},

		// Across files.
		{"tenant name used in two regions", map[string]string{"regions/uk.yaml": ukRegion, "tenants/uk/acme.yaml": strings.Replace(baseTenant, "region: fr", "region: uk", 1)},
			`tenants/uk/acme.yaml:1:7: name: duplicate tenant name "acme": already used by tenants/fr/acme.yaml`, false},
		{"hostname used twice in a region", map[string]string{"tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: small\nruntime: container\ndns: {hostname: acme}\n"},
			`tenants/fr/beta.yaml:5:17: dns.hostname: duplicate hostname "acme" in region fr: already used by tenants/fr/acme.yaml`, false},
		{"too many tenants", map[string]string{fr: region("maxTenants: 60", "maxTenants: 1"), "tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: small\nruntime: container\n"},
			`tenants/fr/beta.yaml:1:7: name: stamp 1 of region fr (stack prod-fr) holds at most 1 tenants (maxTenants in regions/fr.yaml) and has 2: set stamp: 2 in this file`, false},
		{"a second stamp holds its own tenants", map[string]string{fr: region("maxTenants: 60", "maxTenants: 1\nstamps: 2"), "tenants/fr/beta.yaml": "name: beta\nregion: fr\nstamp: 2\ntier: small\nruntime: container\n",
			"tenants/fr/gamma.yaml": "name: gamma\nregion: fr\nstamp: 2\ntier: small\nruntime: container\n"},
			`tenants/fr/gamma.yaml:1:7: name: stamp 2 of region fr (stack prod-fr-2) holds at most 1 tenants (maxTenants in regions/fr.yaml) and has 2: set stamp: 3 in this file`, false},
		{"undeclared stamp", map[string]string{"tenants/fr/beta.yaml": "name: beta\nregion: fr\nstamp: 2\ntier: small\nruntime: container\n"},
			`tenants/fr/beta.yaml:3:8: stamp: must be one of region fr's stamps, 1-1 (got 2): a new stamp is declared by raising stamps in regions/fr.yaml and adding its stack Pulumi.prod-fr-2.yaml`, false},
		{"too many stamps", map[string]string{fr: region("maxTenants: 60", "maxTenants: 60\nstamps: 11")},
			fr + `:8:9: stamps: must be at most 10 (got 11)`, false},
		{"stamps reach the next region's range", map[string]string{fr: region("maxTenants: 60", "maxTenants: 60\nstamps: 3"), "regions/uk.yaml": strings.Replace(ukRegion, "10.20.0.0/16", "10.12.0.0/16", 1)},
			`regions/uk.yaml:5:15: addressSpace: the address space 10.12.0.0/16 of stack prod-uk overlaps 10.12.0.0/16 of stack prod-fr-3 (regions/fr.yaml)`, false},
		{"too many SQL servers in one stamp", sqlServerFlood(21),
			`tenants/fr/t21.yaml:1:7: name: stamp 1 of region fr (stack prod-fr) would need 21 SQL logical servers, more than the 20 one subscription allows in a region: share an existing database.server, or set stamp: 2 here`, false},
		{"dedicated cores beyond the subscription's quota", map[string]string{fr: region("", "quotas: {containerAppsCores: 20}\n"),
			"tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: standard\nruntime: container\n"},
			`tenants/fr/beta.yaml:1:7: name: stamp 1 of region fr (stack prod-fr) would need 24 Container Apps Dedicated cores (quotas.containerAppsCores), more than the 20 the region's subscription has: raise quotas.containerAppsCores`, false},
		{"an environment per container tenant beyond the subscription's quota", map[string]string{fr: region("", "quotas: {containerAppsEnvironments: 2}\n"),
			"tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: small\nruntime: container\n"},
			`tenants/fr/beta.yaml:1:7: name: stamp 1 of region fr (stack prod-fr) would need 3 Container Apps environments (quotas.containerAppsEnvironments), more than the 2 one subscription allows in a region`, false},
		{"the limit that binds first is named", map[string]string{fr: region("", "quotas: {containerAppsCores: 20, containerAppsEnvironments: 3}\n"),
			"tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: standard\nruntime: container\n", "tenants/fr/gamma.yaml": "name: gamma\nregion: fr\ntier: standard\nruntime: container\n"},
			`tenants/fr/beta.yaml:1:7: name: stamp 1 of region fr (stack prod-fr) would need 36 Container Apps Dedicated cores (quotas.containerAppsCores), more than the 20 the region's subscription has: raise quotas.containerAppsCores once Azure has raised the subscription's Dedicated core quota, or set stamp: 2 here (declare the stamp in regions/fr.yaml); of the 2 limits this stamp exceeds, this one binds first`, true},
		{"two container tenants in one environment slot", map[string]string{"tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: small\nruntime: container\ncontainer: {slot: 0}\n"},
			`tenants/fr/beta.yaml:5:19: container.slot: slot 0 of stamp 1 in region fr is already acme's (tenants/fr/acme.yaml): each container tenant has an environment subnet of its own; use 1`, false},
		{"slot out of range", map[string]string{acme: tenant("container: {slot: 128}\n")},
			acme + `:5:19: container.slot: must be at most 127 (got 128)`, false},
		{"VM family beyond its vCPU quota", map[string]string{fr: region("", "quotas: {vmCoresPerFamily: 20}\n"),
			"tenants/fr/acme.yaml": vmTenant("vm: {size: Standard_D8s_v5, instances: 3}\n")},
			acme + `:1:7: name: stamp 1 of region fr (stack prod-fr) would need 24 vCPUs of one VM family (quotas.vmCoresPerFamily), more than the 20 the region's subscription has`, false},
		{"too many databases on a server", map[string]string{fr: region("", "database: {databasesPerServer: 1}\n"), "tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: small\nruntime: container\n"},
			`tenants/fr/beta.yaml:1:1: database.server: server 1 of stack prod-fr holds at most 1 databases (databasesPerServer) and has 2: set database.server: 2`, false},
		{"alerts missing", map[string]string{fr: alerts("")},
			fr + `:1:1: alerts.email: is required: the addresses of the region's on-call operators`, false},
		{"alert email with a display name", map[string]string{fr: alerts("alerts: {email: [\"Ops <ops@kpax.cloud>\"]}\n")},
			fr + `:12:18: alerts.email.0: must be a plain email address like oncall-fr@kpax.cloud (got "Ops <ops@kpax.cloud>")`, false},
		{"alert email twice", map[string]string{fr: alerts("alerts: {email: [ops@kpax.cloud, OPS@kpax.cloud]}\n")},
			fr + `:12:34: alerts.email.1: duplicate address "OPS@kpax.cloud"`, false},
		{"alert webhook over http", map[string]string{fr: alerts("alerts: {email: [ops@kpax.cloud], webhook: \"http://pager.example/hook\"}\n")},
			fr + `:12:44: alerts.webhook: must be an https:// URL without credentials (got "http://pager.example/hook")`, false},
		{"alert webhook with credentials", map[string]string{fr: alerts("alerts: {email: [ops@kpax.cloud], webhook: \"https://u:p@pager.example/hook\"}\n")},
			fr + `:12:44: alerts.webhook: must be an https:// URL without credentials`, false},
		{"too few test locations", map[string]string{fr: alerts("alerts: {email: [ops@kpax.cloud], testLocations: [emea-fr-pra-edge]}\n")},
			fr + `:12:50: alerts.testLocations: must list 5 to 16 test locations (got 1)`, false},
		{"unknown test location", map[string]string{fr: alerts("alerts: {email: [ops@kpax.cloud], testLocations: [emea-fr-pra-edge, emea-ch-zrh-edge, emea-nl-ams-azr, emea-gb-db3-azr, europe-paris]}\n")},
			fr + `:12:121: alerts.testLocations.4: must be one of apac-hk-hkn-azr,`, false},
		{"overlapping address spaces", map[string]string{"regions/uk.yaml": strings.Replace(ukRegion, "10.20.0.0/16", "10.10.0.0/16", 1)},
			`regions/uk.yaml:5:15: addressSpace: the address space 10.10.0.0/16 of stack prod-uk overlaps 10.10.0.0/16 of stack prod-fr (regions/fr.yaml)`, false},
		{"dns zones under two parents", map[string]string{"regions/uk.yaml": strings.Replace(ukRegion, "uk.kpax.cloud", "uk.kpax.example", 1)},
			`regions/uk.yaml:6:10: dnsZone: must be under "kpax.cloud" like the other regions (fr) (got "uk.kpax.example")`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := loadDiags(t, writeProject(t, tt.files))
			found := false
			for _, d := range ds {
				if strings.HasPrefix(d.String(), tt.want) {
					found = true
				}
			}
			if !found || (!tt.more && len(ds) != 1) {
				t.Errorf("want one diagnostic starting\n  %s\ngot %d:\n  %v", tt.want, len(ds), strings.ReplaceAll(ds.Error(), "\n", "\n  "))
			}
		})
	}
	if len(tests) < 35 {
		t.Errorf("only %d cases", len(tests))
	}
}

// sqlServerFlood is a project whose region fr has n tenants, each on its own
// SQL logical server (t01 on server 1 ... tNN on server NN).
func sqlServerFlood(n int) map[string]string {
	files := map[string]string{}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("t%02d", i)
		files["tenants/fr/"+name+".yaml"] = fmt.Sprintf("name: %s\nregion: fr\ntier: small\nruntime: container\ndatabase: {server: %d}\n", name, i)
	}
	files["tenants/fr/acme.yaml"] = removed
	// Container tenants, each with its environment: raised quotas keep the
	// servers the first limit that binds.
	files["regions/fr.yaml"] = region("", "quotas: {containerAppsCores: 1000, containerAppsEnvironments: 50}\n")
	return files
}
