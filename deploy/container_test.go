package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case
	args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Fatalf("%s ends inside a continued line", path)
	}
	return out
}

// execForm parses a JSON-array (exec form) argument; shell form returns nil.
func execForm(args string) []string {
	var v []string
	if json.Unmarshal([]byte(args), &v) != nil {
		return nil
	}
	return v
}

// TestDockerfile checks the image statically (no Docker engine in CI): a static build, a final
// stage without a shell running as a non-root numeric user, exec-form ENTRYPOINT/CMD (signals
// reach the bridge, so SIGTERM drains), and a HEALTHCHECK the shell-less image can run.
func TestDockerfile(t *testing.T) {
	const path = "container/Dockerfile"
	ins := parseDockerfile(t, path)
	lastFrom := -1
	for i, in := range ins {
		if in.cmd == "FROM" {
			lastFrom = i
		}
	}
	if lastFrom < 0 {
		t.Fatal("no FROM")
	}
	final := ins[lastFrom:]
	if img := strings.Fields(final[0].args)[0]; !strings.HasPrefix(img, "gcr.io/distroless/static") && img != "scratch" {
		t.Errorf("final stage FROM %s: want distroless/static or scratch", img)
	}
	var user, entry, cmd, health *instruction
	var build string
	for i := range ins {
		in := &ins[i]
		switch {
		case in.cmd == "RUN" && strings.Contains(in.args, "go build"):
			build = in.args
		case i >= lastFrom && in.cmd == "USER":
			user = in
		case i >= lastFrom && in.cmd == "ENTRYPOINT":
			entry = in
		case i >= lastFrom && in.cmd == "CMD":
			cmd = in
		case i >= lastFrom && in.cmd == "HEALTHCHECK":
			health = in
		case i >= lastFrom && in.cmd == "RUN":
			t.Errorf("line %d: RUN in the final stage (it has no shell)", in.line)
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "github.com/scimbridge/scimbridge/internal/buildinfo.version=", "./cmd/scimbridge"} {
		if !strings.Contains(build, want) {
			t.Errorf("the go build step lacks %q", want)
		}
	}
	if user == nil {
		t.Error("no USER in the final stage: the bridge would run as root")
	} else if u, _, _ := strings.Cut(user.args, ":"); !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(u) {
		t.Errorf("line %d: USER %s: want a numeric non-zero uid (Kubernetes runAsNonRoot can only check numbers)", user.line, user.args)
	}
	if entry == nil || execForm(entry.args) == nil {
		t.Errorf("ENTRYPOINT must be in exec form (JSON array), so SIGTERM reaches the bridge: %+v", entry)
	}
	if cmd == nil || execForm(cmd.args) == nil || strings.Join(execForm(cmd.args), " ") != "serve --config /etc/scimbridge/scimbridge.yaml" {
		t.Errorf("CMD: %+v", cmd)
	}
	if health == nil {
		t.Fatal("no HEALTHCHECK")
	}
	_, hc, ok := strings.Cut(health.args, " CMD ")
	probe := execForm(strings.TrimSpace(hc))
	if !ok || len(probe) < 2 || probe[0] != execForm(entry.args)[0] || probe[1] != "health" {
		t.Fatalf("HEALTHCHECK must run the binary's own probe in exec form (no shell in the image): %q", health.args)
	}
	main, err := os.ReadFile("../cmd/scimbridge/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(main), `case "health":`) {
		t.Error("the HEALTHCHECK calls `scimbridge health`, which main.go does not dispatch")
	}
	if !strings.Contains(health.args, "http://127.0.0.1:9464/healthz") {
		t.Errorf("HEALTHCHECK should probe /healthz on the metrics port 9464: %s", health.args)
	}
	// The ldflags stamp variables that must exist.
	bi, err := os.ReadFile("../internal/buildinfo/buildinfo.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(bi), "var version, commit, date, dirty string") {
		t.Error("internal/buildinfo no longer has the variables the Dockerfile's -ldflags -X sets")
	}
}
