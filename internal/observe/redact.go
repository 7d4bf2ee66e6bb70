package observe

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
)

// Redacted replaces a sensitive value.
const Redacted = "[REDACTED]"

// DefaultSensitiveKeys are masked by every RedactHandler. Keys are compared after lower-casing and
// dropping '_', '-', '.' and spaces; a key that ends with one of them (bearerToken, x_api_key) or
// contains "password", "passwd" or "secret" is sensitive too.
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
	keys      map[string]bool
	sensitive bool // inside a WithGroup whose name is sensitive: mask everything
}

// NewRedactHandler wraps next, masking DefaultSensitiveKeys plus extra (e.g. the attribute names
// a deployment declares sensitive, such as "ssn" or "userName").
func NewRedactHandler(next slog.Handler, extra ...string) *RedactHandler {
	keys := make(map[string]bool, len(DefaultSensitiveKeys)+len(extra))
	for _, k := range append(append([]string(nil), DefaultSensitiveKeys...), extra...) {
		keys[normKey(k)] = true
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

func (h *RedactHandler) isSensitive(key string) bool {
	k := normKey(key)
	if h.keys[k] || strings.Contains(k, "password") || strings.Contains(k, "passwd") || strings.Contains(k, "secret") {
		return true
	}
	// Prefixed spellings: x_api_key, bearerToken, proxy-authorization.
	for s := range h.keys {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// Enabled defers to the wrapped handler.
func (h *RedactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle masks r's attributes and passes a copy on.
func (h *RedactHandler) Handle(ctx context.Context, r slog.Record) error {
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
		for n := 0; iter.Next() && n < 1000; n++ {
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
		n := min(v.Len(), 1000)
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
