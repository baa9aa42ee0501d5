package detectors

import "bytes"

// b64urlChar reports whether c belongs to the base64url alphabet.
func b64urlChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// tokenChar reports whether c may appear in a bearer token or API key
// (RFC 6750 b64token plus the characters API keys use).
func tokenChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' || c == '='
}

// matchJWT matches a JSON Web Token in compact serialisation at b[i]: three
// base64url segments separated by dots, the first (the JOSE header, a JSON
// object) starting with "eyJ". The signature may be empty (unsecured JWT).
func matchJWT(b []byte, i int) int {
	n := len(b)
	if i+3 > n || b[i] != 'e' || b[i+1] != 'y' || b[i+2] != 'J' {
		return -1
	}
	p := i
	for seg := 0; seg < 3; seg++ {
		st := p
		for p < n && b64urlChar(b[p]) {
			p++
		}
		if seg < 2 {
			if p-st < 2 || seg == 0 && p-st < 10 || p >= n || b[p] != '.' {
				return -1
			}
			p++
		}
	}
	if p < n && (b[p] == '.' || b[p] == '=') {
		return -1
	}
	return p
}

// A tokenPrefix is the fixed start of a kind of API key, with the fewest
// characters that follow it.
type tokenPrefix struct {
	prefix string
	min    int
	upper  bool // the rest is upper-case letters and digits only (AWS)
}

// tokenPrefixes are vendors' documented key formats.
var tokenPrefixes = [...]tokenPrefix{
	{"AKIA", 16, true}, {"ASIA", 16, true}, // AWS access key ids
	{"AIza", 35, false}, // Google API keys
	{"ghp_", 36, false}, {"gho_", 36, false}, {"ghu_", 36, false}, {"ghs_", 36, false}, {"ghr_", 36, false},
	{"github_pat_", 40, false},
	{"glpat-", 20, false},
	{"xoxb-", 10, false}, {"xoxp-", 10, false}, {"xoxa-", 10, false}, {"xoxs-", 10, false}, {"xoxr-", 10, false},
	{"sk_live_", 16, false}, {"sk_test_", 16, false}, {"rk_live_", 16, false}, {"rk_test_", 16, false},
	{"npm_", 36, false},
	{"sk-", 32, false}, // OpenAI-style secret keys
}

// secretStart marks the bytes that begin a token prefix or an
// authentication scheme, so that matchSecretWord rejects other words at once.
var secretStart = func() (t [256]uint8) {
	for _, tp := range tokenPrefixes {
		t[tp.prefix[0]] |= startsPrefix
	}
	for _, s := range authSchemes {
		t[s[0]] |= startsScheme
		t[s[0]-'a'+'A'] |= startsScheme
	}
	return t
}()

const (
	startsPrefix = 1 << iota
	startsScheme
)

// prefixesByStart lists, for each first byte, the indexes in tokenPrefixes
// of the prefixes that begin with it.
var prefixesByStart = func() (t [256][]uint8) {
	for i, tp := range tokenPrefixes {
		t[tp.prefix[0]] = append(t[tp.prefix[0]], uint8(i))
	}
	return t
}()

// keysByLast lists, for each lower-case last byte, the indexes in secretKeys
// of the key endings that end with it.
var keysByLast = func() (t [256][]uint8) {
	for i, k := range secretKeys {
		c := k[len(k)-1]
		t[c] = append(t[c], uint8(i))
		if 'a' <= c && c <= 'z' {
			t[c-'a'+'A'] = append(t[c-'a'+'A'], uint8(i))
		}
	}
	return t
}()

// authSchemes are HTTP authentication schemes whose credentials follow them.
var authSchemes = [...]string{"bearer", "basic", "token", "digest", "negotiate"}

