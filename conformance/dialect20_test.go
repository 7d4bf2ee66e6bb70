package conformance

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/adapter/backend/memory"
)

// v2Fault breaks the real SCIM 2.0 front end in one way, in front of it.
type v2Fault int

const (
	v2None v2Fault = iota
	v2CapitalOpsRefused
	v2NumericErrorStatus
	v2RemoveFilterIgnored
	v2NoStartIndex
	v2NoPatch
)

// breakV2 wraps the front end so that it shows exactly one defect.
func breakV2(h http.Handler, f v2Fault) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		switch {
		case f == v2CapitalOpsRefused && r.Method == "PATCH" && bytes.Contains(body, []byte(`"op":"Replace"`)):
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"bad op"}`))
			return
		case f == v2RemoveFilterIgnored && r.Method == "PATCH" && bytes.Contains(body, []byte(`members[value eq`)):
			w.WriteHeader(204)
			return
		case f == v2NoPatch && r.Method == "PATCH":
			w.WriteHeader(501)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"501","detail":"no"}`))
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		out := rec.Body.Bytes()
		switch {
		case f == v2NumericErrorStatus && rec.Code >= 400:
			out = []byte(strings.Replace(string(out), `"status":"`+strconv.Itoa(rec.Code)+`"`, `"status":`+strconv.Itoa(rec.Code), 1))
		case f == v2NoStartIndex && r.Method == "GET" && bytes.Contains(out, []byte(`"startIndex":`)):
			out = []byte(strings.Replace(string(out), `"startIndex":`, `"firstIndex":`, 1))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
	})
}

func v2Server(t *testing.T, f v2Fault) string {
	t.Helper()
	h, err := adapter.New(adapter.Config{Auth: adapter.AuthConfig{Mode: "header", HeaderName: "Authorization", Token: "Bearer t0k"}},
		memory.New(memory.Options{}), adapter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(breakV2(h, f))
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2/"
}

// TestV2DialectAgainstTheBridge runs the whole 2.0 dialect against the real SCIM 2.0 front end,
// then against copies broken in one way each: exactly the checks that rule belongs to fail.
func TestV2DialectAgainstTheBridge(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault v2Fault
		want  []string
	}{
		{v2None, nil},
		{v2CapitalOpsRefused, []string{"v2.patch.entra"}},
		{v2NumericErrorStatus, []string{"v2.errors"}},
		{v2RemoveFilterIgnored, []string{"v2.patch.groups"}},
		{v2NoStartIndex, []string{"shape.counters"}},
		{v2NoPatch, []string{"v2.patch.entra", "v2.patch.groups", "v2.patch.okta"}},
	}
	for _, tc := range cases {
		url := v2Server(t, tc.fault)
		rep, err := Run(t.Context(), Options{URL: url, Dialect: "2.0", Header: http.Header{"Authorization": {"Bearer t0k"}}, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if got := failing(rep); !slices.Equal(got, tc.want) {
			t.Errorf("fault %d: failing %v, want %v\n%s", tc.fault, got, tc.want, textOf(t, rep))
		}
		if tc.fault == v2None {
			for _, name := range []string{"v2.discovery", "v2.patch.okta", "v2.patch.entra", "v2.patch.groups", "v2.errors", "lifecycle", "updateGroup"} {
				if c := rep.Check(name); c == nil || c.Status != Pass {
					t.Errorf("%s did not pass: %+v", name, c)
				}
			}
			if len(rep.Leftovers) > 0 {
				t.Errorf("left data behind: %v", rep.Leftovers)
			}
		}
	}
}
