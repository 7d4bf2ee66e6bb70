package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/pgtest"
)

// try is client.do for goroutines and for replicas that may be gone: it reports instead of
// failing the test.
func (c *client) try(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(j)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+strings.TrimPrefix(path, "/"), rd)
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth(c.user, c.pass)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// passwordChanges is how many SetPassword calls the simulator accepted for one employee.
func passwordChanges(t *testing.T, simURL, id string) int {
	t.Helper()
	var e map[string]any
	getJSON(t, simURL+"/_sim/employees/"+id, &e)
	n, ok := e["passwordChanges"].(float64)
	if !ok {
		t.Fatalf("the simulator's employee %s has no passwordChanges: %v", id, e)
	}
	return int(n)
}

func newUser(t *testing.T, name string) map[string]any {
	u := sample(t, "createNewUser.json")
	u["userName"] = name + "@example.com"
	u["emails"] = []any{map[string]any{"value": name + "@example.com", "primary": true, "type": "work"}}
	return u
}

// TestTwoReplicasSharePostgres runs two bridge processes on one PostgreSQL (a real server from
// the operating system's packages) and one LegacyHR simulator, and spreads the agent's work over
// both: a PUT seen by both pushes its password once; concurrent group PUTs through both end in
// one sent list; two tester runs at once pass; incremental imports agree; and a replica killed
// mid-run loses nothing it acknowledged.
func TestTwoReplicasSharePostgres(t *testing.T) {
	pg := pgtest.Shared(t)
	dsnFile := filepath.Join(t.TempDir(), "state-dsn")
	if err := os.WriteFile(dsnFile, []byte(pg.NewDatabase(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	backend := fmt.Sprintf(`
  mapping: builtin:legacyhr
  endpoint: %s/soap
  wsse: { username: %s, password: "${file:SIMPASS}" }`, simURL, e2eSimUser)
	stateYAML := `{ postgres: "${file:` + dsnFile + `}" }`
	a := startBridgeWithState(t, simURL, "", backend, stateYAML)
	b := startBridgeWithState(t, simURL, "", backend, stateYAML)
	both := []*client{a.scim, b.scim}

	for _, s := range []*stack{a, b} {
		res, err := http.Get(s.metricsURL + "/readyz?verbose")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "[+]state") {
			t.Fatalf("/readyz of a replica: %d %s", res.StatusCode, body)
		}
	}

	t.Run("OnePasswordPushForOnePUTSeenByBoth", func(t *testing.T) {
		u := newUser(t, "pw-both")
		r := a.scim.do("POST", "Users", u)
		wantStatus(t, "create", r, 200)
		id := r.json(t)["id"].(string)
		before := passwordChanges(t, simURL, id)
		put := sample(t, "pushPasswordUpdate.json")
		put["id"], put["userName"], put["emails"] = id, u["userName"], u["emails"]
		put["password"] = "Replica-Shared-1"
		// The agent's retry lands on the other replica while the first is still working.
		var wg sync.WaitGroup
		for _, c := range both {
			wg.Go(func() {
				if st, body, err := c.try("PUT", "Users/"+id, put); err != nil || st != 200 {
					t.Errorf("PUT: %d %s %v", st, body, err)
				}
			})
		}
		wg.Wait()
		if got := passwordChanges(t, simURL, id) - before; got != 1 {
			t.Fatalf("one password PUT seen by both replicas pushed the password %d times, want 1", got)
		}
		// Later PUTs with the same or an earlier password, on either replica, push nothing.
		wantStatus(t, "repeat on b", b.scim.do("PUT", "Users/"+id, put), 200)
		deact := sample(t, "deactivateUser.json")
		deact["id"], deact["userName"], deact["emails"] = id, u["userName"], u["emails"]
		wantStatus(t, "deactivate on a", a.scim.do("PUT", "Users/"+id, deact), 200)
		if got := passwordChanges(t, simURL, id) - before; got != 1 {
			t.Fatalf("after repeats on both replicas the password was pushed %d times, want 1", got)
		}
	})

	t.Run("ConcurrentGroupPUTsAcrossReplicas", func(t *testing.T) {
		var ids []string
		for i := range 6 {
			r := both[i%2].do("POST", "Users", newUser(t, fmt.Sprintf("grp-member-%d", i)))
			wantStatus(t, "create member", r, 200)
			ids = append(ids, r.json(t)["id"].(string))
		}
		r := a.scim.do("POST", "Groups", map[string]any{"displayName": "Replicated Race"})
		wantStatus(t, "create group", r, 200)
		gid := r.json(t)["id"].(string)
		for iter := range 2 {
			sent := map[string]bool{}
			var wg sync.WaitGroup
			for i := range 20 {
				var members []any
				var key []string
				for j, id := range ids {
					if (i+1+iter)&(1<<j) != 0 || j == (i+iter)%len(ids) {
						members = append(members, map[string]any{"value": id})
						key = append(key, id)
					}
				}
				slices.Sort(key)
				sent[strings.Join(key, ",")] = true
				body := map[string]any{"id": gid, "displayName": "Replicated Race", "members": members}
				c := both[i%2]
				wg.Go(func() {
					if st, b, err := c.try("PUT", "Groups/"+gid, body); err != nil || st != 200 {
						t.Errorf("group PUT: %d %s %v", st, b, err)
					}
				})
			}
			wg.Wait()
			var views []string
			for _, c := range both {
				g := c.do("GET", "Groups/"+gid, nil).json(t)
				var got []string
				ms, _ := g["members"].([]any)
				for _, m := range ms {
					got = append(got, m.(map[string]any)["value"].(string))
				}
				slices.Sort(got)
				views = append(views, strings.Join(got, ","))
			}
			if views[0] != views[1] {
				t.Fatalf("the replicas disagree on the group: %q and %q", views[0], views[1])
			}
			if !sent[views[0]] {
				t.Fatalf("iteration %d: 20 PUTs over two replicas left the group with [%s], which no PUT sent", iter, views[0])
			}
		}
	})

	t.Run("TesterRunsOnBothAtOnce", func(t *testing.T) {
		// Every check but the two paging ones: they compare two listings of the whole directory
		// (count=7 against count=100), which cannot agree while the other run adds and deletes
		// users and groups between them. Paging is checked by the single-run end-to-end tests.
		only := "auth,create,checkUserExists,import,download,activateUser,deactivateUser,reactivateUser," +
			"push,getGroupById,updateGroup,deleteGroup,lifecycle,errors,filter,shape"
		var wg sync.WaitGroup
		for _, c := range both {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				out, err := exec.CommandContext(ctx, binPath, "test", "--url", c.base, "--basic", e2eSCIMUser+":"+e2eSCIMPass,
					"--only", only).CombinedOutput()
				if err != nil || !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
					t.Errorf("scimbridge test against %s: %v\n%s", c.base, err, out)
				}
			})
		}
		wg.Wait()
	})

	t.Run("IncrementalImportIdenticalOnBoth", func(t *testing.T) {
		f := `meta.lastModified gt "2000-01-01T00:00:00Z"`
		var views []string
		for _, c := range both {
			total, res := listOf(t, "incremental import", c.do("GET", filterQuery(f)+"&count=1000", nil))
			var lines []string
			for _, x := range res {
				meta, _ := x["meta"].(map[string]any)
				lines = append(lines, fmt.Sprintf("%v %v %v", x["id"], x["userName"], meta["lastModified"]))
			}
			slices.Sort(lines)
			if total == 0 {
				t.Fatal("incremental import found nobody")
			}
			views = append(views, strings.Join(lines, "\n"))
		}
		if views[0] != views[1] {
			t.Fatalf("incremental imports differ between the replicas:\n--- a\n%s\n--- b\n%s", views[0], views[1])
		}
	})

	t.Run("KilledReplicaLosesNothingAcknowledged", func(t *testing.T) {
		type acked struct{ id, name, password string }
		var mu sync.Mutex
		var done []acked
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("kill-%d", i)
				u := newUser(t, name)
				st, body, err := a.scim.try("POST", "Users", u)
				if err != nil {
					return // the replica is gone
				}
				if st != 200 {
					continue
				}
				var created map[string]any
				if json.Unmarshal(body, &created) != nil {
					continue
				}
				id, _ := created["id"].(string)
				put := sample(t, "pushPasswordUpdate.json")
				put["id"], put["userName"], put["emails"] = id, u["userName"], u["emails"]
				put["password"] = "Killed-" + name
				if st, _, err := a.scim.try("PUT", "Users/"+id, put); err != nil || st != 200 {
					continue
				}
				mu.Lock()
				done = append(done, acked{id, u["userName"].(string), put["password"].(string)})
				mu.Unlock()
			}
		})
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := len(done)
			mu.Unlock()
			if n >= 5 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		a.bridge.cmd.Process.Signal(syscall.SIGKILL)
		<-a.bridge.done
		close(stop)
		wg.Wait()
		if len(done) < 5 {
			t.Fatalf("only %d acknowledged writes before the kill", len(done))
		}
		for _, w := range done {
			r := b.scim.do("GET", "Users/"+w.id, nil)
			wantStatus(t, "acknowledged user read on the surviving replica", r, 200)
			if got := r.json(t)["userName"]; got != w.name {
				t.Errorf("user %s: userName %v, want %s", w.id, got, w.name)
			}
			// Its acknowledged password is in the shared history: repeating the PUT on the
			// surviving replica pushes nothing.
			before := passwordChanges(t, simURL, w.id)
			put := sample(t, "pushPasswordUpdate.json")
			put["id"], put["userName"], put["password"] = w.id, w.name, w.password
			put["emails"] = []any{map[string]any{"value": w.name, "primary": true, "type": "work"}}
			wantStatus(t, "repeat on the survivor", b.scim.do("PUT", "Users/"+w.id, put), 200)
			if after := passwordChanges(t, simURL, w.id); after != before {
				t.Errorf("user %s: the surviving replica pushed an acknowledged password again", w.id)
			}
		}
		t.Logf("%d writes acknowledged before the kill, all found on the surviving replica", len(done))
	})
}

