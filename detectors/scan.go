package detectors

// Byte classes used by the scan loop. A byte may be in several classes.
const (
	cDigit  = 1 << iota // 0-9
	cHexLet             // a-f, A-F
	cLetter             // A-Z, a-z
	cUpper              // A-Z
	cTrig               // punctuation that may start or announce a finding: @ % + ( : = &
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cLetter
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= cLetter | cUpper
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= cHexLet
		t[c-'a'+'A'] |= cHexLet
	}
	for _, c := range "@%+(:=&" {
		t[c] |= cTrig
	}
	return t
}()

const cAlnum = cDigit | cLetter

func isDigit(c byte) bool  { return class[c]&cDigit != 0 }
func isAlnum(c byte) bool  { return class[c]&cAlnum != 0 }
func isLetter(c byte) bool { return class[c]&cLetter != 0 }
func isHex(c byte) bool    { return class[c]&(cDigit|cHexLet) != 0 }

// alnumAt reports whether b[i] exists and is an ASCII letter or digit.
func alnumAt(b []byte, i int) bool { return i >= 0 && i < len(b) && isAlnum(b[i]) }

// Scan appends to dst the findings in b, in order of their start offsets and
// without overlaps, and returns the extended slice. It never retains b. A line
// without findings costs no allocation when custom detectors are not
// configured. The error is non-nil only when a custom detector failed (for
// example, timed out); the findings returned with it are incomplete and the
// caller must treat the input as unscanned.
func (s *Scanner) Scan(dst []Finding, b []byte) ([]Finding, error) {
	base := len(dst)
	if s.names != nil && len(b) > 1 {
		var nc nameCands
		dst = s.scanBuiltin(dst, b, &nc)
		dst = s.scanNames(dst, base, b, &nc)
	} else {
		dst = s.scanBuiltin(dst, b, nil)
	}
	if len(s.custom) == 0 {
		return dst, nil
	}
	return s.scanCustom(dst, base, b)
}

