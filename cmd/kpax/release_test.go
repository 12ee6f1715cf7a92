package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	image4121 = "kpaxcloud.azurecr.io/kpax-server:4.12.1"
	image4130 = "kpaxcloud.azurecr.io/kpax-server:4.13.0"
)

// pinAcme pins acme to 4.12.1 in its file: it is held back from its ring.
func pinAcme(t *testing.T, dir string) {
	edit(t, dir, "tenants/fr/acme.yaml", "\ncontainer:\n", "\ncontainer:\n  image: "+image4121+"\n")
}

// setRing sets ring's image in releases.yaml by hand.
func setRing(t *testing.T, dir, ring, image string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "releases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "- name: "+ring+" ") || strings.TrimSpace(l) == "- name: "+ring {
			lines[i+1] = "    image: " + image
			break
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "releases.yaml"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReleaseStatusGolden: per ring and stack, the tenants and the version
// releases.yaml gives them, pins held back; with the stacks' outputs, what
// runs and what lags.
func TestReleaseStatusGolden(t *testing.T) {
	dir := copyProject(t)
	pinAcme(t, dir)
	setRing(t, dir, "canary", image4130)

	code, out, errs := kpax("release", "status", "--dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d %s%s", code, out, errs)
	}
	golden(t, "release/status.txt", out)
	mustContain(t, out, "acme          4.12.1  held back: its file pins 4.12.1")

	code, out, errs = kpax("release", "status", "--dir", dir, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d %s%s", code, out, errs)
	}
	golden(t, "release/status.json", out)

	// prod-za's outputs alone, as `pulumi stack output --json` prints them:
	// karoo-print's VMs still run the old version. The other stacks in one
	// map; prod-in has not deployed yet.
	za := filepath.Join(t.TempDir(), "prod-za.json")
	writeFile(t, za, `{"region": "za", "stamp": 1, "tenantUrls": {}, "tenantImages": {"cape-office": "`+image4130+`", "karoo-print": "`+image4121+`"}}`)
	rest := filepath.Join(t.TempDir(), "deployed.json")
	writeFile(t, rest, `{
  "prod-ca": {"tenantImages": {"maple-docs": "`+image4121+`", "northwind": "`+image4121+`"}},
  "prod-fr": {"tenantImages": {"acme": "`+image4121+`", "atelier-nord": "`+image4121+`", "bistro-lyon": "`+image4121+`"}},
  "prod-uk": {"tenantImages": {"globex": "`+image4121+`", "thames-print": "`+image4121+`"}},
  "prod-us": {"tenantImages": {"initech": "`+image4121+`", "umbrella": "`+image4121+`"}}
}`)
	code, out, errs = kpax("release", "status", "--dir", dir, "--deployed", za, "--deployed", rest)
	if code != exitOK {
		t.Fatalf("exit %d %s%s", code, out, errs)
	}
	golden(t, "release/status-deployed.txt", out)
	mustContain(t, out, "karoo-print  4.13.0  runs 4.12.1: lags")
	mustContain(t, out, "deccan-print  4.12.1  runs: not deployed")
	mustContain(t, out, "3 tenants behind releases.yaml")
}

