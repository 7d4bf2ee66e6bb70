package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// decodeStrict decodes YAML into v the way the API server's strict field validation does: case-
// sensitive field names (encoding/json alone would take "httpget" for httpGet), unknown and
// duplicate fields are errors.
func decodeStrict(doc []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, v, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	sets, err := check(dir)
	for _, s := range sets {
		fmt.Printf("ok  %s: %s\n", s.dir, strings.Join(s.summary(), ", "))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// set is one directory of manifests (one kustomization): the base, or a variant.
type set struct {
	dir             string
	deployments     []*appsv1.Deployment
	services        []*corev1.Service
	configMaps      []*corev1.ConfigMap
	secrets         []*corev1.Secret
	pvcs            []*corev1.PersistentVolumeClaim
	pdbs            []*policyv1.PodDisruptionBudget
	serviceMonitors []*monitoringv1.ServiceMonitor
	other           []string
}

func (s *set) summary() []string {
	var out []string
	add := func(n int, kind string) {
		if n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, kind))
		}
	}
	add(len(s.deployments), "Deployment")
	add(len(s.services), "Service")
	add(len(s.configMaps), "ConfigMap")
	add(len(s.secrets), "Secret")
	add(len(s.pvcs), "PersistentVolumeClaim")
	add(len(s.pdbs), "PodDisruptionBudget")
	add(len(s.serviceMonitors), "ServiceMonitor")
	return out
}

// check decodes every manifest directory below root (a directory holding a kustomization.yaml)
// and returns every problem found, each prefixed with its file.
func check(root string) ([]*set, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "check" {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "kustomization.yaml" {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s: no kustomization.yaml found", root)
	}
	sort.Strings(dirs)
	var sets []*set
	var errs []error
	for _, d := range dirs {
		s, err := loadSet(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		sets = append(sets, s)
	}
	return sets, errors.Join(errs...)
}

type kustomization struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Labels     []map[string]any  `json:"labels,omitempty"`
	Resources  []string          `json:"resources"`
	Images     []map[string]any  `json:"images,omitempty"`
	Patches    []map[string]any  `json:"patches,omitempty"`
	Namespace  string            `json:"namespace,omitempty"`
	CommonAnn  map[string]string `json:"commonAnnotations,omitempty"`
}

func loadSet(dir string) (*set, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	var k kustomization
	if err := decodeStrict(raw, &k); err != nil {
		return nil, fmt.Errorf("%s/kustomization.yaml: %w", dir, err)
	}
	if k.Kind != "Kustomization" || len(k.Resources) == 0 {
		return nil, fmt.Errorf("%s/kustomization.yaml: want kind Kustomization with resources", dir)
	}
	s := &set{dir: dir}
	var errs []error
	for _, r := range k.Resources {
		path := filepath.Join(dir, r)
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			continue // a base directory: checked as its own set
		}
		if err := s.loadFile(path); err != nil {
			errs = append(errs, err)
		}
	}
	// Every manifest in the directory must be listed: a file kubectl apply -k would ignore is
	// a file nobody deploys.
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" && !slices.Contains(k.Resources, base) {
			errs = append(errs, fmt.Errorf("%s: not listed in %s/kustomization.yaml", f, dir))
		}
	}
	return s, errors.Join(errs...)
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

func (s *set) loadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var errs []error
	for i, doc := range splitDocuments(raw) {
		where := fmt.Sprintf("%s (document %d)", path, i+1)
		var tm typeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		var target any
		switch tm.APIVersion + " " + tm.Kind {
		case "apps/v1 Deployment":
			v := &appsv1.Deployment{}
			s.deployments, target = append(s.deployments, v), v
		case "v1 Service":
			v := &corev1.Service{}
			s.services, target = append(s.services, v), v
		case "v1 ConfigMap":
			v := &corev1.ConfigMap{}
			s.configMaps, target = append(s.configMaps, v), v
		case "v1 Secret":
			v := &corev1.Secret{}
			s.secrets, target = append(s.secrets, v), v
		case "v1 PersistentVolumeClaim":
			v := &corev1.PersistentVolumeClaim{}
			s.pvcs, target = append(s.pvcs, v), v
		case "policy/v1 PodDisruptionBudget":
			v := &policyv1.PodDisruptionBudget{}
			s.pdbs, target = append(s.pdbs, v), v
		case "monitoring.coreos.com/v1 ServiceMonitor":
			v := &monitoringv1.ServiceMonitor{}
			s.serviceMonitors, target = append(s.serviceMonitors, v), v
		default:
			errs = append(errs, fmt.Errorf("%s: apiVersion %q kind %q is not one this check knows", where, tm.APIVersion, tm.Kind))
			continue
		}
		// Strict: an unknown or misspelt field (readinessProbe.httpget, spec.replica) is an
		// error, where kubectl apply would drop it or fail only against a live cluster.
		if err := decodeStrict(doc, target); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s %s: %w", where, tm.APIVersion, tm.Kind, err))
		}
	}
	return errors.Join(errs...)
}

