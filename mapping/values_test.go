package mapping

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hooklift/gowsdl/soap"
)

type nested struct {
	Inner *Employee
	N32   int32
	N64   int64
	F     float64
	Flag  *bool
	Tags  []string
	Ptrs  []*Employee
	When  soap.XSDDateTime
	Name  string
}

func TestAssignConversions(t *testing.T) {
	ty := reflect.TypeOf(nested{})
	set := func(path string, v any) (nested, error) {
		var n nested
		fp, err := resolvePath(ty, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		err = fp.set(reflect.ValueOf(&n).Elem(), v)
		return n, err
	}
	if n, err := set("Inner.Enabled", false); err != nil || n.Inner == nil || n.Inner.Enabled == nil || *n.Inner.Enabled {
		t.Errorf("nested *bool false: %+v %v", n.Inner, err)
	}
	if n, err := set("N32", float64(7)); err != nil || n.N32 != 7 {
		t.Errorf("float64 into int32: %v %v", n.N32, err)
	}
	if _, err := set("N32", int64(1)<<40); err == nil || !strings.Contains(err.Error(), "does not fit in int32") {
		t.Errorf("overflow: %v", err)
	}
	if _, err := set("N64", 1.5); err == nil {
		t.Error("1.5 into int64 accepted")
	}
	if n, err := set("N64", "42"); err != nil || n.N64 != 42 {
		t.Errorf("numeric string: %v %v", n.N64, err)
	}
	if n, err := set("F", int64(3)); err != nil || n.F != 3 {
		t.Errorf("int into float: %v %v", n.F, err)
	}
	if n, err := set("Flag", "TRUE"); err != nil || n.Flag == nil || !*n.Flag {
		t.Errorf("string into *bool: %v %v", n.Flag, err)
	}
	if _, err := set("Flag", "maybe"); err == nil {
		t.Error(`"maybe" into *bool accepted`)
	}
	if n, err := set("Tags", []any{"a", int64(2)}); err != nil || !reflect.DeepEqual(n.Tags, []string{"a", "2"}) {
		t.Errorf("list: %v %v", n.Tags, err)
	}
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 3600))
	if n, err := set("When", when); err != nil || !n.When.ToGoTime().Equal(when) || n.When.ToGoTime().Location() != time.UTC {
		t.Errorf("time into XSDDateTime: %v %v", n.When.ToGoTime(), err)
	}
	if n, err := set("When", "2024-05-06T07:08:09Z"); err != nil || !n.When.ToGoTime().Equal(when.Add(time.Hour)) {
		t.Errorf("string into XSDDateTime: %v %v", n.When.ToGoTime(), err)
	}
	if _, err := set("Name", map[string]any{}); err == nil {
		t.Error("object into string accepted")
	}
	if n, err := set("Name", nil); err != nil || n.Name != "" {
		t.Errorf("nil: %v", err)
	}
	if _, err := resolvePath(ty, "Inner.Nope"); err == nil || !strings.Contains(err.Error(), `Employee has no field "Nope"`) {
		t.Errorf("bad path: %v", err)
	}
	if _, err := resolvePath(ty, "Name.X"); err == nil {
		t.Error("path through a string accepted")
	}
}

// Copy-on-write: setting a nested field of a copied record must not change the original.
func TestSetDoesNotAliasNestedRecords(t *testing.T) {
	orig := &nested{Inner: &Employee{Login: "a"}}
	cp := copyRecord(orig).(*nested)
	fp, err := resolvePath(reflect.TypeOf(nested{}), "Inner.Login")
	if err != nil {
		t.Fatal(err)
	}
	if err := fp.set(reflect.ValueOf(cp).Elem(), "b"); err != nil {
		t.Fatal(err)
	}
	if orig.Inner.Login != "a" || cp.Inner.Login != "b" {
		t.Errorf("orig %q copy %q", orig.Inner.Login, cp.Inner.Login)
	}
}

func TestPlain(t *testing.T) {
	b := true
	if plain(&b) != true || plain((*bool)(nil)) != nil || plain(int32(5)) != int64(5) {
		t.Error("pointers and ints")
	}
	if plain(soap.XSDDateTime{}) != nil {
		t.Error("the zero XSDDateTime must read as unknown")
	}
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := plain(soap.CreateXsdDateTime(when, true)); got != when {
		t.Errorf("XSDDateTime = %v", got)
	}
}

func TestFunctionLibrary(t *testing.T) {
	fns := Functions()
	user := map[string]any{"emails": []any{
		map[string]any{"value": "home@x", "type": "home", "primary": false},
		map[string]any{"value": "", "type": "other", "primary": false},
		map[string]any{"value": "work@x", "type": "work", "primary": true},
	}}
	call := func(name string, args ...any) any {
		t.Helper()
		v, err := fns[name].Fn(args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	if call("primaryEmail", user) != "work@x" || call("secondaryEmail", user) != "home@x" || call("emailOfType", user, "HOME") != "home@x" {
		t.Error("email helpers")
	}
	if call("primaryPhone", user) != nil || call("primaryEmail", map[string]any{}) != nil {
		t.Error("absent values must be nil")
	}
	if call("lower", "AbC") != "abc" || call("upper", nil) != nil || call("trim", " x ") != "x" {
		t.Error("string helpers")
	}
	if call("join", []any{"a", nil, "b"}, ",") != "a,b" || !reflect.DeepEqual(call("split", "a,b", ","), []any{"a", "b"}) {
		t.Error("join/split")
	}
	if call("default", "", "d") != "d" || call("default", "v", "d") != "v" {
		t.Error("default")
	}
	tm := call("parseTime", "2024-01-02T03:04:05+01:00").(time.Time)
	if call("formatTime", tm, "2006-01-02T15:04") != "2024-01-02T02:04" || call("parseTime", "") != nil {
		t.Error("time helpers")
	}
	if _, err := fns["parseTime"].Fn("yesterday"); err == nil {
		t.Error("parseTime accepted garbage")
	}
}

// docs/mapping.md documents every function of the library.
func TestFunctionsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/mapping.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range Functions() {
		if !strings.Contains(string(doc), "`"+name+"(") {
			t.Errorf("docs/mapping.md does not document %s", name)
		}
	}
}

func TestExpressionsAreBounded(t *testing.T) {
	src := "client: legacyhr\nusers:\n  toSCIM: { id: rec.EmployeeID, userName: '" + strings.Repeat("rec.Login + ", 600) + "rec.Login' }\n  get: { call: GetEmployee, request: { EmployeeID: id }, result: resp.Employee }\n"
	spec, err := Parse("big.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(spec, fakeCatalog{}, Options{})
	if err == nil || !strings.Contains(err.Error(), "users.toSCIM.userName") {
		t.Errorf("a 1200-node expression was accepted: %v", err)
	}
	if _, err := Compile(spec, fakeCatalog{}, Options{MaxNodes: 5000}); err != nil {
		t.Errorf("with a larger budget: %v", err)
	}
	// No clock in expressions.
	spec, _ = Parse("now.yaml", []byte("client: legacyhr\nusers:\n  toSCIM: { id: rec.EmployeeID, userName: rec.Login, meta.created: now() }\n  get: { call: GetEmployee, request: { EmployeeID: id }, result: resp.Employee }\n"))
	if _, err := Compile(spec, fakeCatalog{}, Options{}); err == nil {
		t.Error("now() was accepted")
	}
}
