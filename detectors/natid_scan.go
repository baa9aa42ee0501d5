package detectors

// The matchers of national ids in the scan loop (see natid.go): numbers at
// a word start, and ids that start with letters.

// natMaxGroups and natMaxDigits bound a number's shape: no national id has
// more groups or digits.
const (
	natMaxGroups = 7
	natMaxDigits = 18
)

// A numShape is a number written at a word start: its digit groups, the
// separator before each group after the first, and the digits without
// separators. It lives on the stack.
type numShape struct {
	n      int                 // groups
	glen   [natMaxGroups]uint8 // digits per group
	sep    [natMaxGroups]byte  // sep[k] precedes group k (k >= 1)
	gend   [natMaxGroups]int   // index after group k
	d      [natMaxDigits]byte  // the digits
	nd     int                 // len of d
	spaced int                 // groups before the first ' ' separator, or n
	// more is set when the number goes on after a ' ' with more groups or
	// digits than any national id has: only the groups before that space
	// were read.
	more bool
}

// readNumShape reads the number at b[i]: groups of digits separated by one
// ' ', '-' or '.' with a digit after it. When the number has more
// groups or digits than any national id, only the groups before its last
// ' ' within those bounds are kept (more is set; "390.533.447-05 112-233-445
// 95" is two numbers); without such a space it reports false, so that no
// national id is taken out of a longer number.
func readNumShape(b []byte, i int, sh *numShape) bool {
	n := len(b)
	j := i
	lastSpace := 0 // groups before the last ' ' separator read
	tooLong := func() bool {
		if lastSpace == 0 {
			return false
		}
		sh.n, sh.more = lastSpace, true
		sh.nd = 0
		for g := 0; g < sh.n; g++ {
			sh.nd += int(sh.glen[g])
		}
		return true
	}
read:
	for {
		st := j
		for j < n && isDigit(b[j]) {
			if sh.nd == natMaxDigits {
				if !tooLong() {
					return false
				}
				break read
			}
			sh.d[sh.nd] = b[j]
			sh.nd++
			j++
		}
		sh.glen[sh.n] = uint8(j - st)
		sh.gend[sh.n] = j
		sh.n++
		if j+1 >= n || !isDigit(b[j+1]) {
			break
		}
		c := b[j]
		if c != ' ' && c != '-' && c != '.' {
			break
		}
		if sh.n == natMaxGroups {
			if c == ' ' {
				lastSpace = sh.n
			}
			if !tooLong() {
				return false
			}
			break
		}
		if c == ' ' {
			lastSpace = sh.n
		}
		sh.sep[sh.n] = c
		j++
	}
	sh.spaced = sh.n
	for k := 1; k < sh.n; k++ {
		if sh.sep[k] == ' ' {
			sh.spaced = k
			break
		}
	}
	return true
}

// is reports whether the first k groups of sh have the lengths and
// separators of form, written as group lengths and separators ("3-2-4",
// "3.3.3-2", "11"; a group length of 10 or more is written as a letter from
// 'a': "b" is 11).
func (sh *numShape) is(k int, form string) bool {
	g := 0
	for p := 0; p < len(form); p++ {
		c := form[p]
		var l uint8
		switch {
		case '1' <= c && c <= '9':
			l = c - '0'
		case 'a' <= c && c <= 'z':
			l = c - 'a' + 10
		default:
			if g == 0 || g >= k || sh.sep[g] != c {
				return false
			}
			continue
		}
		if g >= k || sh.glen[g] != l {
			return false
		}
		g++
	}
	return g == k
}

// digitsOf returns the digits of the first k groups.
func (sh *numShape) digitsOf(k int) []byte {
	nd := 0
	for g := 0; g < k; g++ {
		nd += int(sh.glen[g])
	}
	return sh.d[:nd]
}

