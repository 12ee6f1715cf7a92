// The harness of the engine tests: the real Pulumi CLI (built once from
// tools/pulumi into a cache outside the repo), the simulated Azure installed
// as its provider plugins, and one scratch project, file backend and cloud per
// stack under test. The program runs as an Automation API inline program over
// the scratch copy, exactly as `pulumi up` runs it from the project root.

package lifecycle

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/kpax/kpax-cloud/components"
	"github.com/kpax/kpax-cloud/pipeline"
	"github.com/kpax/kpax-cloud/program"
	"github.com/kpax/kpax-cloud/simazure"
	"github.com/kpax/kpax-cloud/spec"
)

// The providers the program asks for: the simulated Azure is installed at
// exactly their versions (the CLI's is pipeline.CheckVersions').
const (
	modAzureNative = "github.com/pulumi/pulumi-azure-native-sdk/v2"
	modRandom      = "github.com/pulumi/pulumi-random/sdk/v4"
)

// repoRoot is the project root (this package's parent).
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Dir(wd)
}

// engine is what every stack under test shares: the CLI and PULUMI_HOME
// with the simulated providers installed.
type engine struct {
	cli      auto.PulumiCommand
	cliPath  string
	home     string
	versions map[string]string
	// cliVersion is .pulumi.version's, as a module version (v3.276.0).
	cliVersion string
}

var (
	engineOnce sync.Once
	engineVal  *engine
	engineErr  error
)

// requireEngine returns the shared engine, built on first use. Outside CI,
// `go test -short` skips the engine tests; in CI nothing may skip, so a
// missing engine fails.
func requireEngine(t testing.TB) *engine {
	t.Helper()
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("engine tests need the Pulumi CLI build; -short skips them outside CI")
	}
	engineOnce.Do(func() { engineVal, engineErr = newEngine() })
	if engineErr != nil {
		t.Fatalf("engine: %v", engineErr)
	}
	return engineVal
}

// enginePlugins is where the simulated providers are installed: one
// PULUMI_HOME for the whole test process.
var enginePlugins string

func newEngine() (*engine, error) {
	root := repoRoot()
	versions, err := pipeline.RequiredVersions(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	// The CLI is the one every workflow installs (.pulumi.version), which
	// must be the SDK's and tools/pulumi's too.
	cliVersion, err := pipeline.CheckVersions(root)
	if err != nil {
		return nil, err
	}
	for _, m := range []string{modAzureNative, modRandom} {
		if versions[m] == "" {
			return nil, fmt.Errorf("go.mod requires no %s", m)
		}
	}
	cliRoot, err := buildCLI(root, cliVersion)
	if err != nil {
		return nil, err
	}
	home, err := os.MkdirTemp("", "kpax-engine-home-")
	if err != nil {
		return nil, err
	}
	enginePlugins = home
	if err := installProviders(root, home, versions); err != nil {
		return nil, err
	}
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: cliRoot, Version: semver.MustParse(strings.TrimPrefix(cliVersion, "v"))})
	if err != nil {
		return nil, err
	}
	return &engine{cli: cli, cliPath: filepath.Join(cliRoot, "bin", "pulumi"), home: home, versions: versions, cliVersion: cliVersion}, nil
}

// cliCacheRoot is where the CLI of a version is cached, outside the repo:
// $XDG_CACHE_HOME/kpax-cloud/pulumi-<version> (~/.cache on Linux).
func cliCacheRoot(version string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "kpax-cloud", "pulumi-"+version), nil
}

// buildCLI builds the pinned CLI once per version and caches it; a cached
// CLI that reports another version is rebuilt.
func buildCLI(root, version string) (string, error) {
	cache, err := cliCacheRoot(version)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "bin", "pulumi")
	if out, err := exec.Command(bin, "version").Output(); err == nil && strings.TrimSpace(string(out)) == version {
		return cache, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid())
	cmd := exec.Command("go", "build", "-C", filepath.Join(root, "tools", "pulumi"), "-o", tmp,
		"-ldflags", "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version="+version,
		"github.com/pulumi/pulumi/pkg/v3/cmd/pulumi")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the Pulumi CLI %s: %v\n%s", version, err, out)
	}
	return cache, os.Rename(tmp, bin)
}

