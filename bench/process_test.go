package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The bridge as it is deployed: `scimbridge serve` and `scimbridge sim` built from this tree
// (or BENCH_BRIDGE_BIN, an older build, for before/after figures), two processes on loopback,
// and the CPU the bridge's process spends per request read from the kernel. Unlike the
// in-process "bridge CPU per request" lines, this counts neither the load generator nor the
// simulator, and it counts everything of the bridge's: both HTTP hops, the SOAP client's XML,
// the audit line's write, the garbage collector at the process's own settings.

// processRun is one measured load: n requests from c concurrent clients.
type processRun struct{ clients, requests int }

// processBridge is a running serve in front of a running sim.
type processBridge struct {
	t           testing.TB
	bridge, sim *exec.Cmd
	base        string // the SCIM 1.1 base URL
	http        *http.Client
}

// processBinaries are the two programs of the process lines: the simulator always built from
// this tree (so that a before/after comparison meets the same backend, whose bulk seed and
// paging an old build may not have), the bridge from this tree too unless BENCH_BRIDGE_BIN
// names another build.
type processBinaries struct{ bridge, sim string }

func buildProcessBinaries(t testing.TB) processBinaries {
	bin := filepath.Join(t.TempDir(), "scimbridge")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "github.com/scimbridge/scimbridge/cmd/scimbridge")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building scimbridge: %v\n%s", err, out)
	}
	b := processBinaries{bridge: bin, sim: bin}
	if other := os.Getenv("BENCH_BRIDGE_BIN"); other != "" {
		b.bridge = other
	}
	return b
}

// startLine starts cmd, its log going to logPath, and returns what it prints on stdout after
// prefix (an address).
func startLine(t testing.TB, cmd *exec.Cmd, prefix, logPath string) string {
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Registered at once, so that a failure starting the next process leaves none behind.
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			if i := strings.Index(sc.Text(), prefix); i >= 0 && !sent {
				found <- strings.TrimSpace(sc.Text()[i+len(prefix):])
				sent = true
			}
		}
		if !sent {
			close(found)
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s %s exited without printing %q; its log:\n%s", cmd.Path, cmd.Args[1], prefix, log)
		}
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not print %q within 60 s", cmd.Path, prefix)
	}
	return ""
}

const processSimPassword = "bench-sim-secret"

func processEnv() []string {
	return append(os.Environ(), "LEGACYSIM_PASSWORD="+processSimPassword, "SCIM_PASSWORD=bench-scim-secret")
}

// startProcessSim starts `scimbridge sim` (LegacyHR, in memory, demo data) and returns it and
// its SOAP endpoint.
func startProcessSim(t testing.TB, bins processBinaries) (*exec.Cmd, string) {
	sim := exec.Command(bins.sim, "sim", "--listen", "127.0.0.1:0")
	sim.Env = processEnv()
	return sim, startLine(t, sim, "listening on ", filepath.Join(t.TempDir(), "sim.log"))
}

func newProcessBridge(t testing.TB, bins processBinaries) *processBridge {
	sim, simURL := startProcessSim(t, bins)
	p := startProcessBridge(t, bins, simURL)
	p.sim = sim
	return p
}

