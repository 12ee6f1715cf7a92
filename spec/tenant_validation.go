// Validation of a tenant file: every field's limits, each error at its field
// path.

package spec

import (
	"math"
	"regexp"
	"strings"
)

// tenantNameRe is a lowercase DNS label: tenant names end up in hostnames,
// resource names and storage account names.
var tenantNameRe = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)

const (
	minTenantName = 3
	// maxTenantName keeps derived names (storage accounts: 24 characters
	// with a random suffix) within Azure's limits.
	maxTenantName  = 20
	maxDisplayName = 64
)

// Compute limits.
const (
	// minReplicas keeps the tenant up when a zone is lost.
	minReplicas = 2
	// maxReplicas bounds the cost of a typo.
	maxReplicas = 30
	// cpuStep is the granularity of Container Apps vCPU allocations
	// (https://learn.microsoft.com/azure/container-apps/containers#allocations).
	cpuStep = 0.25
	// maxCPU is the most vCPUs a Consumption replica may have.
	maxCPU = 4
)

// Database limits (https://learn.microsoft.com/azure/azure-sql/database/long-term-retention-overview).
const (
	maxDatabaseSizeGB = 4096
	// minPITRDays and maxPITRDays are the point-in-time restore window Azure SQL allows.
	minPITRDays = 1
	maxPITRDays = 35
	maxLTRWeeks = 520
	maxLTRMonth = 120
	maxLTRYears = 10
)

// Storage limits: a premium-less file share holds up to 100 TiB
// (https://learn.microsoft.com/azure/storage/files/storage-files-scale-targets).
const maxStorageQuotaGB = 102400

