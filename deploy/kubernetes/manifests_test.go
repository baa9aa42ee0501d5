// Package kubernetes_test checks the Kubernetes manifests of deploy/kubernetes
// and the documents the Helm chart (deploy/helm/scrubd) renders: every
// document decoded strictly into the Kubernetes API types (or minimal structs
// for the custom resources), then the invariants a production sidecar needs:
// a native sidecar, a strict securityContext, probes on /healthz and /readyz,
// no secret in the environment, files where the run configuration expects
// them, a termination grace period that covers the shutdown deadline, and a
// configuration and policy that scrubd's own loaders accept.
package kubernetes_test

import (
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules"
)

const (
	httpPort = 9790
	// runExtra is what `scrubd run` may take beyond shutdown.timeout: 5 s
	// more for the pipeline and 5 s for the HTTP server (pipeline/service/service.go).
	runExtra = 10 * time.Second
	// minMargin is the least slack required on top of that.
	minMargin = 5 * time.Second
	// minAppShutdown is the least time budgeted for the application of a
	// sidecar pod, which stops before scrubd.
	minAppShutdown = 15 * time.Second
	// minMemoryLimit is DESIGN's RSS target under full load.
	minMemoryLimit = "128Mi"
)

// expect says what a set of documents must hold.
type expect struct {
	// modes maps each Deployment name to "sidecar" or "standalone".
	modes map[string]string
	// kedaOwnsReplicas: a Deployment that a ScaledObject targets must not
	// set replicas (KEDA's HPA owns it).
	kedaOwnsReplicas bool
	// kinds counts the documents expected per apiVersion/kind.
	kinds map[string]int
	// ephemeralKeys: the policy names no HMAC keys on purpose (a random
	// key per process, hmacKeys.ephemeral).
	ephemeralKeys bool
}

func TestManifests(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var docs []doc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := decodeAll(f, data)
		if err != nil {
			t.Errorf("%v", err)
		}
		if len(ds) == 0 {
			t.Errorf("%s: no documents", f)
		}
		docs = append(docs, ds...)
	}
	checkSet(t, docs, expect{
		modes: map[string]string{"analytics-ingest": "sidecar", "scrubd": "standalone"},
		kinds: map[string]int{
			"apps/v1/Deployment": 2, "v1/ConfigMap": 2, "v1/Service": 2,
			"policy/v1/PodDisruptionBudget": 2, "networking.k8s.io/v1/NetworkPolicy": 2,
			"monitoring.coreos.com/v1/ServiceMonitor": 1, "keda.sh/v1alpha1/ScaledObject": 1,
			"keda.sh/v1alpha1/TriggerAuthentication": 1,
		},
	})
}

// checkSet checks one set of documents that is applied together.
func checkSet(t *testing.T, docs []doc, want expect) {
	t.Helper()
	counts := map[string]int{}
	seen := map[string]string{}
	for _, d := range docs {
		counts[d.kind]++
		key := d.kind + "/" + d.name
		if prev, dup := seen[key]; dup {
			t.Errorf("%s and %s: both define %s", prev, d.source, key)
		}
		seen[key] = d.source
	}
	for kind, n := range want.kinds {
		if counts[kind] != n {
			t.Errorf("%d documents of kind %s, want %d", counts[kind], kind, n)
		}
	}
	s := &docSet{t: t, docs: docs, want: want, configs: map[string]*config.Config{}, secretsOf: map[string][]string{}, workloads: map[string]*workload{}}
	deployments := all[*appsv1.Deployment](docs)
	if len(deployments) == 0 {
		t.Fatal("no Deployment")
	}
	for _, d := range deployments {
		mode, ok := want.modes[d.Name]
		if !ok {
			t.Errorf("Deployment %s: unexpected", d.Name)
			continue
		}
		t.Run("Deployment/"+d.Name, func(t *testing.T) { s.checkDeployment(t, d, mode) })
	}
	for _, pod := range all[*corev1.Pod](docs) {
		t.Run("Pod/"+pod.Name, func(t *testing.T) { s.checkTestPod(t, pod) })
	}
	for _, svc := range all[*corev1.Service](docs) {
		t.Run("Service/"+svc.Name, func(t *testing.T) { s.checkService(t, svc) })
	}
	for _, pdb := range all[*policyv1.PodDisruptionBudget](docs) {
		t.Run("PodDisruptionBudget/"+pdb.Name, func(t *testing.T) { s.checkPDB(t, pdb) })
	}
	for _, np := range all[*networkingv1.NetworkPolicy](docs) {
		t.Run("NetworkPolicy/"+np.Name, func(t *testing.T) { s.checkNetworkPolicy(t, np) })
	}
	for _, sm := range all[*ServiceMonitor](docs) {
		t.Run("ServiceMonitor/"+sm.Name, func(t *testing.T) { s.checkServiceMonitor(t, sm) })
	}
	for _, so := range all[*ScaledObject](docs) {
		t.Run("ScaledObject/"+so.Name, func(t *testing.T) { s.checkScaledObject(t, so, want.kedaOwnsReplicas) })
	}
	for _, pr := range all[*PrometheusRule](docs) {
		t.Run("PrometheusRule/"+pr.Name, func(t *testing.T) { checkPrometheusRule(t, pr) })
	}
	for _, cm := range all[*corev1.ConfigMap](docs) {
		for key, v := range cm.Data {
			if strings.HasSuffix(key, ".json") {
				t.Run("ConfigMap/"+cm.Name, func(t *testing.T) { checkDashboard(t, key, v) })
			}
		}
	}
}

