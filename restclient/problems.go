package restclient

import "github.com/scimbridge/scimbridge/internal/diag"

// Problem is one thing wrong with a REST definition (the mapping file's rest: block or an
// OpenAPI document), at a 1-based line and column when known, rendered `file:line:col: message`
// as the mapping's problems are.
type Problem = diag.Problem

// ErrorList is every problem found, in file order, so that a file is fixed in one round.
type ErrorList = diag.List

// problems collects the problems of one definition; line and column come from yaml.v3 nodes.
type problems struct{ diag.Collector }

func (ps *problems) add(line, col int, format string, args ...any) {
	ps.Add(diag.Pos{Line: line, Col: col}, format, args...)
}

func (ps *problems) err() error { return ps.Err() }

// didYouMean suggests the closest candidate for a typo, or "".
func didYouMean(s string, candidates []string) string { return diag.DidYouMean(s, candidates) }
