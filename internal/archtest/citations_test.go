package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCitationsStayInTheRepository keeps comments citing only documents in the repository:
// every heading of docs/okta-agent-protocol.md a file cites by anchor is a heading of that document, and no
// Go or Markdown file cites the design documents that live outside the repository.
func TestCitationsStayInTheRepository(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "okta-agent-protocol.md"))
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#{2,4} (.+)$`).FindAllStringSubmatch(string(doc), -1) {
		headings[anchor(m[1])] = true
	}
	cite := regexp.MustCompile(`okta-agent-protocol\.md#([A-Za-z0-9-]+)`)
	outside := regexp.MustCompile(`okta-opp-protocol|style lesson|ops notes|ops-reliability-notes|shared/docs|style-anchors|soap-gowsdl-notes|peer-landscape|architecture\.md`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		self := rel == filepath.Join("internal", "archtest", "citations_test.go")
		for _, m := range cite.FindAllStringSubmatch(string(b), -1) {
			if !headings[m[1]] {
				t.Errorf("%s cites docs/okta-agent-protocol.md#%s, which is no heading of it", rel, m[1])
			}
		}
		if m := outside.FindString(string(b)); m != "" && !self {
			t.Errorf("%s cites %q, a document outside the repository", rel, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// anchor is the GitHub anchor of a Markdown heading.
func anchor(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}