// docSet is a set of documents under test, with what was learnt about it.
type docSet struct {
	t    *testing.T
	docs []doc
	// configs are the run configurations of the Deployments, by name.
	configs map[string]*config.Config
	// secretsOf lists the Secrets each Deployment mounts.
	secretsOf map[string][]string
	// want is what the set must hold.
	want expect
	// workloads are the scrubd containers of the Deployments and what they
	// read, by Deployment name, for the test hook's checks.
	workloads map[string]*workload
}

// workload is a scrubd container and the configuration it runs with.
type workload struct {
	container *corev1.Container
	volumes   map[string]*corev1.Volume
	cfgText   string
	cfg       *config.Config
	// policyText and policy are nil when the policy's ConfigMap is not
	// in the set.
	policyText string
	policy     *rules.Policy
}

// all returns the objects of type T.
func all[T any](docs []doc) []T {
	var out []T
	for _, d := range docs {
		if o, ok := d.obj.(T); ok {
			out = append(out, o)
		}
	}
	return out
}

func (s *docSet) configMap(name string) *corev1.ConfigMap {
	for _, cm := range all[*corev1.ConfigMap](s.docs) {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

func matches(t *testing.T, sel *metav1.LabelSelector, lbls map[string]string) bool {
	t.Helper()
	if sel == nil {
		return false
	}
	ls, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Errorf("selector %v: %v", sel, err)
		return false
	}
	return !ls.Empty() && ls.Matches(labels.Set(lbls))
}

// scrubdContainer finds the container named scrubd and says whether it is
// an init container.
func scrubdContainer(spec *corev1.PodSpec) (c *corev1.Container, init bool, n int) {
	for i := range spec.InitContainers {
		if spec.InitContainers[i].Name == "scrubd" {
			c, init, n = &spec.InitContainers[i], true, n+1
		}
	}
	for i := range spec.Containers {
		if spec.Containers[i].Name == "scrubd" {
			c, init, n = &spec.Containers[i], false, n+1
		}
	}
	return c, init, n
}

var secretLikeName = regexp.MustCompile(`(?i)(password|passwd|secret|token|credential|private|_key$|_key_|^key_|apikey|api_key|hmac|sasl)`)

func (s *docSet) checkDeployment(t *testing.T, d *appsv1.Deployment, mode string) {
	if d.Spec.Selector == nil || !matches(t, d.Spec.Selector, d.Spec.Template.Labels) {
		t.Errorf("spec.selector %v does not select the pod template's labels %v", d.Spec.Selector, d.Spec.Template.Labels)
	}
	pod := &d.Spec.Template.Spec
	c, init, n := scrubdContainer(pod)
	if n != 1 {
		t.Fatalf("%d containers named scrubd, want 1", n)
	}
	// Native sidecar or plain container.
	switch mode {
	case "sidecar":
		if !init {
			t.Errorf("scrubd is a regular container; a sidecar must be an initContainers entry")
		}
		if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
			t.Errorf("scrubd init container without restartPolicy: Always (not a native sidecar)")
		}
		if len(pod.Containers) == 0 {
			t.Errorf("sidecar pod without an application container")
		}
	case "standalone":
		if init {
			t.Errorf("standalone scrubd is an init container")
		}
		if c.RestartPolicy != nil {
			t.Errorf("standalone scrubd has a container restartPolicy")
		}
	}

	// Pod hardening.
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("automountServiceAccountToken must be false: scrubd never calls the API server")
	}
	if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
		t.Errorf("enableServiceLinks must be false: Services named scrubd-* would inject SCRUBD_* variables")
	}
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		t.Errorf("host namespaces in use")
	}
	checkSecurityContext(t, pod.SecurityContext, c.SecurityContext)

	// Image, command, ports.
	if c.Image == "" || strings.HasSuffix(c.Image, ":latest") {
		t.Errorf("image %q: set a version or digest", c.Image)
	}
	if len(c.Command) != 0 {
		t.Errorf("command %v overrides the image's ENTRYPOINT /scrubd", c.Command)
	}
	if len(c.Args) != 3 || c.Args[0] != "run" || c.Args[1] != "--config" {
		t.Fatalf("args %v, want [run --config FILE]", c.Args)
	}
	if p := portNamed(c, "metrics"); p != httpPort {
		t.Errorf("container port metrics = %d, want %d", p, httpPort)
	}

	// Probes.
	checkProbe(t, "liveness", c, c.LivenessProbe, "/healthz")
	checkProbe(t, "readiness", c, c.ReadinessProbe, "/readyz")

	// Environment: no secret values, the transactional id from the pod name.
	for _, ct := range slices.Concat(pod.InitContainers, pod.Containers) {
		checkNoSecretEnv(t, ct)
	}
	env := literalEnv(t, c)

	// Resources.
	checkResources(t, c)

	// Volumes: read-only, no subPath (atomic updates).
	vols := map[string]*corev1.Volume{}
	for i := range pod.Volumes {
		v := &pod.Volumes[i]
		vols[v.Name] = v
		if v.Secret != nil {
			s.secretsOf[d.Name] = append(s.secretsOf[d.Name], v.Secret.SecretName)
			if v.Secret.DefaultMode == nil || *v.Secret.DefaultMode&0o007 != 0 {
				t.Errorf("volume %s: Secret files must not be world-readable (defaultMode 0440 or 0400)", v.Name)
			}
		}
		if v.HostPath != nil {
			t.Errorf("volume %s: hostPath", v.Name)
		}
	}
	for _, m := range c.VolumeMounts {
		v := vols[m.Name]
		if v == nil {
			t.Errorf("volumeMount %s: no such volume", m.Name)
			continue
		}
		if (v.Secret != nil || v.ConfigMap != nil) && (!m.ReadOnly || m.SubPath != "") {
			t.Errorf("volumeMount %s: Secrets and ConfigMaps must be mounted readOnly, without subPath (a subPath never sees updates)", m.Name)
		}
	}

	// The run configuration, loaded as scrubd loads it.
	cfgPath := c.Args[2]
	cm, key := s.mountedConfigMap(t, c, vols, cfgPath)
	if cm == nil {
		return
	}
	cfg := loadConfig(t, cm.Data[key], env)
	if cfg == nil {
		return
	}
	s.configs[d.Name] = cfg
	w := &workload{container: c, volumes: vols, cfgText: cm.Data[key], cfg: cfg}
	s.workloads[d.Name] = w
	if _, port, err := net.SplitHostPort(cfg.HTTP.Addr); err != nil || port != fmt.Sprint(httpPort) {
		t.Errorf("http.addr %q: want port %d (the probes and the Service use it)", cfg.HTTP.Addr, httpPort)
	}
	if cfg.Kafka.TransactionalID == "" || strings.Contains(cfg.Kafka.TransactionalID, "$(") {
		t.Errorf("kafka.transactional_id %q after the environment: want the pod's name", cfg.Kafka.TransactionalID)
	}

	// Termination grace covers the shutdown deadline.
	need := cfg.Shutdown.Timeout.D() + runExtra + minMargin
	if mode == "sidecar" {
		need += minAppShutdown
	}
	if pod.TerminationGracePeriodSeconds == nil {
		t.Errorf("terminationGracePeriodSeconds unset (default 30 s); need >= %v", need)
	} else if got := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second; got < need {
		t.Errorf("terminationGracePeriodSeconds %v < shutdown.timeout %v + %v + margin %v%s", got, cfg.Shutdown.Timeout.D(), runExtra, minMargin,
			map[bool]string{true: fmt.Sprintf(" + application %v", minAppShutdown)}[mode == "sidecar"])
	}

	// Every file the configuration names is in a mounted Secret or ConfigMap.
	k := cfg.Kafka
	secretFiles := map[string]string{
		"kafka.tls.ca_file": k.TLS.CAFile, "kafka.tls.cert_file": k.TLS.CertFile, "kafka.tls.key_file": k.TLS.KeyFile,
		"kafka.sasl.password_file": k.SASL.PasswordFile, "dead_letter.key_file": cfg.DeadLetter.KeyFile,
	}
	for what, f := range secretFiles {
		if f != "" {
			s.checkFileIn(t, what, f, c, vols, "secret")
		}
	}
	if cfg.Vault.Enabled {
		if cfg.Vault.MasterKeys.Dir == "" {
			t.Errorf("vault.master_keys.dir is empty: the master keys should be a mounted Secret")
		} else {
			s.checkFileIn(t, "vault.master_keys.dir", cfg.Vault.MasterKeys.Dir, c, vols, "secret")
		}
	}
	if db := cfg.GeoIP.Database; db != "" {
		// Any kind of volume (a claim, an image, an emptyDir an init
		// container fills), read-only.
		if m := mountFor(c, db); m == nil {
			t.Errorf("geoip.database %q: not in any volume mounted into scrubd", db)
		} else if !m.ReadOnly || vols[m.Name] == nil {
			t.Errorf("geoip.database %q: volume %s missing or not mounted readOnly", db, m.Name)
		}
	}
	if len(cfg.Topics.Residency) > 0 && cfg.GeoIP.Database == "" {
		t.Errorf("topics.residency without geoip.database: every record would go to %s", cfg.Topics.Clean)
	}
	if !cfg.Policy.IsZero() {
		t.Errorf("inline policy in the run configuration: keep it in its own ConfigMap (policy_file) so that it can reload")
	}
	if cfg.PolicyFile == "" {
		t.Errorf("no policy_file: the built-in default policy would apply")
		return
	}
	s.checkFileIn(t, "policy_file", cfg.PolicyFile, c, vols, "configMap")
	pcm, pkey := s.mountedConfigMap(t, c, vols, cfg.PolicyFile)
	if pcm == nil {
		t.Logf("policy ConfigMap not in this set (external); not checked")
		return
	}
	pol := checkPolicy(t, pcm.Data[pkey], s.want.ephemeralKeys)
	w.policyText, w.policy = pcm.Data[pkey], pol
	if pol != nil && pol.Keys.Dir != "" {
		s.checkFileIn(t, "policy keys.dir", pol.Keys.Dir, c, vols, "secret")
	}
}

