package detectors

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatchIMEI(t *testing.T) {
	// 490154203237518 is the IMEI example of 3GPP TS 23.003 / Wikipedia;
	// 352099001761481 is the example of the AA-BBBBBB-CCCCCC-D layout.
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"compact", "imei=490154203237518", []string{"490154203237518"}},
		{"compact 35", "IMEI 352099001761481 registered", []string{"352099001761481"}},
		{"compact 86", "dev " + luhnComplete("86", 15), []string{luhnComplete("86", 15)}},
		{"compact 01", "dev " + luhnComplete("01", 15), []string{luhnComplete("01", 15)}},
		{"AA-BBBBBB-CCCCCC-D", "IMEI: 35-209900-176148-1.", []string{"35-209900-176148-1"}},
		{"AA BBBBBB CCCCCC D", "IMEI: 35 209900 176148 1", []string{"35 209900 176148 1"}},
		{"TAC-SNR-CD", "imei 35209900-176148-1", []string{"35209900-176148-1"}},
		{"TAC-FAC-SNR-CD", "imei 352099-00-176148-1", []string{"352099-00-176148-1"}},
		{"grouped 49", "49-015420-323751-8", []string{"49-015420-323751-8"}},
		{"IMEISV", "imeisv 35-209900-176148-23", []string{"35-209900-176148-23"}},
		{"IMEISV spaces", "imeisv 35 209900 176148 23 ok", []string{"35 209900 176148 23"}},
		{"json", `{"imei":"490154203237518"}`, []string{"490154203237518"}},

		{"bad luhn", "imei=490154203237519", nil},
		{"bad luhn grouped", "35-209900-176148-2", nil},
		{"unallocated RBI", "id " + luhnComplete("20", 15), nil},
		{"test RBI 00", "id " + luhnComplete("00", 15), nil},
		{"16 digits compact", "id 3520990017614823", nil},
		{"14 digits", "id " + luhnComplete("35", 14), nil},
		{"IMEISV unallocated RBI", "12-209900-176148-23", nil},
		{"mixed separators", "35-209900 176148-1", nil},
		{"longer dashed", "35-209900-176148-1-7", nil},
		{"decimal", "490154203237518.25", nil},
		{"glued", "490154203237518x", nil},
		{"date", "2015-05-17 10:05:03", nil},
		{"status and bytes", "200 203023", nil},
		{"bad bytes", "\x0049015420323751\xff", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findAll(matchIMEI, "d", tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findAll(matchIMEI, %q): (-want +got)\n%s", tt.in, diff)
			}
		})
	}
}

// TestIMEINotCard checks the division of labour with matchCard, which the
// scan loop tries first: a 15-digit IMEI is never in a card range of length
// 15 (American Express 34/37, legacy JCB 1800/2131), so it is not taken.
func TestIMEINotCard(t *testing.T) {
	for rbi, ok := range imeiRBI {
		if !ok {
			continue
		}
		prefix := string(rune('0'+rbi/10)) + string(rune('0'+rbi%10))
		n := luhnComplete(prefix+"0000", 15)
		if end := matchCard([]byte(n), 0); end >= 0 {
			t.Errorf("matchCard(%s) = %d: an IMEI with RBI %s is taken as a card", n, end, prefix)
		}
	}
}

func TestMatchIMEILogLinesNoAllocs(t *testing.T) {
	for _, line := range logLines {
		b := []byte(line)
		if got := findAll(matchIMEI, "d", line); got != nil {
			t.Fatalf("findAll(matchIMEI, %q) = %q, want nothing", line, got)
		}
		allocs := testing.AllocsPerRun(100, func() {
			for i := range b {
				if startsWord(b, i, "d") {
					matchIMEI(b, i)
				}
			}
		})
		if allocs != 0 {
			t.Errorf("matchIMEI on %q: %v allocations per run, want 0", line, allocs)
		}
	}
}

func BenchmarkMatchIMEIReject(b *testing.B) {
	for _, in := range []string{"200 203023", "2015-05-17", "10:05:03", "490154203237519", "35-209900-176148-2"} {
		buf := []byte(in)
		b.Run(strings.ReplaceAll(in, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if matchIMEI(buf, 0) >= 0 {
					b.Fatal("matched")
				}
			}
		})
	}
}

func FuzzMatchIMEI(f *testing.F) {
	for _, s := range []string{
		"490154203237518",        // compact
		"35-209900-176148-1",     // AA-BBBBBB-CCCCCC-D
		"35 209900 176148 23",    // IMEISV
		"352099-00-176148-1",     // TAC-FAC-SNR-CD
		"35-209900-176148-1-7",   // longer dashed number
		"35-209900-1761\x00\xff", // truncated, NUL, invalid UTF-8
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			end := matchIMEI(b, i)
			checkMatcherResult(t, "matchIMEI", b, i, end)
			if end < 0 {
				continue
			}
			var digits []byte
			for _, c := range b[i:end] {
				switch {
				case c >= '0' && c <= '9':
					digits = append(digits, c)
				case c != ' ' && c != '-':
					t.Fatalf("matchIMEI(%q, %d) = %d: match holds %q", b, i, end, c)
				}
			}
			if !(len(digits) == 15 && refLuhn(digits)) && len(digits) != 16 {
				t.Fatalf("matchIMEI(%q, %d) = %d: %s is neither an IMEI nor an IMEISV", b, i, end, digits)
			}
		}
	})
}
