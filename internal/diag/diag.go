package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a 1-based position in a file, as editors show it. The zero Pos means "no position"
// (a spec built in Go rather than parsed, or a key missing from a file with no parent to point at).
type Pos struct{ Line, Col int }

// Problem is one thing wrong with a file.
type Problem struct {
	File string
	Pos  Pos
	Msg  string
}

// String renders `file:line:col: message`, the form editors and CI logs link; the parts of the
// position that are unknown are left out.
func (p Problem) String() string {
	switch {
	case p.Pos.Line == 0:
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	case p.Pos.Col == 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Pos.Line, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Pos.Line, p.Pos.Col, p.Msg)
}

// List is every problem found, one per line in Error, so that an operator fixes a file in one
// round rather than one error per start.
type List []Problem

// Error renders one problem per line.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, p := range l {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort puts the problems in file order; problems at the same place keep the order they were
// found in (a cause before its consequences).
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Collector gathers the problems of one file.
type Collector struct {
	File string
	List List
}

// Add records a problem at pos.
func (c *Collector) Add(pos Pos, format string, args ...any) {
	c.List = append(c.List, Problem{File: c.File, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Err returns the problems in file order, or a plain nil when there are none (a typed nil List
// would not compare equal to nil in the caller).
func (c *Collector) Err() error {
	if len(c.List) == 0 {
		return nil
	}
	c.List.Sort()
	return c.List
}

// DidYouMean suggests the candidate closest to s, as ` (did you mean "x"?)`, or "" when none is
// close enough to be a likely typo (an edit distance above a third of s, and at least 2). The
// comparison ignores case.
func DidYouMean(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := EditDistance(ls, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(len(s)/3, 2) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// EditDistance is the Levenshtein distance over runes; names are short, so O(n·m) is fine.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
