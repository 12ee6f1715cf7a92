// Package bench holds the benchmarks of kpax-cloud (go test -bench) and the
// synthetic projects they run on. Nothing here runs in a plain go test: the
// package's tests are benchmarks only.
//
// This file writes and builds synthetic projects. It imports spec only, so
// that the spec benchmarks do not link the azure-native SDK; the program
// benchmarks live in program/bench_test.go and use Tenants from here.
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/kpax/kpax-cloud/spec"
)

// Capacity of a synthetic project, from the validator's own caps: every
// region holds MaxStampsPerRegion stamps of StampTenants tenants (maxTenants
// is at most 98: the Application Gateway's listener limit, less its own two).
const (
	// StampTenants is the maxTenants the synthetic regions declare.
	StampTenants = 98
	// synthQuota is the quotas the synthetic regions state: the benchmarks
	// measure the program, not a subscription's defaults.
	synthQuota = 100000
	// DatabasesPerServer is the region files' databasesPerServer: tenant k
	// of a stamp uses server k/DatabasesPerServer+1.
	DatabasesPerServer = 50
)

var (
	maxTenantsRe = regexp.MustCompile(`(?m)^maxTenants:.*$`)
	stampsRe     = regexp.MustCompile(`(?m)^stamps:.*\n`)
	perServerRe  = regexp.MustCompile(`(?m)^(\s+databasesPerServer:).*$`)
	quotaRe      = regexp.MustCompile(`(?m)^(\s+(vmCoresPerFamily|containerAppsCores|containerAppsEnvironments):)\s*\d+`)
)

// Layout is where WriteProject put each tenant.
type Layout struct {
	Regions []string
	Tenants int
	// OverCapacity is how many tenants do not fit their stamp (more than
	// StampTenants in one stamp): LoadProject reports one error for each.
	OverCapacity int
}

// Capacity is the most tenants a valid project holds: every stamp of every
// region full.
func (l Layout) Capacity() int { return len(l.Regions) * spec.MaxStampsPerRegion * StampTenants }

// WriteProject writes a project of n synthetic tenants under dst: the region
// files of srcRoot/regions, opened to spec.MaxStampsPerRegion stamps of
// StampTenants tenants each, and n tenant files spread round robin over the
// regions, then over each region's stamps, with each stamp's databases
// packed DatabasesPerServer to a server. Up to Capacity() tenants the
// project is valid; past it, the tenants that do not fit are reported by
// LoadProject (Layout.OverCapacity of them).
func WriteProject(dst, srcRoot string, n int) (Layout, error) {
	files, err := filepath.Glob(filepath.Join(srcRoot, "regions", "*.yaml"))
	if err != nil {
		return Layout{}, err
	}
	if len(files) == 0 {
		return Layout{}, fmt.Errorf("no region files under %s", srcRoot)
	}
	sort.Strings(files)
	if err := os.MkdirAll(filepath.Join(dst, "regions"), 0o755); err != nil {
		return Layout{}, err
	}
	// The synthetic tenants follow the release file's rings.
	rel, err := os.ReadFile(filepath.Join(srcRoot, spec.ReleasesFile))
	if err != nil {
		return Layout{}, err
	}
	if err := os.WriteFile(filepath.Join(dst, spec.ReleasesFile), rel, 0o644); err != nil {
		return Layout{}, err
	}
	var l Layout
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return Layout{}, err
		}
		s := stampsRe.ReplaceAllString(string(data), "")
		s = maxTenantsRe.ReplaceAllString(s, fmt.Sprintf("maxTenants: %d\nstamps: %d", StampTenants, spec.MaxStampsPerRegion))
		s = perServerRe.ReplaceAllString(s, fmt.Sprintf("${1} %d", DatabasesPerServer))
		s = quotaRe.ReplaceAllString(s, fmt.Sprintf("${1} %d", synthQuota))
		if err := os.WriteFile(filepath.Join(dst, "regions", filepath.Base(f)), []byte(s), 0o644); err != nil {
			return Layout{}, err
		}
		region := strings.TrimSuffix(filepath.Base(f), ".yaml")
		l.Regions = append(l.Regions, region)
		if err := os.MkdirAll(filepath.Join(dst, "tenants", region), 0o755); err != nil {
			return Layout{}, err
		}
	}
	perStamp := map[string]int{}
	for i := 0; i < n; i++ {
		region := l.Regions[i%len(l.Regions)]
		j := i / len(l.Regions)
		stamp := j%spec.MaxStampsPerRegion + 1
		k := j / spec.MaxStampsPerRegion // index in the stamp
		key := fmt.Sprintf("%s/%d", region, stamp)
		perStamp[key]++
		if perStamp[key] > StampTenants {
			l.OverCapacity++
		}
		name := fmt.Sprintf("t%05d", i)
		path := filepath.Join(dst, "tenants", region, name+".yaml")
		if err := os.WriteFile(path, tenantFile(name, region, stamp, k/DatabasesPerServer+1, i, k), 0o644); err != nil {
			return Layout{}, err
		}
	}
	l.Tenants = n
	return l, nil
}

