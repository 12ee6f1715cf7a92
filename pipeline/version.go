// Package pipeline holds what the delivery pipeline and the tests must agree
// on: the one Pulumi version that every workflow installs, the engine tests
// build and the program's SDK is, and the order in which a change reaches
// the stacks.
package pipeline

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// VersionFile is the file, at the project root, that names the Pulumi CLI
// version. pulumi/actions reads it (input pulumi-version-file) as a semver
// range, so it holds the bare version and nothing else.
const VersionFile = ".pulumi.version"

// The modules whose versions must be the CLI's: the SDK the program is built
// with (go.mod) and the pkg/v3 the engine tests build the CLI from
// (tools/pulumi/go.mod).
const (
	ModSDK = "github.com/pulumi/pulumi/sdk/v3"
	ModPkg = "github.com/pulumi/pulumi/pkg/v3"
)

var exactVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// PulumiVersion reads VersionFile under root and returns it as a Go module
// version ("v3.276.0"). An exact version is required: a range would let the
// workflows install another CLI than the tests ran.
func PulumiVersion(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, VersionFile))
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(data))
	if !exactVersion.MatchString(v) {
		return "", fmt.Errorf("%s: must hold one exact version like 3.276.0, which pulumi/actions installs (got %q)", VersionFile, v)
	}
	return "v" + v, nil
}

// RequiredVersions reads the module versions a go.mod requires, by path.
func RequiredVersions(gomod string) (map[string]string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && strings.HasPrefix(fields[1], "v") && strings.Contains(fields[0], ".") {
			out[fields[0]] = fields[1]
		}
	}
	return out, sc.Err()
}

// CheckVersions holds the three places that name the Pulumi version to one
// value: VersionFile, go.mod's SDK and tools/pulumi's pkg/v3. It returns the
// version ("v3.276.0") when they agree.
func CheckVersions(root string) (string, error) {
	want, err := PulumiVersion(root)
	if err != nil {
		return "", err
	}
	var problems []string
	for _, c := range []struct{ gomod, mod string }{
		{"go.mod", ModSDK},
		{filepath.Join("tools", "pulumi", "go.mod"), ModPkg},
	} {
		vs, err := RequiredVersions(filepath.Join(root, c.gomod))
		if err != nil {
			return "", err
		}
		if got := vs[c.mod]; got != want {
			problems = append(problems, fmt.Sprintf("%s requires %s %s", c.gomod, c.mod, orNone(got)))
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("%s says %s, but %s: move them together (README, \"Upgrading Pulumi\")", VersionFile, strings.TrimPrefix(want, "v"), strings.Join(problems, " and "))
	}
	return want, nil
}

func orNone(v string) string {
	if v == "" {
		return "at no version"
	}
	return v
}
