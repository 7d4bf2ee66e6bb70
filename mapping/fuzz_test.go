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
//
// The seeds are the whole shipped files. Go minimizes every input that finds new coverage for up
// to -fuzzminimizetime (60 s by default) before counting further executions, and minimizing a
// multi-kilobyte file takes all of that: the run then looks stalled at 100% CPU in yaml.v3 while
// it is only minimizing. Run it with e.g. -fuzzminimizetime=2s.
func FuzzParse(f *testing.F) {
	f.Add(defaults.LegacyHR)
	f.Add(defaults.WSO2)
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
