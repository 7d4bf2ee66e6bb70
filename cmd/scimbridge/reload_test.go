//go:build !windows

package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/scimbridge/scimbridge/internal/pki"
)

// reloadStack is a bridge process configured by a file the test rewrites, in header-token mode.
type reloadStack struct {
	t          *testing.T
	cfgPath    string
	simURL     string
	base       string // SCIM 1.1 base URL, ends with /
	metricsURL string
	proc       *proc
	client     *http.Client
	extra      string // more YAML at top level (tls)
	metricsKV  string // more keys of metrics:
	logKV      string // more keys of log:
}

func (s *reloadStack) write(token, previous string) {
	s.t.Helper()
	prev := ""
	if previous != "" {
		prev = fmt.Sprintf(", previousToken: %q", previous)
	}
	// The listeners stay as first written (port 0): changing them would need a restart.
	cfg := fmt.Sprintf(`listen: 127.0.0.1:0
metrics: { listen: "127.0.0.1:0"%s }
%s
scim:
  auth: { mode: header, headerName: Authorization, token: %q%s }
backend:
  mapping: builtin:legacyhr
  endpoint: %s/soap
  wsse: { username: %s, password: %s }
log: { format: json%s }
`, s.metricsKV, s.extra, token, prev, s.simURL, e2eSimUser, e2eSimPass, s.logKV)
	if err := os.WriteFile(s.cfgPath, []byte(cfg), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

func startReloadStack(t *testing.T, extra string, client *http.Client) *reloadStack {
	t.Helper()
	return startReloadStackWith(t, &reloadStack{extra: extra, client: client})
}

func startReloadStackWith(t *testing.T, s *reloadStack) *reloadStack {
	t.Helper()
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass)
	s.t, s.cfgPath, s.simURL = t, filepath.Join(t.TempDir(), "scimbridge.yaml"), simURL
	s.write("Bearer old-token", "")
	p, base := startProc(t, regexp.MustCompile(`SCIM 1.1 listening on (https?://\S+)`), "serve", "--config", s.cfgPath)
	m := regexp.MustCompile(`metrics on (https?://\S+)/metrics`).FindStringSubmatch(p.output())
	if m == nil {
		t.Fatalf("no metrics line:\n%s", p.output())
	}
	s.proc, s.base, s.metricsURL = p, base, m[1]
	return s
}

func (s *reloadStack) get(token string) (int, error) {
	req, _ := http.NewRequest("GET", s.base+"Users?startIndex=1&count=1", nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// reloads returns scimbridge_config_reloads_total{result}.
func (s *reloadStack) reloads(result string) int {
	s.t.Helper()
	res, err := http.Get(s.metricsURL + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^scimbridge_config_reloads_total\{result="` + result + `"\} (\d+)`).FindSubmatch(b)
	if m == nil {
		s.t.Fatalf("no reload counter for %s in /metrics", result)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// hup sends SIGHUP and waits (bounded) until the counter for result reaches want.
func (s *reloadStack) hup(result string, want int) {
	s.t.Helper()
	if err := s.proc.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for s.reloads(result) < want {
		if time.Now().After(deadline) {
			s.t.Fatalf("no %s reload after SIGHUP:\n%s", result, s.proc.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReloadRotatesTokenUnderLoad is the rotation an operator does, under a bounded load loop:
// token old; SIGHUP to new with old as previous; every request keeps succeeding (none lost,
// none refused) while the clients move to the new token; SIGHUP to new alone; the old token is
// then refused and the new one accepted. A broken file in between is refused with a log line,
// and the running configuration keeps serving.
func TestReloadRotatesTokenUnderLoad(t *testing.T) {
	s := startReloadStack(t, "", &http.Client{Timeout: 20 * time.Second})
	if code, err := s.get("Bearer old-token"); err != nil || code != 200 {
		t.Fatalf("before the reload: %d %v", code, err)
	}

	var token atomic.Value
	token.Store("Bearer old-token")
	var stop atomic.Bool
	var sent, failed atomic.Int64
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000 && !stop.Load(); i++ {
				code, err := s.get(token.Load().(string))
				sent.Add(1)
				if err != nil || code != 200 {
					failed.Add(1)
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%d %v", code, err))
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	s.write("Bearer new-token", "Bearer old-token")
	s.hup("success", 1)
	time.Sleep(200 * time.Millisecond)
	token.Store("Bearer new-token") // the clients move over, as the Okta app is changed
	time.Sleep(200 * time.Millisecond)

	// A broken file is refused; the running configuration keeps serving throughout.
	if err := os.WriteFile(s.cfgPath, []byte("scim: { auth: { mode: header\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.hup("refused", 1)
	time.Sleep(200 * time.Millisecond)

	s.write("Bearer new-token", "")
	s.hup("success", 2)
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	if failed.Load() != 0 || sent.Load() < 20 {
		t.Errorf("%d of %d requests failed across the reloads: %v", failed.Load(), sent.Load(), failures[:min(len(failures), 5)])
	}
	if code, _ := s.get("Bearer old-token"); code != 401 {
		t.Errorf("old token after the rotation: %d, want 401", code)
	}
	if code, _ := s.get("Bearer new-token"); code != 200 {
		t.Errorf("new token after the rotation: %d, want 200", code)
	}
	out := s.proc.output()
	for _, want := range []string{`"msg":"configuration reload refused; the running configuration keeps serving"`, `"msg":"configuration reloaded"`, `"caller":"previous token"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s", want)
		}
	}
	if strings.Contains(out, "old-token") || strings.Contains(out, "new-token") {
		t.Error("a token reached the log")
	}
	t.Logf("%d requests across three reloads, none failed", sent.Load())
}

// TestMutualTLS: with tls.clientCAFile a client without a certificate cannot connect, one with a
// certificate from that CA can; a reload renews the server certificate for new connections.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, err := pki.NewCA("test CA", time.Hour, pki.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer(pki.ServerRequest{DNSNames: []string{"localhost"}, IPs: nil, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.IssueClient("okta-agent", time.Hour, pki.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile := write("ca.crt", ca.CertPEM)
	extra := fmt.Sprintf("tls: { certFile: %s, keyFile: %s, clientCAFile: %s, minVersion: \"1.2\" }",
		write("server.crt", srv.CertPEM), write("server.key", srv.KeyPEM), caFile)
	cliCert, err := cli.TLSCertificate()
	if err != nil {
		t.Fatal(err)
	}
	withCert := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: ca.Pool(), ServerName: "localhost", Certificates: []tls.Certificate{cliCert}}}}
	s := startReloadStack(t, extra, withCert)
	if !strings.HasPrefix(s.base, "https://") {
		t.Fatalf("base %s is not https", s.base)
	}
	if code, err := s.get("Bearer old-token"); err != nil || code != 200 {
		t.Fatalf("with a client certificate: %d %v", code, err)
	}
	noCert := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: ca.Pool(), ServerName: "localhost"}}}
	res, err := noCert.Get(s.base + "Users")
	if err == nil {
		res.Body.Close()
		t.Fatalf("a client without a certificate got %d", res.StatusCode)
	}
	mTLSRawChecks(t, strings.TrimSuffix(strings.TrimPrefix(s.base, "https://"), "/scim/v1/"),
		&tls.Config{RootCAs: ca.Pool(), ServerName: "localhost", Certificates: []tls.Certificate{cliCert}})

	// A renewed server certificate is served after a reload.
	srv2, err := ca.IssueServer(pki.ServerRequest{DNSNames: []string{"localhost"}, Validity: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	write("server.crt", srv2.CertPEM)
	write("server.key", srv2.KeyPEM)
	s.hup("success", 1)
	conn, err := tls.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(s.base, "https://"), "/scim/v1/"),
		&tls.Config{RootCAs: ca.Pool(), ServerName: "localhost", Certificates: []tls.Certificate{cliCert}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := conn.ConnectionState().PeerCertificates[0].SerialNumber; got.Cmp(srv2.Cert.SerialNumber) != 0 {
		t.Errorf("after the reload the server still presents serial %v, want %v", got, srv2.Cert.SerialNumber)
	}
}

// TestMetricsWebConfigAndLogFile: the metrics listener takes TLS and basic auth from a
// Prometheus web configuration file (bcrypt-hashed users), and log.file receives the log.
func TestMetricsWebConfigAndLogFile(t *testing.T) {
	dir := t.TempDir()
	ca, err := pki.NewCA("metrics CA", time.Hour, pki.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer(pki.ServerRequest{DNSNames: []string{"localhost"}, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("scrape-secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"m.crt": srv.CertPEM, "m.key": srv.KeyPEM,
		"web.yml": fmt.Appendf(nil, "tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prometheus: %s\n",
			filepath.Join(dir, "m.crt"), filepath.Join(dir, "m.key"), hash)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	logFile := filepath.Join(dir, "logs", "scimbridge.log")
	if err := os.Mkdir(filepath.Dir(logFile), 0o700); err != nil {
		t.Fatal(err)
	}
	s := startReloadStackWith(t, &reloadStack{client: http.DefaultClient,
		metricsKV: ", webConfigFile: " + filepath.Join(dir, "web.yml"), logKV: ", file: " + logFile})
	if !strings.HasPrefix(s.metricsURL, "https://") {
		t.Fatalf("metrics URL %s is not https", s.metricsURL)
	}
	if code, _ := s.get("Bearer old-token"); code != 200 {
		t.Fatalf("SCIM request: %d", code)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"}}}
	scrape := func(user, pass string) int {
		req, _ := http.NewRequest("GET", s.metricsURL+"/metrics", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := scrape("", ""); got != 401 {
		t.Errorf("scrape without credentials: %d, want 401", got)
	}
	if got := scrape("prometheus", "wrong"); got != 401 {
		t.Errorf("scrape with a wrong password: %d, want 401", got)
	}
	if got := scrape("prometheus", "scrape-secret"); got != 200 {
		t.Errorf("scrape with the password: %d, want 200", got)
	}
	if _, err := http.Get(strings.Replace(s.metricsURL, "https://", "http://", 1) + "/metrics"); err == nil {
		// A plain-HTTP request to a TLS listener gets a 400 from Go, not metrics; either way no data.
		t.Log("plain HTTP to the TLS metrics listener answered (without metrics)")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(logFile)
		if strings.Contains(string(b), `"msg":"scim request"`) && strings.Contains(string(b), `"msg":"scim listening"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log file lacks the expected lines:\n%s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestShutdownDrains: on SIGTERM /readyz turns 503 at once while the SCIM listener keeps serving
// for shutdown.drainDelay; then the process stops with a final log line.
func TestShutdownDrains(t *testing.T) {
	s := startReloadStack(t, "shutdown: { drainDelay: 1500ms }", &http.Client{Timeout: 10 * time.Second})
	ready := func() int {
		res, err := http.Get(s.metricsURL + "/readyz")
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := ready(); got != 200 {
		t.Fatalf("readyz before the stop: %d", got)
	}
	if err := s.proc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for ready() != 503 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not turn 503 after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, err := s.get("Bearer old-token"); err != nil || code != 200 {
		t.Errorf("a SCIM request during the drain delay: %d %v", code, err)
	}
	select {
	case <-s.proc.done:
	case <-time.After(15 * time.Second):
		t.Fatal("the bridge did not stop")
	}
	out := s.proc.output()
	for _, want := range []string{`"msg":"shutting down","drain_delay":"1.5s"`, `"msg":"stopped","in_flight_finished":true`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}
