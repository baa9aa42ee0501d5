package geoip

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/oschwald/geoip2-golang/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// writeTestDB writes the standard test database to a new directory and
// returns its path.
func writeTestDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "GeoLite2-Country.mmdb")
	if err := os.WriteFile(path, buildDB(t, "", baseRecords()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLookup(t *testing.T) {
	r, _, _ := openTest(t, writeTestDB(t))
	tests := []struct {
		addr    string
		country string
		outcome Outcome
	}{
		{"81.2.69.142", "GB", OutcomeHit},
		{"89.160.20.112", "SE", OutcomeHit},
		{"216.160.83.56", "US", OutcomeHit},
		{"::ffff:81.2.69.142", "GB", OutcomeHit}, // IPv4-mapped: unmapped first
		{"2a02:cf40::1", "NO", OutcomeHit},
		{"2a02:cf40::1%eth0", "NO", OutcomeHit}, // a zone does not matter
		{"2001:480:10::1", "US", OutcomeHit},
		{"1.0.0.1", "JP", OutcomeHit}, // registered country when no country
		{"1.0.1.1", "", OutcomeMiss},  // record without any country
		{"8.8.8.8", "", OutcomeMiss},  // no record
		{"2600::1", "", OutcomeMiss},
		{"1.0.2.1", "", OutcomeError}, // "gb"
		{"1.0.3.1", "", OutcomeError}, // "GBR"
		// Special-purpose addresses, each with a country in the database.
		{"10.1.2.3", "", OutcomeSkipped},
		{"192.168.1.1", "", OutcomeSkipped},
		{"127.0.0.1", "", OutcomeSkipped},
		{"100.64.1.1", "", OutcomeSkipped},
		{"169.254.1.1", "", OutcomeSkipped},
		{"203.0.113.9", "", OutcomeSkipped},
		{"224.0.0.1", "", OutcomeSkipped},
		{"255.255.255.255", "", OutcomeSkipped},
		{"0.0.0.0", "", OutcomeSkipped},
		{"::ffff:10.1.2.3", "", OutcomeSkipped},
		{"fd00::1", "", OutcomeSkipped},
		{"fe80::1%eth0", "", OutcomeSkipped},
		{"ff02::1", "", OutcomeSkipped},
		{"2001:db8::1", "", OutcomeSkipped},
		{"::1", "", OutcomeSkipped},
		{"::", "", OutcomeSkipped},
		{"64:ff9b::5102:458e", "", OutcomeSkipped},  // NAT64 of 81.2.69.142
		{"2002:5102:458e::1", "", OutcomeSkipped},   // 6to4 of 81.2.69.142, aliased to it in the database
		{"2001:0:5102:458e::1", "", OutcomeSkipped}, // Teredo, aliased likewise
		{"3fff::1", "", OutcomeSkipped},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			country, outcome := r.Lookup(netip.MustParseAddr(tt.addr))
			if country != tt.country || outcome != tt.outcome {
				t.Errorf("Lookup(%s) = %q, %v; want %q, %v", tt.addr, country, outcome, tt.country, tt.outcome)
			}
		})
	}
	t.Run("zero Addr", func(t *testing.T) {
		if country, outcome := r.Lookup(netip.Addr{}); country != "" || outcome != OutcomeSkipped {
			t.Errorf("Lookup(zero) = %q, %v; want \"\", skipped", country, outcome)
		}
	})
}

// TestSkippedAddressesHaveData proves that the skipped addresses of
// TestLookup are skipped by Lookup, not missing from the database: the
// library answers with a country for each of them.
func TestSkippedAddressesHaveData(t *testing.T) {
	db, err := geoip2.OpenBytes(buildDB(t, "", baseRecords()))
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{
		"10.1.2.3", "192.168.1.1", "127.0.0.1", "100.64.1.1", "169.254.1.1", "203.0.113.9",
		"224.0.0.1", "255.255.255.255", "0.0.0.0", "fd00::1", "fe80::1", "ff02::1",
		"2001:db8::1", "::1", "64:ff9b::5102:458e", "2002:5102:458e::1", "2001:0:5102:458e::1", "3fff::1",
	} {
		rec, err := db.Country(netip.MustParseAddr(addr))
		if err != nil || (rec.Country.ISOCode == "" && rec.RegisteredCountry.ISOCode == "") {
			t.Errorf("database has no country for %s (err %v); the skip test proves nothing", addr, err)
		}
	}
}

