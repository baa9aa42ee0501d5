package detectors

// nextWork returns the first index at or after i where the scan loop has
// work to do, or len(b): a trigger byte that triggerWork does not rule out, a
// word start that startsCandidate does not rule out, a number at a word start
// that may be more than a short count, or a digit right after a letter where
// inWordCandidate sees an IBAN or an address begin. When inWord is true,
// b[i-1] is part of a word that was already looked at, and the rest of that
// word is walked as such.
//
// This is the loop that most bytes of a log line go through, so it is kept
// small: one table lookup per byte, and the tests that rule out a place are
// the first tests of the matchers that would be called there, so that the
// scan loop is not returned to (a call in Go spills and reloads the caller's
// live registers). TestNextWork and FuzzTriggerWork check that nothing a
// matcher could find is passed over.
func nextWork(b []byte, i int, inWord bool, nc *nameCands) int {
	n := len(b)
	if i < 0 || i >= n {
		if nc != nil {
			nc.fill(b, n)
		}
		return n
	}
	if nc != nil && nc.complete < i {
		// The scan loop stepped over b[nc.complete:i] (a finding, a
		// timestamp): the name pass's candidates there are found byte by
		// byte.
		nc.fill(b, i)
	}
	// The walk has two states, each a loop of its own that steps over
	// its common bytes with one table lookup each: outside a word (spaces
	// and punctuation) and inside one (letters, and digits after
	// digits).
	//
	// The loops compare indexes as unsigned numbers, which lets the
	// compiler drop the bounds checks, and read the global table, which
	// costs no nil check.
	if inWord && i > 0 && walkKind[b[i-1]]&(wkLetter|wkDigit) != 0 {
		goto word
	}
outside:
	for uint(i) < uint(len(b)) {
		k := walkKind[b[i]]
		for k == 0 {
			// Space and punctuation that announces nothing.
			i++
			if uint(i) >= uint(len(b)) {
				return nc.stop(n)
			}
			k = walkKind[b[i]]
		}
		switch k {
		case wkQuiet:
			// A small letter that starts no candidate pair: the word is
			// walked as such.
			i++
			goto word
		case wkLetter:
			c := b[i]
			if nc != nil && c <= 'Z' && (i == 0 || b[i-1] < '@' && walkKind[b[i-1]] != wkDigit) && (i+1 >= n || b[i+1] < 'A' || b[i+1] > 'Z') {
				nc.add(i, i+1) // a capital that may start a name
			}
			if i+1 < n && startsCandidate(c, b[i+1]) && (namedStart(c, b[i+1]) || hexRunGoesOn(b, i, cLetter)) {
				return nc.stop(i)
			}
			// A word start ruled out: walk the rest of the word.
			i++
			goto word
		case wkDigit:
			// A digit starting a word. A number of fewer than seven
			// digits that ends in a byte no address, id or long number
			// goes on with is nothing (mayStart would say so): step
			// over it here, without returning.
			d := b[:min(n, i+7)] // seven digits at most
			j := i + 1
			for uint(j) < uint(len(d)) && walkKind[d[j]] == wkDigit {
				j++
			}
			if j-i >= 7 {
				return nc.stop(i)
			}
			if j >= n {
				return nc.stop(n)
			}
			switch c := b[j]; numberEnd[c] {
			case 1:
				i = j
				goto word
			case 2:
				if !phoneGroupAt(b, j+1) && !ibanSplitAt(b, i) {
					i = j
					goto outside // a space
				}
			case 3:
				if !cardGroupAt(b, i, j) {
					i = j
					goto outside // '_' or a tab
				}
			default:
				// "8080-exec-1": after a dash, only a MAC's second group
				// (two digits before it) or the next group of a number
				// goes on (see hexRunGoesOn).
				if c == '-' && j-i != 2 && !groupAfter(b, j) {
					i = j
					goto outside
				}
				// After a '+', only a Swedish personnummer's last four
				// digits go on ("YYMMDD+NNNC", see hexRunGoesOn).
				if c == '+' && !(j-i == 6 && j+1 < n && walkKind[b[j+1]] == wkDigit) {
					i = j
					goto outside
				}
			}
			return nc.stop(i)
		case wkTrig:
			if triggerWork(b, i) {
				return nc.stop(i)
			}
			i++
		default: // wkHigh
			// Non-ASCII bytes: no matcher of this loop starts on one,
			// and the name pass looks at each.
			j := i + 1
			for j < n && b[j] >= 0x80 {
				j++
			}
			if nc != nil {
				nc.add(i, j)
			}
			i = j
		}
	}
	return nc.stop(n)
word:
	// The rest of a word that was already looked at: letters go on; a
	// digit right after a letter may start what matchInWord finds.
	for {
		for uint(i) < uint(len(b)) && walkKind[b[i]]&wkLetter != 0 {
			i++
		}
		if uint(i) >= uint(len(b)) {
			return nc.stop(n)
		}
		if walkKind[b[i]] != wkDigit {
			goto outside
		}
		// A digit after a small letter begins something for
		// inWordCandidate only when a digit, '.' or '-' follows it (an
		// IBAN's check digits, an octet, a card number); a national id's
		// digits follow a capital. So the digits between the letters
		// of a hex id ("62d7b2b4") are passed without a call.
		if walkKind[b[i-1]]&wkLetter != 0 && (b[i-1] <= 'Z' || uint(i+1) < uint(len(b)) && walkKind[b[i+1]]&wkLetter == 0) && inWordCandidate(b, i) {
			return nc.stop(i)
		}
		i++
		for uint(i) < uint(len(b)) && walkKind[b[i]] == wkDigit {
			i++
		}
	}
}

