package detectors

import "testing"

// naiveNextWork is the byte-at-a-time definition of nextWork.
func naiveNextWork(b []byte, i int, inWord bool) int {
	for i0 := i; i < len(b); i++ {
		c := b[i]
		prevAlnum := i > 0 && isAlnum(b[i-1]) && (i > i0 || inWord)
		switch {
		case class[c]&cAlnum == 0:
			if class[c] != 0 {
				return i // trigger
			}
		case !prevAlnum:
			if isDigit(c) || i+1 < len(b) && startsCandidate(c, b[i+1]) {
				return i
			}
		case isDigit(c) && isLetter(b[i-1]):
			// An IBAN's digits after the two letters that start the word.
			if i >= 2 && isLetter(b[i-2]) && (i == 2 || !isAlnum(b[i-3])) && i+1 < len(b) && isDigit(b[i+1]) {
				return i
			}
			// A first octet, then '.' or '-'.
			for k := i; k < len(b) && k < i+3; k++ {
				if b[k] == '.' || b[k] == '-' {
					return i
				}
				if !isDigit(b[k]) {
					break
				}
				if k+1 < len(b) && k+1 < i+4 && (b[k+1] == '.' || b[k+1] == '-') {
					return i
				}
			}
		}
	}
	return len(b)
}

// TestNextWork checks the table-driven walk against its definition on lines
// that put every byte value after every kind of byte.
func TestNextWork(t *testing.T) {
	for c := 0; c < 256; c++ {
		for _, tmpl := range []string{"ab?cd 12", "x?", "1?2", " ?a", "fe?0::1", "To?en x", "?", "ab1?.", "DE8?37", "h1?-2", "xy?12.3"} {
			b := []byte(tmpl)
			for k := range b {
				if b[k] == '?' {
					b[k] = byte(c)
				}
			}
			for i := 0; i <= len(b); i++ {
				for _, inWord := range []bool{false, i > 0 && isAlnum(b[i-1])} {
					if got, want := nextWork(b, i, inWord), naiveNextWork(b, i, inWord); got != want {
						t.Fatalf("nextWork(%q, %d, %v) = %d, want %d", b, i, inWord, got, want)
					}
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
		if got, want := nextWork(b, i, inWord), naiveNextWork(b, i, inWord); got != want {
			t.Fatalf("nextWork(%q, %d, %v) = %d, want %d", b, i, inWord, got, want)
		}
	})
}