// checkSecurityContext checks the effective settings of the scrubd
// container (container fields win over the pod's).
func checkSecurityContext(t *testing.T, pod *corev1.PodSecurityContext, c *corev1.SecurityContext) {
	t.Helper()
	if c == nil {
		t.Fatalf("scrubd has no securityContext")
	}
	nonRoot := c.RunAsNonRoot
	if nonRoot == nil && pod != nil {
		nonRoot = pod.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		t.Errorf("runAsNonRoot is not true")
	}
	user := c.RunAsUser
	if user == nil && pod != nil {
		user = pod.RunAsUser
	}
	if user != nil && *user == 0 {
		t.Errorf("runAsUser 0")
	}
	if c.ReadOnlyRootFilesystem == nil || !*c.ReadOnlyRootFilesystem {
		t.Errorf("readOnlyRootFilesystem is not true")
	}
	if c.AllowPrivilegeEscalation == nil || *c.AllowPrivilegeEscalation {
		t.Errorf("allowPrivilegeEscalation is not false")
	}
	if c.Privileged != nil && *c.Privileged {
		t.Errorf("privileged")
	}
	if c.Capabilities == nil || !slices.Contains(c.Capabilities.Drop, "ALL") || len(c.Capabilities.Add) > 0 {
		t.Errorf("capabilities must drop ALL and add none: %+v", c.Capabilities)
	}
	sc := c.SeccompProfile
	if sc == nil && pod != nil {
		sc = pod.SeccompProfile
	}
	if sc == nil || sc.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("seccompProfile is not RuntimeDefault: %+v", sc)
	}
	if pod == nil || pod.FSGroup == nil {
		t.Errorf("no pod fsGroup: mounted files (mode 0440) would not be readable by the non-root user")
	}
}