// matchSecretWord matches, at the start of a word b[i], a vendor API key
// ("AKIA...", "ghp_...") or an authentication scheme followed by credentials
// ("Bearer abc.def", "Basic dXNlcjpwYXNz"). For the latter the span is the
// credentials only.
func matchSecretWord(b []byte, i int) (int, int) {
	n := len(b)
	c := b[i]
	k := secretStart[c]
	if k == 0 {
		return 0, 0
	}
	if k&startsPrefix != 0 {
		for _, p := range prefixesByStart[c] {
			tp := &tokenPrefixes[p]
			if !hasPrefix(b[i:], tp.prefix) {
				continue
			}
			q := i + len(tp.prefix)
			st := q
			for q < n && (isAlnum(b[q]) || !tp.upper && (b[q] == '_' || b[q] == '-')) {
				if tp.upper && !isDigit(b[q]) && !isUpperByte(b[q]) {
					break
				}
				q++
			}
			if q-st >= tp.min && (q >= n || !isAlnum(b[q])) {
				return i, q
			}
		}
	}
	if k&startsScheme == 0 {
		return 0, 0
	}
	for _, sch := range &authSchemes {
		// The scheme is a whole word followed by a space: test that byte
		// before comparing letters.
		if i+len(sch) >= n || b[i+len(sch)] != ' ' || !hasPrefixFold(b[i:], sch) {
			continue
		}
		p := i + len(sch)
		if p+1 >= n || b[p] != ' ' {
			return 0, 0
		}
		st, end := p+1, p+1
		for end < n && tokenChar(b[end]) {
			end++
		}
		if tokenish(b[st:end]) && (end >= n || !isAlnum(b[end])) {
			return st, end
		}
		return 0, 0
	}
	return 0, 0
}

// maySecret is a cheap test of whether matchSecretWord can match at b[i]:
// the word is an authentication scheme followed by a space, or begins like a
// vendor key.
func maySecret(b []byte, i int) bool {
	n := len(b)
	k := secretStart[b[i]]
	if k&startsScheme != 0 {
		// bearer, digest (6), basic, token (5), negotiate (9).
		if i+6 < n && b[i+6] == ' ' || i+5 < n && b[i+5] == ' ' || i+9 < n && b[i+9] == ' ' {
			return true
		}
	}
	if k&startsPrefix != 0 && i+3 < n {
		for _, p := range prefixesByStart[b[i]] {
			tp := &tokenPrefixes[p]
			if b[i+1] == tp.prefix[1] && b[i+2] == tp.prefix[2] {
				return true
			}
		}
	}
	return false
}

// tokenish reports whether v looks like machine-made credentials rather than
// a word of prose ("Bearer authentication"): eight or more characters with a
// digit, an inner upper-case letter or a symbol of the token alphabet.
func tokenish(v []byte) bool {
	if len(v) < 8 {
		return false
	}
	for k, c := range v {
		switch {
		case isDigit(c):
			return true
		case k > 0 && isUpperByte(c):
			return true
		case c == '=' || c == '+' || c == '/' || c == '_' || c == '-' || c == '.' || c == '~':
			return true
		}
	}
	return false
}

// secretKeys are endings of key names whose values are secrets:
// "password=...", "db_password: ...", "X-Api-Key: ...", "client_secret=...".
var secretKeys = [...]string{
	"password", "passwd", "passphrase", "secret", "token", "apikey", "api_key",
	"api-key", "access_key", "accesskey", "private_key", "secret_key",
	"credentials", "credential", "authorization", "cookie", "session_id",
	"sessionid",
}

// tailSet holds the last four bytes of each secret key, case-folded with
// 0x20 (which maps letters to lower case and leaves digits, '-' and '.'
// alone), as little-endian uint32s in a perfect hash table: a key that ends
// in none of them is ruled out with one multiplication and one comparison,
// before it is read backwards.
type tailSet struct {
	mul   uint32
	slots [tailSlots]uint32 // 0: empty
}

const (
	tailBits  = 7
	tailSlots = 1 << tailBits
)

