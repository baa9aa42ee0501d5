package geoip

import (
	"net/netip"
	"testing"

	"github.com/oschwald/geoip2-golang/v2"
)

// FuzzLookup looks up arbitrary 16-byte addresses, and the IPv4 address in
// their last four bytes, in the standard test database: Lookup must not
// panic, must never look up a non-public address, and must agree with
// geoip2-golang's Country.
func FuzzLookup(f *testing.F) {
	// Seeds: a hit, a registered-country-only record, a miss, an invalid
	// code, a private address the database has a country for, an
	// IPv4-mapped address, and 6to4 and NAT64 forms of a hit.
	for _, s := range []string{
		"::ffff:81.2.69.142", "2a02:cf40::1", "::ffff:1.0.0.1", "::ffff:8.8.8.8",
		"::ffff:1.0.3.1", "::ffff:10.1.2.3", "fd00::1", "2002:5102:458e::1", "64:ff9b::5102:458e",
	} {
		f.Add(netip.MustParseAddr(s).AsSlice())
	}
	data := buildDB(f, "", baseRecords())
	ref, err := geoip2.OpenBytes(data)
	if err != nil {
		f.Fatal(err)
	}
	r, _, _ := openTest(f, writeTestDB(f), func(o *Options) { o.PollInterval = -1 })
	f.Fuzz(func(t *testing.T, b []byte) {
		var a16 [16]byte
		copy(a16[:], b)
		for _, addr := range []netip.Addr{netip.AddrFrom16(a16), netip.AddrFrom16(a16).Unmap(), netip.AddrFrom4([4]byte(a16[12:]))} {
			country, outcome := r.Lookup(addr)
			if outcome >= numOutcomes {
				t.Fatalf("Lookup(%s): outcome %d out of range", addr, outcome)
			}
			if !Public(addr) && outcome != OutcomeSkipped {
				t.Errorf("Lookup(%s) of a non-public address: %v", addr, outcome)
			}
			if (outcome == OutcomeHit) != isCountryCode(country) {
				t.Errorf("Lookup(%s) = %q, %v", addr, country, outcome)
			}
			if wc, wo := referenceLookup(ref, addr); country != wc || outcome != wo {
				t.Errorf("Lookup(%s) = %q, %v; geoip2 Country says %q, %v", addr, country, outcome, wc, wo)
			}
		}
	})
}
