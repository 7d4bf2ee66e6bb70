package mapping_test

import (
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
)

// TestSortProblems: a sort block names attributes toSCIM gives and text (or boolean) request
// fields of the list call; check says where it is wrong. (The push-down itself is tested end to
// end against restsim: cmd/scimbridge TestSortPushedDown.)
func TestSortProblems(t *testing.T) {
	for _, tc := range []struct {
		block string
		want  []string
	}{
		{`sort: { by: { usrName: Login, title: "" }, field: Nope, order: PageSize }`, []string{
			`users.sort.by.usrName: "usrName" is not an attribute users.toSCIM gives (did you mean "userName"?)`,
			`users.sort.by.title: give the application's name for this sort key`,
			`users.sort.field: ListEmployees has no field "Nope"`,
			`users.sort.order: PageSize is a int32; give a text or boolean field`,
		}},
		{`sort: { by: { userName: Login }, field: PageSize }`, []string{
			`users.sort.field: PageSize is a int32; the sort key is text`,
			`users.sort.order: required`,
		}},
	} {
		file := strings.Replace(string(defaults.LegacyHR), "\nusers:\n", "\nusers:\n  "+tc.block+"\n", 1)
		spec, err := mapping.Parse("m.yaml", []byte(file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = mapping.Compile(spec, catalog{soapClient(t)}, mapping.Options{})
		if err == nil {
			t.Fatalf("%s: no problems", tc.block)
		}
		for _, want := range tc.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: problems do not say %q:\n%v", tc.block, want, err)
			}
		}
	}
}