// matchNatIDNumber returns the type and span of a national id that starts
// with the digit b[i] at a word start, or an end of 0. The caller has
// checked natGate and natStartOK for a long number, the length of the run
// and what follows it for another. long is longNumber(b, i): only a Corsican NIR ("2A"/"2B" among its digits), a
// spaced NINO (its digits after a letter pair) and a personnummer with '+'
// are looked for without it.
func (s *Scanner) matchNatIDNumber(b []byte, i int, long bool) (Type, int, int) {
	if !long {
		return s.matchNatIDShort(b, i)
	}
	j := i
	for j < len(b) && isHex(b[j]) {
		j++
	}
	var next byte
	if j < len(b) {
		next = b[j]
	}
	if !natLongMay(b, i, j-i, next) {
		return "", 0, 0
	}
	// One run of digits, the most common number: no shape to read.
	n := len(b)
	j = i
	for j < n && j-i <= natMaxDigits && isDigit(b[j]) {
		j++
	}
	if j+1 >= n || !isDigit(b[j+1]) || b[j] != ' ' && b[j] != '-' && b[j] != '.' {
		if r := j - i; r <= natMaxDigits && (natBareLen(r) || r == 8) {
			if t, end := s.natForms(b, i, nil, 1, j, b[i:j]); end > 0 {
				return t, i, end
			}
		}
		return "", 0, 0
	}
	var sh numShape
	if !natGroupsMay(b, i) || !readNumShape(b, i, &sh) { // natStartOK was checked by the caller
		return "", 0, 0
	}
	// The whole number, then, when a space follows the first groups, the
	// groups before it ("123-45-6789 12:00", "12345678909 2"). Groups
	// separated by spaces are not taken out of a longer run of them.
	if !sh.more || sh.spaced == sh.n {
		if t, end := s.natForms(b, i, &sh, sh.n, sh.gend[sh.n-1], sh.digitsOf(sh.n)); end > 0 {
			return t, i, end
		}
	}
	if sh.spaced < sh.n {
		if t, end := s.natForms(b, i, &sh, sh.spaced, sh.gend[sh.spaced-1], sh.digitsOf(sh.spaced)); end > 0 {
			return t, i, end
		}
	}
	return "", 0, 0
}

// natGroupsMay is the cheap test before readNumShape: the length of the
// first digit group at b[i], the byte after it and the length of the second
// group must begin one of the forms natForms knows. "200 136123" (a status
// and a size) and "1.0.6167" (a version) do not.
func natGroupsMay(b []byte, i int) bool {
	n := len(b)
	j := i
	for j < n && isDigit(b[j]) {
		j++
	}
	r1 := j - i
	if j >= n {
		return natBareLen(r1)
	}
	c := b[j]
	k := j + 1
	for k < n && isDigit(b[k]) {
		k++
	}
	r2 := k - j - 1
	switch {
	case r2 == 0 || c != ' ' && c != '-' && c != '.':
		// No second group: a bare id, or a DNI's eight digits and letter.
		return natBareLen(r1) || r1 == 8
	case c == ' ':
		switch r1<<8 | r2 {
		case 1<<8 | 2, 2<<8 | 3, 3<<8 | 2, 3<<8 | 3, 4<<8 | 2, 4<<8 | 4, 6<<8 | 8, 9<<8 | 2, 13<<8 | 2:
			return true
		}
		return natBareLen(r1) // a bare id and another number after a space
	case c == '-':
		switch r1<<8 | r2 {
		case 3<<8 | 2, 3<<8 | 3, 4<<8 | 4, 6<<8 | 4, 6<<8 | 7, 8<<8 | 4, 9<<8 | 2:
			return true
		}
	case c == '.':
		return r1 == 3 && r2 == 3 || r1 == 4 && r2 == 2
	}
	return false
}

// natBareLen reports whether a national id is written as n digits in a row
// (17: a Chinese id whose check character is X).
func natBareLen(n int) bool {
	return n >= 9 && n <= 18 && n != 14
}

// A natCue answers, for a number at b[i], whether a cue of a family stands
// before it. The first question walks back once for the cue words of every
// family together (natAnyCue); only when one is there is a family's own set
// asked. Bare digits pass a check digit too often for validation to filter
// them first: a number without any label costs one walk and no validation.
type natCue struct {
	b   []byte
	i   int
	any int8 // 0 not asked yet, 1 a cue of some family, -1 none
}

// may reports whether a cue of any family stands before the number.
func (c *natCue) may() bool {
	if c.any == 0 {
		c.any = -1
		if natAnyCue.before(c.b, c.i, natCueWindow, natCueWords) {
			c.any = 1
		}
	}
	return c.any > 0
}

// is reports whether a cue of family f stands before the number.
func (c *natCue) is(f int) bool { return c.may() && natCued(c.b, c.i, f) }

