package detectors

import "bytes"

// Credentials in the user-info of a URL of any scheme:
// "redis://default:s3cret@cache:6379", "postgres://app:pw@db/orders",
// "mongodb+srv://jdoe:pw@cluster0.example.net", "ftp://anna@ftp.example.org".
// The password is a secret, the user name an account (typeAccount); the
// host after the '@' is scanned as usual.

// typeAccount is the type of a user name found in a URL's user-info. It is
// the name the default field rules give account identifiers, so that the
// engine applies their rule (pseudonymized, one pseudonym per account).
const typeAccount Type = "account_id"

// maxUserinfo bounds the user-info read backwards from its '@'.
const maxUserinfo = 256

// schemeSep ends the scheme of a URL with an authority.
var schemeSep = []byte("://")

// userinfoStop marks the bytes that cannot be in a URL's user-info as logs
// write it: white space and controls, the delimiters '/' and '@', and what
// quotes or ends a URL in text ('"', '<', '>', '\\', '`', '{', '}', '|').
// The sub-delimiters ("!$&'()*+,;=") and '%', '#', '?', '^', '[' and ']',
// which careless writers leave unescaped in passwords (and "[secret]" that
// scrubbing leaves), are allowed.
var userinfoStop = func() (t [256]bool) {
	for c := 0; c <= ' '; c++ {
		t[c] = true
	}
	t[0x7f] = true
	for _, c := range "/@\"<>\\`{}|" {
		t[c] = true
	}
	return t
}()

// A urlCred is the user-info of a URL found at its '@': the user name and
// the password spans (empty when absent), and the index of the '@' that
// ends the user-info.
type urlCred struct {
	scheme, start   int // starts of the scheme and of the user-info
	userSt, userEnd int
	passSt, passEnd int
	at              int
}

// userinfoStart returns the starts of the scheme and of the user-info that
// ends at the '@' b[at], or -1: the bytes before at, back to a "scheme://"
// that starts at lo or later, are user-info bytes.
func userinfoStart(b []byte, at, lo int) (int, int) {
	p := at
	for p > lo && at-p < maxUserinfo && !userinfoStop[b[p-1]] {
		p--
	}
	// "scheme://": the scheme is a letter, then letters, digits, '+', '-'
	// or '.' ("mongodb+srv"), two characters at least (not a drive "C:").
	if p-3 < lo || b[p-1] != '/' || b[p-2] != '/' || b[p-3] != ':' {
		return -1, -1
	}
	s := p - 3
	for s > lo && p-3-s < 32 && (isAlnum(b[s-1]) || b[s-1] == '+' || b[s-1] == '-' || b[s-1] == '.') {
		s--
	}
	for s < p-3 && !isLetter(b[s]) {
		s++ // "1+redis://": a scheme starts with a letter
	}
	if p-3-s < 2 || s > 0 && isAlnum(b[s-1]) {
		return -1, -1
	}
	return s, p
}

// matchURLCred matches the user-info of a URL at its first '@', b[at]. The
// user-info starts after "scheme://" (at lo or later); it may hold more
// '@'s ("u:p@ss@host"), unescaped: the last '@' of the authority ends it.
// It reports false when there is no user-info or no host after it.
func matchURLCred(b []byte, at, lo int) (urlCred, bool) {
	sch, st := userinfoStart(b, at, lo)
	if st < 0 {
		return urlCred{}, false
	}
	// The authority runs to the first '/' or stop byte; its last '@'
	// ends the user-info.
	end := at
	for q := at + 1; q < len(b) && q-at < maxUserinfo; q++ {
		c := b[q]
		if c == '@' {
			end = q
			continue
		}
		if userinfoStop[c] {
			break
		}
	}
	if end+1 >= len(b) || userinfoStop[b[end+1]] {
		return urlCred{}, false // no host
	}
	c := urlCred{scheme: sch, start: st, userSt: st, userEnd: end, passSt: end, passEnd: end, at: end}
	for q := st; q < end; q++ {
		if b[q] == ':' {
			c.userEnd, c.passSt = q, q+1
			break
		}
	}
	if placeholder(b[c.userSt:c.userEnd]) {
		c.userEnd = c.userSt
	}
	if placeholder(b[c.passSt:c.passEnd]) {
		c.passSt = c.passEnd
	}
	if c.userEnd == c.userSt && c.passEnd == c.passSt {
		return urlCred{}, false
	}
	return c, true
}

// userinfoTrigger is triggerWork's test for an '@': whether a "//" comes
// before it with only user-info bytes between (see userinfoStart).
func userinfoTrigger(b []byte, at int) bool {
	// Most '@'s have no "://" before them ("Factory@197"): a vectorised
	// search rules them out before the byte-wise walk back.
	if !bytes.Contains(b[max(0, at-maxUserinfo-3):at], schemeSep) {
		return false
	}
	p := at
	for p > 0 && at-p < maxUserinfo && !userinfoStop[b[p-1]] {
		p--
	}
	return p >= 3 && b[p-1] == '/' && b[p-2] == '/' && b[p-3] == ':'
}

// urlCredAt is the scan loop's step at an '@' that may end a URL's
// user-info. Findings already made inside the user-info (a password that
// looks like a phone number) are dropped: the user-info's own findings
// cover them. It returns the extended findings and the index of the '@',
// after which the scan goes on with the host, or 0.
func (s *Scanner) urlCredAt(dst []Finding, base int, b []byte, at int) ([]Finding, int) {
	// The user-info may hold findings made before its '@' was seen; the
	// scheme before it may not.
	lo := 0
	k := len(dst)
	for k > base && dst[k-1].End > at-maxUserinfo {
		k--
	}
	if k > base {
		lo = dst[k-1].End
	}
	c, ok := matchURLCred(b, at, lo)
	if !ok {
		return dst, 0
	}
	// Keep the findings before the user-info; one that ends after the
	// scheme starts means the "scheme://" was read in a finding's bytes.
	for k = len(dst); k > base && dst[k-1].Start >= c.start; k-- {
	}
	if k > base && dst[k-1].End > c.scheme {
		return dst, 0
	}
	dst = dst[:k]
	if c.userEnd > c.userSt {
		dst = append(dst, Finding{Type: typeAccount, Start: c.userSt, End: c.userEnd})
	}
	if c.passEnd > c.passSt {
		dst = append(dst, Finding{Type: Secret, Start: c.passSt, End: c.passEnd})
	}
	return dst, c.at
}
