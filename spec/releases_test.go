package spec

import (
	"strings"
	"testing"
)

// releases is a release file with the given rings, one "name image [rollback]"
// string each: ring i's image is on line 3+3i (or later after a rollback).
func releases(rings ...string) string {
	var b strings.Builder
	b.WriteString("# rings\nrings:\n")
	for _, r := range rings {
		f := strings.Fields(r)
		b.WriteString("  - name: " + f[0] + "\n    image: " + f[1] + "\n")
		if len(f) > 2 {
			b.WriteString("    rollback: true\n")
		}
	}
	return b.String()
}

const (
	img4121 = "kpaxcloud.azurecr.io/kpax-server:4.12.1"
	img4130 = "kpaxcloud.azurecr.io/kpax-server:4.13.0"
)

// TestReleasesValidation: the release file is validated like the tenant
// files, every error located, all of them reported together.
func TestReleasesValidation(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "valid: canary ahead of broad",
			files: map[string]string{ReleasesFile: releases("canary "+img4130, "broad "+img4121)},
		},
		{
			name:  "valid: a rolled-back earlier ring behind a later one",
			files: map[string]string{ReleasesFile: releases("canary "+img4121+" rollback", "broad "+img4130)},
		},
		{
			name:  "missing file",
			files: map[string]string{ReleasesFile: removed},
			want:  []string{`releases.yaml: is missing: it names the KPAX server image of each ring of tenants (README, "Releasing a KPAX version")`},
		},
		{
			name:  "no rings",
			files: map[string]string{ReleasesFile: "rings: []\n"},
			want:  []string{`releases.yaml:1:8: rings: must list at least one ring, each with a name and an image, the first to get a version first`},
		},
		{
			name:  "image from the wrong registry for the region whose tenants follow the ring",
			files: map[string]string{ReleasesFile: releases("canary "+img4130, "broad other.azurecr.io/kpax-server:4.12.1")},
			want:  []string{`releases.yaml:6:12: rings.1.image: must come from region fr's registry kpaxcloud.azurecr.io, the only one its tenants of ring broad can pull from (got "other.azurecr.io/kpax-server:4.12.1")`},
		},
		{
			name: "a ring no tenant follows may come from any registry",
			files: map[string]string{
				ReleasesFile:           releases("canary other.azurecr.io/kpax-server:4.13.0", "broad "+img4121),
				"tenants/fr/acme.yaml": tenant("ring: broad\n"),
			},
		},
		{
			name:  "a pinned tenant does not follow its ring's registry",
			files: map[string]string{ReleasesFile: releases("canary "+img4130, "broad other.azurecr.io/kpax-server:4.12.1"), "tenants/fr/acme.yaml": tenant("container: {image: " + img4121 + "}\n")},
		},
		{
			name: "a ring a tenant or a region names does not exist",
			files: map[string]string{
				"tenants/fr/acme.yaml": tenant("ring: beta\n"),
				"regions/fr.yaml":      region("", "defaultRing: eraly\n"),
			},
			want: []string{
				`regions/fr.yaml:11:14: defaultRing: must be a ring of releases.yaml: canary, broad (got "eraly")`,
				`tenants/fr/acme.yaml:5:7: ring: must be a ring of releases.yaml: canary, broad (got "beta")`,
			},
		},
		{
			name:  "a later ring runs a newer version than an earlier one",
			files: map[string]string{ReleasesFile: releases("canary "+img4121, "early "+img4130, "broad "+img4121)},
			want:  []string{`releases.yaml:6:12: rings.1.image: ring early runs 4.13.0, newer than the earlier ring canary's 4.12.1: a version reaches the rings in the file's order (promote canary first, or set rollback: true on ring canary if it was rolled back)`},
		},
		{
			name:  "semver precedence: 4.12.10 is newer than 4.12.9, a release newer than its pre-release",
			files: map[string]string{ReleasesFile: releases("canary kpaxcloud.azurecr.io/kpax-server:4.12.9", "early kpaxcloud.azurecr.io/kpax-server:4.12.10", "broad kpaxcloud.azurecr.io/kpax-server:4.13.0-rc.1", "last kpaxcloud.azurecr.io/kpax-server:4.13.0")},
			want: []string{
				`releases.yaml:6:12: rings.1.image: ring early runs 4.12.10, newer than the earlier ring canary's 4.12.9: a version reaches the rings in the file's order (promote canary first, or set rollback: true on ring canary if it was rolled back)`,
				`releases.yaml:8:12: rings.2.image: ring broad runs 4.13.0-rc.1, newer than the earlier ring canary's 4.12.9: a version reaches the rings in the file's order (promote canary first, or set rollback: true on ring canary if it was rolled back)`,
				`releases.yaml:10:12: rings.3.image: ring last runs 4.13.0, newer than the earlier ring canary's 4.12.9: a version reaches the rings in the file's order (promote canary first, or set rollback: true on ring canary if it was rolled back)`,
			},
		},
		{
			name: "a tag that is not a version, and everything else at once",
			files: map[string]string{ReleasesFile: releases("canary kpaxcloud.azurecr.io/kpax-server:stable", "Early "+img4121, "canary kpaxcloud.azurecr.io/kpax-server:latest", "broad kpaxcloud.azurecr.io/kpax-server") +
				"  - name: spare\n    image: kpaxcloud.azurecr.io/kpax-server:v4.12.1\n    colour: blue\n"},
			want: []string{
				`releases.yaml:4:12: rings.0.image: must have a version tag MAJOR.MINOR.PATCH, like 4.12.1 (https://semver.org): rings are ordered by version (got "kpaxcloud.azurecr.io/kpax-server:stable")`,
				`releases.yaml:5:11: rings.1.name: must be a lowercase word of 1-20 characters: a-z, 0-9 and '-', starting with a letter (got "Early")`,
				`releases.yaml:7:11: rings.2.name: ring "canary" is already rings.0: name each ring once`,
				`releases.yaml:8:12: rings.2.image: must not use the tag "latest": pin a version so that every deployment runs the same server (got "kpaxcloud.azurecr.io/kpax-server:latest")`,
				`releases.yaml:10:12: rings.3.image: must pin a tag or digest, like kpaxcloud.azurecr.io/kpax-server:<version> (got "kpaxcloud.azurecr.io/kpax-server")`,
				`releases.yaml:12:12: rings.4.image: must have a version tag MAJOR.MINOR.PATCH, like 4.12.1 (https://semver.org): rings are ordered by version (got "kpaxcloud.azurecr.io/kpax-server:v4.12.1")`,
				`releases.yaml:13:5: rings.4.colour: unknown field "colour"; allowed fields in rings.4: name, image, rollback`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range loadDiags(t, writeProject(t, tt.files)) {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestTenantRing: a tenant follows its own ring, else its region's default,
// else the last ring; a pin in its file holds it back.
func TestTenantRing(t *testing.T) {
	tests := []struct {
		name       string
		region     string
		tenant     string
		wantRing   string
		wantImage  string
		wantPinned bool
	}{
		{"last ring by default", baseRegion, tenant(""), "broad", img4121, false},
		{"the region's default ring", region("", "defaultRing: canary\n"), tenant(""), "canary", img4130, false},
		{"the tenant's own ring over the region's", region("", "defaultRing: broad\n"), tenant("ring: canary\n"), "canary", img4130, false},
		{"a container pin", baseRegion, tenant("ring: canary\ncontainer: {image: kpaxcloud.azurecr.io/kpax-server:4.11.0}\n"), "canary", "kpaxcloud.azurecr.io/kpax-server:4.11.0", true},
		{"a VM pin", baseRegion, vmTenant("vm: {serverImage: kpaxcloud.azurecr.io/kpax-server:4.11.0}\n"), "broad", "kpaxcloud.azurecr.io/kpax-server:4.11.0", true},
		{"a VM following its ring", baseRegion, vmTenant("ring: canary\n"), "canary", img4130, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := LoadProject(writeProject(t, map[string]string{"regions/fr.yaml": tt.region, "tenants/fr/acme.yaml": tt.tenant}))
			if err != nil {
				t.Fatal(err)
			}
			tn := p.Tenants[0]
			image, pinned := tn.ServerImage(p.Releases)
			if tn.Ring != tt.wantRing || image != tt.wantImage || pinned != tt.wantPinned {
				t.Errorf("ring %q, image %q, pinned %v; want %q, %q, %v", tn.Ring, image, pinned, tt.wantRing, tt.wantImage, tt.wantPinned)
			}
			// What the components deploy is the same image.
			deployed := ""
			if tn.Container != nil {
				deployed = tn.Container.Image
			} else {
				deployed = tn.VM.ServerImage
			}
			if deployed != tt.wantImage {
				t.Errorf("deployed image %q, want %q", deployed, tt.wantImage)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	// In precedence order (https://semver.org/#spec-item-11).
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"}
	for i := range order {
		for j := range order {
			want := compareInt(i, j)
			if got := CompareVersions(order[i], order[j]); got != want {
				t.Errorf("CompareVersions(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}
