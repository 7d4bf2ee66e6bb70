package restclient

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// typeDesc is a JSON type as a definition declares it (the rest: block's type language or an
// OpenAPI schema): a scalar, a list or an object. Compile turns it into a Go type with
// reflect.StructOf, so that the mapping engine checks field paths and expressions against it
// exactly as against a generated SOAP struct.
type typeDesc struct {
	kind   string // string, int, number, bool, time, any, list, object
	elem   *typeDesc
	fields []fieldDesc // object, in declared order
	name   string      // a named type's name, for messages
	// maxLen is a string's length limit in characters (an OpenAPI schema's maxLength), noted in
	// the field's tag as the runtime WSDL client notes an XSD facet, so that the mapping's
	// length limits read both alike (docs/mapping.md#maxlength); 0 for none.
	maxLen int
}

type fieldDesc struct {
	json string
	t    *typeDesc
	// xml is the member's XML name when it differs from json (an OpenAPI xml.name, or
	// "wrapper>item" for a wrapped list); attr makes it an attribute. In the rest: block's type
	// language a member named "@name" is the attribute name, as in XPath.
	xml  string
	attr bool
	at   pos
}

// xmlName is the member's element or attribute name in an XML body, and whether it is an
// attribute.
func (f fieldDesc) xmlName() (string, bool) {
	if f.xml != "" {
		return f.xml, f.attr
	}
	if name, ok := strings.CutPrefix(f.json, "@"); ok {
		return name, true
	}
	return f.json, f.attr
}

var scalarKinds = []string{"string", "int", "number", "bool", "time", "any"}

var (
	stringType = reflect.TypeOf("")
	intType    = reflect.TypeOf(int64(0))
	numberType = reflect.TypeOf(float64(0))
	boolType   = reflect.TypeOf(false)
	timeType   = reflect.TypeOf(time.Time{})
	anyType    = reflect.TypeOf((*any)(nil)).Elem()
	// contentType holds what an XML body leaves open (a member of type any): the element kept
	// as XML, which the mapping reads with its XPath functions.
	contentType = reflect.TypeOf(xmlcontent.Content{})
)

func scalarType(kind string) reflect.Type {
	switch kind {
	case "string":
		return stringType
	case "int":
		return intType
	case "number":
		return numberType
	case "bool":
		return boolType
	case "time":
		return timeType
	}
	return anyType
}

// maxTypeDepth bounds how deeply types nest; JSON APIs nest a few levels.
const maxTypeDepth = 20

// goType is the type of a field holding t: scalars and objects behind pointers, so that an
// absent value (nil) differs from a zero one and is left out of a request body (omitempty);
// lists as slices, objects in lists behind pointers (as gowsdl generates them).
//
// In an XML body (xml set) a member of type any is xmlcontent.Content, since encoding/xml cannot
// fill an interface, and a list of lists is refused: XML has no form for it.
func goType(t *typeDesc, depth int, xml bool) (reflect.Type, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("types nest more than %d levels deep", maxTypeDepth)
	}
	switch t.kind {
	case "list":
		if xml && t.elem.kind == "list" {
			return nil, errors.New("a list of lists has no XML form (make the inner list a member of an object)")
		}
		et, err := goType(t.elem, depth+1, xml)
		if err != nil {
			return nil, err
		}
		if t.elem.kind != "object" && t.elem.kind != "list" && et.Kind() == reflect.Pointer {
			et = et.Elem() // []string, not []*string
		}
		return reflect.SliceOf(et), nil
	case "object":
		st, err := structType(t, depth, xml)
		if err != nil {
			return nil, err
		}
		return reflect.PointerTo(st), nil
	case "any":
		if xml {
			return contentType, nil
		}
		return anyType, nil
	}
	return reflect.PointerTo(scalarType(t.kind)), nil
}

// structType builds the struct of an object type: one field per member, named GoName(member),
// tagged with the member's JSON name and its XML name (an element, or an attribute: see
// fieldDesc). Members of an XML body must have XML names, and attributes scalar types.
func structType(t *typeDesc, depth int, xml bool) (reflect.Type, error) {
	fields := make([]reflect.StructField, 0, len(t.fields))
	seen := map[string]string{}
	for _, f := range t.fields {
		name := GoName(f.json)
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("members %q and %q both become the Go field %s", other, f.json, name)
		}
		seen[name] = f.json
		ft, err := goType(f.t, depth+1, xml)
		if err != nil {
			return nil, memberErr(f, err)
		}
		xn, attr := f.xmlName()
		if xml {
			if err := checkXMLMember(xn, attr, f.t); err != nil {
				return nil, memberErr(f, err)
			}
		}
		tag := fmt.Sprintf(`json:"%s,omitempty" xml:"%s,omitempty"`, f.json, xn)
		if attr {
			tag = fmt.Sprintf(`json:"%s,omitempty" xml:"%s,attr,omitempty"`, f.json, xn)
		}
		if f.t.maxLen > 0 {
			tag += fmt.Sprintf(` xsd:"maxLength=%d"`, f.t.maxLen)
		}
		fields = append(fields, reflect.StructField{Name: name, Type: ft, Tag: reflect.StructTag(tag)})
	}
	return reflect.StructOf(fields), nil
}

// GoName is the Go field name of a JSON member or parameter: its words (split at '_', '-', '.',
// spaces and other non-identifier characters) capitalised and joined, so `total_count` is
// TotalCount, `user_id` UserId and `X-Total-Count` XTotalCount. A name starting with a digit gets
// an F in front.
func GoName(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" {
		return "F"
	}
	if first := []rune(out)[0]; unicode.IsDigit(first) || !unicode.IsUpper(first) {
		// Letters without case (CJK) cannot be exported either.
		out = "F" + out
	}
	return out
}

// xmlNameRE is an XML name without a prefix (an NCName, ASCII letters only for simplicity);
// a wrapped list is "wrapper>item".
var xmlNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9._\-]*(>[A-Za-z_][A-Za-z0-9._\-]*)?$`)

// checkXMLMember: an XML member needs a name XML can carry; an attribute holds one scalar.
func checkXMLMember(name string, attr bool, t *typeDesc) error {
	if !xmlNameRE.MatchString(name) || (attr && strings.Contains(name, ">")) {
		return fmt.Errorf("%q is not an XML name", name)
	}
	if attr && (t.kind == "object" || t.kind == "list" || t.kind == "any") {
		return errors.New("an attribute holds a scalar (string, int, number, bool, time)")
	}
	return nil
}

// posError is a problem with a type member, at the member when its position is known.
type posError struct {
	at  pos
	msg string
}

func (e *posError) Error() string { return e.msg }

// memberErr prefixes err with the member's name and keeps the innermost known position.
func memberErr(f fieldDesc, err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		if pe.at.line == 0 {
			pe.at = f.at
		}
		return &posError{at: pe.at, msg: f.json + "." + pe.msg}
	}
	return &posError{at: f.at, msg: f.json + ": " + err.Error()}
}

// errAt is where to report err: at its member when known, else at def.
func errAt(err error, def pos) pos {
	var pe *posError
	if errors.As(err, &pe) && pe.at.line != 0 {
		return pe.at
	}
	return def
}
