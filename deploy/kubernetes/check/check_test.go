package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShippedManifestsPass(t *testing.T) {
	sets, err := check("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) == 0 {
		t.Fatal("no manifest set checked")
	}
}

// copyBase copies the shipped manifests to a temporary directory with one edit applied.
func copyBase(t *testing.T, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	files, _ := filepath.Glob("../*.yaml")
	edited := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if filepath.Base(f) == file {
			if !strings.Contains(s, old) {
				t.Fatalf("%s does not contain %q", file, old)
			}
			s = strings.Replace(s, old, new, 1)
			edited = true
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !edited && file != "" {
		t.Fatalf("no file %s", file)
	}
	return dir
}

func TestCheckerCatches(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"misspelt field", "deployment.yaml", "            httpGet:\n              path: /readyz", "            httpget:\n              path: /readyz", `unknown field "spec.template.spec.containers[0].readinessProbe.httpget"`},
		{"liveness on readyz", "deployment.yaml", "              path: /healthz\n              port: metrics\n            periodSeconds: 10", "              path: /readyz\n              port: metrics\n            periodSeconds: 10", "livenessProbe probes /readyz"},
		{"wrong type", "deployment.yaml", "replicas: 1", "replicas: one", "replicas"},
		{"service port", "service.yaml", "targetPort: scim", "targetPort: https", "targetPort https is not a container port"},
		{"root", "deployment.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot"},
		{"writable root", "deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "read-only"},
		{"short grace", "deployment.yaml", "terminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds: 20", "terminationGracePeriodSeconds 20"},
		{"two replicas on sqlite", "deployment.yaml", "replicas: 1", "replicas: 2", "ReadWriteOnce"},
		{"monitor port", "servicemonitor.yaml", "- port: metrics", "- port: prom", `port "prom" is not a port`},
		{"pdb selector", "pdb.yaml", "      app.kubernetes.io/name: scimbridge", "      app.kubernetes.io/name: other", "PodDisruptionBudget scimbridge: its selector"},
		{"loopback listener", "configmap.yaml", "listen: 0.0.0.0:9464", "listen: 127.0.0.1:9464", "metrics listener"},
		{"unmounted secret file", "configmap.yaml", "/etc/scimbridge/secrets/scim-token", "/etc/scimbridge/tokens/scim-token", "no volume mount provides"},
		{"unknown kind", "pvc.yaml", "kind: PersistentVolumeClaim", "kind: PersistentVolume", "not one this check knows"},
		{"unlisted file", "kustomization.yaml", "  - pvc.yaml\n", "", "not listed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := check(copyBase(t, tc.file, tc.old, tc.new))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}
