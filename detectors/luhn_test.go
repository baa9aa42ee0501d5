package detectors

import (
	"strings"
	"testing"
)

func TestLuhnValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4111111111111111", true},  // Visa test number
		{"79927398713", true},       // the example of ISO/IEC 7812-1 annex B
		{"490154203237518", true},   // IMEI example of 3GPP TS 23.003
		{"0", true},                 // a lone zero sums to 0
		{"4111111111111112", false}, // last digit changed
		{"79927398710", false},
		{"1111111111111111", false},
		{"", false},
		{"4111-1111", false}, // non-digits are not skipped
		{"41\x0011", false},
	}
	for _, tt := range tests {
		if got := luhnValid([]byte(tt.in)); got != tt.want {
			t.Errorf("luhnValid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestLuhnSingleErrors checks the property the check digit exists for: any
// single changed digit and any swap of adjacent distinct digits (other than
// 09/90) is detected.
func TestLuhnSingleErrors(t *testing.T) {
	valid := "4012888888881881"
	for k := range valid {
		for d := byte('0'); d <= '9'; d++ {
			if d == valid[k] {
				continue
			}
			b := []byte(valid)
			b[k] = d
			if luhnValid(b) {
				t.Errorf("luhnValid(%s) = true after changing digit %d", b, k)
			}
		}
	}
	for k := 0; k+1 < len(valid); k++ {
		a, c := valid[k], valid[k+1]
		if a == c || (a == '0' && c == '9') || (a == '9' && c == '0') {
			continue
		}
		b := []byte(valid)
		b[k], b[k+1] = c, a
		if luhnValid(b) {
			t.Errorf("luhnValid(%s) = true after swapping digits %d and %d", b, k, k+1)
		}
	}
}

func TestNumEndsAt(t *testing.T) {
	tests := []struct {
		in   string
		j    int
		want bool
	}{
		{"123", 3, true},
		{"123 x", 3, true},
		{"123.", 3, true},
		{"123. ", 3, true},
		{"123,4", 3, true},
		{"123.4", 3, false},
		{"123-4", 3, false},
		{"123a", 3, false},
		{"1234", 3, false},
		{"123\xff", 3, true},
	}
	for _, tt := range tests {
		if got := numEndsAt([]byte(tt.in), tt.j); got != tt.want {
			t.Errorf("numEndsAt(%q, %d) = %v, want %v", tt.in, tt.j, got, tt.want)
		}
	}
}

// luhnComplete returns prefix padded with filler digits to n-1 digits and
// completed with the Luhn check digit: a generator of valid numbers.
func luhnComplete(prefix string, n int) string {
	s := prefix
	for k := 0; len(s) < n-1; k++ {
		s += string(rune('0' + (k*7+3)%10))
	}
	for d := byte('0'); d <= '9'; d++ {
		if c := s + string(rune(d)); luhnValid([]byte(c)) {
			return c
		}
	}
	panic("unreachable")
}

// luhnBreak returns s with its check digit changed, so that it fails Luhn.
func luhnBreak(s string) string {
	last := s[len(s)-1]
	return s[:len(s)-1] + string(rune('0'+(last-'0'+1)%10))
}

// group splits digits into groups of the given sizes joined by sep.
func group(digits string, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		parts = append(parts, digits[:n])
		digits = digits[n:]
	}
	if digits != "" {
		parts = append(parts, digits)
	}
	return strings.Join(parts, sep)
}

// digitMatcher is the shape of matchCard, matchIBAN, matchIMEI and
// phoneMatcher.match.
type digitMatcher func(b []byte, i int) int

// startsWord reports whether the scan loop may offer position i: b[i] is one
// of the given start bytes ("d" for an ASCII digit, "U" for an upper-case
// letter, "l" for a lower-case letter, any other byte for itself) and the
// byte before it is not an ASCII letter or digit.
func startsWord(b []byte, i int, starts string) bool {
	if i > 0 && numAlnum(b[i-1]) {
		return false
	}
	c := b[i]
	for k := 0; k < len(starts); k++ {
		switch s := starts[k]; {
		case s == 'd' && numDigit(c), s == 'U' && numUpper(c), s == 'l' && c-'a' < 26,
			s != 'd' && s != 'U' && s != 'l' && s == c:
			return true
		}
	}
	return false
}

// findAll emulates the scan loop for one matcher: it offers every allowed
// start position, in order, and resumes after each match. It returns the
// matched substrings.
func findAll(m digitMatcher, starts, s string) []string {
	b := []byte(s)
	var out []string
	for i := 0; i < len(b); i++ {
		if !startsWord(b, i, starts) {
			continue
		}
		if end := m(b, i); end >= 0 {
			out = append(out, s[i:end])
			i = end - 1
		}
	}
	return out
}

// checkMatcherResult fails when a matcher result breaks the contract.
func checkMatcherResult(t *testing.T, name string, b []byte, i, end int) {
	t.Helper()
	if end != -1 && (end <= i || end > len(b)) {
		t.Fatalf("%s(%q, %d) = %d, want -1 or in (%d, %d]", name, b, i, end, i, len(b))
	}
}

// logLines are typical log lines with many numbers and no card, IBAN, IMEI or
// phone number: the common case the matchers must reject cheaply.
var logLines = []string{
	`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`,
	`2015-05-17T10:05:03.123Z INFO  [main] o.a.k.c.Worker - processed 1048576 bytes in 2.315 s (452.9 kB/s), offset=98765432101 partition=12 pid=4242`,
	`May 17 10:05:03 host sshd[12345]: Accepted publickey for deploy from port 52314 ssh2: RSA SHA256:abc`,
	`ts=1431857103000 level=warn msg="retry 3/5 after 250ms" req_id=7c9e6679 order=20150517000123 bytes=203023 status=503 v=1.24.3`,
	`{"time":"2015-05-17 10:05:03","dur_ms":12.5,"size":171717,"id":184467440737095516,"build":"2.6.32-504.el6.x86_64","port":8080}`,
	`GET /api/v1/items?page=2&limit=100&since=2015-05-17 HTTP/1.1" 404 324 "-" "curl/7.29.0" 0.002 1.5 12:30:45`,
}
