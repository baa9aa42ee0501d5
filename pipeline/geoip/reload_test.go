package geoip

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// probe is the address whose country the reload tests change.
var probe = netip.MustParseAddr("81.2.69.142")

// countryIs returns a condition that holds once r places probe in country.
func countryIs(r *Reader, country string) func() bool {
	return func() bool {
		got, outcome := r.Lookup(probe)
		return outcome == OutcomeHit && got == country
	}
}

// reloads returns the value of scrubd_geoip_reloads_total{outcome}.
func reloads(t testing.TB, reg *prometheus.Registry, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "scrubd_geoip_reloads_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("scrubd_geoip_reloads_total{outcome=%q} not gathered", outcome)
	return 0
}

func TestReloadOnRename(t *testing.T) {
	path := filepath.Join(t.TempDir(), "GeoLite2-Country.mmdb")
	replaceFile(t, path, countryDB(t, "GB"))
	r, reg, _ := openTest(t, path)
	if !countryIs(r, "GB")() {
		t.Fatal("initial database not in use")
	}
	for i, country := range []string{"FR", "DE", "GB"} {
		replaceFile(t, path, countryDB(t, country))
		waitFor(t, "reload to "+country, countryIs(r, country))
		if got := reloads(t, reg, "success"); got != float64(i+2) {
			t.Errorf("reloads success = %v, want %v", got, i+2)
		}
	}
	if got := reloads(t, reg, "failure"); got != 0 {
		t.Errorf("reloads failure = %v, want 0", got)
	}
}

// TestReloadKubernetesSymlinkSwap replays what the kubelet does to a
// ConfigMap or Secret volume: the file is a symlink to ..data/file, ..data
// is a symlink to a timestamped directory, and an update writes a new
// directory and renames a new ..data symlink over the old one.
func TestReloadKubernetesSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	version := func(name, country string) {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "GeoIP2-Country.mmdb"), countryDB(t, country), 0o644); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(name, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	version("..2026_01_01_00_00_00.1", "GB")
	path := filepath.Join(dir, "GeoIP2-Country.mmdb")
	if err := os.Symlink(filepath.Join("..data", "GeoIP2-Country.mmdb"), path); err != nil {
		t.Fatal(err)
	}
	r, _, _ := openTest(t, path)
	if !countryIs(r, "GB")() {
		t.Fatal("initial database not in use")
	}
	version("..2026_01_02_00_00_00.2", "SE")
	if err := os.RemoveAll(filepath.Join(dir, "..2026_01_01_00_00_00.1")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reload after the ..data swap", countryIs(r, "SE"))
	version("..2026_01_03_00_00_00.3", "NO")
	waitFor(t, "reload after the second ..data swap", countryIs(r, "NO"))
}

// TestReloadInPlaceRewrite rewrites the file in place, as cp does. The
// database is held in memory, so the rewrite cannot fault a lookup, and
// the new content is picked up once it is complete.
func TestReloadInPlaceRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.mmdb")
	replaceFile(t, path, countryDB(t, "GB"))
	r, _, _ := openTest(t, path)
	next := countryDB(t, "FR")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Write the first half and look up while the file is broken.
	if _, err := f.Write(next[:len(next)/2]); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, outcome := r.Lookup(probe); outcome != OutcomeHit {
			t.Fatalf("lookup during the rewrite: %v, want hit from the old database", outcome)
		}
	}
	if _, err := f.Write(next[len(next)/2:]); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reload after the in-place rewrite", countryIs(r, "FR"))
}

// TestRecovery starts without a usable file and checks that a valid file
// is picked up when it appears, however it was unusable before.
func TestRecovery(t *testing.T) {
	for name, setup := range map[string]func(t *testing.T, path string){
		"missing": func(*testing.T, string) {},
		"broken":  writeBytes([]byte("\xab\xcd\xefMaxMind.com garbage")),
		"empty":   writeBytes(nil),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db.mmdb")
			setup(t, path)
			r, reg, logs := openTest(t, path)
			if _, outcome := r.Lookup(probe); outcome != OutcomeDisabled {
				t.Fatalf("outcome %v, want disabled", outcome)
			}
			replaceFile(t, path, countryDB(t, "GB"))
			waitFor(t, "the valid file to be picked up", countryIs(r, "GB"))
			if got := gauge(t, reg, "scrubd_geoip_database_loaded"); got != 1 {
				t.Errorf("scrubd_geoip_database_loaded = %v, want 1", got)
			}
			if got := reloads(t, reg, "failure"); got != 1 {
				t.Errorf("reloads failure = %v, want 1 (the first attempt only)", got)
			}
			// The database is in use a moment before its load is logged.
			waitFor(t, "the info line of the load", func() bool { return strings.Contains(logs.String(), "geoip database loaded") })
		})
	}
}