// installProviders builds the simulator's plugin and installs it as the
// azure-native, random and time providers, at exactly the versions go.mod's SDKs
// ask for: a program that asks for any other version finds no plugin.
func installProviders(root, home string, versions map[string]string) error {
	bin := filepath.Join(home, "pulumi-resource-sim")
	cmd := exec.Command("go", "build", "-o", bin, "./simazure/cmd/pulumi-resource-sim")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the simulated Azure: %v\n%s", err, out)
	}
	// The time provider has no Go module here: its version is the one the
	// program asks for (components/propagation.go).
	plugins := map[string]string{"azure-native": versions[modAzureNative], "random": versions[modRandom], "time": "v" + components.TimeProviderVersion}
	for pkg, version := range plugins {
		dir := filepath.Join(home, "plugins", fmt.Sprintf("resource-%s-%s", pkg, version))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := copyFile(bin, filepath.Join(dir, "pulumi-resource-"+pkg), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// world is one stack under test: a scratch copy of the project, its own file
// backend and its own simulated cloud.
type world struct {
	t     testing.TB
	e     *engine
	name  string
	dir   string
	cloud *simazure.Cloud
	env   map[string]string
	stack auto.Stack
}

// newWorld copies the project's inputs into a scratch folder and creates the
// stack there, on a fresh backend and an empty cloud (but for what exists
// outside the program: the region's registry).
func newWorld(t testing.TB, stackName string) *world {
	t.Helper()
	return newWorldFrom(t, repoRoot(), stackName)
}

// newWorldFrom is newWorld over the project under src.
func newWorldFrom(t testing.TB, src, stackName string) *world {
	t.Helper()
	e := requireEngine(t)
	base := t.TempDir()
	dir := filepath.Join(base, "project")
	if err := copyProject(src, dir); err != nil {
		t.Fatal(err)
	}
	cloud, err := simazure.Open(filepath.Join(base, "cloud"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, e: e, name: stackName, dir: dir, cloud: cloud}
	w.env = map[string]string{
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(base, "backend"),
		"PULUMI_CONFIG_PASSPHRASE":                    "kpax-engine-tests",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_SKIP_CHECKPOINTS":                     "true",
		"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK":    "false",
		simazure.EnvCloud:                             cloud.Dir(),
		// No trap is armed unless a test arms one (interrupt_test.go).
		simazure.EnvInterrupt: filepath.Join(base, "trap.json"),
	}
	if err := os.MkdirAll(filepath.Join(base, "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := seedOutside(dir, stackName, cloud); err != nil {
		t.Fatal(err)
	}
	w.open()
	return w
}

// subscribe makes the subscription of the world's stack file exist in the
// cloud, as the stack's own subscription does in Azure. The program runs
// with no ARM_SUBSCRIPTION_ID, so the file's azure-native:subscriptionId is
// all the provider has: a stack file without one fails at its first
// resource.
func (w *world) subscribe() {
	w.t.Helper()
	if sub := w.subscription(); sub != "" {
		if err := w.cloud.AddSubscription(sub); err != nil {
			w.t.Fatal(err)
		}
	}
}

// subscription is the world's stack's subscription, as its stack file says.
func (w *world) subscription() string {
	w.t.Helper()
	proj, err := spec.LoadProject(w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	return proj.Stack(w.name).Subscription()
}

// open creates or selects the world's stack, in its subscription.
func (w *world) open() {
	w.t.Helper()
	w.subscribe()
	stack, err := auto.UpsertStackInlineSource(context.Background(), w.name, program.Project, w.program,
		auto.WorkDir(w.dir), auto.Pulumi(w.e.cli), auto.PulumiHome(w.e.home), auto.EnvVars(w.env), auto.SecretsProvider("passphrase"))
	if err != nil {
		w.t.Fatalf("stack %s: %v", w.name, err)
	}
	w.stack = stack
	// The region's certificate, as docs/tls-certificate.md has the
	// operator set it before the first up.
	w.setCertificate("simulated wildcard PFX, version 1")
}

// setCertificate is `pulumi config set --secret tlsCertificate "$(base64 -w0 wildcard.pfx)"`.
func (w *world) setCertificate(pfx string) {
	w.t.Helper()
	err := w.stack.SetConfig(context.Background(), "kpax-cloud:"+program.ConfigTLSCertificate,
		auto.ConfigValue{Value: base64.StdEncoding.EncodeToString([]byte(pfx)), Secret: true})
	if err != nil {
		w.t.Fatalf("stack %s: config set tlsCertificate: %v", w.name, err)
	}
}

// sibling is another stack of the same project, backend and cloud: another
// stamp of the region.
func (w *world) sibling(stackName string) *world {
	w.t.Helper()
	s := &world{t: w.t, e: w.e, name: stackName, dir: w.dir, cloud: w.cloud, env: w.env}
	s.open()
	return s
}

// program is the stack's program over the scratch copy: what main.go runs
// from the project root.
func (w *world) program(ctx *pulumi.Context) error {
	return program.Deploy(ctx, w.dir, ctx.Export)
}

// copyProject copies what the program and the validator read: the Pulumi
// files, rollout.yaml, releases.yaml, regions and tenants.
func copyProject(from, to string) error {
	keep := func(rel string) bool {
		return rel == "Pulumi.yaml" || rel == "rollout.yaml" || rel == spec.ReleasesFile || (strings.HasPrefix(rel, "Pulumi.") && strings.HasSuffix(rel, ".yaml")) ||
			strings.HasPrefix(rel, "regions"+string(filepath.Separator)) || strings.HasPrefix(rel, "tenants"+string(filepath.Separator))
	}
	return filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if info.IsDir() {
			if rel == "." || rel == "regions" || rel == "tenants" || strings.HasPrefix(rel, "tenants"+string(filepath.Separator)) {
				return os.MkdirAll(filepath.Join(to, rel), 0o755)
			}
			return filepath.SkipDir
		}
		if !keep(rel) {
			return nil
		}
		return copyFile(p, filepath.Join(to, rel), 0o644)
	})
}

// file is a path in the world's scratch project.
func (w *world) file(rel string) string { return filepath.Join(w.dir, filepath.FromSlash(rel)) }

// edit rewrites a project file through fn.
func (w *world) edit(rel string, fn func(string) string) {
	w.t.Helper()
	data, err := os.ReadFile(w.file(rel))
	if err != nil {
		w.t.Fatal(err)
	}
	next := fn(string(data))
	if next == string(data) {
		w.t.Fatalf("edit of %s changed nothing", rel)
	}
	if err := os.WriteFile(w.file(rel), []byte(next), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// TestPulumiCLI: the CLI the engine tests run is built from tools/pulumi at
// the version of .pulumi.version, which every workflow installs and which
// is the SDK's, and it reports that version (the Automation API refuses a
// CLI that prints none).
func TestPulumiCLI(t *testing.T) {
	e := requireEngine(t)
	out, err := exec.Command(e.cliPath, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != e.cliVersion || got != e.versions[pipeline.ModSDK] {
		t.Errorf("pulumi version = %q, want .pulumi.version's %s, the SDK's %s", got, e.cliVersion, e.versions[pipeline.ModSDK])
	}
}