// natForms matches the first k groups of sh, which start at b[i], end at
// end and whose digits are d, against the forms of the national ids of their
// digit count. sh may be nil for a single group (k = 1). It returns the type
// and end of the first that validates and, where it needs one, has its cue.
func (s *Scanner) natForms(b []byte, i int, sh *numShape, k, end int, d []byte) (Type, int) {
	cue := natCue{b: b, i: i}
	// An id ending in a letter: a DNI's check letter, a Chinese id's 'X'.
	if end < len(b) && isLetter(b[end]) {
		switch {
		case len(d) == 8 && k == 1:
			return s.natDNI(b, i, d, end, end)
		case len(d) == 17 && (k == 1 || sh.is(k, "6 8 3")):
			if x := b[end]; (x == 'X' || x == 'x') && natEndOK(b, end+1) && s.enabled[idxNatID+natCN] {
				var id [18]byte
				copy(id[:], d)
				id[17] = x
				if validCNResidentID(id[:]) {
					return CNResidentID, end + 1
				}
			}
		}
		return "", 0
	}
	if end+1 < len(b) && b[end] == '-' && len(d) == 8 && k == 1 && isLetter(b[end+1]) {
		return s.natDNI(b, i, d, end, end+1) // "12345678-Z"
	}
	if !natEndOK(b, end) {
		return "", 0
	}
	switch len(d) {
	case 9:
		if k > 1 && sh.is(k, "3-2-4") && s.enabled[idxNatID+natSSN] && validSSN(d) {
			return USSSN, end
		}
		if (k == 1 || sh.is(k, "3 2 4")) && s.enabled[idxNatID+natSSN] && cue.may() && validSSN(d) && cue.is(natSSN) {
			return USSSN, end
		}
		if (k == 1 || sh.is(k, "4.2.3") || k > 1 && sh.is(k, "4 2 3") || k > 1 && sh.is(k, "3 3 3")) && s.enabled[idxNatID+natBSN] && cue.may() && validBSN(d) && cue.is(natBSN) {
			return NLBSN, end
		}
	case 10:
		if (k == 1 || sh.is(k, "6-4")) && s.enabled[idxNatID+natSE] && cue.may() && validPersonnummer(d) && cue.is(natSE) {
			return SEPersonnummer, end
		}
	case 11:
		if k > 1 && sh.is(k, "3.3.3-2") && s.enabled[idxNatID+natCPF] && validCPF(d) {
			return BRCPF, end
		}
		if (k > 1 && sh.is(k, "3-3-3 2") || k > 1 && sh.is(k, "3-3-3-2")) && s.enabled[idxNatID+natSNILS] && validSNILS(d) {
			return RUSNILS, end
		}
		if k == 1 || sh.is(k, "9-2") || k > 1 && sh.is(k, "9 2") || k > 1 && sh.is(k, "2 3 3 3") {
			if t := s.natEleven(&cue, d, k == 1, k > 1 && sh.is(k, "9-2"), k > 1 && sh.is(k, "9 2"), k > 1 && sh.is(k, "2 3 3 3")); t != "" {
				return t, end
			}
		}
	case 12:
		if k == 1 || sh.is(k, "4 4 4") || k > 1 && sh.is(k, "4-4-4") {
			if s.enabled[idxNatID+natAadhaar] && cue.may() && validAadhaar(d) && cue.is(natAadhaar) {
				return INAadhaar, end
			}
			if s.enabled[idxNatID+natMyNumber] && cue.may() && validMyNumber(d) && cue.is(natMyNumber) {
				return JPMyNumber, end
			}
		}
		if (k == 1 || sh.is(k, "8-4")) && s.enabled[idxNatID+natSE] && cue.may() && validPersonnummer(d) && cue.is(natSE) {
			return SEPersonnummer, end
		}
	case 13:
		if s.enabled[idxNatID+natRRN] {
			dashed := k > 1 && sh.is(k, "6-7")
			if dashed && validRRN(d, true) {
				return KRRRN, end
			}
			if (dashed || k == 1) && cue.may() && validRRN(d, false) && cue.is(natRRN) {
				return KRRRN, end
			}
		}
	case 15:
		if s.enabled[idxNatID+natNIR] && validNIR(d) {
			if k > 1 && sh.is(k, "1 2 2 2 3 3 2") {
				return FRNIR, end
			}
			if (k == 1 || sh.is(k, "d 2")) && cue.may() && cue.is(natNIR) {
				return FRNIR, end
			}
		}
	case 16:
		// Bare, or printed in groups of four as forms and chat
		// messages write it ("5106 1222 1241 5328"); with its cue.
		nikShape := k == 1 || k > 1 && (sh.is(k, "4 4 4 4") || sh.is(k, "4-4-4-4") || sh.is(k, "4.4.4.4"))
		if nikShape && s.enabled[idxNatID+natNIK] && cue.may() && validNIK(d) && cue.is(natNIK) {
			return IDNIK, end
		}
	case 18:
		if (k == 1 || sh.is(k, "6 8 4")) && s.enabled[idxNatID+natCN] && validCNResidentID(d) {
			return CNResidentID, end
		}
	}
	return "", 0
}

