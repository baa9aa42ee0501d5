package detectors

import (
	"strings"
	"testing"
)

// stopKind says whether nextWork, walking from i0 (inWord telling whether
// b[i0-1] counts as part of a word), must stop at b[i] (2), may stop there (1:
// a digit starting a word, which nextWork steps over only when mayStart
// rules it out), or must not (0).
func stopKind(b []byte, i, i0 int, inWord bool) int {
	c := b[i]
	prevAlnum := i > 0 && isAlnum(b[i-1]) && (i > i0 || inWord)
	switch {
	case class[c]&cAlnum == 0:
		if class[c] != 0 {
			return 1 // a trigger byte: the matchers decide (see TestTriggerWork)
		}
	case !prevAlnum:
		if isDigit(c) {
			if mayStart(b, i, class[c]) {
				return 2
			}
			return 1
		}
		if i+1 < len(b) && startsCandidate(c, b[i+1]) && (namedStart(c, b[i+1]) || hexRunGoesOn(b, i, class[c])) {
			return 2
		}
	case isDigit(c) && isLetter(b[i-1]):
		// An IBAN's digits after the two letters that start the word.
		if i >= 2 && isLetter(b[i-2]) && (i == 2 || !isAlnum(b[i-3])) && i+1 < len(b) && isDigit(b[i+1]) {
			return 2
		}
		// The digits after the one, two, four, five or six upper-case
		// letters that start a national id (NRIC, NINO, CURP, PAN,
		// codice fiscale) and the word.
		if k := upperRunStart(b, i); i+1 < len(b) && isDigit(b[i+1]) && (k == 0 || !isAlnum(b[k-1]) && b[k-1] != '_') {
			switch i - k {
			case 1, 2, 4, 5, 6:
				return 2
			}
		}
		// A first octet of one to three digits, then '.' or '-'.
		for k := i; k < len(b) && k < i+3 && isDigit(b[k]); k++ {
			if k+1 < len(b) && (b[k+1] == '.' || b[k+1] == '-') {
				return 2
			}
		}
		// A card number glued to the letter: 12 to 19 digits, or a group
		// of four and a separator.
		if cardInWord(b, i) {
			return 2
		}
	}
	return 0
}

// upperRunStart returns where the run of upper-case ASCII letters before
// b[i] starts, looking back seven letters at most.
func upperRunStart(b []byte, i int) int {
	k := i
	for k > 0 && i-k < 7 && b[k-1] >= 'A' && b[k-1] <= 'Z' {
		k--
	}
	return k
}

// checkNextWork checks nextWork(b, i, inWord) against stopKind: it stops at
// a place where it may, and passes no place where it must stop, except inside
// a timestamp it steps over.
func checkNextWork(t *testing.T, b []byte, i int, inWord bool) {
	t.Helper()
	got := nextWork(b, i, inWord, nil)
	i0 := i
	for p := i; p < got; p++ {
		startsWord := !(p > 0 && isAlnum(b[p-1]) && (p > i0 || inWord))
		if e := timestampEnd(b, p); e > 0 && startsWord {
			// Stepped over whole: resume after it, outside a word. The
			// name pass finds nothing in it (see nameCands.skip).
			for q := p; q < e; q++ {
				if candidateAt(b, q) {
					t.Fatalf("timestamp %q holds a name candidate at %d", b[p:e], q)
				}
			}
			p, i0, inWord = e-1, e, false
			continue
		}
		if stopKind(b, p, i0, inWord) == 2 {
			t.Fatalf("nextWork(%q, %d, %v) = %d: passes %d, where it must stop", b, i, inWord, got, p)
		}
	}
	if got < len(b) && stopKind(b, got, i0, inWord) == 0 {
		t.Fatalf("nextWork(%q, %d, %v) = %d: stops where nothing can start", b, i, inWord, got)
	}
}

// TestNextWork checks the table-driven walk against its definition on lines
// that put every byte value after every kind of byte.
func TestNextWork(t *testing.T) {
	for c := 0; c < 256; c++ {
		for _, tmpl := range []string{"ab?cd 12", "x?", "1?2", " ?a", "fe?0::1", "To?en x", "?", "ab1?.", "DE8?37", "h1?-2", "xy?12.3", "2026-03-02?08:00:00?x", "1?:00:00 12.3", "10.0.0.?", "12? x", "123456?", "1?", "12 ?4", "77?", "w?1.2 zz", "123456+?", "1234_?", "12-?-3"} {
			b := []byte(tmpl)
			for k := range b {
				if b[k] == '?' {
					b[k] = byte(c)
				}
			}
			for i := 0; i <= len(b); i++ {
				for _, inWord := range []bool{false, i > 0 && isAlnum(b[i-1])} {
					checkNextWork(t, b, i, inWord)
				}
			}
		}
	}
}

func FuzzNextWork(f *testing.F) {
	f.Add([]byte("Completed rollback of ongoing transaction for id=42 at 10.0.0.1"), 0, false)
	f.Add([]byte("host1.2.3.4.example.com fe80::1 DE89370400440532013000"), 3, true)
	f.Fuzz(func(t *testing.T, b []byte, i int, inWord bool) {
		if i < 0 || i > len(b) {
			return
		}
		inWord = inWord && i > 0 && isAlnum(b[i-1])
		checkNextWork(t, b, i, inWord)
	})
}

