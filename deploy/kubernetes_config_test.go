package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/scimbridge/scimbridge/internal/config"
)

// TestKubernetesConfigMapValidates decodes the bridge configuration the ConfigMap carries with the
// bridge's own strict loader (secret files stubbed): a key the schema does not know, or a value it
// refuses, fails here rather than in a crash-looping pod. deploy/kubernetes/check checks the
// manifests themselves against the Kubernetes API types.
func TestKubernetesConfigMapValidates(t *testing.T) {
	for _, f := range []string{"kubernetes/configmap.yaml", "kubernetes/postgres/configmap.yaml"} {
		t.Run(f, func(t *testing.T) { checkConfigMap(t, f) })
	}
}

func checkConfigMap(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	if err := yaml.Unmarshal(raw, &cm); err != nil {
		t.Fatal(err)
	}
	body, ok := cm.Data["scimbridge.yaml"]
	if !ok {
		t.Fatal("the ConfigMap has no scimbridge.yaml")
	}
	path := filepath.Join(t.TempDir(), "scimbridge.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var read []string
	cfg, err := config.Load(path, config.Options{ReadFile: func(p string) ([]byte, error) {
		read = append(read, p)
		if strings.HasSuffix(p, "-dsn") { // a connection string, which the loader checks the shape of
			return []byte("postgres://scimbridge:stub@db.example:5432/scimbridge\n"), nil
		}
		return []byte("stub-secret\n"), nil
	}})
	if err != nil {
		t.Fatalf("the ConfigMap's configuration does not validate:\n%v", err)
	}
	for _, p := range read {
		if !strings.HasPrefix(p, "/etc/scimbridge/secrets/") {
			t.Errorf("secret %s is not under the Secret's mount /etc/scimbridge/secrets", p)
		}
	}
	if len(read) == 0 {
		t.Error("no secret is read from a file: the token and password would sit in the ConfigMap")
	}
	if cfg.TLS == nil || cfg.TLS.CertFile != "/etc/scimbridge/tls/tls.crt" {
		t.Errorf("tls: %+v, want the scimbridge-tls Secret's tls.crt", cfg.TLS)
	}
}