func portNamed(c *corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func resolvePort(c *corev1.Container, p intstr.IntOrString) int32 {
	if p.Type == intstr.String {
		return portNamed(c, p.StrVal)
	}
	return p.IntVal
}

func checkProbe(t *testing.T, what string, c *corev1.Container, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s probe: want an HTTP GET of %s", what, path)
		return
	}
	if p.HTTPGet.Path != path {
		t.Errorf("%s probe path %q, want %q", what, p.HTTPGet.Path, path)
	}
	if port := resolvePort(c, p.HTTPGet.Port); port != httpPort {
		t.Errorf("%s probe port %v = %d, want %d", what, p.HTTPGet.Port.String(), port, httpPort)
	}
	if p.TimeoutSeconds < 1 || p.PeriodSeconds < 1 || p.FailureThreshold < 2 {
		t.Errorf("%s probe: timeoutSeconds, periodSeconds >= 1 and failureThreshold >= 2 expected: %+v", what, p.ProbeHandler)
	}
}

func checkNoSecretEnv(t *testing.T, c corev1.Container) {
	t.Helper()
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			t.Errorf("container %s: env %s from Secret %s; secrets are mounted as files, never passed in the environment",
				c.Name, e.Name, e.ValueFrom.SecretKeyRef.Name)
		}
		if e.Value != "" && secretLikeName.MatchString(e.Name) {
			t.Errorf("container %s: env %s looks like a secret written in the manifest", c.Name, e.Name)
		}
	}
	for _, ef := range c.EnvFrom {
		if ef.SecretRef != nil {
			t.Errorf("container %s: envFrom Secret %s; secrets are mounted as files", c.Name, ef.SecretRef.Name)
		}
	}
}