// Kinds of bytes for nextWork's walk: one table lookup tells a byte apart.
// Each letter has the bit wkLetter, which is all the walk inside a word
// looks at.
const (
	wkLetter = 1 << iota // A-Z, a-z, except the wkQuiet letters
	wkDigit              // 0-9
	wkTrig               // a trigger byte (cTrig)
	wkHigh               // a non-ASCII byte
	wkQuietBit
	// wkQuiet is a small letter that is the first byte of no pair in
	// candidatePairs: a word that starts with it starts no candidate, and
	// it is no capital that may start a name, so the walk goes into the
	// word without a look at the byte after it (most words of free text).
	wkQuiet = wkLetter | wkQuietBit
)

// walkKind is the kind of each byte for nextWork; 0 for the ASCII bytes
// that are neither letters, digits nor triggers.
var walkKind = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		k := class[c]
		switch {
		case k&cLetter != 0 && k&cUpper == 0 && !firstOfPair(&candidatePairs, byte(c)):
			t[c] = wkQuiet
		case k&cLetter != 0:
			t[c] = wkLetter
		case k&cDigit != 0:
			t[c] = wkDigit
		case k&cTrig != 0:
			t[c] = wkTrig
		case c >= 0x80:
			t[c] = wkHigh
		}
	}
	return t
}()

// A pairSet is a set of byte pairs: a bit set indexed by the first byte
// times 256 plus the second.
type pairSet [256 * 256 / 64]uint64

func (t *pairSet) add(c0, c1 byte) {
	x := int(c0)<<8 | int(c1)
	t[x>>6] |= 1 << (x & 63)
}

func (t *pairSet) has(c0, c1 byte) bool {
	x := int(c0)<<8 | int(c1)
	return t[x>>6]&(1<<(x&63)) != 0
}

// firstOfPair reports whether c0 is the first byte of a pair in t.
func firstOfPair(t *pairSet, c0 byte) bool {
	for _, w := range t[int(c0)<<2 : int(c0)<<2+4] {
		if w != 0 {
			return true
		}
	}
	return false
}

// candidatePairs holds, for each pair of bytes, whether a word starting with
// a letter followed by the second byte may begin a finding that a matcher
// looks for at word starts (see startsCandidate).
var candidatePairs = func() (t pairSet) {
	// An IPv6 address, MAC or UUID starting with a hex letter: a hex digit
	// or a colon follows ("fe80::1", "a::1", "ab:cd:...", "deadbeef-...").
	for c0 := 0; c0 < 256; c0++ {
		if class[c0]&cHexLet == 0 {
			continue
		}
		for c1 := 0; c1 < 256; c1++ {
			if class[c1]&(cDigit|cHexLet) != 0 || c1 == ':' {
				t.add(byte(c0), byte(c1))
			}
		}
	}
	// Vendor key prefixes, authentication schemes, JWTs.
	for k := range t {
		t[k] |= namedPairs[k]
	}
	return t
}()

// namedPairs is the part of candidatePairs that comes from names (vendor key
// prefixes, authentication schemes, "ey" of a JWT, "BE" of a PEM block's
// BEGIN), not from hex digits.
var namedPairs = func() (t pairSet) {
	for _, tp := range tokenPrefixes {
		t.add(tp.prefix[0], tp.prefix[1])
	}
	for _, sch := range authSchemes {
		for _, c0 := range foldCase(sch[0]) {
			for _, c1 := range foldCase(sch[1]) {
				t.add(c0, c1)
			}
		}
	}
	t.add('e', 'y') // a JWT: "eyJ"
	t.add('B', 'E') // a PEM block: "-----BEGIN"
	return t
}()

// namedStart reports whether a word whose first two bytes are c0 and c1 may
// begin a vendor key, an authentication scheme or a JWT. Where only
// candidatePairs' hex rule lets a word start through, the walk asks
// hexRunGoesOn as well: an address, MAC or UUID that starts with a hex
// letter goes on with '.', ':' or '-' after its first hex run, and English
// words that start with hex letters ("added", "Accepted") do not.
func namedStart(c0, c1 byte) bool {
	return namedPairs.has(c0, c1)
}

// foldCase returns c and, for a lower-case letter, its upper case.
func foldCase(c byte) []byte {
	if 'a' <= c && c <= 'z' {
		return []byte{c, c - 'a' + 'A'}
	}
	return []byte{c}
}

// startsCandidate reports whether a word whose first two bytes are c0 (a
// letter) and c1 may begin a finding at its start. IBANs ("DE89...") are not
// in the table: the scan loop finds them at the digit after their two letters.
func startsCandidate(c0, c1 byte) bool {
	return candidatePairs.has(c0, c1)
}

