package filter

import (
	"errors"
	"reflect"
	"testing"
)

// The seed corpus lives in testdata/fuzz/FuzzParse and testdata/fuzz/FuzzParsePath; `go test`
// runs every seed as a regular test, so crashers found by `go test -fuzz` stay fixed once their
// file is committed there.

// reparseLimits is used for the round trip: the canonical text can be a little longer than the
// input (`not(` becomes `not (`), but never deeper, so only the length is relaxed.
var reparseLimits = Limits{MaxLength: 1 << 20}

func FuzzParse(f *testing.F) {
	f.Add(`userName eq "bjensen"`)
	f.Add(`a eq 1 or b eq 2 and c eq 3`)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > len(s) || se.Msg == "" {
				t.Fatalf("Parse(%q): bad error %+v", s, se)
			}
			return
		}
		out := e.String()
		back, err := ParseWith(out, reparseLimits)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("Parse(%q) = %q: round trip changed the tree\n got %#v\nwant %#v", s, out, back, e)
		}
		if again := back.String(); again != out {
			t.Fatalf("String is not stable: %q then %q", out, again)
		}
		// The evaluator and the shape helpers must cope with anything the parser accepts.
		Match(e, bjensen)
		MatchWith(e, bjensen, MatchOptions{CaseExact: func(AttrPath) bool { return true }})
		Shape(e)
		Equalities(e)
	})
}

func FuzzParsePath(f *testing.F) {
	f.Add(`members[value eq "2819c2"]`)
	f.Add(`emails[type eq "work"].value`)
	f.Add(`name.familyName`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParsePath(%q) error %T, want *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > len(s) || se.Msg == "" {
				t.Fatalf("ParsePath(%q): bad error %+v", s, se)
			}
			return
		}
		out := p.String()
		back, err := ParsePathWith(out, reparseLimits)
		if err != nil {
			t.Fatalf("ParsePath(%q) = %q, which does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(back, p) {
			t.Fatalf("ParsePath(%q) = %q: round trip changed the path\n got %#v\nwant %#v", s, out, back, p)
		}
	})
}
