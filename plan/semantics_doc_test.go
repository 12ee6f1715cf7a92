package plan

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/update-semantics.md from the table")

// TestSemanticsDoc: docs/update-semantics.md is the table of semantics.go,
// rendered; `go test ./plan -update` rewrites it.
func TestSemanticsDoc(t *testing.T) {
	var b strings.Builder
	b.WriteString(`# What a change does on Azure

Generated from ` + "`plan/semantics.go`" + ` by ` + "`go test ./plan -update`" + `: the one table that ` + "`kpax diff`" + `,
` + "`kpax check`" + ` and the simulated Azure read. azure-native v2.90.0 replaces a resource only on its names and path
parameters and on the properties its metadata marks force-new (a top-level create-only property of the REST
spec, or its hand-kept ` + "`forceNewMap`" + `); every other change is sent as an in-place update, which ARM applies,
refuses or ignores. A path not listed is updatable, but for names and path parameters, which replace.

- **replace**: the provider deletes the resource (first, since the program names every resource) and creates it again.
- **refused**: the provider sends an update and ARM refuses it: the ` + "`up`" + ` fails there unless the program replaces
  the resource itself (` + "`replaceOnChanges`" + `, with ` + "`deleteBeforeReplace`" + ` when its name is fixed). A code marked
  ` + "`simulated:`" + ` is one no source shows: the behaviour is sourced, the code is the simulator's.
- **ignored**: the provider sends an update; ARM answers success and keeps the old value.
- **update**: ARM changes the resource in place (listed where a source says so against a nearby refusal).

| Type | Input path | Effect | ARM's answer | Source |
|---|---|---|---|---|
`)
	for _, s := range Semantics() {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", s.Type, orAll(s.Path), s.Effect, orDash(s.Code), strings.ReplaceAll(s.Source, "|", "\\|"))
	}
	path := filepath.Join("..", "docs", "update-semantics.md")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != b.String() {
		t.Errorf("%s is not the table of semantics.go; run go test ./plan -update and review the diff", path)
	}
}

func orAll(path string) string {
	if path == "" {
		return "(every input)"
	}
	return path
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return "`" + s + "`"
}
