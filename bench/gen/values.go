package gen

import (
	"encoding/base64"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
)

// Makers of single values of personal data. Each takes the random source to
// draw from, so that a user's values depend only on the user's own source.

// publicIPv4 returns a unicast IPv4 address outside the private, loopback,
// link-local, multicast and reserved blocks, with a non-zero last octet so
// that truncation to /24 always changes it.
func publicIPv4(r *rand.Rand) netip.Addr {
	for {
		a := byte(1 + r.IntN(223))
		b := byte(r.IntN(256))
		switch {
		case a == 10, a == 127, a == 100 && b >= 64 && b < 128, a == 169 && b == 254,
			a == 172 && b >= 16 && b < 32, a == 192 && b == 168, a == 0:
			continue
		}
		return netip.AddrFrom4([4]byte{a, b, byte(r.IntN(256)), byte(1 + r.IntN(254))})
	}
}

// privateIPv4 returns an address in 10.0.0.0/8 or 192.168.0.0/16, the
// addresses of cluster nodes and load balancers, with a non-zero last octet.
func privateIPv4(r *rand.Rand) netip.Addr {
	if r.IntN(4) == 0 {
		return netip.AddrFrom4([4]byte{192, 168, byte(r.IntN(256)), byte(1 + r.IntN(254))})
	}
	return netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(254))})
}

// ipv6Prefixes are /16 or /32 prefixes of real global unicast allocations of
// large access providers and clouds.
var ipv6Prefixes = [][2]uint16{
	{0x2a02, 0x0810}, {0x2a01, 0x0e34}, {0x2600, 0x1700}, {0x2601, 0x0646}, {0x2409, 0x8a28},
	{0x2001, 0x0db8}, {0x2a00, 0x1450}, {0x2804, 0x14c}, {0x2405, 0x0201}, {0x2a03, 0x2880},
}

// globalIPv6 returns a global unicast IPv6 address whose interface part is
// never zero, so that truncation to /48 always changes it. About one address
// in three has zero groups in the middle and compresses to "::".
func globalIPv6(r *rand.Rand) netip.Addr {
	p := ipv6Prefixes[r.IntN(len(ipv6Prefixes))]
	var g [8]uint16
	g[0], g[1] = p[0], p[1]
	g[2] = uint16(r.IntN(0x10000))
	g[3] = uint16(r.IntN(0x100))
	if r.IntN(3) == 0 {
		// SLAAC privacy addresses: four random groups.
		for k := 4; k < 8; k++ {
			g[k] = uint16(r.IntN(0x10000))
		}
	} else {
		// Provider-assigned ::n host addresses.
		g[7] = uint16(1 + r.IntN(0xfff))
	}
	if g[7] == 0 {
		g[7] = 1
	}
	var b [16]byte
	for k, v := range g {
		b[2*k], b[2*k+1] = byte(v>>8), byte(v)
	}
	return netip.AddrFrom16(b)
}

// linkLocalIPv6 returns an fe80::/64 address from an EUI-64 interface id.
func linkLocalIPv6(r *rand.Rand) netip.Addr {
	var b [16]byte
	b[0], b[1] = 0xfe, 0x80
	for k := 8; k < 16; k++ {
		b[k] = byte(r.IntN(256))
	}
	b[11], b[12] = 0xff, 0xfe
	b[15] |= 1
	return netip.AddrFrom16(b)
}

// fullIPv6 writes a in uncompressed, upper-case form, as some network
// equipment logs it.
func fullIPv6(a netip.Addr) string {
	b := a.As16()
	var sb strings.Builder
	for k := 0; k < 8; k++ {
		if k > 0 {
			sb.WriteByte(':')
		}
		v := uint16(b[2*k])<<8 | uint16(b[2*k+1])
		h := strings.ToUpper(strconv.FormatUint(uint64(v), 16))
		sb.WriteString(strings.Repeat("0", 4-len(h)))
		sb.WriteString(h)
	}
	return sb.String()
}