// TestReleasePromote: a promotion edits one line of releases.yaml, keeping
// its comments and layout, and prints the tenants it changes; bad input is
// refused with a clear error and changes nothing.
func TestReleasePromote(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, dir string)
		args    []string
		code    int
		// line is the one line of releases.yaml that changes, as it reads
		// after (empty: nothing changes).
		line string
	}{
		{name: "canary", args: []string{"4.13.0", "--ring", "canary"}, code: exitOK, line: "    image: " + image4130},
		{name: "early-after-canary", prepare: func(t *testing.T, dir string) {
			setRing(t, dir, "canary", image4130)
			edit(t, dir, "tenants/uk/thames-print.yaml", "\ncontainer:\n", "\ncontainer:\n  image: "+image4121+"\n")
		}, args: []string{"4.13.0", "--ring", "early"}, code: exitOK, line: "    image: " + image4130},
		{name: "skips-a-ring", args: []string{"4.13.0", "--ring", "early"}, code: exitInvalid},
		{name: "unknown-version", args: []string{"4.13", "--ring", "canary"}, code: exitInvalid},
		{name: "wrong-registry", args: []string{"other.azurecr.io/kpax-server:4.13.0", "--ring", "canary"}, code: exitInvalid},
		{name: "ring-runs-newer", args: []string{"4.12.0", "--ring", "canary"}, code: exitInvalid},
		{name: "unknown-ring", args: []string{"4.13.0", "--ring", "beta"}, code: exitInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyProject(t)
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			before, err := os.ReadFile(filepath.Join(dir, "releases.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			code, out, errs := kpax(append([]string{"release", "promote", "--dir", dir}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errs)
			}
			golden(t, filepath.Join("release", "promote-"+tc.name+".txt"), out+errs)
			after, err := os.ReadFile(filepath.Join(dir, "releases.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			b, a := strings.Split(string(before), "\n"), strings.Split(string(after), "\n")
			var changed []string
			for i := range a {
				if i >= len(b) || a[i] != b[i] {
					changed = append(changed, a[i])
				}
			}
			if len(a) != len(b) || strings.Join(changed, "\n") != tc.line {
				t.Errorf("releases.yaml changed lines %q, want %q", changed, tc.line)
			}
			if tc.code == exitOK {
				if code, out, errs := kpax("validate", "--dir", dir); code != exitOK {
					t.Errorf("the promoted project does not validate: %s%s", out, errs)
				}
			}
		})
	}
}

func TestReplaceScalarKeepsTheLine(t *testing.T) {
	for _, tc := range []struct{ give, want string }{
		{"    image: a:1   # comment\n", "    image: b:2   # comment\n"},
		{"    image: \"a:1\" # quoted\n", "    image: \"b:2\" # quoted\n"},
		{"  - {name: x, image: a:1, rollback: true}\n", "  - {name: x, image: b:2, rollback: true}\n"},
	} {
		col := strings.Index(tc.give, "a:1") + 1
		if strings.Contains(tc.give, "\"a:1\"") {
			col--
		}
		got, _, err := replaceScalar([]byte(tc.give), struct{ Line, Col int }{1, col}, "b:2")
		if err != nil || string(got) != tc.want {
			t.Errorf("replaceScalar(%q) = %q, %v; want %q", tc.give, got, err, tc.want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAffectedByAPromotion: a promotion touches the stacks of its ring's
// tenants, and targets those tenants alone; a pinned tenant is not touched.
func TestAffectedByAPromotion(t *testing.T) {
	dir, commit := gitRepo(t)
	edit(t, dir, "tenants/uk/thames-print.yaml", "\ncontainer:\n", "\ncontainer:\n  image: "+image4121+"\n")
	setRing(t, dir, "canary", image4130)
	commit("canary runs 4.13.0; thames-print pinned")
	if code, out, errs := kpax("release", "promote", "4.13.0", "--ring", "early", "--dir", dir); code != exitOK {
		t.Fatalf("promote: exit %d %s%s", code, out, errs)
	}
	code, out, errs := kpax("affected", "--dir", dir, "--base", "HEAD", "--targets")
	if code != exitOK {
		t.Fatalf("affected: exit %d %s%s", code, out, errs)
	}
	// --targets narrows to what the offline diff changes: the app alone.
	want := `{"stacks":["prod-ca"],"targets":{"prod-ca":["urn:pulumi:prod-ca::kpax-cloud::kpax:components:Tenant$azure-native:app/v20240301:ContainerApp::maple-docs-app"]}}`
	if strings.TrimSpace(out) != want {
		t.Errorf("affected = %s, want %s", out, want)
	}
}
