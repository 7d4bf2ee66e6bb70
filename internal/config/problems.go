package config

import (
	"fmt"
	"strings"

	"github.com/scimbridge/scimbridge/internal/diag"
)

// Pos is a 1-based position in a file; the zero Pos means "no position" (a key that is missing
// from a file that has no parent key to point at).
type Pos = diag.Pos

// Problem is one thing wrong with the configuration (or with the mapping file it names),
// rendered `file:line:col: message`.
type Problem = diag.Problem

// Problems is every problem found, one per line in Error. Prepare returns all of them at once
// so that an operator fixes a file in one round.
type Problems = diag.List

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
	c.list.Sort()
	return c.list
}

// didYouMean suggests the candidate closest to s, if it is close enough to be a typo.
func didYouMean(s string, candidates []string) string { return diag.DidYouMean(s, candidates) }
