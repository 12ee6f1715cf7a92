// Reading another git revision's inputs (changed files, a base checkout)
// without touching the work tree.

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// git runs git in dir and returns its standard output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// isInput reports whether a project file feeds the program's plan.
func isInput(path string) bool {
	return path == "Pulumi.yaml" || path == "releases.yaml" || (strings.HasPrefix(path, "Pulumi.") && strings.HasSuffix(path, ".yaml")) ||
		strings.HasPrefix(path, "regions/") || strings.HasPrefix(path, "tenants/")
}

// checkoutInputs writes the plan inputs (Pulumi files, releases.yaml, regions/, tenants/) of
// revision rev into a new temporary folder, without touching the work tree.
func checkoutInputs(dir, rev string) (string, error) {
	list, err := git(dir, "ls-tree", "-r", "--name-only", rev)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "kpax-base-")
	if err != nil {
		return "", err
	}
	for _, path := range strings.Split(strings.TrimSpace(list), "\n") {
		if path == "" || !isInput(path) {
			continue
		}
		content, err := git(dir, "show", rev+":"+path)
		if err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
		dst := filepath.Join(tmp, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
		if err := os.WriteFile(dst, []byte(content), 0o644); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	return tmp, nil
}

// changedFiles lists the files that differ between rev and the work tree,
// untracked files included, relative to the repository root.
func changedFiles(dir, rev string) ([]string, error) {
	diff, err := git(dir, "diff", "--name-only", "--relative", "--no-renames", rev, "--", ".")
	if err != nil {
		return nil, err
	}
	untracked, err := git(dir, "ls-files", "--others", "--exclude-standard", "--", ".")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range strings.Fields(diff + "\n" + untracked) {
		seen[f] = true
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out, nil
}
