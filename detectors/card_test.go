package detectors

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Test numbers published by card schemes and payment processors for
// integration testing; all are Luhn-valid and in their scheme's range.
var cardTestNumbers = []struct {
	scheme, number string
}{
	{"visa", "4111111111111111"},
	{"visa", "4012888888881881"},
	{"visa", "4222222222222"}, // 13 digits
	{"visa", "4000056655665556"},
	{"visa 19", "4000000000000000006"},
	{"mastercard", "5555555555554444"},
	{"mastercard", "5105105105105100"},
	{"mastercard 2-series", "2223003122003222"},
	{"mastercard 2-series", "2221000000000009"},
	{"amex", "378282246310005"},
	{"amex", "371449635398431"},
	{"amex corporate", "378734493671000"},
	{"discover", "6011111111111117"},
	{"discover", "6011000990139424"},
	{"discover 65", "6500000000000002"},
	{"diners", "30569309025904"},
	{"diners", "38520000023237"},
	{"diners 36", "36227206271667"},
	{"jcb", "3530111333300000"},
	{"jcb", "3566002020360505"},
	{"unionpay", "6200000000000005"},
	{"unionpay 19", "6205500000000000004"},
	{"unionpay debit", "6200000000000047"},
	{"maestro", "6759649826438453"},
	{"maestro 12", luhnComplete("501800", 12)},
	{"mir", luhnComplete("2200", 16)},
	{"jcb 15 legacy", luhnComplete("1800", 15)},
}

func TestMatchCardTestNumbers(t *testing.T) {
	for _, c := range cardTestNumbers {
		n := c.number
		forms := []string{n}
		switch len(n) {
		case 16:
			forms = append(forms, group(n, " ", 4, 4, 4, 4), group(n, "-", 4, 4, 4, 4))
		case 15:
			forms = append(forms, group(n, " ", 4, 6, 5), group(n, "-", 4, 6, 5), group(n, " ", 4, 4, 4, 3))
		case 14:
			forms = append(forms, group(n, " ", 4, 6, 4), group(n, "-", 4, 6, 4))
		case 19:
			forms = append(forms, group(n, " ", 4, 4, 4, 4, 3))
		case 13:
			forms = append(forms, group(n, " ", 4, 4, 5), group(n, " ", 4, 3, 3, 3))
		case 12:
			forms = append(forms, group(n, " ", 4, 4, 4))
		}
		for _, f := range forms {
			line := "paid with " + f + ", thanks"
			got := findAll(matchCard, "d", line)
			if diff := cmp.Diff([]string{f}, got); diff != "" {
				t.Errorf("%s %q: (-want +got)\n%s", c.scheme, line, diff)
			}
			if got := findAll(matchCard, "d", "paid with "+luhnBreak(f)); got != nil {
				t.Errorf("%s %q with a bad check digit: found %q", c.scheme, f, got)
			}
		}
	}
}

