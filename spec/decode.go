// Strict decoding of a YAML document into the spec types, recording every
// field's position.

package spec

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxFileBytes caps an input file: real region and tenant files are a few
// hundred bytes, and a cap keeps a stray upload from being parsed at all.
const maxFileBytes = 1 << 20

// decodeFile parses data, the content of file, and decodes its single
// top-level mapping into out, a pointer to a struct. The returned Source
// records the position of every field that was written. A nil ok means the
// document could not be read at all (syntax error, wrong top level, ...).
func decodeFile(file string, data []byte, out any) (src Source, ok bool, diags Diagnostics) {
	src.File = file
	root, diags := parseYAML(file, data)
	if root == nil {
		return src, false, diags
	}
	src.Top = Pos{root.Line, root.Column}
	d := &decoder{src: &src}
	d.checkAnchors(root)
	d.decode(root, reflect.ValueOf(out).Elem(), "", src.Top)
	return src, true, append(diags, d.diags...)
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decoder walks YAML nodes into typed values, recording positions and
// collecting every problem instead of stopping at the first.
type decoder struct {
	src   *Source
	diags Diagnostics
}

func (d *decoder) errAt(n *yaml.Node, path, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{File: d.src.File, Line: n.Line, Col: n.Column, Path: path, Message: fmt.Sprintf(format, args...)})
}

// checkAnchors reports the first anchor and the first alias. Aliases are not
// followed, so an alias bomb costs no more than its own text.
func (d *decoder) checkAnchors(root *yaml.Node) {
	var anchor, alias *yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode {
			if alias == nil {
				alias = n
			}
			return
		}
		if n.Anchor != "" && anchor == nil {
			anchor = n
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	if anchor != nil {
		d.errAt(anchor, "", "anchors and aliases are not allowed (anchor &%s): write each value out", anchor.Anchor)
	}
	if alias != nil {
		d.errAt(alias, "", "anchors and aliases are not allowed (alias *%s): write each value out", alias.Value)
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// describe names what a node is, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the string %q", n.Value)
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	case "!!null":
		return "null"
	}
	return fmt.Sprintf("a %s value", n.ShortTag())
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// valuePos is where a field's value is reported: the value itself for a
// scalar, the key for a block (a block mapping starts on the next line,
// which is less helpful than the key that names it).
func valuePos(key, val *yaml.Node) Pos {
	if val.Kind == yaml.ScalarNode || val.Style&yaml.FlowStyle != 0 {
		return Pos{val.Line, val.Column}
	}
	return Pos{key.Line, key.Column}
}

var stringType = reflect.TypeOf("")

// decode stores n into v. pos is recorded as the field's position under path
// once the value is accepted.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, pos Pos) {
	if n.Kind == yaml.AliasNode {
		return // reported by checkAnchors
	}
	if isNull(n) {
		d.errAt(n, path, "has no value: write one or remove the line")
		return
	}
	ok := false
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind != yaml.MappingNode {
			d.errAt(n, path, "must be a mapping of fields (got %s)", describe(n))
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decodeStruct(n, p.Elem(), path)
		v.Set(p)
		ok = true
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.errAt(n, path, "must be a mapping of fields (got %s)", describe(n))
			return
		}
		d.decodeStruct(n, v, path)
		ok = true
	case reflect.String:
		var s string
		if s, ok = d.str(n, path); ok {
			v.SetString(s)
		}
	case reflect.Int:
		var i int64
		if i, ok = d.integer(n, path); ok {
			v.SetInt(i)
		}
	case reflect.Float64:
		var f float64
		if f, ok = d.float(n, path); ok {
			v.SetFloat(f)
		}
	case reflect.Bool:
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
			v.SetBool(strings.EqualFold(n.Value, "true"))
			ok = true
		} else {
			d.errAt(n, path, "must be true or false (got %s)", describe(n))
		}
	case reflect.Slice:
		ok = d.decodeList(n, v, path)
	case reflect.Map:
		ok = d.decodeMap(n, v, path)
	default:
		panic(fmt.Sprintf("spec: cannot decode into %s", v.Type()))
	}
	if ok && path != "" {
		d.src.set(path, pos)
	}
}

func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errAt(n, path, "must be a string (got %s)", describe(n))
		return "", false
	}
	if n.ShortTag() != "!!str" {
		d.errAt(n, path, "must be a string (quote it): got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

var yamlIntRe = regexp.MustCompile(`^[-+]?(0[xob])?[0-9a-fA-F_]+$`)

func (d *decoder) integer(n *yaml.Node, path string) (int64, bool) {
	tag := n.ShortTag()
	// yaml.v3 resolves an integer too big for int64 to a float.
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && !(tag == "!!float" && yamlIntRe.MatchString(n.Value))) {
		d.errAt(n, path, "must be a whole number (got %s)", describe(n))
		return 0, false
	}
	i, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			d.errAt(n, path, "number out of range: %s", n.Value)
		} else {
			d.errAt(n, path, "must be a whole number (got %s)", describe(n))
		}
		return 0, false
	}
	return i, true
}

