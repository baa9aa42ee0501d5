// Package baseline is a plain standard-library implementation of scrubd's
// built-in detectors and default policy: one regexp.Regexp per type, written
// the way such patterns are usually written, with the same validators as
// scrubd's detectors applied in Go after the match (Luhn and issuer prefixes
// for cards, the IBAN registry length and MOD 97-10, Luhn and the reporting
// body for IMEIs, net/netip for addresses, libphonenumber metadata for phone
// numbers). It exists to be measured against: the benchmarks in package
// bench run it on the same lines as scrubd, in the same process, so that the
// ratio of the two is a fair one.
//
// Scrub applies the default policy's actions: IPv4 addresses truncated to
// /24 and IPv6 to /48, e-mail addresses, phone numbers, MACs, IMEIs, UUIDs
// and values under account, device and contact keys replaced by an
// HMAC-SHA256 pseudonym, card numbers, IBANs, JWTs and secrets redacted to
// "[type]".
//
// What differs from scrubd, on purpose or because regular expressions cannot
// express it:
//
//   - Records are scanned as text. JSON is not parsed, so escaped strings are
//     not decoded and field rules match keys only as "key": value or key=value
//     pairs, never by their path ("user.id" in nested objects is not
//     recognised); an access log's remote_user is found by the position of the
//     field.
//   - IPv4 in reverse-DNS host names is found only as "ip-1-2-3-4" or
//     "1-2-3-4.domain", as scrubd does, but not in "host1.2.3.4.example".
//   - Phone numbers are found in a fixed set of shapes (international with
//     '+', NANP, trunk-prefix national forms, and the Indian, Chinese and
//     Singaporean mobile groupings) and then validated with the metadata;
//     scrubd derives its national shapes from each region's own formats.
//   - Card issuer ranges are the major schemes' prefixes, not scrubd's full
//     table; groupings are any single separators, not only printed ones.
//   - Matches of different types that overlap are resolved by start offset,
//     then length; scrubd resolves them in its single pass.
//
// A Scrubber is not safe for concurrent use: it reuses one HMAC state.
package baseline

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/scrubd/scrubd/detectors"
)

// A Match is one value found in a line: its type and byte range.
type Match struct {
	Type       detectors.Type
	Start, End int
}

// A detector is one regular expression with the validation applied to its
// matches.
type detector struct {
	typ detectors.Type
	re  *regexp.Regexp
	// submatch is true when the value is the first non-empty capture group
	// rather than the whole match.
	submatch bool
	// valid checks a candidate: line[start:end], captured by group (0 for
	// the whole match).
	valid func(line []byte, start, end, group int) bool
	// typeOf, when set, gives the type of a submatch from the index of the
	// group that matched (field rules).
	typeOf func(group int) detectors.Type
}

const (
	octet = `(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`
	ipv4  = `(?:` + octet + `\.){3}` + octet
	h16   = `[0-9A-Fa-f]{1,4}`
	ipv6  = `(?:` +
		`(?:` + h16 + `:){7}` + h16 +
		`|(?:` + h16 + `:){1,7}:` +
		`|(?:` + h16 + `:){1,6}:` + h16 +
		`|(?:` + h16 + `:){1,5}(?::` + h16 + `){1,2}` +
		`|(?:` + h16 + `:){1,4}(?::` + h16 + `){1,3}` +
		`|(?:` + h16 + `:){1,3}(?::` + h16 + `){1,4}` +
		`|(?:` + h16 + `:){1,2}(?::` + h16 + `){1,5}` +
		`|` + h16 + `:(?::` + h16 + `){1,6}` +
		`|:(?:(?::` + h16 + `){1,7}|:)` +
		`|::(?:[fF]{4}(?::0{1,4})?:)?` + ipv4 +
		`|(?:` + h16 + `:){1,4}:` + ipv4 +
		`)(?:%(?:25)?[0-9A-Za-z_.-]+)?`
)