var secretTails = func() *tailSet {
	for mul := uint32(0x9E3779B1); ; mul += 2 {
		t := &tailSet{mul: mul}
		ok := true
		for _, k := range secretKeys {
			w := foldTail([]byte(k[len(k)-4:]))
			h := t.slot(w)
			if t.slots[h] != 0 && t.slots[h] != w {
				ok = false
				break
			}
			t.slots[h] = w
		}
		if ok {
			return t
		}
	}
}()

func foldTail(b []byte) uint32 {
	_ = b[3]
	return (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24) | 0x20202020
}

func (t *tailSet) slot(w uint32) uint32 { return (w * t.mul) >> (32 - tailBits) }

// has reports whether the four bytes b end a secret key.
func (t *tailSet) has(b []byte) bool {
	w := foldTail(b)
	return t.slots[t.slot(w)] == w
}

// matchSecretValue matches the value of a key=value or "key": "value" pair at
// the separator b[sep] ('=' or ':') whose key names a secret. The span is the
// value only, so that the key stays readable. Authorization values keep their
// scheme ("Authorization: Bearer <span>"); cookie values run to the end of
// the line or the closing quote.
func matchSecretValue(b []byte, sep int) (int, int) {
	// The key, read backwards, possibly quoted.
	k := sep
	for k > 0 && b[k-1] == ' ' && sep-k < 4 {
		k--
	}
	if k > 0 && (b[k-1] == '"' || b[k-1] == '\'') {
		k--
	}
	if k < 5 || !secretTails.has(b[k-4:k]) {
		return 0, 0
	}
	ke := k
	for k > 0 && ke-k < 64 && (isAlnum(b[k-1]) || b[k-1] == '_' || b[k-1] == '-' || b[k-1] == '.') {
		k--
	}
	key := b[k:ke]
	if len(key) < 5 {
		return 0, 0
	}
	which := ""
	for _, ki := range keysByLast[key[len(key)-1]] {
		sk := secretKeys[ki]
		if len(key) >= len(sk) && hasPrefixFold(key[len(key)-len(sk):], sk) {
			which = sk
			break
		}
	}
	if which == "" {
		return 0, 0
	}
	// The value.
	n := len(b)
	p := sep + 1
	if p < n && b[sep] == ':' && b[p] == ':' {
		return 0, 0
	}
	vs := sep
	if p < n && b[sep] == '=' && b[p] == '>' {
		p++ // "password => ...", Ruby and Perl hashes: the arrow is the separator
		vs++
	}
	for p < n && b[p] == ' ' && p-vs < 4 {
		p++
	}
	var quote byte
	if p < n && (b[p] == '"' || b[p] == '\'') {
		quote = b[p]
		p++
	}
	if which == "authorization" {
		for _, sch := range authSchemes {
			if hasPrefixFold(b[p:], sch) && p+len(sch) < n && b[p+len(sch)] == ' ' {
				p += len(sch) + 1
				break
			}
		}
	}
	st := p
	if p < n && b[p] == '[' {
		// "[secret]": a value scrubbed before.
		for q := p + 1; q < n && q-p < 32; q++ {
			if b[q] == ']' {
				if placeholder(b[p : q+1]) {
					return 0, 0
				}
				break
			}
		}
	}
	for p < n {
		c := b[p]
		if quote != 0 {
			if c == quote {
				break
			}
			if c == '\\' && p+1 < n {
				p += 2
				continue
			}
		} else if c == ' ' && which != "cookie" || c == '\t' || c == '\n' || c == '\r' || c == '&' || c == '"' ||
			(c == ',' || c == ';' || c == '}' || c == ')' || c == ']') && which != "cookie" {
			break
		}
		p++
	}
	if p > n {
		p = n
	}
	if p == st || placeholder(b[st:p]) {
		return 0, 0
	}
	return st, p
}

