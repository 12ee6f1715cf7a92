package note

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/kpax/kpax-cloud/rules"
)

// fields lists the values a template reads (.name), sorted.
func fields(t *testing.T, text string) []string {
	t.Helper()
	trees, err := parse.Parse("x", text, "", "", map[string]any{"list": fields, "code": fields})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			seen[strings.Join(n.Ident, ".")] = true
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(trees["x"].Root)
	return slices.Sorted(maps.Keys(seen))
}

// TestCatalogsAgree: every language words the same sentences, terms,
// sections and promises, each reading the same values; a sentence added in
// one file and not the other fails here, not in a customer's note.
func TestCatalogsAgree(t *testing.T) {
	en, err := LoadCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	if got := Languages(); strings.Join(got, ",") != "en,fr" {
		t.Errorf("languages = %v, want en and fr", got)
	}
	for _, lang := range Languages() {
		c, err := LoadCatalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		for kind, pair := range map[string][2]map[string]string{
			"statements": {en.Statements, c.Statements}, "terms": {en.Terms, c.Terms}, "words": {en.Words, c.Words},
			"sections": {en.Sections, c.Sections}, "promises": {en.Promises, c.Promises},
		} {
			if a, b := slices.Sorted(maps.Keys(pair[0])), slices.Sorted(maps.Keys(pair[1])); strings.Join(a, " ") != strings.Join(b, " ") {
				t.Errorf("%s.yaml %s keys differ from en.yaml:\n en: %v\n %s: %v", lang, kind, a, lang, b)
				continue
			}
			for k, v := range pair[1] {
				if kind == "sections" || kind == "promises" {
					continue
				}
				if a, b := fields(t, pair[0][k]), fields(t, v); strings.Join(a, " ") != strings.Join(b, " ") {
					t.Errorf("%s.yaml %s %s reads %v, en.yaml %v", lang, kind, k, b, a)
				}
			}
		}
		for _, u := range []string{"day", "week", "month", "year"} {
			if c.Units[u][0] == "" || c.Units[u][1] == "" {
				t.Errorf("%s.yaml: unit %s needs its singular and plural", lang, u)
			}
		}
		for _, p := range Promises {
			if c.Promises[string(p)] == "" {
				t.Errorf("%s.yaml: promise %s is not worded", lang, p)
			}
		}
	}
}

// TestEveryExceptionIsTranslated: each exception to a published rule has
// its reason in every language but English (which is the rule's own).
func TestEveryExceptionIsTranslated(t *testing.T) {
	nth := map[string]int{}
	want := map[string]bool{}
	for _, ex := range rules.Exceptions {
		nth[ex.Rule]++
		want[rules.ExceptionKey(ex.Rule, nth[ex.Rule])] = true
	}
	for _, lang := range Languages() {
		if lang == "en" {
			continue
		}
		c, err := LoadCatalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if strings.TrimSpace(c.Exceptions[k]) == "" {
				t.Errorf("%s.yaml: exceptions: no reason for %s (rules/published_table.go)", lang, k)
			}
		}
		for k := range c.Exceptions {
			if !want[k] {
				t.Errorf("%s.yaml: exceptions: %s is no exception of rules/published_table.go", lang, k)
			}
		}
	}
}

var keyLiteral = regexp.MustCompile(`Key: +"([a-z][a-z0-9.-]+)"|key(?:, gap)? :?= "([a-z][a-z0-9.-]+)"|\{"(item\.[a-z-]+)", "`)

// TestEveryStatementIsWritten: the sentences the code can emit are exactly
// the catalog's: no code path without words, no words no code path writes.
func TestEveryStatementIsWritten(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(string(b), -1) {
			for _, g := range m[1:] {
				if g != "" {
					used[g] = true
				}
			}
		}
	}
	en, err := LoadCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	var missing, unused []string
	for k := range en.Sections {
		delete(used, k)
	}
	for k := range used {
		if _, ok := en.Statements[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range en.Statements {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("the code writes statements the catalogs lack: %v", missing)
	}
	if len(unused) > 0 {
		t.Errorf("the catalogs word statements no code writes: %v", unused)
	}
	if len(used) < 60 {
		t.Errorf("found only %d statement keys in the code: has the way keys are written changed? (keyLiteral)", len(used))
	}
}