func TestLookupIPv4OnlyDatabase(t *testing.T) {
	var v4 []record
	for _, r := range baseRecords() {
		if !strings.Contains(r.network, ":") {
			v4 = append(v4, r)
		}
	}
	path := filepath.Join(t.TempDir(), "v4.mmdb")
	data := buildDB(t, "GeoIP2-Country", v4, func(o *mmdbwriter.Options) { o.IPVersion = 4 })
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r, _, _ := openTest(t, path)
	for addr, want := range map[string]Outcome{
		"81.2.69.142":        OutcomeHit,
		"::ffff:81.2.69.142": OutcomeHit,
		"2a02:cf40::1":       OutcomeMiss,
		"fd00::1":            OutcomeSkipped,
	} {
		if _, got := r.Lookup(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Lookup(%s) outcome = %v, want %v", addr, got, want)
		}
	}
}

func TestLookupCityDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	if err := os.WriteFile(path, buildDB(t, "GeoLite2-City", baseRecords()), 0o600); err != nil {
		t.Fatal(err)
	}
	r, _, _ := openTest(t, path)
	if country, outcome := r.Lookup(netip.MustParseAddr("89.160.20.112")); country != "SE" || outcome != OutcomeHit {
		t.Errorf("Lookup = %q, %v; want SE, hit", country, outcome)
	}
}

func TestNilReader(t *testing.T) {
	var r *Reader
	if country, outcome := r.Lookup(netip.MustParseAddr("81.2.69.142")); country != "" || outcome != OutcomeDisabled {
		t.Errorf("nil Lookup = %q, %v; want \"\", disabled", country, outcome)
	}
	if s := r.Status(); s.Loaded {
		t.Errorf("nil Status = %+v, want not loaded", s)
	}
	if err := r.Close(t.Context()); err != nil {
		t.Errorf("nil Close = %v", err)
	}
}

func TestOpenInvalidOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"no path":          {},
		"negative maxsize": {Path: "x.mmdb", MaxSize: -1},
	} {
		t.Run(name, func(t *testing.T) {
			if r, err := Open(t.Context(), opts); err == nil {
				_ = r.Close(t.Context())
				t.Fatal("Open succeeded, want error")
			}
		})
	}
}

// TestOpenUnusableFiles checks that every kind of missing or broken file
// disables geo with a warning and a metric instead of failing Open.
func TestOpenUnusableFiles(t *testing.T) {
	good := buildDB(t, "", baseRecords())
	corrupt := append([]byte{}, good...)
	for i := 100; i < 400; i++ { // the search tree
		corrupt[i] = 0xff
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		maxSize int64
		wantLog string
	}{
		{name: "missing", setup: func(*testing.T, string) {}, wantLog: "no such file"},
		{name: "empty", setup: writeBytes(nil), wantLog: "file is empty"},
		{name: "garbage", setup: writeBytes([]byte(strings.Repeat("not a database\n", 100))), wantLog: "invalid MaxMind DB"},
		{name: "truncated", setup: writeBytes(good[:len(good)/2]), wantLog: "invalid MaxMind DB"},
		{name: "corrupt search tree", setup: writeBytes(corrupt), wantLog: "verify"},
		{name: "too large", setup: writeBytes(good), maxSize: 100, wantLog: "more than the limit of 100"},
		{name: "directory", setup: func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, wantLog: "not a regular file"},
		{name: "dangling symlink", setup: func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(path), "absent"), path); err != nil {
				t.Fatal(err)
			}
		}, wantLog: "no such file"},
		{name: "ASN database", setup: writeBytes(buildDB(t, "GeoLite2-ASN", nil)), wantLog: "has no country data"},
		{name: "unknown type", setup: writeBytes(buildDB(t, "Acme-Geo", baseRecords())), wantLog: "does not support"},
		{name: "unreadable", setup: func(t *testing.T, path string) {
			if os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			writeBytes(good)(t, path)
			if err := os.Chmod(path, 0); err != nil {
				t.Fatal(err)
			}
		}, wantLog: "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db.mmdb")
			tt.setup(t, path)
			r, reg, logs := openTest(t, path, func(o *Options) { o.MaxSize = tt.maxSize })
			if country, outcome := r.Lookup(netip.MustParseAddr("81.2.69.142")); country != "" || outcome != OutcomeDisabled {
				t.Errorf("Lookup = %q, %v; want \"\", disabled", country, outcome)
			}
			if _, outcome := r.Lookup(netip.MustParseAddr("10.0.0.1")); outcome != OutcomeSkipped {
				t.Errorf("Lookup(private) outcome = %v, want skipped", outcome)
			}
			if s := r.Status(); s.Loaded {
				t.Errorf("Status = %+v, want not loaded", s)
			}
			if got := gauge(t, reg, "scrubd_geoip_database_loaded"); got != 0 {
				t.Errorf("scrubd_geoip_database_loaded = %v, want 0", got)
			}
			log := logs.String()
			if !strings.Contains(log, "level=WARN") || !strings.Contains(log, "geo lookups disabled") || !strings.Contains(log, tt.wantLog) {
				t.Errorf("log does not warn with %q:\n%s", tt.wantLog, log)
			}
			if err := r.Reload(); err == nil || !strings.Contains(err.Error(), tt.wantLog) {
				t.Errorf("Reload = %v, want an error containing %q", err, tt.wantLog)
			}
		})
	}
}