// placeholder reports whether v is already scrubbed or empty in substance:
// "[secret]", "***", "null", "-".
func placeholder(v []byte) bool {
	if len(v) >= 2 && v[0] == '[' && v[len(v)-1] == ']' {
		name := string(v[1 : len(v)-1])
		switch name {
		case "redacted", "REDACTED", "filtered", "FILTERED", "hidden", "masked", "removed":
			return true
		}
		return IsBuiltin(Type(name))
	}
	stars := true
	for _, c := range v {
		if c != '*' && c != 'x' && c != 'X' {
			stars = false
			break
		}
	}
	if stars {
		return true
	}
	switch string(v) {
	case "-", "null", "none", "None", "nil", "<nil>", "true", "false", "undefined", "REDACTED", "redacted":
		return true
	}
	return false
}

// hasPrefix reports whether b starts with p.
func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// hasPrefixFold reports whether b starts with the lower-case ASCII string p,
// ignoring the case of b.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		c := b[k]
		if 'A' <= c && c <= 'Z' {
			c |= 0x20
		}
		if c != p[k] {
			return false
		}
	}
	return true
}

// maxPEMBody bounds the body of a PEM block read after its BEGIN line; a
// 16384-bit RSA key is about 13 KB.
const maxPEMBody = 64 << 10

// pemBody marks the bytes a PEM body may hold as logs write it: base64,
// white space, the backslash of escaped line ends ("\n", "\r\n" in text that
// holds JSON or logfmt), and the header lines of encrypted keys and PGP
// blocks ("Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,...",
// "Version: GnuPG v2", "=AbCd").
var pemBody = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = class[c]&cAlnum != 0
	}
	for _, c := range "+/= \t\r\n\\:,-._()" {
		t[c] = true
	}
	return t
}()

// pemAt reports whether b[i] begins the "BEGIN " of a PEM armour line,
// after its five dashes.
func pemAt(b []byte, i int) bool {
	return i >= 5 && string(b[i-5:i]) == "-----" && hasPrefix(b[i:], "BEGIN ")
}

// matchPEM matches the body of a PEM private key ("-----BEGIN RSA PRIVATE
// KEY-----" ... "-----END RSA PRIVATE KEY-----", also OPENSSH, EC,
// ENCRYPTED and PGP PRIVATE KEY BLOCK) at b[i], the 'B' of BEGIN. The span is
// the body between the armour lines, which stay readable; a block cut short
// (no END line: a truncated record) is a secret up to where its body stops.
// Certificates and public keys are not secrets and are left.
func matchPEM(b []byte, i int) (int, int) {
	if !pemAt(b, i) {
		return 0, 0
	}
	// The label: upper-case words up to the closing dashes. No digits: the
	// label is skipped unscanned, so it must have no room for a number.
	p := i + len("BEGIN ")
	ls := p
	for p < len(b) && p-ls <= 40 && (isUpperByte(b[p]) || b[p] == ' ') {
		p++
	}
	label := b[ls:p]
	if !hasPrefix(b[p:], "-----") || !(bytes.HasSuffix(label, []byte("PRIVATE KEY")) || bytes.HasSuffix(label, []byte("PRIVATE KEY BLOCK"))) {
		return 0, 0
	}
	st := p + len("-----")
	end := st
	for end < len(b) && end-st < maxPEMBody && pemBody[b[end]] {
		if b[end] == '-' && hasPrefix(b[end:], "-----END ") {
			break
		}
		end++
	}
	if !pemSubstance(b[st:end]) {
		return 0, 0
	}
	return st, end
}

// pemSubstance reports whether a PEM body holds key material: something
// other than white space and escaped line ends that is not a placeholder
// ("[secret]" left by scrubbing).
func pemSubstance(v []byte) bool {
	for len(v) > 0 {
		switch {
		case pemSpace(v[0]):
			v = v[1:]
		case len(v) >= 2 && v[0] == '\\' && (v[1] == 'n' || v[1] == 'r'):
			v = v[2:]
		case pemSpace(v[len(v)-1]):
			v = v[:len(v)-1]
		case len(v) >= 2 && v[len(v)-2] == '\\' && (v[len(v)-1] == 'n' || v[len(v)-1] == 'r'):
			v = v[:len(v)-2]
		default:
			return !placeholder(v)
		}
	}
	return false
}

func pemSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