// scanBuiltin is the single pass over b. It walks words (runs of ASCII letters
// and digits) and the punctuation between them. Each word start and each
// trigger byte is offered to the matchers that can begin there; on a match the
// scan resumes after it.
//
// When nc is not nil, the walk also records in it where the name pass has
// work (see nameCands).
func (s *Scanner) scanBuiltin(dst []Finding, b []byte, nc *nameCands) []Finding {
	base := len(dst)
	n := len(b)
	last := 0 // end of the last finding; nothing may start before it
	i := 0
	inWord := false
	for {
		if i = nextWork(b, i, inWord, nc); i >= n {
			break
		}
		inWord = false
		k := class[b[i]]
		if k&cAlnum != 0 && i > last && class[b[i-1]]&cAlnum != 0 {
			// A digit after a letter inside a word: an IBAN may have begun
			// two letters before ("DE89..."), an address may begin here
			// (host1.2.3.4.example.com, "d211-116-254-214.rev.example.net").
			if t, st, end := s.matchInWord(b, i, last); end > 0 {
				dst = append(dst, Finding{Type: t, Start: st, End: end})
				i, last = end, end
				continue
			}
			i, inWord = i+1, true
			continue
		}
		if k&cAlnum != 0 {
			// b[i] starts a word that nextWork did not rule out by its first
			// two bytes. A date or time is stepped over whole (see
			// timestampEnd).
			if k&cDigit != 0 && i+8 <= n && (b[i+2] == ':' || b[i+4] == '-' || b[i+4] == '/' || b[i+4] == '.') {
				if e := timestampEnd(b, i); e > 0 {
					nc.skip(i, e)
					i = e
					continue
				}
			}
			if mayStart(b, i, k) {
				// Matchers see nothing before the last finding: what they
				// decide must not depend on bytes that a replacement of that
				// finding changes, so that scrubbing twice changes nothing.
				if t, st, end := s.matchWordStart(b[last:], i-last); end > 0 {
					st, end = st+last, end+last
					dst = append(dst, Finding{Type: t, Start: st, End: end})
					i, last = end, end
					continue
				}
			}
			i, inWord = i+1, true
			continue
		}
		// A trigger byte.
		switch b[i] {
		case '@':
			// A URL's user-info ("redis://user:pass@host"): its
			// findings, then the host is scanned.
			if s.enabled[idxSecret] {
				if d, at := s.urlCredAt(dst, base, b, i); at > 0 {
					dst = d
					i, last = at+1, at+1
					continue
				}
			}
			if s.enabled[idxEmail] {
				if st, end := s.emailAfter(dst, base, b, i, i+1, last); end > 0 {
					dst = dropLocal(dst, base, st)
					dst = withDisplayName(dst, base, b, st)
					dst = append(dst, Finding{Type: Email, Start: st, End: end})
					i, last = end, end
					continue
				}
			}
		case '&':
			// "jo&#64;example.com": an '@' written as an HTML entity.
			if s.enabled[idxEmail] {
				if w := atEntity(b, i); w > 0 {
					if st, end := s.emailAfter(dst, base, b, i, i+w, last); end > 0 {
						dst = dropLocal(dst, base, st)
						dst = append(dst, Finding{Type: Email, Start: st, End: end})
						i, last = end, end
						continue
					}
				}
			}
		case '%':
			if t, st, end := s.matchPercent(dst, base, b, i, last); end > 0 {
				dst = dropLocal(dst, base, st)
				dst = append(dst, Finding{Type: t, Start: st, End: end})
				i, last = end, end
				continue
			}
		case '+', '(':
			// nextWork stops here only before a digit ("+44", "(020)").
			if s.enabled[idxPhone] && !alnumAt(b, i-1) {
				if end := s.phone.match(b[last:], i-last); end > 0 {
					end += last
					dst = append(dst, Finding{Type: Phone, Start: i, End: end})
					i, last = end, end
					continue
				}
			}
		case ':':
			// "::1", "::ffff:10.0.0.1": IPv6 that begins with a colon.
			// As for words, nothing before the last finding is looked at.
			if s.enabled[idxIPv6] && i+1 < n && b[i+1] == ':' && (i == last || !alnumAt(b, i-1) && b[i-1] != ':') {
				if end := matchIPv6(b[last:], i-last); end > 0 {
					end += last
					dst = append(dst, Finding{Type: IPv6, Start: i, End: end})
					i, last = end, end
					continue
				}
			}
			fallthrough
		case '=':
			// key=value and "key": "value" pairs whose key names a secret.
			if s.enabled[idxSecret] {
				if st, end := matchSecretValue(b, i); end > 0 {
					dst = append(dst, Finding{Type: Secret, Start: st, End: end})
					i, last = end, end
					continue
				}
			}
		}
		i++
	}
	return dst
}

// matchInWord tries the matchers that can begin around b[i], a digit right
// after a letter inside a word: an IBAN whose two letters start the word, a
// national id whose letters start it ("S1234567D", see natIDLettersAt), and
// an IPv4 address, dotted or dashed, starting at b[i]. It returns the type and
// span of the first match, or an end of 0.
func (s *Scanner) matchInWord(b []byte, i, last int) (Type, int, int) {
	if ws := i - 2; ws >= last && s.enabled[idxIBAN] && ibanDigitsAt(b, i) {
		if t, st, end := s.matchWordStart(b[last:], ws-last); end > 0 {
			return t, st + last, end + last
		}
	}
	if s.natLetters && class[b[i-1]]&cUpper != 0 && natIDLettersAt(b, i) {
		if t, st, end := s.matchNatIDLetters(b, i, last); end > 0 {
			return t, st, end
		}
	}
	j := firstOctetEnd(b, i)
	if j >= len(b) {
		return "", 0, 0
	}
	switch {
	case b[j] == '.' && s.enabled[idxIPv4]:
		if end := matchIPv4(b, i); end > 0 {
			return IPv4, i, end
		}
	case b[j] == '-' && s.enabled[idxIPv4]:
		if end := matchDashedIPv4(b, i); end > 0 {
			return IPv4, i, end
		}
	}
	// A card number glued to the letters before it ("card4111...").
	if s.enabled[idxCard] && j-i == 3 && cardInWord(b, i) {
		if end := matchCard(b, i); end > 0 {
			return CreditCard, i, end
		}
	}
	return "", 0, 0
}