// natEleven decides between the families of 11 digits, each with its cue:
// CPF (also "000000000-00"), SNILS (also "000000000 00"), PESEL, TC
// Kimlik and Steuer-IdNr (also "00 000 000 000").
func (s *Scanner) natEleven(cue *natCue, d []byte, bare, dash92, space92, steuer bool) Type {
	switch {
	case (bare || dash92) && s.enabled[idxNatID+natCPF] && cue.may() && validCPF(d) && cue.is(natCPF):
		return BRCPF
	case (bare || space92) && s.enabled[idxNatID+natSNILS] && cue.may() && validSNILS(d) && cue.is(natSNILS):
		return RUSNILS
	case bare && s.enabled[idxNatID+natPESEL] && cue.may() && validPESEL(d) && cue.is(natPESEL):
		return PLPESEL
	case bare && s.enabled[idxNatID+natTCKN] && cue.may() && validTCKN(d) && cue.is(natTCKN):
		return TRTCKN
	case (bare || steuer) && s.enabled[idxNatID+natSteuer] && cue.may() && validSteuerID(d) && cue.is(natSteuer):
		return DETaxID
	}
	return ""
}

// natDNI matches a DNI whose eight digits d start at b[i] and whose check
// letter is at b[at] (right after the digits at end, or after a '-'). A
// check letter that is a hex digit (A-F) without a dash makes the word look
// like a hex id: it then needs a cue, as does a lower-case letter.
func (s *Scanner) natDNI(b []byte, i int, d []byte, end, at int) (Type, int) {
	if !s.enabled[idxNatID+natNIF] || !natEndOK(b, at+1) {
		return "", 0
	}
	var id [9]byte
	copy(id[:], d)
	l := b[at]
	id[8] = l &^ 0x20 // upper case
	if !validDNI(id[:]) {
		return "", 0
	}
	upper := class[l]&cUpper != 0
	hexLike := at == end && class[l]&cHexLet != 0
	if upper && !hexLike || natCued(b, i, natNIF) {
		return ESNIF, at + 1
	}
	return "", 0
}

// natLongMay is the test matchNatIDNumber begins with at a long number,
// whose hex run is run long and followed by next: after six digits and a
// space only a Chinese id's eight digits go on, after one digit and a space
// only a NIR's two.
func natLongMay(b []byte, i, run int, next byte) bool {
	if next == ' ' && run == 6 {
		return i+15 < len(b) && b[i+15] == ' ' || i+15 == len(b)
	}
	return next != ' ' || run != 1 || i+4 < len(b) && b[i+4] == ' '
}

// natGate tells, by the length of the hex run that starts a long number
// (its digits, and a DNI's hex check letter) and the class of the byte after
// it (natNext), whether a national id may start there; the scan loop looks
// it up before it calls matchNatIDNumber. 5, 7 and 14 digits and 19 or more
// begin none; 1 to 4 and 6 digits only a grouped form.
var natGate = func() (t [32]uint8) {
	const any = nEnd | nSpace | nDash | nDot
	for r := 9; r <= 18; r++ {
		t[r] = any
	}
	t[14] = 0
	t[1] = nSpace
	t[2] = nSpace
	t[3] = nSpace | nDash | nDot
	t[4] = nSpace | nDash | nDot
	t[6] = nSpace | nDash
	t[8] = nDash | nLetter // SE 8-4, a DNI's "-L" and letter
	t[17] |= nLetter       // a Chinese id's X
	return t
}()

// natSecondSep gives, for a first group of 1 to 6 digits and a separator,
// where (from the group's start) a grouped form has its second separator,
// the same byte: "1 84 12 ..." (NIR), "12 345 678 901" (Steuer-IdNr),
// "123-45-6789" and "123.456.789-09" (SSN, BSN, CPF, SNILS), "1234 5678 9012"
// and "1234.56.789" (Aadhaar, My Number, BSN), "110105 19491231 002X"; 0 for
// none.
var natSecondSep = [7][2]uint8{1: {4, 0}, 2: {6, 0}, 3: {6, 7}, 4: {7, 9}, 6: {15, 0}}

