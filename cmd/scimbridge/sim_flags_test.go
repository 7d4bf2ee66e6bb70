package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSimRefusesFlagsOfAnotherKind: a flag that only LegacyHR reads is refused with the kind it
// needs, not silently ignored (an operator who asked for Kerberos in front of the REST simulator
// would otherwise test an unprotected endpoint believing it was protected).
func TestSimRefusesFlagsOfAnotherKind(t *testing.T) {
	for _, args := range [][]string{
		{"--kind", "rest", "--kerberos-keytab", "x.keytab"},
		{"--kind", "jira", "--rpc-literal"},
		{"--kind", "wso2", "--soap12"},
		{"--kind", "asmx", "--ntlm", `D\u`},
		{"--kind", "rest", "--db", "x.db"},
		{"--expire-every", "5"},
	} {
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a sim that starts anyway stops at once
		code := cmdSim(ctx, append(args, "--listen", "127.0.0.1:0"), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "only applies to --kind") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}

// TestUsageNamesEveryBackendShape: the top-level help says what the bridge and sim cover now
// (SOAP or REST; five simulators), not only LegacyHR over SOAP.
func TestUsageNamesEveryBackendShape(t *testing.T) {
	for _, want := range []string{"legacy SOAP or REST application", "--kind legacyhr|wso2|asmx|jira|rest"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}
