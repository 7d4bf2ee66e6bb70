package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// serviceOptions are the flags of `scimbridge service`. They are parsed on every platform, so
// that a mistake is reported the same way everywhere; only Windows acts on them.
type serviceOptions struct {
	action  string // install | uninstall | start | stop | run
	name    string // Windows service name (and event log source)
	config  string // configuration file, absolute once installed
	logFile string // rotating log file; "" = <ProgramData>\scimbridge\logs\<name>.log
	account string // the account the service runs as
}

const serviceUsage = `usage: scimbridge service install|uninstall|start|stop [flags]

Runs scimbridge as a Windows service (on Linux, use deploy/systemd/scimbridge.service).

  install    validate --config, then register the service (automatic start, restart on
             failure, event log source) to run "scimbridge serve --config FILE"
  uninstall  stop the service if it runs, remove it and its event log source
  start      start the service and wait until it runs
  stop       stop it: readiness turns 503, in-flight requests finish (graceful drain)

The service logs to a rotating file (--log-file) and writes its start, stop, reload, warnings
and errors to the Windows event log (Application, source = the service name). Reload the
configuration without a restart with:  sc.exe control <name> paramchange

`

// parseServiceArgs parses `service ACTION [flags]`.
func parseServiceArgs(args []string, stderr io.Writer) (serviceOptions, int) {
	var o serviceOptions
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.name, "name", "scimbridge", "service name (several bridges on one host need different names)")
	fs.StringVar(&o.config, "config", `C:\ProgramData\scimbridge\scimbridge.yaml`, "configuration file (install)")
	fs.StringVar(&o.logFile, "log-file", "", `rotating log file (install; default C:\ProgramData\scimbridge\logs\<name>.log)`)
	fs.StringVar(&o.account, "account", "", `account to run as (install; default the virtual account NT SERVICE\<name>)`)
	fs.Usage = func() { fmt.Fprint(stderr, serviceUsage); fs.PrintDefaults() }
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fs.Usage()
			return o, 0
		}
		fmt.Fprint(stderr, serviceUsage)
		return o, 2
	}
	o.action = args[0]
	switch o.action {
	case "install", "uninstall", "start", "stop", "run":
	default:
		fmt.Fprintf(stderr, "scimbridge service: unknown action %q (install, uninstall, start, stop)\n", o.action)
		return o, 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0
		}
		return o, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scimbridge service: unexpected arguments %q\n", fs.Args())
		return o, 2
	}
	if o.name == "" || strings.ContainsAny(o.name, `/\ "`) {
		fmt.Fprintf(stderr, "scimbridge service: --name %q: letters, digits, '-' and '_' only\n", o.name)
		return o, 2
	}
	return o, -1
}

func cmdService(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code := parseServiceArgs(args, stderr)
	if code >= 0 {
		return code
	}
	return serviceMain(ctx, o, stdout, stderr)
}

// Event levels of a service log line (see classifyServiceLine).
const (
	eventNone = iota // the log file only
	eventInfo
	eventWarning
	eventError
)

// classifyServiceLine decides which lines of a service's output also go to the Windows event log,
// so that the event log shows what an administrator must see (start, addresses, warnings, errors)
// without one entry per SCIM request. fromStderr is the log stream: structured lines at WARN and
// ERROR go there; unstructured lines on it are the bridge's fatal messages (a configuration it
// refuses, a port it cannot bind). Lines on stdout are the few start-up lines (listening addresses).
func classifyServiceLine(line string, fromStderr bool) int {
	if strings.TrimSpace(line) == "" {
		return eventNone
	}
	if !fromStderr {
		return eventInfo
	}
	for _, lv := range []struct {
		json, text string
		event      int
	}{
		{`"level":"ERROR"`, "level=ERROR", eventError},
		{`"level":"WARN"`, "level=WARN", eventWarning},
		{`"level":"INFO"`, "level=INFO", eventNone},
		{`"level":"DEBUG"`, "level=DEBUG", eventNone},
	} {
		if strings.Contains(line, lv.json) || strings.Contains(line, lv.text) {
			return lv.event
		}
	}
	return eventError
}

// lineSplitter turns writes into whole lines for emit (a slog handler writes one line per call,
// but nothing guarantees it for other output).
type lineSplitter struct {
	buf  []byte
	emit func(line string)
}

func (l *lineSplitter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := strings.IndexByte(string(l.buf), '\n')
		if i < 0 {
			break
		}
		l.emit(strings.TrimRight(string(l.buf[:i]), "\r"))
		l.buf = l.buf[i+1:]
	}
	// A line longer than this without a newline is emitted as it is rather than held forever.
	if len(l.buf) > 64<<10 {
		l.emit(string(l.buf))
		l.buf = nil
	}
	return len(p), nil
}

// serviceReload asks the running bridge to reload its configuration, secrets, certificates and
// mapping, as SIGHUP does; the Windows service calls it on the parameter-change control
// (sc.exe control <name> paramchange). The serve loop does the reload and logs its outcome
// (refused configurations keep the running one serving).
func serviceReload() error {
	requestReload()
	return nil
}
