package detectors

// Validators of the national ids that start with letters. Each takes the
// candidate's bytes (its length checked by the caller or here), accepts
// upper-case letters only, and allocates nothing.

// natUpper reports whether every byte of d is an ASCII upper-case letter.
func natUpper(d []byte) bool {
	for _, c := range d {
		if class[c]&cUpper == 0 {
			return false
		}
	}
	return true
}

// validNRIC checks a Singapore NRIC or FIN: a series letter (S, T: citizens
// and permanent residents born before and from 2000; F, G: foreigners; M:
// foreigners from 2022), seven digits and a check letter from the weighted
// sum (2, 7, 6, 5, 4, 3, 2) plus 4 for T and G, 3 for M, mod 11, looked up in
// the series' table (the algorithm of GovTech's FormSG validators).
func validNRIC(d []byte) bool {
	if len(d) != 9 || !natDigitsOnly(d[1:8]) {
		return false
	}
	w := [7]int{2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for k := 0; k < 7; k++ {
		sum += w[k] * natDig(d[1+k])
	}
	var table string
	switch d[0] {
	case 'S':
		table = "JZIHGFEDCBA"
	case 'T':
		table, sum = "JZIHGFEDCBA", sum+4
	case 'F':
		table = "XWUTRQPNMLK"
	case 'G':
		table, sum = "XWUTRQPNMLK", sum+4
	case 'M':
		table, sum = "XWUTRQPNJLK", sum+3
	default:
		return false
	}
	return d[8] == table[sum%11]
}

// validNIE checks a Spanish NIE: X, Y or Z (0, 1, 2), seven digits and the
// DNI check letter of the eight-digit number they make.
func validNIE(d []byte) bool {
	if len(d) != 9 || d[0] < 'X' || d[0] > 'Z' || !natDigitsOnly(d[1:8]) {
		return false
	}
	n := int(d[0]-'X')*10000000 + natNum(d[1:8])
	return d[8] == dniLetters[n%23]
}

// validNINO checks a UK National Insurance number (HMRC NIM39110): two
// prefix letters, neither D, F, I, Q, U or V, the second not O, and not BG,
// GB, KN, NK, NT, TN or ZZ; six digits; a suffix letter A-D.
func validNINO(d []byte) bool {
	if len(d) != 9 || !natUpper(d[:2]) || !natDigitsOnly(d[2:8]) || d[8] < 'A' || d[8] > 'D' {
		return false
	}
	for _, c := range d[:2] {
		switch c {
		case 'D', 'F', 'I', 'Q', 'U', 'V':
			return false
		}
	}
	if d[1] == 'O' {
		return false
	}
	switch string(d[:2]) {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
}

// natSpacedNINO reports whether b[st:st+13] is a NINO written
// "AB 12 34 56 C".
func natSpacedNINO(b []byte, st int) bool {
	if st+13 > len(b) || !spacedAt(b[st:], 0, "AA 2 2 2 A") {
		return false
	}
	var d [9]byte
	k := 0
	for _, c := range b[st : st+13] {
		if c != ' ' {
			d[k] = c
			k++
		}
	}
	return validNINO(d[:])
}

// validPAN checks an Indian Permanent Account Number: five letters, four
// digits (not 0000) and a letter; the fourth letter is the holder type (A,
// B, C, F, G, H, L, J, P, T, K). PAN has no public check character.
func validPAN(d []byte) bool {
	if len(d) != 10 || !natUpper(d[:5]) || !natDigitsOnly(d[5:9]) || class[d[9]]&cUpper == 0 {
		return false
	}
	switch d[3] {
	case 'A', 'B', 'C', 'F', 'G', 'H', 'L', 'J', 'P', 'T', 'K':
	default:
		return false
	}
	return natNum(d[5:9]) != 0
}

// cfOmocode maps the letters that replace digits in an omocodic codice
// fiscale (L M N P Q R S T U V for 0-9) and the digits themselves to their
// values, and every other byte to -1.
var cfOmocode = func() (t [256]int8) {
	for k := range t {
		t[k] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for k, c := range "LMNPQRSTUV" {
		t[c] = int8(k)
	}
	return t
}()

// cfOdd is the value of a character in an odd position (1st, 3rd, ...) of
// a codice fiscale for its check character, for 0-9 and A-Z alike.
var cfOdd = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

// validFiscalCode checks an Italian codice fiscale of a person: three
// letters of the surname and three of the name, the year (two digits), the
// month letter (A B C D E H L M P R S T), the day (plus 40 for women), the
// place code (a letter and three digits) and the check character (Ministerial
// Decree 23/12/1976). Digits may be replaced by omocodic letters, from the
// rightmost digit on, so letters take a tail of the seven digit positions
// (python-stdnum takes them anywhere). The birth date must exist in the
// 1900s or the 2000s.
func validFiscalCode(d []byte) bool {
	if len(d) != 16 || !natUpper(d[:6]) || class[d[11]]&cUpper == 0 || class[d[15]]&cUpper == 0 {
		return false
	}
	var v [7]int
	omocodic := false
	for k, p := range [7]int{6, 7, 9, 10, 12, 13, 14} {
		if v[k] = int(cfOmocode[d[p]]); v[k] < 0 {
			return false
		}
		if isDigit(d[p]) && omocodic {
			return false // a digit after a replaced one
		}
		omocodic = !isDigit(d[p])
	}
	m := 0
	switch d[8] {
	case 'A':
		m = 1
	case 'B':
		m = 2
	case 'C':
		m = 3
	case 'D':
		m = 4
	case 'E':
		m = 5
	case 'H':
		m = 6
	case 'L':
		m = 7
	case 'M':
		m = 8
	case 'P':
		m = 9
	case 'R':
		m = 10
	case 'S':
		m = 11
	case 'T':
		m = 12
	default:
		return false
	}
	day := v[2]*10 + v[3]
	if day > 40 {
		day -= 40
	}
	if !natDate2(v[0]*10+v[1], m, day) {
		return false
	}
	sum := 0
	for k := 0; k < 15; k++ {
		c := d[k]
		x := int(c - 'A')
		if isDigit(c) {
			x = int(c - '0')
		}
		if k%2 == 0 {
			sum += cfOdd[x]
		} else {
			sum += x
		}
	}
	return d[15] == byte('A'+sum%26)
}

// curpStates are the state codes of a CURP (RENAPO): the 32 federal
// entities and NE, born abroad.
var curpStates = [...]string{
	"AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS",
	"NT", "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE",
}

// natVowel reports whether c is an upper-case vowel.
func natVowel(c byte) bool { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' }

// validCURP checks a Mexican Clave Única de Registro de Población: four
// letters (the second the first inner vowel of the first surname, or X),
// the birth date YYMMDD, the sex (H, M, or X), the state code, three
// consonants of the names, a character that is a digit for births in the
// 1900s and a letter from 2000, and a check digit over the first 17
// (alphabet 0-9 A-N & O-Z, weights 18..2). python-stdnum does not check
// the vowel, the consonants or the X sex.
func validCURP(d []byte) bool {
	if len(d) != 18 || !natUpper(d[:4]) || !natDigitsOnly(d[4:10]) || !natUpper(d[10:16]) || !isDigit(d[17]) {
		return false
	}
	if !natVowel(d[1]) && d[1] != 'X' {
		return false
	}
	if s := d[10]; s != 'H' && s != 'M' && s != 'X' {
		return false
	}
	state := false
	for _, st := range curpStates {
		if d[11] == st[0] && d[12] == st[1] {
			state = true
			break
		}
	}
	if !state || natVowel(d[13]) || natVowel(d[14]) || natVowel(d[15]) {
		return false
	}
	y := 1900 + natNum(d[4:6])
	switch c := d[16]; {
	case isDigit(c):
	case class[c]&cUpper != 0:
		y += 100
	default:
		return false
	}
	if !natDate(y, natNum(d[6:8]), natNum(d[8:10])) {
		return false
	}
	sum := 0
	for k := 0; k < 17; k++ {
		c := d[k]
		x := int(c-'A') + 10 // A-N: 10-23
		switch {
		case isDigit(c):
			x = int(c - '0')
		case c > 'N':
			x++ // '&' (Ñ) sits between N and O
		}
		sum += x * (18 - k)
	}
	return natDig(d[17]) == (10-sum%10)%10
}