var firstNames = []string{
	"james", "mary", "wei", "li", "priya", "rahul", "anna", "lukas", "sophie", "lea",
	"mohammed", "fatima", "carlos", "lucia", "yuki", "haruto", "olga", "ivan", "emma", "noah",
	"chloe", "louis", "aarav", "ananya", "jose", "maria", "chen", "xin", "tom", "sarah",
	"daniel", "julia", "felix", "mia", "omar", "aisha", "pedro", "ana", "kenji", "mei",
}

var lastNames = []string{
	"smith", "johnson", "wang", "zhang", "patel", "sharma", "mueller", "schmidt", "martin", "bernard",
	"garcia", "rodriguez", "tanaka", "sato", "ivanov", "petrov", "brown", "wilson", "dubois", "moreau",
	"kumar", "singh", "lopez", "silva", "santos", "kim", "lee", "nguyen", "tan", "lim",
	"fischer", "weber", "rossi", "russo", "jansen", "devries", "oconnor", "murphy", "khan", "ali",
}

// displayNames are full names as profile services log them, some outside
// ASCII.
var displayNames = []string{
	"Zoë Müller", "José Álvarez", "Åsa Lindqvist", "François Lefèvre", "Wei Zhang", "Priya Patel",
	"Jürgen Groß", "Siobhán O'Neill", "Yuki Tanaka", "Olga Ivanova", "Chloé Martin", "Mateus Silva",
}

var freeMailDomains = []string{
	"gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "web.de", "gmx.de", "orange.fr",
	"qq.com", "163.com", "icloud.com", "proton.me", "mail.ru", "yahoo.co.in", "rediffmail.com",
	"t-online.de", "free.fr", "bigpond.com", "uol.com.br", "naver.com", "libero.it",
}

var corpDomains = []string{"acme-corp.io", "globex.com", "initech.de", "umbrella.co.uk", "hooli.xyz", "soylent.example.org"}

// email returns an address in one of the shapes people and sign-up forms
// produce.
func email(r *rand.Rand, first, last string) string {
	var local string
	switch r.IntN(6) {
	case 0, 1:
		local = first + "." + last
	case 2:
		local = first + last + strconv.Itoa(r.IntN(100))
	case 3:
		local = first[:1] + "." + last + "+" + []string{"news", "shop", "work", "spam"}[r.IntN(4)]
	case 4:
		local = first + "_" + last + strconv.Itoa(1960+r.IntN(50))
	default:
		local = last + "." + first[:1]
	}
	domain := freeMailDomains[r.IntN(len(freeMailDomains))]
	if r.IntN(5) == 0 {
		domain = corpDomains[r.IntN(len(corpDomains))]
	}
	if r.IntN(12) == 0 {
		// Some people type their address capitalised; sign-up forms keep it.
		local = strings.ToUpper(local[:1]) + local[1:]
	}
	return local + "@" + domain
}

// percentEncode escapes the characters of an e-mail address that query
// strings escape: '@' and '+'.
func percentEncode(addr string) string {
	return strings.NewReplacer("@", "%40", "+", "%2B").Replace(addr)
}

