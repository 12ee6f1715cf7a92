package spec

import "testing"

// TestLandedFilesLoad checks that the project's own region and tenant files
// are valid: they are the fixture of every later test and of the plan.
func TestLandedFilesLoad(t *testing.T) {
	p, err := LoadProject("..")
	if err != nil {
		t.Fatalf("LoadProject(..):\n%v", err)
	}
	if len(p.Regions) != len(knownRegions) {
		t.Errorf("got regions %v, want all of %v", p.RegionNames(), KnownRegionNames())
	}
	for _, name := range p.RegionNames() {
		if len(p.TenantsIn(name)) == 0 {
			t.Errorf("region %s has no tenants", name)
		}
		rp, err := LoadRegion("..", name)
		if err != nil {
			t.Fatalf("LoadRegion(.., %s): %v", name, err)
		}
		for _, tn := range rp.Tenants {
			if tn.Region != name {
				t.Errorf("LoadRegion(%s) loaded tenant %s of region %s", name, tn.Name, tn.Region)
			}
		}
		if len(rp.Tenants) != len(p.TenantsIn(name)) {
			t.Errorf("LoadRegion(%s) has %d tenants, LoadProject %d", name, len(rp.Tenants), len(p.TenantsIn(name)))
		}
	}
}
