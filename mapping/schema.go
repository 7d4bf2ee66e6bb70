package mapping

import (
	"reflect"
	"strings"

	"github.com/scimbridge/scimbridge/backend"
)

// UserAttributeTypes implements backend.AttributeDescriber: the SCIM type of each user attribute
// toSCIM returns, from the static type of its expression (a *bool field is a boolean, an int32 an
// integer, an xs:dateTime a dateTime, a list multi-valued). An expression whose type is not known
// statically (an interface, a map lookup) is left out, and the front end declares the attribute's
// standard type. Keys are spelled as backend.Capabilities.UserAttributes spells them.
func (b *engineBackend) UserAttributeTypes() map[string]backend.AttrInfo {
	return b.e.UserAttributeTypes()
}

// UserAttributeTypes is the engine's answer for every backend it builds; see
// engineBackend.UserAttributeTypes.
func (e *Engine) UserAttributeTypes() map[string]backend.AttrInfo {
	out := map[string]backend.AttrInfo{}
	if e.users == nil {
		return out
	}
	for _, t := range e.users.toSCIM {
		name := t.key
		if name == "id" || strings.HasPrefix(name, "meta.") || strings.HasPrefix(name, "emails.") || strings.HasPrefix(name, "phoneNumbers.") {
			continue // fixed by the neutral model
		}
		if info, ok := attrInfo(outType(t.p)); ok {
			out[name] = info
		}
	}
	return out
}

// attrInfo maps a Go type to a SCIM type; ok is false when the type says nothing (an interface).
func attrInfo(t reflect.Type) (backend.AttrInfo, bool) {
	t = deref(t)
	if t == nil {
		return backend.AttrInfo{}, false
	}
	if t == timeType || t == xsdDateTimeType {
		return backend.AttrInfo{Type: backend.TypeDateTime}, true
	}
	switch t.Kind() {
	case reflect.Bool:
		return backend.AttrInfo{Type: backend.TypeBoolean}, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return backend.AttrInfo{Type: backend.TypeInteger}, true
	case reflect.Float32, reflect.Float64:
		return backend.AttrInfo{Type: backend.TypeDecimal}, true
	case reflect.String:
		return backend.AttrInfo{Type: backend.TypeString}, true
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return backend.AttrInfo{Type: backend.TypeString}, true // []byte is text
		}
		elem, ok := attrInfo(t.Elem())
		if !ok || elem.MultiValued {
			return backend.AttrInfo{}, false
		}
		elem.MultiValued = true
		return elem, true
	case reflect.Struct, reflect.Map:
		return backend.AttrInfo{Type: backend.TypeComplex}, true
	}
	return backend.AttrInfo{}, false
}
