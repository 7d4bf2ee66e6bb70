package observe

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Redacted replaces a sensitive value.
const Redacted = "[REDACTED]"

// DefaultSensitiveKeys are masked by every RedactHandler. Keys are compared after lower-casing and
// dropping '_', '-', '.' and spaces; a key that ends with one of them (bearerToken, x_api_key), or
// with one and an "s" (tokens, apiKeys), or contains "password", "passwd" or "secret" is sensitive
// too.
var DefaultSensitiveKeys = []string{
	"password", "passwd", "pwd", "secret", "token", "authorization", "proxyauthorization", "apikey",
	"credential", "credentials", "cookie", "setcookie", "accesstoken", "refreshtoken", "privatekey",
	"clientsecret", "sessionid",
}

// maxRedactDepth bounds the walk through nested values (and so any reference cycle).
const maxRedactDepth = 10

// RedactHandler wraps a slog.Handler and masks sensitive attributes wherever they sit: top-level
// attributes, groups, WithAttrs/WithGroup, values resolved from a LogValuer, and inside maps,
// slices and structs logged as a single attribute, which the JSON handler would otherwise print
// through encoding/json, unredacted. Structs and maps come out as JSON-like
// maps of their exported fields (json tag names honoured, `json:"-"` fields dropped).
//
// A json.RawMessage is decoded and masked like a map (one over 64 KiB or not valid JSON is hidden
// whole). What it cannot see: text already formatted into the message (slog.Info(fmt.Sprintf(
// "%+v", x))), error strings, and values of other types with their own MarshalJSON/MarshalText,
// which are passed through untouched (time.Time and friends). Never log request bodies.
type RedactHandler struct {
	next      slog.Handler
	keys      *sensitiveKeys
	sensitive bool // inside a WithGroup whose name is sensitive: mask everything
}

// sensitiveKeys are the normalised sensitive keys, indexed for isSensitive, which runs for every
// attribute of every line: byLast holds them by their last byte, since a key is sensitive when it
// ends with one of them (and a key ends with itself); all is set when one of them is empty, which
// every key ends with.
type sensitiveKeys struct {
	byLast [256][]string
	all    bool
}

// NewRedactHandler wraps next, masking DefaultSensitiveKeys plus extra (e.g. the attribute names
// a deployment declares sensitive, such as "ssn" or "userName").
func NewRedactHandler(next slog.Handler, extra ...string) *RedactHandler {
	keys := &sensitiveKeys{}
	seen := make(map[string]bool, len(DefaultSensitiveKeys)+len(extra))
	for _, k := range append(append([]string(nil), DefaultSensitiveKeys...), extra...) {
		k = normKey(k)
		switch {
		case seen[k]:
		case k == "":
			keys.all = true
		default:
			keys.byLast[k[len(k)-1]] = append(keys.byLast[k[len(k)-1]], k)
		}
		seen[k] = true
	}
	return &RedactHandler{next: next, keys: keys}
}

func normKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(k))
}

// isSensitive reports whether key, normalised, is one of the keys, ends with one (prefixed
// spellings: x_api_key, bearerToken, proxy-authorization) or with one and an "s" (plurals:
// tokens, cookies), or contains "password", "passwd" or "secret".
func (h *RedactHandler) isSensitive(key string) bool {
	var buf [64]byte
	k, ok := normASCIIKey(buf[:0], key)
	if !ok {
		k = []byte(normKey(key))
	}
	if h.keys.all || bytes.Contains(k, []byte("password")) || bytes.Contains(k, []byte("passwd")) || bytes.Contains(k, []byte("secret")) {
		return true
	}
	if h.endsWithKey(k) {
		return true
	}
	// Plurals: tokens, cookies, apiKeys, an extra "ssn" as "ssns".
	return len(k) > 1 && k[len(k)-1] == 's' && h.endsWithKey(k[:len(k)-1])
}

// endsWithKey reports whether the normalised key k ends with one of the sensitive keys.
func (h *RedactHandler) endsWithKey(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	for _, s := range h.keys.byLast[k[len(k)-1]] {
		if bytes.HasSuffix(k, []byte(s)) {
			return true
		}
	}
	return false
}

// normASCIIKey appends normKey(key) to dst without allocating (for keys up to dst's capacity),
// when key is ASCII; ok is false otherwise, where lower-casing is Unicode's.
func normASCIIKey(dst []byte, key string) (k []byte, ok bool) {
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= utf8.RuneSelf:
			return nil, false
		case c == '_' || c == '-' || c == '.' || c == ' ':
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		default:
			dst = append(dst, c)
		}
	}
	return dst, true
}

// Enabled defers to the wrapped handler.
func (h *RedactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle masks r's attributes and passes a copy on; r itself when none of them needs masking or
// resolving (a typical line: plain strings and numbers under ordinary keys).
func (h *RedactHandler) Handle(ctx context.Context, r slog.Record) error {
	clean := !h.sensitive
	if clean {
		r.Attrs(func(a slog.Attr) bool {
			clean = h.plain(a)
			return clean
		})
	}
	if clean {
		return h.next.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a, 0))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs masks attrs before the wrapped handler pre-formats them.
func (h *RedactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a, 0)
	}
	return &RedactHandler{next: h.next.WithAttrs(red), keys: h.keys, sensitive: h.sensitive}
}

