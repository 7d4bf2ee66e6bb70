package soapclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jcmturner/goidentity/v6"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/scimbridge/scimbridge/internal/kdctest"
	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// startKerberized serves a SOAP endpoint behind SPNEGO with the keytab a real KDC issued for
// HTTP/127.0.0.1 (the SPN the client derives from the endpoint URL). Each answer names the
// principal the service authenticated.
func startKerberized(t *testing.T, kdc *kdctest.KDC) (*httptest.Server, func() []string) {
	t.Helper()
	raw, err := os.ReadFile(kdc.AddService(t, "HTTP/127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	kt := keytab.New()
	if err := kt.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	h := spnego.SPNEGOKRB5Authenticate(soapOK(func(r *http.Request) string {
		id := goidentity.FromHTTPRequestContext(r)
		if id == nil {
			return "nobody"
		}
		name := id.UserName() + "@" + id.Domain()
		mu.Lock()
		seen = append(seen, name)
		mu.Unlock()
		return name
	}), kt, service.Logger(log.New(io.Discard, "", 0)),
		// MIT KDCs since 1.20 put a minimal PAC in every ticket, without the KerbValidationInfo
		// that Active Directory's carries and that gokrb5's service would otherwise insist on.
		// The PAC is the service's business, not the client's under test.
		service.DecodePAC(false))
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// The whole Kerberos path against a real MIT KDC: the client logs in with a password (AS-REQ
// with pre-authentication) or with a keytab, asks for a ticket to HTTP/127.0.0.1 (TGS-REQ), and
// the service verifies the AP-REQ with the keytab the KDC issued for it. Nothing is minted in the
// test. Wrong credentials are a clear ErrAuthRefused that never carries the password.
func TestKerberosAgainstARealKDC(t *testing.T) {
	kdc := kdctest.Start(t)
	kdc.AddUser(t, "svc-scim", "Corr3ct-Horse")
	ts, seen := startKerberized(t, kdc)
	base := KerberosConfig{Krb5Conf: kdc.Krb5Conf, Realm: kdctest.Realm}

	call := func(t *testing.T, kc KerberosConfig) (string, error) {
		t.Helper()
		c, err := New("legacyhr", Config{Endpoint: ts.URL, Kerberos: &kc})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
		if err != nil {
			return "", err
		}
		return resp.(*legacyhr.GetEmployeeResponse).Employee.Login, nil
	}

	t.Run("password", func(t *testing.T) {
		kc := base
		kc.Username, kc.Password = "svc-scim", "Corr3ct-Horse"
		c, err := New("legacyhr", Config{Endpoint: ts.URL, Kerberos: &kc})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// Several calls, some concurrent: one login serves them all, each with a fresh AP-REQ.
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
				if err == nil && resp.(*legacyhr.GetEmployeeResponse).Employee.Login != "svc-scim@"+kdctest.Realm {
					err = fmt.Errorf("the service authenticated %q", resp.(*legacyhr.GetEmployeeResponse).Employee.Login)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Ping(context.Background()); err != nil {
			t.Fatalf("ping: %v", err)
		}
	})

	t.Run("keytab", func(t *testing.T) {
		kdc.AddUser(t, "svc-keytab", "unused-Passw0rd")
		kc := base
		kc.Username, kc.Keytab = "svc-keytab", kdc.Keytab(t, "svc-keytab")
		got, err := call(t, kc)
		if err != nil || got != "svc-keytab@"+kdctest.Realm {
			t.Fatalf("keytab login: %q, %v", got, err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		kc := base
		kc.Username, kc.Password = "svc-scim", "Wrong-Horse-42"
		_, err := call(t, kc)
		t.Logf("a wrong password: %v", err)
		if !errors.Is(err, ErrAuthRefused) {
			t.Fatalf("a wrong password: %v, want ErrAuthRefused", err)
		}
		if !strings.Contains(err.Error(), "the password or the keytab's key is wrong") {
			t.Errorf("a wrong password is not named as such: %v", err)
		}
		if strings.Contains(err.Error(), "Wrong-Horse-42") {
			t.Fatalf("the error carries the password: %v", err)
		}
	})

	t.Run("unknown principal", func(t *testing.T) {
		kc := base
		kc.Username, kc.Password = "nobody-here", "whatever-1"
		_, err := call(t, kc)
		t.Logf("an unknown principal: %v", err)
		if !errors.Is(err, ErrAuthRefused) {
			t.Fatalf("an unknown principal: %v, want ErrAuthRefused", err)
		}
		if !strings.Contains(err.Error(), "the KDC knows no such account") {
			t.Errorf("an unknown account is not named as such: %v", err)
		}
	})

	t.Run("service without a principal", func(t *testing.T) {
		// The KDC knows no HTTP/localhost: the ticket request itself fails, before any call.
		kc := base
		kc.Username, kc.Password, kc.SPN = "svc-scim", "Corr3ct-Horse", "HTTP/localhost"
		_, err := call(t, kc)
		if !errors.Is(err, ErrAuthRefused) || !strings.Contains(err.Error(), "the KDC knows no service principal HTTP/localhost") {
			t.Fatalf("a ticket for an unknown service: %v, want ErrAuthRefused naming the SPN", err)
		}
	})

	for _, name := range seen() {
		if name != "svc-scim@"+kdctest.Realm && name != "svc-keytab@"+kdctest.Realm {
			t.Errorf("the service authenticated %q", name)
		}
	}
}
