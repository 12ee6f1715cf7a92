package program

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// pluginManifest is a Go SDK module's pulumi-plugin.json: the provider
// plugin the module's resources need.
type pluginManifest struct {
	Resource bool   `json:"resource"`
	Name     string `json:"name"`
	Version  string `json:"version"`
}

// TestOneProviderVersionPerPlugin: the program is managed by one version of
// each provider. The Go language host installs a plugin for every module of
// the build that carries a pulumi-plugin.json, so a module pinned at another
// version (managedidentity was at v2.81.0) makes a real `pulumi up` download
// and start a second azure-native plugin. And every registration of the
// program asks for that same version.
func TestOneProviderVersionPerPlugin(t *testing.T) {
	cmd := exec.Command("go", "list", "-m", "-json", "all")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	versions := map[string]map[string][]string{} // plugin -> version -> modules
	var want string                              // the root azure-native SDK module's
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var m struct{ Path, Version, Dir string }
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if m.Dir == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(m.Dir, "pulumi-plugin.json"))
		if err != nil {
			continue
		}
		var pm pluginManifest
		if err := json.Unmarshal(data, &pm); err != nil || !pm.Resource {
			continue
		}
		if versions[pm.Name] == nil {
			versions[pm.Name] = map[string][]string{}
		}
		versions[pm.Name][pm.Version] = append(versions[pm.Name][pm.Version], m.Path+"@"+m.Version)
		if m.Path == "github.com/pulumi/pulumi-azure-native-sdk/v2" {
			want = pm.Version
		}
	}
	if len(versions["azure-native"]) == 0 {
		t.Fatal("no azure-native module found: the check sees nothing")
	}
	for name, byVersion := range versions {
		if len(byVersion) > 1 {
			var list []string
			for v, mods := range byVersion {
				list = append(list, v+" (by "+strings.Join(mods, ", ")+")")
			}
			sort.Strings(list)
			t.Errorf("provider %s is asked for at %d versions: %s", name, len(byVersion), strings.Join(list, "; "))
		}
	}
	p, err := Plan("..", "prod-fr")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Resources {
		if r.Custom && strings.HasPrefix(r.Type, "azure-native:") && r.Version != want {
			t.Errorf("%s %s asks for azure-native %q, the modules' version is %s", r.Type, r.Name, r.Version, want)
		}
	}
}
