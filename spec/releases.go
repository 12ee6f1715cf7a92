// The release file releases.yaml: which KPAX server image each ring of
// tenants runs. A new KPAX version is one line of this file, promoted ring by
// ring (README, "Releasing a KPAX version"); no Go code names a version.

package spec

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ReleasesFile is the release file's path under the project root.
const ReleasesFile = "releases.yaml"

// Releases is the release file: the rings, in the order a version reaches
// them.
type Releases struct {
	// Rings are in the file's order: the first ring gets a version first.
	Rings  []*Ring
	Source Source
}

// Ring is a set of tenants that take a KPAX version together.
type Ring struct {
	// Name is the ring's key, which tenant files (ring:) and region files
	// (defaultRing:) name.
	Name string
	// Image is the KPAX server image of the ring's tenants:
	// <registry>/kpax-server:<version>.
	Image string
	// Rollback says that this ring may run an older version than a later
	// ring: it was rolled back while the later one kept the version.
	Rollback bool
	// Source locates the ring's own fields (name, image, rollback).
	Source Source
}

// releasesFile is the file as decoded: the decoder fills lists of structs.
type releasesFile struct {
	Rings []ringFile `yaml:"rings"`
}

type ringFile struct {
	Name     string `yaml:"name"`
	Image    string `yaml:"image"`
	Rollback bool   `yaml:"rollback"`
}

// Ring returns the ring called name, or nil.
func (r *Releases) Ring(name string) *Ring {
	if r == nil {
		return nil
	}
	for _, g := range r.Rings {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// Last is the last ring, the default of a tenant whose file and region name
// none; nil when there are no rings.
func (r *Releases) Last() *Ring {
	if r == nil || len(r.Rings) == 0 {
		return nil
	}
	return r.Rings[len(r.Rings)-1]
}

// Names lists the rings' names in order.
func (r *Releases) Names() []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r.Rings))
	for i, g := range r.Rings {
		out[i] = g.Name
	}
	return out
}

// Index is the position of the ring called name, or -1.
func (r *Releases) Index(name string) int {
	if r == nil {
		return -1
	}
	for i, g := range r.Rings {
		if g.Name == name {
			return i
		}
	}
	return -1
}

// Version is the tag of the ring's image ("" when it has none).
func (r *Ring) Version() string { return ImageTag(r.Image) }

// ImageTag is the tag of an image reference registry/repository:tag, or ""
// (no tag, or a digest).
func ImageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	slash := strings.LastIndexByte(image, '/')
	if i := strings.LastIndexByte(image, ':'); i > slash {
		return image[i+1:]
	}
	return ""
}

// WithTag is image with its tag replaced by (or set to) tag.
func WithTag(image, tag string) string {
	if at := strings.IndexByte(image, '@'); at >= 0 {
		image = image[:at]
	}
	slash := strings.LastIndexByte(image, '/')
	if i := strings.LastIndexByte(image, ':'); i > slash {
		image = image[:i]
	}
	return image + ":" + tag
}

// ServerImage is the KPAX server image t runs and whether its own file pins
// it (container.image, vm.serverImage) instead of following its ring.
func (t *Tenant) ServerImage(rel *Releases) (image string, pinned bool) {
	var field, path string
	switch {
	case t.Runtime == RuntimeContainer && t.Container != nil:
		field, path = t.Container.Image, "container.image"
	case t.Runtime == RuntimeVM && t.VM != nil:
		field, path = t.VM.ServerImage, "vm.serverImage"
	default:
		return "", false
	}
	if t.Source.Has(path) {
		return field, true
	}
	if g := rel.Ring(t.Ring); g != nil {
		return g.Image, false
	}
	return field, false
}

// semverRe is a version MAJOR.MINOR.PATCH with an optional pre-release,
// as Semantic Versioning 2.0.0 defines it (https://semver.org/#spec-item-2,
// item 9), without build metadata, which '+' makes an invalid image tag.
var semverRe = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

// IsVersion reports whether v is a version MAJOR.MINOR.PATCH[-pre].
func IsVersion(v string) bool { return semverRe.MatchString(v) }

