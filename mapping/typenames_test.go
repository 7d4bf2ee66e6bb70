package mapping

import (
	"reflect"
	"testing"
)

func TestShortenStructs(t *testing.T) {
	st := reflect.StructOf([]reflect.StructField{{Name: "Id", Type: reflect.TypeOf(new(int64)), Tag: `json:"id,omitempty"`},
		{Name: "Sub", Type: reflect.TypeOf(struct{ A string }{}), Tag: `json:"a}{\"b"`}})
	msg := "type " + st.String() + " has no field Logn (1:5); also " + st.String()
	if got, want := shortenStructs(msg), "type struct{…} has no field Logn (1:5); also struct{…}"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := shortenStructs("plain"); got != "plain" {
		t.Errorf("got %q", got)
	}
	if got := typeLabel(st, "Body.User"); got != "Body.User" {
		t.Errorf("typeLabel: %q", got)
	}
}

// TestExprFieldHint: expr's "has no field" names the structure it looked in; the hint is the
// nearest field of that structure, for named and for runtime-built (unnamed) structs alike.
func TestExprFieldHint(t *testing.T) {
	type inner struct{ UserName, Email string }
	st := reflect.StructOf([]reflect.StructField{{Name: "UserName", Type: reflect.TypeOf("")}, {Name: "Id", Type: reflect.TypeOf(0)}})
	env := map[string]any{"rec": reflect.New(st).Interface(), "x": &struct{ In []inner }{}}
	for msg, want := range map[string]string{
		"type " + st.String() + " has no field Usrname (1:5)":                    ` (did you mean "UserName"?)`,
		"type " + reflect.TypeOf(inner{}).String() + " has no field Emial (1:3)": ` (did you mean "Email"?)`,
		"type " + st.String() + " has no field Zzzzzz (1:5)":                     "",
		"unknown name user (1:1)":                                                "",
	} {
		if got := exprFieldHint(msg, env); got != want {
			t.Errorf("%.60s…: %q, want %q", msg, got, want)
		}
	}
}
