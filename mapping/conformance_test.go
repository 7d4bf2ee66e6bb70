package mapping

import (
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/backendtest"
	"github.com/scimbridge/scimbridge/mapping/defaults"
)

// The shared conformance suite over the shipped LegacyHR mapping and the in-memory LegacyHR
// fake. The run against the real simulator over SOAP is the integrator's.
func TestConformance(t *testing.T) {
	eng := compileYAML(t, defaults.LegacyHR)
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return eng.Backend(newFakeHR(), nil)
	})
}
