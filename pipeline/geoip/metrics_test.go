package geoip

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/internal/scrape"
)

func TestMetrics(t *testing.T) {
	r, reg, _ := openTest(t, writeTestDB(t))
	for _, addr := range []string{"81.2.69.142", "2a02:cf40::1", "8.8.8.8", "10.0.0.1", "::1", "1.0.3.1"} {
		r.Lookup(netip.MustParseAddr(addr))
	}
	const want = `
# HELP scrubd_geoip_database_age_seconds Seconds since the build time recorded in the loaded GeoIP database's metadata (build_epoch); absent while none is loaded (see scrubd_geoip_database_loaded).
# TYPE scrubd_geoip_database_age_seconds gauge
scrubd_geoip_database_age_seconds 3600
# HELP scrubd_geoip_database_loaded 1 when a GeoIP database is loaded and lookups are enabled, 0 when none is (missing or broken file: geo is disabled).
# TYPE scrubd_geoip_database_loaded gauge
scrubd_geoip_database_loaded 1
# HELP scrubd_geoip_lookups_total GeoIP lookups by outcome: hit, miss, skipped (not a public address, never looked up), error, disabled (no database loaded).
# TYPE scrubd_geoip_lookups_total counter
scrubd_geoip_lookups_total{outcome="disabled"} 0
scrubd_geoip_lookups_total{outcome="error"} 1
scrubd_geoip_lookups_total{outcome="hit"} 2
scrubd_geoip_lookups_total{outcome="miss"} 1
scrubd_geoip_lookups_total{outcome="skipped"} 2
# HELP scrubd_geoip_reloads_total Attempts to load the GeoIP database file, the first one included, by outcome (success or failure).
# TYPE scrubd_geoip_reloads_total counter
scrubd_geoip_reloads_total{outcome="failure"} 0
scrubd_geoip_reloads_total{outcome="success"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestMetricsDisabled checks the series of a Reader without a database:
// every outcome exported at 0 before any lookup, loaded 0, and no age.
func TestMetricsDisabled(t *testing.T) {
	r, reg, _ := openTest(t, filepath.Join(t.TempDir(), "absent.mmdb"))
	const before = `
# HELP scrubd_geoip_database_loaded 1 when a GeoIP database is loaded and lookups are enabled, 0 when none is (missing or broken file: geo is disabled).
# TYPE scrubd_geoip_database_loaded gauge
scrubd_geoip_database_loaded 0
# HELP scrubd_geoip_lookups_total GeoIP lookups by outcome: hit, miss, skipped (not a public address, never looked up), error, disabled (no database loaded).
# TYPE scrubd_geoip_lookups_total counter
scrubd_geoip_lookups_total{outcome="disabled"} 0
scrubd_geoip_lookups_total{outcome="error"} 0
scrubd_geoip_lookups_total{outcome="hit"} 0
scrubd_geoip_lookups_total{outcome="miss"} 0
scrubd_geoip_lookups_total{outcome="skipped"} 0
# HELP scrubd_geoip_reloads_total Attempts to load the GeoIP database file, the first one included, by outcome (success or failure).
# TYPE scrubd_geoip_reloads_total counter
scrubd_geoip_reloads_total{outcome="failure"} 1
scrubd_geoip_reloads_total{outcome="success"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(before)); err != nil {
		t.Error(err)
	}
	r.Lookup(netip.MustParseAddr("81.2.69.142"))
	const after = `
# HELP scrubd_geoip_lookups_total GeoIP lookups by outcome: hit, miss, skipped (not a public address, never looked up), error, disabled (no database loaded).
# TYPE scrubd_geoip_lookups_total counter
scrubd_geoip_lookups_total{outcome="disabled"} 1
scrubd_geoip_lookups_total{outcome="error"} 0
scrubd_geoip_lookups_total{outcome="hit"} 0
scrubd_geoip_lookups_total{outcome="miss"} 0
scrubd_geoip_lookups_total{outcome="skipped"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(after), "scrubd_geoip_lookups_total"); err != nil {
		t.Error(err)
	}
}

// TestMetricsCarryNoAddressOrCountry checks every label of every series
// after lookups of many addresses: only the fixed outcome names appear.
func TestMetricsCarryNoAddressOrCountry(t *testing.T) {
	r, reg, logs := openTest(t, writeTestDB(t))
	for _, addr := range []string{"81.2.69.142", "89.160.20.112", "216.160.83.56", "2a02:cf40::1", "10.0.0.1"} {
		r.Lookup(netip.MustParseAddr(addr))
	}
	replaceFile(t, r.opts.Path, []byte("broken"))
	waitFor(t, "a failed reload", func() bool { return reloads(t, reg, "failure") == 1 })
	allowed := map[string]bool{"hit": true, "miss": true, "skipped": true, "error": true, "disabled": true, "success": true, "failure": true}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() != "outcome" || !allowed[l.GetValue()] {
					t.Errorf("%s has label %s=%q", mf.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	for _, s := range []string{"81.2.69", "89.160.20", "216.160.83", "2a02:cf40", "10.0.0.1", "GB", "SE"} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("log mentions %q:\n%s", s, logs)
		}
	}
}

func TestMetricsRegistration(t *testing.T) {
	path := writeTestDB(t)
	reg := prometheus.NewRegistry()
	first, err := Open(t.Context(), Options{Path: path, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if second, err := Open(t.Context(), Options{Path: path, Registerer: reg}); err == nil {
		_ = second.Close(t.Context())
		t.Fatal("a second Reader registered the same metrics")
	}
	// The failed Open must not have left anything registered, nor removed
	// the first Reader's metrics.
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 9 {
		t.Errorf("series after the failed Open = %d, %v; want 9", n, err)
	}
	if err := first.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 0 {
		t.Errorf("series after Close = %d, %v; want 0", n, err)
	}
	again, err := Open(t.Context(), Options{Path: path, Registerer: reg})
	if err != nil {
		t.Fatalf("Open after Close on the same registry: %v", err)
	}
	if err := again.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestNoRegisterer(t *testing.T) {
	r, err := Open(t.Context(), Options{Path: writeTestDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(t.Context())
	if country, outcome := r.Lookup(probe); country != "GB" || outcome != OutcomeHit {
		t.Errorf("Lookup = %q, %v; want GB, hit", country, outcome)
	}
}

// TestMetricsPartialConflict registers one of the Reader's metric names
// beforehand: Open must fail and leave none of its collectors behind.
func TestMetricsPartialConflict(t *testing.T) {
	reg := prometheus.NewRegistry()
	other := prometheus.NewGauge(prometheus.GaugeOpts{Name: "scrubd_geoip_database_loaded", Help: "Someone else's."})
	reg.MustRegister(other)
	if r, err := Open(t.Context(), Options{Path: writeTestDB(t), Registerer: reg}); err == nil {
		_ = r.Close(t.Context())
		t.Fatal("Open succeeded despite a conflicting metric")
	} else if !strings.Contains(err.Error(), "register geoip metrics") {
		t.Errorf("error %q does not say what failed", err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 1 {
		t.Errorf("series after the failed Open = %d, %v; want only the other gauge", n, err)
	}
}

func TestOutcomeString(t *testing.T) {
	want := []string{"disabled", "hit", "miss", "skipped", "error"}
	for o := range Outcome(numOutcomes) {
		if got := o.String(); got != want[o] {
			t.Errorf("Outcome(%d).String() = %q, want %q", o, got, want[o])
		}
	}
	if got := Outcome(numOutcomes).String(); got != "unknown" {
		t.Errorf("out-of-range String() = %q, want unknown", got)
	}
}

// gauges scrapes reg as Prometheus does and returns the value of each
// gauge series by name; a series left out is absent from the map.
func gauges(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for name, mf := range scrape.Families(t, reg) {
		for _, m := range mf.GetMetric() {
			if g := m.GetGauge(); g != nil {
				out[name] = g.GetValue()
			}
		}
	}
	return out
}

// TestMetricsLoadedAndAgeExposition follows a configured database through
// its states as Prometheus scrapes them: missing (loaded 0 and no age, so
// that "not loaded" is never mistaken for "fresh"), loaded (loaded 1, the
// age), and a broken new version (the loaded one stays: loaded 1, the age).
func TestMetricsLoadedAndAgeExposition(t *testing.T) {
	path := filepath.Join(t.TempDir(), "GeoLite2-Country.mmdb")
	r, reg, _ := openTest(t, path)
	const loaded, age = "scrubd_geoip_database_loaded", "scrubd_geoip_database_age_seconds"

	got := gauges(t, reg)
	if v, ok := got[loaded]; !ok || v != 0 {
		t.Errorf("missing file: %s = %v (present %v), want 0", loaded, v, ok)
	}
	if v, ok := got[age]; ok {
		t.Errorf("missing file: %s = %v, want no series", age, v)
	}

	replaceFile(t, path, buildDB(t, "", baseRecords()))
	waitFor(t, "the database to load", func() bool { return r.Status().Loaded })
	got = gauges(t, reg)
	if got[loaded] != 1 {
		t.Errorf("loaded: %s = %v, want 1", loaded, got[loaded])
	}
	if v, ok := got[age]; !ok || v != 3600 {
		t.Errorf("loaded: %s = %v (present %v), want 3600", age, v, ok)
	}

	replaceFile(t, path, []byte("broken"))
	waitFor(t, "a failed reload", func() bool { return reloads(t, reg, "failure") == 2 })
	got = gauges(t, reg)
	if got[loaded] != 1 || got[age] != 3600 {
		t.Errorf("broken new version: %s = %v, %s = %v; want the loaded database kept (1, 3600)", loaded, got[loaded], age, got[age])
	}
}
