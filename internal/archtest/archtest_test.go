package archtest

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// load lists every package of the module with its non-test dependencies.
func load(t *testing.T) []Package {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", Module+"/...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath    string
			Imports, Deps []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, Module), "/")
		pkgs = append(pkgs, Package{Path: rel, Imports: p.Imports, Deps: p.Deps})
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// TestImportRules enforces the rules on the repository as it is.
func TestImportRules(t *testing.T) {
	pkgs := load(t)
	for _, v := range Check(pkgs, Rules, Exceptions) {
		t.Error(v)
	}
	// Every rule applies to at least one package, and every exception is still needed: a rule
	// whose pattern matches nothing, or an exception nothing uses, hides a rename.
	for _, r := range Rules {
		n := 0
		for _, p := range pkgs {
			if match(r.From, p.Path) {
				n++
			}
		}
		if n == 0 && r.From != "restclient/..." {
			t.Errorf("rule for %s matches no package", r.From)
		}
	}
	for _, e := range Exceptions {
		used := false
		for _, p := range pkgs {
			if p.Path == e.From {
				for _, d := range p.Deps {
					used = used || d == Module+"/"+e.To
				}
			}
		}
		if !used {
			t.Errorf("exception %s → %s is no longer needed: remove it", e.From, e.To)
		}
	}
}

// TestCheckerCatchesForbiddenEdges feeds the checker synthetic graphs, each with one forbidden
// edge, and expects exactly that edge reported: the rules test above can fail.
func TestCheckerCatchesForbiddenEdges(t *testing.T) {
	m := func(rel string) string { return Module + "/" + rel }
	clean := []Package{
		{Path: "adapter", Deps: []string{"net/http", m("backend"), m("filter"), m("internal/reqid")}},
		{Path: "mapping", Imports: []string{"context"}, Deps: []string{m("backend"), m("filter"), "github.com/expr-lang/expr"}},
		{Path: "backend", Deps: []string{"time", m("filter")}},
		{Path: "filter", Deps: []string{"strings"}},
		{Path: "soapclient", Deps: []string{"net/http", m("internal/guard"), m("internal/reqid")}},
		{Path: "conformance", Deps: []string{"net/http", m("internal/oktafixtures")}},
		{Path: "internal/legacysim", Deps: []string{"net/http", m("wsdl")}},
	}
	if v := Check(clean, Rules, nil); len(v) != 0 {
		t.Fatalf("clean graph reported: %v", v)
	}
	cases := []struct {
		pkg, dep, direct, want string
	}{
		{pkg: "adapter", dep: m("mapping"), want: "adapter → mapping"},
		{pkg: "adapter", dep: m("soapclient"), want: "adapter → soapclient"},
		{pkg: "adapter", dep: m("internal/state"), want: "adapter → internal/state"},
		{pkg: "mapping", dep: m("adapter"), want: "mapping → adapter"},
		{pkg: "mapping", dep: m("soapclient"), want: "mapping → soapclient"},
		{pkg: "mapping", direct: "net/http", want: "mapping → net/http"},
		{pkg: "backend", dep: "github.com/google/uuid", want: "backend → github.com/google/uuid"},
		{pkg: "backend", dep: m("internal/reqid"), want: "backend → internal/reqid"},
		{pkg: "filter", dep: m("backend"), want: "filter → backend"},
		{pkg: "soapclient", dep: m("backend"), want: "soapclient → backend"},
		{pkg: "soapclient", dep: m("mapping"), want: "soapclient → mapping"},
		{pkg: "conformance", dep: m("adapter"), want: "conformance → adapter"},
		{pkg: "internal/legacysim", dep: m("soapclient"), want: "internal/legacysim → soapclient"},
	}
	for _, tc := range cases {
		g := make([]Package, len(clean))
		copy(g, clean)
		for i := range g {
			if g[i].Path == tc.pkg {
				g[i].Deps = append(append([]string{}, g[i].Deps...), tc.dep)
				if tc.direct != "" {
					g[i].Imports = append(append([]string{}, g[i].Imports...), tc.direct)
					g[i].Deps = g[i].Deps[:len(g[i].Deps)-1]
				}
			}
		}
		v := Check(g, Rules, nil)
		if len(v) != 1 || !strings.HasPrefix(v[0], tc.want+":") {
			t.Errorf("%s: got %v", tc.want, v)
		}
	}
	// An exception allows exactly its edge.
	g := append([]Package{}, clean...)
	g[4] = Package{Path: "soapclient", Deps: []string{m("backend")}}
	if v := Check(g, Rules, []Exception{{From: "soapclient", To: "backend"}}); len(v) != 0 {
		t.Errorf("exception not honoured: %v", v)
	}
}
