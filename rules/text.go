package rules

import (
	"bytes"
	"errors"

	"github.com/scrubd/scrubd/detectors"
)

// A span is one replacement in a text: a detector finding or the value of a
// key=value pair that a field rule names.
type span struct {
	start, end int // value, in the text
	keyStart   int // field spans: start of the key
	r          *rule
	field      bool
	pairEq     bool // field spans: written key=value (removable by drop_field)
}

// scrubText appends the scrubbed form of the free text v to dst. base and
// posmap map offsets in v to input offsets for the findings: posmap[i] when
// posmap is set, base+i otherwise. It reports whether anything changed and
// whether a detector with the drop_field action fired (the caller drops the
// enclosing field where there is one; the value is redacted in any case).
func (w *walker) scrubText(dst, v []byte, base int, posmap []int) (out []byte, changed, dropField bool, err error) {
	found, err := w.e.scanner.Scan(w.found[:0], v)
	w.found = found
	if err != nil {
		reason := ReasonDetectorError
		if de := (*detectors.DetectorError)(nil); errors.As(err, &de) && de.Timeout {
			reason = ReasonDetectorTimeout
		}
		return dst, false, false, &RecordError{Reason: reason, Err: err}
	}
	if w.userAgent {
		found = dropVersions(found, v)
		w.found = found
	}
	spans := w.spans[:0]
	if len(w.e.fields) > 0 || !w.inJSON && len(w.e.extract.owner) > 0 {
		spans = w.kvSpans(spans, v)
	}
	if len(found) == 0 && len(spans) == 0 {
		return append(dst, v...), false, false, nil
	}
	// Merge the detector findings with the field spans.
	nf := len(spans)
	for _, f := range found {
		r := w.e.typeRule(f.Type)
		if r == nil {
			// A type the policy has no action for: fail closed.
			r = &rule{name: string(f.Type), action: Redact, subject: w.e.subjects[string(f.Type)]}
		}
		spans = append(spans, span{start: f.Start, end: f.End, keyStart: f.Start, r: r})
	}
	if nf > 0 && len(spans) > nf {
		spans = mergeSpans(spans)
	}
	w.spans = spans
	off := func(i int) int {
		if posmap != nil {
			return posmap[i]
		}
		return base + i
	}
	prev := 0
	for _, sp := range spans {
		r := sp.r
		val := v[sp.start:sp.end]
		if sp.field && r.action == Keep {
			continue // allow-listed: copied as it is below
		}
		if sp.field && r.action == DropField && sp.pairEq {
			w.subject(r, val, nil)
			dst = append(dst, v[prev:sp.keyStart]...)
			end := sp.end
			if end < len(v) && v[end] == '"' {
				end++
			}
			if end < len(v) && (v[end] == ' ' || v[end] == '&') {
				end++
			} else if n := len(dst); n > 0 && (dst[n-1] == ' ' || dst[n-1] == '&') {
				dst = dst[:n-1]
			}
			prev = end
			changed = true
			w.note(r.name, off(sp.start), off(sp.end), r.action)
			continue
		}
		dst = append(dst, v[prev:sp.start]...)
		mark := len(dst)
		switch {
		case r.action == DropRecord:
			if !sp.field || r.matchesValue(val) {
				w.dropRecord = true
				w.note(r.name, off(sp.start), off(sp.end), r.action)
			}
			dst = append(dst, val...)
			prev = sp.end
			continue
		case r.action == DropField:
			dropField = true
		}
		dst = w.apply(dst, val, r)
		if r.action == TruncateIP && !sp.field && len(dst) > mark &&
			(!(sp.start > 0 && v[sp.start-1] == '%') &&
				(sp.end < len(v) && v[sp.end] == ':' && bytes.IndexByte(dst[mark:], ':') >= 0 ||
					dst[mark] == ':' && sp.start > 0 && glues(v[sp.start-1])) ||
				dst[len(dst)-1] == ':' && sp.end < len(v) && gluesAfter(v[sp.end])) {
			// An IPv6 address before ":port" without brackets, or one that
			// starts with "::" right after a key or a quote, is written in
			// brackets: a compressed "::" there would read as separators
			// ("0:0:0:0:0:0:0:0:2181" becomes "[::]:2181"), and so is one
			// whose "::" would run into the digits that follow it.
			dst = append(dst[:mark], '[')
			dst = w.apply(dst, val, r)
			dst = append(dst, ']')
		}
		if string(dst[mark:]) != string(val) {
			changed = true
		}
		w.subject(r, val, dst[mark:])
		w.note(r.name, off(sp.start), off(sp.end), r.action)
		prev = sp.end
	}
	dst = append(dst, v[prev:]...)
	return dst, changed, dropField, nil
}

