package conformance

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Status is the outcome of one check.
type Status string

// The three outcomes. A check with warnings but no failures passes: warnings point at risks
// (slow calls, unproven-but-probably-fine answers) the agent may or may not trip over.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Call is one HTTP exchange made by a check. Path includes the query exactly as sent; headers
// are never recorded, so credentials cannot leak into reports.
type Call struct {
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	Status   int           `json:"status,omitempty"`
	Duration time.Duration `json:"durationNs"`
	Error    string        `json:"error,omitempty"`
}

// CheckResult is the outcome of one named check.
type CheckResult struct {
	Name string `json:"name"`
	// Status is pass, fail or skip.
	Status Status `json:"status"`
	// Reason is why a check was skipped.
	Reason string `json:"reason,omitempty"`
	// Failures lists every broken expectation, each readable on its own.
	Failures []string `json:"failures,omitempty"`
	// Warnings flag slow calls and answers that work but are not the proven ones.
	Warnings []string `json:"warnings,omitempty"`
	// Notes are informational lines (ids assigned, capabilities found, scenario steps).
	Notes    []string      `json:"notes,omitempty"`
	Calls    []Call        `json:"calls,omitempty"`
	Duration time.Duration `json:"durationNs"`
}

// Report is the outcome of a run. Render it with WriteText, WriteJSON or WriteJUnit.
type Report struct {
	URL     string `json:"url"`
	Dialect string `json:"dialect"`
	RunID   string `json:"runId"`
	// Capabilities decided which checks ran; CapabilitySource says where they came from.
	Capabilities     []string `json:"capabilities"`
	CapabilitySource string   `json:"capabilitySource"`
	// TLS says how certificates were checked when that differs from the system default
	// (--ca-file, --insecure); empty otherwise.
	TLS string `json:"tls,omitempty"`
	// Hints point at a likely mistake in how the run was started (a --dialect the URL contradicts).
	Hints    []string      `json:"hints,omitempty"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"durationNs"`
	Checks   []CheckResult `json:"checks"`
	// Cleanup says what the run removed; Leftovers what it left (with --keep-data, or when a
	// removal failed), so an operator can find and remove it by hand.
	Cleanup   []string `json:"cleanup,omitempty"`
	Leftovers []string `json:"leftovers,omitempty"`
}

// Counts returns how many checks passed, failed and were skipped.
func (r *Report) Counts() (passed, failed, skipped int) {
	for _, c := range r.Checks {
		switch c.Status {
		case Pass:
			passed++
		case Fail:
			failed++
		case Skip:
			skipped++
		}
	}
	return passed, failed, skipped
}

// ExitCode is 0 when nothing failed and 1 otherwise, as CI expects.
func (r *Report) ExitCode() int {
	if _, failed, _ := r.Counts(); failed > 0 {
		return 1
	}
	return 0
}

// SummaryLine is the closing line CI parses: "N passed, M failed" and ", K skipped" when K > 0.
func (r *Report) SummaryLine() string {
	p, f, s := r.Counts()
	line := fmt.Sprintf("%d passed, %d failed", p, f)
	if s > 0 {
		line += fmt.Sprintf(", %d skipped", s)
	}
	return line
}

// Check returns the named result, or nil when the check did not appear in the run.
func (r *Report) Check(name string) *CheckResult {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
}

// slowest returns the slowest call of a check, for the one-line timing summary.
func (c *CheckResult) slowest() (Call, bool) {
	var best Call
	for _, call := range c.Calls {
		if call.Duration >= best.Duration {
			best = call
		}
	}
	return best, len(c.Calls) > 0
}

// WriteText writes the human report: a header, one line per check with its timing, indented
// failures, warnings and notes, the cleanup summary, and the closing count line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scimbridge test: %s (SCIM %s, run %s)\n", r.URL, r.Dialect, r.RunID)
	if r.TLS != "" {
		fmt.Fprintf(&b, "TLS: %s\n", r.TLS)
	}
	for _, h := range r.Hints {
		fmt.Fprintf(&b, "hint: %s\n", h)
	}
	fmt.Fprintf(&b, "capabilities (%s): %s\n\n", r.CapabilitySource, strings.Join(r.Capabilities, ", "))
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
	}
	for _, c := range r.Checks {
		label := map[Status]string{Pass: "PASS", Fail: "FAIL", Skip: "SKIP"}[c.Status]
		fmt.Fprintf(&b, "%s  %-*s", label, width, c.Name)
		switch {
		case c.Status == Skip:
			fmt.Fprintf(&b, "  %s", c.Reason)
		default:
			plural := "s"
			if len(c.Calls) == 1 {
				plural = ""
			}
			fmt.Fprintf(&b, "  %7s  %2d call%s", fmtDur(c.Duration), len(c.Calls), plural)
			if s, ok := c.slowest(); ok && len(c.Calls) > 1 {
				fmt.Fprintf(&b, ", slowest %s %s %s", fmtDur(s.Duration), s.Method, trimPath(s.Path))
			}
		}
		b.WriteByte('\n')
		for _, f := range c.Failures {
			fmt.Fprintf(&b, "      - %s\n", f)
		}
		for _, wn := range c.Warnings {
			fmt.Fprintf(&b, "      warning: %s\n", wn)
		}
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "      %s\n", n)
		}
	}
	b.WriteByte('\n')
	for _, c := range r.Cleanup {
		fmt.Fprintf(&b, "cleanup: %s\n", c)
	}
	for _, l := range r.Leftovers {
		fmt.Fprintf(&b, "left behind: %s\n", l)
	}
	fmt.Fprintf(&b, "total time %s\n", fmtDur(r.Duration))
	b.WriteString(r.SummaryLine())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func trimPath(p string) string {
	const limit = 70
	if len(p) > limit {
		return p[:limit] + "…"
	}
	return p
}

// WriteJSON writes the report as one indented JSON document; durations are nanoseconds.
func (r *Report) WriteJSON(w io.Writer) error {
	type withSummary struct {
		*Report
		Passed  int `json:"passed"`
		Failed  int `json:"failed"`
		Skipped int `json:"skipped"`
	}
	p, f, s := r.Counts()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(withSummary{r, p, f, s})
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	Out      string      `xml:"system-out,omitempty"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
	Out       string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML, one testcase per check, for CI systems.
func (r *Report) WriteJUnit(w io.Writer) error {
	p, f, s := r.Counts()
	suite := junitSuite{
		Name: "scimbridge-conformance", Tests: p + f + s, Failures: f, Skipped: s,
		Time: fmt.Sprintf("%.3f", r.Duration.Seconds()),
		Out:  strings.Join(append(append([]string{}, r.Cleanup...), r.Leftovers...), "\n"),
	}
	for _, c := range r.Checks {
		jc := junitCase{Name: c.Name, Classname: "scimbridge.conformance.scim" + strings.ReplaceAll(r.Dialect, ".", ""),
			Time: fmt.Sprintf("%.3f", c.Duration.Seconds())}
		var out []string
		for _, wn := range c.Warnings {
			out = append(out, "warning: "+wn)
		}
		out = append(out, c.Notes...)
		for _, call := range c.Calls {
			out = append(out, fmt.Sprintf("%s %s -> %d in %s %s", call.Method, call.Path, call.Status, fmtDur(call.Duration), call.Error))
		}
		jc.Out = strings.Join(out, "\n")
		switch c.Status {
		case Fail:
			jc.Failure = &junitMessage{Message: c.Failures[0], Text: strings.Join(c.Failures, "\n")}
		case Skip:
			jc.Skipped = &junitMessage{Message: c.Reason}
		}
		suite.Cases = append(suite.Cases, jc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