// Bits of wordStart: what a word starting with a letter may be.
const (
	wsHex    = 1 << iota // an IPv6 address, MAC or UUID
	wsSecret             // an API key or an authentication scheme
	wsJWT                // a JWT ("eyJ")
)

// wordStart says, for the first byte of a word starting with a letter, what
// the word may be (see mayStart).
var wordStart = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if class[c]&cHexLet != 0 {
			t[c] |= wsHex
		}
		if secretStart[c] != 0 {
			t[c] |= wsSecret
		}
	}
	t['e'] |= wsJWT
	return t
}()

// mayStart is the scan loop's cheap filter for a word starting at b[i] (of
// class k): it rules out, by the shape of the word's first bytes, the words
// that no matcher could begin with, which are most words of a log line.
// matchWordStart decides for the others.
func mayStart(b []byte, i int, k uint8) bool {
	n := len(b)
	if k&cDigit == 0 {
		if b[i] == 'B' && pemAt(b, i) {
			return true
		}
		// IBAN: two letters then two digits.
		if i+3 < n && class[b[i+2]]&class[b[i+3]]&cDigit != 0 {
			return true
		}
		ws := wordStart[b[i]]
		if ws&wsJWT != 0 && i+2 < n && b[i+1] == 'y' && b[i+2] == 'J' {
			return true
		}
		if ws&wsSecret != 0 && maySecret(b, i) {
			return true
		}
		if ws&wsHex == 0 {
			return false
		}
	}
	return hexRunGoesOn(b, i, k)
}

// hexRunGoesOn is the part of mayStart for a word that starts with a hex or
// decimal run at b[i] (of class k): what ends the run tells whether an
// address, a hex id or a long number can start here.
func hexRunGoesOn(b []byte, i int, k uint8) bool {
	n := len(b)
	d := b[:min(n, i+9)] // nine hex digits at most
	j := i + 1
	for uint(j) < uint(len(d)) && class[d[j]]&(cDigit|cHexLet) != 0 {
		j++
	}
	if j >= n || k&cDigit != 0 && j-i >= 7 {
		// Seven digits or more may be a long number (a phone number after
		// a cue: "HP 0111002+0"), whatever ends them.
		return k&cDigit != 0 && j-i >= 7
	}
	switch b[j] {
	case '.':
		if k&cDigit == 0 {
			return j-i == 4 // Cisco MAC "001a.2b3c.4d5e"
		}
		// A dotted run of numbers: an IPv4 address needs three dots, a
		// dotted phone number seven digits; "HTTP/1.1", "Chrome/32.0"
		// and "12.5ms" have neither.
		dots, digits := 0, j-i
		for q := j; q < n && q < i+40; q++ {
			c := b[q]
			if c == '.' {
				dots++
			} else if class[c]&cDigit != 0 {
				digits++
			} else {
				break
			}
		}
		return dots >= 3 || digits >= 7 || j-i == 4 || coordMay(b, j, j-i)
	case ':':
		// An IPv6 address needs "::" or seven colons, a MAC five; a
		// clock time ("10:05:03") has two or three.
		colons := 0
		for q := j; q < n && q < i+45; q++ {
			c := b[q]
			if c == ':' {
				if q+1 < n && b[q+1] == ':' {
					return true
				}
				colons++
			} else if class[c]&(cDigit|cHexLet) == 0 && c != '.' {
				break
			}
		}
		return colons >= 5
	case '-':
		// A UUID has eight hex digits before its first dash, a MAC two;
		// a dashed address, card, IMEI or phone number goes on with a
		// digit (or a space or '(' between phone groups). "8080-exec-1"
		// has none of these.
		if j-i == 8 || j-i == 2 {
			return true
		}
		return k&cDigit != 0 && groupAfter(b, j)
	case ' ', '(', ')', '/':
		// A phone number's next group; or, after nine digits or a DNI's
		// eight and its letter, the end of a national id; or an IBAN's
		// check digits after its country code ("GB 29 NWBK ...").
		return k&cDigit != 0 && (phoneGroupAt(b, j+1) || j-i == 9 || j-i == 2 && ibanSplitAt(b, i))
	case '_', '\t':
		// A card number's next group ("4111_1111_...").
		return k&cDigit != 0 && cardGroupAt(b, i, j)
	case '+':
		// "YYMMDD+NNNC", a Swedish personnummer of someone aged 100.
		return k&cDigit != 0 && j-i == 6 && j+1 < n && class[b[j+1]]&cDigit != 0
	}
	// Eight or more hex digits in a row: a long number (card, IMEI,
	// phone), or a hex id that goes on.
	return j-i >= 7 && k&cDigit != 0
}

