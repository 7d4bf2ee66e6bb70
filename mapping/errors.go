package mapping

import "github.com/scimbridge/scimbridge/internal/diag"

// Pos is a position in the mapping file, 1-based as editors show it. The zero Pos means
// "unknown" (a spec built in Go rather than parsed).
type Pos = diag.Pos

// Problem is one thing wrong with a mapping file, rendered `file:line:col: message`.
type Problem = diag.Problem

// ErrorList is every problem found in a mapping file, in file order. Parse and Compile return
// all problems at once so that an operator fixes a file in one round, not one error per start.
type ErrorList = diag.List

// problems collects problems for one file.
type problems struct{ diag.Collector }

func (ps *problems) add(pos Pos, format string, args ...any) { ps.Add(pos, format, args...) }

// err returns the sorted list, or nil when there is nothing wrong.
func (ps *problems) err() error { return ps.Err() }

// didYouMean suggests the candidate closest to s, for typos in names, or "".
func didYouMean(s string, candidates []string) string { return diag.DidYouMean(s, candidates) }