// CompareVersions orders two versions (IsVersion both) by semver precedence
// (https://semver.org/#spec-item-11): -1, 0 or 1.
func CompareVersions(a, b string) int {
	am, bm := semverRe.FindStringSubmatch(a), semverRe.FindStringSubmatch(b)
	if am == nil || bm == nil {
		return strings.Compare(a, b)
	}
	for i := 1; i <= 3; i++ {
		if c := compareNumeric(am[i], bm[i]); c != 0 {
			return c
		}
	}
	ap, bp := strings.TrimPrefix(am[4], "-"), strings.TrimPrefix(bm[4], "-")
	switch {
	case ap == bp:
		return 0
	case ap == "": // a release follows its pre-releases
		return 1
	case bp == "":
		return -1
	}
	as, bs := strings.Split(ap, "."), strings.Split(bp, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		var c int
		switch {
		case aerr == nil && berr == nil:
			c = compareInt(an, bn)
		case aerr == nil: // numeric identifiers sort first
			c = -1
		case berr == nil:
			c = 1
		default:
			c = strings.Compare(as[i], bs[i])
		}
		if c != 0 {
			return c
		}
	}
	return compareInt(len(as), len(bs))
}

func compareNumeric(a, b string) int {
	if len(a) != len(b) { // no leading zeros: the longer is larger
		return compareInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func compareInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ringNameRe is a ring's name: a short lowercase word, as tenants name it.
var ringNameRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

// ParseReleases decodes and checks a release file on its own: names, images
// and the order of versions. The checks against regions and tenants are
// CheckReleases'.
func ParseReleases(file string, data []byte) (*Releases, error) {
	rel, diags := parseReleases(file, data)
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return rel, nil
}

// loadReleases reads the release file under root. A missing file is an
// error: every tenant follows a ring unless its file pins an image.
func loadReleases(root string) (*Releases, Diagnostics) {
	data, err := os.ReadFile(filepath.Join(root, ReleasesFile))
	if os.IsNotExist(err) {
		return nil, Diagnostics{{File: ReleasesFile, Message: "is missing: it names the KPAX server image of each ring of tenants (README, \"Releasing a KPAX version\")"}}
	}
	if err != nil {
		return nil, Diagnostics{{File: ReleasesFile, Message: err.Error()}}
	}
	return parseReleases(ReleasesFile, data)
}

func parseReleases(file string, data []byte) (*Releases, Diagnostics) {
	var f releasesFile
	src, ok, diags := decodeFile(file, data, &f)
	if !ok {
		return nil, diags
	}
	rel := &Releases{Source: src}
	for i, g := range f.Rings {
		prefix := joinPath("rings", itoa(i))
		rel.Rings = append(rel.Rings, &Ring{Name: g.Name, Image: g.Image, Rollback: g.Rollback, Source: src.sub(prefix)})
	}
	return rel, append(diags, validateReleases(rel)...)
}

// ringPath is the path of field (name, image, rollback) of ring i.
func ringPath(i int, field string) string { return joinPath(joinPath("rings", itoa(i)), field) }

// validateReleases checks the file on its own: every ring named once, with
// an image whose tag is a version, and no ring running a newer version than
// an earlier one, unless that earlier one was rolled back.
func validateReleases(rel *Releases) Diagnostics {
	var diags Diagnostics
	src := rel.Source
	if len(rel.Rings) == 0 {
		return Diagnostics{src.At("rings", "must list at least one ring, each with a name and an image, the first to get a version first")}
	}
	seen := map[string]int{}
	for i, g := range rel.Rings {
		switch {
		case g.Name == "":
			diags = append(diags, src.At(ringPath(i, "name"), "is required"))
		case !ringNameRe.MatchString(g.Name):
			diags = append(diags, src.At(ringPath(i, "name"), "must be a lowercase word of 1-20 characters: a-z, 0-9 and '-', starting with a letter (got %q)", g.Name))
		default:
			if j, dup := seen[g.Name]; dup {
				diags = append(diags, src.At(ringPath(i, "name"), "ring %q is already rings.%d: name each ring once", g.Name, j))
			}
			seen[g.Name] = i
		}
		if g.Image == "" {
			diags = append(diags, src.At(ringPath(i, "image"), "is required"))
			continue
		}
		if msg := imageProblem(g.Image); msg != "" {
			diags = append(diags, src.At(ringPath(i, "image"), "%s (got %q)", msg, g.Image))
			continue
		}
		if v := g.Version(); !IsVersion(v) {
			diags = append(diags, src.At(ringPath(i, "image"), "must have a version tag MAJOR.MINOR.PATCH, like 4.12.1 (https://semver.org): rings are ordered by version (got %q)", g.Image))
		}
	}
	// A later ring never runs a version newer than an earlier one: a version
	// reaches the rings in the file's order. The exception is an earlier ring
	// that says rollback: true, rolled back while the later one kept it.
	for j, later := range rel.Rings {
		if !IsVersion(later.Version()) {
			continue
		}
		for i := 0; i < j; i++ {
			earlier := rel.Rings[i]
			if !IsVersion(earlier.Version()) || earlier.Rollback {
				continue
			}
			if CompareVersions(later.Version(), earlier.Version()) > 0 {
				diags = append(diags, src.At(ringPath(j, "image"), "ring %s runs %s, newer than the earlier ring %s's %s: a version reaches the rings in the file's order (promote %s first, or set rollback: true on ring %s if it was rolled back)",
					later.Name, later.Version(), earlier.Name, earlier.Version(), earlier.Name, earlier.Name))
				break
			}
		}
	}
	return diags
}

// checkRings checks what names a ring against the release file: each
// region's defaultRing, each tenant's ring, and the registry of every ring's
// image, which must be that of each region whose tenants follow the ring
// (the only registry their apps and VMs can pull from).
func checkRings(rel *Releases, regions map[string]*Region, tenants []*Tenant) Diagnostics {
	if rel == nil {
		return nil
	}
	var diags Diagnostics
	names := strings.Join(rel.Names(), ", ")
	for _, name := range slices.Sorted(maps.Keys(regions)) {
		r := regions[name]
		if r.DefaultRing != "" && rel.Ring(r.DefaultRing) == nil {
			diags = append(diags, r.Source.At("defaultRing", "must be a ring of %s: %s (got %q)", ReleasesFile, names, r.DefaultRing))
		}
	}
	// regionsOf[ring] are the regions whose tenants follow it.
	regionsOf := map[string]map[string]bool{}
	for _, t := range tenants {
		if t.Source.Has("ring") && rel.Ring(t.Ring) == nil {
			diags = append(diags, t.Source.At("ring", "must be a ring of %s: %s (got %q)", ReleasesFile, names, t.Ring))
			continue
		}
		if _, pinned := t.ServerImage(rel); pinned || regions[t.Region] == nil {
			continue
		}
		if regionsOf[t.Ring] == nil {
			regionsOf[t.Ring] = map[string]bool{}
		}
		regionsOf[t.Ring][t.Region] = true
	}
	for i, g := range rel.Rings {
		if imageProblem(g.Image) != "" {
			continue // reported by validateReleases
		}
		host, _, _ := strings.Cut(g.Image, "/")
		for _, name := range slices.Sorted(maps.Keys(regions)) {
			r := regions[name]
			if !regionsOf[g.Name][name] || !r.Registry.valid() || host == r.Registry.Server {
				continue
			}
			diags = append(diags, rel.Source.At(ringPath(i, "image"), "must come from region %s's registry %s, the only one its tenants of ring %s can pull from (got %q)",
				name, r.Registry.Server, g.Name, g.Image))
		}
	}
	return diags
}

// ringOf is the ring a tenant follows: its own, else its region's default,
// else the last ring.
func ringOf(t *Tenant, r *Region, rel *Releases) string {
	switch {
	case t.Source.Has("ring"):
		return t.Ring
	case r != nil && r.DefaultRing != "":
		return r.DefaultRing
	case rel.Last() != nil:
		return rel.Last().Name
	}
	return ""
}

// CheckReleases holds a release file (data, as it would be written) to a
// loaded project: the file's own checks, and the rings' registries against
// the regions whose tenants follow them. kpax release promote runs it before
// writing anything.
func CheckReleases(p *Project, data []byte) (*Releases, error) {
	rel, diags := parseReleases(ReleasesFile, data)
	if rel != nil && len(diags) == 0 {
		diags = checkRings(rel, p.Regions, p.Tenants)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return rel, nil
}

// StackOf is the stack that deploys t.
func (t *Tenant) StackOf() string { return StampStackName(t.Region, t.Stamp) }