// natShortGate is the scan loop's test before matchNatIDNumber at a number
// that longNumber ruled out, of hex run length run followed by next: a
// spaced NINO's first digit pair ("AB 12 34 ..."), a Corsican NIR's first
// digit ("2 53 07 2A ...") or its hex run ("253072A..."), a personnummer's
// "YYMMDD+".
func natShortGate(b []byte, i, run int, next byte) bool {
	if run >= 7 {
		return i+6 < len(b) && (b[i+6] == 'A' || b[i+6] == 'B')
	}
	switch next {
	case ' ':
		p := i + 4
		if run == 2 {
			p = i - 1
		}
		return run <= 2 && p >= 0 && p < len(b) && b[p] == ' '
	case '+':
		return run == 6
	}
	return false
}

// natGroupsOK reports whether a first group of run digits at b[i] and the
// separator next after it may begin a grouped form (see natSecondSep). "200
// 136123", a status and a size, does not. It holds for a longer group.
func natGroupsOK(b []byte, i, run int, next byte) bool {
	if run > 6 || next == '-' && run == 6 {
		return true // a bare id; "YYMMDD-NNNC", "YYMMDD-SNNNNNN"
	}
	o := natSecondSep[run]
	p, q := i+int(o[0]), i+int(o[1])
	return o[0] != 0 && p < len(b) && b[p] == next || o[1] != 0 && q < len(b) && b[q] == next
}

// Classes of the byte after a number's first run, for natGate.
const (
	nEnd    = 1 << iota // the input ends, or any other byte
	nSpace              // ' '
	nDash               // '-'
	nDot                // '.'
	nLetter             // a letter (not a hex one: it would be in the run)
)

// natNext is the natGate class of each byte. A NUL byte, also what
// matchWordStart reports at the end of the input, is nEnd.
var natNext = func() (t [256]uint8) {
	for c := range t {
		t[c] = nEnd
		if class[c]&cLetter != 0 {
			t[c] = nLetter
		}
	}
	t[' '], t['-'], t['.'] = nSpace, nDash, nDot
	return t
}()

// matchNatIDShort matches, at a number that longNumber ruled out, the
// national ids whose digits are interrupted: a Corsican NIR
// ("2 53 07 2B 073 004 70", "253072B07300470"), a spaced NINO
// ("AB 12 34 56 C"), whose letter pair is looked at before b[i], and a
// personnummer with '+' ("YYMMDD+NNNC").
func (s *Scanner) matchNatIDShort(b []byte, i int) (Type, int, int) {
	n := len(b)
	// A NINO: "AB 12 34 56 C", b[i] the first digit pair.
	if i >= 3 && b[i-1] == ' ' && i+9 < n && b[i+2] == ' ' && s.enabled[idxNatID+natNINO] {
		st := i - 3
		if (st == 0 || !isAlnum(b[st-1]) && b[st-1] != '_') && natSpacedNINO(b, st) && natEndOK(b, st+13) {
			return UKNINO, st, st + 13
		}
	}
	// A personnummer of someone aged 100 or more: "YYMMDD+NNNC".
	if i+11 <= n && b[i+6] == '+' && s.enabled[idxNatID+natSE] && natStartOK(b, i) && natEndOK(b, i+11) &&
		natDigitsOnly(b[i:i+6]) && natDigitsOnly(b[i+7:i+11]) {
		var d [10]byte
		copy(d[:], b[i:i+6])
		copy(d[6:], b[i+7:i+11])
		if validPersonnummer(d[:]) && natCued(b, i, natSE) {
			return SEPersonnummer, i, i + 11
		}
		return "", 0, 0
	}
	if !s.enabled[idxNatID+natNIR] || !natStartOK(b, i) {
		return "", 0, 0
	}
	var id [15]byte
	var end int
	switch {
	case i+15 <= n && isDigit(b[i+4]) && (b[i+6] == 'A' || b[i+6] == 'B') && b[i+5] == '2':
		// Compact: 5 digits, "2A", 8 digits.
		copy(id[:], b[i:i+15])
		end = i + 15
	case i+21 <= n && b[i+1] == ' ' && b[i+8] == '2' && (b[i+9] == 'A' || b[i+9] == 'B'):
		// Spaced: 1 2 2 2A 3 3 2.
		if !spacedAt(b, i, "1 2 2 1A 3 3 2") {
			return "", 0, 0
		}
		k := 0
		for p := i; p < i+21; p++ {
			if b[p] != ' ' {
				id[k] = b[p]
				k++
			}
		}
		end = i + 21
	default:
		return "", 0, 0
	}
	for p, c := range id {
		if (p < 5 || p > 6) && !isDigit(c) {
			return "", 0, 0
		}
	}
	if !natEndOK(b, end) || !validNIR(id[:]) {
		return "", 0, 0
	}
	spaced := end-i == 21
	if spaced || natCued(b, i, natNIR) {
		return FRNIR, i, end
	}
	return "", 0, 0
}

