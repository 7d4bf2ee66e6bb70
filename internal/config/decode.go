package config

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds what is read; a configuration file is a few kilobytes.
const maxFileSize = 1 << 20

var (
	yamlLine     = regexp.MustCompile(`^line (\d+): (.*)$`)
	refPattern   = regexp.MustCompile(`\$\{([^}]*)\}`)
	durationType = reflect.TypeOf(time.Duration(0))
)

// decoder walks the YAML nodes into the schema structs by reflection. It is strict (unknown
// keys are errors, with a did-you-mean), speaks YAML ("expected a duration such as 20s"), keeps
// going after a problem so that every one is reported, records where each key sits so that
// later checks can point at it, and resolves secret references in string values.
type decoder struct {
	c *collector
	// secrets resolves ${…} references; tests replace the environment and the file reader.
	lookupEnv func(string) (string, bool)
	readFile  func(string) ([]byte, error)
}

func (d *decoder) parse(raw []byte, into any) {
	if len(raw) > maxFileSize {
		d.c.badAt(Pos{}, "the configuration file is larger than %d bytes", maxFileSize)
		return
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		var pos Pos
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		d.c.badAt(pos, "YAML syntax error: %s", msg)
		return
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		d.c.badAt(Pos{}, "the configuration file is empty")
		return
	}
	root := doc.Content[0]
	d.c.pos[""] = Pos{Line: root.Line, Col: root.Column}
	d.decode(root, reflect.ValueOf(into).Elem(), "", 0)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a scalar"
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if depth > 20 {
		d.c.bad(path, "nested too deeply")
		return
	}
	d.c.pos[path] = Pos{Line: n.Line, Col: n.Column}
	null := n.Kind == yaml.ScalarNode && n.Tag == "!!null"
	switch {
	case v.Kind() == reflect.Pointer:
		if null {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path, depth+1)
		v.Set(p)
	case v.Type() == durationType:
		if null {
			return
		}
		dur, err := time.ParseDuration(n.Value)
		if n.Kind != yaml.ScalarNode || (err != nil && n.Value != "0") {
			d.c.bad(path, "expected a duration such as 20s, 1m30s or 500ms, got %s", shown(n))
			return
		}
		v.SetInt(int64(dur))
	case v.Kind() == reflect.Struct:
		d.structure(n, v, path, depth)
	case v.Kind() == reflect.Slice:
		if null {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.c.bad(path, "expected a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, e := range n.Content {
			d.decode(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case v.Kind() == reflect.Map:
		if null {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.c.bad(path, "expected a mapping, got %s", kindName(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			kp := join(path, k.Value)
			if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
				d.c.bad(kp, "duplicate key")
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, e, kp, depth+1)
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case v.Kind() == reflect.String:
		if null {
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.c.bad(path, "expected a string, got %s", kindName(n))
			return
		}
		v.SetString(d.expand(n.Value, path))
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.c.bad(path, "expected true or false, got %s", shown(n))
			return
		}
		v.SetBool(b)
	case v.CanInt():
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v.OverflowInt(i) {
			d.c.bad(path, "expected an integer, got %s", shown(n))
			return
		}
		v.SetInt(i)
	case v.CanFloat():
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil {
			d.c.bad(path, "expected a number, got %s", shown(n))
			return
		}
		v.SetFloat(f)
	default:
		// Unreachable with the schema types; reported rather than panicking.
		d.c.bad(path, "internal error: no YAML decoding for this key")
	}
}

// shown quotes a scalar for a type error (never a secret: secrets are strings, and string
// keys accept any scalar) or names the node's kind.
func shown(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return kindName(n)
	}
	return strconv.Quote(n.Value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// keysOf lists the YAML keys of a struct type (descending into inline fields) with the index
// path of their field. A field without a yaml tag is known by its lower-cased name, as yaml.v3
// does.
func keysOf(t reflect.Type) map[string][]int {
	m := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if opts == "inline" {
			for k, idx := range keysOf(f.Type) {
				m[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = []int{i}
	}
	return m
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.c.bad(path, "expected a mapping, got %s", kindName(n))
		return
	}
	keys := keysOf(v.Type())
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		idx, ok := keys[k.Value]
		if !ok {
			d.c.badAt(Pos{Line: k.Line, Col: k.Column}, "%s: unknown key%s", kp, didYouMean(k.Value, names))
			continue
		}
		if seen[k.Value] {
			d.c.badAt(Pos{Line: k.Line, Col: k.Column}, "%s: duplicate key", kp)
			continue
		}
		seen[k.Value] = true
		d.decode(val, v.FieldByIndex(idx), kp, depth+1)
	}
}

// expand resolves `${NAME}` (an environment variable) and `${file:/path}` (a file's contents,
// trailing newline removed) in one string value. It runs on decoded values, so a secret holding
// ':', '#' or quotes can never change the document's structure. Every missing variable or
// unreadable file is reported at the value; the secret itself never appears in a message.
func (d *decoder) expand(s, path string) string {
	return refPattern.ReplaceAllStringFunc(s, func(m string) string {
		ref := m[2 : len(m)-1]
		if file, ok := strings.CutPrefix(ref, "file:"); ok {
			b, err := d.readFile(file)
			if err != nil {
				d.c.bad(path, "secret file %s cannot be read: %s", file, osReason(err))
				d.c.silence(path)
				return ""
			}
			return strings.TrimRight(string(b), "\r\n")
		}
		if ref == "" {
			d.c.bad(path, "${} names no environment variable (write ${NAME} or ${file:/path})")
			return ""
		}
		val, ok := d.lookupEnv(ref)
		if !ok {
			d.c.bad(path, "environment variable %s is not set", ref)
			d.c.silence(path)
		}
		return val
	})
}

// osReason is the reason of a file error without Go's "open /path:" prefix, which the
// message already names.
func osReason(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
