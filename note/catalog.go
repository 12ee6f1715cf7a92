// The catalogs: every sentence of the note, per language, in lang/*.yaml.

package note

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

//go:embed lang/*.yaml
var langFiles embed.FS

// Catalog is one language's wording of the note.
type Catalog struct {
	Lang     string `yaml:"-"`
	Language string `yaml:"language"`
	// Words are the small words the renderer needs: "and", the gap mark.
	Words map[string]string `yaml:"words"`
	// Units name a count of days, weeks, months or years: [singular, plural].
	Units map[string][2]string `yaml:"units"`
	// Sections, Promises, Terms and Statements are keyed as the note
	// builds them; a statement is a text/template over its Args.
	Sections   map[string]string `yaml:"sections"`
	Promises   map[string]string `yaml:"promises"`
	Terms      map[string]string `yaml:"terms"`
	Statements map[string]string `yaml:"statements"`
	// Exceptions word the published rules' exception reasons by rule ID;
	// a rule missing here keeps the English reason the rule gives.
	Exceptions map[string]string `yaml:"exceptions"`

	parsed map[string]*template.Template
}

// Languages lists the catalogs' languages (en, fr), sorted.
func Languages() []string {
	entries, _ := langFiles.ReadDir("lang")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// LoadCatalog reads one language's catalog and parses its sentences.
func LoadCatalog(lang string) (*Catalog, error) {
	data, err := langFiles.ReadFile(path.Join("lang", lang+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("no note in language %q: the languages are %s (note/lang/*.yaml)", lang, strings.Join(Languages(), ", "))
	}
	c := &Catalog{Lang: lang}
	if err := yaml.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("note/lang/%s.yaml: %w", lang, err)
	}
	c.parsed = map[string]*template.Template{}
	parse := func(kind string, m map[string]string) error {
		for k, v := range m {
			t, err := template.New(kind + "." + k).Option("missingkey=error").Funcs(template.FuncMap{
				"list": c.list, "code": c.code,
			}).Parse(v)
			if err != nil {
				return fmt.Errorf("note/lang/%s.yaml: %s %s: %w", lang, kind, k, err)
			}
			c.parsed[kind+"."+k] = t
		}
		return nil
	}
	for kind, m := range map[string]map[string]string{"statements": c.Statements, "terms": c.Terms, "words": c.Words} {
		if err := parse(kind, m); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// execute words one template of the catalog.
func (c *Catalog) execute(kind, key string, data map[string]any) (string, error) {
	t := c.parsed[kind+"."+key]
	if t == nil {
		return "", fmt.Errorf("note/lang/%s.yaml: no %s %q", c.Lang, kind, key)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("note/lang/%s.yaml: %s %s: %w", c.Lang, kind, key, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// Word is one of the catalog's small words, filled with data.
func (c *Catalog) word(key string, data map[string]any) (string, error) {
	return c.execute("words", key, data)
}

// sentence words a statement: its values first (terms translated,
// periods counted, reasons looked up), then its template.
func (c *Catalog) sentence(s Statement) (string, error) {
	data := map[string]any{}
	for k, v := range s.Args {
		data[k] = v
	}
	for k, v := range s.Args {
		w, err := c.value(v, data)
		if err != nil {
			return "", fmt.Errorf("statement %s: %s: %w", s.Key, k, err)
		}
		data[k] = w
	}
	return c.execute("statements", s.Key, data)
}

// value words one argument: a term (itself a template over the
// statement's plain values), a list of terms, a period, a reason.
func (c *Catalog) value(v any, data map[string]any) (any, error) {
	switch x := v.(type) {
	case Term:
		return c.execute("terms", string(x), data)
	case []Term:
		out := make([]string, len(x))
		for i, t := range x {
			w, err := c.execute("terms", string(t), data)
			if err != nil {
				return nil, err
			}
			out[i] = w
		}
		return out, nil
	case Period:
		return c.period(x)
	case Reason:
		if r, ok := c.Exceptions[x.Rule]; ok {
			return strings.TrimSpace(r), nil
		}
		return x.English, nil
	}
	return v, nil
}

var periodRE = regexp.MustCompile(`^P(\d+)([DWMY])$`)

// period words an ISO 8601 duration of one unit: P4W is "4 weeks".
func (c *Catalog) period(p Period) (string, error) {
	m := periodRE.FindStringSubmatch(string(p))
	if m == nil {
		return "", fmt.Errorf("period %q is not a whole number of days, weeks, months or years", p)
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]string{"D": "day", "W": "week", "M": "month", "Y": "year"}[m[2]]
	forms := c.Units[unit]
	if n == 1 {
		return "1 " + forms[0], nil
	}
	return strconv.Itoa(n) + " " + forms[1], nil
}

// list joins values in the language: "1, 2 and 3".
func (c *Catalog) list(v any) string {
	var items []string
	switch x := v.(type) {
	case []string:
		items = x
	case string:
		return x
	default:
		return fmt.Sprint(v)
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + c.Words["and"] + " " + items[len(items)-1]
}

// code is list with each value as code: "`a`, `b` and `c`".
func (c *Catalog) code(v any) string {
	switch x := v.(type) {
	case []string:
		quoted := make([]string, len(x))
		for i, s := range x {
			quoted[i] = "`" + s + "`"
		}
		return c.list(quoted)
	case string:
		return "`" + x + "`"
	}
	return "`" + fmt.Sprint(v) + "`"
}
