package soapclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

const hrFault500 = `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Login already exists</faultstring>` +
	`<detail><hr:HRFault xmlns:hr="urn:legacyhr:directory:1"><hr:Code>HR-DUPLICATE</hr:Code>` +
	`<hr:Message>login jdoe is taken</hr:Message></hr:HRFault></detail></soap:Fault>`

// Fix 1. Without the transport's fault handling, gowsdl returns *soap.HTTPError for the 500 and
// a detail-less *soap.SOAPFault for the 200, so errors.As(*Fault) fails in both subtests.
func TestFaultBecomesTypedError(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusOK} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := newFake(t, fixed(status, envelope(hrFault500), "Content-Type", "text/xml"))
			c := newTestClient(t, srv.URL, nil)
			resp, err := c.Invoke(context.Background(), "CreateEmployee", &legacyhr.CreateEmployee{Employee: &legacyhr.Employee{Login: "jdoe"}})
			if resp != nil {
				t.Errorf("resp = %v, want nil", resp)
			}
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("err = %T %v, want *Fault", err, err)
			}
			if f.HTTPStatus != status || f.FaultCode() != "soap:Client" || f.FaultString() != "Login already exists" ||
				f.DetailCode() != "HR-DUPLICATE" || f.DetailMessage() != "login jdoe is taken" || f.Detail.Element != "HRFault" {
				t.Errorf("fault = %+v", f)
			}
			if !strings.Contains(f.Detail.Raw, "HR-DUPLICATE") {
				t.Errorf("raw detail = %q", f.Detail.Raw)
			}
			// The mapping engine reads faults through this method set only.
			var iface interface {
				FaultCode() string
				FaultString() string
				DetailCode() string
				DetailMessage() string
			}
			if !errors.As(err, &iface) || iface.DetailCode() != "HR-DUPLICATE" {
				t.Errorf("fault not reachable through the interface: %v", err)
			}
		})
	}
}

// The transport also works for a plain gowsdl soap.Client: gowsdl hands Do's error back unchanged.
func TestFaultThroughPlainGowsdlClient(t *testing.T) {
	srv := newFake(t, fixed(500, envelope(hrFault500)))
	port := legacyhr.NewDirectoryPort(soap.NewClient(srv.URL, soap.WithHTTPClient(NewTransport(Config{}))))
	_, err := port.GetEmployeeContext(context.Background(), &legacyhr.GetEmployee{EmployeeID: "1"})
	var f *Fault
	if !errors.As(err, &f) || f.DetailCode() != "HR-DUPLICATE" {
		t.Fatalf("err = %T %v, want *Fault HR-DUPLICATE", err, err)
	}
}

func TestFaultParsing(t *testing.T) {
	tests := []struct {
		name                         string
		status                       int
		body                         string
		code, str, dcode, dmsg, elem string
	}{
		{"no detail 500", 500, envelope(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault>`),
			"soap:Server", "boom", "", "", ""},
		{"no detail 200", 200, envelope(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault>`),
			"soap:Server", "boom", "", "", ""},
		{"unqualified detail", 500, envelope(`<soap:Fault><faultcode>Client</faultcode><faultstring>bad</faultstring><detail><AppError><errorCode>E42</errorCode><message>no</message></AppError></detail></soap:Fault>`),
			"Client", "bad", "E42", "no", "AppError"},
		{"default-namespace detail", 500, envelope(`<soap:Fault><faultcode>Client</faultcode><faultstring>bad</faultstring><detail><X xmlns="urn:x"><faultCode>F1</faultCode></X></detail></soap:Fault>`),
			"Client", "bad", "F1", "", "X"},
		{"code directly under detail", 500, envelope(`<soap:Fault><faultcode>Client</faultcode><faultstring>bad</faultstring><detail><code>7</code><Message>m</Message></detail></soap:Fault>`),
			"Client", "bad", "7", "m", "code"},
		{"qualified fault children", 500, envelope(`<soap:Fault><soap:faultcode>soap:Server</soap:faultcode><soap:faultstring>q</soap:faultstring></soap:Fault>`),
			"soap:Server", "q", "", "", ""},
		{"header before body", 500, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h>x</h></s:Header><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>h</faultstring></s:Fault></s:Body></s:Envelope>`,
			"s:Server", "h", "", "", ""},
		{"soap 1.2", 500, `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">nope</env:Text></env:Reason><env:Detail><e:E xmlns:e="urn:e"><e:Code>C</e:Code></e:E></env:Detail></env:Fault></env:Body></env:Envelope>`,
			"env:Sender", "nope", "C", "", "E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, fixed(tt.status, tt.body))
			c := newTestClient(t, srv.URL, nil)
			_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("err = %T %v, want *Fault", err, err)
			}
			if f.Code != tt.code || f.String != tt.str || f.Detail.Code != tt.dcode || f.Detail.Message != tt.dmsg || f.Detail.Element != tt.elem {
				t.Errorf("got code=%q string=%q dcode=%q dmsg=%q elem=%q", f.Code, f.String, f.Detail.Code, f.Detail.Message, f.Detail.Element)
			}
		})
	}
}