// WithGroup opens a group; everything inside a group named like a secret is masked.
func (h *RedactHandler) WithGroup(name string) slog.Handler {
	return &RedactHandler{next: h.next.WithGroup(name), keys: h.keys, sensitive: h.sensitive || h.isSensitive(name)}
}

// plain reports that attr(a) would return a as it is: a value of a kind that holds no other
// attributes and needs no resolving (or a []string, whose copy through walk prints the same),
// under a key that is not sensitive.
func (h *RedactHandler) plain(a slog.Attr) bool {
	switch a.Value.Kind() {
	case slog.KindGroup, slog.KindLogValuer:
		return false
	case slog.KindAny:
		// walk copies a []string into a []any of the same strings, which the text handler (%+v)
		// and the JSON handler print alike; not a nil one (JSON null against []) nor one it would
		// cut at 1000 entries.
		if ss, ok := a.Value.Any().([]string); !ok || ss == nil || len(ss) > maxWalkLen {
			return false
		}
	}
	return !h.isSensitive(a.Key)
}

func (h *RedactHandler) attr(a slog.Attr, depth int) slog.Attr {
	if h.sensitive || h.isSensitive(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		if depth >= maxRedactDepth {
			return slog.String(a.Key, "[too deep]")
		}
		g := v.Group()
		red := make([]slog.Attr, len(g))
		for i, ga := range g {
			red[i] = h.attr(ga, depth+1)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(red...)}
	case slog.KindAny:
		return slog.Attr{Key: a.Key, Value: slog.AnyValue(h.walk(reflect.ValueOf(v.Any()), depth+1))}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

var (
	logValuerType     = reflect.TypeFor[slog.LogValuer]()
	errorType         = reflect.TypeFor[error]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	rawJSONType       = reflect.TypeFor[json.RawMessage]()
)

// maxWalkLen bounds the entries of a map or slice walk copies; the rest are left out.
const maxWalkLen = 1000

// maxRawJSON bounds the json.RawMessage the handler decodes to redact; larger ones are hidden.
const maxRawJSON = 64 << 10

// walk returns a copy of v that is safe to log: plain maps and slices with sensitive entries
// masked. Values it need not (or cannot) look into are returned as they are.
func (h *RedactHandler) walk(v reflect.Value, depth int) any {
	if !v.IsValid() {
		return nil
	}
	if depth > maxRedactDepth {
		return "[too deep]"
	}
	t := v.Type()
	switch {
	case t.Implements(logValuerType) && v.CanInterface() && !(v.Kind() == reflect.Pointer && v.IsNil()):
		sv := slog.AnyValue(v.Interface()).Resolve()
		if sv.Kind() == slog.KindGroup {
			m := make(map[string]any, len(sv.Group()))
			for _, a := range sv.Group() {
				ra := h.attr(a, depth+1)
				m[ra.Key] = ra.Value.Any()
			}
			return m
		}
		if sv.Kind() == slog.KindAny {
			return h.walk(reflect.ValueOf(sv.Any()), depth+1)
		}
		return sv.Any()
	case t == rawJSONType:
		// A request or SOAP body logged as json.RawMessage would go out verbatim through its
		// MarshalJSON: decode it and walk it like any map (bounded), or hide it.
		var x any
		if raw := v.Bytes(); len(raw) <= maxRawJSON && json.Unmarshal(raw, &x) == nil {
			return h.walk(reflect.ValueOf(x), depth+1)
		}
		return Redacted
	case t.Implements(errorType), t.Implements(jsonMarshalerType), t.Implements(textMarshalerType):
		if v.CanInterface() {
			return v.Interface()
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return h.walk(v.Elem(), depth+1)
	case reflect.Map:
		m := make(map[string]any, v.Len())
		iter := v.MapRange()
		for n := 0; iter.Next() && n < maxWalkLen; n++ {
			k := fmt.Sprint(iter.Key().Interface())
			if h.isSensitive(k) {
				m[k] = Redacted
				continue
			}
			m[k] = h.walk(iter.Value(), depth+1)
		}
		return m
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return v.Interface() // bytes, as encoding/json would show them
		}
		n := min(v.Len(), maxWalkLen)
		s := make([]any, n)
		for i := range n {
			s[i] = h.walk(v.Index(i), depth+1)
		}
		return s
	case reflect.Struct:
		m := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, ok := f.Tag.Lookup("json"); ok {
				tn, _, _ := strings.Cut(tag, ",")
				if tn == "-" {
					continue
				}
				if tn != "" {
					name = tn
				}
			}
			if h.isSensitive(name) || h.isSensitive(f.Name) {
				m[name] = Redacted
				continue
			}
			m[name] = h.walk(v.Field(i), depth+1)
		}
		return m
	}
	if v.CanInterface() {
		return v.Interface()
	}
	return nil
}
