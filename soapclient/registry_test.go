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

// The SOAPActions the registry read from the WSDL agree with the ones gowsdl compiled into the
// generated code, for every operation (the brief asks to verify this).
func TestRegistryActionsMatchGeneratedCode(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1/soap", nil)
	for _, op := range c.Operations() {
		info, _ := c.Lookup(op)
		rec := &recordingHTTP{}
		port := reflect.ValueOf(legacyhr.NewDirectoryPort(soap.NewClient("http://127.0.0.1:1/soap", soap.WithHTTPClient(rec))))
		out := port.MethodByName(op + "Context").Call([]reflect.Value{reflect.ValueOf(context.Background()), reflect.New(info.Request)})
		if err, _ := out[1].Interface().(error); !errors.Is(err, errStop) {
			t.Fatalf("%s: %v", op, err)
		}
		if rec.action != info.SOAPAction || info.SOAPAction == "" {
			t.Errorf("%s: generated code sends %q, WSDL says %q", op, rec.action, info.SOAPAction)
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
	for name := range Clients {
		if _, ok := ClientWSDL[name]; !ok {
			t.Errorf("client %q has no WSDL in ClientWSDL", name)
		}
		c, err := New(name, Config{Endpoint: "http://127.0.0.1:1/"})
		if err != nil {
			t.Errorf("New(%q): %v", name, err)
			continue
		}
		for _, op := range c.Operations() {
			if info, _ := c.Lookup(op); info.SOAPAction == "" {
				t.Errorf("%s.%s has no SOAPAction", name, op)
			}
		}
	}
	for name := range ClientWSDL {
		if _, ok := Clients[name]; !ok {
			t.Errorf("ClientWSDL has %q, which is not in Clients", name)
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

// A WSDL that lists its SOAP 1.2 binding first (as Axis2 and WSO2 do): gowsdl would take the
// action from it and send two apostrophes; the registry reads the SOAP 1.1 binding instead.
func TestSOAPActionsPreferSOAP11Binding(t *testing.T) {
	doc := `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
	  xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:tns="urn:x">
	  <wsdl:binding name="B12" type="tns:UserPortType"><soap12:binding style="document"/>
	    <wsdl:operation name="addUser"><soap12:operation soapAction="urn:wrong"/></wsdl:operation></wsdl:binding>
	  <wsdl:binding name="B11" type="tns:UserPortType"><soap:binding style="document"/>
	    <wsdl:operation name="addUser"><soap:operation soapAction="urn:addUser"/></wsdl:operation>
	    <wsdl:operation name="ping"><soap:operation/></wsdl:operation></wsdl:binding>
	</wsdl:definitions>`
	got, err := soapActions([]byte(doc), "userPortType")
	if err != nil {
		t.Fatal(err)
	}
	if got["addUser"] != "urn:addUser" || got["ping"] != "" || len(got) != 2 {
		t.Errorf("actions = %v", got)
	}
	if _, err := soapActions([]byte(doc), "Other"); err != nil {
		t.Errorf("single SOAP 1.1 binding should be used for any port: %v", err)
	}
	if _, err := soapActions([]byte("<not-wsdl"), "x"); err == nil {
		t.Error("broken WSDL accepted")
	}
}

// A port type that is not a gowsdl port is refused with a clear error, and a WSDL that lacks one
// of the port's operations (stale generated code) too.
func TestRegistryRejects(t *testing.T) {
	if _, err := newRegistry(struct{}{}, nil); err == nil || !strings.Contains(err.Error(), "gowsdl port") {
		t.Errorf("non-port: %v", err)
	}
	port := legacyhr.NewDirectoryPort(soap.NewClient("http://127.0.0.1:1/"))
	if _, err := newRegistry(port, map[string]string{"GetEmployee": "x"}); err == nil || !strings.Contains(err.Error(), "regenerate") {
		t.Errorf("stale WSDL: %v", err)
	}
}
