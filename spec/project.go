// Loading a project: every region file and the tenants of one or all regions,
// validated together.

package spec

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Project is every region and the tenants that were loaded, validated and
// defaulted.
type Project struct {
	// Root is the folder holding regions/ and tenants/.
	Root    string
	Regions map[string]*Region
	// Tenants are sorted by region, then name.
	Tenants []*Tenant
	// Stacks are the Pulumi.<stack>.yaml files, and Rollout their order in
	// a deployment; LoadProject loads them, LoadRegion does not: a stack
	// never reads another's file.
	Stacks  []*Stack
	Rollout *Rollout
	// Releases is releases.yaml: the KPAX server image of each ring.
	Releases *Releases
}

// LoadProject reads regions/*.yaml and tenants/<region>/*.yaml under root
// and runs every check, within and across files. When anything is wrong
// the error is the sorted Diagnostics of the whole run.
func LoadProject(root string) (*Project, error) {
	return load(root, "")
}

// LoadRegion reads every region file (address spaces and DNS zones are
// checked against each other) but only the tenants of region: a stack never
// loads another region's tenants. Tenant name uniqueness across regions is
// therefore LoadProject's job.
func LoadRegion(root, region string) (*Project, error) {
	if region == "" {
		return nil, Diagnostics{{File: "regions", Message: "no region given"}}
	}
	return load(root, region)
}

// TenantsIn returns the tenants of region, sorted by name.
func (p *Project) TenantsIn(region string) []*Tenant {
	var out []*Tenant
	for _, t := range p.Tenants {
		if t.Region == region {
			out = append(out, t)
		}
	}
	return out
}

