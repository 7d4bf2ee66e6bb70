package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// cmdHealth is a probe for images without a shell or curl (deploy/container/Dockerfile's
// HEALTHCHECK, a Windows scheduled check): GET the URL, exit 0 on 200, 1 otherwise.
func cmdHealth(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "http://127.0.0.1:9464/healthz", "URL to probe (/healthz for liveness, /readyz for readiness)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	insecure := fs.Bool("insecure", false, "do not verify an HTTPS certificate (a loopback self-check only)")
	quiet := fs.Bool("quiet", false, "print nothing on success")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || fs.NArg() > 0 || *timeout <= 0 {
		fmt.Fprintf(stderr, "scimbridge health: want --url http(s)://host:port/path and a positive --timeout\n")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge health:", err)
		return 2
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // a health probe goes straight to the address given
	if *insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge health:", err)
		return 1
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "scimbridge health: %s answered %s: %s\n", u.Redacted(), res.Status, body)
		return 1
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%s: %s\n", u.Redacted(), body)
	}
	return 0
}
