package kubernetes_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

const chartDir = "../helm/scrubd"

// helm returns the helm binary: $SCRUBD_HELM, else helm on PATH. Without one
// the chart tests are skipped, unless SCRUBD_REQUIRE_HELM is set (as
// deploy/check.sh does, after installing helm).
func helm(t *testing.T) string {
	t.Helper()
	if h := os.Getenv("SCRUBD_HELM"); h != "" {
		return h
	}
	if h, err := exec.LookPath("helm"); err == nil {
		return h
	}
	if os.Getenv("SCRUBD_REQUIRE_HELM") != "" {
		t.Fatal("no helm: set SCRUBD_HELM or put helm on PATH (deploy/check.sh installs it)")
	}
	t.Skip("no helm (set SCRUBD_HELM, or run deploy/check.sh)")
	return ""
}

// render runs `helm template` on the chart with extra arguments.
func render(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(helm(t), append([]string{"template", "scrubd", chartDir, "--namespace", "analytics"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func TestChart(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		expect expect
	}{
		{
			name: "default values",
			expect: expect{
				modes: map[string]string{"scrubd": "standalone"},
				kinds: map[string]int{
					"apps/v1/Deployment": 1, "v1/ConfigMap": 2, "v1/Service": 1, "v1/ServiceAccount": 1,
					"policy/v1/PodDisruptionBudget": 1, "networking.k8s.io/v1/NetworkPolicy": 1, "v1/Pod": 1,
				},
			},
		},
		{
			name: "ephemeral keys",
			args: []string{"--set", "hmacKeys.secretName=", "--set", "hmacKeys.ephemeral=true"},
			expect: expect{
				modes:         map[string]string{"scrubd": "standalone"},
				ephemeralKeys: true,
				kinds:         map[string]int{"apps/v1/Deployment": 1, "v1/Pod": 1},
			},
		},
		{
			name: "every option on",
			args: []string{"-f", chartDir + "/ci/all-on-values.yaml"},
			expect: expect{
				modes:            map[string]string{"scrubd": "standalone"},
				kedaOwnsReplicas: true,
				kinds: map[string]int{
					"apps/v1/Deployment": 1, "v1/ConfigMap": 3, "v1/Service": 1, "v1/ServiceAccount": 1,
					"policy/v1/PodDisruptionBudget": 1, "networking.k8s.io/v1/NetworkPolicy": 1,
					"monitoring.coreos.com/v1/ServiceMonitor": 1, "monitoring.coreos.com/v1/PrometheusRule": 1,
					"keda.sh/v1alpha1/ScaledObject": 1, "keda.sh/v1alpha1/TriggerAuthentication": 1, "v1/Pod": 1,
				},
			},
		},
		{
			name: "sidecar, every option on",
			args: []string{"-f", chartDir + "/ci/sidecar-values.yaml", "--kube-version", "1.31.0"},
			expect: expect{
				modes:            map[string]string{"scrubd-analytics-ingest": "sidecar"},
				kedaOwnsReplicas: true,
				kinds: map[string]int{
					// The policy comes from an existing ConfigMap.
					"apps/v1/Deployment": 1, "v1/ConfigMap": 2, "v1/Service": 1, "v1/ServiceAccount": 1,
					"policy/v1/PodDisruptionBudget": 1, "networking.k8s.io/v1/NetworkPolicy": 1,
					"monitoring.coreos.com/v1/ServiceMonitor": 1, "monitoring.coreos.com/v1/PrometheusRule": 1,
					"keda.sh/v1alpha1/ScaledObject": 1, "keda.sh/v1alpha1/TriggerAuthentication": 1, "v1/Pod": 1,
				},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := decodeAll("helm template "+tc.name, render(t, tc.args...))
			if err != nil {
				t.Fatalf("%v", err)
			}
			checkSet(t, docs, tc.expect)
		})
	}
}

// TestChartRefuses checks that the chart fails, with a message, on values
// that would give a broken or unsafe deployment.
func TestChartRefuses(t *testing.T) {
	h := helm(t)
	cases := map[string][]string{
		"unknown value (schema)":           {"--set", "kafka.tlss.enabled=true"},
		"sidecar without application":      {"--set", "mode=sidecar", "--kube-version", "1.31.0"},
		"sidecar before native sidecars":   {"--set", "mode=sidecar", "--set-json", `sidecar.containers=[{"name":"a","image":"b"}]`, "--kube-version", "1.28.0"},
		"SASL without password Secret":     {"--set", "kafka.sasl.mechanism=SCRAM-SHA-512", "--set", "kafka.sasl.username=u"},
		"client certificate without key":   {"--set", "kafka.tls.enabled=true", "--set", "kafka.tls.secretName=s", "--set", "kafka.tls.certKey=tls.crt"},
		"chart-managed key in extraConfig": {"--set", "extraConfig.shutdown.timeout=1s"},
		"transactional id in extraConfig":  {"--set", "extraConfig.kafka.transactional_id=fixed"},
		"bad delivery":                     {"--set", "delivery=twice"},
		"no HMAC keys, not ephemeral":      {"--set", "hmacKeys.secretName="},
		"HMAC keys and ephemeral":          {"--set", "hmacKeys.ephemeral=true"},
		"vault without master keys":        {"--set", "vault.enabled=true"},
		"vault at least once":              {"--set", "vault.enabled=true", "--set", "vault.secretName=v", "--set", "delivery=at_least_once"},
		"vault with ephemeral keys":        {"--set", "vault.enabled=true", "--set", "vault.secretName=v", "--set", "hmacKeys.secretName=", "--set", "hmacKeys.ephemeral=true"},
		"aggregates at least once":         {"--set", "aggregates.enabled=true", "--set", "delivery=at_least_once"},
		"GeoIP without a volume":           {"--set", "geoip.enabled=true"},
		"GeoIP with two volumes":           {"--set", "geoip.enabled=true", "--set", "geoip.existingVolume=g", "--set-json", `geoip.volume={"emptyDir":{}}`},
		"residency without GeoIP":          {"--set", "topics.residency.EEA=logs.clean.eea"},
		"bad jurisdiction name (schema)":   {"--set", "topics.residency.eea=logs.clean.eea", "--set", "geoip.enabled=true", "--set", "geoip.existingVolume=g"},
		"GeoIP database in extraConfig":    {"--set", "extraConfig.geoip.database=/x.mmdb"},
		"embedded before native sidecars":  {"--set", "mode=embedded", "--kube-version", "1.28.0"},
		"unknown mode":                     {"--set", "mode=daemonset"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(h, append([]string{"template", "scrubd", chartDir}, args...)...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Errorf("helm template %v succeeded; want a refusal", args)
			} else if !bytes.Contains(out, []byte("Error")) {
				t.Errorf("helm template %v: %v without a message:\n%s", args, err, out)
			}
		})
	}
}

// TestChartEmbedded renders the chart alone in embedded mode: what scrubd
// needs beside an application's pods, and no workload of its own.
func TestChartEmbedded(t *testing.T) {
	docs, err := decodeAll("helm template embedded", render(t, "--set", "mode=embedded", "--kube-version", "1.31.0",
		"--set", "serviceMonitor.enabled=true"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, d := range docs {
		counts[d.kind]++
	}
	want := map[string]int{"v1/ConfigMap": 2, "v1/Service": 1, "monitoring.coreos.com/v1/ServiceMonitor": 1, "v1/Pod": 1}
	if !maps.Equal(counts, want) {
		t.Errorf("kinds %v, want %v (no Deployment, ServiceAccount, PDB, NetworkPolicy or KEDA: the application owns its pods)", counts, want)
	}
	for _, svc := range all[*corev1.Service](docs) {
		if svc.Spec.Selector["scrubd-sidecar"] != "scrubd" || len(svc.Spec.Selector) != 1 {
			t.Errorf("Service %s selects %v, want the pods labelled by scrubd.sidecarPodLabels (scrubd-sidecar: scrubd)", svc.Name, svc.Spec.Selector)
		}
	}
}

// exampleApp copies the scrubd chart and the example application chart
// that depends on it (file://../scrubd) to a temporary directory, so that
// `helm dependency build` writes nothing into the repository, and builds
// the dependency. It returns the application chart's directory.
func exampleApp(t *testing.T, h string) string {
	t.Helper()
	dir := t.TempDir()
	for _, c := range []string{"scrubd", "example-app"} {
		if err := os.CopyFS(filepath.Join(dir, c), os.DirFS(filepath.Join("..", "helm", c))); err != nil {
			t.Fatal(err)
		}
	}
	app := filepath.Join(dir, "example-app")
	if out, err := exec.Command(h, "dependency", "build", app).CombinedOutput(); err != nil {
		t.Fatalf("helm dependency build: %v\n%s", err, out)
	}
	return app
}

// TestExampleApp renders deploy/helm/example-app, an application chart
// that puts scrubd into its own pod spec with scrubd.sidecar and
// scrubd.sidecarVolumes (mode embedded), and checks the result like any
// sidecar deployment: a native sidecar, its files mounted, the metrics
// Service selecting the application's pods, one NetworkPolicy with scrubd's
// rules and the application's, the test hook validating the configuration.
func TestExampleApp(t *testing.T) {
	h := helm(t)
	app := exampleApp(t, h)
	args := []string{"template", "ingest", app, "--namespace", "analytics", "--kube-version", "1.31.0"}
	out, err := exec.Command(h, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("helm %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatal(err)
	}
	docs, err := decodeAll("example-app", out)
	if err != nil {
		t.Fatal(err)
	}
	checkSet(t, docs, expect{
		modes: map[string]string{"ingest-example-app": "sidecar"},
		kinds: map[string]int{
			"apps/v1/Deployment": 1, "v1/ConfigMap": 2, "v1/Service": 2, "networking.k8s.io/v1/NetworkPolicy": 1,
			"monitoring.coreos.com/v1/ServiceMonitor": 1, "monitoring.coreos.com/v1/PrometheusRule": 1, "v1/Pod": 1,
			"policy/v1/PodDisruptionBudget": 0, "v1/ServiceAccount": 0, "keda.sh/v1alpha1/ScaledObject": 0,
		},
	})
	// The application's own container and volumes are still there.
	for _, d := range all[*appsv1.Deployment](docs) {
		pod := d.Spec.Template.Spec
		if len(pod.Containers) != 1 || pod.Containers[0].Name != "app" {
			t.Errorf("containers %v, want the application's", pod.Containers)
		}
		if !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
			return v.Name == "scrubd-geoip" && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "geoip-databases"
		}) {
			t.Errorf("no GeoIP volume from the claim geoip-databases among %d volumes", len(pod.Volumes))
		}
	}
}

// TestExampleAppRefusesOldCluster: the application chart asks for native
// sidecars, through its kubeVersion and through scrubd.sidecar.
func TestExampleAppRefusesOldCluster(t *testing.T) {
	h := helm(t)
	app := exampleApp(t, h)
	out, err := exec.Command(h, "template", "ingest", app, "--kube-version", "1.28.0").CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("1.29")) {
		t.Errorf("helm template on Kubernetes 1.28: %v\n%s", err, out)
	}
}

// TestChartSecureTransportByDefault: with default values the run
// configuration has TLS to the brokers on and the NetworkPolicy lets scrubd
// reach the brokers' TLS port only; the documented switch gives plaintext
// on 9092.
func TestChartSecureTransportByDefault(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		tls  bool
		port int32
	}{
		{"default", nil, true, 9093},
		{"local plaintext", []string{"--set", "kafka.tls.enabled=false", "--set", "kafka.brokers={kafka:9092}", "--set", "networkPolicy.kafka.ports={9092}"}, false, 9092},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := decodeAll("helm template", render(t, tc.args...))
			if err != nil {
				t.Fatal(err)
			}
			var cfgText string
			var ports []int32
			for _, d := range docs {
				switch o := d.obj.(type) {
				case *corev1.ConfigMap:
					if v, ok := o.Data["scrubd.yaml"]; ok {
						cfgText = v
					}
				case *networkingv1.NetworkPolicy:
					for _, p := range o.Spec.Egress[0].Ports {
						ports = append(ports, p.Port.IntVal)
					}
				}
			}
			cfg := loadConfig(t, cfgText, nil)
			if cfg == nil {
				t.Fatal("no run configuration")
			}
			if cfg.Kafka.TLS.On() != tc.tls {
				t.Errorf("TLS on %v, want %v", cfg.Kafka.TLS.On(), tc.tls)
			}
			for _, b := range cfg.Kafka.Brokers {
				if !strings.HasSuffix(b, fmt.Sprintf(":%d", tc.port)) {
					t.Errorf("broker %s, want port %d", b, tc.port)
				}
			}
			if !slices.Equal(ports, []int32{tc.port}) {
				t.Errorf("NetworkPolicy Kafka ports %v, want [%d]", ports, tc.port)
			}
		})
	}
}
