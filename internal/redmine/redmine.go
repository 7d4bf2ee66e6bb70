//go:build unix

package redmine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Where Debian installs Redmine and the database configuration naming the migrated SQLite file.
const (
	Root         = "/usr/share/redmine"
	DatabaseYAML = "/etc/redmine/default/database.yml"
)

// startTimeout bounds the boot: Rails, the setting, WEBrick.
const startTimeout = 4 * time.Minute

// Instance is one running Redmine.
type Instance struct {
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string
	// APIKey is the admin's REST API key (header X-Redmine-API-Key).
	APIKey string
	// Dir holds the database copy and the server's output.
	Dir string

	cmd  *exec.Cmd
	out  *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
}

// Available reports whether Redmine is installed, with the reason when it is not.
func Available() (bool, string) {
	if _, err := os.Stat(filepath.Join(Root, "config.ru")); err != nil {
		return false, "Redmine is not installed (" + Root + " missing; apt-get install redmine redmine-sqlite)"
	}
	if _, err := exec.LookPath("ruby"); err != nil {
		return false, "ruby is not on PATH"
	}
	if _, err := databaseFile(); err != nil {
		return false, err.Error()
	}
	return true, ""
}

var dbLine = regexp.MustCompile(`(?m)^\s*database:\s*(\S+)\s*$`)

// databaseFile reads the path of the migrated SQLite database from database.yml.
func databaseFile() (string, error) {
	b, err := os.ReadFile(DatabaseYAML)
	if err != nil {
		return "", fmt.Errorf("Redmine's database configuration: %w", err)
	}
	m := dbLine.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s names no database", DatabaseYAML)
	}
	p := string(m[1])
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("Redmine's SQLite database: %w", err)
	}
	return p, nil
}

// Require skips t when Redmine is missing, or fails it under CI=true.
func Require(t testing.TB) {
	t.Helper()
	if ok, why := Available(); !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s; .ci/run installs it", why)
		}
		t.Skipf("SKIPPING the real-Redmine test: %s", why)
	}
}

// serveScript boots Rails once, enables the REST API, prints the admin's key and the port
// WEBrick bound, then serves until killed.
const serveScript = `
$stdout.sync = true
require "rack"
begin; require "rack/handler/webrick"; rescue LoadError; end
app, _ = Rack::Builder.parse_file("config.ru")
Setting.rest_api_enabled = "1"
puts "SCIMBRIDGE-APIKEY " + User.find_by_login("admin").api_key
Rack::Handler::WEBrick.run(app, Host: "127.0.0.1", Port: 0, AccessLog: [],
  Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN)) do |server|
  puts "SCIMBRIDGE-PORT #{server.config[:Port]}"
end
`

var (
	keyLine  = regexp.MustCompile(`SCIMBRIDGE-APIKEY ([0-9a-f]{40})`)
	portLine = regexp.MustCompile(`SCIMBRIDGE-PORT (\d+)`)
)

// Start starts a Redmine on a copy of the freshly migrated database and stops it when t ends.
// It calls Require first.
func Start(t testing.TB) *Instance {
	t.Helper()
	Require(t)
	src, err := databaseFile()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "redmine.sqlite3")
	if err := copyFile(src, db); err != nil {
		t.Fatal(err)
	}
	in := &Instance{Dir: dir, out: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	cmd := exec.Command("ruby", "-e", serveScript)
	cmd.Dir = Root
	cmd.Env = append(os.Environ(), "RAILS_ENV=production", "DATABASE_URL=sqlite3:"+db, "RAILS_LOG_TO_STDOUT=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting Redmine: %v", err)
	}
	in.cmd = cmd
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(in.done)
	}()
	t.Cleanup(in.stop)
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			in.mu.Lock()
			if in.out.Len() < 1<<20 {
				in.out.WriteString(sc.Text() + "\n")
			}
			in.mu.Unlock()
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	deadline := time.After(startTimeout)
	for in.URL == "" || in.APIKey == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("Redmine exited during start-up:\n%s", in.Output())
			}
			if m := keyLine.FindStringSubmatch(l); m != nil {
				in.APIKey = m[1]
			}
			if m := portLine.FindStringSubmatch(l); m != nil {
				in.URL = "http://127.0.0.1:" + m[1]
			}
		case <-deadline:
			t.Fatalf("Redmine did not start within %s:\n%s", startTimeout, in.Output())
		}
	}
	go func() { // keep draining the output
		for range lines {
		}
	}()
	// The port is bound before the first request is served; wait for a real answer.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.URL+"/users/current.json", nil)
		req.Header.Set("X-Redmine-API-Key", in.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			t.Fatalf("Redmine answered %d to the admin's key:\n%s", resp.StatusCode, in.Output())
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Redmine does not answer at %s: %v\n%s", in.URL, err, in.Output())
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Logf("Redmine 5 on %s, started in %s", in.URL, time.Since(started).Round(100*time.Millisecond))
	return in
}

// Output is what the Ruby process printed so far (capped at 1 MiB).
func (in *Instance) Output() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return strings.TrimSpace(in.out.String())
}

// stop ends the server's process group: SIGTERM, then SIGKILL after five seconds.
func (in *Instance) stop() {
	if in.cmd == nil || in.cmd.Process == nil {
		return
	}
	pgid := -in.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-in.done
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
