package geoip

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oschwald/geoip2-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2"
)

// maxmindTestDir holds MaxMind's own test databases (from the
// MaxMind-DB repository's test-data), relative to this package.
const maxmindTestDir = "../../../shared/corpora/maxmind-test"

// maxmindDB returns the path of one of MaxMind's test databases, skipping
// the test when it is absent.
func maxmindDB(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(maxmindTestDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("MaxMind test database %s not present (%v); put MaxMind-DB's test-data/*.mmdb in %s to run this test", name, err, maxmindTestDir)
	}
	return path
}

// countryDatabases are MaxMind's test databases Lookup supports.
var countryDatabases = []string{
	"GeoIP2-Country-Test.mmdb", "GeoIP2-City-Test.mmdb",
	"GeoLite2-Country-Test.mmdb", "GeoLite2-City-Test.mmdb",
}

func TestMaxMindTestDatabases(t *testing.T) {
	for _, name := range countryDatabases {
		t.Run(name, func(t *testing.T) {
			r, _, _ := openTest(t, maxmindDB(t, name))
			if !r.Status().Loaded {
				t.Fatal("not loaded")
			}
			for addr, want := range map[string]string{
				"81.2.69.142":        "GB", // registered in US: the located country wins
				"89.160.20.112":      "SE",
				"216.160.83.56":      "US",
				"::ffff:81.2.69.142": "GB",
			} {
				if country, outcome := r.Lookup(netip.MustParseAddr(addr)); country != want || outcome != OutcomeHit {
					t.Errorf("Lookup(%s) = %q, %v; want %q, hit", addr, country, outcome, want)
				}
			}
			if _, outcome := r.Lookup(netip.MustParseAddr("10.0.0.1")); outcome != OutcomeSkipped {
				t.Errorf("Lookup(10.0.0.1) outcome = %v, want skipped", outcome)
			}
		})
	}
}

func TestMaxMindASNDatabaseRejected(t *testing.T) {
	r, _, logs := openTest(t, maxmindDB(t, "GeoLite2-ASN-Test.mmdb"))
	if _, outcome := r.Lookup(netip.MustParseAddr("81.2.69.142")); outcome != OutcomeDisabled {
		t.Errorf("outcome %v, want disabled", outcome)
	}
	if !strings.Contains(logs.String(), "has no country data") {
		t.Errorf("log does not say why:\n%s", logs)
	}
}

// TestMatchesGeoip2Country checks Lookup against geoip2-golang's Country,
// the reference, at the first and last address of every network of every
// database, with the per-record cache and without it.
func TestMatchesGeoip2Country(t *testing.T) {
	dbs := map[string]string{"scrubd-test.mmdb": writeTestDB(t)}
	for _, name := range countryDatabases {
		if path := filepath.Join(maxmindTestDir, name); fileExists(path) {
			dbs[name] = path
		} else {
			t.Logf("MaxMind test database %s not present; checking the others", name)
		}
	}
	for name, path := range dbs {
		for _, cached := range []bool{true, false} {
			t.Run(name+map[bool]string{true: "/cached", false: "/decoded"}[cached], func(t *testing.T) {
				r, _, _ := openTest(t, path)
				if !cached {
					uncache(t, r)
				}
				ref, err := geoip2.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer ref.Close()
				mm, err := maxminddb.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer mm.Close()
				n, hits := 0, 0
				for res := range mm.Networks(maxminddb.IncludeAliasedNetworks(), maxminddb.IncludeNetworksWithoutData()) {
					p := res.Prefix()
					for _, addr := range []netip.Addr{p.Addr(), lastAddr(p)} {
						n++
						country, outcome := r.Lookup(addr)
						wantCountry, wantOutcome := referenceLookup(ref, addr)
						if outcome == OutcomeHit {
							hits++
						}
						if country != wantCountry || outcome != wantOutcome {
							t.Errorf("Lookup(%s) = %q, %v; geoip2 Country says %q, %v", addr, country, outcome, wantCountry, wantOutcome)
						}
					}
				}
				if n < 100 || hits < 10 {
					t.Errorf("only %d addresses compared, %d hits", n, hits)
				}
			})
		}
	}
}

// referenceLookup is Lookup written with geoip2-golang's Country.
func referenceLookup(ref *geoip2.Reader, addr netip.Addr) (string, Outcome) {
	if !Public(addr) {
		return "", OutcomeSkipped
	}
	addr = addr.Unmap()
	if ref.Metadata().IPVersion == 4 && addr.Is6() {
		return "", OutcomeMiss
	}
	rec, err := ref.Country(addr)
	if err != nil {
		return "", OutcomeError
	}
	country := rec.Country.ISOCode
	if country == "" {
		country = rec.RegisteredCountry.ISOCode
	}
	switch {
	case country == "":
		return "", OutcomeMiss
	case len(country) != 2 || strings.ToUpper(country) != country:
		return "", OutcomeError
	}
	return country, OutcomeHit
}

// uncache reloads r's database without the per-record cache, so that every
// lookup decodes its record.
func uncache(t testing.TB, r *Reader) {
	t.Helper()
	r.mu.Lock()
	r.cacheLimit = 0
	r.mu.Unlock()
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if r.db.Load().answers != nil {
		t.Fatal("answers still cached")
	}
}

// fileExists reports whether path can be stat'ed.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
