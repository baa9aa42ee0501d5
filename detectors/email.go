package detectors

import (
	"unicode"
	"unicode/utf8"

	"github.com/scrubd/scrubd/detectors/hexdig"
)

// typePerson is the type of the display name before an address in angle
// brackets ("Jo Bloggs" <jo@example.com>): a person's name, the name the
// default field rules give people's names, so that the engine applies
// their rule.
const typePerson Type = "person"

// displayName returns the span of the display name before an address that
// starts at b[st] inside angle brackets, not starting before lo, or an end
// of 0: a quoted name of up to 128 bytes ("Jo Bloggs" <...>), or two to
// four capitalised words (Jo Bloggs <...>, Zoë O'Brien-Smith <...>), the
// shape names have when they are not quoted. One capitalised word is as
// often a label ("Contact <...>") and is left.
func displayName(b []byte, st, lo int) (int, int) {
	if st-2 < lo || b[st-1] != '<' {
		return 0, 0
	}
	p := st - 1
	for p > lo && st-1-p < 2 && b[p-1] == ' ' {
		p--
	}
	if p > lo && b[p-1] == '"' {
		q := p - 1
		for q > lo && p-q < 128 && (b[q-1] != '"' || q-2 >= lo && b[q-2] == '\\') {
			q--
		}
		if q > lo && b[q-1] == '"' && q < p-1 {
			return trimName(b, q, p-1)
		}
		return 0, 0
	}
	if p == st-1 {
		return 0, 0 // "x<a@b.c>": no space before the bracket
	}
	end, words := p, 0
	for words < 4 {
		w := p
		for w > lo && nameChar(b[w-1]) {
			w--
		}
		if w == p || !capitalised(b[w:p]) {
			break
		}
		words++
		st = w
		if w-1 <= lo || b[w-1] != ' ' {
			break
		}
		p = w - 1
	}
	if words < 2 {
		return 0, 0
	}
	return st, end
}

// nameChar reports whether c may be part of a word of a name: a letter, an
// apostrophe or hyphen ("O'Brien-Smith"), a dot of an initial, or a byte of a
// non-ASCII letter.
func nameChar(c byte) bool {
	return isLetter(c) || c == '\'' || c == '-' || c == '.' || c >= utf8.RuneSelf
}

// capitalised reports whether w starts with an upper-case letter and has a
// lower-case one ("Bloggs", "Zoë"; not "ERROR").
func capitalised(w []byte) bool {
	r, _ := utf8.DecodeRune(w)
	if !unicode.IsUpper(r) {
		return false
	}
	for _, x := range string(w) {
		if unicode.IsLower(x) {
			return true
		}
	}
	return false
}

// trimName trims spaces around the name b[st:end].
func trimName(b []byte, st, end int) (int, int) {
	for st < end && b[st] == ' ' {
		st++
	}
	for end > st && b[end-1] == ' ' {
		end--
	}
	if st == end {
		return 0, 0
	}
	return st, end
}

// withDisplayName appends, before the address found at b[st:], the
// display name in front of it (see displayName): findings inside the name
// are dropped (it covers them), unless one is an address; a finding that
// runs into it keeps it out.
func withDisplayName(dst []Finding, base int, b []byte, st int) []Finding {
	ns, ne := displayName(b, st, 0)
	if ne == 0 {
		return dst
	}
	k := len(dst)
	for k > base && dst[k-1].Start >= ns {
		if dst[k-1].Type == Email {
			return dst // "jo@example.com" <jo@example.com>: an address
		}
		k--
	}
	if k > base && dst[k-1].End > ns {
		return dst
	}
	return append(dst[:k], Finding{Type: typePerson, Start: ns, End: ne})
}

// localChar reports whether c may appear in the local part of an e-mail
// address as logs write it. The rarer RFC 5322 characters (!#$&'*/=?^`{|}~)
// are left out: in logs they far more often separate a key from an address
// ("email=jo@example.com") than belong to it.
func localChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-'
}