// phoneGroupAt reports whether b[p] may begin the next group of a number
// after a separator: a digit, or '(' around an area code.
func phoneGroupAt(b []byte, p int) bool {
	return p < len(b) && (class[b[p]]&cDigit != 0 || b[p] == '(')
}

// groupAfter reports whether a number may go on after its separator b[j]
// ('-', '.', ' ', ...): a next group follows, or a space between phone
// groups ("555- 1234").
func groupAfter(b []byte, j int) bool {
	return phoneGroupAt(b, j+1) || j+1 < len(b) && b[j+1] == ' '
}

// Indexes of the built-in types in Builtin and Scanner.enabled.
const (
	idxIPv4 = iota
	idxIPv6
	idxEmail
	idxPhone
	idxCard
	idxIBAN
	idxMAC
	idxIMEI
	idxUUID
	idxJWT
	idxSecret
	idxCoords
	idxPerson
	idxAddress
	idxNatID // the first of NationalIDs (natid.go), in their order
)

// matchWordStart tries every matcher that can begin at b[i], where b[i] is an
// ASCII letter or digit and b[i-1] is not. It returns the type and the span of
// the first match, or an end of 0.
func (s *Scanner) matchWordStart(b []byte, i int) (Type, int, int) {
	c := b[i]
	k := class[c]
	n := len(b)
	// Measure the run of hex digits: what follows it tells the shape cheaply.
	j := i
	for j < n && isHex(b[j]) {
		j++
	}
	var next byte
	if j < n {
		next = b[j]
	}
	run := j - i
	switch next {
	case ':':
		if run == 2 && s.enabled[idxMAC] {
			if end := matchMAC(b, i); end > 0 {
				return MAC, i, end
			}
		}
		if run <= 4 && s.enabled[idxIPv6] {
			if end := matchIPv6(b, i); end > 0 {
				return IPv6, i, end
			}
		}
	case '-':
		if run == 8 && s.enabled[idxUUID] {
			if end := matchUUID(b, i); end > 0 {
				return UUID, i, end
			}
		}
		if run == 2 && s.enabled[idxMAC] {
			if end := matchMAC(b, i); end > 0 {
				return MAC, i, end
			}
		}
		if run <= 3 && k&cDigit != 0 && s.enabled[idxIPv4] {
			if end := matchDashedIPv4(b, i); end > 0 {
				return IPv4, i, end
			}
		}
	case '.':
		if run == 4 && s.enabled[idxMAC] {
			if end := matchMAC(b, i); end > 0 {
				return MAC, i, end
			}
		}
	}
	if k&cDigit != 0 {
		// An IBAN whose country code stands apart: "FR 76 3000 ...".
		if run == 2 && s.enabled[idxIBAN] && ibanSplitAt(b, i) {
			if end := matchIBAN(b, i-3); end > 0 {
				return IBAN, i - 3, end
			}
		}
		// A dotted quad has a dot after its first octet; a phone, card or
		// IMEI number a separator or seven digits in a row.
		if next == '.' && run <= 3 && s.enabled[idxIPv4] {
			if end := matchIPv4(b, i); end > 0 {
				return IPv4, i, end
			}
		}
		if next == '.' && s.enabled[idxCoords] && coordMay(b, j, run) {
			if st, end := matchCoords(b, i); end > 0 {
				return Coordinates, st, end
			}
		}
		if (next == '_' || next == '\t') && run == 4 {
			// Only a card is written with these separators.
			if s.enabled[idxCard] {
				if end := matchCard(b, i); end > 0 {
					return CreditCard, i, end
				}
			}
			return "", 0, 0
		}
		if !(run >= 7 || isNumberSep(next) || next == '+' && run == 6) {
			return "", 0, 0
		}
		long := longNumber(b, i)
		// National ids (natid_scan.go), first ruled out by the length of
		// the run and what follows it.
		if s.natNumbers && (long && natGate[min(run, len(natGate)-1)]&natNext[next] != 0 && natStartOK(b, i) && natGroupsOK(b, i, run, next) ||
			!long && natShortGate(b, i, run, next)) {
			if t, st, end := s.matchNatIDNumber(b, i, long); end > 0 {
				return t, st, end
			}
		}
		if !long {
			return "", 0, 0
		}
		if s.enabled[idxCard] {
			if end := matchCard(b, i); end > 0 {
				return CreditCard, i, end
			}
		}
		if s.enabled[idxIMEI] {
			if end := matchIMEI(b, i); end > 0 {
				return IMEI, i, end
			}
		}
		if s.enabled[idxPhone] {
			if end := s.phone.match(b, i); end > 0 {
				return Phone, i, end
			}
		}
		return "", 0, 0
	}
	// A letter.
	if c == 'B' && s.enabled[idxSecret] {
		if st, end := matchPEM(b, i); end > 0 {
			return Secret, st, end
		}
	}
	if s.enabled[idxIBAN] && i+3 < n && isDigit(b[i+2]) && isDigit(b[i+3]) && isLetter(b[i+1]) && (k&cUpper != 0) == isUpperByte(b[i+1]) {
		if end := matchIBAN(b, i); end > 0 {
			return IBAN, i, end
		}
	}
	if c == 'e' && s.enabled[idxJWT] {
		if end := matchJWT(b, i); end > 0 {
			return JWT, i, end
		}
	}
	if s.enabled[idxSecret] {
		if st, end := matchSecretWord(b, i); end > 0 {
			return Secret, st, end
		}
	}
	return "", 0, 0
}

