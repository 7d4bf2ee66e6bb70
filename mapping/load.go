package mapping

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scimbridge/scimbridge/internal/diag"
)

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// maxFileSize bounds what Parse reads; a mapping file is a few kilobytes.
const maxFileSize = 1 << 20

// Load reads and parses a mapping file. See Parse.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading mapping file: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a mapping file strictly: unknown keys, wrong value types and duplicate keys are
// errors, and every problem is returned at once as an ErrorList with file:line:col positions.
// YAML anchors and aliases may be used to share blocks (e.g. one paging block for several
// search rules). Parse checks the file's form only; Compile checks its meaning.
func Parse(filename string, data []byte) (*Spec, error) {
	ps := &problems{diag.Collector{File: filename}}
	if len(data) > maxFileSize {
		ps.add(Pos{}, "mapping file is larger than %d bytes", maxFileSize)
		return nil, ps.err()
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// yaml.v3 reports "yaml: line N: msg"; the line becomes a position like every other.
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		var pos Pos
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		ps.add(pos, "%s", msg)
		return nil, ps.err()
	}
	spec := &Spec{File: filename}
	if doc.Kind == 0 || len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
		ps.add(Pos{}, "the mapping file is empty")
		return nil, ps.err()
	}
	d := &decoder{ps: ps}
	d.decode(doc.Content[0], reflect.ValueOf(spec).Elem(), "")
	if err := ps.err(); err != nil {
		return nil, err
	}
	return spec, nil
}

// decoder walks yaml nodes into the spec structs by reflection. It is strict (unknown keys are
// errors, with a did-you-mean) and keeps going after a problem so that all are reported.
type decoder struct {
	ps    *problems
	depth int
	nodes int
}

var (
	textType    = reflect.TypeOf(Text{})
	entriesType = reflect.TypeOf(Entries{})
	posType     = reflect.TypeOf(Pos{})
	nodeType    = reflect.TypeOf((*yaml.Node)(nil))
)

// maxDepth bounds nesting; the format is at most a handful of levels deep, and aliases could
// otherwise build deep or cyclic structures.
const maxDepth = 20

// maxNodes bounds the values decoded from one file, counting every use of an alias anew. A
// real mapping file decodes to a few thousand; without the bound, a few hundred bytes of
// aliases of lists of aliases (`steps: [*a, *a, …]` nested) expand exponentially and keep
// Parse busy for minutes (what stalled the fuzzer).
const maxNodes = 10000

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "a scalar"
	}
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.nodes++
	if d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.ps.add(posOf(n), "%s: the file expands to more than %d values (aliases used too often)", what, maxNodes)
		}
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.ps.add(posOf(n), "%s: nested too deeply", what)
		return
	}
	switch {
	case v.Type() == textType:
		if n.Kind != yaml.ScalarNode {
			d.ps.add(posOf(n), "%s: expected a string, got %s", what, kindName(n))
			return
		}
		if n.Tag == "!!null" {
			return
		}
		v.Set(reflect.ValueOf(Text{Value: n.Value, At: posOf(n)}))
	case v.Type() == entriesType:
		d.entries(n, v, what)
	case v.Type() == nodeType:
		// A block another package reads (Spec.REST), kept as YAML with its positions.
		v.Set(reflect.ValueOf(n))
	case v.Kind() == reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), what)
		v.Set(p)
	case v.Kind() == reflect.Struct:
		d.structure(n, v, what)
	case v.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.ps.add(posOf(n), "%s: expected a list, got %s", what, kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", what, i))
		}
		v.Set(s)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.ps.add(posOf(n), "%s: expected true or false", what)
			return
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.ps.add(posOf(n), "%s: expected an integer", what)
			return
		}
		v.SetInt(int64(i))
	default:
		// Unreachable with the spec types above; reported rather than panicking.
		d.ps.add(posOf(n), "%s: internal error: cannot decode into %s", what, v.Type())
	}
}

// fieldsOf lists the yaml keys of a struct, descending into inline fields.
func fieldsOf(t reflect.Type) map[string][]int {
	m := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		if tag == ",inline" {
			for k, idx := range fieldsOf(f.Type) {
				m[k] = append([]int{i}, idx...)
			}
			continue
		}
		m[tag] = []int{i}
	}
	return m
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind != yaml.MappingNode {
		d.ps.add(posOf(n), "%s: expected a mapping, got %s", what, kindName(n))
		return
	}
	setPos(v, posOf(n))
	fields := fieldsOf(v.Type())
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		path := joinWhat(what, key)
		idx, ok := fields[key]
		if !ok {
			d.ps.add(posOf(k), "%s: unknown key%s", path, didYouMean(key, names))
			continue
		}
		if seen[key] {
			d.ps.add(posOf(k), "%s: duplicate key", path)
			continue
		}
		seen[key] = true
		f := v.FieldByIndex(idx)
		// An inline struct shares the position of its parent.
		if len(idx) > 1 {
			setPos(v.Field(idx[0]), posOf(n))
		}
		d.decode(val, f, path)
	}
}

func setPos(v reflect.Value, p Pos) {
	if f := v.FieldByName("At"); f.IsValid() && f.Type() == posType {
		f.Set(reflect.ValueOf(p))
	}
}

func (d *decoder) entries(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.ps.add(posOf(n), "%s: expected a mapping, got %s", what, kindName(n))
		return
	}
	var es Entries
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if val.Kind == yaml.AliasNode {
			val = val.Alias
		}
		path := joinWhat(what, k.Value)
		if seen[k.Value] {
			d.ps.add(posOf(k), "%s: duplicate key", path)
			continue
		}
		seen[k.Value] = true
		if val.Kind != yaml.ScalarNode {
			d.ps.add(posOf(val), "%s: expected an expression, got %s", path, kindName(val))
			continue
		}
		es = append(es, Entry{Key: Text{Value: k.Value, At: posOf(k)}, Value: Text{Value: val.Value, At: posOf(val)}})
	}
	v.Set(reflect.ValueOf(es))
}

func joinWhat(what, key string) string {
	if what == "" {
		return key
	}
	return what + "." + key
}
