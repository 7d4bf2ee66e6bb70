package diag

import (
	"errors"
	"testing"
)

func TestProblemString(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{File: "m.yaml", Msg: "empty"}, "m.yaml: empty"},
		{Problem{File: "m.yaml", Pos: Pos{Line: 3}, Msg: "bad"}, "m.yaml:3: bad"},
		{Problem{File: "m.yaml", Pos: Pos{Line: 3, Col: 7}, Msg: "bad"}, "m.yaml:3:7: bad"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestCollectorOrdersByPositionAndKeepsTies(t *testing.T) {
	var c Collector
	if err := c.Err(); err != nil {
		t.Fatalf("empty collector: Err() = %#v, want a plain nil", err)
	}
	c.File = "f"
	c.Add(Pos{9, 1}, "last")
	c.Add(Pos{2, 5}, "second %s", "tie")
	c.Add(Pos{2, 5}, "third tie")
	c.Add(Pos{2, 1}, "first")
	err := c.Err()
	var l List
	if !errors.As(err, &l) {
		t.Fatalf("Err() is %T, want List", err)
	}
	want := "f:2:1: first\nf:2:5: second tie\nf:2:5: third tie\nf:9:1: last"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
}

func TestDidYouMean(t *testing.T) {
	keys := []string{"operations", "types", "baseURL"}
	for _, tc := range []struct{ in, want string }{
		{"operatoins", ` (did you mean "operations"?)`},
		{"BaseUrl", ` (did you mean "baseURL"?)`},
		{"tpyes", ` (did you mean "types"?)`},
		{"zzzzzzzz", ""},
		{"x", ""},
	} {
		if got := DidYouMean(tc.in, keys); got != tc.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := DidYouMean("a", nil); got != "" {
		t.Errorf("no candidates: %q", got)
	}
}

func TestEditDistanceCountsRunes(t *testing.T) {
	if d := EditDistance("naïve", "naive"); d != 1 {
		t.Errorf("EditDistance(naïve, naive) = %d, want 1 (one rune differs)", d)
	}
	if d := EditDistance("", "abc"); d != 3 {
		t.Errorf("EditDistance(\"\", abc) = %d, want 3", d)
	}
}
