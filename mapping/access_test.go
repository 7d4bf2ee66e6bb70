package mapping

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/expr-lang/expr"
)

// Every plain access path read in this package's tests (the engine tests, the contract suites
// over the shipped LegacyHR, WSO2 and ASMX mappings through real simulators) is read again by
// expr's VM and compared: a difference fails the run. access_shipped_test.go compiles every
// shipped mapping file and compares both ways on made-up records as well.
var accessChecks struct {
	mu       sync.Mutex
	n        atomic.Int64
	mismatch []string
}

func TestMain(m *testing.M) {
	accessCheck = func(p *program, env map[string]any, got any) {
		want, err := p.runVM(env)
		accessChecks.n.Add(1)
		if err != nil || !reflect.DeepEqual(got, want) {
			accessChecks.mu.Lock()
			accessChecks.mismatch = append(accessChecks.mismatch,
				fmt.Sprintf("%q: plain access read %#v, the VM %#v (error %v)", p.src, got, want, err))
			accessChecks.mu.Unlock()
		}
	}
	stringCheck = func(p *program, env map[string]any, got string) {
		v, err := p.runVM(env)
		accessChecks.n.Add(1)
		want, serr := str(plain(v))
		if err != nil || serr != nil || got != want {
			accessChecks.mu.Lock()
			accessChecks.mismatch = append(accessChecks.mismatch,
				fmt.Sprintf("%q: string access read %q, the VM %#v (error %v, %v)", p.src, got, v, err, serr))
			accessChecks.mu.Unlock()
		}
	}
	code := m.Run()
	if len(accessChecks.mismatch) > 0 {
		fmt.Fprintf(os.Stderr, "plain access paths disagree with expr's VM:\n  %s\n", strings.Join(accessChecks.mismatch, "\n  "))
		code = 1
	}
	os.Exit(code)
}

func TestPlainAccessIsCompared(t *testing.T) {
	// The comparison above must not be vacuous: a get runs toSCIM's plain paths.
	be, hr := legacyHR(t, nil)
	seed(hr, 1)
	before := accessChecks.n.Load()
	if _, err := be.GetUser(t.Context(), "E00001"); err != nil {
		t.Fatal(err)
	}
	if accessChecks.n.Load()-before < 10 {
		t.Errorf("a get compared %d plain reads with the VM, want at least 10", accessChecks.n.Load()-before)
	}
}

type accessRec struct {
	Login   string
	Enabled *bool
	Inner   *accessRec
	Attrs   map[string]any
}

type methodMap map[string]any

func (methodMap) Login() string { return "method" }

func TestPlainAccess(t *testing.T) {
	env := map[string]any{"rec": &accessRec{}, "user": map[string]any{}, "id": "", "mm": methodMap{}}
	yes := true
	full := &accessRec{Login: "alice", Enabled: &yes, Inner: &accessRec{Login: "inner"}, Attrs: map[string]any{"k": "v"}}
	for _, tc := range []struct {
		src   string
		plain bool
	}{
		{"rec.Login", true}, {"rec.Enabled", true}, {"rec.Inner.Login", true}, {"rec.Attrs.k", true},
		{"user.name.givenName", true}, {"user.userName", true}, {"id", true},
		{"rec.Enabled ?? false", false}, {"rec?.Login", false}, {`lower(id)`, false}, {`user["userName"]`, true},
		{"mm.Login", false}, {`"x"`, false}, {"rec.Login + id", false},
	} {
		p, err := expr.Compile(tc.src, expr.Env(env))
		if err != nil {
			if tc.plain {
				t.Errorf("%s: %v", tc.src, err)
			}
			continue
		}
		a := plainAccess(p)
		if (a != nil) != tc.plain {
			t.Errorf("%s: plain %v, want %v", tc.src, a != nil, tc.plain)
		}
		if a == nil {
			continue
		}
		prog := &program{src: tc.src, p: p, direct: a}
		for _, e := range []map[string]any{
			{"rec": full, "user": map[string]any{"userName": "alice", "name": map[string]any{"givenName": "A"}}, "id": "x"},
			{"rec": &accessRec{}, "user": map[string]any{}, "id": ""},
			{"rec": (*accessRec)(nil), "user": map[string]any{"name": nil}, "id": nil},
			{"rec": accessRec{Login: "by value"}, "user": map[string]any(nil)},
			{"rec": map[string]any{"Login": "a map"}, "user": "not a map"},
			{},
		} {
			got, ok := a.get(e)
			want, vmErr := prog.runVM(e)
			if ok && (vmErr != nil || !reflect.DeepEqual(got, want)) {
				t.Errorf("%s on %v: plain access read %#v, the VM %#v (error %v)", tc.src, e, got, want, vmErr)
			}
			if !ok && vmErr == nil && !reflect.DeepEqual(got, want) && got != nil {
				t.Errorf("%s on %v: gave up with a value %#v", tc.src, e, got)
			}
			// Through run (the engine's entry), the answer is always the VM's.
			rv, rErr := prog.run(e)
			if (rErr != nil) != (vmErr != nil) || (rErr == nil && !reflect.DeepEqual(rv, want)) {
				t.Errorf("%s on %v: run gave %#v, %v; the VM %#v, %v", tc.src, e, rv, rErr, want, vmErr)
			}
		}
	}
}