// matchEmailAt matches an e-mail address around the separator at b[at]: an
// '@', the "%40" that encodes it in URLs or an HTML entity ("&#64;",
// "&#x40;", "&commat;"); the domain starts at domStart. The local part is
// read backwards from at but never before last, the end of the previous
// finding. It may hold letters and digits of any script (RFC 6531,
// "josé@", "用户@"), but a run of CJK characters does not join a local part
// in another script: such text has no spaces between words ("请发邮件到
// jo@example.com" is "jo@example.com"). It returns the span, or an end of 0.
func matchEmailAt(b []byte, at, domStart, last int) (int, int) {
	st := at
	script := scriptNone
	for {
		for st > last {
			if at-st >= 192 {
				return 0, 0 // longer than RFC 5321 allows, even escaped
			}
			c := b[st-1]
			if localChar(c) {
				if script == scriptCJK {
					break
				}
				script = scriptAlpha
				st--
				continue
			}
			if c < utf8.RuneSelf {
				break
			}
			r, size := utf8.DecodeLastRune(b[last:st])
			sc := idnScript(r)
			if sc == scriptNone || script != scriptNone && sc != script {
				break
			}
			script = sc
			st -= size
		}
		// In a URL the local part may hold escapes ("j.smith%2Bshop%40"),
		// or follow one that separates it from what comes before
		// ("mailto%3Ajo%40"): an escaped local character belongs to it,
		// any other escape ends it (without its two hex digits).
		if st > last && st+2 <= at && b[st-1] == '%' && isHex(b[st]) && isHex(b[st+1]) {
			if h, ok := hexdig.Pair(b[st], b[st+1]); ok && localChar(h) && script != scriptCJK {
				script = scriptAlpha
				st--
				continue
			}
			// A character of any script, percent-encoded as UTF-8
			// ("j%C3%B6rg%40").
			if w, sc := pctRuneBefore(b, last, st+2); w > 0 && (script == scriptNone || sc == script) {
				script = sc
				st = st + 2 - w
				continue
			}
			st += 2
		}
		break
	}

	for st < at && (b[st] == '.' || b[st] == '-' || b[st] == '+') {
		st++
	}
	if st == at || b[at-1] == '.' {
		return 0, 0
	}
	end := matchDomain(b, domStart)
	if end < 0 {
		return 0, 0
	}
	return st, end
}

// pctRuneBefore decodes the percent-encoded UTF-8 sequence of one letter,
// digit or mark ending at b[end] ("%C3%B6"), starting at lo or later. It
// returns the width of the escapes and the rune's script (see idnScript),
// or a width of 0.
func pctRuneBefore(b []byte, lo, end int) (int, int) {
	var buf [4]byte
	n := 0
	p := end
	for n < 4 && p-3 >= lo && b[p-3] == '%' {
		h, ok := hexdig.Pair(b[p-2], b[p-1])
		if !ok || h < utf8.RuneSelf {
			break
		}
		n++
		buf[4-n] = h
		p -= 3
		if utf8.RuneStart(h) {
			break
		}
	}
	if n == 0 {
		return 0, scriptNone
	}
	r, size := utf8.DecodeRune(buf[4-n:])
	if size != n {
		return 0, scriptNone
	}
	if sc := idnScript(r); sc != scriptNone {
		return 3 * n, sc
	}
	return 0, scriptNone
}

// pctRuneAt decodes the percent-encoded UTF-8 sequence of one letter, digit
// or mark at b[k] ("%C3%BC"); it returns the width of the escapes and the
// rune's script, or a width of 0.
func pctRuneAt(b []byte, k int) (int, int) {
	var buf [4]byte
	n := 0
	for p := k; n < 4 && p+2 < len(b) && b[p] == '%'; p += 3 {
		h, ok := hexdig.Pair(b[p+1], b[p+2])
		if !ok || h < utf8.RuneSelf || n > 0 && utf8.RuneStart(h) {
			break
		}
		buf[n] = h
		n++
	}
	if n == 0 {
		return 0, scriptNone
	}
	r, size := utf8.DecodeRune(buf[:n])
	if r == utf8.RuneError || size == 0 {
		return 0, scriptNone
	}
	if sc := idnScript(r); sc != scriptNone {
		return 3 * size, sc
	}
	return 0, scriptNone
}

// atEntity returns the length of the HTML entity for '@' at b[i] ("&#64;",
// "&#x40;", "&commat;"), or 0.
func atEntity(b []byte, i int) int {
	r := b[i:]
	switch {
	case len(r) < 5 || r[0] != '&':
		return 0
	case r[1] == '#' && r[2] == '6' && r[3] == '4' && r[4] == ';':
		return 5
	case len(r) >= 6 && r[1] == '#' && r[2]|0x20 == 'x' && r[3] == '4' && r[4] == '0' && r[5] == ';':
		return 6
	case hasPrefix(r, "&commat;"):
		return 8
	}
	return 0
}

// Scripts of the characters of internationalised addresses (idnScript).
const (
	scriptNone  = iota // not a letter, digit or mark
	scriptAlpha        // ASCII and the alphabets written with spaces
	scriptCJK          // Han, Hiragana, Katakana, Hangul: written without spaces
)

// idnScript classifies a non-ASCII rune of an internationalised address:
// letters, digits and combining marks (Devanagari vowel signs) may appear
// in its local part and domain labels; anything else ends them.
func idnScript(r rune) int {
	switch {
	case r == utf8.RuneError:
		return scriptNone
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return scriptCJK
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return scriptAlpha
	}
	return scriptNone
}

