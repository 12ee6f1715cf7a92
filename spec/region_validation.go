// Validation of a region file: every field's limits, each error at its field
// path.

package spec

import (
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// knownLocation is where a region key must run: data stays in the
// customer's geography, and the pair is Azure's own pair in it
// (https://learn.microsoft.com/azure/reliability/cross-region-replication-azure,
// which lists each pair under its geography).
type knownLocation struct {
	Location, Paired string
	// Geography is Azure's geography of both, as a key the security
	// note's catalogs translate (note/lang).
	Geography string
}

var knownRegions = map[string]knownLocation{
	"fr": {"francecentral", "francesouth", "france"},
	"uk": {"uksouth", "ukwest", "united-kingdom"},
	"us": {"eastus2", "centralus", "united-states"},
	"ca": {"canadacentral", "canadaeast", "canada"},
	"za": {"southafricanorth", "southafricawest", "south-africa"},
	"in": {"centralindia", "southindia", "india"},
}

// Geography is the Azure geography of a region key ("" for an unknown
// one): where its location and its pair both are.
func Geography(region string) string { return knownRegions[region].Geography }

// KnownRegionNames lists the region keys the platform supports, sorted.
func KnownRegionNames() []string {
	out := make([]string, 0, len(knownRegions))
	for k := range knownRegions {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RequiredZones are the availability zones every region spans.
var RequiredZones = []string{"1", "2", "3"}

// Region limits.
const (
	// maxTenantsLimit: an Application Gateway v2 has at most 100 HTTP
	// listeners, and two are the platform's (the HTTP to HTTPS redirect and
	// the HTTPS catch-all), so 98 tenants have one each (GatewayListeners).
	maxTenantsLimit = GatewayListeners - gatewayPlatformListeners
	// MaxStampsPerRegion: stamp n takes the n-th /16 after the region's
	// own, and regions sit ten /16s apart (10.10, 10.20, ...).
	MaxStampsPerRegion = 10
	// maxQuota bounds a quota the region file states: a typo with three
	// more zeros is not a quota.
	maxQuota = 100000
	// addressSpaceBits is the size of every region's VNet, from which the
	// subnets are carved.
	addressSpaceBits = 16
	// minDNSZoneLabels: a region zone sits under the shared parent domain.
	minDNSZoneLabels = 3
	// minMaintenanceHours and maxMaintenanceHours fit Azure's in-guest patch
	// windows of 1h30 to 3h55
	// (https://learn.microsoft.com/azure/virtual-machines/maintenance-configurations).
	minMaintenanceHours = 2
	maxMaintenanceHours = 3
	maxDatabasesPerSrv  = 500
)

// Weekdays are the maintenance window days, as Azure spells them.
var Weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

var (
	guidRe            = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	certificateNameRe = regexp.MustCompile(`^[0-9A-Za-z-]{1,127}$`)
	privateRanges     = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
	}
)

// validateRegion checks one region file on its own.
func validateRegion(r *Region) Diagnostics {
	c := &checker{src: &r.Source}
	stem := fileStem(r.Source.File)
	known, isKnown := knownRegions[r.Name]
	if c.required("name", r.Name) {
		if r.Name != stem {
			c.add("name", "must equal the file name %q (got %q)", stem, r.Name)
		}
		if !isKnown {
			c.add("name", "must be one of %s (got %q)", strings.Join(KnownRegionNames(), ", "), r.Name)
		}
	}
	c.maxLen("displayName", r.DisplayName, maxDisplayName)
	if c.required("location", r.Location) && isKnown && r.Location != known.Location {
		c.add("location", "must be %q for region %s: tenant data stays in its geography (got %q)", known.Location, r.Name, r.Location)
	}
	if c.required("pairedLocation", r.PairedLocation) && isKnown && r.PairedLocation != known.Paired {
		c.add("pairedLocation", "must be %q, the Azure pair of %s (got %q)", known.Paired, known.Location, r.PairedLocation)
	}

	if !r.Source.Has("zones") {
		c.add("zones", "is required: write zones: [\"1\", \"2\", \"3\"]")
	} else {
		seen := map[string]bool{}
		for i, z := range r.Zones {
			p := joinPath("zones", itoa(i))
			switch {
			case z != "1" && z != "2" && z != "3":
				c.add(p, "must be one of \"1\", \"2\", \"3\" (got %q)", z)
			case seen[z]:
				c.add(p, "duplicate zone %q", z)
			}
			seen[z] = true
		}
		if len(r.Zones) != len(RequiredZones) {
			c.add("zones", "must list exactly the three zones \"1\", \"2\", \"3\" (got %d)", len(r.Zones))
		}
	}

	if c.required("addressSpace", r.AddressSpace) {
		if msg := addressSpaceProblem(r.AddressSpace); msg != "" {
			c.add("addressSpace", "%s (got %q)", msg, r.AddressSpace)
		}
	}
	if c.required("dnsZone", r.DNSZone) && !validDNSName(r.DNSZone, minDNSZoneLabels) {
		c.add("dnsZone", "must be a lowercase DNS name of at least %d labels, like fr.kpax.cloud (got %q)", minDNSZoneLabels, r.DNSZone)
	}
	c.intRange("stamps", r.Stamps, 1, MaxStampsPerRegion)
	if !r.Source.Has("maxTenants") {
		c.add("maxTenants", "is required (1-%d)", maxTenantsLimit)
	} else {
		c.intRange("maxTenants", r.MaxTenants, 1, maxTenantsLimit)
	}
	c.required("operators.groupName", r.Operators.GroupName)
	if c.required("operators.groupObjectId", r.Operators.GroupObjectID) {
		if !guidRe.MatchString(r.Operators.GroupObjectID) {
			c.add("operators.groupObjectId", "must be the Entra ID group's object ID, a GUID like 6f1c2b8e-3d4a-4e5f-9a1b-2c3d4e5f6a7b (got %q)", r.Operators.GroupObjectID)
		} else if strings.Trim(r.Operators.GroupObjectID, "0-") == "" {
			c.add("operators.groupObjectId", "must not be the nil GUID")
		}
	}
	c.match("tls.certificateName", r.TLS.CertificateName, certificateNameRe, "a Key Vault certificate name of 1-127 letters, digits and '-'")
	c.backup("backup", BackupSpec(r.Backup))
	c.oneOf("maintenance.day", r.Maintenance.Day, Weekdays)
	c.match("maintenance.startTime", r.Maintenance.StartTime, timeRe, `a UTC time HH:MM, like "02:00"`)
	c.intRange("maintenance.durationHours", r.Maintenance.DurationHours, minMaintenanceHours, maxMaintenanceHours)
	c.intRange("database.databasesPerServer", r.Database.DatabasesPerServer, 1, maxDatabasesPerSrv)
	c.intRange("quotas.vmCoresPerFamily", r.Quotas.VMCoresPerFamily, 1, maxQuota)
	c.intRange("quotas.containerAppsCores", r.Quotas.ContainerAppsCores, 1, maxQuota)
	c.intRange("quotas.containerAppsEnvironments", r.Quotas.ContainerAppsEnvironments, 1, maxQuota)
	if !r.Source.Has("registry") {
		c.add("registry", "is required: the container registry that serves the KPAX server image, as {server: kpaxcloud.azurecr.io, resourceId: /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>}")
	} else {
		if c.required("registry.server", r.Registry.Server) && !r.Registry.valid() {
			c.add("registry.server", "must be the registry's login server, a lowercase host name like kpaxcloud.azurecr.io (got %q)", r.Registry.Server)
		}
		if c.required("registry.resourceId", r.Registry.ResourceID) && !registryIDRe.MatchString(r.Registry.ResourceID) {
			c.add("registry.resourceId", "must be the registry's ARM ID, /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name> (got %q)", r.Registry.ResourceID)
		}
		if c.required("registry.opsImage", r.Registry.OpsImage) {
			if msg := imageProblem(r.Registry.OpsImage); msg != "" {
				c.add("registry.opsImage", "%s (got %q)", msg, r.Registry.OpsImage)
			} else if host, _, _ := strings.Cut(r.Registry.OpsImage, "/"); r.Registry.valid() && host != r.Registry.Server {
				c.add("registry.opsImage", "must come from the region's registry %s, the only one its jobs can pull from (got %q)", r.Registry.Server, r.Registry.OpsImage)
			}
		}
	}
	c.alerts("alerts", r.Alerts, r.Source.Has("alerts.email"), r.Source.Has("alerts.testLocations") || isKnown)
	c.interventions("interventions", r.Interventions)
	c.tags("tags", r.Tags)
	return c.diags
}

// TestLocationIDs are Azure Monitor's availability test locations in the
// public cloud (learn.microsoft.com/azure/azure-monitor/app/availability,
// "Location population tags").
var TestLocationIDs = []string{
	"apac-hk-hkn-azr", "apac-jp-kaw-edge", "apac-sg-sin-azr", "emea-au-syd-edge", "emea-ch-zrh-edge",
	"emea-fr-pra-edge", "emea-gb-db3-azr", "emea-nl-ams-azr", "emea-ru-msa-edge", "emea-se-sto-edge",
	"latam-br-gru-edge", "us-ca-sjc-azr", "us-fl-mia-edge", "us-il-ch1-azr", "us-tx-sn1-azr", "us-va-ash-azr",
}

// Alert limits.
const (
	// maxAlertEmails: a few on-call addresses; a team belongs behind a
	// distribution list.
	maxAlertEmails = 10
	// MinTestLocations and maxTestLocations: Azure recommends at least
	// five locations and takes at most 16; a tenant's availability alert
	// fires when two of them fail, so one location's trouble alone never
	// pages anyone.
	MinTestLocations = 5
	maxTestLocations = 16
)

// alerts checks the receivers and test locations of a region.
func (c *checker) alerts(path string, a RegionAlerts, hasEmail, checkLocations bool) {
	switch {
	case !hasEmail:
		c.add(joinPath(path, "email"), "is required: the addresses of the region's on-call operators, like [oncall-fr@kpax.cloud]")
	case len(a.Email) == 0:
		c.add(joinPath(path, "email"), "must list at least one address")
	case len(a.Email) > maxAlertEmails:
		c.add(joinPath(path, "email"), "must list at most %d addresses (got %d); use a distribution list", maxAlertEmails, len(a.Email))
	}
	seen := map[string]bool{}
	for i, e := range a.Email {
		p := joinPath(joinPath(path, "email"), itoa(i))
		addr, err := mail.ParseAddress(e)
		switch {
		case err != nil || addr.Address != e || addr.Name != "":
			c.add(p, "must be a plain email address like oncall-fr@kpax.cloud (got %q)", e)
		case seen[strings.ToLower(e)]:
			c.add(p, "duplicate address %q", e)
		}
		seen[strings.ToLower(e)] = true
	}
	if a.Webhook != "" {
		u, err := url.Parse(a.Webhook)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			c.add(joinPath(path, "webhook"), "must be an https:// URL without credentials (got %q)", a.Webhook)
		}
	}
	lp := joinPath(path, "testLocations")
	if n := len(a.TestLocations); checkLocations && (n < MinTestLocations || n > maxTestLocations) {
		c.add(lp, "must list %d to %d test locations (got %d)", MinTestLocations, maxTestLocations, n)
	}
	seenLoc := map[string]bool{}
	for i, l := range a.TestLocations {
		p := joinPath(lp, itoa(i))
		switch {
		case !slices.Contains(TestLocationIDs, l):
			c.add(p, "must be one of %s (got %q)", strings.Join(TestLocationIDs, ", "), l)
		case seenLoc[l]:
			c.add(p, "duplicate test location %q", l)
		}
		seenLoc[l] = true
	}
}

// valid reports whether Server is a host name a tenant's image can name.
func (g RegionRegistry) valid() bool { return validDNSName(g.Server, 2) }

// registryIDRe matches a container registry's ARM ID; ARM compares the
// segments' casing loosely, so this does too.
var registryIDRe = regexp.MustCompile(`(?i)^/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/resourceGroups/[-\w._()]{1,90}/providers/Microsoft\.ContainerRegistry/registries/[a-z0-9]{5,50}$`)

// addressSpaceProblem says what is wrong with a region's VNet range, or "".
func addressSpaceProblem(s string) string {
	const want = "must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) of exactly /16, like 10.10.0.0/16"
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p.Bits() != addressSpaceBits {
		return want
	}
	if p.Masked() != p {
		return "has host bits set: did you mean " + p.Masked().String() + "?"
	}
	for _, r := range privateRanges {
		if r.Contains(p.Addr()) {
			return ""
		}
	}
	return want
}

// validDNSName checks a lowercase DNS name of at least minLabels labels.
func validDNSName(s string, minLabels int) bool {
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < minLabels {
		return false
	}
	for _, l := range labels {
		if !dnsLabelRe.MatchString(l) {
			return false
		}
	}
	return true
}

// parentDomain is a zone without its first label.
func parentDomain(zone string) string {
	_, parent, _ := strings.Cut(zone, ".")
	return parent
}
