package defaults

import (
	"bytes"
	"os"
	"testing"
)

// The embedded copy must be the file users read and copy from deploy/examples.
func TestLegacyHRMatchesDeployExample(t *testing.T) {
	want, err := os.ReadFile("../../deploy/examples/legacyhr.mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(LegacyHR, want) {
		t.Fatal("mapping/defaults/legacyhr.yaml differs from deploy/examples/legacyhr.mapping.yaml; copy the deploy example over it")
	}
}

func TestWSO2MatchesDeployExample(t *testing.T) {
	want, err := os.ReadFile("../../deploy/examples/wso2.mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(WSO2, want) {
		t.Fatal("mapping/defaults/wso2.yaml differs from deploy/examples/wso2.mapping.yaml; copy the deploy example over it")
	}
}
