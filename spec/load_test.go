package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestLoadProjectReportsEverythingSorted(t *testing.T) {
	root := writeProject(t, map[string]string{
		"regions/fr.yaml":      region("maxTenants: 60", "maxTenants: 0"),
		"tenants/fr/acme.yaml": tenant("container:\n  replicas: 1\n  cpu: 9\nstate: gone\n"),
		"tenants/fr/beta.yaml": "name: beta\nregion: fr\ntier: huge\nruntime: vm\nvm: {instances: 1}\n",
	})
	_, err := LoadProject(root)
	want := strings.Join([]string{
		"regions/fr.yaml:7:13: maxTenants: must be at least 1 (got 0)",
		"tenants/fr/acme.yaml:7:13: container.replicas: must be at least 2 (got 1)",
		"tenants/fr/acme.yaml:8:8: container.cpu: must be a multiple of 0.25 between 0.25 and 4 (got 9)",
		`tenants/fr/acme.yaml:9:8: state: must be one of active, suspended, decommissioned (got "gone")`,
		`tenants/fr/beta.yaml:3:7: tier: must be one of small, standard, large (got "huge")`,
		"tenants/fr/beta.yaml:5:17: vm.instances: must be at least 2 (got 1)",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	var ds Diagnostics
	if !errors.As(err, &ds) || len(ds) != 6 {
		t.Fatalf("want 6 Diagnostics, got %T %v", err, err)
	}
}

func TestLoadRegionOnlyReadsItsTenants(t *testing.T) {
	uk := strings.Replace(baseTenant, "region: fr", "region: uk", 1)
	root := writeProject(t, map[string]string{
		"regions/uk.yaml":      ukRegion,
		"tenants/uk/acme.yaml": uk, // same name as fr's acme: only LoadProject sees it
		"tenants/uk/bad.yaml":  "name: bad\nregion: uk\ntier: nope\nruntime: container\n",
	})
	p, err := LoadRegion(root, "fr")
	if err != nil {
		t.Fatalf("LoadRegion(fr): %v", err)
	}
	if got := len(p.Tenants); got != 1 || p.Tenants[0].Region != "fr" {
		t.Errorf("LoadRegion(fr) tenants = %d (%v)", got, p.Tenants)
	}
	if got := strings.Join(p.RegionNames(), ","); got != "fr,uk" {
		t.Errorf("RegionNames = %s", got)
	}
	if _, err := LoadRegion(root, "uk"); err == nil || !strings.Contains(err.Error(), `tenants/uk/bad.yaml:3:7: tier:`) {
		t.Errorf("LoadRegion(uk) = %v, want bad.yaml's tier error", err)
	}
	if _, err := LoadRegion(root, "de"); err == nil || !strings.Contains(err.Error(), `regions/de.yaml: region "de" has no region file`) {
		t.Errorf("LoadRegion(de) = %v", err)
	}
	_, err = LoadProject(root)
	if err == nil || !strings.Contains(err.Error(), `tenants/uk/acme.yaml:1:7: name: duplicate tenant name "acme"`) {
		t.Errorf("LoadProject = %v, want the duplicate name", err)
	}
}

func TestProjectAccessors(t *testing.T) {
	root := writeProject(t, map[string]string{
		"regions/uk.yaml":       ukRegion,
		"tenants/uk/zeta.yaml":  "name: zeta\nregion: uk\ntier: small\nruntime: vm\n",
		"tenants/fr/delta.yaml": "name: delta\nregion: fr\ntier: large\nruntime: container\n",
		"tenants/fr/.hidden":    "ignored",
		"regions/.keep":         "",
	})
	p, err := LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tn := range p.Tenants {
		names = append(names, tn.Region+"/"+tn.Name)
	}
	if got := strings.Join(names, ","); got != "fr/acme,fr/delta,uk/zeta" {
		t.Errorf("Tenants = %s", got)
	}
	if got := p.TenantsIn("fr"); len(got) != 2 || got[0].Name != "acme" || got[1].Name != "delta" {
		t.Errorf("TenantsIn(fr) = %v", got)
	}
	if got := p.TenantsIn("uk"); len(got) != 1 || got[0].VM == nil || got[0].Container != nil {
		t.Errorf("TenantsIn(uk) = %v", got)
	}
}

// FuzzLoadTenant checks that no input makes the loader panic and that every
// problem is located. The seed corpus runs under plain go test.
func FuzzLoadTenant(f *testing.F) {
	seeds := []string{
		baseTenant,
		tenant("container:\n  image: kpaxcloud.azurecr.io/kpax-server:4.12.1\n  replicas: 3\n  cpu: 0.75\n"),
		vmTenant("vm: {size: Standard_D4s_v5, instances: 3}\ndatabase: {server: 2}\n"),
		tenant("container:\n\treplicas: 3\n"),
		tenant("container:\n  replicas: 99999999999999999999\n"),
		tenant("---\nname: x\n"),
		billionLaughs(),
		"",
		"# comment\n",
		"- a\n",
		"\xff\xfe\x00",
		"name: [\n",
		"{",
		"? [a, b]\n: c\n",
		"!!binary aGVsbG8=\n",
		"name: !custom acme\nregion: fr\n",
		"<<: {name: acme}\n",
		tenant("tags: {tenant: x, a: null, b: [1]}\n"),
		"name: acme\nname: acme\n",
		"container: ~\nvm: {}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	regions := map[string]*Region{}
	if r, err := ParseRegion("regions/fr.yaml", []byte(baseRegion)); err == nil {
		regions["fr"] = r
	} else {
		f.Fatal(err)
	}
	rel := testReleases(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tn, err := ParseTenant("tenants/fr/acme.yaml", data, regions, rel)
		if err == nil {
			if tn == nil || (tn.Container == nil) == (tn.VM == nil) || tn.State == "" || tn.DNS.Hostname == "" {
				t.Fatalf("valid tenant not fully defaulted: %+v", tn)
			}
			return
		}
		var ds Diagnostics
		if !errors.As(err, &ds) || len(ds) == 0 {
			t.Fatalf("error %T is not Diagnostics: %v", err, err)
		}
		for _, d := range ds {
			if d.File != "tenants/fr/acme.yaml" || d.Line <= 0 || d.Col <= 0 || d.Message == "" {
				t.Fatalf("unlocated diagnostic %#v", d)
			}
		}
	})
}
