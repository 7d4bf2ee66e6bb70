package soapclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

var legacyOps = []string{
	"AddRoleMember", "CreateEmployee", "CreateRole", "DeleteEmployee", "DeleteRole", "DisableEmployee",
	"EnableEmployee", "FindEmployees", "GetEmployee", "GetRole", "ListEmployees", "ListRoles",
	"RemoveRoleMember", "SetPassword", "UpdateEmployee", "UpdateRole",
}

func TestCatalog(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1/soap", nil)
	if got := c.Operations(); !slices.Equal(got, legacyOps) {
		t.Fatalf("Operations() = %v", got)
	}
	info, ok := c.Lookup("UpdateEmployee")
	if !ok || info.Name != "UpdateEmployee" || info.Request != reflect.TypeFor[legacyhr.UpdateEmployee]() ||
		info.Response != reflect.TypeFor[legacyhr.UpdateEmployeeResponse]() || info.SOAPAction != tns+"/UpdateEmployee" {
		t.Errorf("Lookup(UpdateEmployee) = %+v, %v", info, ok)
	}
	if _, ok := c.Lookup("UpdateEmployeeContext"); ok {
		t.Error("method name leaked into the catalog")
	}
	c.Operations()[0] = "mutated"
	if c.Operations()[0] != legacyOps[0] {
		t.Error("Operations() exposes internal state")
	}
}

type recordingHTTP struct{ action string }

var errStop = errors.New("stop")

func (r *recordingHTTP) Do(req *http.Request) (*http.Response, error) {
	r.action = req.Header.Get("SOAPAction")
	return nil, errStop
}

// The SOAPAction in each registry (the SOAP 1.1 binding's, read at generation time) is the one
// the generated code itself sends, for every operation of every generated client: the two come
// from the same generation step and must never drift.
func TestRegistryActionsMatchGeneratedCode(t *testing.T) {
	for name, gen := range Clients {
		for _, op := range gen.Operations {
			rec := &recordingHTTP{}
			sc := soap.NewClient("http://127.0.0.1:1/soap", soap.WithHTTPClient(rec))
			if _, err := op.Call(context.Background(), sc, reflect.New(op.Request).Interface()); !errors.Is(err, errStop) {
				t.Fatalf("%s.%s: %v", name, op.Name, err)
			}
			if rec.action != op.SOAPAction || op.SOAPAction == "" {
				t.Errorf("%s.%s: generated code sends %q, registry says %q", name, op.Name, rec.action, op.SOAPAction)
			}
		}
	}
}

func TestInvokeRejectsBadCalls(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`)))
	c := newTestClient(t, srv.URL, nil)
	ctx := context.Background()
	if _, err := c.Invoke(ctx, "Nope", &legacyhr.GetEmployee{}); !errors.Is(err, ErrUnknownOperation) || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("unknown op: %v", err)
	}
	for _, req := range []any{nil, legacyhr.GetEmployee{}, &legacyhr.GetRole{}, (*legacyhr.GetEmployee)(nil), "x"} {
		if _, err := c.Invoke(ctx, "GetEmployee", req); !errors.Is(err, ErrRequestType) {
			t.Errorf("Invoke(GetEmployee, %T) err = %v, want ErrRequestType", req, err)
		}
	}
	srv.mu.Lock()
	n := len(srv.requests)
	srv.mu.Unlock()
	if n != 0 {
		t.Errorf("rejected calls reached the server %d times", n)
	}
	resp, err := c.Invoke(ctx, "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	if _, ok := resp.(*legacyhr.GetEmployeeResponse); err != nil || !ok {
		t.Errorf("valid call: %T, %v", resp, err)
	}
	_ = c.Close()
	if _, err := c.Invoke(ctx, "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestMiddlewareOrder(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`)))
	var trace []string
	mw := func(name string) Middleware {
		return func(next Invoker) Invoker {
			return InvokerFunc(func(ctx context.Context, op string, req any) (any, error) {
				trace = append(trace, name+">"+op)
				return next.Invoke(ctx, op, req)
			})
		}
	}
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Middleware = []Middleware{mw("outer"), mw("inner")} })
	if _, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(trace, []string{"outer>GetEmployee", "inner>GetEmployee"}) {
		t.Errorf("trace = %v", trace)
	}
}

