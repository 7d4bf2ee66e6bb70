package observe

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// refIsSensitive is isSensitive as it was before its allocation-free form: the fast form must
// decide every key alike.
func refIsSensitive(keys []string, key string) bool {
	set := map[string]bool{}
	for _, k := range keys {
		set[normKey(k)] = true
	}
	k := normKey(key)
	if set[k] || strings.Contains(k, "password") || strings.Contains(k, "passwd") || strings.Contains(k, "secret") {
		return true
	}
	for s := range set {
		if s == "" || strings.HasSuffix(k, s) || (len(k) > 1 && strings.HasSuffix(k, "s") && strings.HasSuffix(k[:len(k)-1], s)) {
			return true
		}
	}
	return false
}

func TestIsSensitiveMatchesReference(t *testing.T) {
	var keys []string
	for _, base := range append(append([]string{}, DefaultSensitiveKeys...), "ssn", "userName", "status", "route", "id", "Ünïcode", "ΣΕΚΡΕΤ", "") {
		keys = append(keys, base, strings.ToUpper(base), "x_"+base, base+"_x", "X-"+strings.ToUpper(base)+"-Y", "my "+base, strings.Repeat("a", 70)+base)
	}
	keys = append(keys, "tokens", "Cookies", "x_api_keys", "sessionIds", "ssns", "s", "status", "keys", "KELVIN\u212a", "pass\u0130word", "\xff\xfesecret", "pass_word", "p.a.s.s.w.o.r.d", "SeCrEt", "api-key", "api.key", "setCookie", "KEY", "-", "_._")
	for _, extra := range [][]string{nil, {"ssn", "userName"}, {"ß", "İd"}, {"-"}, {""}} {
		h := NewRedactHandler(slog.DiscardHandler, extra...)
		all := append(append([]string(nil), DefaultSensitiveKeys...), extra...)
		for _, k := range keys {
			if got, want := h.isSensitive(k), refIsSensitive(all, k); got != want {
				t.Errorf("extra %q: isSensitive(%q) = %v, want %v", extra, k, got, want)
			}
		}
	}
}

// refHandle is Handle without its pass-through: every attribute rebuilt through attr.
func refHandle(h *RedactHandler, ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a, 0))
		return true
	})
	return h.next.Handle(ctx, out)
}

// The pass-through for plain lines must print exactly what the full redaction prints, and must
// never let a sensitive value through: top-level scalars, string slices (nil, long, under a
// sensitive key), groups, maps, structs and LogValuers among plain attributes.
func TestRedactHandlerPassThroughPrintsTheSame(t *testing.T) {
	const secret = "hunter2-S3cret"
	long := make([]string, 1200)
	for i := range long {
		long[i] = "v"
	}
	lines := map[string][]slog.Attr{
		"audit line": {slog.String("method", "GET"), slog.String("route", "/scim/v1/Users"), slog.Any("backend", []string{"FindEmployees:ok:1.2ms", "x y"}),
			slog.Int("status", 200), slog.Float64("duration_ms", 1.5), slog.Bool("ok", true), slog.Duration("took", time.Second), slog.Time("at", time.Unix(1, 0).UTC()), slog.Uint64("n", 7)},
		"sensitive string":      {slog.String("route", "/x"), slog.String("password", secret)},
		"sensitive int":         {slog.String("route", "/x"), slog.Int("X-Api-Key", 12345)},
		"sensitive string list": {slog.String("route", "/x"), slog.Any("accessToken", []string{secret})},
		"nil string list":       {slog.Any("backend", []string(nil))},
		"empty string list":     {slog.Any("backend", []string{})},
		"long string list":      {slog.Any("backend", long)},
		"named string list":     {slog.Any("backend", []namedString{"a", "b"})},
		"group":                 {slog.String("route", "/x"), slog.Group("auth", slog.String("authorization", "Basic "+secret))},
		"map":                   {slog.String("route", "/x"), slog.Any("body", map[string]any{"password": secret})},
		"struct":                {slog.String("route", "/x"), slog.Any("user", credentials{"jdoe", secret})},
		"log valuer":            {slog.String("route", "/x"), slog.Any("who", valuer{secret})},
		"any string":            {slog.Any("note", "plain"), slog.Any("secretNote", secret)},
	}
	for name, attrs := range lines {
		for _, format := range []string{"text", "json"} {
			var got, want bytes.Buffer
			mk := func(w *bytes.Buffer) *RedactHandler {
				if format == "text" {
					return NewRedactHandler(slog.NewTextHandler(w, nil), "ssn")
				}
				return NewRedactHandler(slog.NewJSONHandler(w, nil), "ssn")
			}
			r := slog.NewRecord(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), slog.LevelInfo, "scim request", 0)
			r.AddAttrs(attrs...)
			if err := mk(&got).Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			if err := refHandle(mk(&want), context.Background(), r); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s/%s:\n got %s\nwant %s", name, format, got.String(), want.String())
			}
			if strings.Contains(got.String(), secret) {
				t.Errorf("%s/%s: secret leaked: %s", name, format, got.String())
			}
		}
	}
	// Inside a sensitive group everything is masked, plain or not.
	var buf bytes.Buffer
	slog.New(NewRedactHandler(slog.NewTextHandler(&buf, nil))).WithGroup("credentials").Info("x", "value", secret, "list", []string{secret})
	if strings.Contains(buf.String(), secret) {
		t.Errorf("secret leaked from a sensitive group: %s", buf.String())
	}
}

type namedString string

// Plural spellings of the sensitive keys are masked too; words that merely end in "s" are not.
func TestPluralKeysAreSensitive(t *testing.T) {
	h := NewRedactHandler(slog.DiscardHandler, "ssn")
	for _, k := range []string{"tokens", "accessTokens", "Cookies", "x-api-keys", "credentials", "sessionIds", "ssns", "clientSecrets"} {
		if !h.isSensitive(k) {
			t.Errorf("%q is not masked", k)
		}
	}
	for _, k := range []string{"status", "keys", "ids", "groups", "s", "address"} {
		if h.isSensitive(k) {
			t.Errorf("%q is masked", k)
		}
	}
}