// literalEnv returns the environment that scrubd sees, with $(VAR)
// references to earlier variables expanded (the downward-API ones get
// sample values), and checks SCRUBD_KAFKA_TRANSACTIONAL_ID.
func literalEnv(t *testing.T, c *corev1.Container) map[string]string {
	t.Helper()
	env := map[string]string{}
	samples := map[string]string{"metadata.name": "pod-7f9c-abcde", "metadata.namespace": "ns"}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			env[e.Name] = samples[e.ValueFrom.FieldRef.FieldPath]
		case e.ValueFrom == nil:
			env[e.Name] = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(e.Value, func(ref string) string {
				name := ref[2 : len(ref)-1]
				v, ok := env[name]
				if !ok {
					t.Errorf("env %s refers to $(%s), which is not defined before it", e.Name, name)
				}
				return v
			})
		}
	}
	id := env["SCRUBD_KAFKA_TRANSACTIONAL_ID"]
	if !slices.Contains(config.EnvNames(), "SCRUBD_KAFKA_TRANSACTIONAL_ID") {
		t.Errorf("pipeline/config reads no SCRUBD_KAFKA_TRANSACTIONAL_ID; known: %v", config.EnvNames())
	}
	if !strings.Contains(id, samples["metadata.name"]) {
		t.Errorf("SCRUBD_KAFKA_TRANSACTIONAL_ID = %q: want it built from the pod name (downward API metadata.name)", id)
	}
	for name := range env {
		if strings.HasPrefix(name, config.EnvPrefix) && !slices.Contains(config.EnvNames(), name) {
			t.Errorf("env %s: scrubd reads no such variable", name)
		}
	}
	return env
}

func checkResources(t *testing.T, c *corev1.Container) {
	t.Helper()
	r := c.Resources
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := r.Requests[res]
		lim, okLim := r.Limits[res]
		if !okReq || !okLim {
			t.Errorf("resources: %s request and limit required", res)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("resources: %s request %s above limit %s", res, req.String(), lim.String())
		}
	}
	if lim, ok := r.Limits[corev1.ResourceMemory]; ok && lim.Cmp(resource.MustParse(minMemoryLimit)) < 0 {
		t.Errorf("memory limit %s below the %s RSS scrubd may use at full load", lim.String(), minMemoryLimit)
	}
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" && e.Value != "" {
			q, err := resource.ParseQuantity(strings.TrimSuffix(e.Value, "B"))
			if err != nil {
				t.Errorf("GOMEMLIMIT %q: %v", e.Value, err)
			} else if lim, ok := r.Limits[corev1.ResourceMemory]; ok && q.Cmp(lim) >= 0 {
				t.Errorf("GOMEMLIMIT %s not below the memory limit %s", e.Value, lim.String())
			}
		}
	}
}

// mountFor finds the mount whose directory holds file.
func mountFor(c *corev1.Container, file string) *corev1.VolumeMount {
	var best *corev1.VolumeMount
	for i := range c.VolumeMounts {
		m := &c.VolumeMounts[i]
		if strings.HasPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/") && (best == nil || len(m.MountPath) > len(best.MountPath)) {
			best = m
		}
	}
	return best
}