// checkTriggerWork checks that where triggerWork rules out the trigger byte
// b[i], the scan loop's handler for it would have found nothing.
func checkTriggerWork(t *testing.T, s *Scanner, b []byte, i int) {
	t.Helper()
	if class[b[i]]&cTrig == 0 || triggerWork(b, i) {
		return
	}
	switch b[i] {
	case '@':
		// The handlers: urlCredAt needs a "scheme://" before the '@',
		// emailAfter a domain after it.
		if end := matchDomain(b, i+1); end > 0 {
			t.Fatalf("%q: triggerWork rules out '@' at %d, matchDomain finds up to %d", b, i, end)
		}
		if _, ok := matchURLCred(b, i, 0); ok {
			t.Fatalf("%q: triggerWork rules out '@' at %d, matchURLCred finds a user-info", b, i)
		}
	case '&':
		if atEntity(b, i) > 0 {
			t.Fatalf("%q: triggerWork rules out an '@' entity at %d", b, i)
		}
	case '%':
		if _, _, end := s.matchPercent(nil, 0, b, i, 0); end > 0 {
			t.Fatalf("%q: triggerWork rules out '%%' at %d, matchPercent finds up to %d", b, i, end)
		}
	case '+', '(':
		if end := s.phone.match(b, i); end > 0 && i+1 < len(b) && isDigit(b[i+1]) {
			t.Fatalf("%q: triggerWork rules out %q at %d, the phone matcher finds up to %d", b, b[i], i, end)
		}
	case ':', '=':
		if b[i] == ':' && i+1 < len(b) && b[i+1] == ':' {
			t.Fatalf("%q: triggerWork rules out \"::\" at %d", b, i)
		}
		if _, end := matchSecretValue(b, i); end > 0 {
			t.Fatalf("%q: triggerWork rules out %q at %d, matchSecretValue finds up to %d", b, b[i], i, end)
		}
	}
}

func TestTriggerWork(t *testing.T) {
	s := newTestScanner(t)
	for _, line := range []string{
		"password=hunter2 token: abc123def456", "user: x@example.com", "fe80::1 ::1 a::b",
		"call +14155552671 (415) 555-2671", "a%40b.com %2F10.0.0.1", "key=value time 12:30:45",
		`"api_key" : "AKIAIOSFODNN7EXAMPLE"`, "Authorization: Bearer abc.def.ghi", "x=1 y:2 z(3) w+4",
		"db_password    =x", "SECRET_KEY='abc'", "cookie:a=b; c=d",
		"Factory@197] a@b.co x@sub-1.example.org @ y@-a.b z@a.b icon@2x.png",
		"redis://u:p@cache amqp://:p@h x@%65%78.com jo@m%C3%BCller.de 用户@例子.广告 jo&#64;b.co a&amp;b &#x40; &commat;",
	} {
		b := []byte(line)
		ruledOut := 0
		for i := range b {
			if class[b[i]]&cTrig != 0 && !triggerWork(b, i) {
				ruledOut++
			}
			checkTriggerWork(t, s, b, i)
		}
		if strings.Contains(line, "x=1") && ruledOut == 0 {
			t.Errorf("%q: triggerWork rules out nothing", line)
		}
	}
}

func FuzzTriggerWork(f *testing.F) {
	f.Add([]byte("password = x token: y a%2Fb (12) +1 ::1"))
	f.Add([]byte("redis://u:p@h x@%65x.c%6Fm j@m\xc3\xbc.de a&#64;b.co &commat;"))
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			checkTriggerWork(t, s, b, i)
		}
	})
}

// checkMayStart checks that mayStart does not rule out a word start at b[i]
// where matchWordStart finds something.
func checkMayStart(t *testing.T, s *Scanner, b []byte, i int) {
	t.Helper()
	if i >= len(b) || !isAlnum(b[i]) || i > 0 && isAlnum(b[i-1]) {
		return
	}
	if typ, _, end := s.matchWordStart(b, i); end > 0 && !mayStart(b, i, class[b[i]]) {
		t.Fatalf("mayStart(%q, %d) is false, but matchWordStart finds %s", b, i, typ)
	}
}

// TestMayStart checks mayStart against matchWordStart at every word start
// of lines with findings of every kind that starts a word, separated and
// grouped in the ways the matchers accept.
func TestMayStart(t *testing.T) {
	s := newTestScanner(t)
	lines := []string{
		"1-2-3-4.dsl.example.net ip-10-0-0-1 ab-cd-ef-01-23-45 00-aa-bb-cc-dd-ee 550e8400-e29b-41d4-a716-446655440000 00-1a-2b-3c-4d-5e",
		"4111-1111-1111-1111 4111 1111 1111 1111 35-209900-176148-1 555-123-4567 020 7946 0958 (415) 555-2671",
		"0800-123456 030-12345678 0612-345678 001a.2b3c.4d5e fe80::1 ab:cd:ef:01:23:45 10.0.0.1 DE89-3704-0044-0532-0130-00",
		"DE89370400440532013000 eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl token=abc ghp_0123456789abcdefABCDEF0123456789abcd",
		"8080-exec-188 2026-03-02 07911-123456 +44 20 7946 0958 2001:db8::1 12345678-90 123-45-6789 12-34-56-78-90",
		"HP 0111002+0 HP 0111002 x tel 4155552671/x",
	}
	for _, l := range lines {
		b := []byte(l)
		for i := range b {
			checkMayStart(t, s, b, i)
		}
	}
}

func FuzzMayStart(f *testing.F) {
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("555-123-4567 x 00-1a-2b-3c-4d-5e 550e8400-e29b-41d4-a716-446655440000"))
	f.Add([]byte("1-2-3-4.dsl.example.net 8080-exec-188 4111-1111-1111-1111"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			checkMayStart(t, s, b, i)
		}
	})
}
