package legacysim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/reqid"
	"github.com/scimbridge/scimbridge/internal/simhttp"
	"github.com/scimbridge/scimbridge/wsdl"
)

// Paths served by a Server.
const (
	SOAPPath    = "/soap"  // the SOAP endpoint; GET SOAPPath?wsdl returns the WSDL
	AdminPrefix = "/_sim/" // the JSON admin API (no auth: loopback only)
)

// MaxRequestBytes caps a SOAP request body.
const MaxRequestBytes = 1 << 20

// Options configure a Server.
type Options struct {
	Username, Password string           // WS-Security credentials the service expects
	DBPath             string           // "" = in-memory; else the SQLite file
	Now                func() time.Time // nil = time.Now
	Logger             *slog.Logger     // nil = discard
	Seed               bool             // seed demo data when the store is empty
	// SOAP12 makes the endpoint speak SOAP 1.2 only (application/soap+xml with the action in
	// the content type, the 1.2 envelope, 1.2 faults), as a WCF endpoint with a 1.2 binding
	// does; SOAP 1.1 requests get a VersionMismatch fault.
	SOAP12 bool
	// RPCLiteral makes the endpoint speak rpc/literal only, as described by
	// wsdl/legacyhr-rpc.wsdl (served at ?wsdl): an operation wrapper in the binding's namespace
	// with unqualified parts. Document/literal requests (qualified parts) are refused.
	RPCLiteral bool
}

// Server is the simulated legacy application. It is an http.Handler serving SOAPPath and the
// admin API under AdminPrefix.
type Server struct {
	opts    Options
	store   Store
	now     func() time.Time
	log     *slog.Logger
	knobs   *Knobs
	calls   *callStats
	writeMu sync.Mutex // serialises writes: check-then-write sequences must be atomic
	mux     *http.ServeMux
	wsdl    string

	releaseOnce sync.Once
	closeOnce   sync.Once
	done        chan struct{} // closed by release; ends hung and delayed requests
}