var (
	vmSizeRe      = regexp.MustCompile(`^Standard_[A-Za-z0-9_]+$`)
	databaseSKURe = regexp.MustCompile(`^(GP|BC)_Gen5_(2|4|6|8|10|12|14|16|18|20|24|32|40|80)$`)
	dnsLabelRe    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	repoRe        = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
	tagRe         = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestRe      = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// StorageRedundancies are the storage account redundancies a tenant may
// choose: both survive the loss of a zone.
var StorageRedundancies = []string{"ZRS", "GZRS"}

// validateTenant checks one tenant file. stem and folder are the file's name
// and folder; regionExists says whether a region file of that name exists.
func validateTenant(t *Tenant, regionExists func(string) bool, regionNames []string) Diagnostics {
	c := &checker{src: &t.Source}
	file := t.Source.File
	stem := fileStem(file)
	folder := ""
	if parts := strings.Split(file, "/"); len(parts) >= 2 {
		folder = parts[len(parts)-2]
	}

	if c.required("name", t.Name) {
		if l := len(t.Name); l < minTenantName || l > maxTenantName || !tenantNameRe.MatchString(t.Name) {
			c.add("name", "must be a lowercase DNS label of %d-%d characters: a-z, 0-9 and '-', starting with a letter and not ending with '-' (got %q)", minTenantName, maxTenantName, t.Name)
		}
		if t.Name != stem {
			c.add("name", "must equal the file name %q (got %q): rename the file or the tenant", stem, t.Name)
		}
	}
	// Defaults derived from the name are only checked through the name.
	if t.Source.Has("displayName") {
		c.maxLen("displayName", t.DisplayName, maxDisplayName)
	}
	if c.required("region", t.Region) {
		if t.Region != folder {
			c.add("region", "must equal the folder name %q (got %q): a tenant file lives in tenants/<region>/", folder, t.Region)
		}
		if !regionExists(t.Region) {
			c.add("region", "unknown region %q: regions are %s", t.Region, strings.Join(regionNames, ", "))
		}
	}
	c.oneOf("tier", string(t.Tier), quoteAll(Tiers))
	c.oneOf("runtime", string(t.Runtime), quoteAll(Runtimes))
	c.oneOf("state", string(t.State), quoteAll(States))

	if t.Runtime != RuntimeContainer && t.Source.Has("container") {
		c.add("container", "is forbidden with runtime: %s (remove the block, or set runtime: container)", t.Runtime)
	}
	if t.Runtime != RuntimeVM && t.Source.Has("vm") {
		c.add("vm", "is forbidden with runtime: %s (remove the block, or set runtime: vm)", t.Runtime)
	}
	if ct := t.Container; ct != nil && t.Runtime == RuntimeContainer {
		c.intRange("container.replicas", ct.Replicas, minReplicas, maxReplicas)
		if q := ct.CPU / cpuStep; ct.CPU < cpuStep || ct.CPU > maxCPU || q != math.Trunc(q) {
			c.add("container.cpu", "must be a multiple of 0.25 between 0.25 and 4 (got %g)", ct.CPU)
		}
		if _, err := ProfileFor(t, 3); err != nil && ct.Replicas >= minReplicas && ct.Replicas <= maxReplicas && ct.CPU <= maxCPU {
			c.add("container.replicas", "%v: lower container.replicas or container.cpu", err)
		}
		if !t.Source.Has("container.slot") {
			c.add("container.slot", "is required: the tenant's environment subnet, a whole number from 0 to %d unique in its stamp (kpax tenant new picks a free one)", EnvironmentSlots-1)
		} else {
			c.intRange("container.slot", ct.Slot, 0, EnvironmentSlots-1)
		}
		// An image the file does not pin is its ring's, checked in
		// releases.yaml.
		if t.Source.Has("container.image") && c.required("container.image", ct.Image) {
			if msg := imageProblem(ct.Image); msg != "" {
				c.add("container.image", "%s (got %q)", msg, ct.Image)
			}
		}
	}
	if vm := t.VM; vm != nil && t.Runtime == RuntimeVM {
		c.intRange("vm.instances", vm.Instances, minReplicas, maxReplicas)
		c.match("vm.size", vm.Size, vmSizeRe, `an Azure VM size like "Standard_D4s_v5"`)
		if c.required("vm.image", vm.Image) {
			parts := strings.Split(vm.Image, ":")
			ok := len(parts) == 4
			for _, p := range parts {
				ok = ok && p != "" && strings.TrimSpace(p) == p
			}
			if !ok {
				c.add("vm.image", "must be a marketplace image publisher:offer:sku:version, like %q (got %q)", DefaultVMImage, vm.Image)
			}
		}
		if t.Source.Has("vm.serverImage") && c.required("vm.serverImage", vm.ServerImage) {
			if msg := imageProblem(vm.ServerImage); msg != "" {
				c.add("vm.serverImage", "%s (got %q)", msg, vm.ServerImage)
			}
		}
	}

	db := t.Database
	c.match("database.sku", db.SKU, databaseSKURe, `an Azure SQL vCore SKU GP_Gen5_<vcores> or BC_Gen5_<vcores>, vcores one of 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 32, 40, 80`)
	c.intRange("database.maxSizeGB", db.MaxSizeGB, 1, maxDatabaseSizeGB)
	c.intRange("database.backupRetentionDays", db.BackupRetentionDays, minPITRDays, maxPITRDays)
	c.intRange("database.longTermRetention.weeks", db.LongTermRetention.Weeks, 0, maxLTRWeeks)
	c.intRange("database.longTermRetention.months", db.LongTermRetention.Months, 0, maxLTRMonth)
	c.intRange("database.longTermRetention.years", db.LongTermRetention.Years, 0, maxLTRYears)
	if db.Server < 1 {
		c.add("database.server", "must be at least 1 (got %d)", db.Server)
	}

	c.intRange("storage.quotaGB", t.Storage.QuotaGB, 1, maxStorageQuotaGB)
	c.oneOf("storage.redundancy", t.Storage.Redundancy, StorageRedundancies)
	c.backup("backup", t.Backup)
	if t.Source.Has("dns.hostname") {
		c.match("dns.hostname", t.DNS.Hostname, dnsLabelRe, "a lowercase DNS label of 1-63 characters: a-z, 0-9 and '-', not starting or ending with '-'")
	}
	c.tags("tags", t.Tags)
	return c.diags
}

// exampleServerImage shows the shape of an image reference in messages; it
// is no version anyone runs (releases.yaml names those).
const exampleServerImage = "kpaxcloud.azurecr.io/kpax-server:<version>"

// imageProblem says what is wrong with a container image reference
// registry/repository:tag or registry/repository@sha256:digest, or "".
func imageProblem(ref string) string {
	name, digest, hasDigest := strings.Cut(ref, "@")
	host, rest, ok := strings.Cut(name, "/")
	if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		return "must start with a registry host, like " + exampleServerImage
	}
	repo, tag := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		repo, tag = rest[:i], rest[i+1:]
	}
	switch {
	case !repoRe.MatchString(repo):
		return "must be an image reference registry/repository:tag with a lowercase repository"
	case hasDigest && !digestRe.MatchString(digest):
		return "must have a digest of the form sha256:<64 hex digits>"
	case tag == "" && !hasDigest:
		return "must pin a tag or digest, like " + exampleServerImage
	case tag == "latest":
		return `must not use the tag "latest": pin a version so that every deployment runs the same server`
	case tag != "" && !tagRe.MatchString(tag):
		return "must have a tag of letters, digits, '_', '.' and '-'"
	}
	return ""
}
