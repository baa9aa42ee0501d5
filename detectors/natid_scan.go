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
// ' ', '-', '.' or '/' with a digit after it. When the number has more
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
		if c != ' ' && c != '-' && c != '.' && c != '/' {
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
// with the digit b[i] at a word start, or an end of 0. long is
// longNumber(b, i): only a Corsican NIR ("2A"/"2B" among its digits), a
// spaced NINO (its digits after a letter pair) and a personnummer with '+'
// are looked for without it.
func (s *Scanner) matchNatIDNumber(b []byte, i int, long bool) (Type, int, int) {
	if !long {
		return s.matchNatIDShort(b, i)
	}
	if !natStartOK(b, i) {
		return "", 0, 0
	}
	var sh numShape
	if !readNumShape(b, i, &sh) {
		return "", 0, 0
	}
	// The whole number, then, when a space follows the first groups, the
	// groups before it ("123-45-6789 12:00", "12345678909 2"). Groups
	// separated by spaces are not taken out of a longer run of them.
	if !sh.more || sh.spaced == sh.n {
		if t, end := s.natForms(b, i, &sh, sh.n); end > 0 {
			return t, i, end
		}
	}
	if sh.spaced < sh.n {
		if t, end := s.natForms(b, i, &sh, sh.spaced); end > 0 {
			return t, i, end
		}
	}
	return "", 0, 0
}

// natForms matches the first k groups of sh, which start at b[i], against
// the forms of the national ids of their digit count. It returns the type
// and end of the first that validates and, where it needs one, has its cue.
func (s *Scanner) natForms(b []byte, i int, sh *numShape, k int) (Type, int) {
	end := sh.gend[k-1]
	d := sh.digitsOf(k)
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
		if sh.is(k, "3-2-4") && s.enabled[idxNatID+natSSN] && validSSN(d) {
			return USSSN, end
		}
		if (k == 1 || sh.is(k, "3 2 4")) && s.enabled[idxNatID+natSSN] && validSSN(d) && natCued(b, i, natSSN) {
			return USSSN, end
		}
		if (k == 1 || sh.is(k, "4.2.3") || sh.is(k, "4 2 3") || sh.is(k, "3 3 3")) && s.enabled[idxNatID+natBSN] && validBSN(d) && natCued(b, i, natBSN) {
			return NLBSN, end
		}
	case 10:
		if (k == 1 || sh.is(k, "6-4")) && s.enabled[idxNatID+natSE] && validPersonnummer(d) && natCued(b, i, natSE) {
			return SEPersonnummer, end
		}
	case 11:
		if sh.is(k, "3.3.3-2") && s.enabled[idxNatID+natCPF] && validCPF(d) {
			return BRCPF, end
		}
		if (sh.is(k, "3-3-3 2") || sh.is(k, "3-3-3-2")) && s.enabled[idxNatID+natSNILS] && validSNILS(d) {
			return RUSNILS, end
		}
		if k == 1 || sh.is(k, "9-2") || sh.is(k, "9 2") || sh.is(k, "2 3 3 3") {
			if t := s.natEleven(b, i, d, k == 1, sh.is(k, "9-2"), sh.is(k, "9 2"), sh.is(k, "2 3 3 3")); t != "" {
				return t, end
			}
		}
	case 12:
		if k == 1 || sh.is(k, "4 4 4") || sh.is(k, "4-4-4") {
			if s.enabled[idxNatID+natAadhaar] && validAadhaar(d) && natCued(b, i, natAadhaar) {
				return INAadhaar, end
			}
			if s.enabled[idxNatID+natMyNumber] && validMyNumber(d) && natCued(b, i, natMyNumber) {
				return JPMyNumber, end
			}
		}
		if (k == 1 || sh.is(k, "8-4")) && s.enabled[idxNatID+natSE] && validPersonnummer(d) && natCued(b, i, natSE) {
			return SEPersonnummer, end
		}
	case 13:
		if s.enabled[idxNatID+natRRN] {
			dashed := sh.is(k, "6-7")
			if dashed && validRRN(d, true) {
				return KRRRN, end
			}
			if (dashed || k == 1) && validRRN(d, false) && natCued(b, i, natRRN) {
				return KRRRN, end
			}
		}
	case 15:
		if s.enabled[idxNatID+natNIR] && validNIR(d) {
			if sh.is(k, "1 2 2 2 3 3 2") {
				return FRNIR, end
			}
			if (k == 1 || sh.is(k, "d 2")) && natCued(b, i, natNIR) {
				return FRNIR, end
			}
		}
	case 16:
		if k == 1 && s.enabled[idxNatID+natNIK] && validNIK(d) && natCued(b, i, natNIK) {
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
func (s *Scanner) natEleven(b []byte, i int, d []byte, bare, dash92, space92, steuer bool) Type {
	switch {
	case (bare || dash92) && s.enabled[idxNatID+natCPF] && validCPF(d) && natCued(b, i, natCPF):
		return BRCPF
	case (bare || space92) && s.enabled[idxNatID+natSNILS] && validSNILS(d) && natCued(b, i, natSNILS):
		return RUSNILS
	case bare && s.enabled[idxNatID+natPESEL] && validPESEL(d) && natCued(b, i, natPESEL):
		return PLPESEL
	case bare && s.enabled[idxNatID+natTCKN] && validTCKN(d) && natCued(b, i, natTCKN):
		return TRTCKN
	case (bare || steuer) && s.enabled[idxNatID+natSteuer] && validSteuerID(d) && natCued(b, i, natSteuer):
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
// letters before the digit b[i] (see natIDLettersAt), not before last. It
// returns the type and span, or an end of 0.
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
		if s.enabled[idxNatID+natPAN] && k+n <= len(b) && validPAN(b[k:k+n]) && (b[k+3] == 'P' || natCued(b, k, natPAN)) {
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
	if natAllHex(b[k:k+n]) && !natCued(b, k, nationalIDIndex(t)-idxNatID) {
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
