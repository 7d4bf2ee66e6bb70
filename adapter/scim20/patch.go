package scim20

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// Operation is one RFC 7644 §3.5.2 PATCH operation. Op is lower case whatever the client sent
// (Entra writes "Replace"); Value holds generic JSON with json.Number for numbers.
type Operation struct {
	Op       string
	Path     string
	Value    any
	HasValue bool
}

// MaxOperations bounds one PatchOp; no client sends more than a few dozen.
const MaxOperations = 1000

// DecodePatch decodes a PatchOp body. The `schemas` attribute is not required: its absence
// changes nothing about what the operations mean.
func DecodePatch(data []byte) ([]Operation, error) {
	m, err := scimjson.Parse(data, "PatchOp")
	if err != nil {
		return nil, err
	}
	lm, _ := scimjson.Lower(m)
	items, err := scimjson.Array(lm["operations"], "Operations")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errf(scimjson.InvalidValue, "the PatchOp has no Operations")
	}
	if len(items) > MaxOperations {
		return nil, errf(scimjson.InvalidValue, "the PatchOp has %d operations; at most %d are accepted", len(items), MaxOperations)
	}
	ops := make([]Operation, 0, len(items))
	for i, it := range items {
		o, err := scimjson.Object(it, "Operations")
		if err != nil {
			return nil, err
		}
		if o == nil {
			return nil, errf(scimjson.InvalidValue, "Operations[%d] is null", i)
		}
		name, err := scimjson.Str(o["op"], "op")
		if err != nil {
			return nil, err
		}
		var op Operation
		op.Op = strings.ToLower(strings.TrimSpace(name))
		switch op.Op {
		case "add", "remove", "replace":
		default:
			return nil, errf(scimjson.InvalidSyntax, "Operations[%d]: op must be add, remove or replace", i)
		}
		if op.Path, err = scimjson.Str(o["path"], "path"); err != nil {
			return nil, err
		}
		op.Path = strings.TrimSpace(op.Path)
		op.Value, op.HasValue = o["value"]
		if op.Op != "remove" && !op.HasValue {
			return nil, errf(scimjson.InvalidValue, "Operations[%d]: %s needs a value", i, op.Op)
		}
		if op.Op == "remove" && op.Path == "" {
			return nil, errf(scimjson.NoTarget, "Operations[%d]: remove needs a path", i)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// schemaSet says which URNs may qualify a path of one resource type.
type schemaSet struct {
	core string
	// ext returns the canonical key of an extension URN in the document.
	ext func(urn string) (string, bool)
}

// toDoc renders a resource the way the codec writes it, as generic JSON to patch.
func toDoc(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// PatchUser applies ops to u (which is not modified) and returns the user they describe, as if
// the client had sent it in a PUT. A password in the result means the PATCH set one.
func (c *Codec) PatchUser(u *backend.User, ops []Operation) (*UserInput, error) {
	cur := *u
	cur.Password = ""
	b, err := c.EncodeUser(&cur, "")
	if err != nil {
		return nil, err
	}
	doc, err := toDoc(b)
	if err != nil {
		return nil, err
	}
	set := schemaSet{core: UserSchema, ext: func(urn string) (string, bool) {
		switch {
		case strings.EqualFold(urn, EnterpriseSchema):
			return EnterpriseSchema, true
		case c.IsCustomURN(urn):
			return c.customURN, true
		}
		return "", false
	}}
	for i, op := range ops {
		if err := applyOp(doc, op, set); err != nil {
			return nil, prefixErr(err, i)
		}
	}
	return c.decodeUserDoc(doc)
}

// PatchGroup applies ops to g (which is not modified) and returns the group they describe, with
// the whole resulting member list; the caller diffs it against g.
func (c *Codec) PatchGroup(g *backend.Group, ops []Operation) (*GroupInput, error) {
	b, err := c.EncodeGroup(g, "", "")
	if err != nil {
		return nil, err
	}
	doc, err := toDoc(b)
	if err != nil {
		return nil, err
	}
	set := schemaSet{core: GroupSchema, ext: func(string) (string, bool) { return "", false }}
	for i, op := range ops {
		if err := applyOp(doc, op, set); err != nil {
			return nil, prefixErr(err, i)
		}
	}
	in, err := decodeGroupDoc(doc)
	if err != nil {
		return nil, err
	}
	in.MembersSet = true // the document always carries the whole resulting list
	return in, nil
}

func prefixErr(err error, i int) error {
	if de, ok := err.(*DecodeError); ok {
		return &DecodeError{ScimType: de.ScimType, Msg: fmt.Sprintf("Operations[%d]: %s", i, de.Msg)}
	}
	return err
}

func parsePath(s string) (filter.PatchPath, error) {
	p, err := filter.ParsePath(s)
	if err != nil {
		// The syntax error quotes at most a short sample of the path, never a value.
		return p, errf(scimjson.InvalidPath, "invalid path: %v", err)
	}
	return p, nil
}

func applyOp(doc map[string]any, op Operation, set schemaSet) error {
	if op.Path != "" {
		p, err := parsePath(op.Path)
		if err != nil {
			return err
		}
		return applyPath(doc, op.Op, p, op.Value, set)
	}
	// Path-less add/replace: each key of the value object is an attribute path (Okta writes
	// {"active":false}; Entra may write "name.givenName" or a URN-qualified attribute as keys).
	obj, ok := op.Value.(map[string]any)
	if !ok {
		return errf(scimjson.InvalidValue, "%s without a path needs an object value", op.Op)
	}
	for _, k := range scimjson.SortedKeys(obj) {
		v := obj[k]
		if ext, ok := set.ext(k); ok {
			if err := applyExtension(doc, op.Op, ext, v); err != nil {
				return err
			}
			continue
		}
		if strings.EqualFold(k, "schemas") {
			continue // the schema list follows from the attributes present
		}
		p, err := parsePath(k)
		if err != nil {
			return err
		}
		if err := applyPath(doc, op.Op, p, v, set); err != nil {
			return err
		}
	}
	return nil
}

// applyExtension applies an operation whose target is a whole extension object.
func applyExtension(doc map[string]any, op, ext string, v any) error {
	if op == "remove" {
		delete(doc, ext)
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok && v != nil {
		return errf(scimjson.InvalidValue, "the value for %s must be an object", ext)
	}
	c, _ := doc[ext].(map[string]any)
	if c == nil {
		c = map[string]any{}
	}
	for _, k := range scimjson.SortedKeys(obj) {
		if err := applyAttr(c, op, k, obj[k]); err != nil {
			return err
		}
	}
	doc[ext] = c
	return nil
}

func applyPath(doc map[string]any, op string, p filter.PatchPath, v any, set schemaSet) error {
	container := doc
	if urn := p.Attr.URN; urn != "" && !strings.EqualFold(urn, set.core) {
		// `urn:…:enterprise:2.0:User` alone parses as URN "urn:…:2.0" and name "User".
		if ext, ok := set.ext(urn + ":" + p.Attr.Name); ok && p.Attr.Sub == "" && p.Filter == nil {
			return applyExtension(doc, op, ext, v)
		}
		ext, ok := set.ext(urn)
		if !ok {
			return errf(scimjson.InvalidPath, "the path uses a schema this connector does not know")
		}
		c, _ := doc[ext].(map[string]any)
		if c == nil {
			if op == "remove" {
				return nil
			}
			c = map[string]any{}
			doc[ext] = c
		}
		container = c
	}
	name := p.Attr.Name
	if strings.EqualFold(name, "id") || strings.EqualFold(name, "meta") || strings.EqualFold(name, "schemas") {
		// Read-only: Okta sends the group's own id with every rename; ignoring it is what the
		// RFC asks for read-only attributes in a replace.
		return nil
	}
	if p.Filter == nil {
		if p.Attr.Sub == "" {
			return applyAttr(container, op, name, v)
		}
		k, ok := scimjson.FindKey(container, name)
		if !ok {
			k = name
		}
		sub, _ := container[k].(map[string]any)
		if sub == nil {
			if _, isArr := container[k].([]any); isArr {
				return errf(scimjson.InvalidPath, "%s is multi-valued: select values with a filter, as in %s[type eq \"work\"].%s", name, name, p.Attr.Sub)
			}
			if op == "remove" {
				return nil
			}
			sub = map[string]any{}
			container[k] = sub
		}
		return applyAttr(sub, op, p.Attr.Sub, v)
	}
	return applyFiltered(container, op, p, v)
}

// applyAttr applies an operation to one attribute of container.
func applyAttr(container map[string]any, op, name string, v any) error {
	k, exists := scimjson.FindKey(container, name)
	if !exists {
		k = name
	}
	cur := container[k]
	switch op {
	case "remove":
		if arr, ok := cur.([]any); ok && v != nil {
			// Entra removes members as {"op":"Remove","path":"members","value":[{"value":"id"}]}.
			drop := map[string]bool{}
			vals, _ := v.([]any)
			if vals == nil {
				vals = []any{v}
			}
			for _, x := range vals {
				if s := valueOf(x); s != "" {
					drop[s] = true
				}
			}
			kept := make([]any, 0, len(arr))
			for _, e := range arr {
				if !drop[valueOf(e)] {
					kept = append(kept, e)
				}
			}
			container[k] = kept
			return nil
		}
		delete(container, k)
	case "add":
		if arr, ok := cur.([]any); ok || isMultiValued(name) {
			vals, isArr := v.([]any)
			if !isArr {
				vals = []any{v}
			}
			seen := map[string]bool{}
			for _, e := range arr {
				if s := valueOf(e); s != "" {
					seen[s] = true
				}
			}
			for _, x := range vals {
				if s := valueOf(x); s != "" {
					if seen[s] {
						continue // adding a value twice is not an error, and not a duplicate
					}
					seen[s] = true
				}
				arr = append(arr, x)
			}
			container[k] = arr
			return nil
		}
		fallthrough
	case "replace":
		curObj, ok1 := cur.(map[string]any)
		newObj, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			for _, sk := range scimjson.SortedKeys(newObj) {
				if err := applyAttr(curObj, "replace", sk, newObj[sk]); err != nil {
					return err
				}
			}
			return nil
		}
		container[k] = v
	}
	return nil
}

// isMultiValued names the multi-valued attributes of User and Group, so that an add to one that
// has no value yet still builds an array.
func isMultiValued(name string) bool {
	switch strings.ToLower(name) {
	case "emails", "phonenumbers", "members", "groups", "addresses", "ims", "photos", "entitlements", "roles", "x509certificates":
		return true
	}
	return false
}

// valueOf is the "value" sub-attribute of a multi-valued element, or the element itself when it
// is a plain string.
func valueOf(x any) string {
	switch t := x.(type) {
	case string:
		return t
	case map[string]any:
		if k, ok := scimjson.FindKey(t, "value"); ok {
			s, _ := scimjson.Str(t[k], "value")
			return s
		}
	}
	return ""
}

// applyFiltered applies an operation to the elements of a multi-valued attribute selected by a
// value filter: `emails[type eq "work"].value`, `members[value eq "2819c2"]`.
func applyFiltered(container map[string]any, op string, p filter.PatchPath, v any) error {
	if p.Attr.Sub != "" {
		return errf(scimjson.InvalidPath, "a value filter applies to a multi-valued attribute, not to %s.%s", p.Attr.Name, p.Attr.Sub)
	}
	k, exists := scimjson.FindKey(container, p.Attr.Name)
	if !exists {
		k = p.Attr.Name
	}
	arr, ok := container[k].([]any)
	if !ok && container[k] != nil {
		return errf(scimjson.InvalidPath, "%s is not multi-valued; a value filter cannot select in it", p.Attr.Name)
	}
	var matched []int
	for i, e := range arr {
		if m, ok := e.(map[string]any); ok && filter.Match(p.Filter, elemResolver(m)) {
			matched = append(matched, i)
		}
	}
	if op == "remove" {
		if len(matched) == 0 {
			return nil // removing nothing is a no-op (RFC 7644 §3.5.2.2)
		}
		out := make([]any, 0, len(arr))
		mi := 0
		for i, e := range arr {
			if mi < len(matched) && matched[mi] == i {
				mi++
				if p.SubAttr == "" {
					continue
				}
				if m, ok := e.(map[string]any); ok {
					if sk, ok := scimjson.FindKey(m, p.SubAttr); ok {
						delete(m, sk)
					}
				}
			}
			out = append(out, e)
		}
		container[k] = out
		return nil
	}
	if len(matched) == 0 {
		// Entra writes `replace emails[type eq "work"].value` for users that have no work email
		// yet; create the element the filter describes when it is a plain equality.
		elem, ok := equalities(p.Filter)
		if !ok {
			return errf(scimjson.NoTarget, "no value of %s matches the path's filter", p.Attr.Name)
		}
		if err := setElem(elem, p.SubAttr, v); err != nil {
			return err
		}
		container[k] = append(arr, elem)
		return nil
	}
	for _, i := range matched {
		if err := setElem(arr[i].(map[string]any), p.SubAttr, v); err != nil {
			return err
		}
	}
	return nil
}

func setElem(elem map[string]any, sub string, v any) error {
	if sub != "" {
		return applyAttr(elem, "replace", sub, v)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return errf(scimjson.InvalidValue, "the value for a filtered multi-valued attribute must be an object")
	}
	for _, sk := range scimjson.SortedKeys(obj) {
		if err := applyAttr(elem, "replace", sk, obj[sk]); err != nil {
			return err
		}
	}
	return nil
}

// equalities turns `a eq "x" and b eq "y"` into {"a":"x","b":"y"}; anything else gives false.
func equalities(e filter.Expr) (map[string]any, bool) {
	out := map[string]any{}
	stack := []filter.Expr{e}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch c := cur.(type) {
		case filter.And:
			stack = append(stack, c.Left, c.Right)
		case filter.Compare:
			if c.Op != filter.Eq || c.Path.URN != "" || c.Path.Sub != "" {
				return nil, false
			}
			switch c.Value.Kind {
			case filter.String:
				out[c.Path.Name] = c.Value.Str
			case filter.Bool:
				out[c.Path.Name] = c.Value.Bool
			default:
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return out, true
}

type elemResolver map[string]any

func (r elemResolver) Values(p filter.AttrPath) []any {
	k, ok := scimjson.FindKey(r, p.Name)
	if !ok {
		return nil
	}
	v := r[k]
	if p.Sub != "" {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if k, ok = scimjson.FindKey(m, p.Sub); !ok {
			return nil
		}
		v = m[k]
	}
	switch t := v.(type) {
	case nil:
		return nil
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return []any{t.String()}
		}
		return []any{f}
	case string, bool, float64, int64:
		return []any{t}
	}
	return nil
}