// Key names of the default policy's field rules, by the name they report.
var fieldKeys = []struct {
	typ  detectors.Type
	keys string
}{
	{"account_id", `uid|user_id|userid|account_id|accountid|mi_id|customer_id|member_id|username|user_name|login|remote_user`},
	{"device_id", `device_id|deviceid|android_id|advertising_id|idfa|idfv|gaid|adid|installation_id|install_id`},
	{detectors.IMEI, `imei`},
	{detectors.MAC, `mac`},
	{detectors.Email, `email|e_mail`},
	{detectors.Phone, `phone|phone_number|mobile|msisdn`},
	{"person", `first_name|last_name|full_name`},
}

// Scrubber finds and replaces personal data with regular expressions.
type Scrubber struct {
	dets   []detector
	access *regexp.Regexp // remote_user of access logs
	mac    hash.Hash
}

// New returns a Scrubber that makes pseudonyms with the HMAC key key.
func New(key []byte) *Scrubber {
	s := &Scrubber{mac: hmac.New(sha256.New, key)}
	ip6 := regexp.MustCompile(ipv6)
	ip6.Longest()
	var fields strings.Builder
	fields.WriteString(`(?i)(?:^|[\s&?;,{(\[|])["']?(?:`)
	for k, f := range fieldKeys {
		if k > 0 {
			fields.WriteByte('|')
		}
		fields.WriteString(`(` + f.keys + `)`)
	}
	fields.WriteString(`)["']?\s*[:=]\s*(?:"([^"]+)"|'([^']+)'|([^"'\s&;,)\]}]+))`)
	s.dets = []detector{
		{typ: detectors.IPv4, re: regexp.MustCompile(`\b` + ipv4 + `\b`), valid: validIPv4},
		{typ: detectors.IPv4, re: regexp.MustCompile(`\bip-(` + octet + `(?:-` + octet + `){3})\b|\b(` + octet + `(?:-` + octet + `){3})\.[A-Za-z]`), submatch: true, valid: validDashed},
		{typ: detectors.IPv6, re: ip6, valid: validIPv6},
		{typ: detectors.Email, re: regexp.MustCompile(`[A-Za-z0-9._%+-]+(?:@|%40)(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b`), valid: validEmail},
		{typ: detectors.Phone, re: regexp.MustCompile(
			`\+[1-9][0-9]{0,2}(?:[ .-]?\(0\))?(?:[ .-]?\(?[0-9]{1,5}\)?){1,6}` +
				`|\(?\b[2-9][0-9]{2}\)?[ .-][2-9][0-9]{2}[ .-][0-9]{4}\b` +
				`|\b0[1-9][0-9]{0,4}(?:[ /.-][0-9]{2,8}){1,4}\b` +
				`|\b[6-9][0-9]{4} [0-9]{5}\b` +
				`|\b1[3-9][0-9] [0-9]{4} [0-9]{4}\b` +
				`|\b[689][0-9]{3} [0-9]{4}\b`), valid: validPhone},
		{typ: detectors.CreditCard, re: regexp.MustCompile(`\b(?:[0-9][ -]?){11,18}[0-9]\b`), valid: validCard},
		{typ: detectors.IBAN, re: regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b`), valid: validIBAN},
		{typ: detectors.MAC, re: regexp.MustCompile(`\b(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}\b|\b(?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}\b|\b[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\b`)},
		{typ: detectors.IMEI, re: regexp.MustCompile(`\b[0-9]{2}[ -]?[0-9]{6}[ -]?[0-9]{6}[ -]?[0-9]{1,2}\b|\b[0-9]{8}-[0-9]{6}-[0-9]\b`), valid: validIMEI},
		{typ: detectors.UUID, re: regexp.MustCompile(`\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b`)},
		{typ: detectors.JWT, re: regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)},
		// Secrets: credentials after an authentication scheme, vendors'
		// API keys, values of secret-named keys. Three expressions rather
		// than one alternation: the alternation is too large for Go's
		// backtracking matcher and runs on the slower NFA.
		{typ: detectors.Secret, re: regexp.MustCompile(`(?i:\b(?:bearer|basic|token|digest|negotiate) +)([A-Za-z0-9._~+/=-]{8,})`), submatch: true, valid: validSecret},
		{typ: detectors.Secret, re: regexp.MustCompile(`\b((?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_-]{20,}|xox[bpasr]-[A-Za-z0-9-]{10,}|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36,}|sk-[A-Za-z0-9_-]{32,})\b`), submatch: true},
		{typ: detectors.Secret, re: regexp.MustCompile(`(?i:password|passwd|passphrase|secret|token|api_?key|api-key|access_?key|private_key|secret_key|credentials?|authorization|cookie|session_?id)["']?[ ]?[:=][ ]?["']?((?:(?i:bearer|basic|token|digest|negotiate) )?[^\s"'&,;)\]}]+)`), submatch: true, valid: validSecretValue},
		{re: regexp.MustCompile(fields.String()), submatch: true, typeOf: func(g int) detectors.Type {
			if g <= len(fieldKeys) {
				return fieldKeys[g-1].typ
			}
			return ""
		}},
	}
	s.access = regexp.MustCompile(`^\S+ \S+ ([^\s-]\S*) \[[^\]]+\] "`)
	return s
}