// checkFileIn checks that file (a file, or a directory for keys.dir) lies in
// a mounted volume of the given kind and, where the volume lists items, that
// it is one of them.
func (s *docSet) checkFileIn(t *testing.T, what, file string, c *corev1.Container, vols map[string]*corev1.Volume, kind string) {
	t.Helper()
	if !path.IsAbs(file) {
		t.Errorf("%s %q: want an absolute path in a mounted volume", what, file)
		return
	}
	if m := mountFor(c, file+"/"); m != nil && strings.TrimSuffix(m.MountPath, "/") == file {
		// A directory that is a mount itself (keys.dir).
		if v := vols[m.Name]; v == nil || (kind == "secret" && v.Secret == nil) {
			t.Errorf("%s %q: mounted from %s, which is not a Secret", what, file, m.Name)
		}
		return
	}
	m := mountFor(c, file)
	if m == nil {
		t.Errorf("%s %q: not in any volume mounted into scrubd", what, file)
		return
	}
	v := vols[m.Name]
	rel := strings.TrimPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/")
	var items []corev1.KeyToPath
	switch {
	case kind == "secret" && v.Secret != nil:
		items = v.Secret.Items
	case kind == "configMap" && v.ConfigMap != nil:
		items = v.ConfigMap.Items
	default:
		t.Errorf("%s %q: volume %s is not a %s", what, file, m.Name, kind)
		return
	}
	if len(items) > 0 && !slices.ContainsFunc(items, func(k corev1.KeyToPath) bool { return k.Path == rel }) {
		t.Errorf("%s %q: volume %s projects %v, not %s", what, file, m.Name, items, rel)
	}
}

// mountedConfigMap returns the ConfigMap of this set that file is read from,
// and its key.
func (s *docSet) mountedConfigMap(t *testing.T, c *corev1.Container, vols map[string]*corev1.Volume, file string) (*corev1.ConfigMap, string) {
	t.Helper()
	m := mountFor(c, file)
	if m == nil || vols[m.Name] == nil || vols[m.Name].ConfigMap == nil {
		t.Errorf("%s: not in a mounted ConfigMap", file)
		return nil, ""
	}
	v := vols[m.Name].ConfigMap
	rel := strings.TrimPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/")
	key := rel
	for _, it := range v.Items {
		if it.Path == rel {
			key = it.Key
		}
	}
	cm := s.configMap(v.Name)
	if cm == nil {
		return nil, ""
	}
	if _, ok := cm.Data[key]; !ok {
		t.Errorf("ConfigMap %s has no key %q (for %s)", cm.Name, key, file)
		return nil, ""
	}
	return cm, key
}

// loadConfig loads a run configuration with pipeline/config, as `scrubd
// run` does, with env as the environment, and validates it.
func loadConfig(t *testing.T, text string, env map[string]string) *config.Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "scrubd.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p, func(k string) string { return env[k] })
	if err != nil {
		t.Errorf("scrubd.yaml does not load: %v\n%s", err, text)
		return nil
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("scrubd.yaml is invalid: %v", err)
		return nil
	}
	return cfg
}

