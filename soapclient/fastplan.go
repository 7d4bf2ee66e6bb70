package soapclient

import (
	"encoding"
	"encoding/xml"
	"reflect"
	"strings"
	"sync"

	"github.com/hooklift/gowsdl/soap"
)

// Plans: how the fast reader (fastdecode.go) and writer (fastencode.go) walk a Go type, built
// once per type from the same xml struct tags encoding/xml reads. One builder serves both
// directions; they differ only where encoding/xml does (which methods take a value over, and how
// an XMLName below the root is used). Any type whose treatment by encoding/xml this file does not
// copy gets no plan, and its messages go through gowsdl.

// planKind is what a plan reads into or writes from.
type planKind uint8

const (
	pString planKind = iota
	pInt
	pUint
	pFloat
	pBool
	pDateTime // soap.XSDDateTime, through its exported constructor
	pDate     // soap.XSDDate
	pPtr
	pSlice
	pStruct
)

// plan is how to read or write one Go type.
type plan struct {
	kind planKind
	bits int   // for numbers
	elem *plan // for pointers and slices
	typ  reflect.Type
	// structs
	fields []fieldPlan
	// The XMLName field: its index (-1 without one) and its tag's name. Reading checks an
	// element against it at any depth; writing names the root request's element with it.
	nameIdx              int
	nameSpace, nameLocal string
}

// fieldPlan is one element field of a struct, as encoding/xml's field info would have it.
type fieldPlan struct {
	index        int
	space, local string
	omitempty    bool // used when writing
	p            *plan
}

var (
	nameType     = reflect.TypeFor[xml.Name]()
	dateTimeType = reflect.TypeFor[soap.XSDDateTime]()
	dateType     = reflect.TypeFor[soap.XSDDate]()
	// The methods through which encoding/xml hands a value over, per direction.
	readMethods = []reflect.Type{reflect.TypeFor[xml.Unmarshaler](), reflect.TypeFor[encoding.TextUnmarshaler](),
		reflect.TypeFor[xml.UnmarshalerAttr]()}
	writeMethods = []reflect.Type{reflect.TypeFor[xml.Marshaler](), reflect.TypeFor[encoding.TextMarshaler](),
		reflect.TypeFor[xml.MarshalerAttr]()}
)

// readPlans and writePlans cache the plans by type; a nil *plan means "not for the fast path".
var readPlans, writePlans sync.Map

// planFor is the reading plan for a response struct type, or nil when fastDecode must not be
// used for it.
func planFor(t reflect.Type) *plan {
	if p, ok := readPlans.Load(t); ok {
		return p.(*plan)
	}
	var p *plan
	if t.Kind() == reflect.Struct {
		p = buildPlan(t, false, map[reflect.Type]*plan{}, 0)
	}
	readPlans.Store(t, p)
	return p
}

// encPlanFor is the writing plan for a request struct type, or nil: the type must name its
// element in its XMLName tag, as gowsdl's request types do.
func encPlanFor(t reflect.Type) *plan {
	if p, ok := writePlans.Load(t); ok {
		return p.(*plan)
	}
	var p *plan
	if t.Kind() == reflect.Struct {
		p = buildPlan(t, true, map[reflect.Type]*plan{}, 0)
		if p != nil && p.nameLocal == "" {
			p = nil
		}
	}
	writePlans.Store(t, p)
	return p
}