// Find returns the values found in line, in order of their start offsets and
// without overlaps.
func (s *Scrubber) Find(line []byte) []Match {
	var ms []Match
	for i := range s.dets {
		d := &s.dets[i]
		if !d.submatch {
			for _, loc := range d.re.FindAllIndex(line, -1) {
				if d.valid == nil || d.valid(line, loc[0], loc[1], 0) {
					ms = append(ms, Match{Type: d.typ, Start: loc[0], End: loc[1]})
				}
			}
			continue
		}
		for _, loc := range d.re.FindAllSubmatchIndex(line, -1) {
			// The value is the last group that matched; field rules
			// also say which key group matched.
			vs, ve, vg, key := -1, -1, 0, 0
			for g := len(loc)/2 - 1; g >= 1; g-- {
				if loc[2*g] >= 0 {
					if vs < 0 {
						vs, ve, vg = loc[2*g], loc[2*g+1], g
					} else if key == 0 {
						key = g
					}
				}
			}
			if vs < 0 || vs == ve {
				continue
			}
			t := d.typ
			if d.typeOf != nil {
				if t = d.typeOf(key); t == "" || isPlaceholder(line[vs:ve]) {
					continue
				}
			}
			if d.valid == nil || d.valid(line, vs, ve, vg) {
				ms = append(ms, Match{Type: t, Start: vs, End: ve})
			}
		}
	}
	if m := s.access.FindSubmatchIndex(line); m != nil {
		ms = append(ms, Match{Type: "account_id", Start: m[2], End: m[3]})
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Start != ms[j].Start {
			return ms[i].Start < ms[j].Start
		}
		return ms[i].End > ms[j].End
	})
	out := ms[:0]
	last := 0
	for _, m := range ms {
		if m.Start < last {
			continue
		}
		out = append(out, m)
		last = m.End
	}
	return out
}

// Scrub returns line with the values Find reports replaced according to the
// default policy.
func (s *Scrubber) Scrub(line []byte) []byte {
	ms := s.Find(line)
	if len(ms) == 0 {
		return append([]byte(nil), line...)
	}
	out := make([]byte, 0, len(line)+32*len(ms))
	prev := 0
	for _, m := range ms {
		out = append(out, line[prev:m.Start]...)
		out = s.replace(out, m.Type, line[m.Start:m.End])
		prev = m.End
	}
	return append(out, line[prev:]...)
}

func (s *Scrubber) replace(dst []byte, t detectors.Type, v []byte) []byte {
	switch t {
	case detectors.IPv4, detectors.IPv6:
		if out, ok := truncate(dst, string(v)); ok {
			return out
		}
		return append(dst, "["+string(t)+"]"...)
	case detectors.CreditCard, detectors.IBAN, detectors.JWT, detectors.Secret:
		return append(dst, "["+string(t)+"]"...)
	}
	s.mac.Reset()
	s.mac.Write([]byte(t))
	s.mac.Write([]byte{0})
	s.mac.Write(v)
	sum := s.mac.Sum(nil)
	dst = append(dst, t...)
	dst = append(dst, "_b_"...)
	const letters = "ghijklmnopqrstuv"
	for _, c := range sum[:12] {
		dst = append(dst, letters[c>>4], letters[c&15])
	}
	return dst
}

