package archtest

import (
	"fmt"
	"sort"
	"strings"
)

// Module is the module path; rules name packages relative to it.
const Module = "github.com/scimbridge/scimbridge"

// Package is one node of the graph: its import path relative to the module ("adapter/scim11"),
// its direct imports and all its transitive dependencies (full paths, non-test).
type Package struct {
	Path    string
	Imports []string
	Deps    []string
}

// Rule restricts what the packages matching From may depend on.
type Rule struct {
	// From is a package pattern: "adapter" (that package), "adapter/..." (it and below), or
	// "internal/*sim" (a glob on the last element).
	From string
	// Deny lists module package patterns no package of From may reach, directly or not.
	Deny []string
	// Only, when set, is the complete list of module package patterns From may reach.
	Only []string
	// StdlibOnly forbids every dependency outside the standard library and Only.
	StdlibOnly bool
	// DenyDirect lists import paths (standard library included) From must not import itself.
	DenyDirect []string
	// Why is said when the rule is broken.
	Why string
}

// Exception allows one edge a rule forbids, with the reason and what removes it.
type Exception struct {
	From, To string
	Why      string
}

// bridge is every package of the bridge itself: what the tester, the simulators and the
// clients must not reach.
var bridge = []string{"adapter/...", "backend/...", "filter/...", "mapping/...", "internal/state/...",
	"internal/config/...", "cmd/..."}

var clients = []string{"soapclient/...", "restclient/..."}

// Rules are the repository's import rules.
var Rules = []Rule{
	{From: "adapter/...", Only: []string{"adapter/...", "backend/...", "filter/...", "internal/reqid", "internal/backendtime",
		"internal/observe", "internal/oktafixtures"},
		Why: "the front end reaches the contract, the filter and leaf helpers only; never the mapping engine, a client, the state store or the configuration"},
	{From: "mapping/...", Deny: append([]string{"adapter/...", "internal/state/...", "internal/config/..."}, clients...),
		DenyDirect: []string{"net/http"},
		Why:        "the mapping engine is transport-neutral: it drives clients through interfaces it defines and knows no front end"},
	{From: "backend", StdlibOnly: true, Only: []string{"filter"}, Why: "the contract is the standard library plus the filter"},
	{From: "filter/...", StdlibOnly: true, Why: "the filter is a standard-library leaf"},
	{From: "soapclient/...", Deny: bridge, Why: "a client reaches nothing of the bridge; the engine classifies its errors"},
	{From: "restclient/...", Deny: bridge, Why: "a client reaches nothing of the bridge; the engine classifies its errors"},
	{From: "conformance/...", Deny: append(append([]string{}, bridge...), append(clients, "internal/guard/...")...),
		Why: "the tester is an outside program that speaks HTTP only"},
	{From: "internal/*sim", Deny: append(append([]string{}, bridge...), append(clients, "internal/guard/...")...),
		Why: "a simulator is an outside program that speaks HTTP (SOAP or REST) only"},
}

// Exceptions are the edges allowed against a rule, each with its reason.
var Exceptions = []Exception{
	{From: "internal/wso2sim", To: "soapclient/wso2userstore",
		Why: "the WSO2 simulator speaks the generated wire types of the corpus WSDL: there the point is WSO2's semantics, and the generated types are the contract (docs/design-notes.md)"},
	{From: "internal/wso2sim", To: "soapclient/soapreg",
		Why: "the generated wire types register themselves in soapreg"},
}

// match reports whether rel (a module-relative path) matches pattern.
func match(pattern, rel string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	if strings.Contains(pattern, "*") {
		dir, glob := "", pattern
		if i := strings.LastIndex(pattern, "/"); i >= 0 {
			dir, glob = pattern[:i], pattern[i+1:]
		}
		rdir, last := "", rel
		if i := strings.LastIndex(rel, "/"); i >= 0 {
			rdir, last = rel[:i], rel[i+1:]
		}
		prefix, suffix, _ := strings.Cut(glob, "*")
		return dir == rdir && strings.HasPrefix(last, prefix) && strings.HasSuffix(last, suffix) && len(last) >= len(prefix)+len(suffix)
	}
	return pattern == rel
}

func matchAny(patterns []string, rel string) bool {
	for _, p := range patterns {
		if match(p, rel) {
			return true
		}
	}
	return false
}

func stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// Check returns every broken rule, one line each ("adapter → mapping: why"), sorted.
func Check(pkgs []Package, rules []Rule, exceptions []Exception) []string {
	allowed := func(from, to string) bool {
		for _, e := range exceptions {
			if e.From == from && e.To == to {
				return true
			}
		}
		return false
	}
	seen := map[string]bool{}
	var out []string
	report := func(from, to, why string) {
		line := fmt.Sprintf("%s → %s: %s", from, to, why)
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	for _, p := range pkgs {
		for _, r := range rules {
			if !match(r.From, p.Path) {
				continue
			}
			for _, imp := range p.Imports {
				for _, d := range r.DenyDirect {
					if imp == d {
						report(p.Path, imp, r.Why)
					}
				}
			}
			for _, dep := range p.Deps {
				rel, inModule := strings.CutPrefix(dep, Module+"/")
				if !inModule {
					if r.StdlibOnly && !stdlib(dep) {
						report(p.Path, dep, r.Why)
					}
					continue
				}
				if allowed(p.Path, rel) {
					continue
				}
				if matchAny(r.Deny, rel) {
					report(p.Path, rel, r.Why)
				}
				if (r.Only != nil || r.StdlibOnly) && !matchAny(r.Only, rel) {
					report(p.Path, rel, r.Why)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
