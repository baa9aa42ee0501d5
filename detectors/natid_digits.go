package detectors

// Validators of the national ids made of digits. Each takes the digits
// without separators (ASCII, the length its family has; a Chinese id may end
// in 'X', a NIR hold "2A"/"2B") and allocates nothing. The rules follow the
// issuing authorities' specifications as python-stdnum implements them,
// unless a comment says otherwise; testdata/natid holds vectors checked
// against that library.

// natDig returns the value of the ASCII digit c.
func natDig(c byte) int { return int(c - '0') }

// natNum returns the value of the ASCII digits d (at most 18).
func natNum(d []byte) int {
	v := 0
	for _, c := range d {
		v = v*10 + natDig(c)
	}
	return v
}

// natDigitsOnly reports whether d is made of ASCII digits only.
func natDigitsOnly(d []byte) bool {
	for _, c := range d {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// natSame reports whether every byte of d is d[0] ("11111111111").
func natSame(d []byte) bool {
	for _, c := range d {
		if c != d[0] {
			return false
		}
	}
	return true
}

// natDate reports whether y-m-d is a date of the Gregorian calendar.
func natDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// natDate2 reports whether yy-m-d (a two-digit year) is a date in the
// 1900s or the 2000s.
func natDate2(yy, m, d int) bool {
	return natDate(1900+yy, m, d) || natDate(2000+yy, m, d)
}

// validCNResidentID checks a resident identity number of the People's
// Republic of China (GB 11643-1999): 17 digits and a check character, 0-9
// or X, of ISO 7064 MOD 11-2. The first six digits are the county of
// registration, a code of GB/T 2260 past or present (cnCounty), or 810000,
// 820000 and 830000 of the residence permits of Hong Kong, Macao and Taiwan
// residents. Digits 7 to 14 are the birth date, in 1900-natMaxBirthYear.
func validCNResidentID(d []byte) bool {
	if len(d) != 18 || !natDigitsOnly(d[:17]) {
		return false
	}
	y := natNum(d[6:10])
	if y < 1900 || y > natMaxBirthYear || !natDate(y, natNum(d[10:12]), natNum(d[12:14])) {
		return false
	}
	sum := 0
	for k := 0; k < 17; k++ {
		sum += natDig(d[k]) * cnWeights[k]
	}
	want := "10X98765432"[sum%11]
	got := d[17]
	if got == 'x' {
		got = 'X'
	}
	return got == want && cnCounty(natNum(d[:6]))
}

// natMaxBirthYear is the last birth year a national id with a four-digit
// year is taken with: a random number is less often a date when the
// century to come is left out. It must move forward before 2039.
const natMaxBirthYear = 2039

// cnWeights are the weights 2^(17-k) mod 11 of ISO 7064 MOD 11-2.
var cnWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// validAadhaar checks an Aadhaar number: 12 digits, the first 2-9, not a
// palindrome, and a Verhoeff check digit.
func validAadhaar(d []byte) bool {
	if len(d) != 12 || d[0] < '2' || !natDigitsOnly(d) {
		return false
	}
	palindrome := true
	for k := 0; k < 6; k++ {
		if d[k] != d[11-k] {
			palindrome = false
			break
		}
	}
	return !palindrome && verhoeff(d)
}

// The Verhoeff tables: multiplication in the dihedral group D5 and the
// position permutation.
var (
	verhoeffD = [10][10]uint8{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8},
		{5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2},
		{7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]uint8{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
		{5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
		{9, 4, 5, 3, 1, 2, 6, 8, 7, 0},
		{4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5},
		{7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)

// verhoeff reports whether the digits d end in their Verhoeff check digit.
func verhoeff(d []byte) bool {
	c := uint8(0)
	for k := 0; k < len(d); k++ {
		c = verhoeffD[c][verhoeffP[k%8][d[len(d)-1-k]-'0']]
	}
	return c == 0
}

// validSSN checks a US Social Security number: area 001-899 but not 666,
// group 01-99, serial 0001-9999. Numbers known from advertising and
// examples (078-05-1120, 457-55-5462, 219-09-9999, 123-45-6789) and runs of
// one digit are refused: they are not anyone's.
func validSSN(d []byte) bool {
	if len(d) != 9 || !natDigitsOnly(d) {
		return false
	}
	v := natNum(d)
	area, group, serial := v/1000000, v/10000%100, v%10000
	if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 || v%111111111 == 0 {
		return false
	}
	switch v {
	case 78051120, 457555462, 219099999, 123456789:
		return false
	}
	return true
}

// validCPF checks a Brazilian CPF: 11 digits whose last two are mod-11
// check digits over the nine before them (weights 10..2, then 11..2). Runs
// of one digit, which pass the check, are refused as the Receita Federal
// does.
func validCPF(d []byte) bool {
	if len(d) != 11 || !natDigitsOnly(d) || natSame(d) {
		return false
	}
	s1, s2 := 0, 0
	for k := 0; k < 9; k++ {
		s1 += (10 - k) * natDig(d[k])
		s2 += (11 - k) * natDig(d[k])
	}
	c1 := (11 - s1%11) % 11 % 10
	s2 += 2 * c1
	c2 := (11 - s2%11) % 11 % 10
	return natDig(d[9]) == c1 && natDig(d[10]) == c2
}

// validBSN checks a Dutch burgerservicenummer: 9 digits, not all zero,
// passing the 11-test (weights 9..2 and -1).
func validBSN(d []byte) bool {
	if len(d) != 9 || !natDigitsOnly(d) || natSame(d) && d[0] == '0' {
		return false
	}
	sum := -natDig(d[8])
	for k := 0; k < 8; k++ {
		sum += (9 - k) * natDig(d[k])
	}
	return sum%11 == 0
}

// validSteuerID checks a German Steuerliche Identifikationsnummer: 11
// digits, the first not 0; among the first ten exactly one digit appears
// twice or three times and every other at most once; the last is the ISO
// 7064 MOD 11,10 check digit.
func validSteuerID(d []byte) bool {
	if len(d) != 11 || d[0] == '0' || !natDigitsOnly(d) {
		return false
	}
	var count [10]uint8
	for _, c := range d[:10] {
		count[c-'0']++
	}
	repeated := 0
	for _, n := range count {
		switch {
		case n == 2 || n == 3:
			repeated++
		case n > 3:
			return false
		}
	}
	if repeated != 1 {
		return false
	}
	return mod1110(d)
}

// mod1110 reports whether the digits d end in their ISO 7064 MOD 11,10
// check digit.
func mod1110(d []byte) bool {
	p := 10
	for _, c := range d[:len(d)-1] {
		s := (natDig(c) + p) % 10
		if s == 0 {
			s = 10
		}
		p = s * 2 % 11
	}
	check := (11 - p) % 10
	return natDig(d[len(d)-1]) == check
}

// validPESEL checks a Polish PESEL: 11 digits, the first six the birth date
// YYMMDD with 80 added to the month for the 1800s, 20 for the 2000s (births
// after 2099, which the scheme also encodes, are refused), and a check
// digit with weights 1, 3, 7, 9.
func validPESEL(d []byte) bool {
	if len(d) != 11 || !natDigitsOnly(d) {
		return false
	}
	y, m := natNum(d[:2]), natNum(d[2:4])
	switch {
	case m > 80:
		y, m = 1800+y, m-80
	case m > 20:
		y, m = 2000+y, m-20
	default:
		y += 1900
	}
	if !natDate(y, m, natNum(d[4:6])) {
		return false
	}
	w := [10]int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}
	sum := 0
	for k := 0; k < 10; k++ {
		sum += w[k] * natDig(d[k])
	}
	return natDig(d[10]) == (10-sum%10)%10
}

// validPersonnummer checks a Swedish personnummer, 10 digits (YYMMDDNNNC)
// or 12 (YYYYMMDDNNNC): a birth date, and a Luhn check digit over the last
// ten. A samordningsnummer (coordination number) has 60 added to the day;
// it is accepted too (python-stdnum does not).
func validPersonnummer(d []byte) bool {
	if !natDigitsOnly(d) {
		return false
	}
	var ten []byte
	switch len(d) {
	case 10:
		ten = d
	case 12:
		if c := natNum(d[:2]); c < 18 || c > 20 {
			return false
		}
		ten = d[2:]
	default:
		return false
	}
	m, day := natNum(ten[2:4]), natNum(ten[4:6])
	if day > 60 {
		day -= 60
	}
	if len(d) == 12 {
		if !natDate(natNum(d[:4]), m, day) {
			return false
		}
	} else if !natDate2(natNum(ten[:2]), m, day) {
		return false
	}
	return luhnValid(ten)
}

// validRRN checks a South Korean resident registration number: YYMMDD, a
// digit for sex and century (1, 2, 5, 6: 1900s; 3, 4, 7, 8: 2000s; 9, 0:
// 1800s) and six digits. With checked, the number must have the check
// digit of the numbers issued until September 2020 (weights 2..9, 2..5,
// (11 - sum mod 11) mod 10) and a place-of-birth code (digits 8-9) of 96
// at most; numbers issued since October 2020 end in a random digit, so
// without checked only the date is checked.
func validRRN(d []byte, checked bool) bool {
	if len(d) != 13 || !natDigitsOnly(d) {
		return false
	}
	y := natNum(d[:2])
	switch d[6] {
	case '1', '2', '5', '6':
		y += 1900
	case '3', '4', '7', '8':
		y += 2000
	default:
		y += 1800
	}
	if !natDate(y, natNum(d[2:4]), natNum(d[4:6])) {
		return false
	}
	if !checked {
		return true
	}
	if natNum(d[7:9]) > 96 {
		return false
	}
	w := [12]int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}
	sum := 0
	for k := 0; k < 12; k++ {
		sum += w[k] * natDig(d[k])
	}
	return natDig(d[12]) == (11-sum%11)%10
}

// validMyNumber checks a Japanese Individual Number (My Number): 12 digits,
// the last a check digit with weights 6..2, 7..2 and 11 - sum mod 11 (0
// when that is 10 or 11).
func validMyNumber(d []byte) bool {
	if len(d) != 12 || !natDigitsOnly(d) {
		return false
	}
	w := [11]int{6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for k := 0; k < 11; k++ {
		sum += w[k] * natDig(d[k])
	}
	r := sum % 11
	check := 0
	if r > 1 {
		check = 11 - r
	}
	return natDig(d[11]) == check
}

// validTCKN checks a Turkish T.C. Kimlik number: 11 digits, the first not
// 0; the tenth is (7 * (d1+d3+d5+d7+d9) - (d2+d4+d6+d8)) mod 10 and the
// eleventh the sum of the first ten mod 10.
func validTCKN(d []byte) bool {
	if len(d) != 11 || d[0] == '0' || !natDigitsOnly(d) {
		return false
	}
	odd := natDig(d[0]) + natDig(d[2]) + natDig(d[4]) + natDig(d[6]) + natDig(d[8])
	even := natDig(d[1]) + natDig(d[3]) + natDig(d[5]) + natDig(d[7])
	c10 := ((7*odd-even)%10 + 10) % 10
	if natDig(d[9]) != c10 {
		return false
	}
	return natDig(d[10]) == (odd+even+c10)%10
}

// validSNILS checks a Russian SNILS (insurance number of an individual
// account): 11 digits, the last two a control number of the first nine
// (weights 9..1; the sum itself below 100, 00 for 100 and 101, else the sum
// mod 101 with 100 as 00). Numbers up to 001-001-998 have no control number
// and are refused.
func validSNILS(d []byte) bool {
	if len(d) != 11 || !natDigitsOnly(d) || natNum(d[:9]) <= 1001998 {
		return false
	}
	sum := 0
	for k := 0; k < 9; k++ {
		sum += (9 - k) * natDig(d[k])
	}
	check := sum
	if sum > 99 {
		check = sum % 101
		if check == 100 {
			check = 0
		}
	}
	return natNum(d[9:]) == check
}

// validNIK checks an Indonesian Nomor Induk Kependudukan: 16 digits, a
// province (nikProvinces) and a regency (01-59) or city (71-79) code, a
// district code, the birth date DDMMYY with 40 added to the day for women,
// and a serial number that is not 0000. python-stdnum checks the regency
// against a list that lacks provinces created since 2012; this checks the
// ranges instead.
func validNIK(d []byte) bool {
	if len(d) != 16 || !natDigitsOnly(d) {
		return false
	}
	if !nikProvince(natNum(d[:2])) {
		return false
	}
	if r := natNum(d[2:4]); r == 0 || r >= 60 && r <= 70 || r >= 80 {
		return false
	}
	if natNum(d[4:6]) == 0 || natNum(d[12:]) == 0 {
		return false
	}
	day := natNum(d[6:8])
	if day > 40 {
		day -= 40
	}
	return natDate2(natNum(d[10:12]), natNum(d[8:10]), day)
}

// nikProvince reports whether p is a province code of the Indonesian
// Ministry of Home Affairs (Kemendagri): Sumatra 11-19 and 21, Java 31-36,
// Bali and Nusa Tenggara 51-53, Kalimantan 61-65, Sulawesi 71-76, Maluku
// 81-82, Papua 91-96 (the provinces of 2022 included).
func nikProvince(p int) bool {
	switch {
	case p >= 11 && p <= 19, p == 21, p >= 31 && p <= 36, p >= 51 && p <= 53,
		p >= 61 && p <= 65, p >= 71 && p <= 76, p == 81, p == 82, p >= 91 && p <= 96:
		return true
	}
	return false
}

// validNIR checks a French NIR (numéro de sécurité sociale): 13 characters
// and a 2-digit key, 97 minus the 13 mod 97, where a Corsican department
// "2A" or "2B" counts as 19 or 18. The first digit is the sex (1, 2, or 3,
// 4, 7, 8 for provisional numbers), digits 4-5 the month of birth (01-12,
// or 20 and above where unknown), the order number (digits 11-13) is not
// 000. python-stdnum checks only the digits and the key.
func validNIR(d []byte) bool {
	if len(d) != 15 || !natDigitsOnly(d[:5]) || !natDigitsOnly(d[7:]) {
		return false
	}
	switch d[0] {
	case '1', '2', '3', '4', '7', '8':
	default:
		return false
	}
	if m := natNum(d[3:5]); m == 0 || m > 12 && m < 20 {
		return false
	}
	if natNum(d[10:13]) == 0 {
		return false
	}
	dep := 0
	switch {
	case d[5] == '2' && d[6] == 'A':
		dep = 19
	case d[5] == '2' && d[6] == 'B':
		dep = 18
	case isDigit(d[5]) && isDigit(d[6]):
		dep = natNum(d[5:7])
		if dep == 0 {
			return false
		}
	default:
		return false
	}
	n := natNum(d[:5])*100000000 + dep*1000000 + natNum(d[7:13])
	return natNum(d[13:]) == 97-n%97
}

// validDNI checks a Spanish DNI: 8 digits and the check letter
// "TRWAGMYFPDXBNJZSQVHLCKE"[number mod 23] (upper case).
func validDNI(d []byte) bool {
	return len(d) == 9 && natDigitsOnly(d[:8]) && d[8] == dniLetters[natNum(d[:8])%23]
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"
