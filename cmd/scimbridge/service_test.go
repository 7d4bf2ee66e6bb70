package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestServiceArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: scimbridge service"},
		{[]string{"restart"}, 2, `unknown action "restart"`},
		{[]string{"install", "extra"}, 2, "unexpected arguments"},
		{[]string{"install", "--name", `a\b`}, 2, "--name"},
		{[]string{"install", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"--help"}, 0, "sc.exe control <name> paramchange"},
	} {
		var stderr strings.Builder
		_, code := parseServiceArgs(tc.args, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: code %d %q, want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
	o, code := parseServiceArgs([]string{"install", "--name", "bridge-2", "--config", `D:\sb\b2.yaml`}, &strings.Builder{})
	if code != -1 || o.action != "install" || o.name != "bridge-2" || o.config != `D:\sb\b2.yaml` {
		t.Errorf("parsed %+v, code %d", o, code)
	}
}

func TestServiceOnlyOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the Windows build runs the service code")
	}
	for _, action := range []string{"install", "uninstall", "start", "stop", "run"} {
		code, _, stderr := runCmd("service", action)
		if code != 2 || !strings.Contains(stderr, "only on Windows") || !strings.Contains(stderr, "deploy/systemd/scimbridge.service") {
			t.Errorf("service %s: code %d %q", action, code, stderr)
		}
	}
}

func TestServiceEventLogLines(t *testing.T) {
	for _, tc := range []struct {
		line   string
		stderr bool
		want   int
	}{
		{`{"time":"…","level":"INFO","msg":"scim request","status":200}`, true, eventNone},
		{`time=… level=DEBUG msg="backend call"`, true, eventNone},
		{`{"time":"…","level":"WARN","msg":"configuration reload refused"}`, true, eventWarning},
		{`time=… level=ERROR msg="backend unreachable"`, true, eventError},
		{`scimbridge.yaml:3:5: backend.endpoint: required`, true, eventError},
		{`scimbridge: SCIM 1.1 listening on https://0.0.0.0:8443/scim/v1/`, false, eventInfo},
		{"   ", true, eventNone},
	} {
		if got := classifyServiceLine(tc.line, tc.stderr); got != tc.want {
			t.Errorf("%q (stderr %v): %d, want %d", tc.line, tc.stderr, got, tc.want)
		}
	}
	var lines []string
	w := &lineSplitter{emit: func(l string) { lines = append(lines, l) }}
	w.Write([]byte("one\r\ntw"))
	w.Write([]byte("o\nthree"))
	if strings.Join(lines, "|") != "one|two" {
		t.Errorf("lines %q", lines)
	}
	w.Write([]byte(strings.Repeat("x", 70<<10)))
	if len(lines) != 3 || len(lines[2]) != 70<<10+5 {
		t.Errorf("a long unterminated line was held: %d lines", len(lines))
	}
}
