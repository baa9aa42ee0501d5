package pipeline

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/scrubd/scrubd/pipeline/health"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestMetricsOverHTTP scrapes /metrics while the pipeline runs, parses it,
// and checks /healthz and /readyz; the registry passes the linter.
func TestMetricsOverHTTP(t *testing.T) {
	c := startCluster(t, 2)
	const n = 300
	produce(t, c.Addrs(), jsonRecords(n))
	cfg := testConfig(c.Addrs())
	pol := rulestest.Engine(t, "")
	in := newInstance(t, cfg, pol, "scrubd-http", func(p *Pipeline) {})
	srv, err := health.Listen("127.0.0.1:0", health.Handler(in.reg, in.p.State()), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(t.Context())
	base := "http://" + srv.Addr()
	if code, _ := httpGet(t, base+"/readyz"); code != 503 {
		t.Errorf("/readyz before start = %d, want 503", code)
	}
	in.start()
	waitFor(t, "all records committed", func() bool {
		return testutil.ToFloat64(in.p.Metrics().Records.WithLabelValues("clean")) == n
	})
	waitFor(t, "ready", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })
	if code, _ := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	code, body := httpGet(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels map[string]string) float64 {
		mf := fams[name]
		if mf == nil {
			t.Fatalf("metric %s missing", name)
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
		t.Fatalf("no series of %s with %v", name, labels)
		return 0
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   func(float64) bool
	}{
		{"scrubd_pipeline_records_total", map[string]string{"outcome": "clean"}, func(v float64) bool { return v == n }},
		{"scrubd_pipeline_records_total", map[string]string{"outcome": "dead_lettered"}, func(v float64) bool { return v == 0 }},
		{"scrubd_scrub_findings_total", map[string]string{"type": "email"}, func(v float64) bool { return v == n }},
		{"scrubd_scrub_findings_total", map[string]string{"type": "iban"}, func(v float64) bool { return v == 0 }},
		{"scrubd_scrub_actions_total", map[string]string{"action": "pseudonymize"}, func(v float64) bool { return v >= 2*n }},
		{"scrubd_stage_records_out_total", map[string]string{"stage": "consume"}, func(v float64) bool { return v == n }},
		{"scrubd_stage_records_in_flight", map[string]string{"stage": "produce"}, func(v float64) bool { return v == 0 }},
		{"scrubd_txn_commits_total", nil, func(v float64) bool { return v >= 1 }},
		{"scrubd_batch_records", nil, func(v float64) bool { return v >= 1 }},
		{"scrubd_consumer_lag_records", map[string]string{"partition": "0"}, func(v float64) bool { return v == 0 }},
		{"scrubd_consumer_rebalances_total", nil, func(v float64) bool { return v >= 1 }},
		{"scrubd_pipeline_ready", nil, func(v float64) bool { return v == 1 }},
		{"scrubd_build_info", map[string]string{"version": "test"}, func(v float64) bool { return v == 1 }},
		{"go_goroutines", nil, func(v float64) bool { return v > 0 }},
		{"process_resident_memory_bytes", nil, func(v float64) bool { return v > 0 }},
	}
	for _, c := range checks {
		if v := value(c.name, c.labels); !c.want(v) {
			t.Errorf("%s%v = %v", c.name, c.labels, v)
		}
	}
	problems, err := testutil.GatherAndLint(in.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	in.stop(t)
	if code, _ := httpGet(t, base+"/readyz"); code != 503 {
		t.Errorf("/readyz after stop = %d, want 503", code)
	}
}