// writeBytes returns a setup that writes data to the path.
func writeBytes(data []byte) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSkipVerify checks that SkipVerify loads a file the verifier rejects,
// and that lookups in a corrupt database do not panic.
func TestSkipVerify(t *testing.T) {
	data := buildDB(t, "", baseRecords())
	for i := 100; i < 400; i++ {
		data[i] = 0xff
	}
	path := filepath.Join(t.TempDir(), "db.mmdb")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r, _, _ := openTest(t, path, func(o *Options) { o.SkipVerify = true })
	if !r.Status().Loaded {
		t.Fatal("not loaded with SkipVerify")
	}
	errs := 0
	for _, addr := range []string{"81.2.69.142", "2a02:cf40::1", "8.8.8.8", "1.0.0.1", "216.160.83.56"} {
		switch _, outcome := r.Lookup(netip.MustParseAddr(addr)); outcome {
		case OutcomeError:
			errs++
		case OutcomeHit, OutcomeMiss:
		default:
			t.Errorf("Lookup(%s) in a corrupt database: outcome %v", addr, outcome)
		}
	}
	if errs == 0 {
		t.Error("no lookup in the corrupt database gave OutcomeError")
	}
}

func TestStatus(t *testing.T) {
	path := writeTestDB(t)
	r, _, _ := openTest(t, path)
	s := r.Status()
	want := Status{
		Loaded:       true,
		Path:         path,
		DatabaseType: "GeoLite2-Country",
		BuildTime:    time.Unix(testBuildEpoch, 0),
		LoadedAt:     time.Unix(testBuildEpoch+3600, 0),
	}
	if !s.BuildTime.Equal(want.BuildTime) || !s.LoadedAt.Equal(want.LoadedAt) {
		t.Errorf("Status times = %v, %v; want %v, %v", s.BuildTime, s.LoadedAt, want.BuildTime, want.LoadedAt)
	}
	s.BuildTime, s.LoadedAt, want.BuildTime, want.LoadedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if s != want {
		t.Errorf("Status = %+v, want %+v", s, want)
	}
}

func TestCloseDisablesLookups(t *testing.T) {
	reg := prometheus.NewRegistry()
	r, err := Open(t.Context(), Options{Path: writeTestDB(t), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if _, outcome := r.Lookup(netip.MustParseAddr("81.2.69.142")); outcome != OutcomeHit {
		t.Fatalf("before Close: outcome %v, want hit", outcome)
	}
	for range 2 { // Close twice: the second is a no-op
		if err := r.Close(t.Context()); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	if _, outcome := r.Lookup(netip.MustParseAddr("81.2.69.142")); outcome != OutcomeDisabled {
		t.Errorf("after Close: outcome %v, want disabled", outcome)
	}
	if err := r.Reload(); err == nil {
		t.Error("Reload after Close succeeded")
	}
	select {
	case <-r.done:
	default:
		t.Error("poll goroutine still running after Close")
	}
}

func TestCloseDeadline(t *testing.T) {
	r, err := Open(t.Context(), Options{Path: writeTestDB(t)})
	if err != nil {
		t.Fatal(err)
	}
	// Close waits on r.done; a channel nobody closes stands for a goroutine
	// that does not stop in time. The real goroutine closes its own copy.
	done := r.done
	r.done = make(chan struct{})
	defer func() {
		r.done = done
		if err := r.Close(t.Context()); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close with a cancelled context = %v, want context.Canceled", err)
	}
	if _, outcome := r.Lookup(netip.MustParseAddr("81.2.69.142")); outcome != OutcomeDisabled {
		t.Errorf("after Close: outcome %v, want disabled", outcome)
	}
}

func TestContextStopsPolling(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	r, err := Open(ctx, Options{Path: writeTestDB(t), PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := r.done
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("poll goroutine did not stop when its context was cancelled")
	}
	if _, outcome := r.Lookup(netip.MustParseAddr("81.2.69.142")); outcome != OutcomeHit {
		t.Errorf("after cancel: outcome %v, want hit (the database stays in use)", outcome)
	}
	if err := r.Close(t.Context()); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// gauge returns the value of the unlabelled gauge name gathered from reg.
func gauge(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("metric %s not gathered", name)
	return 0
}
