package detectors

// International Bank Account Numbers (type iban), ISO 13616.
//
// An IBAN is a two-letter country code, two check digits and a country-specific
// BBAN of upper-case letters and digits; its total length is fixed per country
// by the SWIFT IBAN registry, and the whole number satisfies ISO 7064 MOD 97-10
// (moved first four characters to the end, letters as 10..35, remainder 1).
// It is recognised in its electronic form ("DE89370400440532013000") and in
// its print form, groups of four separated by single spaces with a shorter
// last group ("DE89 3704 0044 0532 0130 00"), upper-case, or all lower-case
// ("de89370400440532013000", as some forms and URLs store it). Mixed case and
// other groupings are not recognised.

// ibanRegistry lists every country of the SWIFT IBAN registry (release 102,
// June 2026) with its IBAN length, followed by the territories the registry
// lists under France, Finland and the United Kingdom, which share those
// formats.
const ibanRegistry = "" +
	"AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24" +
	"DE22DJ27DK18DO28EE20EG29ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27" +
	"GT28HN28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21LT20" +
	"LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24" +
	"PL28PS29PT25QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25" +
	"SV28TL23TN24TR26UA29VA22VG24XK20YE30" +
	// Territories using the format of FI, FR and GB.
	"AX18GF27GP27MQ27RE27PF27TF27YT27NC27BL27MF27PM27WF27IM22JE22GG22"

// ibanMaxLen is the longest IBAN in the registry (RU).
const ibanMaxLen = 34

// ibanLengths maps a country code, as (c0-'A')*26 + (c1-'A'), to its IBAN
// length; 0 means the code has no IBAN format.
var ibanLengths = func() (t [26 * 26]uint8) {
	for k := 0; k+4 <= len(ibanRegistry); k += 4 {
		c0, c1 := ibanRegistry[k], ibanRegistry[k+1]
		t[int(c0-'A')*26+int(c1-'A')] = (ibanRegistry[k+2]-'0')*10 + ibanRegistry[k+3] - '0'
	}
	return t
}()

// ibanLength returns the IBAN length registered for the country code c0c1
// (upper- or lower-case), or 0.
func ibanLength(c0, c1 byte) int {
	c0, c1 = c0&^0x20, c1&^0x20
	if !numUpper(c0) || !numUpper(c1) {
		return 0
	}
	return int(ibanLengths[int(c0-'A')*26+int(c1-'A')])
}

// ibanChar returns c upper-cased if it may appear in the BBAN of an IBAN
// whose letters are upper-case (lower false) or lower-case (lower true),
// and 0 otherwise.
func ibanChar(c byte, lower bool) byte {
	switch {
	case numDigit(c):
		return c
	case lower && c-'a' < 26:
		return c - 'a' + 'A'
	case !lower && numUpper(c):
		return c
	}
	return 0
}

// ibanValid reports whether s, an IBAN in electronic form (upper-case
// letters and digits only), passes the MOD 97-10 check.
func ibanValid(s []byte) bool {
	if len(s) < 5 {
		return false
	}
	rem := 0
	add := func(c byte) {
		if numDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	for _, c := range s[4:] {
		add(c)
	}
	for _, c := range s[:4] {
		add(c)
	}
	return rem == 1
}

// matchIBAN returns the end (exclusive) of an IBAN that starts at b[i], or
// -1. It is called when b[i] is an ASCII upper-case letter (or, for
// lower-case IBANs, a lower-case one) and i == 0 or b[i-1] is not an ASCII
// letter or digit. It does not allocate.
func matchIBAN(b []byte, i int) int {
	if i < 0 || i+4 > len(b) {
		return -1
	}
	lower := b[i]-'a' < 26
	if (b[i+1]-'a' < 26) != lower {
		return -1
	}
	want := ibanLength(b[i], b[i+1])
	if want == 0 || !numDigit(b[i+2]) || !numDigit(b[i+3]) {
		return -1
	}
	// Check digits 00, 01 and 99 are never issued (ISO 13616 yields 02..98).
	if cd := (b[i+2]-'0')*10 + b[i+3] - '0'; cd < 2 || cd > 98 {
		return -1
	}
	var buf [ibanMaxLen]byte
	copy(buf[:4], b[i:i+4])
	buf[0], buf[1] = buf[0]&^0x20, buf[1]&^0x20
	n := 4
	p := i + 4
	if p < len(b) && b[p] == ' ' {
		// Print form: groups of four, the last one 1 to 4 characters.
		for n < want && p+1 < len(b) && b[p] == ' ' {
			q := p + 1
			g := 0
			for g < 4 && q < len(b) && ibanChar(b[q], lower) != 0 {
				buf[n+g] = ibanChar(b[q], lower)
				g++
				q++
				if n+g == want {
					break
				}
			}
			if g == 0 {
				break
			}
			n += g
			p = q
			if g < 4 {
				break
			}
		}
	} else {
		for n < want && p < len(b) && ibanChar(b[p], lower) != 0 {
			buf[n] = ibanChar(b[p], lower)
			n++
			p++
		}
	}
	if n != want || !numEndsAt(b, p) {
		return -1
	}
	if !ibanValid(buf[:n]) {
		return -1
	}
	return p
}
