package mapping

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in the mapping file, 1-based as editors show it. The zero Pos means
// "unknown" (a spec built in Go rather than parsed).
type Pos struct {
	Line, Col int
}

// Problem is one thing wrong with a mapping file.
type Problem struct {
	File string
	Pos  Pos
	Msg  string
}

// String renders the problem as `file:line:col: message`, the form editors and CI logs link.
func (p Problem) String() string {
	if p.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	if p.Pos.Col == 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Pos.Line, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Pos.Line, p.Pos.Col, p.Msg)
}

// ErrorList is every problem found in a mapping file, in file order. Parse and Compile return
// all problems at once so that an operator fixes a file in one round, not one error per start.
type ErrorList []Problem

// Error renders one problem per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, p := range l {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects problems for one file.
type problems struct {
	file string
	list ErrorList
}

func (ps *problems) add(pos Pos, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// err returns the sorted list, or nil when there is nothing wrong (a typed nil would not
// compare equal to nil in the caller).
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i].Pos, ps.list[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return ps.list
}

// didYouMean suggests the candidate closest to s, for typos in names. It returns "" when no
// candidate is close enough to be a likely typo.
func didYouMean(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(s) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD < 0 || bestD > limit {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance; inputs are short names, so O(n·m) is fine.
func editDistance(a, b string) int {
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