// startProcessBridge starts `scimbridge serve` in front of the simulator at simURL.
func startProcessBridge(t testing.TB, bins processBinaries, simURL string) *processBridge {
	dir := t.TempDir()
	p := &processBridge{t: t}
	cfg := fmt.Sprintf(`listen: 127.0.0.1:0
metrics: { listen: 127.0.0.1:0 }
scim:
  auth:
    mode: basic
    username: okta
    password: ${SCIM_PASSWORD}
backend:
  mapping: builtin:legacyhr
  endpoint: %s
  wsse:
    username: scimbridge
    password: ${LEGACYSIM_PASSWORD}
  # 32 clients at once: the default 8 concurrent reads, waiting up to 1 s for a slot, could
  # refuse some on a busy machine (as in the throughput run).
  resilience:
    maxReads: 64
state:
  path: %s
`, simURL, filepath.Join(dir, "state.db"))
	if err := os.WriteFile(filepath.Join(dir, "bridge.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// The audit line of every request goes to a file, as with log.file: its write is part of
	// the bridge's cost.
	p.bridge = exec.Command(bins.bridge, "serve", "--config", filepath.Join(dir, "bridge.yaml"))
	p.bridge.Env = processEnv()
	p.base = strings.TrimSuffix(startLine(t, p.bridge, "SCIM 1.1 listening on ", filepath.Join(dir, "bridge.log")), "/")
	p.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	return p
}

func (p *processBridge) do(method, path string, body []byte) (int, []byte) {
	req, err := http.NewRequest(method, p.base+path, bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.SetBasicAuth("okta", "bench-scim-secret")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// paths creates one user and returns its get-user path and the agent's existence check for it.
func (p *processBridge) paths() (get, exists string) {
	name := fmt.Sprintf("bench.process.%d@example.com", time.Now().UnixNano())
	st, b := p.do("POST", "/Users", fmt.Appendf(nil,
		`{"schemas":["urn:scim:schemas:core:1.0"],"userName":%q,"name":{"givenName":"Bench","familyName":"Process"},"emails":[{"value":%q,"primary":true,"type":"work"}],"active":true,"password":"Pa55word!bench"}`, name, name))
	var u struct {
		ID string `json:"id"`
	}
	if st/100 != 2 || json.Unmarshal(b, &u) != nil || u.ID == "" {
		p.t.Fatalf("creating the measured user: %d %s", st, b)
	}
	return "/Users/" + u.ID, "/Users?filter=" + url.QueryEscape(fmt.Sprintf("userName eq %q", name)) + "&startIndex=1&count=100"
}

// cpuPerRequest sends run.requests GETs of path from run.clients clients after a warm-up and
// returns the bridge's and the simulator's process CPU per request.
func (p *processBridge) cpuPerRequest(path string, run processRun) (bridge, sim time.Duration, ok bool) {
	for range 200 {
		p.do("GET", path, nil)
	}
	b0, ok1 := pidCPU(p.bridge.Process.Pid)
	s0, ok2 := pidCPU(p.sim.Process.Pid)
	var next, bad atomic.Int64
	var wg sync.WaitGroup
	for range run.clients {
		wg.Go(func() {
			for next.Add(1) <= int64(run.requests) {
				if st, _ := p.do("GET", path, nil); st != 200 {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	b1, ok3 := pidCPU(p.bridge.Process.Pid)
	s1, ok4 := pidCPU(p.sim.Process.Pid)
	if n := bad.Load(); n > 0 {
		p.t.Errorf("%d of %d requests to %s failed", n, run.requests, path)
	}
	n := time.Duration(run.requests)
	return (b1 - b0) / n, (s1 - s0) / n, ok1 && ok2 && ok3 && ok4
}

// processCPU prints the bridge process's CPU per request for get user and the existence check.
func processCPU(t *testing.T, bins processBinaries, runs []processRun) {
	if _, ok := pidCPU(os.Getpid()); !ok {
		fmt.Printf("bridge process CPU per request: not measured on %s (it reads /proc)\n\n", runtime.GOOS)
		return
	}
	p := newProcessBridge(t, bins)
	get, exists := p.paths()
	what := "this tree"
	if bin := os.Getenv("BENCH_BRIDGE_BIN"); bin != "" {
		what = bin
	}
	fmt.Printf("bridge process CPU per request (`scimbridge serve` built from %s in front of `scimbridge sim`, separate processes, defaults but maxReads 64; CPU from /proc after 200 warm requests)\n", what)
	for _, op := range []struct{ name, path string }{{"get user", get}, {"existence check", exists}} {
		fmt.Printf("  %-18s", op.name)
		for _, run := range runs {
			b, s, ok := p.cpuPerRequest(op.path, run)
			if !ok {
				fmt.Printf("   %d clients: not measured", run.clients)
				continue
			}
			fmt.Printf("   %2d client(s) %6.1f µs (simulator %5.1f µs)", run.clients, us(b), us(s))
		}
		fmt.Println()
	}
	fmt.Println()
}