// dropVersions removes from the findings of a User-Agent string the IPv4
// look-alikes that are product versions: "Firefox/2.0.0.4", "rv:1.8.1.4".
// Elsewhere such runs are kept as addresses (recall first), because
// "host/10.0.0.1" is how Java writes an address.
func dropVersions(found []detectors.Finding, v []byte) []detectors.Finding {
	out := found[:0]
	for _, f := range found {
		if f.Type == detectors.IPv4 && f.Start >= 2 {
			prev, prev2 := v[f.Start-1], v[f.Start-2]
			isLetter := 'a' <= prev2|0x20 && prev2|0x20 <= 'z'
			if prev == '/' && isLetter || prev == ':' && prev2 == 'v' && f.Start >= 3 && v[f.Start-3] == 'r' {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// userAgentKey reports whether a field with this last key holds a
// User-Agent string.
func userAgentKey(k []byte) bool {
	switch string(k) {
	case "http_user_agent", "user_agent", "userAgent", "useragent", "ua", "user-agent", "User-Agent", "agent":
		return true
	}
	return false
}

// glues reports whether c, right before an address, could join a leading
// "::" of the address into something else ("\"uid\"::", "a=::").
func glues(c byte) bool {
	switch c {
	case ' ', '\t', '[', '(', '/', ',', ';', '{', '<', '>', '|', '%':
		// '%' too: after it, a written-out address would read as the
		// zone of the address before ("1::%0000:...").
		return false
	}
	return true
}

// gluesAfter reports whether c, right after an address that ends in "::",
// would read as more of the address ("0:0:0:0:0:0:0::0" is matched up to
// "::", and "::" followed by "0" is an address of its own).
func gluesAfter(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' || c == '.' || c == '%'
}

// mergeSpans sorts field spans and detector findings and resolves their
// overlaps so that every byte either covers stays covered: a field rule
// decides for the whole of its value (findings inside it go), a finding
// that holds a whole field, key and value, decides for it (a secret that
// runs over a uid=... pair), and any other overlap (a finding that starts in
// a field's key or separator) becomes one span over both, redacted as the
// finding's type.
func mergeSpans(spans []span) []span {
	sortSpans(spans)
	out := spans[:1]
	for _, sp := range spans[1:] {
		cur := &out[len(out)-1]
		lo := sp.start
		if sp.field {
			lo = sp.keyStart
		}
		hi := cur.end
		if !(lo < hi) {
			out = append(out, sp)
			continue
		}
		switch {
		case sp.end <= cur.end && (cur.field || !sp.field):
			// Inside the current span, which decides.
		case sp.end <= cur.end && cur.start <= sp.keyStart:
			// A whole field, key and value, inside a finding: the
			// finding decides.
		default:
			// Partial overlap: one redacted span over both.
			named := cur.r
			if cur.field && !sp.field {
				named = sp.r
			}
			*cur = span{start: min(cur.start, sp.start), end: max(cur.end, sp.end), keyStart: min(cur.keyStart, sp.keyStart),
				r: &rule{name: named.name, action: Redact, subject: named.subject}}
		}
	}
	return out
}

func sortSpans(s []span) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && spanLess(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// spanLess orders by start, then the longer first, then field spans first.
func spanLess(a, b span) bool {
	if a.start != b.start {
		return a.start < b.start
	}
	if a.end != b.end {
		return a.end > b.end
	}
	return a.field && !b.field
}

// keyChar reports whether c may appear in a key of a key=value pair.
func keyChar(c byte) bool { return keyChars[c] }

// keyChars marks the bytes of a key: ASCII letters and digits, '_', '.'
// and '-'.
var keyChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
	}
	return t
}()

// keyBoundary reports whether c may come right before a key.
func keyBoundary(c byte) bool {
	switch c {
	case ' ', '\t', '&', '?', ';', ',', '{', '(', '[', '"', '\'', '|':
		return true
	}
	return false
}

// kvSpans appends a span for each key=value pair (logfmt, query strings,
// free text) and each "key": value pair in v whose key a field rule names,
// in order of position.
func (w *walker) kvSpans(spans []span, v []byte) []span {
	base := len(spans)
	// Separators are found with bytes.IndexByte, which is vectorised:
	// most text has few of them.
	for i := 0; i < len(v); {
		k := bytes.IndexByte(v[i:], '=')
		if k < 0 {
			break
		}
		spans, i = w.kvPair(spans, v, i+k)
	}
	colons := len(spans)
	// Only a quoted key counts before ':' ("key": value), so the colons
	// before the first quote (in most plain text, all of them) are not
	// looked at.
	q := bytes.IndexByte(v, '"')
	if q < 0 {
		q = len(v)
	}
	for i := q; i < len(v); {
		k := bytes.IndexByte(v[i:], ':')
		if k < 0 {
			break
		}
		if i+k == 0 || v[i+k-1] != '"' {
			i += k + 1
			continue
		}
		spans, i = w.kvPair(spans, v, i+k)
	}
	if len(spans)-base > 1 {
		if colons > base && len(spans) > colons {
			sortSpans(spans[base:])
		}
		// A pair inside the value of another (or overlapping it) is that
		// value's business: keep the first.
		out := spans[:base+1]
		for _, sp := range spans[base+1:] {
			if sp.keyStart < out[len(out)-1].end {
				continue
			}
			out = append(out, sp)
		}
		spans = out
	}
	return spans
}

// keyRule returns the field rule and the extract of the key of a key=value
// pair (dotted keys are paths), through a small cache: the keys of logfmt
// lines repeat ("level", "ts", "user_id"), and the rule and extract are
// functions of the key alone (the engine is immutable).
func (w *walker) keyRule(key []byte) (*rule, Extract) {
	if w.keyRules == nil {
		w.keyRules = new([keyRuleSlots]keyRuleEntry)
	}
	var h uint32 = 2166136261 // FNV-1a
	for _, c := range key {
		h = (h ^ uint32(c)) * 16777619
	}
	e := &w.keyRules[h%keyRuleSlots]
	if e.ok && string(e.key) == string(key) {
		return e.rule, e.x
	}
	path := w.splitKey(key)
	r, x := w.e.fieldRule(path), Extract(-1)
	if len(w.e.extract.owner) > 0 {
		x = w.e.extract.of(path)
	}
	// Keys with digits are not kept: they may be values written as keys
	// (an address, a number), and the cache should hold no personal data.
	if len(key) <= cleanMaxLen && !hasDigit(key) {
		e.key, e.rule, e.x, e.ok = append(e.key[:0], key...), r, x, true
	}
	return r, x
}

// keyRuleSlots is the size of the walker's cache of key=value keys.
const keyRuleSlots = 256

// A keyRuleEntry is one key of the cache that keyRule keeps.
type keyRuleEntry struct {
	key  []byte
	rule *rule
	x    Extract
	ok   bool
}

// kvPair adds the span of the pair whose separator ('=' or ':') is at v[i]
// when a field rule names its key, and returns where to search next.
func (w *walker) kvPair(spans []span, v []byte, i int) ([]span, int) {
	c := v[i]
	var ks, ke int
	if c == '=' {
		ke = i
		ks = ke
		for ks > 0 && keyChar(v[ks-1]) {
			ks--
		}
		if ks == ke || ks > 0 && !keyBoundary(v[ks-1]) || i+1 < len(v) && v[i+1] == '=' {
			return spans, i + 1
		}
	} else {
		// "key": value, as in JSON that did not parse.
		if i < 3 || v[i-1] != '"' {
			return spans, i + 1
		}
		ke = i - 1
		ks = ke
		for ks > 0 && keyChar(v[ks-1]) {
			ks--
		}
		if ks == ke || ks == 0 || v[ks-1] != '"' {
			return spans, i + 1
		}
	}
	r, x := w.keyRule(v[ks:ke])
	if w.inJSON || x >= 0 && w.res.has[x] {
		x = -1
	}
	if r == nil && x < 0 {
		return spans, i + 1
	}
	vs := i + 1
	if c == ':' {
		for vs < len(v) && v[vs] == ' ' {
			vs++
		}
	}
	var ve int
	if vs < len(v) && v[vs] == '"' {
		vs++
		ve = vs
		for ve < len(v) && v[ve] != '"' {
			if v[ve] == '\\' {
				ve++
			}
			ve++
		}
		if ve > len(v) {
			ve = len(v)
		}
	} else {
		ve = vs
		if vs < len(v) && v[vs] == '[' {
			// "[secret]": a bracketed value runs to its bracket.
			for ve < len(v) && v[ve] != ']' && v[ve] != ' ' {
				ve++
			}
			if ve < len(v) && v[ve] == ']' {
				ve++
			} else {
				ve = vs
			}
		}
		for ve < len(v) && !valueEnds[v[ve]] {
			ve++
		}
	}
	if ve <= vs {
		return spans, i + 1
	}
	if x >= 0 {
		w.res.setExtract(x, v[vs:ve])
	}
	if r == nil {
		return spans, ve
	}
	keyStart := ks
	if c == ':' {
		keyStart = ks - 1
	}
	return append(spans, span{start: vs, end: ve, keyStart: keyStart, r: r, field: true, pairEq: c == '='}), ve
}

// valueEnds marks the bytes that end an unquoted value.
var valueEnds = func() (t [256]bool) {
	for _, c := range " \t\n\r&;,\"')]}" {
		t[c] = true
	}
	return t
}()

// splitKey splits a key on dots into w.kvPath, so that "user.email=..."
// meets the rule for user.email.
func (w *walker) splitKey(key []byte) [][]byte {
	p := w.kvPath[:0]
	s := 0
	for i := 0; i <= len(key); i++ {
		if i == len(key) || key[i] == '.' {
			if i > s {
				p = append(p, key[s:i])
			}
			s = i + 1
		}
	}
	w.kvPath = p
	return p
}

// looksLogfmt reports whether rec starts with a key=value pair.
func looksLogfmt(rec []byte) bool {
	if len(rec) == 0 || '0' <= rec[0] && rec[0] <= '9' {
		return false
	}
	i := 0
	for i < len(rec) && keyChar(rec[i]) {
		i++
	}
	return i > 0 && i < len(rec) && rec[i] == '='
}

// normalize returns the form of v that is pseudonymized, so that one value
// written differently gets one pseudonym: e-mail addresses percent-decoded
// and in lower case, phone numbers as '+' and digits, hardware and card
// numbers as lower-case letters and digits.
func normalize(dst []byte, typ string, v []byte) []byte {
	switch detectors.Type(typ) {
	case detectors.Email:
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == '%' && i+2 < len(v) {
				if h, ok := hex2(v[i+1], v[i+2]); ok {
					c = h
					i += 2
				}
			}
			dst = append(dst, lower(c))
		}
		return dst
	case detectors.Phone:
		base := len(dst)
		for _, c := range v {
			if c == '+' && len(dst) == base || '0' <= c && c <= '9' {
				dst = append(dst, c)
			}
		}
		if len(dst)-base > 2 && dst[base] == '0' && dst[base+1] == '0' {
			// "0044...": the international prefix is a '+'.
			dst[base] = '+'
			dst = append(dst[:base+1], dst[base+2:]...)
		}
		return dst
	case detectors.MAC, detectors.UUID, detectors.IMEI, detectors.CreditCard, detectors.IBAN:
		for _, c := range v {
			if keyChar(c) && c != '_' && c != '.' && c != '-' {
				dst = append(dst, lower(c))
			}
		}
		return dst
	}
	return append(dst, v...)
}

func hex2(a, b byte) (byte, bool) {
	v, ok := hex4([]byte{'0', '0', a, b}, 0)
	return byte(v), ok
}

// validTypeName accepts finding type names: a lower-case letter, then lower-
// case letters, digits and underscores.
func validTypeName(s string) bool {
	if s == "" || len(s) > 40 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Normalize appends to dst the form of v, a value of type typ, that is
// pseudonymized: the same value written differently (an e-mail address in
// another case or percent-encoded, a phone number with other separators)
// normalizes to the same bytes, so it gets the same pseudonym. Privacy
// requests use it to find a subject's pseudonyms.
func Normalize(dst []byte, typ string, v []byte) []byte { return normalize(dst, typ, v) }