func isUpperByte(c byte) bool { return class[c]&cUpper != 0 }

// isNumberSep reports whether c may separate the digit groups of a phone,
// card or IMEI number.
func isNumberSep(c byte) bool {
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/'
}

// longNumber reports whether the number-like run at b[i] (digits with single
// separators) holds at least seven digits, the fewest of any phone number,
// card or IMEI. It keeps the heavier matchers off short numbers.
func longNumber(b []byte, i int) bool {
	// After "08:06:" a number is part of a clock time.
	if i >= 2 && b[i-1] == ':' && isDigit(b[i-2]) {
		return false
	}
	// Dates ("2026-11-29", "2026.11.29") are the most common long numbers
	// in logs.
	if i+10 <= len(b) && isDigit(b[i+3]) && (b[i+4] == '-' || b[i+4] == '.') && b[i+7] == b[i+4] &&
		isDigit(b[i+5]) && isDigit(b[i+6]) && isDigit(b[i+8]) && isDigit(b[i+9]) && (i+10 == len(b) || !isDigit(b[i+10])) {
		return false
	}
	digits := 0
	for j := i; j < len(b) && j < i+40; j++ {
		c := b[j]
		switch {
		case isDigit(c):
			digits++
			if digits >= 7 {
				return true
			}
		case isNumberSep(c):
			if j+1 < len(b) && !groupAfter(b, j) {
				return false
			}
		default:
			return false
		}
	}
	return false
}

