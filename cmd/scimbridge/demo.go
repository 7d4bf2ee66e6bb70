package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/asmxsim"
	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/internal/jirasim"
	"github.com/scimbridge/scimbridge/internal/legacysim"
	"github.com/scimbridge/scimbridge/internal/ntlmserver"
	"github.com/scimbridge/scimbridge/internal/wso2sim"
	"github.com/scimbridge/scimbridge/soapclient"
)

// demoSecrets are the demo's credentials, kept in the data directory so that an Okta agent
// configured against the demo keeps working across restarts.
type demoSecrets struct {
	SCIMUser     string `json:"scimUser"`
	SCIMPassword string `json:"scimPassword"`
	SimUser      string `json:"simUser"`
	SimPassword  string `json:"simPassword"`
}

func randomSecret() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // never fails on supported platforms (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func loadDemoSecrets(dir string) (demoSecrets, error) {
	path := filepath.Join(dir, "demo-credentials.json")
	var s demoSecrets
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &s); err == nil && s.SCIMPassword != "" && s.SimPassword != "" {
			return s, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	s = demoSecrets{SCIMUser: "okta", SCIMPassword: randomSecret(), SimUser: "scimbridge", SimPassword: randomSecret()}
	b, _ = json.MarshalIndent(s, "", "  ")
	return s, os.WriteFile(path, b, 0o600)
}

// cmdDemo runs the bundled LegacyHR simulator and the bridge in one process, on loopback only.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listenAddr := fs.String("listen", "127.0.0.1:8080", "SCIM listener (loopback only)")
	simAddr := fs.String("sim-listen", "127.0.0.1:8081", "simulator listener (loopback only)")
	metricsAddr := fs.String("metrics-listen", "127.0.0.1:9464", "metrics listener (loopback only)")
	dataDir := fs.String("data-dir", "scimbridge-demo", "where the simulator's and the bridge's SQLite files and the demo credentials live")
	memory := fs.Bool("memory", false, "keep everything in memory (nothing survives a restart)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, a := range []string{*listenAddr, *simAddr, *metricsAddr} {
		if !adapter.AuthNoneAllowed(a) { // i.e. not loopback
			fmt.Fprintf(stderr, "scimbridge demo: %s is not a loopback address; the demo only listens on loopback (use serve for real deployments)\n", a)
			return 2
		}
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "scimbridge demo:", err); return 1 }

	var secrets demoSecrets
	simDB, stateDB := "", ""
	if *memory {
		secrets = demoSecrets{SCIMUser: "okta", SCIMPassword: randomSecret(), SimUser: "scimbridge", SimPassword: randomSecret()}
	} else {
		if err := os.MkdirAll(*dataDir, 0o700); err != nil {
			return fail(err)
		}
		var err error
		if secrets, err = loadDemoSecrets(*dataDir); err != nil {
			return fail(err)
		}
		simDB, stateDB = filepath.Join(*dataDir, "legacyhr.db"), filepath.Join(*dataDir, "state.db")
	}
	log := newLogger(config.Log{Format: *logFormat, Level: "info"}, stderr)

	sim, err := legacysim.New(legacysim.Options{
		Username: secrets.SimUser, Password: secrets.SimPassword,
		DBPath: simDB, Seed: true, Logger: log.With("component", "legacysim"),
	})
	if err != nil {
		return fail(err)
	}
	defer sim.Close()
	simSrv, err := listen("legacysim", *simAddr, sim, nil, log)
	if err != nil {
		return fail(err)
	}

	cfg := &config.Config{
		Listen:  *listenAddr,
		Metrics: config.Metrics{Listen: *metricsAddr},
		Backend: config.Backend{
			Mapping:  "builtin:legacyhr",
			Endpoint: simSrv.URL() + "/soap",
			WSSE:     &soapclient.WSSEConfig{Username: secrets.SimUser, Password: secrets.SimPassword},
		},
		State: config.State{Path: stateDB},
		Log:   config.Log{Format: *logFormat, Level: "info"},
	}
	cfg.SCIM.Auth.Mode = "basic"
	cfg.SCIM.Auth.Username = secrets.SCIMUser
	cfg.SCIM.Auth.Password = secrets.SCIMPassword
	reg := newRegistry()
	p, err := config.PrepareConfig("demo", cfg, prepareOptions(reg))
	if err != nil {
		simSrv.ln.Close()
		return fail(err)
	}
	b, err := newRuntime("", p, reg, log.With("component", "bridge"))
	if err != nil {
		simSrv.ln.Close()
		return fail(err)
	}
	defer b.Close()
	defer tuneGC(p.Config.Runtime, log)()
	scim, err := listenSCIM(cfg.Listen, b.handler(), nil, log)
	if err != nil {
		simSrv.ln.Close()
		return fail(err)
	}
	metrics, err := listen("metrics", cfg.Metrics.Listen, b.metricsHandler(), nil, log)
	if err != nil {
		simSrv.ln.Close()
		scim.ln.Close()
		return fail(err)
	}

	printDemoBanner(stdout, scim.URL(), simSrv.URL(), metrics.URL(), secrets, *memory, *dataDir)
	b.health.SetReady(true)
	if err := serveAll(ctx, log, stopping{onStop: b.health.SetDraining}, scim, metrics, simSrv); err != nil {
		return fail(err)
	}
	return 0
}

