package detectors

import "strings"

// International Bank Account Numbers (type iban), ISO 13616.
//
// An IBAN is a two-letter country code, two check digits and a country-specific
// BBAN of upper-case letters and digits; its total length is fixed per country
// by the SWIFT IBAN registry, and the whole number satisfies ISO 7064 MOD 97-10
// (moved first four characters to the end, letters as 10..35, remainder 1).
// It is recognised in its electronic form ("DE89370400440532013000") and as
// people print it: groups of any size separated by single spaces, dashes or
// dots, one kind throughout ("DE89 3704 0044 0532 0130 00", "FR76 30006
// 00001 12345678901 89", "DE89-3704-0044-0532-0130-00"), in upper case also
// with the separator after the country code ("FR 76 3000 ..."), or all in
// lower case ("de89370400440532013000", as some forms and URLs store it;
// then the check digits follow the country code). Mixed case is not
// recognised. Besides its length and MOD 97-10, the BBAN must have the
// registry's structure for its country (which positions are digits,
// letters or either), so that a right-length run with a valid checksum
// but an impossible BBAN ("GB" with digits where the bank code's letters
// are) is not flagged.

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

// ibanStructures is the BBAN structure of every country of the registry
// (release 102), in its notation: a count and n (digits), a (upper-case
// letters) or c (either); the territories share their country's.
const ibanStructures = "" +
	"AD4n4n12c AE3n16n AL8n16c AT5n11n AZ4a20c BA3n3n8n2n BE3n7n2n BG4a4n2n8c BH4a14c " +
	"BI5n5n11n2n BR8n5n10n1a1c BY4c4n16c CH5n12c CR4n14n CY3n5n16c CZ4n6n10n DE8n10n " +
	"DJ5n5n11n2n DK4n9n1n DO4c20n EE2n2n11n1n EG4n4n17n ES4n4n1n1n10n FI3n11n FK2a12n " +
	"FO4n9n1n FR5n5n11c2n GB4a6n8n GE2a16n GI4a15c GL4n9n1n GR3n4n16c GT4c20c HN4a20n " +
	"HR7n10n HU3n4n1n15n1n IE4a6n8n IL3n3n13n IQ4a3n12n IS4n2n6n10n IT1a5n5n12c JO4a4n18c " +
	"KW4a22c KZ3n13c LB4n20c LC4a24c LI5n12c LT5n11n LU3n13c LV4a13c LY3n3n15n MC5n5n11c2n " +
	"MD2c18c ME3n13n2n MK3n10c2n MN4n12n MR5n5n11n2n MT4a5n18c MU4a2n2n12n3n3a NI4a20n " +
	"NL4a10n NO4n6n1n OM3n16c PK4a16c PL8n16n PS4a21c PT4n4n11n2n QA4a21c RO4a16c RS3n13n2n " +
	"RU9n5n15c SA2n18c SC4a2n2n16n3a SD2n12n SE3n16n1n SI5n8n2n SK4n6n10n SM1a5n5n12c " +
	"SO4n3n12n ST4n4n11n2n SV4a20n TL3n14n2n TN2n3n13n2n TR5n1n16c UA6n19c VA3n15n VG4a16n " +
	"XK4n10n2n YE4a4n18c " +
	"AX=FI GF=FR GP=FR MQ=FR RE=FR PF=FR TF=FR YT=FR NC=FR BL=FR MF=FR PM=FR WF=FR IM=GB JE=GB GG=GB"

// ibanBBAN maps a country code, indexed as ibanLengths, to the class of
// each BBAN position: 'n', 'a' or 'c'; "" for a code without an IBAN.
var ibanBBAN = func() (t [26 * 26]string) {
	idx := func(s string) int { return int(s[0]-'A')*26 + int(s[1]-'A') }
	for _, e := range strings.Fields(ibanStructures) {
		if e[2] == '=' {
			t[idx(e)] = t[idx(e[3:])]
			continue
		}
		var sb strings.Builder
		for n, k := 0, 2; k < len(e); k++ {
			if c := e[k]; numDigit(c) {
				n = n*10 + int(c-'0')
			} else {
				sb.WriteString(strings.Repeat(string(c), n))
				n = 0
			}
		}
		t[idx(e)] = sb.String()
	}
	return t
}()

// ibanStructureOK reports whether s, an IBAN in electronic form of the
// registered length, has its country's BBAN structure.
func ibanStructureOK(s []byte) bool {
	form := ibanBBAN[int(s[0]-'A')*26+int(s[1]-'A')]
	if len(form) != len(s)-4 {
		return false
	}
	for k, c := range s[4:] {
		switch form[k] {
		case 'n':
			if !numDigit(c) {
				return false
			}
		case 'a':
			if !numUpper(c) {
				return false
			}
		}
	}
	return true
}

// ibanSep reports whether c may separate the groups of a printed IBAN.
func ibanSep(c byte) bool { return c == ' ' || c == '-' || c == '.' }

// ibanSplitAt reports whether the digit b[i] may be an IBAN's first check
// digit written apart from its country code ("FR 76 3000 ..."): two
// upper-case letters with a registered IBAN length start the word two
// bytes before, and a separator follows them. The scan loop asks it at a
// number's start.
func ibanSplitAt(b []byte, i int) bool {
	return i >= 3 && i+1 < len(b) && ibanSep(b[i-1]) && numDigit(b[i+1]) && numUpper(b[i-3]) && numUpper(b[i-2]) &&
		(i == 3 || !numAlnum(b[i-4]) && b[i-4] != '_') && ibanLength(b[i-3], b[i-2]) > 0
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
	if want == 0 {
		return -1
	}
	p := i + 2
	var sep byte // the separator of the groups, once one is seen
	if !lower && ibanSep(b[p]) {
		sep = b[p]
		p++
	}
	if p+2 > len(b) || !numDigit(b[p]) || !numDigit(b[p+1]) {
		return -1
	}
	// Check digits 00, 01 and 99 are never issued (ISO 13616 yields 02..98).
	if cd := (b[p]-'0')*10 + b[p+1] - '0'; cd < 2 || cd > 98 {
		return -1
	}
	var buf [ibanMaxLen]byte
	buf[0], buf[1], buf[2], buf[3] = b[i]&^0x20, b[i+1]&^0x20, b[p], b[p+1]
	n := 4
	p += 2
	// The BBAN: characters, and single separators of one kind between
	// them, up to the registered length.
	for n < want && p < len(b) {
		if c := ibanChar(b[p], lower); c != 0 {
			buf[n] = c
			n++
			p++
			continue
		}
		if !ibanSep(b[p]) || sep != 0 && b[p] != sep || p+1 >= len(b) || ibanChar(b[p+1], lower) == 0 {
			break
		}
		sep = b[p]
		p++
	}
	if n != want || !numEndsAt(b, p) || !ibanStructureOK(buf[:n]) || !ibanValid(buf[:n]) {
		return -1
	}
	return p
}