func TestEveryRegisteredClientBuilds(t *testing.T) {
	if len(Clients) < 2 {
		t.Fatalf("Clients = %v, want legacyhr and wso2userstore at least", Clients)
	}
	for name, gen := range Clients {
		if gen.Package != name {
			t.Errorf("Clients[%q] is package %q", name, gen.Package)
		}
		c, err := New(name, Config{Endpoint: "http://127.0.0.1:1/"})
		if err != nil {
			t.Errorf("New(%q): %v", name, err)
			continue
		}
		if len(c.Operations()) != len(gen.Operations) {
			t.Errorf("%s: %d operations in the catalog, %d in the registry", name, len(c.Operations()), len(gen.Operations))
		}
		for _, op := range c.Operations() {
			if info, _ := c.Lookup(op); info.SOAPAction == "" {
				t.Errorf("%s.%s has no SOAPAction", name, op)
			}
		}
	}
}

func TestNewValidatesConfig(t *testing.T) {
	if _, err := New("nosuch", Config{Endpoint: "http://127.0.0.1:1/"}); err == nil || !strings.Contains(err.Error(), "legacyhr") {
		t.Errorf("unknown client: %v", err)
	}
	bad := []Config{
		{},
		{Endpoint: "ftp://127.0.0.1/"},
		{Endpoint: "http://"},
		{Endpoint: "http://127.0.0.1:1/", Timeout: -1},
		{Endpoint: "http://127.0.0.1:1/", WSSE: &WSSEConfig{}},
		{Endpoint: "http://127.0.0.1:1/", BasicAuth: &BasicAuthConfig{}},
		{Endpoint: "http://127.0.0.1:1/", Headers: map[string]string{"X-A": "a\r\nX-B: b"}},
		{Endpoint: "http://127.0.0.1:1/", Headers: map[string]string{"Bad Name": "a"}},
		// Any control character but tab would make every call fail at the transport: refused at start-up.
		{Endpoint: "http://127.0.0.1:1/", Headers: map[string]string{"X-A": "a\x01b"}},
		{Endpoint: "http://127.0.0.1:1/", Headers: map[string]string{"content-length": "1"}},
	}
	for i, cfg := range bad {
		if _, err := New("legacyhr", cfg); err == nil {
			t.Errorf("config %d accepted: %+v", i, cfg)
		}
	}
}

func TestCredentialsRedacted(t *testing.T) {
	w := &WSSEConfig{Username: "u", Password: "hunter2"}
	b := &BasicAuthConfig{Username: "u", Password: "hunter2"}
	var sb strings.Builder
	log := slog.New(slog.NewJSONHandler(&sb, nil))
	log.Info("cfg", "wsse", *w, "basic", *b)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", *w, *w, *w, w), fmt.Sprintf("%v %+v %#v", *b, *b, *b), sb.String()} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("password leaked: %s", s)
		}
	}
}

// A registry that was edited or is stale is refused with a clear error rather than failing at
// the first call.
func TestRegistryRejects(t *testing.T) {
	okOp := legacyhr.Registry.Operations[0]
	for _, tc := range []struct {
		name string
		reg  *soapreg.Client
		want string
	}{
		{"nil", nil, "no operations"},
		{"empty", &soapreg.Client{Package: "x"}, "no operations"},
		{"duplicate", &soapreg.Client{Package: "x", Operations: []soapreg.Operation{okOp, okOp}}, "twice"},
		{"untyped", &soapreg.Client{Package: "x", Operations: []soapreg.Operation{{OperationInfo: soapreg.OperationInfo{Name: "a"}}}}, "incomplete"},
	} {
		if _, err := newRegistry(tc.reg); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "regenerate") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