// invocation is how the user started this binary, for the commands the banner suggests:
// `go run ./cmd/scimbridge` when go run built it into a temporary directory, else the binary as
// it was called.
func invocation() string {
	exe, err := os.Executable()
	if err == nil && strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/scimbridge"
	}
	if len(os.Args) > 0 && os.Args[0] != "" {
		return os.Args[0]
	}
	return "scimbridge"
}

func printDemoBanner(w io.Writer, scimURL, simURL, metricsURL string, s demoSecrets, memory bool, dataDir string) {
	persist := "data in " + dataDir + " (delete it to start over)"
	if memory {
		persist = "everything in memory (lost when you stop the demo)"
	}
	fmt.Fprintf(w, `
scimbridge demo is running: the bridge in front of the bundled LegacyHR simulator (SOAP), on loopback.

  SCIM 1.1 base URL   %[1]s/scim/v1/
  SCIM 2.0 base URL   %[1]s/scim/v2/
  credentials         Basic  %[2]s : %[3]s
  LegacyHR (SOAP)     %[4]s/soap   (WSDL at %[4]s/soap?wsdl, state at %[4]s/_sim/employees)
  metrics             %[5]s/metrics
  health              %[5]s/healthz   %[5]s/readyz?verbose
  storage             %[6]s

Try it:
  curl -s -u '%[2]s:%[3]s' '%[1]s/scim/v1/Users?startIndex=1&count=100'
  curl -s -u '%[2]s:%[3]s' '%[1]s/scim/v1/ServiceProviderConfigs'
  curl -s -u '%[2]s:%[3]s' '%[1]s/scim/v2/Users?count=2'
  %[7]s test --url %[1]s/scim/v1/ --basic '%[2]s:%[3]s'

Press Ctrl-C to stop.
`, scimURL, s.SCIMUser, s.SCIMPassword, simURL, metricsURL, persist, invocation())
}

