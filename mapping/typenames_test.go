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