func (d *decoder) float(n *yaml.Node, path string) (float64, bool) {
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") {
		d.errAt(n, path, "must be a number (got %s)", describe(n))
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil {
		if i, ierr := strconv.ParseInt(n.Value, 0, 64); ierr == nil {
			return float64(i), true
		}
		d.errAt(n, path, "must be a finite number (got %s)", describe(n))
		return 0, false
	}
	return f, true
}

func (d *decoder) decodeList(n *yaml.Node, v reflect.Value, path string) bool {
	if v.Type().Elem().Kind() == reflect.Struct {
		return d.decodeStructList(n, v, path)
	}
	if v.Type().Elem() != stringType {
		panic(fmt.Sprintf("spec: cannot decode into %s", v.Type()))
	}
	if n.Kind != yaml.SequenceNode {
		d.errAt(n, path, "must be a list of strings (got %s)", describe(n))
		return false
	}
	out := make([]string, 0, len(n.Content))
	for i, e := range n.Content {
		p := joinPath(path, strconv.Itoa(i))
		if e.Kind == yaml.AliasNode {
			continue
		}
		if isNull(e) {
			d.errAt(e, p, "has no value: write one or remove the item")
			continue
		}
		if s, ok := d.str(e, p); ok {
			out = append(out, s)
			d.src.set(p, Pos{e.Line, e.Column})
		}
	}
	v.Set(reflect.ValueOf(out))
	return true
}

// decodeStructList decodes a list of mappings (a region's interventions),
// each at its index's path.
func (d *decoder) decodeStructList(n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.SequenceNode {
		d.errAt(n, path, "must be a list (got %s)", describe(n))
		return false
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, e := range n.Content {
		p := joinPath(path, strconv.Itoa(i))
		if e.Kind == yaml.AliasNode {
			continue
		}
		if e.Kind != yaml.MappingNode {
			d.errAt(e, p, "must be a mapping of fields (got %s)", describe(e))
			continue
		}
		item := reflect.New(v.Type().Elem()).Elem()
		d.decodeStruct(e, item, p)
		d.src.set(p, Pos{e.Line, e.Column})
		out = reflect.Append(out, item)
	}
	v.Set(out)
	return true
}

// mappingKeys checks a mapping's keys (plain scalars, no duplicates) and
// calls f for each good pair.
func (d *decoder) mappingKeys(n *yaml.Node, path string, f func(key string, k, val *yaml.Node)) {
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			if k.Kind != yaml.AliasNode {
				d.errAt(k, path, "keys must be plain names (got %s)", describe(k))
			}
			continue
		}
		kp := joinPath(path, k.Value)
		if prev, dup := first[k.Value]; dup {
			d.errAt(k, kp, "duplicate key %q (first at line %d)", k.Value, prev.Line)
			continue
		}
		first[k.Value] = k
		f(k.Value, k, val)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) bool {
	if v.Type().Key() != stringType || v.Type().Elem() != stringType {
		panic(fmt.Sprintf("spec: cannot decode into %s", v.Type()))
	}
	if n.Kind != yaml.MappingNode {
		d.errAt(n, path, "must be a mapping of names to strings (got %s)", describe(n))
		return false
	}
	out := make(map[string]string, len(n.Content)/2)
	d.mappingKeys(n, path, func(key string, k, val *yaml.Node) {
		p := joinPath(path, key)
		if val.Kind == yaml.AliasNode {
			return
		}
		if isNull(val) {
			d.errAt(val, p, "has no value: write one (quoted) or remove the line")
			return
		}
		if s, ok := d.str(val, p); ok {
			out[key] = s
			d.src.set(p, Pos{val.Line, val.Column})
		}
	})
	v.Set(reflect.ValueOf(out))
	return true
}

type fieldInfo struct {
	name  string
	index int
}

// yamlFields lists a struct's fields by their yaml tag, in declaration order.
func yamlFields(t reflect.Type) []fieldInfo {
	var out []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		out = append(out, fieldInfo{tag, i})
	}
	return out
}

// removedFields are fields that files once had, with what became of them, so
// that an old file is told why its line no longer works.
var removedFields = map[string]string{
	"vm.dataDiskGB": "VMs keep no data since the KPAX files moved to the tenant's file share, sized by storage.quotaGB",
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	fields := yamlFields(v.Type())
	d.mappingKeys(n, path, func(key string, k, val *yaml.Node) {
		for _, f := range fields {
			if f.name == key {
				d.decode(val, v.Field(f.index), joinPath(path, key), valuePos(k, val))
				return
			}
		}
		p := joinPath(path, key)
		if why, ok := removedFields[p]; ok {
			d.errAt(k, p, "no longer a field: %s; remove the line", why)
			return
		}
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		msg := fmt.Sprintf("unknown field %q", key)
		if s := suggest(key, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		where := "allowed fields"
		if path != "" {
			where += " in " + path
		}
		d.errAt(k, joinPath(path, key), "%s; %s: %s", msg, where, strings.Join(names, ", "))
	})
}
