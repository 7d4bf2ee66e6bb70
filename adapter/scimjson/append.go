package scimjson

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/backend"
)

// The append functions below write JSON byte for byte as encoding/json's Marshal does (HTML-safe
// escaping, U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD, map keys sorted), without reflection:
// the codecs' user, group and list encoders build every response with them on the hot paths
// (docs/benchmarks.md, front end). Golden and fuzz tests in the codecs compare them with
// json.Marshal.

const hexDigits = "0123456789abcdef"

// htmlSafe[b] is whether ASCII byte b is written as itself inside a JSON string.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		switch b {
		case '"', '\\', '<', '>', '&':
		default:
			t[b] = true
		}
	}
	return t
}()

// AppendString appends s as a JSON string, escaped exactly as json.Marshal escapes it.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if htmlSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendKey appends `"key":`, or `,"key":` when comma is set.
func AppendKey(dst []byte, comma bool, key string) []byte {
	if comma {
		dst = append(dst, ',')
	}
	dst = AppendString(dst, key)
	return append(dst, ':')
}

// AppendOpt appends `,"key":"v"` unless v is empty (omitempty); key must need no escaping.
func AppendOpt(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return AppendString(dst, v)
}

// TrimComma removes the comma AppendOpt wrote first after mark, where an object's first member
// begins.
func TrimComma(dst []byte, mark int) []byte {
	if len(dst) > mark && dst[mark] == ',' {
		copy(dst[mark:], dst[mark+1:])
		dst = dst[:len(dst)-1]
	}
	return dst
}

// AppendName appends `,"name":{…}` for a non-zero name, with the RFC's sub-attributes in order
// and empty ones left out (both dialects write the same name object).
func AppendName(dst []byte, n *backend.Name) []byte {
	if n.IsZero() {
		return dst
	}
	dst = append(dst, `,"name":{`...)
	mark := len(dst)
	dst = AppendOpt(dst, "formatted", n.Formatted)
	dst = AppendOpt(dst, "familyName", n.FamilyName)
	dst = AppendOpt(dst, "givenName", n.GivenName)
	dst = AppendOpt(dst, "middleName", n.MiddleName)
	dst = AppendOpt(dst, "honorificPrefix", n.HonorificPrefix)
	dst = AppendOpt(dst, "honorificSuffix", n.HonorificSuffix)
	dst = TrimComma(dst, mark)
	return append(dst, '}')
}

// AppendBool appends true or false.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// AppendValue appends an extension value (see backend.User: string, bool, numbers, null, and
// arrays and objects of those). Strings, booleans, integers, null and map[string]any are written
// here; anything else (floats, whose formatting rules are json's own, and other types) is handed
// to json.Marshal, whose error it returns.
func AppendValue(dst []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendString(dst, t), nil
	case bool:
		return AppendBool(dst, t), nil
	case int64:
		return strconv.AppendInt(dst, t, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(t), 10), nil
	case map[string]any:
		return AppendObject(dst, t)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// AppendObject appends m as json.Marshal does: keys in byte order; a nil map is null.
func AppendObject(dst []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	var err error
	for i, k := range keys {
		dst = AppendKey(dst, i > 0, k)
		if dst, err = AppendValue(dst, m[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}
