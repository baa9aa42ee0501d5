package geoip

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/oschwald/geoip2-golang/v2"
)

// benchAddrs are addresses with each outcome a lookup can have against the
// standard test database.
var benchAddrs = []struct {
	name string
	addr string
	want Outcome
}{
	{"hit-v4", "81.2.69.142", OutcomeHit},
	{"hit-v6", "2a02:cf40::1", OutcomeHit},
	{"miss", "8.8.8.8", OutcomeMiss},
	{"skipped", "10.1.2.3", OutcomeSkipped},
}

func BenchmarkLookup(b *testing.B) {
	cached, _, _ := openTest(b, writeTestDB(b))
	decoded, _, _ := openTest(b, writeTestDB(b))
	uncache(b, decoded)
	for _, r := range []struct {
		name string
		r    *Reader
	}{{"cached", cached}, {"decoded", decoded}} {
		for _, bb := range benchAddrs {
			addr := netip.MustParseAddr(bb.addr)
			b.Run(r.name+"/"+bb.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, o := r.r.Lookup(addr); o != bb.want {
						b.Fatalf("outcome %v, want %v", o, bb.want)
					}
				}
			})
		}
	}
	b.Run("cached/parallel-hit", func(b *testing.B) {
		addr := netip.MustParseAddr("81.2.69.142")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				cached.Lookup(addr)
			}
		})
	})
}

// BenchmarkLookupMaxMind looks up in MaxMind's GeoIP2-Country test
// database, and compares with geoip2-golang's Country on the same file.
func BenchmarkLookupMaxMind(b *testing.B) {
	path := filepath.Join(maxmindTestDir, "GeoIP2-Country-Test.mmdb")
	if !fileExists(path) {
		b.Skipf("%s not present", path)
	}
	addr := netip.MustParseAddr("81.2.69.142")
	b.Run("Reader.Lookup", func(b *testing.B) {
		r, _, _ := openTest(b, path)
		b.ReportAllocs()
		for b.Loop() {
			if c, _ := r.Lookup(addr); c != "GB" {
				b.Fatal(c)
			}
		}
	})
	b.Run("geoip2.Country", func(b *testing.B) {
		ref, err := geoip2.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer ref.Close()
		b.ReportAllocs()
		for b.Loop() {
			if rec, err := ref.Country(addr); err != nil || rec.Country.ISOCode != "GB" {
				b.Fatal(err)
			}
		}
	})
}
