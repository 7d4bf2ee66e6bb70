package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/scimbridge/scimbridge/conformance"
	"github.com/scimbridge/scimbridge/internal/buildinfo"
	"github.com/scimbridge/scimbridge/internal/wsdlgen"
)

// buildVersion is the short version for logs and the backend's User-Agent.
func buildVersion() string { return buildinfo.Read().Short() }

const usage = `scimbridge: a SCIM server for the Okta Provisioning Agent in front of a legacy SOAP or REST application.

Usage:
  scimbridge serve --config FILE    run the bridge
  scimbridge demo [flags]           run the bridge and the bundled LegacyHR simulator on loopback
  scimbridge sim [flags]            run only a bundled simulator (--kind legacyhr|wso2|asmx|jira|rest)
  scimbridge check --config FILE    validate the configuration and its mapping file, then exit
  scimbridge state backup --config FILE DEST
                                    copy the bridge's state file while it runs
  scimbridge test --url URL [flags] replay the Okta agent's messages against any SCIM connector
  scimbridge cert --dns NAME [flags] make a private CA and a server certificate (keys 0600)
  scimbridge token --out FILE       write a random bearer token to a 0600 secret file
  scimbridge wsdl inspect WSDL [--skeleton FILE]
                                    show what the bridge reads from a WSDL (no toolchain needed)
  scimbridge rest inspect OPENAPI [--skeleton FILE]
                                    show the operations and fields a REST mapping gets from an OpenAPI document
  scimbridge service install|uninstall|start|stop [flags]
                                    run as a Windows service (event log, rotating log file)
  scimbridge health [--url URL]     probe /healthz or /readyz (exit 0 on 200), for images without curl
  scimbridge gen --wsdl FILE --package NAME
                                    generate a SOAP client from a WSDL (gowsdl v0.5.0, repaired)
  scimbridge version                print the version, commit, date and dirty flag (also --version)

Run "scimbridge COMMAND -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit status: 0 success, 1 failure,
// 2 usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "sim":
		return cmdSim(ctx, rest, stdout, stderr)
	case "check":
		return cmdCheck(rest, stdout, stderr)
	case "state":
		return cmdState(ctx, rest, stdout, stderr)
	case "test":
		return conformance.Main(rest, stdout, stderr)
	case "cert":
		return cmdCert(rest, stdout, stderr)
	case "token":
		return cmdToken(rest, stdout, stderr)
	case "service":
		return cmdService(ctx, rest, stdout, stderr)
	case "health":
		return cmdHealth(rest, stdout, stderr)
	case "gen":
		return wsdlgen.Main(rest, stdout, stderr)
	case "wsdl":
		return cmdWSDL(ctx, rest, stdout, stderr)
	case "rest":
		return cmdREST(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprint(stdout, buildinfo.Read())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "scimbridge: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}
