package release

import (
	"strings"
	"testing"
)

const base = `# The KPAX server of each ring.
rings:
  - name: canary
    image: kpaxcloud.azurecr.io/kpax-server:4.13.0   # since 2026-12-01
  - name: early
    image: kpaxcloud.azurecr.io/kpax-server:4.12.1
  - name: broad
    image: kpaxcloud.azurecr.io/kpax-server:4.12.1
`

// TestPromotions: the gate a change of releases.yaml needs is the ring
// before the ring whose line changed; the canary and rollbacks need none.
func TestPromotions(t *testing.T) {
	tests := []struct {
		name string
		head string
		want []Check
	}{
		{name: "promote to early: gate canary", head: strings.Replace(base, "4.12.1\n  - name: broad", "4.13.0\n  - name: broad", 1),
			want: []Check{{Ring: "canary", Image: "kpaxcloud.azurecr.io/kpax-server:4.13.0", Version: "4.13.0", Promotes: "early"}}},
		{name: "promote to broad: gate early", head: strings.Replace(base, "broad\n    image: kpaxcloud.azurecr.io/kpax-server:4.12.1", "broad\n    image: kpaxcloud.azurecr.io/kpax-server:4.13.0", 1),
			want: []Check{{Ring: "early", Image: "kpaxcloud.azurecr.io/kpax-server:4.13.0", Version: "4.13.0", Promotes: "broad"}}},
		{name: "a new version in canary: no gate", head: strings.Replace(base, "4.13.0   #", "4.14.0   #", 1),
			want: []Check{{Image: "kpaxcloud.azurecr.io/kpax-server:4.14.0", Version: "4.14.0", Promotes: "canary", Skip: "ring canary is the first ring: it takes a version from no other"}}},
		{name: "early and broad at once: each gated by the ring before",
			head: strings.ReplaceAll(base, "4.12.1", "4.13.0"),
			want: []Check{
				{Ring: "canary", Image: "kpaxcloud.azurecr.io/kpax-server:4.13.0", Version: "4.13.0", Promotes: "early"},
				{Ring: "early", Image: "kpaxcloud.azurecr.io/kpax-server:4.13.0", Version: "4.13.0", Promotes: "broad"},
			}},
		{name: "canary back to an older version: a rollback, no gate", head: strings.Replace(base, "4.13.0   #", "4.12.1   #", 1),
			want: []Check{{Image: "kpaxcloud.azurecr.io/kpax-server:4.12.1", Version: "4.12.1", Promotes: "canary", Skip: "ring canary is the first ring: it takes a version from no other"}}},
		{name: "early back to an older version: a rollback, no gate",
			head: strings.Replace(strings.Replace(base, "canary\n    image: kpaxcloud.azurecr.io/kpax-server:4.13.0", "canary\n    image: kpaxcloud.azurecr.io/kpax-server:4.12.0", 1), "early\n    image: kpaxcloud.azurecr.io/kpax-server:4.12.1", "early\n    image: kpaxcloud.azurecr.io/kpax-server:4.12.0", 1),
			want: []Check{
				{Image: "kpaxcloud.azurecr.io/kpax-server:4.12.0", Version: "4.12.0", Promotes: "canary", Skip: "ring canary is the first ring: it takes a version from no other"},
				{Image: "kpaxcloud.azurecr.io/kpax-server:4.12.0", Version: "4.12.0", Promotes: "early", Skip: "ring early goes back from 4.12.1 to 4.12.0: a rollback does not wait for a soak"},
			}},
		// rollback: true on a line that moves forward is no rollback: the
		// gate still runs (the flag alone would be a way around it).
		{name: "rollback: true on a promotion", head: strings.Replace(base, "broad\n    image: kpaxcloud.azurecr.io/kpax-server:4.12.1", "broad\n    image: kpaxcloud.azurecr.io/kpax-server:4.12.3\n    rollback: true", 1),
			want: []Check{{Ring: "early", Image: "kpaxcloud.azurecr.io/kpax-server:4.12.3", Version: "4.12.3", Promotes: "broad"}}},
		{name: "a comment changed: no gate", head: strings.Replace(base, "since 2026-12-01", "since December", 1)},
		{name: "rings as a mapping", head: "rings:\n  canary: {image: kpaxcloud.azurecr.io/kpax-server:4.13.0}\n  early: {image: kpaxcloud.azurecr.io/kpax-server:4.13.0}\n  broad: {image: kpaxcloud.azurecr.io/kpax-server:4.12.1}\n",
			want: []Check{{Ring: "canary", Image: "kpaxcloud.azurecr.io/kpax-server:4.13.0", Version: "4.13.0", Promotes: "early"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Promotions([]byte(base), []byte(tt.head))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("check %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	if got, err := Promotions(nil, []byte(base)); err != nil || len(got) != 3 || got[1].Ring != "canary" || got[2].Ring != "early" {
		t.Errorf("a new releases.yaml: %+v %v", got, err)
	}
	for _, bad := range []string{"rings: 3\n", "rings:\n  - image: x\n", "rings:\n  - name: a\n  - name: a\n", "rings: ["} {
		if _, err := Promotions([]byte(base), []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