// splitDocuments splits a YAML stream on "---" lines, dropping empty documents.
func splitDocuments(raw []byte) [][]byte {
	var out [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), raw...), []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(d))) > 0 {
			out = append(out, d)
		}
	}
	return out
}

func stripComments(b []byte) []byte {
	var out []byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, l...)
			out = append(out, '\n')
		}
	}
	return out
}

func matches(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (s *set) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(s.dir+": "+format, a...)) }
	if len(s.deployments) != 1 {
		bad("want exactly one Deployment, found %d", len(s.deployments))
		return errors.Join(errs...)
	}
	d := s.deployments[0]
	pod := d.Spec.Template
	if d.Spec.Selector == nil || !matches(d.Spec.Selector.MatchLabels, pod.Labels) {
		bad("Deployment %s: its selector does not match its pod labels", d.Name)
	}
	if len(pod.Spec.Containers) != 1 {
		bad("Deployment %s: want one container", d.Name)
		return errors.Join(errs...)
	}
	c := pod.Spec.Containers[0]
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["scim"] == 0 || ports["metrics"] == 0 {
		bad("container %s: needs ports named scim and metrics, has %v", c.Name, ports)
	}
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil {
			bad("container %s: %s must be an httpGet probe of %s", c.Name, name, path)
			return
		}
		if p.HTTPGet.Path != path || p.HTTPGet.Port != intstr.FromString("metrics") {
			bad("container %s: %s probes %s on port %s, want %s on the metrics port", c.Name, name, p.HTTPGet.Path, p.HTTPGet.Port.String(), path)
		}
	}
	// Liveness must not depend on the backend: /healthz. Readiness does: /readyz.
	probe("livenessProbe", c.LivenessProbe, "/healthz")
	probe("readinessProbe", c.ReadinessProbe, "/readyz")
	if c.StartupProbe != nil {
		probe("startupProbe", c.StartupProbe, "/healthz")
	}
	psc, csc := pod.Spec.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		bad("pod: securityContext must set runAsNonRoot: true and a non-zero runAsUser")
	}
	if csc == nil || csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation ||
		csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem ||
		csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") {
		bad("container %s: securityContext must forbid privilege escalation, make the root file system read-only and drop ALL capabilities", c.Name)
	}
	grace := int64(30)
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = *pod.Spec.TerminationGracePeriodSeconds
	}
	preStop := int64(0)
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		preStop = c.Lifecycle.PreStop.Sleep.Seconds
	}
	// The bridge lets in-flight requests finish for up to 25 s after SIGTERM (docs/operations.md).
	if grace < 25+preStop+5 {
		bad("pod: terminationGracePeriodSeconds %d is below the 25 s drain + %d s preStop + 5 s", grace, preStop)
	}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "/etc/scimbridge/") && !mounted(c, a) {
			bad("container %s: argument %s is not under any volume mount", c.Name, a)
		}
	}
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.ConfigMap != nil:
			cm := find(s.configMaps, v.ConfigMap.Name, func(x *corev1.ConfigMap) string { return x.Name })
			if cm == nil {
				bad("volume %s: ConfigMap %s is not defined here", v.Name, v.ConfigMap.Name)
			} else if err := checkConfig(c, cm); err != nil {
				bad("ConfigMap %s: %v", cm.Name, err)
			}
		case v.Secret != nil:
			// The TLS secret is created from files (`kubectl create secret tls`), so it may be
			// absent here; the others must be defined.
			if find(s.secrets, v.Secret.SecretName, func(x *corev1.Secret) string { return x.Name }) == nil && !strings.HasSuffix(v.Secret.SecretName, "-tls") {
				bad("volume %s: Secret %s is not defined here", v.Name, v.Secret.SecretName)
			}
		case v.PersistentVolumeClaim != nil:
			if find(s.pvcs, v.PersistentVolumeClaim.ClaimName, func(x *corev1.PersistentVolumeClaim) string { return x.Name }) == nil {
				bad("volume %s: claim %s is not defined here", v.Name, v.PersistentVolumeClaim.ClaimName)
			}
			if d.Spec.Replicas != nil && *d.Spec.Replicas > 1 {
				bad("Deployment %s: %d replicas on one ReadWriteOnce state volume (use the PostgreSQL store for several)", d.Name, *d.Spec.Replicas)
			}
			if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				bad("Deployment %s: a state volume needs strategy Recreate (one writer at a time)", d.Name)
			}
		}
	}
	for _, m := range c.VolumeMounts {
		if !slices.ContainsFunc(pod.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name }) {
			bad("container %s: mount %s has no volume", c.Name, m.Name)
		}
	}
	for _, svc := range s.services {
		if !matches(svc.Spec.Selector, pod.Labels) {
			bad("Service %s: its selector matches no pod of Deployment %s", svc.Name, d.Name)
		}
		for _, p := range svc.Spec.Ports {
			if p.TargetPort.Type == intstr.String && ports[p.TargetPort.StrVal] == 0 {
				bad("Service %s: targetPort %s is not a container port", svc.Name, p.TargetPort.StrVal)
			}
		}
	}
	for _, pdb := range s.pdbs {
		if pdb.Spec.Selector == nil || !matches(pdb.Spec.Selector.MatchLabels, pod.Labels) {
			bad("PodDisruptionBudget %s: its selector matches no pod of Deployment %s", pdb.Name, d.Name)
		}
		if pdb.Spec.MinAvailable != nil && d.Spec.Replicas != nil && pdb.Spec.MinAvailable.Type == intstr.Int && pdb.Spec.MinAvailable.IntVal >= *d.Spec.Replicas {
			bad("PodDisruptionBudget %s: minAvailable %d with %d replicas blocks every node drain", pdb.Name, pdb.Spec.MinAvailable.IntVal, *d.Spec.Replicas)
		}
	}
	for _, sm := range s.serviceMonitors {
		var svc *corev1.Service
		for _, x := range s.services {
			if matches(sm.Spec.Selector.MatchLabels, x.Labels) {
				svc = x
			}
		}
		if svc == nil {
			bad("ServiceMonitor %s: its selector matches no Service's labels", sm.Name)
			continue
		}
		for _, ep := range sm.Spec.Endpoints {
			if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == ep.Port }) {
				bad("ServiceMonitor %s: port %q is not a port of Service %s", sm.Name, ep.Port, svc.Name)
			}
			if ep.Path != "" && ep.Path != "/metrics" {
				bad("ServiceMonitor %s: path %s, the bridge serves /metrics", sm.Name, ep.Path)
			}
		}
	}
	return errors.Join(errs...)
}