// truncate appends the address v with its host part zeroed: /24 for IPv4,
// /48 for IPv6, keeping the '-' of host-name forms.
func truncate(dst []byte, v string) ([]byte, bool) {
	if strings.Contains(v, "-") && !strings.Contains(v, ":") {
		parts := strings.Split(v, "-")
		if len(parts) != 4 {
			return dst, false
		}
		return append(dst, parts[0]+"-"+parts[1]+"-"+parts[2]+"-0"...), true
	}
	if i := strings.IndexByte(v, '%'); i >= 0 {
		v = v[:i]
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return dst, false
	}
	switch {
	case a.Is4():
		p, _ := a.Prefix(24)
		return p.Addr().AppendTo(dst), true
	case a.Is4In6():
		p, _ := a.Unmap().Prefix(24)
		dst = append(dst, "::ffff:"...)
		return p.Addr().AppendTo(dst), true
	}
	p, _ := a.Prefix(48)
	return p.Addr().AppendTo(dst), true
}

// ---- validators ----

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// validIPv4 rejects a quad that is part of a longer dotted run of numbers.
func validIPv4(b []byte, st, end, _ int) bool {
	if st >= 2 && b[st-1] == '.' && isDigit(b[st-2]) {
		return false
	}
	return !(end+1 < len(b) && b[end] == '.' && isDigit(b[end+1]))
}

func validDashed(b []byte, st, end, _ int) bool {
	return !(st >= 2 && b[st-1] == '-' && isDigit(b[st-2])) && !(end+1 < len(b) && b[end] == '-' && isDigit(b[end+1]))
}

// validIPv6 applies the checks scrubd applies: word boundaries, net/netip,
// and a decimal digit or at least four groups, against "dead::beef" and
// C++ scopes.
func validIPv6(b []byte, st, end, _ int) bool {
	if st > 0 && (isAlnum(b[st-1]) || b[st-1] == ':' || b[st-1] == '.') {
		return false
	}
	if end < len(b) && (isAlnum(b[end]) || b[end] == ':') {
		return false
	}
	v := string(b[st:end])
	addr := v
	if i := strings.IndexByte(v, '%'); i >= 0 {
		addr = v[:i]
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || len(addr) < 3 {
		return false
	}
	return strings.ContainsAny(addr, "0123456789") || strings.Count(addr, ":") >= 3
}

// fileExtensions are asset name endings that follow '@' ("icon@2x.png")
// but are not top-level domains, as in scrubd.
var fileExtensions = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "ico": true, "bmp": true,
	"css": true, "js": true, "map": true, "json": true, "xml": true, "html": true, "htm": true, "txt": true,
	"log": true, "gz": true, "tgz": true, "tar": true, "pdf": true, "woff": true, "ttf": true, "php": true,
	"yml": true, "yaml": true, "csv": true,
}

func validEmail(b []byte, st, end, _ int) bool {
	v := b[st:end]
	dot := strings.LastIndexByte(string(v), '.')
	return !fileExtensions[strings.ToLower(string(v[dot+1:]))]
}

var phoneRegions = detectors.DefaultPhoneRegions

// validPhone parses the candidate with the phone-number metadata:
// international numbers as they are, national ones for each default region.
func validPhone(b []byte, st, end, _ int) bool {
	v := string(b[st:end])
	if n := len(digitsOf(b[st:end])); n < 8 || n > 17 {
		return false // no phone number is that short or long
	}
	if v[0] == '+' {
		pn, err := phonenumbers.Parse(v, "")
		return err == nil && phonenumbers.IsValidNumber(pn)
	}
	for _, r := range phoneRegions {
		if pn, err := phonenumbers.Parse(v, r); err == nil && phonenumbers.IsValidNumber(pn) {
			return true
		}
	}
	return false
}