// cmdSim runs only the simulator, for tests and for trying the SOAP side by hand.
func cmdSim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("listen", "127.0.0.1:8081", "listener (loopback only: the /_sim/ admin API has no authentication)")
	user := fs.String("username", "scimbridge", "WS-Security username the simulator expects")
	pass := fs.String("password", "", "WS-Security password the simulator expects (default: $LEGACYSIM_PASSWORD, else \"scimbridge-demo\")")
	db := fs.String("db", "", "SQLite file (default: in memory; legacyhr only)")
	seed := fs.Bool("seed", true, "seed demo employees and roles when the store is empty (legacyhr only)")
	soap12 := fs.Bool("soap12", false, "legacyhr only: speak SOAP 1.2 only (application/soap+xml, 1.2 envelopes and faults), like a WCF endpoint with a 1.2 binding")
	rpcLiteral := fs.Bool("rpc-literal", false, "legacyhr only: speak rpc/literal only (wsdl/legacyhr-rpc.wsdl, served at ?wsdl: an operation wrapper with unqualified parts), as JAX-RPC and Axis 1 services did; document/literal requests are refused")
	ntlm := fs.String("ntlm", "", `legacyhr only: protect the endpoint with NTLM (Windows authentication, as IIS does) for this account, DOMAIN\user; its password is --ntlm-password or $LEGACYSIM_NTLM_PASSWORD`)
	ntlmPass := fs.String("ntlm-password", "", "password of the --ntlm account")
	krbKeytab := fs.String("kerberos-keytab", "", "legacyhr only: protect the endpoint with Kerberos (SPNEGO \"Negotiate\", as IIS does); the service's keys are read from this keytab, issued by the realm's KDC for HTTP/<host>")
	kind := fs.String("kind", "legacyhr", "which legacy application to simulate: legacyhr (SOAP HR directory, WS-Security) wso2 (WSO2 RemoteUserStoreManagerService, HTTP Basic) asmx (an ASMX-shaped directory service, HTTP Basic, GET ?wsdl; connect it with backend.wsdl) jira (JIRA SOAP v2's users and groups, rpc/encoded, session-token login with --username/--password) or rest (a REST/JSON directory with an OpenAPI document, OAuth2 client credentials = username/password)")
	expireEvery := fs.Int("expire-every", 20, "jira only: a login token expires after this many calls (0: never)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *kind != "legacyhr" && *kind != "wso2" && *kind != "asmx" && *kind != "jira" && *kind != "rest" {
		fmt.Fprintf(stderr, "scimbridge sim: --kind %q is not legacyhr, wso2, asmx, jira or rest\n", *kind)
		return 2
	}
	// A flag another kind reads is refused, not ignored: --kerberos-keytab with --kind rest would
	// otherwise serve an unprotected endpoint to an operator who believes it is protected.
	only := map[string]string{"db": "legacyhr", "seed": "legacyhr", "soap12": "legacyhr", "rpc-literal": "legacyhr",
		"ntlm": "legacyhr", "ntlm-password": "legacyhr", "kerberos-keytab": "legacyhr", "expire-every": "jira"}
	var misplaced string
	fs.Visit(func(f *flag.Flag) {
		if k, ok := only[f.Name]; ok && k != *kind && misplaced == "" {
			misplaced = fmt.Sprintf("--%s only applies to --kind %s (this is --kind %s)", f.Name, k, *kind)
		}
	})
	if misplaced != "" {
		fmt.Fprintln(stderr, "scimbridge sim:", misplaced)
		return 2
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil || !adapter.AuthNoneAllowed(*addr) {
		fmt.Fprintf(stderr, "scimbridge sim: %q must be a loopback host:port (got host %q)\n", *addr, host)
		return 2
	}
	if *pass == "" {
		*pass = os.Getenv("LEGACYSIM_PASSWORD")
	}
	if *pass == "" {
		*pass = "scimbridge-demo"
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if *kind == "rest" {
		return simREST(ctx, *addr, *user, *pass, log, stdout, stderr)
	}
	if *kind == "asmx" {
		err := asmxsim.ListenAndServe(ctx, *addr, asmxsim.Options{Username: *user, Password: *pass, Logger: log}, func(endpoint string) {
			// Tests read this line to learn the address when --listen asks for port 0.
			fmt.Fprintf(stdout, "asmxsim: listening on %s (WSDL: %s?wsdl)\n", endpoint, endpoint)
		})
		if err != nil {
			fmt.Fprintln(stderr, "scimbridge sim:", err)
			return 1
		}
		return 0
	}
	if *kind == "jira" {
		err := jirasim.ListenAndServe(ctx, *addr, jirasim.Options{Username: *user, Password: *pass, ExpireEvery: *expireEvery, Logger: log}, func(endpoint string) {
			// Tests read this line to learn the address when --listen asks for port 0.
			fmt.Fprintf(stdout, "jirasim: listening on %s\n", endpoint)
		})
		if err != nil {
			fmt.Fprintln(stderr, "scimbridge sim:", err)
			return 1
		}
		return 0
	}
	if *kind == "wso2" {
		err := wso2sim.ListenAndServe(ctx, *addr, wso2sim.Options{Username: *user, Password: *pass, Logger: log}, func(endpoint string) {
			// Tests read this line to learn the address when --listen asks for port 0.
			fmt.Fprintf(stdout, "wso2sim: listening on %s\n", endpoint)
		})
		if err != nil {
			fmt.Fprintln(stderr, "scimbridge sim:", err)
			return 1
		}
		return 0
	}
	sim, err := legacysim.New(legacysim.Options{Username: *user, Password: *pass, DBPath: *db, Seed: *seed, Logger: log, SOAP12: *soap12, RPCLiteral: *rpcLiteral})
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge sim:", err)
		return 1
	}
	defer sim.Close()
	var h http.Handler = sim
	var connCtx func(context.Context, net.Conn) context.Context
	if *ntlm != "" {
		if *ntlmPass == "" {
			*ntlmPass = os.Getenv("LEGACYSIM_NTLM_PASSWORD")
		}
		domain, user, ok := strings.Cut(*ntlm, `\`)
		if !ok || *ntlmPass == "" {
			fmt.Fprintln(stderr, `scimbridge sim: --ntlm wants DOMAIN\user and a password (--ntlm-password or $LEGACYSIM_NTLM_PASSWORD)`)
			return 2
		}
		ns := ntlmserver.New(sim, domain, ntlmserver.Account{Domain: domain, Username: user, Password: *ntlmPass})
		h, connCtx = ns, ns.ConnContext
	}
	if *krbKeytab != "" {
		if *ntlm != "" {
			fmt.Fprintln(stderr, "scimbridge sim: --ntlm and --kerberos-keytab are exclusive: choose one Windows authentication")
			return 2
		}
		kt, err := keytab.Load(*krbKeytab)
		if err != nil {
			fmt.Fprintf(stderr, "scimbridge sim: --kerberos-keytab: %v\n", err)
			return 2
		}
		// The simulator checks tickets only: the PAC an MIT KDC adds has none of the Windows
		// authorisation data gokrb5 would otherwise insist on.
		h = spnego.SPNEGOKRB5Authenticate(h, kt, service.DecodePAC(false),
			service.Logger(slog.NewLogLogger(log.Handler(), slog.LevelDebug)))
	}
	srv, err := listen("legacysim", *addr, h, nil, log)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge sim:", err)
		return 1
	}
	srv.srv.ConnContext = connCtx
	// Tests read this line to learn the address when --listen asks for port 0.
	fmt.Fprintf(stdout, "legacysim: listening on %s/soap\n", srv.URL())
	if err := serveAll(ctx, log, stopping{}, srv); err != nil {
		fmt.Fprintln(stderr, "scimbridge sim:", err)
		return 1
	}
	return 0
}