// WriteStamp writes under dst a copy of the project at srcRoot (Pulumi files,
// rollout.yaml, releases.yaml and regions) whose region holds n synthetic tenants, all in stamp 1: the
// stack prod-<region> at the size the engine benchmarks measure. The
// region's capacity limits are raised so that n fits.
func WriteStamp(dst, srcRoot, region string, n int) error {
	files, err := filepath.Glob(filepath.Join(srcRoot, "Pulumi*.yaml"))
	if err != nil {
		return err
	}
	regions, err := filepath.Glob(filepath.Join(srcRoot, "regions", "*.yaml"))
	if err != nil {
		return err
	}
	files = append(files, filepath.Join(srcRoot, "rollout.yaml"), filepath.Join(srcRoot, spec.ReleasesFile))
	for _, f := range append(files, regions...) {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(srcRoot, f)
		if strings.HasPrefix(rel, "regions") {
			data = []byte(maxTenantsRe.ReplaceAllString(string(data), fmt.Sprintf("maxTenants: %d", StampTenants)))
			data = []byte(perServerRe.ReplaceAllString(string(data), fmt.Sprintf("${1} %d", DatabasesPerServer)))
			data = []byte(quotaRe.ReplaceAllString(string(data), fmt.Sprintf("${1} %d", synthQuota)))
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, rel), data, 0o644); err != nil {
			return err
		}
	}
	dir := filepath.Join(dst, "tenants", region)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("t%05d", i)
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), tenantFile(name, region, 1, i/DatabasesPerServer+1, i, i), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// tenantFile is a tenant like the landed ones: the three tiers and both
// runtimes in turn, some fields overridden, a tag. k is its index in its
// stamp: a container tenant takes environment slot k, and past the stamp's
// slots the tenants are VMs.
func tenantFile(name, region string, stamp, server, i, k int) []byte {
	tiers := []string{"small", "standard", "large"}
	var b strings.Builder
	fmt.Fprintf(&b, "# Synthetic tenant %d.\nname: %s\ndisplayName: Synthetic %d\nregion: %s\ntier: %s\n", i, name, i, region, tiers[i%3])
	if i%2 == 0 && k < spec.EnvironmentSlots {
		fmt.Fprintf(&b, "runtime: container\ncontainer:\n  slot: %d\n", k)
	} else {
		b.WriteString("runtime: vm\nvm:\n  image: Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest\n")
	}
	if stamp > 1 {
		fmt.Fprintf(&b, "stamp: %d\n", stamp)
	}
	fmt.Fprintf(&b, "database:\n  server: %d\nbackup:\n  dailyAt: \"02:00\"\n  retentionDays: 30\ntags:\n  costCenter: \"%04d\"\n", server, i%10000)
	return []byte(b.String())
}

// Tenants clones the given tenants (in turn) into n tenants of one region
// and stamp, named t00000, t00001, ... with their own hostnames, and their
// databases packed DatabasesPerServer to a server. It builds in memory
// what no valid project file set can hold (more than StampTenants tenants
// in one stamp), for the program benchmarks.
func Tenants(models []*spec.Tenant, n int) []*spec.Tenant {
	out := make([]*spec.Tenant, 0, n)
	var vmModel *spec.Tenant
	for _, m := range models {
		if m.Runtime == spec.RuntimeVM && vmModel == nil {
			vmModel = m
		}
	}
	containers := 0
	for i := 0; i < n; i++ {
		model := models[i%len(models)]
		// A stamp has spec.EnvironmentSlots container tenants at most (one
		// environment subnet each): past them, the clones are VM tenants.
		if model.Runtime == spec.RuntimeContainer && containers >= spec.EnvironmentSlots && vmModel != nil {
			model = vmModel
		}
		t := *model
		t.Name = fmt.Sprintf("t%05d", i)
		t.DisplayName = fmt.Sprintf("Synthetic %d", i)
		t.DNS.Hostname = t.Name
		t.Stamp = 1
		t.Database.Server = i/DatabasesPerServer + 1
		if t.Container != nil {
			c := *t.Container
			c.Slot = containers
			containers++
			t.Container = &c
		}
		if t.VM != nil {
			v := *t.VM
			t.VM = &v
		}
		tags := make(map[string]string, len(t.Tags))
		for k, v := range t.Tags {
			tags[k] = v
		}
		t.Tags = tags
		out = append(out, &t)
	}
	return out
}
