// Diagnostics: located errors (file:line:col: path: message), sorted and
// reported together.

package spec

import (
	"fmt"
	"sort"
	"strings"
)

// Diagnostic is one problem found in an input file, located by file, line,
// column and the dotted path of the field responsible.
type Diagnostic struct {
	File    string
	Line    int
	Col     int
	Path    string
	Message string
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, d.Col)
	}
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is every problem of one run. It implements error so that a
// loader can return all of them at once rather than stopping at the first.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds.Sorted() {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sorted returns a copy ordered by file, line, column, path and message, so
// that output is stable however the checks were run.
func (ds Diagnostics) Sorted() Diagnostics {
	out := append(Diagnostics(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Message < b.Message
	})
	return out
}

// Err returns ds as an error, or nil when there is nothing to report.
func (ds Diagnostics) Err() error {
	if len(ds) == 0 {
		return nil
	}
	return ds.Sorted()
}

// Pos is a position in a source file (1-based).
type Pos struct {
	Line, Col int
}

// Source remembers where a value was read from: its file (relative to the
// project root) and the position of every field that was set, by path. It
// lets checks that run long after loading still point at the line to fix.
type Source struct {
	File string
	// Top is the position of the document itself.
	Top    Pos
	fields map[string]Pos
}

// Has reports whether the field at path was written in the file.
func (s Source) Has(path string) bool {
	_, ok := s.fields[path]
	return ok
}

// PosOf returns the position of the field at path, or of its nearest parent
// that was written, or of the document.
func (s Source) PosOf(path string) Pos {
	for p := path; p != ""; {
		if pos, ok := s.fields[p]; ok {
			return pos
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return s.Top
}

// At returns a diagnostic for the field at path, located in this source.
func (s Source) At(path, format string, args ...any) Diagnostic {
	pos := s.PosOf(path)
	return Diagnostic{File: s.File, Line: pos.Line, Col: pos.Col, Path: path, Message: fmt.Sprintf(format, args...)}
}

// set records that the field at path was written at pos.
func (s *Source) set(path string, pos Pos) {
	if s.fields == nil {
		s.fields = make(map[string]Pos)
	}
	s.fields[path] = pos
}

// sub is the part of s under prefix (a list item's fields), with paths
// relative to it; its Top is the item's own position.
func (s Source) sub(prefix string) Source {
	out := Source{File: s.File, Top: s.PosOf(prefix)}
	for p, pos := range s.fields {
		if rest, ok := strings.CutPrefix(p, prefix+"."); ok {
			out.set(rest, pos)
		}
	}
	return out
}