// checkPolicy parses and validates a policy as `scrubd validate` does,
// loads its keys from a stand-in directory, and runs its test cases.
func checkPolicy(t *testing.T, text string, ephemeral bool) *rules.Policy {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	pol, err := rules.Load(p)
	if err != nil {
		t.Errorf("policy does not parse: %v", err)
		return nil
	}
	if err := pol.Validate(); err != nil {
		t.Errorf("policy is invalid: %v", err)
		return nil
	}
	named := pol.Keys.Dir != "" || len(pol.Keys.Files) > 0 || len(pol.Keys.Env) > 0
	if named == ephemeral {
		t.Errorf("policy names HMAC keys: %v, want %v (ephemeral keys: %v)", named, !ephemeral, ephemeral)
	}
	if ephemeral {
		return pol
	}
	// The keys the Secret would hold.
	keyDir := filepath.Join(dir, "keys")
	if err := os.Mkdir(keyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"k1", pol.Keys.Active} {
		if id != "" {
			if err := os.WriteFile(filepath.Join(keyDir, id), []byte(strings.Repeat("x", 32)+id), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	kc := pol.Keys
	kc.Dir = keyDir
	kr, random, err := rules.LoadKeyring(kc, func(string) string { return "" })
	if err != nil || random {
		t.Errorf("keys do not load from a directory like the Secret's: random %v, %v", random, err)
	} else if _, err := rules.Compile(pol, kr); err != nil {
		t.Errorf("policy does not compile: %v", err)
	}
	results, err := rules.RunTests(pol)
	if err != nil {
		t.Errorf("policy tests: %v", err)
	}
	for _, r := range results {
		if !r.Pass {
			t.Errorf("policy test %q fails:\n  want %s\n  got  %s", r.Name, r.Want, r.Got)
		}
	}
	return pol
}

func (s *docSet) podsSelectedBy(t *testing.T, sel *metav1.LabelSelector) []*appsv1.Deployment {
	t.Helper()
	var out []*appsv1.Deployment
	for _, d := range all[*appsv1.Deployment](s.docs) {
		if matches(t, sel, d.Spec.Template.Labels) {
			out = append(out, d)
		}
	}
	return out
}

func (s *docSet) checkService(t *testing.T, svc *corev1.Service) {
	ds := s.podsSelectedBy(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector})
	if len(ds) == 0 {
		t.Fatalf("selector %v selects no Deployment's pods", svc.Spec.Selector)
	}
	if svc.Labels["app.kubernetes.io/part-of"] != "scrubd" {
		return // an application's own Service (embedded mode)
	}
	for _, p := range svc.Spec.Ports {
		for _, d := range ds {
			c, _, _ := scrubdContainer(&d.Spec.Template.Spec)
			if c == nil || resolvePort(c, p.TargetPort) != httpPort || p.Port != httpPort {
				t.Errorf("port %s (%d -> %s) is not scrubd's %d in %s", p.Name, p.Port, p.TargetPort.String(), httpPort, d.Name)
			}
		}
	}
}

func (s *docSet) checkPDB(t *testing.T, pdb *policyv1.PodDisruptionBudget) {
	if len(s.podsSelectedBy(t, pdb.Spec.Selector)) == 0 {
		t.Errorf("selector %v selects no Deployment's pods", pdb.Spec.Selector)
	}
	if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		t.Errorf("neither maxUnavailable nor minAvailable")
	}
}

func (s *docSet) checkNetworkPolicy(t *testing.T, np *networkingv1.NetworkPolicy) {
	if len(s.podsSelectedBy(t, &np.Spec.PodSelector)) == 0 {
		t.Errorf("podSelector %v selects no Deployment's pods", np.Spec.PodSelector)
	}
	if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
		t.Errorf("policyTypes %v: want Ingress and Egress (deny by default both ways)", np.Spec.PolicyTypes)
	}
	metrics := false
	for i, r := range np.Spec.Ingress {
		if len(r.From) == 0 || len(r.Ports) == 0 {
			t.Errorf("ingress[%d] allows every source or every port", i)
		}
		for _, p := range r.Ports {
			if p.Port != nil && p.Port.IntValue() == httpPort {
				metrics = true
			}
		}
	}
	if !metrics {
		t.Errorf("no ingress rule for the metrics port %d", httpPort)
	}
	dns := false
	for i, r := range np.Spec.Egress {
		if len(r.To) == 0 || len(r.Ports) == 0 {
			t.Errorf("egress[%d] allows every destination or every port", i)
		}
		for _, p := range r.Ports {
			if p.Port != nil && p.Port.IntValue() == 53 && p.Protocol != nil && *p.Protocol == corev1.ProtocolUDP {
				dns = true
			}
		}
	}
	if !dns {
		t.Errorf("no egress to DNS (UDP 53): broker names would not resolve")
	}
}

func (s *docSet) checkServiceMonitor(t *testing.T, sm *ServiceMonitor) {
	n := 0
	for _, svc := range all[*corev1.Service](s.docs) {
		if !matches(t, &sm.Spec.Selector, svc.Labels) {
			continue
		}
		n++
		for _, ep := range sm.Spec.Endpoints {
			if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == ep.Port }) {
				t.Errorf("endpoint port %q is not a port of Service %s", ep.Port, svc.Name)
			}
		}
	}
	if n == 0 {
		t.Errorf("selector %v selects no Service", sm.Spec.Selector)
	}
	for _, ep := range sm.Spec.Endpoints {
		if ep.Path != "/metrics" {
			t.Errorf("endpoint path %q, want /metrics", ep.Path)
		}
		for _, d := range []string{ep.Interval, ep.ScrapeTimeout} {
			if _, err := time.ParseDuration(d); d != "" && err != nil {
				t.Errorf("duration %q: %v", d, err)
			}
		}
	}
}