func TestMatchCard(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"start of input", "4111111111111111", []string{"4111111111111111"}},
		{"json", `{"pan":"4111111111111111"}`, []string{"4111111111111111"}},
		{"key value", "card=5555-5555-5555-4444&exp=12/28", []string{"5555-5555-5555-4444"}},
		{"sentence end", "My card is 4111 1111 1111 1111.", []string{"4111 1111 1111 1111"}},
		{"followed by a year", "card 4111 1111 1111 1111 2028 expiry", []string{"4111 1111 1111 1111"}},
		{"two cards", "4111111111111111,5105105105105100", []string{"4111111111111111", "5105105105105100"}},
		{"amex 4-6-5", "amex 3782 822463 10005 ok", []string{"3782 822463 10005"}},
		{"tab separated", "x\t4012888888881881\ty", []string{"4012888888881881"}},
		{"dots", "cc=4111.1111.1111.1111;", []string{"4111.1111.1111.1111"}},
		{"slashes", "pan 4111/1111/1111/1111 ok", []string{"4111/1111/1111/1111"}},
		{"underscores", "pan_4111_1111_1111_1111_x", []string{"4111_1111_1111_1111"}},
		{"tabs", "pan\t4111\t1111\t1111\t1111\tok", []string{"4111\t1111\t1111\t1111"}},
		{"amex dots", "amex 3782.822463.10005", []string{"3782.822463.10005"}},
		{"glued letter after", "5555555555554444y", []string{"5555555555554444"}},
		{"unit after", "anon-rss:2205592795330815kB 5555555555554444ms 5555555555554444x", nil},
		{"glued grouped", "4111 1111 1111 1111zz", []string{"4111 1111 1111 1111"}},

		// Luhn-valid digits that are not in an issuer range or length.
		{"no issuer", "id " + luhnComplete("12345678", 16), nil},
		{"visa 15 digits", "n=" + luhnComplete("4111", 15), nil},
		{"amex 16 digits", "n=" + luhnComplete("3782", 16), nil},
		{"mastercard 19", "n=" + luhnComplete("5555", 19), nil},
		// Card-like digits that are part of something longer.
		{"20 digits", luhnComplete("4111", 20), nil},
		{"decimal", "4111111111111111.5", nil},
		{"decimal before", "0.4111111111111111", nil},
		{"dash continues", "4111-1111-1111-1111-2", nil},
		{"dash before", "12-4111111111111111", nil},
		{"glued letters", "4111111111111111abc", nil},
		{"glued hex letters", "4111 1111 1111 1111ab", nil},
		{"mixed separators", "4111 1111-1111 1111", nil},
		{"mixed new separators", "4111.1111_1111/1111", nil},
		{"dotted decimal", "4111.1111.1111.1111.5", nil},
		{"underscore three digits", "411_1111_1111_1111", nil},
		{"double space", "4111  1111  1111  1111", nil},
		{"five digit groups", "41111 11111 11111 1", nil},
		// Logs.
		{"bad luhn id", "order 4111111111111112 shipped", nil},
		{"unix ms", "ts=1431857103000", nil},
		{"unix us", "ts=1431857103000000", nil},
		{"date", "2015-05-17 10:05:03", nil},
		{"status and bytes", "\" 200 203023 \"", nil},
		{"version", "Chrome/32.0.1700.77", nil},
		{"port", "listen 0.0.0.0:8080", nil},
		{"bad bytes", "\xff\x00411111111111111\xfe", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findAll(matchCard, "d", tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findAll(matchCard, %q): (-want +got)\n%s", tt.in, diff)
			}
		})
	}
}

func TestMatchCardLogLinesNoAllocs(t *testing.T) {
	for _, line := range logLines {
		b := []byte(line)
		if got := findAll(matchCard, "d", line); got != nil {
			t.Fatalf("findAll(matchCard, %q) = %q, want nothing", line, got)
		}
		allocs := testing.AllocsPerRun(100, func() {
			for i := range b {
				if startsWord(b, i, "d") {
					matchCard(b, i)
				}
			}
		})
		if allocs != 0 {
			t.Errorf("matchCard on %q: %v allocations per run, want 0", line, allocs)
		}
	}
}

func BenchmarkMatchCardReject(b *testing.B) {
	for _, in := range []string{"200 203023", "2015-05-17", "10:05:03", "4111111111111112", "1431857103000"} {
		buf := []byte(in)
		b.Run(strings.ReplaceAll(in, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if matchCard(buf, 0) >= 0 {
					b.Fatal("matched")
				}
			}
		})
	}
}