// inWordCandidate reports whether the digit b[i], which follows a letter
// inside a word, may begin what matchInWord looks for: the digits of an IBAN
// whose two letters start the word ("DE89..."), the digits of a national id
// after the upper-case letters that start the word, or a first octet of one to
// three digits followed by a '.' or a '-' (host1.2.3.4.example.com,
// "d211-116-254-214.rev.example.net").
func inWordCandidate(b []byte, i int) bool {
	if ibanDigitsAt(b, i) || class[b[i-1]]&cUpper != 0 && natIDLettersAt(b, i) {
		return true
	}
	j := firstOctetEnd(b, i)
	if j < len(b) && (b[j] == '.' || b[j] == '-') {
		return true
	}
	return j-i == 3 && cardInWord(b, i)
}

// cardInWord reports whether the digits from b[i] on, glued to a letter
// before them, may be a card number: 12 to 19 digits, or a first group of
// four followed by a card separator and a digit (see matchCard).
func cardInWord(b []byte, i int) bool {
	j := numRun(b, i, 20)
	if run := j - i; run >= 12 && run <= 19 {
		return true
	}
	return j-i == 4 && j+1 < len(b) && cardSep(b[j]) && class[b[j+1]]&cDigit != 0
}

// ibanDigitsAt reports whether the digit b[i], after a letter, and the byte
// after it (a digit) may be an IBAN's check digits: two letters before b[i]
// start the word.
func ibanDigitsAt(b []byte, i int) bool {
	return i >= 2 && i+1 < len(b) && class[b[i+1]]&cDigit != 0 && class[b[i-2]]&cLetter != 0 && (i == 2 || class[b[i-3]]&cAlnum == 0)
}

// firstOctetEnd returns the index after the digits from b[i] on, three at
// most: where the first octet of an address starting at b[i] would end.
func firstOctetEnd(b []byte, i int) int {
	j := i + 1
	for j < len(b) && j < i+3 && class[b[j]]&cDigit != 0 {
		j++
	}
	return j
}

// numberEnd classifies the byte after a short run of digits at a word start:
// 1 when nothing the matchers look for goes on from there, 2 for a space
// (which may separate the groups of a phone number when a digit or '(' comes
// next), 3 for '_' and tab (which may separate the groups of a card number,
// see cardGroupAt), 0 otherwise: a hex letter (an IPv6 address, MAC or hex id goes on),
// or a separator of addresses, dates and numbers ('.', ':', '-', '/', '(',
// ')', and '+' in a Swedish personnummer).
var numberEnd = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		t[c] = 1
	}
	for c := 0; c < 256; c++ {
		if class[c]&(cDigit|cHexLet) != 0 {
			t[c] = 0
		}
	}
	for _, c := range ".:-/()+" {
		t[c] = 0
	}
	t[' '] = 2
	t['_'], t['\t'] = 3, 3
	return t
}()

// cardGroupAt reports whether the run of digits b[i:j], at a word start and
// followed by '_' or a tab, may be the first group of a card number written
// with that separator ("4111_1111_..."): four digits, then a digit.
func cardGroupAt(b []byte, i, j int) bool {
	return j-i == 4 && j+1 < len(b) && class[b[j+1]]&cDigit != 0
}

// triggerWork reports whether the trigger byte b[i] may start or announce a
// finding, by the tests the scan loop's matchers begin with: a phone number
// after '+' or '(' begins with a digit, a percent escape has two hex digits,
// an e-mail domain after '@' has a first label and a dot, and a ':' or '='
// is work only before a second ':' ("::1") or after a key whose last four
// bytes end a secret key name (see matchSecretValue).
func triggerWork(b []byte, i int) bool {
	n := len(b)
	switch b[i] {
	case '+', '(':
		return i+1 < n && class[b[i+1]]&cDigit != 0
	case '%':
		return i+2 < n && isHex(b[i+1]) && isHex(b[i+2])
	case '@':
		// An e-mail domain has two labels at least (see matchDomain); an
		// internationalised one has non-ASCII bytes.
		j := i + 1
		for j < n && j-i <= 64 && (class[b[j]]&cAlnum != 0 || b[j] == '-' || b[j] >= 0x80) {
			j++
		}
		if j < n && b[j] == '%' {
			return true // a percent-encoded label or dot: matchDomain decides
		}
		return j > i+1 && j+1 < n && b[j] == '.' && (class[b[j+1]]&(cAlnum|cTrig) != 0 || b[j+1] >= 0x80) || userinfoTrigger(b, i)
	case '&':
		return atEntity(b, i) > 0
	case ':', '=':
		if b[i] == ':' && i+1 < n && b[i+1] == ':' {
			return true
		}
		k := i
		for k > 0 && b[k-1] == ' ' && i-k < 4 {
			k--
		}
		if k > 0 && (b[k-1] == '"' || b[k-1] == '\'') {
			k--
		}
		return k >= 5 && secretTails.has(b[k-4:k])
	}
	return true
}
