package soapclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// testPKI is a private CA with a server certificate for 127.0.0.1 and a client certificate.
type testPKI struct {
	pool           *x509.CertPool
	server, client tls.Certificate
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(serial int64, usage x509.ExtKeyUsage, ips ...net.IP) tls.Certificate {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	}
	p := testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.server = leaf(2, x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	p.client = leaf(3, x509.ExtKeyUsageClientAuth)
	return p
}

// A backend behind a private CA that requires a client certificate (mTLS): the call works with
// Config.TLS holding the CA and the client certificate, and fails as a transport error (which
// the breaker counts) without either.
func TestPrivateCAAndClientCertificate(t *testing.T) {
	pki := newTestPKI(t)
	var sawClientCert atomic.Bool
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawClientCert.Store(r.TLS != nil && len(r.TLS.PeerCertificates) == 1)
		fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"><Employee><FamilyName>overTLS</FamilyName></Employee></GetEmployeeResponse>`), "Content-Type", "text/xml")(w, r, nil)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.TLS = &tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{pki.client}}
	})
	if got, err := familyName(t, c); err != nil || got != "overTLS" || !sawClientCert.Load() {
		t.Fatalf("mTLS call: %q, %v (client certificate seen: %t)", got, err, sawClientCert.Load())
	}

	for name, tc := range map[string]*tls.Config{
		"no client certificate": {RootCAs: pki.pool},
		"system roots only":     {Certificates: []tls.Certificate{pki.client}},
	} {
		c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.TLS = tc })
		_, err := familyName(t, c)
		if err == nil {
			t.Errorf("%s: call succeeded", name)
			continue
		}
		if o := classify(err); o != OutcomeTransportError || !countsAsFailure(o, err) {
			t.Errorf("%s: outcome %s (%v), want a transport error the breaker counts", name, o, err)
		}
		var ue x509.UnknownAuthorityError
		if name == "system roots only" && !errors.As(err, &ue) {
			t.Errorf("%s: %v, want an unknown-authority error", name, err)
		}
	}
}