func TestFaultErrorIsShort(t *testing.T) {
	long := strings.Repeat("x", 10000)
	body := envelope(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>line1&#10;forged ` + long + `</faultstring><detail><E><Code>C</Code><Blob>` + long + `</Blob></E></detail></soap:Fault>`)
	srv := newFake(t, fixed(500, body))
	c := newTestClient(t, srv.URL, nil)
	_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	if len(msg) > 400 || strings.ContainsAny(msg, "\n\r") || strings.Contains(msg, "Blob") {
		t.Errorf("Error() is %d bytes / multi-line / has detail: %q", len(msg), msg)
	}
	if len(f.Detail.Raw) > maxFaultDetail+len("…") {
		t.Errorf("raw detail not capped: %d bytes", len(f.Detail.Raw))
	}
}

// Fix 2. gowsdl sends an empty soapAction as the two characters ”. Without the rewrite in Do the
// server sees ” and the assertion fails.
func TestEmptySOAPActionSentAsQuotedEmpty(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`)))
	sc := soap.NewClient(srv.URL, soap.WithHTTPClient(NewTransport(Config{})))
	if err := sc.CallContext(context.Background(), "", &legacyhr.GetEmployee{EmployeeID: "1"}, &legacyhr.GetEmployeeResponse{}); err != nil {
		t.Fatal(err)
	}
	if got := srv.last(t).Header.Get("SOAPAction"); got != `""` {
		t.Errorf("SOAPAction = %s, want \"\"", got)
	}
}

// The registry's action (read from the WSDL) is sent, and a per-call override wins over it.
// Without the context lookup in Do the override subtest fails.
func TestSOAPActionOverride(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`)))
	c := newTestClient(t, srv.URL, nil)
	if _, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.last(t).Header.Get("SOAPAction"); got != `"`+tns+`/GetEmployee"` {
		t.Errorf("SOAPAction = %q", got)
	}
	ctx := WithSOAPAction(context.Background(), "urn:other")
	if _, err := c.Invoke(ctx, "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.last(t).Header.Get("SOAPAction"); got != `"urn:other"` {
		t.Errorf("overridden SOAPAction = %q", got)
	}
}

// Fix 3. A void reply with no body (202, no Content-Type) and one with an empty 200 body. Without
// the empty-envelope substitution gowsdl fails with "mime: no media type" or EOF.
func TestEmptyReplyBody(t *testing.T) {
	for _, status := range []int{http.StatusAccepted, http.StatusOK} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header()["Content-Type"] = nil // suppress sniffing: no Content-Type at all
				w.WriteHeader(status)
			})
			c := newTestClient(t, srv.URL, nil)
			resp, err := c.Invoke(context.Background(), "DeleteEmployee", &legacyhr.DeleteEmployee{EmployeeID: "1"})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := resp.(*legacyhr.DeleteEmployeeResponse); !ok {
				t.Errorf("resp = %T, want *legacyhr.DeleteEmployeeResponse", resp)
			}
		})
	}
}

