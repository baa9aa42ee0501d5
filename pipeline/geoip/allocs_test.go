package geoip

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/scrubd/scrubd/pipeline/internal/race"
)

// TestLookupAllocs checks that no lookup allocates, whatever its outcome,
// with the per-record cache and without it.
func TestLookupAllocs(t *testing.T) {
	if testing.CoverMode() != "" || race.Enabled {
		t.Skip("allocation counts differ under -cover and -race")
	}
	cached, _, _ := openTest(t, writeTestDB(t))
	decoded, _, _ := openTest(t, writeTestDB(t))
	uncache(t, decoded)
	disabled, _, _ := openTest(t, filepath.Join(t.TempDir(), "absent.mmdb"))
	for _, tt := range []struct {
		name string
		r    *Reader
		addr string
		want Outcome
	}{
		{"cached hit v4", cached, "81.2.69.142", OutcomeHit},
		{"cached hit v6", cached, "2a02:cf40::1", OutcomeHit},
		{"cached hit mapped", cached, "::ffff:81.2.69.142", OutcomeHit},
		{"cached miss", cached, "8.8.8.8", OutcomeMiss},
		{"cached error", cached, "1.0.3.1", OutcomeError},
		{"decoded hit", decoded, "81.2.69.142", OutcomeHit},
		{"decoded registered", decoded, "1.0.0.1", OutcomeHit},
		{"decoded miss", decoded, "1.0.1.1", OutcomeMiss},
		{"decoded error", decoded, "1.0.3.1", OutcomeError},
		{"skipped", cached, "10.0.0.1", OutcomeSkipped},
		{"disabled", disabled, "81.2.69.142", OutcomeDisabled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			if _, o := tt.r.Lookup(addr); o != tt.want {
				t.Fatalf("outcome %v, want %v", o, tt.want)
			}
			if n := testing.AllocsPerRun(1000, func() { tt.r.Lookup(addr) }); n != 0 {
				t.Errorf("Lookup(%s) allocates %v times, want 0", addr, n)
			}
		})
	}
}
