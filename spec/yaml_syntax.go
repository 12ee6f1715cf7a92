// Reading a file as YAML: syntax errors, binary content and the document's
// shape, each reported at its line and column.

package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// parseYAML checks that data is a small text file holding exactly one YAML
// document whose top level is a mapping, and returns that mapping.
func parseYAML(file string, data []byte) (root *yaml.Node, diags Diagnostics) {
	at := func(line, col int, format string, args ...any) Diagnostics {
		return Diagnostics{{File: file, Line: line, Col: col, Message: fmt.Sprintf(format, args...)}}
	}
	if len(data) > maxFileBytes {
		return nil, at(1, 1, "file is larger than 1 MiB (%d bytes)", len(data))
	}
	if line, col, msg := findBinary(data); msg != "" {
		return nil, at(line, col, "%s: this is not a YAML text file", msg)
	}
	// yaml.v3 has had panics on hostile input in the past; a loader must
	// report, never crash.
	defer func() {
		if r := recover(); r != nil {
			root, diags = nil, at(1, 1, "cannot be parsed as YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, at(1, 1, "file is empty")
		}
		return nil, syntaxDiag(file, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		diags = append(diags, at(next.Line, next.Column, "only one YAML document per file")...)
	case !errors.Is(err, io.EOF):
		diags = append(diags, syntaxDiag(file, data, err)...)
	}
	if len(doc.Content) == 0 {
		return nil, append(diags, at(1, 1, "file is empty")...)
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.ShortTag() == "!!null" && top.Value == "" {
		return nil, append(diags, at(top.Line, top.Column, "file is empty")...)
	}
	if top.Kind != yaml.MappingNode {
		return nil, append(diags, at(top.Line, top.Column, "the top level must be a mapping of fields like \"name: acme\" (got %s)", describe(top))...)
	}
	if len(diags) > 0 {
		return nil, diags
	}
	return top, nil
}

// findBinary locates the first byte that cannot be in a YAML text file:
// invalid UTF-8, NUL or another control character.
func findBinary(data []byte) (line, col int, msg string) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, col, fmt.Sprintf("invalid UTF-8 byte 0x%02x", data[i])
		case r == 0:
			return line, col, "NUL byte"
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f, r >= 0x80 && r <= 0x9f && r != 0x85:
			return line, col, fmt.Sprintf("control character U+%04X", r)
		case r == 0xfeff && i > 0:
			return line, col, "byte order mark inside the file"
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0, ""
}

// syntaxDiag turns a yaml.v3 syntax error into a located diagnostic. yaml.v3
// only gives a line (sometimes the line before the culprit); when a tab is
// near, it is the usual cause and its column is the useful one.
func syntaxDiag(file string, data []byte, err error) Diagnostics {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		if n, perr := strconv.Atoi(m[1]); perr == nil && n > 0 {
			line = n
		}
		msg = m[2]
	}
	lines := strings.Split(string(data), "\n")
	for _, l := range []int{line, line + 1, line - 1} {
		if l < 1 || l > len(lines) {
			continue
		}
		text := lines[l-1]
		// A tab inside a comment or after the indentation is harmless;
		// only leading whitespace tabs break YAML.
		indent := text[:len(text)-len(strings.TrimLeft(text, " \t-"))]
		if i := strings.IndexByte(indent, '\t'); i >= 0 {
			return Diagnostics{{File: file, Line: l, Col: utf8.RuneCountInString(text[:i]) + 1,
				Message: "tab character in indentation: YAML indents with spaces only (" + msg + ")"}}
		}
	}
	col := 1
	if line <= len(lines) {
		text := lines[line-1]
		col = len(text) - len(strings.TrimLeft(text, " ")) + 1
	}
	return Diagnostics{{File: file, Line: line, Col: col, Message: "invalid YAML: " + msg}}
}
