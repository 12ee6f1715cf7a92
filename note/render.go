// Rendering: a note worded by a catalog, as Markdown or as a standalone
// HTML page.

package note

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"regexp"
	"strings"
)

// worded is a note in one language, ready for either format.
type worded struct {
	Lang, Title, Intro, GapsLine, GapMark, GlanceHead, HeldWord, GapWord, About string
	Glance                                                                      []glanceRow
	Sections                                                                    []wordedSection
}

type glanceRow struct {
	Promise string
	Held    bool
}

type wordedSection struct {
	Title string
	Items []wordedItem
}

type wordedItem struct {
	Text string
	Gap  bool
	Sub  []string
}

// word turns a note into sentences of one catalog; a sentence the catalog
// lacks is an error, never an empty line.
func word(n *Note, c *Catalog) (*worded, error) {
	head := map[string]any{
		"name": n.DisplayName, "tenant": n.Tenant, "stack": n.Stack,
		"commit": n.Commit, "date": n.CommitDate, "count": len(n.Gaps()),
	}
	w := &worded{Lang: c.Lang}
	for _, f := range []struct {
		dst *string
		key string
	}{{&w.Title, "title"}, {&w.Intro, "intro"}, {&w.GapMark, "gap"}, {&w.GlanceHead, "glance"}, {&w.HeldWord, "held"}, {&w.GapWord, "not-held"}, {&w.About, "about"}} {
		s, err := c.word(f.key, head)
		if err != nil {
			return nil, err
		}
		*f.dst = s
	}
	if len(n.Gaps()) > 0 {
		s, err := c.word("gaps", head)
		if err != nil {
			return nil, err
		}
		w.GapsLine = s
	}
	for _, p := range Promises {
		label, ok := c.Promises[string(p)]
		if !ok {
			return nil, errorf(c, "no promise %q", p)
		}
		w.Glance = append(w.Glance, glanceRow{Promise: strings.TrimSpace(label), Held: n.Held(p)})
	}
	for _, s := range n.Sections {
		title, ok := c.Sections[s.Key]
		if !ok {
			return nil, errorf(c, "no section %q", s.Key)
		}
		ws := wordedSection{Title: title}
		for _, st := range s.Statements {
			text, err := c.sentence(st)
			if err != nil {
				return nil, err
			}
			item := wordedItem{Text: text, Gap: st.Gap}
			for _, sub := range st.Items {
				t, err := c.sentence(sub)
				if err != nil {
					return nil, err
				}
				item.Sub = append(item.Sub, t)
			}
			ws.Items = append(ws.Items, item)
		}
		w.Sections = append(w.Sections, ws)
	}
	return w, nil
}

// Markdown renders a note in one language.
func Markdown(n *Note, c *Catalog) ([]byte, error) {
	w, err := word(n, c)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# " + w.Title + "\n\n" + w.Intro + "\n\n")
	b.WriteString("| " + w.GlanceHead + " | |\n|---|---|\n")
	for _, g := range w.Glance {
		mark := "✓ " + w.HeldWord
		if !g.Held {
			mark = "✗ " + w.GapWord
		}
		b.WriteString("| " + g.Promise + " | " + mark + " |\n")
	}
	b.WriteString("\n")
	if w.GapsLine != "" {
		b.WriteString("> ⚠ " + w.GapsLine + "\n\n")
	}
	for _, s := range w.Sections {
		b.WriteString("## " + s.Title + "\n\n")
		for _, it := range s.Items {
			text := it.Text
			if it.Gap {
				text = "**✗ " + w.GapMark + "** " + text
			}
			b.WriteString("- " + text + "\n")
			for _, sub := range it.Sub {
				b.WriteString("  - " + sub + "\n")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("---\n\n" + w.About + "\n")
	return b.Bytes(), nil
}

//go:embed note.html.tmpl
var pageTemplate string

var page = template.Must(template.New("note").Funcs(template.FuncMap{"inline": inline}).Parse(pageTemplate))

var codeSpan = regexp.MustCompile("`([^`]*)`")

// inline escapes a sentence and turns its `code` spans into <code>.
func inline(s string) template.HTML {
	escaped := template.HTMLEscapeString(s)
	return template.HTML(codeSpan.ReplaceAllString(escaped, "<code>$1</code>"))
}

// HTML renders a note as one standalone page: inline style, no script,
// nothing fetched, laid out for A4 print.
func HTML(n *Note, c *Catalog) ([]byte, error) {
	w, err := word(n, c)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := page.Execute(&b, w); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func errorf(c *Catalog, format string, args ...any) error {
	return fmt.Errorf("note/lang/%s.yaml: "+format, append([]any{c.Lang}, args...)...)
}