// spacedAt reports whether b[i:] has the layout form: digits for the group
// lengths, 'A' for any letter, and ' ' for a space.
func spacedAt(b []byte, i int, form string) bool {
	p := i
	for f := 0; f < len(form); f++ {
		if p >= len(b) {
			return false
		}
		c := form[f]
		switch {
		case c == ' ':
			if b[p] != ' ' {
				return false
			}
			p++
		case c == 'A':
			if !isLetter(b[p]) {
				return false
			}
			p++
		default:
			for k := 0; k < int(c-'0'); k++ {
				if p >= len(b) || !isDigit(b[p]) {
					return false
				}
				p++
			}
		}
	}
	return true
}

// natIDLettersAt reports whether the digit b[i], after an upper-case letter
// inside a word, and the digit after it may follow the letters that start
// a national id: one (NRIC, NIE), two (NINO), four (CURP), five (PAN) or
// six (codice fiscale) upper-case letters at the start of the word. It is
// the cheap test that lets the scan loop stop there.
func natIDLettersAt(b []byte, i int) bool {
	if class[b[i-1]]&cUpper == 0 || i+1 >= len(b) || class[b[i+1]]&cDigit == 0 {
		return false
	}
	k := i - 1
	for k > 0 && i-k < 7 && class[b[k-1]]&cUpper != 0 {
		k--
	}
	if k > 0 && (class[b[k-1]]&cAlnum != 0 || b[k-1] == '_') {
		return false
	}
	switch i - k {
	case 1, 2, 4, 5, 6:
		return true
	}
	return false
}

// matchNatIDLetters matches a national id that starts with the upper-case
// letters before the digit b[i] (see natIDLettersAt), not before last; its
// cue, where it needs one, is looked for after last too. It returns the type
// and span, or an end of 0.
func (s *Scanner) matchNatIDLetters(b []byte, i, last int) (Type, int, int) {
	k := i - 1
	for k > 0 && i-k < 7 && class[b[k-1]]&cUpper != 0 {
		k--
	}
	if k < last || k > 0 && (isAlnum(b[k-1]) || b[k-1] == '_') {
		return "", 0, 0
	}
	var t Type
	var n int
	switch i - k {
	case 1:
		n = 9
		if p := b[k]; p == 'X' || p == 'Y' || p == 'Z' {
			if s.enabled[idxNatID+natNIF] && k+n <= len(b) && validNIE(b[k:k+n]) {
				t = ESNIF
			}
		} else if s.enabled[idxNatID+natNRIC] && k+n <= len(b) && validNRIC(b[k:k+n]) {
			t = SGNRIC
		}
	case 2:
		n = 9
		if s.enabled[idxNatID+natNINO] && k+n <= len(b) && validNINO(b[k:k+n]) {
			t = UKNINO
		}
	case 4:
		n = 18
		if s.enabled[idxNatID+natCURP] && k+n <= len(b) && validCURP(b[k:k+n]) {
			t = MXCURP
		}
	case 5:
		// A PAN has no check character: without a cue, only an
		// individual's (holder type P) is taken.
		n = 10
		if s.enabled[idxNatID+natPAN] && k+n <= len(b) && validPAN(b[k:k+n]) && (b[k+3] == 'P' || natCued(b[last:], k-last, natPAN)) {
			t = INPAN
		}
	case 6:
		n = 16
		if s.enabled[idxNatID+natCF] && k+n <= len(b) && validFiscalCode(b[k:k+n]) {
			t = ITFiscalCode
		}
	}
	if t == "" || !natEndOK(b, k+n) {
		return "", 0, 0
	}
	// Made of hex digits only ("CA745716A" is a NINO's shape), the word is
	// more likely a hex id: it needs a cue.
	if natAllHex(b[k:k+n]) && !natCued(b[last:], k-last, nationalIDIndex(t)-idxNatID) {
		return "", 0, 0
	}
	return t, k, k + n
}

// natAllHex reports whether every byte of w is a hex digit.
func natAllHex(w []byte) bool {
	for _, c := range w {
		if !isHex(c) {
			return false
		}
	}
	return true
}
