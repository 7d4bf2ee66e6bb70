package mapping_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

// registryCatalog is a Catalog over a generated registry, without a client.
type registryCatalog struct{ c *soapreg.Client }

func (r registryCatalog) Operations() []string {
	var out []string
	for _, op := range r.c.Operations {
		out = append(out, op.Name)
	}
	return out
}

func (r registryCatalog) Operation(name string) (mapping.OperationInfo, bool) {
	for _, op := range r.c.Operations {
		if op.Name == name {
			return mapping.OperationInfo{Name: op.Name, Request: op.Request, Response: op.Response}, true
		}
	}
	return mapping.OperationInfo{}, false
}

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// Every complete example in docs/mapping.md (a yaml block starting with client:) parses and
// compiles against the generated client it names.
func TestDocsExamplesCompile(t *testing.T) {
	doc, err := os.ReadFile("../docs/mapping.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range yamlBlock.FindAllStringSubmatch(string(doc), -1) {
		src := m[1]
		if !strings.HasPrefix(src, "client:") {
			continue
		}
		n++
		spec, err := mapping.Parse("docs/mapping.md example", []byte(src))
		if err != nil {
			t.Errorf("example %d: %v", n, err)
			continue
		}
		reg, ok := soapclient.Clients[spec.Client.Value]
		if !ok {
			t.Errorf("example %d names no generated client: %q", n, spec.Client.Value)
			continue
		}
		if _, err := mapping.Compile(spec, registryCatalog{reg}, mapping.Options{}); err != nil {
			t.Errorf("example %d: %v", n, err)
		}
	}
	if n == 0 {
		t.Fatal("docs/mapping.md has no complete example")
	}
}
