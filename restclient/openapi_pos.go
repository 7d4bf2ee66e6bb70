package restclient

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// Positions in an OpenAPI document. kin-openapi reads the document into values without their
// places, so the document is also read as a yaml.v3 node tree (JSON is YAML, so one reader does
// both) and a problem found at a path of keys (paths, /users, post, requestBody) is reported
// at the last of those keys that exists.

type docLocator struct {
	root    *yaml.Node
	err     error // the document is not YAML (or JSON)
	errLine int
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func newDocLocator(data []byte) *docLocator {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		l := &docLocator{err: err}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			l.errLine, _ = strconv.Atoi(m[1])
		}
		return l
	}
	l := &docLocator{}
	if len(n.Content) > 0 {
		l.root = n.Content[0]
	}
	return l
}

// at is the position of the deepest key of path present in the document (list items by their
// index); the zero pos when not even the first is.
func (l *docLocator) at(path ...string) pos {
	var best pos
	n := l.root
	for _, k := range path {
		n = deAlias(n)
		if n == nil {
			break
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					best, next = at(n.Content[i]), n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				best = at(next)
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return best
}

var quotedRE = regexp.MustCompile(`"([^"]+)"`)

// refIn finds where a $ref quoted in a loader error is written, the first such place.
func (l *docLocator) refIn(msg string) pos {
	for _, m := range quotedRE.FindAllStringSubmatch(msg, -1) {
		if p, ok := l.findRef(l.root, m[1], 0); ok {
			return p
		}
	}
	return pos{}
}

func (l *docLocator) findRef(n *yaml.Node, ref string, depth int) (pos, bool) {
	if n == nil || depth > 200 {
		return pos{}, false
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "$ref" && n.Content[i+1].Value == ref {
				return at(n.Content[i+1]), true
			}
		}
	}
	if n.Kind == yaml.AliasNode {
		return pos{}, false
	}
	for _, c := range n.Content {
		if p, ok := l.findRef(c, ref, depth+1); ok {
			return p, true
		}
	}
	return pos{}, false
}

// localize finds the part of doc that fails validation, for a position: each component, then
// each operation, validated alone; the first that fails gives its place and its own (shorter)
// message. Whatever no part explains is reported with the document's message, at the top.
func localize(doc *openapi3.T, loc *docLocator, opts []openapi3.ValidationOption, whole error) (pos, string) {
	ctx := openapi3.WithValidationOptions(context.Background(), opts...)
	type part struct {
		path []string
		v    func() error
	}
	var parts []part
	if c := doc.Components; c != nil {
		for _, name := range sortedKeys(c.Schemas) {
			r := c.Schemas[name]
			parts = append(parts, part{[]string{"components", "schemas", name}, func() error { return r.Validate(ctx) }})
		}
		for _, name := range sortedKeys(c.Parameters) {
			r := c.Parameters[name]
			parts = append(parts, part{[]string{"components", "parameters", name}, func() error { return r.Validate(ctx) }})
		}
		for _, name := range sortedKeys(c.RequestBodies) {
			r := c.RequestBodies[name]
			parts = append(parts, part{[]string{"components", "requestBodies", name}, func() error { return r.Validate(ctx) }})
		}
		for _, name := range sortedKeys(c.Responses) {
			r := c.Responses[name]
			parts = append(parts, part{[]string{"components", "responses", name}, func() error { return r.Validate(ctx) }})
		}
	}
	if doc.Paths != nil {
		paths := doc.Paths.InMatchingOrder()
		sort.Strings(paths)
		for _, p := range paths {
			item := doc.Paths.Value(p)
			for _, method := range methods {
				if o := item.GetOperation(method); o != nil {
					parts = append(parts, part{[]string{"paths", p, strings.ToLower(method)}, func() error { return o.Validate(ctx) }})
				}
			}
			parts = append(parts, part{[]string{"paths", p}, func() error { return item.Validate(ctx) }})
		}
	}
	if doc.Info != nil {
		parts = append(parts, part{[]string{"info"}, func() error { return doc.Info.Validate(ctx) }})
	}
	for _, pt := range parts {
		if err := safeValidate(pt.v); err != nil {
			return loc.at(pt.path...), strings.Join(pt.path[1:], " ") + ": " + err.Error()
		}
	}
	// Errors across operations (a duplicate operationId) name them as "METHOD /path": the last
	// one named is the one to change.
	if m := opNameRE.FindAllStringSubmatch(whole.Error(), -1); m != nil {
		last := m[len(m)-1]
		return loc.at("paths", last[2], strings.ToLower(last[1]), "operationId"), whole.Error()
	}
	return pos{}, whole.Error()
}

var opNameRE = regexp.MustCompile(`"(GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS|TRACE) (/[^"]*)"`)

// safeValidate runs one part's validation; kin-openapi may panic on parts the whole-document
// validation would have reached in another order, which counts as not explaining the error.
func safeValidate(v func() error) (err error) {
	defer func() {
		if recover() != nil {
			err = nil
		}
	}()
	err = v()
	var me openapi3.MultiError
	if errors.As(err, &me) && len(me) > 0 {
		return me[0]
	}
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
