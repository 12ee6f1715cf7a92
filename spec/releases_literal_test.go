package spec

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// serverVersionRe is a KPAX server image with a tag, as Go code would hold
// one: the version belongs in releases.yaml.
var serverVersionRe = regexp.MustCompile(`kpax-server:v?[0-9]`)

// TestNoServerVersionInGo: no Go file but tests and test data names a KPAX
// server version. A version in Go code would be a release that takes a Go
// change and reaches every ring at once (issue 22); releases.yaml holds the
// versions, and the tiers take the image from the tenant's ring.
func TestNoServerVersionInGo(t *testing.T) {
	rel, diags := loadReleases("..")
	if len(diags) > 0 {
		t.Fatal(diags.Err())
	}
	var quoted []string // the landed versions, as Go string literals
	for _, g := range rel.Rings {
		quoted = append(quoted, `"`+g.Version()+`"`)
	}
	checked := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || (strings.HasPrefix(n, ".") && n != "..") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			bad := serverVersionRe.MatchString(line)
			for _, q := range quoted {
				bad = bad || strings.Contains(line, q)
			}
			if bad {
				t.Errorf("%s:%d: a KPAX server version in Go code: name it in releases.yaml, ring by ring\n\t%s", p, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked %d Go files: the walk missed the module", checked)
	}
}