// domainUnit reads one character of a domain at b[k]: an ASCII letter,
// digit, '-' or '.', a percent escape of one ("%65", "%2E") or a letter,
// digit or mark of any script. It returns the character (ASCII; 0x80 for
// any non-ASCII rune), its script, and its width in bytes, 0 at anything
// else.
func domainUnit(b []byte, k int) (c byte, script, w int) {
	c = b[k]
	switch {
	case isAlnum(c) || c == '-' || c == '.':
		return c, scriptAlpha, 1
	case c == '%':
		if k+2 < len(b) {
			if d, ok := hexdig.Pair(b[k+1], b[k+2]); ok && (isAlnum(d) || d == '-' || d == '.') {
				return d, scriptAlpha, 3
			}
			if w, sc := pctRuneAt(b, k); w > 0 {
				return utf8.RuneSelf, sc, w
			}
		}
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRune(b[k:])
		if sc := idnScript(r); sc != scriptNone {
			return utf8.RuneSelf, sc, size
		}
	}
	return 0, scriptNone, 0
}

// matchDomain matches a host name of two or more labels whose last label has
// the shape of a top-level domain, at b[i], and returns its end or -1. Labels
// may be percent-encoded ("%65%78%61%6D%70%6C%65%2E%63%6F%6D") and
// internationalised ("müller.de", "例子.广告"); a label does not run from
// CJK characters into another script or back ("example.com谢谢" ends at
// "com").
func matchDomain(b []byte, i int) int {
	n := len(b)
	j := i
	labels := 0
	end := -1
	var tld [63]byte // the last label, decoded; 0x80 stands for a non-ASCII rune
	tn := 0
	for j < n && j-i <= 253*3 {
		k, ln, script := j, 0, scriptNone
		var first, lastc byte
		for k < n && ln < 63 {
			c, sc, w := domainUnit(b, k)
			if w == 0 || c == '.' || script != scriptNone && sc != script && (sc == scriptCJK || script == scriptCJK) {
				break
			}
			if ln == 0 {
				first = c
			}
			script = sc
			tld[ln] = c
			lastc = c
			ln++
			k += w
		}
		if ln == 0 || first == '-' || lastc == '-' {
			break
		}
		labels++
		tn = ln
		end = k
		if k < n {
			if c, _, w := domainUnit(b, k); c == '.' && k+w < n {
				if d, _, w2 := domainUnit(b, k+w); w2 > 0 && d != '.' && d != '-' {
					j = k + w
					continue
				}
			}
		}
		break
	}
	if labels < 2 || !tldShape(tld[:tn]) {
		return -1
	}
	if end < n && (isAlnum(b[end]) || b[end] == '-' || b[end] == '@') {
		return -1
	}
	if pseudonymTail(b, end) {
		// The last label is a pseudonym's type name glued to its domain
		// ("x@host.email_r_..."): the pseudonym is no e-mail's part.
		return -1
	}
	return end
}

// tldShape reports whether label looks like a top-level domain: two or more
// letters, or an internationalised "xn--" label, and not a file extension
// that appears after '@' in asset names ("icon@2x.png").
func tldShape(label []byte) bool {
	if len(label) < 2 || len(label) > 63 {
		return false
	}
	if label[0] == utf8.RuneSelf {
		// An internationalised top-level domain ("рф", "广告"): non-ASCII
		// letters only.
		for _, c := range label {
			if c != utf8.RuneSelf {
				return false
			}
		}
		return true
	}
	if len(label) > 4 && (label[0]|0x20) == 'x' && (label[1]|0x20) == 'n' && label[2] == '-' && label[3] == '-' {
		return true
	}
	for _, c := range label {
		if !isLetter(c) {
			return false
		}
	}
	return !fileExtension(label)
}

// fileExtensions are endings of asset file names ("icon@2x.png") that are
// not top-level domains. Extensions that are also country codes (.md, .py,
// .rs, .so) are left out on purpose: addresses there are real.
var fileExtensions = [...]string{
	"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "css", "js",
	"map", "json", "xml", "html", "htm", "txt", "log", "gz", "tgz", "tar",
	"pdf", "woff", "ttf", "php", "yml", "yaml", "csv",
}

func fileExtension(label []byte) bool {
	if len(label) > 5 {
		return false
	}
	var low [5]byte
	for i, c := range label {
		low[i] = c | 0x20
	}
	for _, e := range &fileExtensions {
		if len(e) == len(label) && string(low[:len(label)]) == e {
			return true
		}
	}
	return false
}
