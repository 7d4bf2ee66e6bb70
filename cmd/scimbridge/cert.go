package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/internal/pki"
)

// The Okta Provisioning Agent runs on its own bundled JRE and trusts only that JRE's cacerts file
// (docs/okta-setup.md). These are the install locations of the agent's packages.
const (
	agentLinuxKeytool   = "/opt/OktaProvisioningAgent/jre/bin/keytool"
	agentLinuxCacerts   = "/opt/OktaProvisioningAgent/jre/lib/security/cacerts"
	agentLinuxCacerts8  = "/opt/OktaProvisioningAgent/jre/jre/lib/security/cacerts" // agents bundling Java 8
	agentWindowsDir     = `C:\Program Files\Okta\On-Premises Provisioning Agent`
	agentTrustAlias     = "scimbridge-ca"
	agentDefaultStorePw = "changeit" // the JRE's default cacerts password
)

// stringsFlag collects a repeatable flag; commas separate values too.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

const certUsage = `usage: scimbridge cert --dns NAME [--dns NAME…] [--ip ADDR…] [flags]

Makes a private CA (ca.crt, ca.key) and a server certificate for the bridge (server.crt,
server.key) in --out. Keys are written 0600. When --out already holds ca.crt and ca.key, that CA
signs the new server certificate, so agents that trust it need nothing new. Prints the bridge's
tls: settings and the keytool commands that make the Okta agent trust the CA.

`

