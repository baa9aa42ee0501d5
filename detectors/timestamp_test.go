package detectors

import "testing"

func TestTimestampEnd(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // end of the timestamp at 0, or 0
	}{
		{"2026-03-02 08:00:00.019  INFO", 23},
		{"2026-03-02T08:00:00.019Z ", 24},
		{"2026-03-02T08:00:00Z", 20},
		{"2026-03-02 08:00:00,077] INFO", 23},
		{"2026/03/02 08:00:00 x", 19},
		{"2026.03.02", 10},
		{"2026-03-02 rest", 10},
		{"2026-03-02 08:00 rest", 10}, // no seconds: the date alone
		{"08:00:00.019 x", 12},
		{"23:59:60", 8},
		{"08:00:00.123456789", 18},
		{"08:00:00+01:00", 8},
		// Not timestamps, or not ending where a word ends.
		{"08:00:00.1234567890", 0}, // ten fraction digits
		{"08:00:27:ab:cd:ef", 0},   // a MAC address
		{"10:20:30:40::1", 0},      // IPv6
		{"24:00:00", 0},            // hour out of range
		{"12:60:00", 0},            // minute out of range
		{"2026-13-02", 0},          // month out of range
		{"2026-03-32", 0},          // day out of range
		{"2026-03/02", 0},          // mixed separators
		{"2026-03-0212", 0},        // more digits
		{"2026-03-02-15", 0},       // a longer dashed number
		{"2026.03.02.1", 0},        // a dotted run
		{"4111-11-11 1111", 10},    // the date shape is a date, whatever follows
		{"12:34:56x", 0},           // a word goes on
		{"0800-12-34", 0},          // day 34
		{"1:23:45", 0},             // one-digit hour
		{"2026-03-02T08:00:00.5Zx", 0},
	} {
		if got := timestampEnd([]byte(tc.in), 0); got != tc.want {
			t.Errorf("timestampEnd(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestTimestampsScanned checks that stepping over timestamps does not hide
// what follows or surrounds them.
func TestTimestampsScanned(t *testing.T) {
	s := newTestScanner(t)
	for _, tc := range []struct {
		in   string
		want []Type
	}{
		{"2026-03-02 08:00:00.019 client 10.1.2.3 connected", []Type{IPv4}},
		{"[2026-03-02 08:00:00,077] from +14155552671", []Type{Phone}},
		{"08:00:00 08:00:27:ab:cd:ef", []Type{MAC}},
		{"2026-03-02T08:00:00Z,user=jane@example.com", []Type{Email}},
		{"2026-03-02 08:00:00.019", nil},
	} {
		fs, err := s.Scan(nil, []byte(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		var got []Type
		for _, f := range fs {
			got = append(got, f.Type)
		}
		if len(got) != len(tc.want) {
			t.Errorf("Scan(%q) types = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for k := range got {
			if got[k] != tc.want[k] {
				t.Errorf("Scan(%q) types = %v, want %v", tc.in, got, tc.want)
			}
		}
	}
}