// TestBadReplacementKeepsDatabase replaces a good file with a broken one,
// then removes it: the good database stays in use, each bad version is
// counted once, and the next good version is picked up.
func TestBadReplacementKeepsDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.mmdb")
	replaceFile(t, path, countryDB(t, "GB"))
	r, reg, logs := openTest(t, path)

	replaceFile(t, path, []byte("not a database"))
	waitFor(t, "the broken file to be tried", func() bool { return reloads(t, reg, "failure") == 1 })
	if !countryIs(r, "GB")() {
		t.Error("the good database was dropped for a broken file")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the removal to be noticed", func() bool { return reloads(t, reg, "failure") == 2 })
	if !countryIs(r, "GB")() {
		t.Error("the good database was dropped when the file was removed")
	}
	if got := gauge(t, reg, "scrubd_geoip_database_loaded"); got != 1 {
		t.Errorf("scrubd_geoip_database_loaded = %v, want 1", got)
	}
	if !strings.Contains(logs.String(), "keeping the loaded one") {
		t.Errorf("no warning about the failed reload:\n%s", logs)
	}

	replaceFile(t, path, countryDB(t, "FR"))
	waitFor(t, "the next good file", countryIs(r, "FR"))
	if got := reloads(t, reg, "failure"); got != 2 {
		t.Errorf("reloads failure = %v, want 2: a bad version is tried once", got)
	}
}

func TestReloadMethod(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.mmdb")
	replaceFile(t, path, countryDB(t, "GB"))
	r, _, _ := openTest(t, path, func(o *Options) { o.PollInterval = -1 })
	replaceFile(t, path, countryDB(t, "FR"))
	if !countryIs(r, "GB")() {
		t.Fatal("reloaded without polling")
	}
	if err := r.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if !countryIs(r, "FR")() {
		t.Error("Reload did not swap the database")
	}
	replaceFile(t, path, []byte("broken"))
	if err := r.Reload(); err == nil {
		t.Error("Reload of a broken file succeeded")
	}
	if !countryIs(r, "FR")() {
		t.Error("a failed Reload dropped the database")
	}
}

// TestConcurrentLookupsDuringReloads runs lookups on every core while the
// file is replaced again and again: every lookup must see one whole
// database or the other, never a disabled or failing one. Run it with
// -race.
func TestConcurrentLookupsDuringReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.mmdb")
	dbs := map[string][]byte{"GB": countryDB(t, "GB"), "FR": countryDB(t, "FR")}
	replaceFile(t, path, dbs["GB"])
	r, _, _ := openTest(t, path)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var bad atomic.Int64
	addrs := []netip.Addr{probe, netip.MustParseAddr("89.160.20.112"), netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("8.8.8.8")}
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				for _, addr := range addrs {
					country, outcome := r.Lookup(addr)
					ok := false
					switch addr {
					case probe:
						ok = outcome == OutcomeHit && (country == "GB" || country == "FR")
					case addrs[1]:
						ok = outcome == OutcomeHit && country == "SE"
					case addrs[2]:
						ok = outcome == OutcomeSkipped
					case addrs[3]:
						ok = outcome == OutcomeMiss
					}
					if !ok {
						bad.Add(1)
					}
				}
			}
		})
	}
	for i := range 20 {
		country := []string{"FR", "GB"}[i%2]
		replaceFile(t, path, dbs[country])
		waitFor(t, "reload to "+country, countryIs(r, country))
	}
	stop.Store(true)
	wg.Wait()
	if n := bad.Load(); n != 0 {
		t.Errorf("%d lookups saw neither database whole", n)
	}
}
