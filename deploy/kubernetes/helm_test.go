package kubernetes_test

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
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
					"policy/v1/PodDisruptionBudget": 1,
				},
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
					"keda.sh/v1alpha1/ScaledObject": 1, "keda.sh/v1alpha1/TriggerAuthentication": 1,
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
					"keda.sh/v1alpha1/ScaledObject": 1, "keda.sh/v1alpha1/TriggerAuthentication": 1,
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