// emailAfter matches an e-mail address around the separator at b[at]. When
// the finding before it ends at the separator, or only local-part characters
// lie between them, that finding is (in) the local part of the address ("+14155552671@example.com" in a SIP URI,
// "a@b.co@c.com"): the address wins and covers it, so that a replacement of
// the local part can never form a new address with the domain.
func (s *Scanner) emailAfter(dst []Finding, base int, b []byte, at, domStart, last int) (int, int) {
	if st, end := matchEmailAt(b, at, domStart, last); end > 0 {
		return st, end
	}
	k := len(dst) - 1
	if k < base {
		return 0, 0
	}
	// Only local-part characters between the finding and the separator:
	// the finding was cut out of the local part.
	for p := dst[k].End; p < at; p++ {
		if !localChar(b[p]) {
			return 0, 0
		}
	}
	before := 0
	if k > base {
		before = dst[k-1].End
	}
	if st, end := matchEmailAt(b, at, domStart, before); end > 0 && st <= dst[k].Start {
		return st, end
	}
	// The finding holds an '@' of its own ("a@b.co@c.com"): the address
	// is the whole run.
	if end := matchDomain(b, domStart); end > 0 {
		return dst[k].Start, end
	}
	return 0, 0
}

// dropLocal removes the last finding when an address starting at st covers
// it (see emailAfter).
func dropLocal(dst []Finding, base, st int) []Finding {
	if k := len(dst) - 1; k >= base && dst[k].Start >= st {
		return dst[:k]
	}
	return dst
}

// matchPercent handles a percent escape at b[i] in URLs: "%40" between the
// parts of an e-mail address, and an escape ("%2F", "%3D", "%5B") right before
// an address.
func (s *Scanner) matchPercent(dst []Finding, base int, b []byte, i, last int) (Type, int, int) {
	if i+2 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) {
		return "", 0, 0
	}
	if b[i+1] == '4' && b[i+2] == '0' {
		if s.enabled[idxEmail] {
			if st, end := s.emailAfter(dst, base, b, i, i+3, last); end > 0 {
				return Email, st, end
			}
		}
		return "", 0, 0
	}
	j := i + 3
	if j < len(b) && isDigit(b[j]) {
		return s.matchAfterEscape(b, i, j)
	}
	if j < len(b) && isAlnum(b[j]) {
		if t, st, end := s.matchWordStart(b, j); end > 0 {
			return t, st, end
		}
	}
	return "", 0, 0
}

// matchAfterEscape matches a number right after the percent escape at b[i]
// (j is i+3), in URLs and form bodies: "card%3D4111...", "q=%22078...",
// "to=%2B4915123456789". The escape separates the number as the byte it
// encodes would ('=', '"', ' '), so the matchers see the number from j on:
// its two hex digits are not letters glued to it. "%2B" is a '+', so the
// digits after it are tried as an international number.
func (s *Scanner) matchAfterEscape(b []byte, i, j int) (Type, int, int) {
	// As a '+' (see the scan loop), it is not glued to a word before it,
	// which in base64 it is ("...Xy%2B4915..."); an escape before it
	// ("tel%3A%2B1...") is a separator.
	if b[i+1] == '2' && b[i+2]|0x20 == 'b' && s.enabled[idxPhone] && (i == 0 || !isAlnum(b[i-1]) || i >= 3 && b[i-3] == '%') {
		// The phone matcher reads a '+' and the number after it; at most
		// a number's length of b is copied behind one.
		var buf [32]byte
		buf[0] = '+'
		n := 1 + copy(buf[1:], b[j:])
		if end := s.phone.match(buf[:n], 0); end > 0 && (end < n || j+end-1 == len(b) || !isAlnum(b[j+end-1])) {
			return Phone, i, j + end - 1
		}
	}
	if t, st, end := s.matchWordStart(b[j:], 0); end > 0 {
		return t, st + j, end + j
	}
	return "", 0, 0
}
