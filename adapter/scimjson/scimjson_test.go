package scimjson

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRefusesWithTypedMessages(t *testing.T) {
	for _, tc := range []struct {
		body, want string
	}{
		{`[1]`, "must be a JSON object, got a JSON array"},
		{`null`, "must be a JSON object, not null"},
		{`{"a":`, "empty or truncated"},
		{`{"a":1}{}`, "data after the JSON object"},
		{`{"a":x}`, "not valid JSON (error at byte offset"},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "nests deeper than"},
	} {
		_, err := Parse([]byte(tc.body), "user")
		var e *Error
		if !errors.As(err, &e) || e.ScimType != InvalidSyntax || !strings.Contains(e.Msg, tc.want) {
			t.Errorf("Parse(%.20q) = %v, want invalidSyntax containing %q", tc.body, err, tc.want)
		}
	}
	m, err := Parse([]byte("\xef\xbb\xbf{\"UserName\":\"a\"}"), "user")
	if err != nil || m["UserName"] != "a" {
		t.Fatalf("a BOM must be skipped: %v %v", m, err)
	}
}

func TestLenientScalars(t *testing.T) {
	m, err := Parse([]byte(`{"n":12,"b":true,"s":"False","o":{}}`), "user")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Str(m["n"], "n"); s != "12" || err != nil {
		t.Errorf("number as string: %q %v", s, err)
	}
	if s, err := Str(m["b"], "b"); s != "true" || err != nil {
		t.Errorf("bool as string: %q %v", s, err)
	}
	if b, err := Bool(m["s"], "s"); b || err != nil {
		t.Errorf(`"False" as bool: %v %v`, b, err)
	}
	if _, err := Str(m["o"], "secret"); err == nil || strings.Contains(err.Error(), "{") {
		t.Errorf("object as string must fail naming only the attribute: %v", err)
	}
}

func TestExtensionModes(t *testing.T) {
	dst := map[string]any{"a": "old"}
	v := map[string]any{"a": "new", "b": nil}
	keep, _ := Extension(v, "urn:x", map[string]any{"a": "old"}, ExtensionMode{})
	if keep["a"] != "old" || len(keep) != 2 {
		t.Errorf("keep mode: %v", keep)
	}
	over, _ := Extension(v, "urn:x", dst, ExtensionMode{Overwrite: true, DropNulls: true})
	if _, has := over["b"]; over["a"] != "new" || has {
		t.Errorf("overwrite/drop-nulls mode: %v", over)
	}
	if _, err := Extension("x", "urn:x", nil, ExtensionMode{}); err == nil {
		t.Error("a non-object extension must fail")
	}
}

func TestMembersDeltaOps(t *testing.T) {
	m, _ := Parse([]byte(`{"members":[{"value":"u1"},null,{"value":"u2","operation":"DELETE"}]}`), "group")
	got, err := Members(m["members"], true)
	if err != nil || len(got) != 2 || got[0].Delete || !got[1].Delete {
		t.Fatalf("with delta ops: %+v %v", got, err)
	}
	got, err = Members(m["members"], false)
	if err != nil || got[1].Delete {
		t.Fatalf("without delta ops the operation key is ignored: %+v %v", got, err)
	}
	m, _ = Parse([]byte(`{"members":[{"value":"u1","operation":"add"}]}`), "group")
	if _, err := Members(m["members"], true); err == nil {
		t.Error("an unknown operation must fail")
	}
	m, _ = Parse([]byte(`{"members":[{"display":"x"}]}`), "group")
	if _, err := Members(m["members"], false); err == nil {
		t.Error("a member without a value must fail")
	}
}