func find[T any](xs []T, name string, nameOf func(T) string) T {
	var zero T
	for _, x := range xs {
		if nameOf(x) == name {
			return x
		}
	}
	return zero
}

func mounted(c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/") {
			return true
		}
	}
	return false
}

// checkConfig looks into the bridge configuration the ConfigMap carries: the listeners must bind
// all interfaces on the container's ports (a loopback listener is unreachable from the kubelet and
// the Service), and every /etc/scimbridge or /var/lib path it names must be mounted.
func checkConfig(c corev1.Container, cm *corev1.ConfigMap) error {
	raw, ok := cm.Data["scimbridge.yaml"]
	if !ok {
		return nil
	}
	var cfg struct {
		Listen  string `json:"listen"`
		Metrics struct {
			Listen string `json:"listen"`
		} `json:"metrics"`
	}
	if err := yaml.Unmarshal([]byte(raw), &cfg); err != nil {
		return fmt.Errorf("scimbridge.yaml: %w", err)
	}
	var errs []error
	want := map[string]int32{}
	for _, p := range c.Ports {
		want[p.Name] = p.ContainerPort
	}
	for name, addr := range map[string]string{"scim": cfg.Listen, "metrics": cfg.Metrics.Listen} {
		if addr != fmt.Sprintf("0.0.0.0:%d", want[name]) && addr != fmt.Sprintf(":%d", want[name]) {
			errs = append(errs, fmt.Errorf("scimbridge.yaml: the %s listener %q must be 0.0.0.0:%d (the container port)", name, addr, want[name]))
		}
	}
	for _, f := range strings.Fields(strings.NewReplacer(`"`, " ", "${file:", " ", "}", " ", ",", " ").Replace(raw)) {
		if (strings.HasPrefix(f, "/etc/scimbridge/") || strings.HasPrefix(f, "/var/lib/scimbridge/")) && !mounted(c, f) {
			errs = append(errs, fmt.Errorf("scimbridge.yaml names %s, which no volume mount provides", f))
		}
	}
	return errors.Join(errs...)
}