// digitsOf returns the ASCII digits of v.
func digitsOf(v []byte) []byte {
	d := make([]byte, 0, len(v))
	for _, c := range v {
		if isDigit(c) {
			d = append(d, c)
		}
	}
	return d
}

func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return len(d) > 0 && sum%10 == 0
}

// cardPrefixes are the issuer prefixes of the major schemes: Visa,
// Mastercard, American Express, Discover, JCB, Diners Club, UnionPay,
// Maestro.
var cardPrefixes = regexp.MustCompile(`^(?:4|5[1-5]|2(?:22[1-9]|2[3-9][0-9]|[3-6][0-9]{2}|7[01][0-9]|720)|3[47]|6011|64[4-9]|65|35(?:2[89]|[3-8][0-9])|30[0-5]|3095|36|3[89]|62|50[0-9]{2}|5[6-8]|6[0-9])`)

func validCard(b []byte, st, end, _ int) bool {
	d := digitsOf(b[st:end])
	return len(d) >= 12 && len(d) <= 19 && luhn(d) && cardPrefixes.Match(d)
}

// ibanLengths are the IBAN lengths of the SWIFT registry's countries.
var ibanLengths = func() map[string]int {
	const reg = "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24" +
		"DE22DJ27DK18DO28EE20EG29ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27" +
		"GT28HN28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21LT20" +
		"LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24" +
		"PL28PS29PT25QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25" +
		"SV28TL23TN24TR26UA29VA22VG24XK20YE30"
	m := map[string]int{}
	for i := 0; i+4 <= len(reg); i += 4 {
		n, _ := strconv.Atoi(reg[i+2 : i+4])
		m[reg[i:i+2]] = n
	}
	return m
}()

func validIBAN(b []byte, st, end, _ int) bool {
	v := strings.ReplaceAll(string(b[st:end]), " ", "")
	if ibanLengths[v[:2]] != len(v) {
		return false
	}
	rem := 0
	for _, c := range []byte(v[4:] + v[:4]) {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem == 1
}

// imeiRBI are the allocated reporting bodies, as in scrubd.
var imeiRBI = map[string]bool{
	"01": true, "02": true, "03": true, "04": true, "05": true, "06": true, "07": true, "08": true, "09": true,
	"10": true, "30": true, "33": true, "35": true, "44": true, "45": true, "49": true, "50": true, "51": true,
	"52": true, "53": true, "54": true, "86": true, "91": true, "98": true, "99": true,
}

func validIMEI(b []byte, st, end, _ int) bool {
	d := digitsOf(b[st:end])
	switch len(d) {
	case 15:
		return imeiRBI[string(d[:2])] && luhn(d)
	case 16: // IMEISV, grouped only
		return end-st > 16 && imeiRBI[string(d[:2])]
	}
	return false
}

// validSecretValue drops placeholders ("[redacted]", "null") in the
// values of secret-named keys.
func validSecretValue(b []byte, st, end, _ int) bool { return !isPlaceholder(b[st:end]) }

// validSecret keeps credentials after an authentication scheme only when
// they look machine-made, as scrubd does: a digit, an inner capital or a
// token symbol.
func validSecret(b []byte, st, end, _ int) bool {
	v := b[st:end]
	if isPlaceholder(v) {
		return false
	}
	for k, c := range v {
		if isDigit(c) || k > 0 && 'A' <= c && c <= 'Z' || strings.IndexByte("=+/_-.~", c) >= 0 {
			return true
		}
	}
	return false
}

func isPlaceholder(v []byte) bool {
	switch string(v) {
	case "-", "null", "none", "None", "nil", "true", "false", "undefined", "REDACTED", "redacted", "***":
		return true
	}
	// "[redacted]", "[secret]": the value classes stop before the ']'.
	return len(v) >= 2 && v[0] == '['
}
