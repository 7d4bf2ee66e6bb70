package mapping

import (
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/mapping/defaults"
)

func TestUserAttributeTypesOfShippedMappings(t *testing.T) {
	hr := compileYAML(t, defaults.LegacyHR).UserAttributeTypes()
	for name, want := range map[string]backend.AttrType{
		"custom.isAdmin": backend.TypeBoolean, "userName": backend.TypeString, "active": backend.TypeBoolean,
		"custom.departmentName": backend.TypeString,
	} {
		if got := hr[name]; got.Type != want || got.MultiValued {
			t.Errorf("legacyhr %s = %+v, want %s", name, got, want)
		}
	}
	t.Logf("legacyhr: %v", hr)
}
