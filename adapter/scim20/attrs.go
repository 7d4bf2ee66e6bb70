package scim20

import (
	"encoding/json"
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/filter"
)

// Project applies the RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes` parameters to one
// encoded resource. `id` and `schemas` are always returned. Entries are attribute paths
// (`userName`, `name.givenName`, `emails`, a URN-qualified attribute, or a whole extension URN);
// an entry naming nothing is ignored, as the RFC allows. With both lists empty body is returned
// unchanged.
func Project(body []byte, attributes, excluded []string) ([]byte, error) {
	if len(attributes) == 0 && len(excluded) == 0 {
		return body, nil
	}
	doc, err := toDoc(body)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if len(attributes) > 0 {
		out = map[string]any{}
		for _, k := range []string{"id", "schemas"} {
			if v, ok := doc[k]; ok {
				out[k] = v
			}
		}
		for _, a := range attributes {
			copyPath(doc, out, a)
		}
	} else {
		out = doc
		for _, a := range excluded {
			removePath(out, a)
		}
	}
	return json.Marshal(out)
}

// locate resolves an entry to the object holding it and the attribute name and sub-attribute.
func locate(doc map[string]any, entry string) (holder string, name, sub string, ok bool) {
	entry = strings.TrimSpace(entry)
	if k, found := scimjson.FindKey(doc, entry); found && strings.HasPrefix(strings.ToLower(k), "urn:") {
		return "", k, "", true // a whole extension
	}
	p, err := filter.ParsePath(entry)
	if err != nil || p.Filter != nil {
		return "", "", "", false
	}
	if p.Attr.URN != "" && !strings.EqualFold(p.Attr.URN, UserSchema) && !strings.EqualFold(p.Attr.URN, GroupSchema) {
		ext, found := scimjson.FindKey(doc, p.Attr.URN)
		if !found {
			return "", "", "", false
		}
		holder = ext
	}
	return holder, p.Attr.Name, p.Attr.Sub, true
}

func copyPath(src, dst map[string]any, entry string) {
	holder, name, sub, ok := locate(src, entry)
	if !ok {
		return
	}
	from, to := src, dst
	if holder != "" {
		from, _ = src[holder].(map[string]any)
		t, _ := dst[holder].(map[string]any)
		if t == nil {
			t = map[string]any{}
		}
		dst[holder] = t
		to = t
	}
	k, found := scimjson.FindKey(from, name)
	if !found {
		return
	}
	if sub == "" {
		to[k] = from[k]
		return
	}
	switch v := from[k].(type) {
	case map[string]any:
		sk, found := scimjson.FindKey(v, sub)
		if !found {
			return
		}
		t, _ := to[k].(map[string]any)
		if t == nil {
			t = map[string]any{}
		}
		t[sk] = v[sk]
		to[k] = t
	case []any:
		// emails.value: the sub-attribute of every value.
		items := make([]any, 0, len(v))
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				if sk, found := scimjson.FindKey(m, sub); found {
					items = append(items, map[string]any{sk: m[sk]})
				}
			}
		}
		to[k] = items
	}
}

func removePath(doc map[string]any, entry string) {
	holder, name, sub, ok := locate(doc, entry)
	if !ok {
		return
	}
	in := doc
	if holder != "" {
		in, _ = doc[holder].(map[string]any)
		if in == nil {
			return
		}
	}
	k, found := scimjson.FindKey(in, name)
	if !found || (holder == "" && (k == "id" || k == "schemas")) {
		return
	}
	if sub == "" {
		delete(in, k)
		return
	}
	switch v := in[k].(type) {
	case map[string]any:
		if sk, found := scimjson.FindKey(v, sub); found {
			delete(v, sk)
		}
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				if sk, found := scimjson.FindKey(m, sub); found {
					delete(m, sk)
				}
			}
		}
	}
}
