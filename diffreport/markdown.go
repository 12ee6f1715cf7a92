// The report as a pull request comment.

package diffreport

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kpax/kpax-cloud/plan"
)

// CommentLimit is the most characters a GitHub pull request comment holds
// (the API refuses a longer body: "Body is too long (maximum is 65536
// characters)").
const CommentLimit = 65536

// DefaultBudget leaves room under CommentLimit for the sticky-comment
// action's marker and the workflow's own lines.
const DefaultBudget = 60000

// valueWidth is how much of a value a diff line shows. Longer values are
// shortened around their difference (plan.Around), never cut before it.
const valueWidth = 120

// MarkdownOptions shape the comment.
type MarkdownOptions struct {
	// Budget is the most characters the comment may have; past it, the
	// comment is a summary. 0 means no limit (the full diff).
	Budget int
	// FullDiff says where the full diff is, for the summary: a link or a
	// sentence ("the kpax-diff artifact of this run").
	FullDiff string
}

// Markdown renders the report: the whole diff when it fits the budget,
// otherwise the flagged changes and the counts per stack and tenant.
func (r *Report) Markdown(o MarkdownOptions) string {
	full := r.full()
	if o.Budget <= 0 || len(full) <= o.Budget {
		return full
	}
	return r.summary(o, len(full))
}

func (r *Report) header(b *strings.Builder) {
	fmt.Fprintf(b, "## kpax diff against `%s`\n\n", r.Base)
	// The release's summary reads first, in full and summary alike.
	b.WriteString(r.Release)
}

