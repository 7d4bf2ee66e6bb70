package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the configuration decoder: it must never panic, and what it
// refuses it refuses with positioned Problems. Secret references resolve in memory, so the
// fuzzer never reads the file system or the environment.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("listen: 127.0.0.1:8080\nscim: { auth: { mode: basic, username: u, password: \"${P}\" } }\nbackend: { mapping: builtin:legacyhr, endpoint: http://h/soap }\n"))
	f.Add([]byte("backend:\n  resilience: { breaker: { failureRatio: 2 }, opTimeouts: { Get: 1s } }\n  headers: { X: y }\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("tls: { certFile: \"${file:/c}\", minVersion: 1.3 }\nlog: { level: loud }\n"))
	opts := Options{
		LookupEnv: func(string) (string, bool) { return "v", true },
		ReadFile:  func(string) ([]byte, error) { return nil, errors.New("no files while fuzzing") },
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := &collector{file: "f.yaml", pos: map[string]Pos{}}
		cfg := decodeFile(c, raw, opts)
		if cfg == nil && len(c.list) == 0 {
			t.Fatal("nothing decoded and no problem reported")
		}
		for _, p := range c.sorted() {
			if !strings.HasPrefix(p.String(), "f.yaml") {
				t.Fatalf("problem without the file name: %q", p.String())
			}
		}
	})
}