// RegionNames returns the regions' names, sorted.
func (p *Project) RegionNames() []string {
	out := make([]string, 0, len(p.Regions))
	for name := range p.Regions {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// ParseRegion decodes, defaults and validates one region file on its own.
// file is the path relative to the project root (regions/fr.yaml).
func ParseRegion(file string, data []byte) (*Region, error) {
	r, diags := parseRegion(file, data)
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// ParseTenant decodes, defaults and validates one tenant file against the
// given regions and release file, without the checks that need the other
// tenants. file is the path relative to the project root
// (tenants/fr/acme.yaml).
func ParseTenant(file string, data []byte, regions map[string]*Region, rel *Releases) (*Tenant, error) {
	names := make([]string, 0, len(regions))
	for n := range regions {
		names = append(names, n)
	}
	sort.Strings(names)
	t, diags := parseTenant(file, data, regions, rel, func(r string) bool { return regions[r] != nil }, names)
	if t != nil {
		diags = append(diags, checkRings(rel, nil, []*Tenant{t})...)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

func parseRegion(file string, data []byte) (*Region, Diagnostics) {
	r := &Region{}
	src, ok, diags := decodeFile(file, data, r)
	if !ok {
		return nil, diags
	}
	r.Source = src
	defaultRegion(r)
	return r, append(diags, validateRegion(r)...)
}

func parseTenant(file string, data []byte, regions map[string]*Region, rel *Releases, exists func(string) bool, names []string) (*Tenant, Diagnostics) {
	t := &Tenant{}
	src, ok, diags := decodeFile(file, data, t)
	if !ok {
		return nil, diags
	}
	t.Source = src
	r := regions[t.Region]
	defaultTenant(t, r, rel)
	diags = append(diags, validateTenant(t, exists, names)...)
	if r != nil && r.Registry.valid() {
		diags = append(diags, checkRegistry(t, r)...)
	}
	if r != nil && (t.Stamp < 1 || t.Stamp > r.Stamps) {
		diags = append(diags, t.Source.At("stamp", "must be one of region %s's stamps, 1-%d (got %d): a new stamp is declared by raising stamps in %s and adding its stack Pulumi.%s.yaml",
			r.Name, r.Stamps, t.Stamp, r.Source.File, StampStackName(r.Name, t.Stamp)))
	}
	return t, diags
}

// checkRegistry: a tenant's server image comes from its region's registry,
// the only one its apps and VMs are granted to pull from. A ring's image is
// checked in the release file (checkRings); a pin here.
func checkRegistry(t *Tenant, r *Region) Diagnostics {
	var diags Diagnostics
	check := func(path, image string) {
		if !t.Source.Has(path) || imageProblem(image) != "" {
			return // reported by validateTenant
		}
		if host, _, _ := strings.Cut(image, "/"); host != r.Registry.Server {
			diags = append(diags, t.Source.At(path, "must come from region %s's registry %s, the only one its apps and VMs can pull from (got %q)",
				r.Name, r.Registry.Server, image))
		}
	}
	if t.Container != nil && t.Runtime == RuntimeContainer {
		check("container.image", t.Container.Image)
	}
	if t.VM != nil && t.Runtime == RuntimeVM {
		check("vm.serverImage", t.VM.ServerImage)
	}
	return diags
}

// loader holds one run's state.
type loader struct {
	root  string
	diags Diagnostics
}

func (l *loader) fileErr(rel, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{File: rel, Line: 1, Col: 1, Message: fmt.Sprintf(format, args...)})
}

// read returns a file's content, at most one byte over the size limit so
// that the limit is reported without reading a huge file.
func (l *loader) read(rel string) ([]byte, bool) {
	f, err := os.Open(filepath.Join(l.root, filepath.FromSlash(rel)))
	if err != nil {
		l.diags = append(l.diags, Diagnostic{File: rel, Message: err.Error()})
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		l.diags = append(l.diags, Diagnostic{File: rel, Message: err.Error()})
		return nil, false
	}
	return data, true
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }

func load(root, only string) (*Project, error) {
	l := &loader{root: root}
	regions, stems := l.loadRegions()
	names := make([]string, 0, len(stems))
	for n := range stems {
		names = append(names, n)
	}
	sort.Strings(names)
	exists := func(r string) bool { return stems[r] }
	rel, diags := loadReleases(root)
	l.diags = append(l.diags, diags...)

	dir := "tenants"
	if only != "" {
		if !stems[only] {
			l.diags = append(l.diags, Diagnostic{File: "regions/" + only + ".yaml",
				Message: fmt.Sprintf("region %q has no region file: regions are %s", only, strings.Join(names, ", "))})
		}
		dir = "tenants/" + only
	}
	var tenants, valid []*Tenant
	for _, file := range l.tenantFiles(dir, only == "") {
		data, ok := l.read(file)
		if !ok {
			continue
		}
		t, diags := parseTenant(file, data, regions, rel, exists, names)
		l.diags = append(l.diags, diags...)
		if t != nil {
			tenants = append(tenants, t)
			if len(diags) == 0 {
				valid = append(valid, t)
			}
		}
	}
	l.checkRegions(regions)
	l.diags = append(l.diags, checkRings(rel, regions, tenants)...)
	var stacks []*Stack
	var rollout *Rollout
	if only == "" {
		l.checkUniqueNames(tenants)
		stacks, diags = loadStacks(root)
		l.diags = append(l.diags, diags...)
		l.diags = append(l.diags, checkStacks(stacks, regions)...)
		rollout, diags = loadRollout(root, stacks)
		l.diags = append(l.diags, diags...)
	}
	// What a stamp holds is counted over the files that are right: a value
	// out of its own range is told once, at its line, not again as a quota.
	l.checkCapacity(valid, regions)
	l.checkInterventionTenants(tenants, regions, only)

	if err := l.diags.Err(); err != nil {
		return nil, err
	}
	sort.Slice(tenants, func(i, j int) bool {
		if tenants[i].Region != tenants[j].Region {
			return tenants[i].Region < tenants[j].Region
		}
		return tenants[i].Name < tenants[j].Name
	})
	return &Project{Root: root, Regions: regions, Tenants: tenants, Stacks: stacks, Rollout: rollout, Releases: rel}, nil
}

// loadRegions reads regions/*.yaml. stems holds every region file name,
// even of files too broken to decode, so that their tenants are not also
// reported as having an unknown region.
func (l *loader) loadRegions() (map[string]*Region, map[string]bool) {
	regions := map[string]*Region{}
	stems := map[string]bool{}
	entries, err := os.ReadDir(filepath.Join(l.root, "regions"))
	if err != nil {
		l.diags = append(l.diags, Diagnostic{File: "regions", Message: "cannot read the region files: " + err.Error()})
		return regions, stems
	}
	for _, e := range entries {
		rel := "regions/" + e.Name()
		switch {
		case hidden(e.Name()):
			continue
		case e.IsDir():
			l.fileErr(rel, "unexpected folder: region files are regions/<region>.yaml")
			continue
		case path.Ext(e.Name()) != ".yaml":
			l.fileErr(rel, "unexpected file: only regions/<region>.yaml files belong here")
			continue
		}
		stems[fileStem(rel)] = true
		data, ok := l.read(rel)
		if !ok {
			continue
		}
		r, diags := parseRegion(rel, data)
		l.diags = append(l.diags, diags...)
		if r != nil && r.Name == fileStem(rel) {
			regions[r.Name] = r
		}
	}
	return regions, stems
}

// tenantFiles lists the .yaml files under dir (relative to root), sorted,
// and reports anything else that is not hidden. A missing dir holds no
// tenants; it is an error only for the whole project.
func (l *loader) tenantFiles(dir string, whole bool) []string {
	var files []string
	base := filepath.Join(l.root, filepath.FromSlash(dir))
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == base && !whole {
				return nil
			}
			return err
		}
		if p == base {
			return nil
		}
		relToRoot, rerr := filepath.Rel(l.root, p)
		if rerr != nil {
			return rerr
		}
		rel := filepath.ToSlash(relToRoot)
		if hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch depth := strings.Count(rel, "/"); {
		case path.Ext(rel) != ".yaml":
			l.fileErr(rel, "unexpected file: only tenants/<region>/<tenant>.yaml files belong here")
		case depth != 2:
			l.fileErr(rel, "a tenant file belongs in its region's folder: tenants/<region>/%s", path.Base(rel))
		default:
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		l.diags = append(l.diags, Diagnostic{File: dir, Message: "cannot read the tenant files: " + err.Error()})
	}
	sort.Strings(files)
	return files
}

// checkRegions runs the checks between regions: address spaces never
// overlap (regions may be peered one day) and every DNS zone is delegated
// from one parent domain.
func (l *loader) checkRegions(regions map[string]*Region) {
	names := make([]string, 0, len(regions))
	for n := range regions {
		names = append(names, n)
	}
	sort.Strings(names)
	type stampSpace struct {
		prefix netip.Prefix
		stack  string
		file   string
	}
	var seen []stampSpace
	parents := map[string][]string{}
	for _, n := range names {
		r := regions[n]
		for i, o := range r.SharesSubscriptionWith {
			path := joinPath("sharesSubscriptionWith", strconv.Itoa(i))
			switch {
			case o == n:
				l.diags = append(l.diags, r.Source.At(path, "names region %s itself: list the other regions whose stacks deploy to this region's subscription", n))
			case regions[o] == nil:
				l.diags = append(l.diags, r.Source.At(path, "must name a region (%s) (got %q)", strings.Join(names, ", "), o))
			}
		}
		// Every stamp of every region gets its own /16, derived from the
		// region's: none may overlap another's.
	stamps:
		for stamp := 1; stamp <= r.Stamps; stamp++ {
			space, err := r.StampAddressSpace(stamp)
			if err != nil {
				break
			}
			p := netip.MustParsePrefix(space)
			for _, o := range seen {
				if o.prefix.Overlaps(p) {
					l.diags = append(l.diags, r.Source.At("addressSpace", "the address space %s of stack %s overlaps %s of stack %s (%s): every region and stamp needs its own range",
						space, StampStackName(r.Name, stamp), o.prefix, o.stack, o.file))
					break stamps
				}
			}
			seen = append(seen, stampSpace{p, StampStackName(r.Name, stamp), r.Source.File})
		}
		if validDNSName(r.DNSZone, minDNSZoneLabels) {
			parents[parentDomain(r.DNSZone)] = append(parents[parentDomain(r.DNSZone)], n)
		}
	}
	if len(parents) < 2 {
		return
	}
	// The parent most regions use is right; ties go to the first region's.
	best := ""
	for p, rs := range parents {
		if best == "" || len(rs) > len(parents[best]) || (len(rs) == len(parents[best]) && rs[0] < parents[best][0]) {
			best = p
		}
	}
	for p, rs := range parents {
		if p == best {
			continue
		}
		for _, n := range rs {
			l.diags = append(l.diags, regions[n].Source.At("dnsZone", "must be under %q like the other regions (%s) (got %q)", best, strings.Join(parents[best], ", "), regions[n].DNSZone))
		}
	}
}

// checkUniqueNames reports a tenant name used twice, at the later file.
func (l *loader) checkUniqueNames(tenants []*Tenant) {
	first := map[string]*Tenant{}
	for _, t := range tenants { // sorted by file
		if t.Name == "" {
			continue
		}
		if f, dup := first[t.Name]; dup {
			l.diags = append(l.diags, t.Source.At("name", "duplicate tenant name %q: already used by %s (names are unique across all regions)", t.Name, f.Source.File))
			continue
		}
		first[t.Name] = t
	}
}

// checkUniqueSlots reports a container tenant whose environment slot another
// tenant of its stamp holds already, at the later file (ts sorted by file).
// A decommissioned tenant has no environment and holds no slot.
func (l *loader) checkUniqueSlots(region string, ts []*Tenant) {
	type key struct{ stamp, slot int }
	held := map[key]*Tenant{}
	for _, t := range ts {
		if t.Runtime != RuntimeContainer || t.Container == nil || !t.Source.Has("container.slot") || !t.HasCompute() {
			continue
		}
		k := key{t.Stamp, t.Container.Slot}
		if f, dup := held[k]; dup {
			l.diags = append(l.diags, t.Source.At("container.slot", "slot %d of stamp %d in region %s is already %s's (%s): each container tenant has an environment subnet of its own; use %d",
				k.slot, k.stamp, region, f.Name, f.Source.File, FreeSlot(ts, t.Stamp)))
			continue
		}
		held[k] = t
	}
}

// FreeSlot is the first environment slot of a stamp that none of ts holds
// (-1 when the stamp is full).
func FreeSlot(ts []*Tenant, stamp int) int {
	used := map[int]bool{}
	for _, t := range ts {
		if t.Stamp == stamp && t.Runtime == RuntimeContainer && t.Container != nil && t.HasCompute() {
			used[t.Container.Slot] = true
		}
	}
	for s := 0; s < EnvironmentSlots; s++ {
		if !used[s] {
			return s
		}
	}
	return -1
}

// checkCapacity runs the checks between the tenants of one region:
// hostnames, the tenant cap and the databases per logical server. tenants
// are grouped by their folder.
func (l *loader) checkCapacity(tenants []*Tenant, regions map[string]*Region) {
	byRegion := map[string][]*Tenant{}
	for _, t := range tenants {
		folder := path.Base(path.Dir(t.Source.File))
		byRegion[folder] = append(byRegion[folder], t)
	}
	for name, ts := range byRegion {
		if r := regions[name]; r != nil {
			l.checkStampQuotas(r, ts)
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i].Source.File < ts[j].Source.File })
		hosts := map[string]*Tenant{}
		for _, t := range ts {
			h := t.DNS.Hostname
			if h == "" {
				continue
			}
			if f, dup := hosts[h]; dup {
				l.diags = append(l.diags, t.Source.At("dns.hostname", "duplicate hostname %q in region %s: already used by %s", h, name, f.Source.File))
				continue
			}
			hosts[h] = t
		}
		l.checkUniqueSlots(name, ts)
		r := regions[name]
		if r == nil {
			continue
		}
		for stamp, sts := range byStamp(ts) {
			stack := StampStackName(name, stamp)
			if len(sts) > r.MaxTenants && r.MaxTenants > 0 {
				for _, t := range sts[r.MaxTenants:] {
					l.diags = append(l.diags, t.Source.At("name", "stamp %d of region %s (stack %s) holds at most %d tenants (maxTenants in %s) and has %d: set stamp: %d in this file (declare the stamp in %s), or raise maxTenants (at most %d)",
						stamp, name, stack, r.MaxTenants, r.Source.File, len(sts), stamp+1, r.Source.File, maxTenantsLimit))
				}
			}
			per := r.Database.DatabasesPerServer
			if per <= 0 {
				continue
			}
			servers := map[int][]*Tenant{}
			for _, t := range sts {
				servers[t.Database.Server] = append(servers[t.Database.Server], t)
			}
			for srv, st := range servers {
				if len(st) <= per {
					continue
				}
				for _, t := range st[per:] {
					l.diags = append(l.diags, t.Source.At("database.server", "server %d of stack %s holds at most %d databases (databasesPerServer) and has %d: set database.server: %d", srv, stack, per, len(st), srv+1))
				}
			}
		}
	}
}

// checkInterventionTenants: an intervention that names a tenant names one
// of its region's (only: the one region loaded, "" for all).
func (l *loader) checkInterventionTenants(tenants []*Tenant, regions map[string]*Region, only string) {
	inRegion := map[string]bool{}
	for _, t := range tenants {
		inRegion[path.Base(path.Dir(t.Source.File))+"/"+t.Name] = true
	}
	for name, r := range regions {
		if only != "" && name != only {
			continue
		}
		for i, iv := range r.Interventions {
			if iv.Tenant != "" && !inRegion[name+"/"+iv.Tenant] {
				l.diags = append(l.diags, r.Source.At(joinPath("interventions", itoa(i))+".tenant",
					"must name a tenant of region %s, or be left out for all of them (got %q)", name, iv.Tenant))
			}
		}
	}
}

// byStamp groups a region's tenants (sorted by file) by stamp.
func byStamp(ts []*Tenant) map[int][]*Tenant {
	out := map[int][]*Tenant{}
	for _, t := range ts {
		out[t.Stamp] = append(out[t.Stamp], t)
	}
	return out
}