func (r *Report) full() string {
	var b strings.Builder
	r.header(&b)
	for _, f := range r.Flags {
		fmt.Fprintf(&b, "- **⚠ %s**\n", f.Message)
	}
	if len(r.Flags) > 0 {
		b.WriteString("\n")
	}
	if len(r.Stacks) == 0 {
		b.WriteString("No resource changes.\n")
	}
	for _, st := range r.Stacks {
		fmt.Fprintf(&b, "### `%s`: %s\n", st.Name, st.Counts.all())
		for _, sec := range st.Sections {
			fmt.Fprintf(&b, "\n#### %s: %s\n\n", sec.title(st.Name), sec.Counts.nonZero(len(sec.Tenants) > 1))
			if len(sec.Tenants) > 1 {
				fmt.Fprintf(&b, "Tenants: %s. Below, `%s` stands for each one's name.\n\n", names(sec.Tenants), Placeholder)
			}
			for _, c := range sec.Changes {
				writeChange(&b, c)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// title is a section's heading.
func (s Section) title(stack string) string {
	switch len(s.Tenants) {
	case 0:
		return "region platform"
	case 1:
		return "tenant `" + s.Tenants[0] + "`"
	default:
		return fmt.Sprintf("the same change on %d tenants of `%s`", len(s.Tenants), stack)
	}
}

func names(tenants []string) string {
	quoted := make([]string, len(tenants))
	for i, t := range tenants {
		quoted[i] = "`" + t + "`"
	}
	return strings.Join(quoted, ", ")
}

var marks = map[string]string{"add": "+", "delete": "-", "update": "~", "replace": "+-"}

func writeChange(b *strings.Builder, c Change) {
	fmt.Fprintf(b, "- `%s` %s `%s`", marks[c.Kind], c.Type, c.Name)
	if c.Protected {
		b.WriteString(" (protected)")
	}
	if c.Shared {
		b.WriteString(" (shared by the region's tenants; this tenant's entries)")
	}
	if len(c.Edits) > 0 {
		b.WriteString(":")
	}
	b.WriteString("\n")
	for _, e := range c.Edits {
		writeEdit(b, e)
	}
}

func writeEdit(b *strings.Builder, e plan.Edit) {
	rep := ""
	if e.Replaces {
		rep = " **forces replacement**"
	}
	entry := strings.HasSuffix(e.Path, "]")
	switch {
	case e.Kind == "update" && changedLines(b, e, rep):
	case e.Kind == "update":
		old, cur := plan.Around(e.Old, e.New, valueWidth)
		fmt.Fprintf(b, "  - `~` `%s`: %s → %s%s\n", e.Path, code(old), code(cur), rep)
	case e.Kind == "delete" && entry:
		fmt.Fprintf(b, "  - `-` `%s`%s\n", e.Path, rep)
	case e.Kind == "delete":
		fmt.Fprintf(b, "  - `-` `%s`: %s%s\n", e.Path, code(valueText(e.Old)), rep)
	default:
		m, isMap := e.New.(map[string]any)
		if !isMap {
			fmt.Fprintf(b, "  - `+` `%s`: %s%s\n", e.Path, code(valueText(e.New)), rep)
			return
		}
		// A new entry or object: each of its leaves, so that a reviewer
		// checks a new listener's host name or a rule's priority.
		fmt.Fprintf(b, "  - `+` `%s`%s\n", e.Path, rep)
		for _, l := range leaves("", m) {
			if entry && l.path == "name" {
				continue // the path names the entry already
			}
			fmt.Fprintf(b, "    - `%s`: %s\n", l.path, code(valueText(l.value)))
		}
	}
}

// changedLines writes an update of a text of several lines, plain or
// base64 (a VM extension's script, cloud-init), as the lines removed and
// added, decoded: a reviewer reads "KPAX_URL=..." rather than base64. It
// reports false for any other value.
func changedLines(b *strings.Builder, e plan.Edit, rep string) bool {
	old, encOld := text(e.Old)
	cur, encCur := text(e.New)
	if old == nil || cur == nil || encOld != encCur {
		return false
	}
	removed, added := lineDelta(old, cur)
	how := "lines"
	if encOld {
		how = "base64-decoded lines"
	}
	fmt.Fprintf(b, "  - `~` `%s` (%s removed and added)%s:\n", e.Path, how, rep)
	for _, l := range removed {
		fmt.Fprintf(b, "    - `-` %s\n", code(l))
	}
	for _, l := range added {
		fmt.Fprintf(b, "    - `+` %s\n", code(l))
	}
	return true
}

// text splits a value into lines when it is a text of several lines, or
// base64 of one (encoded is then true).
func text(v any) (lines []string, encoded bool) {
	s, ok := v.(string)
	if !ok {
		return nil, false
	}
	if raw, err := base64.StdEncoding.DecodeString(s); err == nil && len(s) >= 16 && utf8.Valid(raw) && printable(string(raw)) {
		s, encoded = string(raw), true
	}
	if !strings.Contains(strings.TrimSuffix(s, "\n"), "\n") {
		return nil, false
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n"), encoded
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}

// lineDelta are the lines of old not in cur and of cur not in old, in
// their order, counting repeats.
func lineDelta(old, cur []string) (removed, added []string) {
	return minusLines(old, cur), minusLines(cur, old)
}

// minusLines is the lines of a that b does not match one for one.
func minusLines(a, b []string) []string {
	left := map[string]int{}
	for _, l := range b {
		left[l]++
	}
	var out []string
	for _, l := range a {
		if left[l] > 0 {
			left[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}

type leaf struct {
	path  string
	value any
}

// leaves flattens an object to its scalar (or list) values, by path; an
// object that holds only an ID (a reference to a sibling) is one leaf.
func leaves(prefix string, m map[string]any) []leaf {
	var out []leaf
	for _, k := range sortedKeys(m) {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if sub, ok := m[k].(map[string]any); ok && len(sub) > 0 {
			out = append(out, leaves(p, sub)...)
			continue
		}
		out = append(out, leaf{p, m[k]})
	}
	return out
}

// valueText renders a whole value for one line. An Azure resource ID too
// long for the line keeps what follows its last /providers/ (the
// resource's type and name, and the entry it references), which is what a
// reviewer checks; the subscription and group are the stack's own.
func valueText(v any) string {
	if id, ok := v.(string); ok && strings.HasPrefix(id, "/subscriptions/") && len(id) > valueWidth {
		if i := strings.LastIndex(id, "/providers/"); i >= 0 && len(id)-i <= valueWidth {
			return fmt.Sprintf("%q", "…"+id[i:])
		}
	}
	_, s := plan.Around(nil, v, valueWidth)
	return s
}

// code is s as a Markdown code span, whatever backticks it holds.
func code(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// summaryReserve is room kept for the summary's closing lines.
const summaryReserve = 400

// summary is the comment when the full diff exceeds the budget: every flag
// that fits, then a table of counts per stack and section, cut where the
// budget ends with a line that says so.
func (r *Report) summary(o MarkdownOptions, fullLen int) string {
	var b strings.Builder
	r.header(&b)
	where := o.FullDiff
	if where == "" {
		where = "the job's kpax-diff artifact"
	}
	fmt.Fprintf(&b, "The full diff is %d characters, more than this comment's budget of %d; it is in %s. Here: the flagged changes and the counts per stack and tenant.\n\n", fullLen, o.Budget, where)
	room := func(line string) bool { return b.Len()+len(line)+summaryReserve <= o.Budget }
	for i, f := range r.Flags {
		line := fmt.Sprintf("- **⚠ %s**\n", f.Message)
		if !room(line) || b.Len() > o.Budget/2 {
			fmt.Fprintf(&b, "- **⚠ %d more flagged changes: see the full diff.**\n", len(r.Flags)-i)
			break
		}
		b.WriteString(line)
	}
	if len(r.Flags) > 0 {
		b.WriteString("\n")
	}
	for si, st := range r.Stacks {
		head := fmt.Sprintf("### `%s`: %s\n\n| | add | update | replace | delete |\n|---|---:|---:|---:|---:|\n", st.Name, st.Counts.all())
		if !room(head) {
			fmt.Fprintf(&b, "%d more stacks: see the full diff.\n", len(r.Stacks)-si)
			break
		}
		b.WriteString(head)
		for i, sec := range st.Sections {
			label := sec.title(st.Name)
			if len(sec.Tenants) > 1 {
				label += " (each): " + names(sec.Tenants)
			}
			c := sec.Counts
			row := fmt.Sprintf("| %s | %d | %d | %d | %d |\n", label, c.Add, c.Update, c.Replace, c.Delete)
			if !room(row) {
				fmt.Fprintf(&b, "| %d more sections: see the full diff | | | | |\n", len(st.Sections)-i)
				break
			}
			b.WriteString(row)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// all is the four counts, for a stack's heading.
func (c Counts) all() string {
	return fmt.Sprintf("%d to add, %d to update, %d to replace, %d to delete", c.Add, c.Update, c.Replace, c.Delete)
}

// nonZero is the counts that are not zero, for a section's heading.
func (c Counts) nonZero(each bool) string {
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{c.Add, "add"}, {c.Update, "update"}, {c.Replace, "replace"}, {c.Delete, "delete"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", p.n, p.verb))
		}
	}
	s := strings.Join(parts, ", ")
	if each {
		s += " each"
	}
	return s
}
