package config

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a 1-based position in a file; the zero Pos means "no position" (a key that is missing
// from a file that has no parent key to point at).
type Pos struct{ Line, Col int }

// Problem is one thing wrong with the configuration (or with the mapping file it names).
type Problem struct {
	File string
	Pos  Pos
	Msg  string
}

// String renders `file:line:col: message`, the form editors and CI logs link.
func (p Problem) String() string {
	switch {
	case p.Pos.Line == 0:
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	case p.Pos.Col == 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Pos.Line, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Pos.Line, p.Pos.Col, p.Msg)
}

// Problems is every problem found, one per line in Error. Prepare returns all of them at once
// so that an operator fixes a file in one round.
type Problems []Problem

func (l Problems) Error() string {
	lines := make([]string, len(l))
	for i, p := range l {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// collector gathers the problems of one configuration file, positioned by key path.
type collector struct {
	file string
	pos  map[string]Pos // key path → position of its value (the file's root is "")
	list Problems
	// quiet holds keys already reported for a reason that makes any further complaint about
	// them noise (a secret that could not be resolved is also "empty").
	quiet map[string]bool
}

func (c *collector) silence(path string) {
	if c.quiet == nil {
		c.quiet = map[string]bool{}
	}
	c.quiet[path] = true
}

// at is the position of path, or of its nearest ancestor present in the file (a missing key
// is reported where it should have been written).
func (c *collector) at(path string) Pos {
	for {
		if p, ok := c.pos[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return c.pos[""]
		}
		path = path[:i]
	}
}

// bad records a problem with the key at path; the message starts with the path.
func (c *collector) bad(path, format string, args ...any) {
	if c.quiet[path] {
		return
	}
	c.list = append(c.list, Problem{File: c.file, Pos: c.at(path), Msg: path + ": " + fmt.Sprintf(format, args...)})
}

// badAt records a problem at an explicit position.
func (c *collector) badAt(pos Pos, format string, args ...any) {
	c.list = append(c.list, Problem{File: c.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// component records the errors a component's own Validate returned for the section at
// prefix (one per line, each starting with the key it is about, in the section's terms), so
// that they read like the rest: `scim.auth.username is required …` at that key's position.
func (c *collector) component(prefix string, err error) {
	if err == nil {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key := line
		if i := strings.IndexAny(key, " :"); i >= 0 {
			key = key[:i]
		}
		path := prefix
		if key != "" {
			path = prefix + "." + key
		}
		if c.quiet[path] {
			continue
		}
		c.list = append(c.list, Problem{File: c.file, Pos: c.at(path), Msg: prefix + "." + line})
	}
}

// sorted returns the problems in file order.
func (c *collector) sorted() Problems {
	sort.SliceStable(c.list, func(i, j int) bool {
		a, b := c.list[i].Pos, c.list[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return c.list
}

// didYouMean suggests the candidate closest to s, if it is close enough to be a typo.
func didYouMean(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(len(s)/3, 2)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance; keys are short, so O(n·m) is fine.
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