// New builds a Server. The credentials must not be empty: an unauthenticated legacy app would make
// the bridge's WS-Security code untested.
func New(opts Options) (*Server, error) {
	if opts.Username == "" || opts.Password == "" {
		return nil, errors.New("legacysim: Username and Password are required")
	}
	if opts.SOAP12 && opts.RPCLiteral {
		// The rpc/literal edition's WSDL has a SOAP 1.1 binding; an endpoint speaking 1.2 under it
		// would contradict its own description.
		return nil, errors.New("legacysim: SOAP 1.2 and rpc/literal are separate editions (--soap12 or --rpc-literal, not both)")
	}
	wsdlFile := "legacyhr.wsdl"
	if opts.RPCLiteral {
		wsdlFile = RPCWSDLFile
	}
	raw, err := wsdl.Files.ReadFile(wsdlFile)
	if err != nil {
		return nil, fmt.Errorf("legacysim: read embedded WSDL: %w", err)
	}
	s := &Server{
		opts:  opts,
		now:   opts.Now,
		log:   opts.Logger,
		knobs: newKnobs(),
		calls: newCallStats(),
		wsdl:  string(raw),
		done:  make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if opts.DBPath == "" {
		s.store = NewMemoryStore()
	} else if s.store, err = OpenSQLiteStore(opts.DBPath); err != nil {
		return nil, err
	}
	if opts.Seed {
		if err := s.seedDemo(context.Background()); err != nil {
			s.store.Close()
			return nil, fmt.Errorf("legacysim: seed demo data: %w", err)
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc(SOAPPath, s.serveSOAP)
	s.routeAdmin()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Knobs returns the fault-injection settings, changeable while the server runs.
func (s *Server) Knobs() *Knobs { return s.knobs }

// Store returns the server's store, for tests that inspect or prepare state directly.
func (s *Server) Store() Store { return s.store }

// Close releases requests held by the Hang knobs and closes the store. Stop the HTTP server first
// if you can; a request that reaches a closed server gets HR-INTERNAL.
func (s *Server) Close() error {
	s.release()
	var err error
	s.closeOnce.Do(func() { err = s.store.Close() })
	return err
}

func (s *Server) release() { s.releaseOnce.Do(func() { close(s.done) }) }

func (s *Server) nowMS() time.Time { return ms(s.now()) }

var soapAddress = regexp.MustCompile(`(<soap:address\s+location=")[^"]*(")`)

// serveWSDL returns the contract with the endpoint address pointing at this server, as seen by the
// client (the Host header), so that tools that read the WSDL call us back where they found us.
func (s *Server) serveWSDL(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if host == "" {
		host = "127.0.0.1"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	loc := escape(scheme + "://" + host + SOAPPath)
	doc := soapAddress.ReplaceAllLiteralString(s.wsdl, `<soap:address location="`+loc+`"`)
	writeXML(w, http.StatusOK, []byte(doc))
}

func isWSDLQuery(r *http.Request) bool {
	for k := range r.URL.Query() {
		if strings.EqualFold(k, "wsdl") {
			return true
		}
	}
	return false
}

const unavailableBody = "<html><head><title>503 Service Unavailable</title></head>" +
	"<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>\n"

// malformedBody is what a crashing app server sends: a 200 with half an envelope.
const malformedBody = `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
	`<soap:Envelope xmlns:soap="` + nsSOAP + `"><soap:Body><hr:Resp xmlns:hr="` + Namespace + `"><hr:Employee><hr:Login>trunc`

func (s *Server) serveSOAP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != SOAPPath {
		http.NotFound(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && isWSDLQuery(r):
		s.serveWSDL(w, r)
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", "POST")
		http.Error(w, "SOAP endpoint: POST a SOAP 1.1 envelope, or GET ?wsdl", http.StatusMethodNotAllowed)
		return
	}
	start := time.Now()
	p := s.knobs.take()
	switch {
	case p.unavailable:
		s.calls.injected("unavailable")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, unavailableBody)
		return
	case p.malformed:
		s.calls.injected("malformed")
		writeXML(w, http.StatusOK, []byte(malformedBody))
		return
	}
	ctx := r.Context()
	if p.latency > 0 && !s.wait(ctx, p.latency) {
		return
	}
	if p.hang {
		s.calls.injected("hang")
		s.hang(ctx, w)
		return
	}
	op, f := s.handleSOAP(ctx, w, r, p)
	logAttrs := []any{"op", op, "duration", time.Since(start), "request_id", reqid.Sanitize(r.Header.Get(reqid.Header))}
	if f != nil {
		s.log.Info("soap fault", append(logAttrs, "code", f.Code, "message", f.Message)...)
		writeFault(w, f, s.opts.SOAP12)
		return
	}
	s.log.Debug("soap call", logAttrs...)
}

// wait sleeps for d; false means the client went away or the server closed, and nothing more
// should be written.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// hang blocks until the client gives up. If the server closes first, the client gets a 503 so that
// it does not wait for its own timeout.
func (s *Server) hang(ctx context.Context, w http.ResponseWriter) {
	select {
	case <-ctx.Done():
	case <-s.done:
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

// handleSOAP runs one call and returns the operation name and the fault to send, if any. A nil
// fault means the response has been written (or deliberately withheld by HangAfterWrite).
func (s *Server) handleSOAP(ctx context.Context, w http.ResponseWriter, r *http.Request, p plan) (string, *Fault) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", invalidf("the request is larger than %d bytes", MaxRequestBytes)
		}
		return "", invalidf("could not read the request: %v", err)
	}
	env, err := readEnvelope(body, s.opts.SOAP12)
	if err != nil {
		return "", xmlErr(err)
	}
	if s.opts.RPCLiteral {
		if err := rpcEnvelope(env); err != nil {
			return "", xmlErr(err)
		}
	}
	opName := env.op.Name.Local
	operation, known := operations[opName]
	if !known || env.op.Name.Space != Namespace {
		s.calls.unknown()
		return qname(env.op.Name), invalidf("unknown operation %s", qname(env.op.Name))
	}
	action, actionSent := soapAction(r)
	if s.opts.SOAP12 {
		action, actionSent = soap12Action(r)
		if !actionSent || action != Namespace+"/"+opName {
			s.calls.call(opName, action, actionSent)
			s.calls.fault(opName)
			return opName, &Fault{Code: CodeInvalid, SOAPCode: "env:Sender",
				Message: fmt.Sprintf("the action parameter of Content-Type %q does not name operation %s (want %q)", truncate(r.Header.Get("Content-Type"), 120), opName, Namespace+"/"+opName)}
		}
	}
	s.calls.call(opName, action, actionSent)
	fault := func(f *Fault) (string, *Fault) {
		s.calls.fault(opName)
		return opName, f
	}
	if p.strictAction && !actionMatches(action, opName) {
		return fault(&Fault{Code: CodeInvalid, SOAPCode: "soap:Client",
			Message: fmt.Sprintf("SOAPAction %q does not match operation %s (want %q)", truncate(action, 120), opName, Namespace+"/"+opName)})
	}
	if f := authenticate(env.header, s.opts.Username, s.opts.Password); f != nil {
		return fault(f)
	}
	if p.fault {
		s.calls.injected("fault")
		return fault(faultf(CodeInternal, "internal error (injected)"))
	}
	decode := func(v unknownChecker) error {
		if err := env.dec.DecodeElement(v, &env.op); err != nil {
			return xmlErr(err)
		}
		if err := v.unknownErr(opName); err != nil {
			return err
		}
		return env.finish()
	}
	if operation.write {
		s.writeMu.Lock()
	}
	resp, err := operation.h(s, ctx, opName, decode)
	if operation.write {
		s.writeMu.Unlock()
	}
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			return fault(f)
		}
		s.log.Error("operation failed", "op", opName, "err", err)
		return fault(faultf(CodeInternal, "internal error"))
	}
	if p.hangAfterWrite {
		s.calls.injected("hangAfterWrite")
		s.hang(ctx, w)
		return opName, nil
	}
	if err := writeResponse(w, resp, s.opts.SOAP12, s.opts.RPCLiteral); err != nil {
		s.log.Error("encode response", "op", opName, "err", err)
		return fault(faultf(CodeInternal, "internal error"))
	}
	return opName, nil
}

// soapAction returns the SOAPAction header as sent (quotes and all) and whether it was sent.
func soapAction(r *http.Request) (string, bool) {
	v, ok := r.Header["Soapaction"]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func actionMatches(action, op string) bool {
	want := Namespace + "/" + op
	return action == want || action == `"`+want+`"`
}

// ListenAndServe runs a simulator on addr (e.g. "127.0.0.1:8081") until ctx ends, then shuts it
// down gracefully. ready, if not nil, is called once the listener is open, with the SOAP endpoint
// URL (e.g. "http://127.0.0.1:8081/soap"); the admin API is under AdminPrefix on the same host.
func ListenAndServe(ctx context.Context, addr string, opts Options, ready func(endpoint string)) error {
	s, err := New(opts)
	if err != nil {
		return err
	}
	defer s.Close()
	// Hung requests are released first, so that the shutdown does not wait for clients' timeouts.
	srv := simhttp.Server{Name: "legacysim", Handler: s, Path: SOAPPath, Logger: s.log, BeforeShutdown: s.release}
	if err := srv.ListenAndServe(ctx, addr, ready); err != nil {
		return err
	}
	return s.Close()
}