// TestStateStoreOutage stops PostgreSQL under a running bridge: writes answer 503 with
// Retry-After and reach nothing in the application (no password pushed, no member changed),
// /readyz turns unready, and everything works again once the database is back.
func TestStateStoreOutage(t *testing.T) {
	pg := pgtest.Start(t) // its own server: this test stops it
	dsnFile := filepath.Join(t.TempDir(), "state-dsn")
	if err := os.WriteFile(dsnFile, []byte(pg.NewDatabase(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	s := startBridgeWithState(t, simURL, "", fmt.Sprintf(`
  mapping: builtin:legacyhr
  endpoint: %s/soap
  wsse: { username: %s, password: "${file:SIMPASS}" }`, simURL, e2eSimUser), `{ postgres: "${file:`+dsnFile+`}" }`)
	c := s.scim
	u := newUser(t, "outage")
	r := c.do("POST", "Users", u)
	wantStatus(t, "create", r, 200)
	id := r.json(t)["id"].(string)
	r = c.do("POST", "Groups", map[string]any{"displayName": "Outage", "members": []any{map[string]any{"value": id}}})
	wantStatus(t, "create group", r, 200)
	gid := r.json(t)["id"].(string)
	before := passwordChanges(t, simURL, id)

	pg.Stop()
	put := sample(t, "pushPasswordUpdate.json")
	put["id"], put["userName"], put["emails"] = id, u["userName"], u["emails"]
	put["password"] = "During-Outage-1"
	for what, req := range map[string]func() response{
		"password PUT": func() response { return c.do("PUT", "Users/"+id, put) },
		"group PUT": func() response {
			return c.do("PUT", "Groups/"+gid, map[string]any{"id": gid, "displayName": "Outage", "members": []any{}})
		},
	} {
		r := req()
		if r.status != 503 || r.header.Get("Retry-After") == "" {
			t.Errorf("%s without the state store: %d (Retry-After %q) %s; want 503 with Retry-After", what, r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	if got := passwordChanges(t, simURL, id); got != before {
		t.Errorf("a password was pushed while the state store was down")
	}
	var roles []map[string]any
	getJSON(t, simURL+"/_sim/roles", &roles)
	found := false
	for _, role := range roles {
		if role["name"] == "Outage" {
			found = true
			if ms, _ := role["members"].([]any); len(ms) != 1 {
				t.Errorf("the group changed while the state store was down: %v", role)
			}
		}
	}
	if !found {
		t.Errorf("the simulator has no Outage role: %v", roles)
	}
	res, err := http.Get(s.metricsURL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 503 {
		t.Errorf("/readyz with the state store down: %d, want 503", res.StatusCode)
	}

	if err := pg.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := c.do("PUT", "Users/"+id, put)
		if r.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bridge did not recover after the state store came back: %d %s", r.status, r.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := passwordChanges(t, simURL, id) - before; got != 1 {
		t.Errorf("after the outage the password was pushed %d times, want 1", got)
	}
}
