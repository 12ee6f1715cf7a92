// Which gate a change of releases.yaml needs: the ring whose image changed
// takes its version from the ring before it, so that ring must have soaked
// it. Read from the file's two versions (the pull request's base and head)
// with a reader of its own: the gate depends on releases.yaml's shape
// (rings in order, each a name and an image, rollback optional), not on the
// spec package's types.

package release

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Ring is one ring of releases.yaml, in the file's order.
type Ring struct {
	Name     string `yaml:"name"`
	Image    string `yaml:"image"`
	Rollback bool   `yaml:"rollback"`
}

// ParseRings reads the rings of releases.yaml, in order: `rings:` is a list
// of {name, image, rollback}, or a mapping from each name to {image,
// rollback}. Unknown fields are ignored: validation is kpax validate's.
func ParseRings(data []byte) ([]Ring, error) {
	var doc struct {
		Rings yaml.Node `yaml:"rings"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("releases.yaml: %w", err)
	}
	var rings []Ring
	switch doc.Rings.Kind {
	case yaml.SequenceNode:
		if err := doc.Rings.Decode(&rings); err != nil {
			return nil, fmt.Errorf("releases.yaml: rings: %w", err)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(doc.Rings.Content); i += 2 {
			var r Ring
			if err := doc.Rings.Content[i+1].Decode(&r); err != nil {
				return nil, fmt.Errorf("releases.yaml: rings.%s: %w", doc.Rings.Content[i].Value, err)
			}
			r.Name = doc.Rings.Content[i].Value
			rings = append(rings, r)
		}
	default:
		return nil, fmt.Errorf("releases.yaml: no rings")
	}
	seen := map[string]bool{}
	for i, r := range rings {
		if r.Name == "" || seen[r.Name] {
			return nil, fmt.Errorf("releases.yaml: rings[%d]: a ring needs a name of its own (got %q)", i, r.Name)
		}
		seen[r.Name] = true
	}
	return rings, nil
}

// Check is one gate a change of releases.yaml needs: Ring must have soaked
// Version (Image) before Promotes gets it. Skip says why none is needed.
type Check struct {
	Ring     string `json:"ring,omitempty"`
	Image    string `json:"image"`
	Version  string `json:"version"`
	Promotes string `json:"promotes"`
	Skip     string `json:"skip,omitempty"`
}

// Promotions are the gates that the change of releases.yaml from base to
// head needs, one per ring whose image changed, in ring order:
//   - the first ring takes a version from no ring: it is the canary, no gate;
//   - a rollback (the head's line says rollback: true, or its version is
//     older than the base's) must not wait for the ring it reverts to: no
//     gate;
//   - any other change promotes the version from the ring before, whose
//     tenants must have run it for the soak: a gate of that ring.
//
// A ring new in head gets a gate too, unless it is the first.
func Promotions(base, head []byte) ([]Check, error) {
	var old []Ring
	if len(strings.TrimSpace(string(base))) > 0 {
		var err error
		if old, err = ParseRings(base); err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
	}
	rings, err := ParseRings(head)
	if err != nil {
		return nil, err
	}
	before := map[string]string{}
	for _, r := range old {
		before[r.Name] = r.Image
	}
	var out []Check
	for i, r := range rings {
		prev, had := before[r.Name]
		if had && prev == r.Image {
			continue
		}
		c := Check{Image: r.Image, Version: Version(r.Image), Promotes: r.Name}
		switch {
		case i == 0:
			c.Skip = fmt.Sprintf("ring %s is the first ring: it takes a version from no other", r.Name)
		case had && older(Version(r.Image), Version(prev)):
			// Only a version that goes back is a rollback: rollback: true
			// on a line that moves forward does not skip the gate.
			c.Skip = fmt.Sprintf("ring %s goes back from %s to %s: a rollback does not wait for a soak", r.Name, Version(prev), Version(r.Image))
		default:
			c.Ring = rings[i-1].Name
		}
		out = append(out, c)
	}
	return out, nil
}

// older reports whether version a is a lower semantic version than b
// (major.minor.patch; a pre-release tag is lower than its release). Tags
// that are not versions compare as not older: a gate then runs.
func older(a, b string) bool {
	pa, oka := semver(a)
	pb, okb := semver(b)
	if !oka || !okb {
		return false
	}
	for i := 0; i < 3; i++ {
		if pa.n[i] != pb.n[i] {
			return pa.n[i] < pb.n[i]
		}
	}
	return pa.pre != "" && (pb.pre == "" || pa.pre < pb.pre)
}

type version struct {
	n   [3]int
	pre string
}

func semver(s string) (version, bool) {
	var v version
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		if s[i] == '-' {
			v.pre = s[i+1:]
		}
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v.n[i] = n
	}
	return v, true
}
