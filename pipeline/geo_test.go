package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/internal/geotest"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// openGeo writes the standard test database and opens a Reader on it,
// with its metrics on reg.
func openGeo(t testing.TB, reg prometheus.Registerer) *geoip.Reader {
	t.Helper()
	path := filepath.Join(t.TempDir(), "country.mmdb")
	if err := geotest.Write(path, geotest.Standard); err != nil {
		t.Fatal(err)
	}
	r, err := geoip.Open(context.Background(), geoip.Options{Path: path, PollInterval: -1, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	if !r.Status().Loaded {
		t.Fatal("test database not loaded")
	}
	return r
}

// TestGeoAndResidency runs records from four places through a pipeline
// with GeoIP, an EEA profile and an EEA residency topic: JSON records get
// the geo member, other formats the geo headers; each address is cut by
// its jurisdiction's profile after the country was found on the full
// address; EEA records go to their own topic; a private address is never
// looked up.
func TestGeoAndResidency(t *testing.T) {
	const eea = "logs.clean.eea"
	c, err := embedded.Start([]embedded.Topic{{Name: rawTopic, Partitions: 1}, {Name: cleanTopic, Partitions: 2}, {Name: dlqTopic, Partitions: 1}, {Name: eea, Partitions: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	values := [][]byte{
		[]byte(`{"seq":0,"client_ip":"81.2.69.142","geo":{"city":"London"},"msg":"hi"}`),
		[]byte(`{"seq":1,"client_ip":"89.160.20.112","msg":"hej"}`),
		[]byte(`{"seq":2,"x_forwarded_for":"216.160.83.56, 10.1.2.3","msg":"hello"}`),
		[]byte(`{"seq":3,"client_ip":"10.1.2.3","msg":"private"}`),
		[]byte(`89.160.20.7 - - [05/Mar/2024:07:08:09 +0000] "GET /seq/4 HTTP/1.1" 200 12 "-" "curl/8.5.0"`),
	}
	produce(t, c.Addrs(), values)
	// A key is scrubbed with its record's profile too.
	cl := newClient(t, c.Addrs())
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: rawTopic, Key: []byte("from 89.160.20.112"), Value: []byte(`{"seq":5,"client_ip":"89.160.20.112"}`)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(c.Addrs())
	cfg.Topics.Residency = map[string]string{"EEA": eea}
	// The key is scanned as text (key: keep), so that its profile shows.
	policy := `
key: {action: keep}
jurisdictions:
  profiles:
    EEA: {detectors: {ipv4: {prefix: 16}}}
`
	in := newInstance(t, cfg, rulestest.Engine(t, policy), "scrubd-geo", nil)
	in.p.opts.Stages.Geo = openGeo(t, in.reg)
	in.start()
	clean := readTopic(t, c.Addrs(), cleanTopic, 3, false)
	eeaRecs := readTopic(t, c.Addrs(), eea, 3, false)
	in.stop(t)

	type geo struct{ Country, Jurisdiction string }
	got := map[string]geo{}
	for _, r := range append(append([]*kgo.Record{}, clean...), eeaRecs...) {
		country, ok1 := headerOf(r, wire.HeaderGeoCountry)
		j, ok2 := headerOf(r, wire.HeaderGeoJurisdiction)
		if !ok1 || !ok2 {
			t.Fatalf("geo headers missing on %s", r.Value)
		}
		if (r.Topic == eea) != (j == "EEA") {
			t.Errorf("record of %s in topic %s", j, r.Topic)
		}
		if r.Key != nil {
			if string(r.Key) != "from 89.160.0.0" {
				t.Errorf("key %q, want it cut by the EEA profile to 89.160.0.0", r.Key)
			}
			continue
		}
		got[string(r.Value)] = geo{country, j}
	}
	if len(clean) != 3 || len(eeaRecs) != 3 {
		t.Fatalf("clean %d, eea %d records; want 3 and 3", len(clean), len(eeaRecs))
	}
	want := map[string]geo{
		`{"seq":0,"client_ip":"81.2.69.0","msg":"hi","geo":{"country":"GB","jurisdiction":"UK"}}`:                       {"GB", "UK"},
		`{"seq":1,"client_ip":"89.160.0.0","msg":"hej","geo":{"country":"SE","jurisdiction":"EEA"}}`:                    {"SE", "EEA"},
		`{"seq":2,"x_forwarded_for":"216.160.83.0, 10.1.2.0","msg":"hello","geo":{"country":"US","jurisdiction":"US"}}`: {"US", "US"},
		`{"seq":3,"client_ip":"10.1.2.0","msg":"private","geo":{"country":"","jurisdiction":"OTHER"}}`:                  {"", "OTHER"},
		`89.160.0.0 - - [05/Mar/2024:07:08:09 +0000] "GET /seq/4 HTTP/1.1" 200 12 "-" "curl/8.5.0"`:                     {"SE", "EEA"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("clean records and their geo headers (-want +got):\n%s", diff)
	}
	// Five public addresses looked up; the private one never is.
	if n := gathered(t, in.reg, "scrubd_geoip_lookups_total", "outcome", "hit"); n != 5 {
		t.Errorf("geoip hits %v, want 5", n)
	}
	if n := gathered(t, in.reg, "scrubd_geoip_lookups_total", "outcome", "skipped"); n != 1 {
		t.Errorf("geoip skipped %v, want 1", n)
	}
	if got := testutil.ToFloat64(in.p.Metrics().CleanRecords.WithLabelValues(eea)); got != 3 {
		t.Errorf("residency records of %s: %v, want 3", eea, got)
	}
}

// gathered returns the value of the counter or gauge name{label=value}
// on reg.
func gathered(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					if m.GetCounter() != nil {
						return m.GetCounter().GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{%s=%q}", name, label, value)
	return 0
}
