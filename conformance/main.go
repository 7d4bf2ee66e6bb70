package conformance

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// Main is the `scimbridge test` entry point: it parses args (without the program and
// subcommand names), runs, prints the report to stdout and returns the exit status: 0 when no
// check failed, 1 when some did, 2 for usage or configuration errors.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scimbridge test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var headers multiFlag
	url := fs.String("url", "", "connector base URL, as configured in Okta (required)")
	fs.Var(&headers, "header", "extra header on every call, 'Name: value' (repeatable), e.g. 'Authorization: Bearer …'")
	basic := fs.String("basic", "", "HTTP Basic credentials, user:pass")
	dialect := fs.String("dialect", "", "SCIM dialect: 1.1 (the Okta agent's default, base URL …/scim/v1/) or 2.0 (…/scim/v2/); default: from the URL, as the agent decides")
	unique := fs.String("unique-field", "userName", "Okta's unique user field: userName, email, or a custom attribute name")
	app := fs.String("app-name", "onprem_app", "Okta app internal name, for urn:okta:<app>:1.0:user:custom")
	caps := fs.String("capabilities", "auto", "auto (read /ServiceProviderConfigs) or a comma list of capability names")
	only := fs.String("only", "", "comma list of check names to run (prefixes match, e.g. errors,shape)")
	format := fs.String("format", "text", "report format: text, json or junit")
	keep := fs.Bool("keep-data", false, "do not deactivate or delete the test data; list it instead")
	purge := fs.Bool("purge", false, "delete the test users too where the connector allows DELETE (default: deactivate them); list what stays")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of each HTTP call (the agent's minimum is 30s)")
	slow := fs.Duration("slow", 5*time.Second, "warn about calls slower than this")
	maxPages := fs.Int("max-pages", 200, "maximum pages per listing; longer listings are skipped")
	caFile := fs.String("ca-file", "", "PEM file of CA certificates to trust besides the system roots (a connector behind a private CA)")
	insecure := fs.Bool("insecure", false, "do not verify the connector's TLS certificate (the agent always does; for a first look only)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: scimbridge test --url URL [flags]\n\nRuns the Okta Provisioning Agent's messages against a SCIM connector and reports one line per check.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scimbridge test: unexpected arguments %q\n", fs.Args())
		return 2
	}
	opts := Options{
		URL: *url, Header: http.Header{}, Dialect: *dialect, UniqueField: *unique, AppName: *app,
		KeepData: *keep, Purge: *purge, Timeout: *timeout, Slow: *slow, MaxPages: *maxPages,
		CAFile: *caFile, InsecureSkipVerify: *insecure,
	}
	var problems []string
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			problems = append(problems, fmt.Sprintf("--header %q: want 'Name: value'", h))
			continue
		}
		opts.Header.Add(name, strings.TrimSpace(value))
	}
	if *basic != "" {
		user, pass, ok := strings.Cut(*basic, ":")
		if !ok || user == "" {
			problems = append(problems, "--basic: want user:pass")
		}
		opts.BasicUser, opts.BasicPassword = user, pass
	}
	if *caps != "auto" {
		opts.Capabilities = []string{}
		for _, c := range splitList(*caps) {
			opts.Capabilities = append(opts.Capabilities, strings.ToUpper(c))
		}
	}
	opts.Only = splitList(*only)
	if *format != "text" && *format != "json" && *format != "junit" {
		problems = append(problems, fmt.Sprintf("--format %q: want text, json or junit", *format))
	}
	if *maxPages <= 0 || *timeout <= 0 || *slow <= 0 {
		problems = append(problems, "--max-pages, --timeout and --slow must be positive")
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "scimbridge test: %s\n", strings.Join(problems, "\nscimbridge test: "))
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge test: %v\n", err)
		return 2
	}
	switch *format {
	case "json":
		err = rep.WriteJSON(stdout)
	case "junit":
		err = rep.WriteJUnit(stdout)
	default:
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scimbridge test: writing the report: %v\n", err)
		return 2
	}
	if *format != "text" {
		// CI logs still get the closing line, on stderr so the document stays well-formed.
		fmt.Fprintln(stderr, rep.SummaryLine())
	}
	return rep.ExitCode()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