// Fix 4. gowsdl sets req.Close on every request; without undoing it, every call dials a new
// connection and the count is 30, not 1.
func TestConnectionsAreReused(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`), "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, nil)
	for range 30 {
		if _, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.newConns.Load(); n != 1 {
		t.Errorf("server saw %d new connections for 30 sequential calls, want 1", n)
	}
	if got := srv.last(t).Header.Get("Connection"); strings.EqualFold(got, "close") {
		t.Errorf("Connection: %s sent", got)
	}
}

func TestHTTPStatusWithRetryAfter(t *testing.T) {
	page := "<!DOCTYPE html><html><body>maintenance " + strings.Repeat("z", 2000) + "</body></html>"
	srv := newFake(t, fixed(http.StatusServiceUnavailable, page, "Retry-After", "7", "Content-Type", "text/html"))
	c := newTestClient(t, srv.URL, nil)
	_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	var he *HTTPStatusError
	if !errors.As(err, &he) {
		t.Fatalf("err = %T %v, want *HTTPStatusError", err, err)
	}
	if he.StatusCode != 503 || he.RetryAfter != "7" || !strings.HasPrefix(he.Body, "<!DOCTYPE html>") || len(he.Body) > maxBodyExcerpt+len("…") {
		t.Errorf("got %+v", he)
	}
	if d, ok := he.RetryAfterDelay(time.Now()); !ok || d != 7*time.Second {
		t.Errorf("RetryAfterDelay = %v, %v", d, ok)
	}
	if len(err.Error()) > 300 {
		t.Errorf("Error() too long: %d bytes", len(err.Error()))
	}
}

func TestHTTPStatusWithoutBody(t *testing.T) {
	srv := newFake(t, fixed(http.StatusUnauthorized, ""))
	c := newTestClient(t, srv.URL, nil)
	_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	var he *HTTPStatusError
	if !errors.As(err, &he) || he.StatusCode != 401 || he.RetryAfter != "" {
		t.Fatalf("err = %T %v, want 401 *HTTPStatusError", err, err)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	srv := newFake(t, fixed(http.StatusFound, "", "Location", "http://127.0.0.1:1/elsewhere"))
	c := newTestClient(t, srv.URL, nil)
	_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	var he *HTTPStatusError
	if !errors.As(err, &he) || he.StatusCode != http.StatusFound {
		t.Fatalf("err = %T %v, want 302 *HTTPStatusError", err, err)
	}
}

func TestDoctypeRefused(t *testing.T) {
	body := `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>` + envelope(`<GetEmployeeResponse xmlns="` + tns + `"/>`)[len(`<?xml version="1.0" encoding="UTF-8"?>`):]
	srv := newFake(t, fixed(200, body, "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, nil)
	_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	if !errors.Is(err, ErrDoctype) {
		t.Fatalf("err = %v, want ErrDoctype", err)
	}
}

func TestOversizeResponseRefused(t *testing.T) {
	big := envelope(`<GetEmployeeResponse xmlns="` + tns + `"><Employee><Login>` + strings.Repeat("a", 4096) + `</Login></Employee></GetEmployeeResponse>`)
	for _, chunked := range []bool{false, true} {
		name := map[bool]string{false: "content-length", true: "chunked"}[chunked]
		t.Run(name, func(t *testing.T) {
			srv := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("Content-Type", "text/xml")
				if chunked {
					_, _ = w.Write([]byte(big[:100]))
					w.(http.Flusher).Flush() // forces chunked encoding: no Content-Length
					_, _ = w.Write([]byte(big[100:]))
					return
				}
				_, _ = w.Write([]byte(big))
			})
			c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxResponseBytes = 1024 })
			_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
			if !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("err = %v, want ErrResponseTooLarge", err)
			}
		})
	}
	// The same reply is accepted under the default cap, so the limit is what refused it.
	srv := newFake(t, fixed(200, big, "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, nil)
	resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	if err != nil || len(resp.(*legacyhr.GetEmployeeResponse).Employee.Login) != 4096 {
		t.Fatalf("default cap: %v", err)
	}
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		select {
		case <-r.Context().Done():
		case <-release:
		case <-time.After(5 * time.Second):
		}
	})
	defer close(release)

	t.Run("config timeout", func(t *testing.T) {
		c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
		start := time.Now()
		_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("took %v", el)
		}
	})
	t.Run("caller deadline", func(t *testing.T) {
		c := newTestClient(t, srv.URL, nil) // 5s per-call timeout, shorter caller deadline wins
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.Invoke(ctx, "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
	})
}

func TestHTTPHeaders(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`), "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.BasicAuth = &BasicAuthConfig{Username: "svc", Password: "pw"}
		cfg.Headers = map[string]string{"X-Tenant": "acme"}
	})
	ctx := WithRequestID(context.Background(), "req-123")
	if _, err := c.Invoke(ctx, "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"}); err != nil {
		t.Fatal(err)
	}
	h := srv.last(t).Header
	if !strings.HasPrefix(h.Get("User-Agent"), "scimbridge/") {
		t.Errorf("User-Agent = %q", h.Get("User-Agent"))
	}
	if h.Get("X-Request-ID") != "req-123" || h.Get("X-Tenant") != "acme" || h.Get("Authorization") != "Basic c3ZjOnB3" {
		t.Errorf("headers = %v", h)
	}
	// An id that could forge a header or log line is not sent.
	if _, err := c.Invoke(WithRequestID(context.Background(), "a b\r\nX: y"), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.last(t).Header.Get("X-Request-ID"); got != "" {
		t.Errorf("unsafe request id sent as %q", got)
	}
}

// Concurrent calls share the pool: with MaxIdleConnsPerHost at the default of 2, each burst of 8
// overlapping calls would close 6 connections and dial them again in the next round (more than 8
// in total); sized to MaxConcurrency, the 8 connections of the first round are reused.
func TestConcurrentCallsReusePool(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		time.Sleep(20 * time.Millisecond) // make the calls of one round overlap
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(envelope(`<GetEmployeeResponse xmlns="` + tns + `"/>`)))
	})
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxConcurrency = 8
		cfg.WSSE = &WSSEConfig{Username: "u", Password: "p", Digest: true}
	})
	const workers = 8
	for range 3 {
		errs := make(chan error, workers)
		for range workers {
			go func() {
				_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
				errs <- err
			}()
		}
		for range workers {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := srv.newConns.Load(); n > workers {
		t.Errorf("server saw %d new connections for 3 rounds of %d parallel calls, want at most %d", n, workers, workers)
	}
}