func cmdCert(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dns, ips stringsFlag
	fs.Var(&dns, "dns", "DNS name of the bridge as the agent's base URL spells it (repeatable, or comma-separated)")
	fs.Var(&ips, "ip", "IP address of the bridge, if the base URL uses one (repeatable, or comma-separated)")
	out := fs.String("out", ".", "directory for the files (created 0700 if absent)")
	days := fs.Int("days", 397, "validity of the server certificate in days")
	caDays := fs.Int("ca-days", 3650, "validity of a new CA in days")
	caName := fs.String("ca-name", "scimbridge private CA", "common name of a new CA")
	keyType := fs.String("key", "ecdsa", "key type: ecdsa (P-256) or rsa (3072 bits)")
	force := fs.Bool("force", false, "replace an existing server.crt/server.key")
	fs.Usage = func() { fmt.Fprint(stderr, certUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "scimbridge cert: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments %q", fs.Args())
	}
	if len(dns) == 0 && len(ips) == 0 {
		return fail("give the bridge's name as the Okta agent's base URL spells it: --dns bridge.example.internal (and/or --ip 10.0.0.5)")
	}
	kt, err := pki.ParseKeyType(*keyType)
	if err != nil {
		return fail("--key: %v", err)
	}
	if *days <= 0 || *caDays <= 0 {
		return fail("--days and --ca-days must be positive")
	}
	var problems []string
	var ipAddrs []net.IP
	for _, s := range ips {
		ip := net.ParseIP(s)
		if ip == nil {
			problems = append(problems, fmt.Sprintf("--ip %q is not an IP address", s))
			continue
		}
		ipAddrs = append(ipAddrs, ip)
	}
	for _, d := range dns {
		if err := pki.CheckDNSName(d); err != nil {
			problems = append(problems, "--dns: "+err.Error())
		}
	}
	if len(problems) > 0 {
		return fail("%s", strings.Join(problems, "\nscimbridge cert: "))
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		return fail("--out: %v", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail("--out: %v", err)
	}
	caCrt, caKey := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key")
	srvCrt, srvKey := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	if !*force {
		for _, p := range []string{srvCrt, srvKey} {
			if _, err := os.Lstat(p); err == nil {
				return fail("%s exists: use --force to replace the server certificate (the CA is kept)", p)
			}
		}
	}

	// Reuse the CA in --out, so that re-issuing a server certificate (new name, expiry) needs no
	// new import on the agent hosts.
	var ca *pki.CA
	reused := false
	certPEM, errC := os.ReadFile(caCrt)
	keyPEM, errK := os.ReadFile(caKey)
	switch {
	case errC == nil && errK == nil:
		if ca, err = pki.LoadCA(certPEM, keyPEM); err != nil {
			return fail("%s and %s: %v", caCrt, caKey, err)
		}
		reused = true
	case errors.Is(errC, os.ErrNotExist) && errors.Is(errK, os.ErrNotExist):
		if ca, err = pki.NewCA(*caName, time.Duration(*caDays)*24*time.Hour, kt); err != nil {
			return fail("%v", err)
		}
		if err := pki.WriteFile(caKey, ca.KeyPEM, 0o600, false); err != nil {
			return fail("%v", err)
		}
		if err := pki.WriteFile(caCrt, ca.CertPEM, 0o644, false); err != nil {
			return fail("%v", err)
		}
	default:
		return fail("%s and %s must both exist (to reuse the CA) or both be absent (to make one): %v",
			caCrt, caKey, errors.Join(errC, errK))
	}
	srv, err := ca.IssueServer(pki.ServerRequest{DNSNames: dns, IPs: ipAddrs, Validity: time.Duration(*days) * 24 * time.Hour, KeyType: kt})
	if err != nil {
		return fail("%v", err)
	}
	// The key first: a certificate without its key would be useless, a key without its
	// certificate is harmless.
	if err := pki.WriteFile(srvKey, srv.KeyPEM, 0o600, *force); err != nil {
		return fail("%v", err)
	}
	if err := pki.WriteFile(srvCrt, srv.CertPEM, 0o644, *force); err != nil {
		return fail("%v", err)
	}

	var sans []string
	for _, d := range dns {
		sans = append(sans, "DNS:"+d)
	}
	for _, ip := range ipAddrs {
		sans = append(sans, "IP:"+ip.String())
	}
	host := "<host>"
	if len(dns) > 0 {
		host = dns[0]
	} else if len(ipAddrs) > 0 {
		host = ipAddrs[0].String()
		if ipAddrs[0].To4() == nil {
			host = "[" + host + "]"
		}
	}
	caNote := "new private CA; give it to every Okta agent host"
	if reused {
		caNote = "existing CA, reused: agents that trust it need nothing new"
	}
	w := &errWriter{w: stdout}
	w.printf("scimbridge cert: in %s\n", dir)
	w.printf("  ca.crt      %s (valid until %s)\n", caNote, ca.Cert.NotAfter.Format(time.DateOnly))
	if !reused {
		w.printf("  ca.key      the CA's private key (0600): keep it off the bridge host once you are done issuing\n")
	}
	w.printf("  server.crt  server certificate for %s (valid until %s)\n", strings.Join(sans, ", "), srv.Cert.NotAfter.Format(time.DateOnly))
	w.printf("  server.key  its private key (0600): readable by the bridge's user only\n\n")
	w.printf("Bridge configuration:\n  tls:\n    certFile: %s\n    keyFile: %s\n\n", srvCrt, srvKey)
	w.printf("Okta Provisioning Agent on Linux (as root; then restart the agent: service OktaProvisioningAgent restart):\n")
	w.printf("  %s\n", keytoolLinux(caCrt, agentLinuxCacerts))
	w.printf("  (an agent bundling Java 8 keeps the store at %s)\n\n", agentLinuxCacerts8)
	w.printf("Okta Provisioning Agent on Windows (copy ca.crt to C:\\scimbridge\\ca.crt; PowerShell as Administrator; then restart the agent's service):\n")
	for _, l := range keytoolWindows(`C:\scimbridge\ca.crt`) {
		w.printf("  %s\n", l)
	}
	w.printf("\nCheck from the agent host before go-live:\n  scimbridge test --url https://%s:8443/scim/v1/ --ca-file %s --header 'Authorization: Bearer <token>'\n", host, caCrt)
	if w.err != nil {
		fmt.Fprintln(stderr, "scimbridge cert:", w.err)
		return 1
	}
	return 0
}

// keytoolLinux is the import into the agent's JRE trust store. -noprompt because the operator
// already decided to trust the CA by running cert; the alias is fixed so a second import of a
// renewed CA fails loudly ("alias already exists") instead of piling up entries.
func keytoolLinux(caFile, cacerts string) string {
	return fmt.Sprintf("%s -importcert -noprompt -trustcacerts -alias %s -file %s -keystore %s -storepass %s",
		agentLinuxKeytool, agentTrustAlias, shellQuote(caFile), cacerts, agentDefaultStorePw)
}

// keytoolWindows finds the agent's keytool.exe under its install directory (the JRE folder name
// changes between agent versions) and imports into the cacerts of that same JRE.
func keytoolWindows(caFile string) []string {
	return []string{
		fmt.Sprintf(`$kt = (Get-ChildItem '%s' -Recurse -Filter keytool.exe | Select-Object -First 1).FullName`, agentWindowsDir),
		fmt.Sprintf(`& $kt -importcert -noprompt -trustcacerts -alias %s -file '%s' -keystore (Join-Path (Split-Path (Split-Path $kt)) 'lib\security\cacerts') -storepass %s`,
			agentTrustAlias, caFile, agentDefaultStorePw),
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// errWriter keeps the first write error so a long printout checks it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