func FuzzMatchCard(f *testing.F) {
	for _, s := range []string{
		"4111111111111111",         // compact Visa
		"4111 1111 1111 1111 2028", // grouped, then another number
		"3782 822463 10005",        // Amex 4-6-5
		"4111-1111-1111-1111-2",    // longer dashed number
		"0.4111111111111111",       // decimal
		"\xff4111\x001111",         // invalid UTF-8 and NUL
		"4111 1111 1111 111",       // truncated
		"4111_1111_1111_1111x",     // underscores, glued letter
		"cc4111111111111111",       // glued into a hex word
		"x4111\t1111\t1111\t1111",  // tabs, glued letter
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			end := matchCard(b, i)
			checkMatcherResult(t, "matchCard", b, i, end)
			if end < 0 {
				continue
			}
			// Second implementation: the digits of the match pass Luhn
			// and the match has only digits and card separators, one
			// kind of them.
			var digits []byte
			for _, c := range b[i:end] {
				switch {
				case c >= '0' && c <= '9':
					digits = append(digits, c)
				case !strings.ContainsRune(" -./_\t", rune(c)):
					t.Fatalf("matchCard(%q, %d) = %d: match holds %q", b, i, end, c)
				}
			}
			seps := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return -1
				}
				return r
			}, string(b[i:end]))
			if strings.Trim(seps, seps[:min(1, len(seps))]) != "" {
				t.Fatalf("matchCard(%q, %d) = %d: mixed separators %q", b, i, end, seps)
			}
			// Glued to letters: not inside a hex word.
			if i > 0 && isLetter(b[i-1]) || end < len(b) && isLetter(b[end]) {
				if !strings.ContainsFunc(wordAround(b, i, end), func(r rune) bool { return !strings.ContainsRune("0123456789abcdefABCDEF", r) }) {
					t.Fatalf("matchCard(%q, %d) = %d: glued into a hex word", b, i, end)
				}
			}
			if len(digits) < 12 || len(digits) > 19 || !refLuhn(digits) {
				t.Fatalf("matchCard(%q, %d) = %d: %s is not a Luhn-valid card number", b, i, end, digits)
			}
		}
	})
}

// refLuhn is an independent Luhn implementation for the fuzz targets.
func refLuhn(d []byte) bool {
	sum := 0
	for k := 0; k < len(d); k++ {
		v := int(d[len(d)-1-k] - '0')
		if k%2 == 1 {
			v = v * 2 % 9
			if d[len(d)-1-k] == '9' {
				v = 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// wordAround returns the run of ASCII letters and digits around b[i:end].
func wordAround(b []byte, i, end int) string {
	for i > 0 && isAlnum(b[i-1]) {
		i--
	}
	for end < len(b) && isAlnum(b[end]) {
		end++
	}
	return string(b[i:end])
}

// TestScanCardShapes runs the scanner on cards written with the rarer
// separators and glued to letters, and on look-alikes from logs that must
// stay.
func TestScanCardShapes(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"dots", "card 4111.1111.1111.1111 ok", []string{"credit_card:4111.1111.1111.1111"}},
		{"slashes", "card=4111/1111/1111/1111", []string{"credit_card:4111/1111/1111/1111"}},
		{"underscores", "card_4111_1111_1111_1111", []string{"credit_card:4111_1111_1111_1111"}},
		{"tabs", "card\t5555\t5555\t5555\t4444\tok", []string{"credit_card:5555\t5555\t5555\t4444"}},
		{"glued both sides", "cardx4111111111111111y", []string{"credit_card:4111111111111111"}},
		{"glued before", "pan4111111111111111 ok", []string{"credit_card:4111111111111111"}},
		{"glued grouped", "x4111-1111-1111-1111y", []string{"credit_card:4111-1111-1111-1111"}},
		{"glued grouped underscores", "pan4111_1111_1111_1111", []string{"credit_card:4111_1111_1111_1111"}},
		{"glued after", "4111111111111111exp", []string{"credit_card:4111111111111111"}},
		{"unit", "total-vm:2205592795330815kB, took 4111111111111111ms", nil},
		{"json", `{"n":"card4111.1111.1111.1111"}`, []string{"credit_card:4111.1111.1111.1111"}},

		// Look-alikes.
		{"hex word", "cc4111111111111111 4111111111111111abc", nil},
		{"hash", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", nil},
		{"bad luhn glued", "card4111111111111112", nil},
		{"tsv numbers", "200\t1234\t5678\t9012\t3456", nil},
		{"underscored ids", "part_0001_0002_0003_0004 job_2026_11_29", nil},
		{"dotted version", "build 2026.1111.1111.1111.7", nil},
		{"thread", "pool-4-thread-1234_5678", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Scan(nil, []byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, spans(tt.line, got)); diff != "" {
				t.Errorf("Scan(%q) (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}
