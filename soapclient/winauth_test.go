package soapclient

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/test/testdata"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/scimbridge/scimbridge/internal/ntlmserver"
	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// soapOK answers every POST with a GetEmployee reply naming the authenticated user.
func soapOK(user func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = io.WriteString(w, envelope(`<GetEmployeeResponse xmlns="`+tns+`"><Employee><EmployeeID>1</EmployeeID><Login>`+user(r)+`</Login></Employee></GetEmployeeResponse>`))
	})
}

func startNTLM(t *testing.T) (*ntlmserver.Server, *httptest.Server) {
	t.Helper()
	var srv *ntlmserver.Server
	srv = ntlmserver.New(soapOK(func(r *http.Request) string {
		u, _ := r.Context().Value(ntlmserver.UserKey{}).(string)
		return u
	}), "CORP", ntlmserver.Account{Domain: "CORP", Username: "svc-okta", Password: "Winter2026!"})
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ConnContext = srv.ConnContext
	ts.Start()
	t.Cleanup(ts.Close)
	return srv, ts
}

// Concurrent calls through NTLM: every call is authenticated by a real NTLMv2 handshake that the
// server verifies, handshakes happen once per connection (not per call), and connections are kept.
func TestNTLMHandshakeAndConnectionReuse(t *testing.T) {
	srv, ts := startNTLM(t)
	const conc = 4
	c, err := New("legacyhr", Config{Endpoint: ts.URL, MaxConcurrency: conc,
		NTLM: &NTLMConfig{Username: `CORP\svc-okta`, Password: "Winter2026!"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("ping with good credentials: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
				if err != nil {
					errs <- err
					return
				}
				if got := resp.(*legacyhr.GetEmployeeResponse).Employee.Login; got != `CORP\svc-okta` {
					errs <- fmt.Errorf("server saw user %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if srv.Failures() != 0 {
		t.Errorf("%d handshakes refused", srv.Failures())
	}
	// 201 calls (ping included) over at most conc connections: one handshake per connection.
	if srv.Connections() > conc || srv.Handshakes() > srv.Connections() || srv.Handshakes() == 0 {
		t.Errorf("connections %d, handshakes %d for 201 calls with %d slots: connections not kept authenticated",
			srv.Connections(), srv.Handshakes(), conc)
	}
}

// Wrong credentials: the server verifies the NTLMv2 response and refuses; Ping (the readiness
// probe and the start-up check) says so clearly, and a call fails with the 401.
func TestNTLMWrongPassword(t *testing.T) {
	srv, ts := startNTLM(t)
	c, err := New("legacyhr", Config{Endpoint: ts.URL, NTLM: &NTLMConfig{Username: `CORP\svc-okta`, Password: "wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Ping(context.Background())
	if !errors.Is(err, ErrAuthRefused) || !strings.Contains(err.Error(), `NTLM as CORP\svc-okta`) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("ping err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the password leaked into the error: %v", err)
	}
	_, err = c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	var se *HTTPStatusError
	if !errors.As(err, &se) || se.StatusCode != 401 {
		t.Fatalf("call err = %T %v, want HTTP 401", err, err)
	}
	if srv.Failures() == 0 || srv.Handshakes() != 0 {
		t.Errorf("failures %d handshakes %d: the server did not verify and refuse", srv.Failures(), srv.Handshakes())
	}
}

func TestWinAuthValidation(t *testing.T) {
	for _, cfg := range []Config{
		{NTLM: &NTLMConfig{Username: "u"}},
		{NTLM: &NTLMConfig{Username: "u", Password: "p"}, BasicAuth: &BasicAuthConfig{Username: "u", Password: "p"}},
		{Kerberos: &KerberosConfig{Realm: "R", Username: "u", Password: "p"}},
		{Kerberos: &KerberosConfig{Krb5Conf: "/x", Realm: "R", Username: "u"}},
	} {
		cfg.Endpoint = "http://127.0.0.1:1/"
		if _, err := New("legacyhr", cfg); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v", NTLMConfig{Username: "u", Password: "s3cr3t"}, KerberosConfig{Password: "s3cr3t"}, NTLMConfig{Password: "s3cr3t"}); strings.Contains(s, "s3cr3t") {
		t.Errorf("password printed: %s", s)
	}
}

// Kerberos through SPNEGO against gokrb5's own SPNEGO server middleware and its test keytab for
// HTTP/host.test.gokrb5. There is no KDC here, so the client's tickets are minted in the test
// (with the service's key, as a KDC would) and handed over as a ticket cache; everything from the
// AP-REQ on is the library's real exchange, verified by the server.
func TestKerberosSPNEGO(t *testing.T) {
	svcKT := keytab.New()
	raw, _ := hex.DecodeString(testdata.HTTP_KEYTAB)
	if err := svcKT.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	var seen []string
	var mu sync.Mutex
	h := spnego.SPNEGOKRB5Authenticate(soapOK(func(r *http.Request) string {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Get("Authorization")[:10])
		return "krb-ok"
	}), svcKT, service.Logger(log.New(io.Discard, "", 0)))
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	mint := func(cname string) func() (*krbclient.Client, error) {
		return func() (*krbclient.Client, error) { return cachedClient(t, svcKT, cname) }
	}
	c, err := New("legacyhr", Config{Endpoint: ts.URL, Kerberos: &KerberosConfig{SPN: "HTTP/host.test.gokrb5", newClient: mint("testuser1")}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 3; i++ {
		resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if resp.(*legacyhr.GetEmployeeResponse).Employee.Login != "krb-ok" {
			t.Fatalf("resp = %+v", resp)
		}
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}

	// A ticket for another service (the server cannot decrypt it) is refused: 401.
	bad, err := New("legacyhr", Config{Endpoint: ts.URL, Kerberos: &KerberosConfig{SPN: "HTTP/host.test.gokrb5", newClient: func() (*krbclient.Client, error) {
		// The right service name under another key: what a stale keytab on the server looks like.
		etype, kvno := keyOf(svcKT)
		other := keytab.New()
		if err := other.AddEntry("HTTP/host.test.gokrb5", "TEST.GOKRB5", "not-the-service-key", time.Now(), uint8(kvno), etype); err != nil {
			return nil, err
		}
		return cachedClientWith(t, other, "testuser1")
	}}})
	defer bad.Close()
	if err := bad.Ping(context.Background()); !errors.Is(err, ErrAuthRefused) || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("ping with a ticket the service cannot read: %v", err)
	}
}

// cachedClient is a gokrb5 client whose ticket cache holds a TGT and a service ticket for
// HTTP/host.test.gokrb5, both minted with svcKT.
func cachedClient(t *testing.T, svcKT *keytab.Keytab, cname string) (*krbclient.Client, error) {
	return cachedClientWith(t, svcKT, cname)
}

// cachedClientWith mints the service ticket with ticketKT (a wrong key makes it unreadable).
func cachedClientWith(t *testing.T, ticketKT *keytab.Keytab, cname string) (*krbclient.Client, error) {
	t.Helper()
	const realm = "TEST.GOKRB5"
	now := time.Now().UTC()
	end := now.Add(time.Hour)
	fl := asn1.BitString{Bytes: make([]byte, 4), BitLength: 32}
	types.SetFlag(&fl, flags.Forwardable)
	cn := types.PrincipalName{NameType: nametype.KRB_NT_PRINCIPAL, NameString: []string{cname}}
	tgtName := types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", realm}}
	svcName := types.PrincipalName{NameType: nametype.KRB_NT_SRV_HST, NameString: []string{"HTTP", "host.test.gokrb5"}}
	etype, kvno := keyOf(ticketKT)
	// The KDC's own key, which only the (absent) KDC would ever read.
	kdcKT := keytab.New()
	if err := kdcKT.AddEntry("krbtgt/"+realm, realm, "kdc-secret", now, uint8(kvno), etype); err != nil {
		return nil, err
	}
	tgt, tgtKey, err := messages.NewTicket(cn, realm, tgtName, realm, fl, kdcKT, etype, kvno, now, now, end, end)
	if err != nil {
		return nil, err
	}
	svc, svcKey, err := messages.NewTicket(cn, realm, svcName, realm, fl, ticketKT, etype, kvno, now, now, end, end)
	if err != nil {
		return nil, err
	}
	cc := &credentials.CCache{Version: 4}
	cc.DefaultPrincipal.Realm, cc.DefaultPrincipal.PrincipalName = realm, cn
	for _, e := range []struct {
		name types.PrincipalName
		tkt  messages.Ticket
		key  types.EncryptionKey
	}{{tgtName, tgt, tgtKey}, {svcName, svc, svcKey}} {
		b, err := e.tkt.Marshal()
		if err != nil {
			return nil, err
		}
		cred := &credentials.Credential{Key: e.key, AuthTime: now, StartTime: now, EndTime: end, RenewTill: end, TicketFlags: fl, Ticket: b}
		cred.Client.Realm, cred.Client.PrincipalName = realm, cn
		cred.Server.Realm, cred.Server.PrincipalName = realm, e.name
		cc.Credentials = append(cc.Credentials, cred)
	}
	conf, err := krbconfig.NewFromString(testdata.KRB5_CONF)
	if err != nil {
		return nil, err
	}
	return krbclient.NewFromCCache(cc, conf, krbclient.DisablePAFXFAST(true))
}

// keyOf returns the encryption type and key version of the keytab's first entry.
func keyOf(kt *keytab.Keytab) (int32, int) {
	e := kt.Entries[0]
	return e.Key.KeyType, int(e.KVNO)
}
