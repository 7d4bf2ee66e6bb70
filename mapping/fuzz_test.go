package mapping

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scimbridge/scimbridge/mapping/defaults"
)

// FuzzParse feeds arbitrary bytes to the mapping file loader (a file an operator writes, or
// copies from somewhere): it must never panic, and whatever it accepts must compile or be refused
// with positioned problems, never crash the compiler either.
func FuzzParse(f *testing.F) {
	f.Add(defaults.LegacyHR[:min(len(defaults.LegacyHR), 1500)])
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("client: x\nusers: &a\n  get: *a\n"))
	f.Add([]byte("client: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := Parse("fuzz.yaml", data)
		if err != nil || spec == nil {
			return
		}
		_, _ = Compile(spec, fakeCatalog{}, Options{})
	})
}