func (s *docSet) checkScaledObject(t *testing.T, so *ScaledObject, kedaOwnsReplicas bool) {
	var target *appsv1.Deployment
	for _, d := range all[*appsv1.Deployment](s.docs) {
		if d.Name == so.Spec.ScaleTargetRef.Name {
			target = d
		}
	}
	if target == nil {
		t.Fatalf("scaleTargetRef %q: no such Deployment", so.Spec.ScaleTargetRef.Name)
	}
	if kedaOwnsReplicas && target.Spec.Replicas != nil {
		t.Errorf("Deployment %s sets replicas although KEDA owns them", target.Name)
	}
	min, max := so.Spec.MinReplicaCount, so.Spec.MaxReplicaCount
	if min == nil || max == nil || *max < *min || *max < 1 {
		t.Errorf("minReplicaCount %v, maxReplicaCount %v", min, max)
	}
	cfg := s.configs[target.Name]
	if len(so.Spec.Triggers) == 0 {
		t.Fatalf("no triggers")
	}
	for _, tr := range so.Spec.Triggers {
		if tr.Type != "kafka" {
			t.Errorf("trigger type %q, want kafka", tr.Type)
			continue
		}
		md := tr.Metadata
		if cfg != nil {
			if md["consumerGroup"] != cfg.Kafka.Group {
				t.Errorf("consumerGroup %q, scrubd's group is %q", md["consumerGroup"], cfg.Kafka.Group)
			}
			if md["bootstrapServers"] != strings.Join(cfg.Kafka.Brokers, ",") {
				t.Errorf("bootstrapServers %q, scrubd's brokers are %v", md["bootstrapServers"], cfg.Kafka.Brokers)
			}
			if topic := md["topic"]; topic != "" && !slices.Contains(cfg.Topics.Input, topic) {
				t.Errorf("topic %q is not an input topic of scrubd (%v)", topic, cfg.Topics.Input)
			}
			if (md["tls"] == "enable") != cfg.Kafka.TLS.Enabled {
				t.Errorf("tls %q, scrubd's kafka.tls.enabled is %v", md["tls"], cfg.Kafka.TLS.Enabled)
			}
			if (md["sasl"] != "") != (cfg.Kafka.SASL.Mechanism != "") {
				t.Errorf("sasl %q, scrubd's mechanism is %q", md["sasl"], cfg.Kafka.SASL.Mechanism)
			}
		}
		if md["lagThreshold"] == "" || md["allowIdleConsumers"] == "true" {
			t.Errorf("lagThreshold %q, allowIdleConsumers %q", md["lagThreshold"], md["allowIdleConsumers"])
		}
		if md["sasl"] != "" && tr.AuthenticationRef == nil {
			t.Errorf("SASL without an authenticationRef")
		}
		if tr.AuthenticationRef != nil {
			var ta *TriggerAuthentication
			for _, a := range all[*TriggerAuthentication](s.docs) {
				if a.Name == tr.AuthenticationRef.Name {
					ta = a
				}
			}
			if ta == nil {
				t.Errorf("authenticationRef %q: no such TriggerAuthentication", tr.AuthenticationRef.Name)
				continue
			}
			for _, ref := range ta.Spec.SecretTargetRef {
				if !slices.Contains(s.secretsOf[target.Name], ref.Name) {
					t.Errorf("TriggerAuthentication %s reads Secret %s, which scrubd does not mount", ta.Name, ref.Name)
				}
			}
		}
	}
}

// checkPrometheusRule compares the rules with deploy/prometheus/alerts.yaml.
func checkPrometheusRule(t *testing.T, pr *PrometheusRule) {
	data, err := os.ReadFile("../prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var src struct {
		Groups []RuleGroup `json:"groups"`
	}
	if err := yaml.UnmarshalStrict(data, &src); err != nil {
		t.Fatalf("alerts.yaml: %v", err)
	}
	want := map[string]Rule{}
	for _, g := range src.Groups {
		for _, r := range g.Rules {
			want[r.Alert] = r
		}
	}
	n := 0
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			n++
			w, ok := want[r.Alert]
			switch {
			case !ok:
				t.Errorf("alert %q is not in alerts.yaml", r.Alert)
			case r.Expr != w.Expr || r.For != w.For || !mapsEqual(r.Annotations, w.Annotations):
				t.Errorf("alert %q differs from alerts.yaml", r.Alert)
			case r.Labels["severity"] != w.Labels["severity"]:
				t.Errorf("alert %q: severity %q, alerts.yaml says %q", r.Alert, r.Labels["severity"], w.Labels["severity"])
			}
		}
	}
	if n == 0 {
		t.Errorf("no rules")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// checkDashboard compares a dashboard ConfigMap entry with the dashboard file.
func checkDashboard(t *testing.T, key, v string) {
	data, err := os.ReadFile(filepath.Join("../grafana", key))
	if err != nil {
		t.Fatalf("ConfigMap key %s: %v", key, err)
	}
	if strings.TrimSpace(string(data)) != strings.TrimSpace(v) {
		t.Errorf("%s differs from deploy/grafana/%s", key, key)
	}
}