// buildPlan returns nil for any type encoding/xml would read (or, with write, write) in a way
// these files do not copy. inProgress makes recursive types (a struct holding a slice of itself)
// terminate.
func buildPlan(t reflect.Type, write bool, inProgress map[reflect.Type]*plan, depth int) *plan {
	if depth > 32 {
		return nil
	}
	switch t {
	case dateTimeType:
		return &plan{kind: pDateTime, typ: t}
	case dateType:
		return &plan{kind: pDate, typ: t}
	case nameType:
		return nil
	}
	// encoding/xml follows a pointer before it looks for methods.
	if t.Kind() != reflect.Pointer && usesMethods(t, write) {
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		return &plan{kind: pString, typ: t}
	case reflect.Bool:
		return &plan{kind: pBool, typ: t}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &plan{kind: pInt, bits: t.Bits(), typ: t}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &plan{kind: pUint, bits: t.Bits(), typ: t}
	case reflect.Float32, reflect.Float64:
		return &plan{kind: pFloat, bits: t.Bits(), typ: t}
	case reflect.Pointer, reflect.Slice:
		kind, elem := pPtr, t.Elem().Kind()
		if t.Kind() == reflect.Slice {
			kind = pSlice
		}
		// []byte is character data to encoding/xml; pointers to pointers and slices of slices
		// are left to it too.
		if elem == reflect.Pointer && kind == pPtr || elem == reflect.Slice && kind == pSlice || elem == reflect.Uint8 && kind == pSlice {
			return nil
		}
		e := buildPlan(t.Elem(), write, inProgress, depth+1)
		if e == nil {
			return nil
		}
		return &plan{kind: kind, elem: e, typ: t}
	case reflect.Struct:
		return buildStructPlan(t, write, inProgress, depth)
	}
	return nil
}

func buildStructPlan(t reflect.Type, write bool, inProgress map[reflect.Type]*plan, depth int) *plan {
	if p, ok := inProgress[t]; ok {
		return p
	}
	p := &plan{kind: pStruct, typ: t, nameIdx: -1}
	inProgress[t] = p
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("xml")
		if f.Anonymous {
			return nil // embedded fields are promoted by rules not copied here
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		space, name, omitempty, ok := parseTag(tag)
		if !ok {
			return nil
		}
		if f.Name == "XMLName" {
			if f.Type != nameType || write && depth > 0 {
				return nil // only the root's XMLName names an element when writing
			}
			p.nameIdx, p.nameSpace, p.nameLocal = i, space, name
			continue
		}
		if name == "" {
			name = f.Name
		}
		if hasXMLName(f.Type) || seen[name] {
			// The field's name and namespace would come from the type's XMLName; two fields of
			// one name are refused or resolved by encoding/xml.
			return nil
		}
		if st := elemStruct(f.Type); write && st != nil && hasXMLName(st) {
			return nil // a slice element's XMLName would name its elements
		}
		seen[name] = true
		fp := buildPlan(f.Type, write, inProgress, depth+1)
		if fp == nil {
			return nil
		}
		p.fields = append(p.fields, fieldPlan{index: i, space: space, local: name, omitempty: omitempty, p: fp})
	}
	return p
}

// usesMethods says whether encoding/xml would hand t (or *t) to a method of the direction's.
func usesMethods(t reflect.Type, write bool) bool {
	methods := readMethods
	if write {
		methods = writeMethods
	}
	pt := reflect.PointerTo(t)
	for _, m := range methods {
		if t.Implements(m) || pt.Implements(m) {
			return true
		}
	}
	return false
}

// parseTag splits an xml struct tag the way encoding/xml does, accepting only what ends in a plain
// element field: "[namespace ]name[,omitempty]". Attributes, chardata, innerxml, any, comments
// and a>b paths are refused.
func parseTag(tag string) (space, name string, omitempty, ok bool) {
	if ns, rest, cut := strings.Cut(tag, " "); cut {
		space, tag = ns, rest
	}
	name, flags, _ := strings.Cut(tag, ",")
	for _, f := range strings.Split(flags, ",") {
		switch f {
		case "":
		case "omitempty":
			omitempty = true
		default:
			return "", "", false, false
		}
	}
	if strings.Contains(name, ">") || (space != "" && name == "") {
		return "", "", false, false
	}
	return space, name, omitempty, true
}

// hasXMLName says whether t, through pointers, is a struct with an XMLName field.
func hasXMLName(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	_, ok := t.FieldByName("XMLName")
	return ok
}

// elemStruct is the struct a slice field holds (through pointers), or nil.
func elemStruct(t reflect.Type) reflect.Type {
	if t.Kind() != reflect.Slice {
		return nil
	}
	t = t.Elem()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}
