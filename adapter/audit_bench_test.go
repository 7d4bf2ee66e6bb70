package adapter

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/backendtime"
	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/internal/reqid"
)

// serveLogger is the logger cmd/scimbridge's newLogger builds for serve (info level, durations
// made readable, redaction in front of the request-id handler), writing to w.
func serveLogger(format string, w io.Writer, sensitive ...string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindDuration {
			a.Value = slog.StringValue(a.Value.Duration().String())
		}
		return a
	}}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(observe.NewRedactHandler(observe.NewRequestIDHandler(h), sensitive...))
}

// auditRequest is the agent's existence check as logRequests sees it after the handlers ran: the
// request id, the route, the caller and one backend call recorded in its context.
func auditRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, `/scim/v1/Users?filter=userName+eq+"x"&startIndex=1&count=100`, nil)
	r.RemoteAddr = "127.0.0.1:50123"
	ctx := reqid.With(r.Context(), "7f3a9c2e1b4d")
	ctx = contextWithInfo(ctx, &reqInfo{id: "7f3a9c2e1b4d", route: "/scim/v1/Users", caller: "okta-agent"})
	ctx, acc := backendtime.With(ctx)
	acc.Record("FindEmployees", "ok", 1234*time.Microsecond)
	return r.WithContext(ctx)
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkAuditLine is one "scim request" line as serve writes it (logRequests through the
// redaction and request-id handlers into slog's text or JSON handler): docs/benchmarks.md, "SOAP
// reply check and audit line".
func BenchmarkAuditLine(b *testing.B) {
	for _, format := range []string{"text", "json"} {
		b.Run(format, func(b *testing.B) {
			clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			s := &server{log: serveLogger(format, io.Discard, "ssn"), now: func() time.Time { return clock }}
			h := s.logRequests(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			r := auditRequest()
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// TestAuditLineText pins the audit line's exact text in both formats, so a faster way of building
// or redacting it cannot change a byte.
func TestAuditLineText(t *testing.T) {
	want := map[string]string{
		"text": `level=INFO msg="scim request" method=GET route=/scim/v1/Users resource=User caller=okta-agent client=127.0.0.1 backend=[FindEmployees:ok:1.2ms] status=200 duration_ms=0 request_id=7f3a9c2e1b4d` + "\n",
		"json": `{"level":"INFO","msg":"scim request","method":"GET","route":"/scim/v1/Users","resource":"User","caller":"okta-agent","client":"127.0.0.1","backend":["FindEmployees:ok:1.2ms"],"status":200,"duration_ms":0,"request_id":"7f3a9c2e1b4d"}` + "\n",
	}
	for format, line := range want {
		var buf bytes.Buffer
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		s := &server{log: serveLogger(format, &buf, "ssn"), now: func() time.Time { return clock }}
		s.log = slog.New(dropTime{s.log.Handler()})
		s.logRequests(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(&discardWriter{h: http.Header{}}, auditRequest())
		if buf.String() != line {
			t.Errorf("%s:\n got %s\nwant %s", format, buf.String(), line)
		}
	}
}

// dropTime zeroes a record's time, which the text and JSON handlers then leave out.
type dropTime struct{ slog.Handler }

func (d dropTime) Handle(ctx context.Context, r slog.Record) error {
	r.Time = time.Time{}
	return d.Handler.Handle(ctx, r)
}