// luhnAppend appends the Luhn check digit to the ASCII digits d.
func luhnAppend(d []byte) []byte {
	sum := 0
	double := true // the check digit is not doubled; its neighbour is
	for k := len(d) - 1; k >= 0; k-- {
		v := int(d[k] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return append(d, byte('0'+(10-sum%10)%10))
}

// randDigits appends n random digits to d.
func randDigits(r *rand.Rand, d []byte, n int) []byte {
	for range n {
		d = append(d, byte('0'+r.IntN(10)))
	}
	return d
}

// cardNumber returns a payment card number with a real issuer prefix and a
// valid Luhn check digit, written compact or in the groups printed on cards.
func cardNumber(r *rand.Rand) string {
	var d []byte
	amex := false
	switch r.IntN(10) {
	case 0, 1, 2, 3:
		d = append(d, '4') // Visa
	case 4, 5:
		d = append(d, '5', byte('1'+r.IntN(5))) // Mastercard
	case 6:
		d = append(d, '2', '2', '2', byte('1'+r.IntN(9))) // Mastercard 2-series
	case 7:
		d = append(d, '3', "47"[r.IntN(2)]) // American Express
		amex = true
	case 8:
		d = append(d, '6', '0', '1', '1') // Discover
	default:
		d = append(d, '3', '5', '2', byte('8'+r.IntN(2))) // JCB
	}
	n := 16
	if amex {
		n = 15
	}
	d = luhnAppend(randDigits(r, d, n-1-len(d)))
	s := string(d)
	switch r.IntN(3) {
	case 0:
		return s
	default:
		sep := " -"[r.IntN(2):][:1]
		if amex {
			return s[:4] + sep + s[4:10] + sep + s[10:]
		}
		return s[:4] + sep + s[4:8] + sep + s[8:12] + sep + s[12:]
	}
}

// ibanFormats are BBAN shapes of common countries: 'n' a digit, 'a' an
// upper-case letter, 'c' either.
var ibanFormats = []struct{ cc, bban string }{
	{"DE", "nnnnnnnnnnnnnnnnnn"},
	{"GB", "aaaannnnnnnnnnnnnn"},
	{"FR", "nnnnnnnnnncccccccccccnn"},
	{"NL", "aaaannnnnnnnnn"},
	{"ES", "nnnnnnnnnnnnnnnnnnnn"},
	{"IT", "annnnnnnnnncccccccccccc"},
	{"BE", "nnnnnnnnnnnn"},
	{"AT", "nnnnnnnnnnnnnnnn"},
	{"CH", "nnnnncccccccccccc"},
	{"PL", "nnnnnnnnnnnnnnnnnnnnnnnn"},
}

// iban returns an IBAN with valid MOD 97-10 check digits, in electronic
// form or in print form (groups of four).
func iban(r *rand.Rand) string {
	f := ibanFormats[r.IntN(len(ibanFormats))]
	bban := make([]byte, len(f.bban))
	for k, c := range []byte(f.bban) {
		if c == 'n' || c == 'c' && r.IntN(2) == 0 {
			bban[k] = byte('0' + r.IntN(10))
		} else {
			bban[k] = byte('A' + r.IntN(26))
		}
	}
	check := 98 - mod97(string(bban)+f.cc+"00")
	s := f.cc + string([]byte{byte('0' + check/10), byte('0' + check%10)}) + string(bban)
	if r.IntN(2) == 0 {
		return s
	}
	var sb strings.Builder
	for k := 0; k < len(s); k += 4 {
		if k > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(s[k:min(k+4, len(s))])
	}
	return sb.String()
}

// mod97 returns s mod 97, letters counting as 10..35 (ISO 7064).
func mod97(s string) int {
	rem := 0
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem
}

// imeiRBIs are Reporting Body Identifiers that real handsets carry.
var imeiRBIs = []string{"35", "35", "35", "86", "86", "01", "99", "49", "33", "91"}

// imei returns a 15-digit IMEI with a valid Luhn check digit, compact
// (as device APIs report it) or grouped.
func imei(r *rand.Rand) string {
	d := []byte(imeiRBIs[r.IntN(len(imeiRBIs))])
	d = luhnAppend(randDigits(r, d, 12))
	s := string(d)
	switch r.IntN(4) {
	case 0:
		return s[:2] + "-" + s[2:8] + "-" + s[8:14] + "-" + s[14:]
	case 1:
		return s[:8] + "-" + s[8:14] + "-" + s[14:]
	default:
		return s
	}
}

// mac returns a MAC address with ':' (lower case), '-' (upper case, as
// Windows writes it) or in Cisco's dotted form.
func mac(r *rand.Rand) string {
	var b [6]byte
	for k := range b {
		b[k] = byte(r.IntN(256))
	}
	b[0] &^= 1 // unicast
	const hx = "0123456789abcdef"
	var sb strings.Builder
	switch r.IntN(5) {
	case 0:
		for k, v := range b {
			if k > 0 {
				sb.WriteByte('-')
			}
			sb.WriteString(strings.ToUpper(string([]byte{hx[v>>4], hx[v&15]})))
		}
	case 1:
		for k, v := range b {
			if k > 0 && k%2 == 0 {
				sb.WriteByte('.')
			}
			sb.WriteByte(hx[v>>4])
			sb.WriteByte(hx[v&15])
		}
	default:
		for k, v := range b {
			if k > 0 {
				sb.WriteByte(':')
			}
			sb.WriteByte(hx[v>>4])
			sb.WriteByte(hx[v&15])
		}
	}
	return sb.String()
}

// uuid returns a random (version 4) UUID, in lower case except one in ten.
func uuid(r *rand.Rand) string {
	var b [16]byte
	for k := range b {
		b[k] = byte(r.IntN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hx = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for k, v := range b {
		if k == 4 || k == 6 || k == 8 || k == 10 {
			out = append(out, '-')
		}
		out = append(out, hx[v>>4], hx[v&15])
	}
	if r.IntN(10) == 0 {
		return strings.ToUpper(string(out))
	}
	return string(out)
}

// androidID returns a 64-bit Android ID as 16 hex digits.
func androidID(r *rand.Rand) string {
	return strconv.FormatUint(r.Uint64()|1<<60, 16)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randString returns n characters drawn from alphabet.
func randString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for k := range b {
		b[k] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

var jwtHeaders = []string{`{"alg":"HS256","typ":"JWT"}`, `{"alg":"RS256","typ":"JWT","kid":"k1"}`, `{"alg":"ES256","kid":"2026-03"}`}

// jwt returns a signed JSON Web Token for subject sub.
func jwt(r *rand.Rand, sub string, iat int64) string {
	enc := base64.RawURLEncoding
	h := jwtHeaders[r.IntN(len(jwtHeaders))]
	p := `{"sub":"` + sub + `","iat":` + strconv.FormatInt(iat, 10) + `,"exp":` + strconv.FormatInt(iat+3600, 10) + `,"scope":"read write"}`
	sig := make([]byte, 32)
	for k := range sig {
		sig[k] = byte(r.IntN(256))
	}
	return enc.EncodeToString([]byte(h)) + "." + enc.EncodeToString([]byte(p)) + "." + enc.EncodeToString(sig)
}

// apiKey returns a key in one of the vendors' documented formats.
func apiKey(r *rand.Rand) string {
	switch r.IntN(5) {
	case 0:
		return "AKIA" + randString(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	case 1:
		return "ghp_" + randString(r, alnum, 36)
	case 2:
		return "sk_live_" + randString(r, alnum, 24)
	case 3:
		return "xoxb-" + randString(r, "0123456789", 12) + "-" + randString(r, "0123456789", 13) + "-" + randString(r, alnum, 24)
	default:
		return "glpat-" + randString(r, alnum+"-_", 20)
	}
}

// opaqueToken returns an opaque OAuth access token.
func opaqueToken(r *rand.Rand) string {
	return randString(r, alnum, 8) + randString(r, "0123456789", 2) + randString(r, alnum+"-_.~", 30)
}

var passwordWords = []string{"Summer", "winter", "Dragon", "monkey", "Shadow", "letmein", "Qwerty", "sunshine", "Tr0ub4dor", "correcthorse"}

// password returns a password as users choose them: a word, digits and
// often a symbol. It holds no character that ends a value in key=value text
// or needs escaping in JSON.
func password(r *rand.Rand) string {
	p := passwordWords[r.IntN(len(passwordWords))] + strconv.Itoa(r.IntN(10000))
	if r.IntN(3) > 0 {
		p += string("!#$*_-."[r.IntN(7)])
	}
	return p
}
