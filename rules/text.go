package rules

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/scrubd/scrubd/detectors"
	"github.com/scrubd/scrubd/detectors/hexdig"
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
// Without copyClean, a text in which nothing is found is not appended to
// dst: the JSON walker copies a clean string from its input, and most
// strings are clean.
func (w *walker) scrubText(dst, v []byte, base int, posmap []int, copyClean bool) (out []byte, changed, dropField bool, err error) {
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
	if !w.noPairs && (len(w.e.fields) > 0 || !w.inJSON && len(w.e.extract.owner) > 0) {
		spans = w.kvSpans(spans, v)
	}
	if len(found) == 0 && len(spans) == 0 {
		if !copyClean {
			return dst, false, false, nil
		}
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
		w.valueSubjects(v, spans[:nf], found)
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
				dst[len(dst)-1] == ':' && sp.end < len(v) && gluesAfter(v[sp.end]) ||
				bytes.HasPrefix(dst[mark:], unspecifiedZoned)) {
			// An IPv6 address before ":port" without brackets, or one that
			// starts with "::" right after a key or a quote, is written in
			// brackets: a compressed "::" there would read as separators
			// ("0:0:0:0:0:0:0:0:2181" becomes "[::]:2181"), and so is one
			// whose "::" would run into the digits that follow it. So is
			// one truncated to "::" with its zone: the unspecified address
			// is no finding, so its zone would be text of its own and run
			// into what follows ("::0%0::" read as "::%" and "0::").
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

// valueSubjects records, for each field span whose value is wholly a
// finding of a subject type other than the field's ("user=jo@example.com":
// an account named by an e-mail address), the subject of that type too, so
// that a privacy request by the e-mail address finds the record. The field
// rule still decides what the value becomes.
func (w *walker) valueSubjects(v []byte, fields []span, found []detectors.Finding) {
	for _, sp := range fields {
		for _, f := range found {
			if f.Start != sp.start || f.End != sp.end {
				continue
			}
			if r := w.e.typeRule(f.Type); r != nil && r.subject && r.name != sp.r.name {
				w.subject(r, v[sp.start:sp.end], nil)
			}
		}
	}
}

// dropVersions removes from the findings of a User-Agent string the IPv4
// look-alikes after a product token or "rv:" that are not public unicast
// addresses: a product version ("Firefox/10.0.0.1"). The detector already
// leaves out quads that read as versions there ("Firefox/2.0.0.4"); a
// public address after a product token is an address. Elsewhere private
// ones are kept too, because "host/10.0.0.1" is how Java writes an address.
func dropVersions(found []detectors.Finding, v []byte) []detectors.Finding {
	out := found[:0]
	for _, f := range found {
		if f.Type == detectors.IPv4 && f.Start >= 2 {
			prev, prev2 := v[f.Start-1], v[f.Start-2]
			isLetter := 'a' <= prev2|0x20 && prev2|0x20 <= 'z'
			if (prev == '/' && isLetter || prev == ':' && prev2 == 'v' && f.Start >= 3 && v[f.Start-3] == 'r') && !publicUnicast(v[f.Start:f.End]) {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// publicUnicast reports whether the text q is a public unicast IPv4
// address (not private, loopback, link-local, shared or multicast).
func publicUnicast(q []byte) bool {
	a, err := netip.ParseAddr(string(q))
	return err == nil && a.IsGlobalUnicast() && !a.IsPrivate() && !(a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64)
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

// unspecifiedZoned starts an IPv6 address truncated to the unspecified
// address, with a zone.
var unspecifiedZoned = []byte("::%")

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
	case ' ', '\t', '\n', '\r', '&', '?', ';', ',', '{', '(', '[', '"', '\'', '|', '<':
		return true
	}
	return false
}

// A kvSyntax is a way of writing a key/value pair in text.
type kvSyntax uint8

const (
	kvEq    kvSyntax = iota // key=value, key = value, "key"=value
	kvArrow                 // key => value, "key" => value, :key => value
	kvColon                 // key: value, key:value, "key": value, 'key' : value, X-Header: value
)

// kvSpans appends a span for each key/value pair in v whose key a field
// rule names, in order of position (and records the extracts of key=value
// and "key": value pairs). The pairs are found by their separators, each
// with bytes.IndexByte (vectorised; most text has few of them), and a
// separator costs a few byte comparisons unless a plausible key stands
// before it: then the key's rule is looked up in the walker's cache. See
// eqPair, colonPair, xmlPair and pctPair for the syntaxes, and valueEnd for
// where values end.
func (w *walker) kvSpans(spans []span, v []byte) []span {
	if len(v) <= 16 {
		// Short values (JSON values, the fields of access logs) are
		// looked at byte by byte first: one loop costs less than a call
		// per separator kind, and most hold none.
		sep := false
		for _, c := range v {
			sep = sep || isSep[c]
		}
		if !sep {
			return spans
		}
	}
	base := len(spans)
	eq := bytes.IndexByte(v, '=')
	if eq >= 0 {
		spans = w.pairsOf(spans, v, '=', eq)
	}
	tail := &w.e.fieldTail
	for i := leadingTime(v); i < len(v); {
		k := bytes.IndexByte(v[i:], ':')
		if k < 0 {
			break
		}
		i += k
		// Most colons in logs are in times ("08:00:00") and after words
		// that no rule names: turned away here, without a call, and the
		// second colon of a time with the first.
		if i == 0 || i+1 >= len(v) || !colonKeyEnd[v[i-1]] {
			i++
			continue
		}
		if b := v[i-1]; isDigit(b) && isDigit(v[i+1]) {
			if i+4 < len(v) && v[i+3] == ':' && isDigit(v[i+2]) && isDigit(v[i+4]) {
				i += 3
			}
			i++
			continue
		}
		ke := i // the end of the key: before the spaces of "key : value"
		for ke > 0 && i-ke < maxKeySpaces && v[ke-1] == ' ' {
			ke--
		}
		if may, known := tail.lettersEnd(v, ke); ke > 0 && keyChars[v[ke-1]] && !may && (known || !tail.mayEnd(v, ke)) {
			i++
			continue
		}
		spans, i = w.colonPair(spans, v, i)
	}
	spans = w.pairsOf(spans, v, '<', 0)
	if eq >= 0 {
		// URL-encoded pairs are the value of a parameter ("next=...",
		// "state=...", "Cookie: prefs=..."): text without a '=' holds
		// none, and is not searched for them.
		spans = w.pairsOf(spans, v, '%', eq)
	}
	if len(spans)-base > 1 {
		sortSpans(spans[base:])
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

// leadingTime returns where the colon search of a line that starts with a
// time stamp ("2026-03-02 08:00:00", "[2026-03-02T08:00:00", "Jun 17
// 07:07:00") may begin: after its seconds' colon. Its colons stand between
// digits, which no pair has, so they need not be looked at one by one: most
// log lines save a search. The checks are a few fixed-position byte
// comparisons; any other line starts at 0.
func leadingTime(v []byte) int {
	o := 0
	if len(v) > 0 && v[0] == '[' {
		o = 1
	}
	if len(v) < o+18 {
		return 0
	}
	t := v[o : o+18 : o+18]
	d := func(c byte) bool { return c-'0' < 10 }
	if t[13] != ':' || t[16] != ':' || !d(t[11]) || !d(t[12]) || !d(t[14]) || !d(t[15]) || !d(t[17]) {
		// Not "...HH:MM:S", the end of both forms below.
		if t[9] != ':' || t[12] != ':' || t[3] != ' ' || t[6] != ' ' || !d(t[7]) || !d(t[8]) || !d(t[10]) ||
			!d(t[11]) || !d(t[13]) || !d(t[14]) || !isLetter(t[0]) || !isLetter(t[1]) || !isLetter(t[2]) || !(t[4] == ' ' || d(t[4])) || !d(t[5]) {
			return 0
		}
		return o + 13 // "Jun 17 07:07:00"
	}
	if t[4] != '-' || t[7] != '-' || t[10] != ' ' && t[10] != 'T' || !d(t[0]) || !d(t[1]) || !d(t[2]) || !d(t[3]) ||
		!d(t[5]) || !d(t[6]) || !d(t[8]) || !d(t[9]) {
		return 0
	}
	return o + 17 // "2026-03-02 08:00:00"
}

// pairsOf appends the pairs of v whose separator is sep: '=' (eqPair), '<'
// (xmlPair) or '%' (pctPair), looking from v[from] on.
func (w *walker) pairsOf(spans []span, v []byte, sep byte, from int) []span {
	for i := from; i < len(v); {
		k := bytes.IndexByte(v[i:], sep)
		if k < 0 {
			break
		}
		switch sep {
		case '=':
			spans, i = w.eqPair(spans, v, i+k)
		case '<':
			spans, i = w.xmlPair(spans, v, i+k)
		default:
			spans, i = w.pctPair(spans, v, i+k)
		}
	}
	return spans
}

// isSep marks the separators of the pairs kvSpans finds.
var isSep = func() (t [256]bool) {
	for _, c := range "=:<%" {
		t[c] = true
	}
	return t
}()

// colonKeyEnd marks the bytes that may come right before the ':' of a pair:
// the last byte of a key, its closing quote, or white space after it.
var colonKeyEnd = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = keyChars[c] && c != '.' || c == '"' || c == '\'' || c == ' ' || c == '\t'
	}
	return t
}()

// maxKeySpaces bounds the white space looked at between a key and its
// separator ("key = value", "\"key\" : value").
const maxKeySpaces = 8

// A kvKey is the key of a pair found before a separator.
type kvKey struct {
	s, e   int  // the key, without quotes
	start  int  // where the pair starts: its opening quote, ':' or the key
	quote  byte // '"' or '\'' when the key is quoted, else 0
	dotted bool // the key has a '.'
}

// keyBefore finds the key that ends right before v[end]: a quoted key
// ("key", 'key', with the quote at v[end-1]) or a bare one of key
// characters after a key boundary. With noDots, a bare key that holds a '.'
// is refused as soon as the '.' is seen (colon pairs: class names). ok is
// false when there is none.
func keyBefore(v []byte, end int, noDots bool) (k kvKey, ok bool) {
	if end == 0 {
		return k, false
	}
	q := v[end-1]
	if q == '"' || q == '\'' {
		e := end - 1
		s := e
		for s > 0 && keyChars[v[s-1]] {
			s--
		}
		if s == e || s == 0 || v[s-1] != q {
			return k, false
		}
		return kvKey{s: s, e: e, start: s - 1, quote: q, dotted: bytes.IndexByte(v[s:e], '.') >= 0}, true
	}
	s, dotted := end, false
	for s > 0 {
		c := v[s-1]
		if !keyChars[c] {
			break
		}
		if c == '.' {
			if noDots {
				return k, false
			}
			dotted = true
		}
		s--
	}
	if s == end || s > 0 && !keyBoundary(v[s-1]) {
		return k, false
	}
	return kvKey{s: s, e: end, start: s, dotted: dotted}, true
}

// eqPair handles the '=' at v[i]: key=value (logfmt, query strings, free
// text), key = value (spaces on both sides), "key"=value, and key =>
// value, "key" => value, :key => value (Ruby, Perl, PHP). "==", "!=",
// "<=" and ">=" are not separators. It returns where to search next.
func (w *walker) eqPair(spans []span, v []byte, i int) ([]span, int) {
	var next byte
	if i+1 < len(v) {
		next = v[i+1]
	}
	if next == '=' {
		return spans, i + 2
	}
	if i > 0 && keyChars[v[i-1]] && next != '>' {
		// key=value as logfmt and query strings write it, the common
		// case: most keys are turned away by their last bytes.
		if may, known := w.e.anyTail.lettersEnd(v, i); !may && (known || !w.e.anyTail.mayEnd(v, i)) {
			return spans, i + 1
		}
		s := i - 1
		for s > 0 && keyChars[v[s-1]] {
			s--
		}
		if s > 0 && !keyBoundary(v[s-1]) {
			return spans, i + 1
		}
		return w.pair(spans, v, i, kvKey{s: s, e: i, start: s}, i+1, kvEq, true)
	}
	arrow := next == '>'
	ke := i
	for ke > 0 && i-ke < maxKeySpaces && (v[ke-1] == ' ' || v[ke-1] == '\t') {
		ke--
	}
	spaced := ke < i
	if ke == 0 || spaced && !arrow && !(i+1 < len(v) && v[i+1] == ' ') {
		// "key =value" is not a pair, nor is a '=' after nothing.
		return spans, i + 1
	}
	if c := v[ke-1]; c != '"' && c != '\'' && !w.e.anyTail.mayEnd(v, ke) {
		return spans, i + 1 // no rule or extract can name the key
	}
	k, ok := keyBefore(v, ke, false)
	if !ok {
		if !arrow || ke == 0 || !keyChars[v[ke-1]] {
			return spans, i + 1
		}
		// :key => value, a Ruby symbol.
		k = kvKey{e: ke, s: ke}
		for k.s > 0 && keyChars[v[k.s-1]] {
			k.s--
		}
		if k.s == 0 || v[k.s-1] != ':' || k.s > 1 && !keyBoundary(v[k.s-2]) {
			return spans, i + 1
		}
		k.start = k.s - 1
	}
	syn, vs := kvEq, i+1
	if arrow {
		syn, vs = kvArrow, i+2
	}
	if spaced || arrow {
		for vs < len(v) && (v[vs] == ' ' || v[vs] == '\t') {
			vs++
		}
	}
	// Only key=value as logfmt writes it is removable by drop_field and
	// read for the extracts, as before the other syntaxes were known.
	plain := syn == kvEq && !spaced && k.quote == 0
	return w.pair(spans, v, i, k, vs, syn, plain)
}

// colonPair handles the ':' at v[i]: key: value, key:value, "key": value,
// "key" : value, 'key': value and HTTP headers (X-Account-Id: value). A bare
// key must start with a letter or '_' and hold no '.': timestamps
// ("10:05:03"), addresses ("fe80::1", "host:8080" finds no rule), URLs
// ("http://") and Java class names ("c.e.Foo: msg", "java.io.IOException:
// x") are not pairs. Most colons in logs are rejected before any lookup.
func (w *walker) colonPair(spans []span, v []byte, i int) ([]span, int) {
	// The colons of "::", "://" and ":=": no value.
	if a := v[i+1]; a == ':' || a == '/' || a == '=' {
		return spans, i + 2
	}
	ke := i
	for ke > 0 && i-ke < maxKeySpaces && (v[ke-1] == ' ' || v[ke-1] == '\t') {
		ke--
	}
	if ke == 0 {
		return spans, i + 1
	}
	if c := v[ke-1]; c != '"' && c != '\'' && (!keyChars[c] || !w.e.fieldTail.mayEnd(v, ke)) {
		// Not a key, or one that no rule can name (a bare colon key is
		// not extracted).
		return spans, i + 1
	}
	k, ok := keyBefore(v, ke, true)
	if !ok || k.quote == 0 && !(isLetter(v[k.s]) || v[k.s] == '_') {
		return spans, i + 1
	}
	vs := i + 1
	for vs < len(v) && (v[vs] == ' ' || v[vs] == '\t') {
		vs++
	}
	return w.pair(spans, v, i, k, vs, kvColon, k.quote == '"')
}

// xmlPair handles the '<' at v[i]: <key>value</key>, also with a namespace
// prefix (<ns:key>, ruled by its local name) or attributes (<key a="1">).
// The value runs to the next '<', which must open the matching closing
// tag; an element that holds elements is not a pair (its children are).
func (w *walker) xmlPair(spans []span, v []byte, i int) ([]span, int) {
	j := i + 1
	if j >= len(v) || !(isLetter(v[j]) || v[j] == '_') {
		return spans, i + 1
	}
	local := j
	for j < len(v) && (keyChars[v[j]] || v[j] == ':') {
		if v[j] == ':' {
			local = j + 1
		}
		j++
	}
	name := v[i+1 : j]
	if j >= len(v) || local >= j {
		return spans, i + 1
	}
	if v[j] != '>' {
		if v[j] != ' ' {
			return spans, i + 1
		}
		// Attributes, up to the '>' that ends the start tag.
		for j < len(v) && v[j] != '>' && v[j] != '<' && v[j] != '\n' {
			j++
		}
		if j >= len(v) || v[j] != '>' || v[j-1] == '/' {
			return spans, i + 1
		}
	}
	vs := j + 1
	ve := vs
	if k := bytes.IndexByte(v[vs:], '<'); k >= 0 {
		ve = vs + k
	} else {
		return spans, vs
	}
	end := ve + 2 + len(name) + 1
	if ve == vs || end > len(v) || v[ve+1] != '/' || string(v[ve+2:end-1]) != string(name) || v[end-1] != '>' {
		return spans, vs
	}
	r, _ := w.keyRule(v[local : i+1+len(name)])
	if r == nil {
		return spans, ve
	}
	for vs < ve && (v[vs] == ' ' || v[vs] == '\t' || v[vs] == '\n' || v[vs] == '\r') {
		vs++
	}
	for ve > vs && (v[ve-1] == ' ' || v[ve-1] == '\t' || v[ve-1] == '\n' || v[ve-1] == '\r') {
		ve--
	}
	return w.ruledSpan(spans, v, r, i, vs, ve, false, end)
}

// pctPair handles the '%' at v[i] when it starts "%3D" or "%3A" (any case):
// key%3Dvalue, a query string inside a URL-encoded parameter
// ("next=%2Fa%3Fuser_id%3D42"), and %22key%22%3Avalue, URL-encoded JSON. A
// bare key before "%3A" is not a pair (a scheme or a port). The key may
// follow an encoded delimiter ("%26uid%3D7"). An unquoted value ends where
// an encoded delimiter (%26 & %22 " %2C , %3B ; %29 ) %5D ] %7D }) or,
// for values of one token, an encoded space (%20) starts.
func (w *walker) pctPair(spans []span, v []byte, i int) ([]span, int) {
	if i+2 >= len(v) || v[i+1] != '3' {
		return spans, i + 1
	}
	var eq bool
	switch v[i+2] | 0x20 {
	case 'd':
		eq = true
	case 'a':
	default:
		return spans, i + 1
	}
	ke := i
	quoted := ke >= 3 && string(v[ke-3:ke]) == "%22"
	if quoted {
		ke -= 3
	} else if !eq {
		return spans, i + 3
	}
	ks := ke
	for ks > 0 && keyChars[v[ks-1]] {
		ks--
	}
	encoded := ks > 0 && v[ks-1] == '%' && ke-ks > 2 && isHex(v[ks]) && isHex(v[ks+1])
	if encoded {
		ks += 2 // "%26uid": the key starts after the encoded byte
	}
	if ks == ke || !(isLetter(v[ks]) || v[ks] == '_') {
		return spans, i + 3
	}
	start := ks
	switch {
	case quoted:
		if ks < 3 || string(v[ks-3:ks]) != "%22" {
			return spans, i + 3
		}
		start = ks - 3
	case ks > 0 && !encoded && !keyBoundary(v[ks-1]) && v[ks-1] != '=' && v[ks-1] != '/':
		return spans, i + 3
	}
	r, _ := w.keyRule(v[ks:ke])
	if r == nil {
		return spans, i + 3
	}
	vs := i + 3
	for {
		if vs+2 < len(v) && v[vs] == '%' && v[vs+1] == '2' && v[vs+2] == '0' {
			vs += 3
		} else if vs < len(v) && (v[vs] == '+' || v[vs] == ' ') {
			vs++
		} else {
			break
		}
	}
	var ve, next int
	if vs+2 < len(v) && string(v[vs:vs+3]) == "%22" {
		vs += 3
		k := bytes.Index(v[vs:], []byte("%22"))
		if k < 0 {
			return spans, i + 3
		}
		ve, next = vs+k, vs+k+3
	} else {
		ve = vs
		for ve < len(v) && !valueEnds[v[ve]] {
			if v[ve] == '%' && ve+2 < len(v) && pctEnds(v[ve+1], v[ve+2], r.extent == extToken) {
				break
			}
			ve++
		}
		next = ve
	}
	return w.ruledSpan(spans, v, r, start, vs, ve, false, next)
}

// pctEnds reports whether the encoded byte %ab ends an unquoted value.
func pctEnds(a, b byte, token bool) bool {
	b |= 0x20
	switch a {
	case '2':
		return b == '6' || b == '2' || b == 'c' || b == '9' || token && b == '0'
	case '3':
		return b == 'b'
	case '5', '7':
		return b == 'd'
	}
	return false
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// pair finishes a pair whose separator is at v[i], key k and value at vs:
// it looks up the key's rule (and, when extract is set, its extract), finds
// where the value ends (see valueEnd) and adds the span. It returns where
// to search next: after the value when a rule took it, after the separator
// otherwise, so that a pair inside a value no rule took is found.
func (w *walker) pair(spans []span, v []byte, i int, k kvKey, vs int, syn kvSyntax, extract bool) ([]span, int) {
	r, x := w.keyRule(v[k.s:k.e])
	if !extract || w.inJSON || x >= 0 && w.res.has[x] {
		x = -1
	}
	if r == nil && x < 0 {
		return spans, i + 1
	}
	ext := extToken
	if r != nil {
		ext = r.extent
	}
	place := inLine
	if syn != kvEq && lineStart(v, k.start) {
		place = startsLine
		if syn == kvColon && k.quote == 0 && headerName(v[k.s:k.e]) {
			place = headerLine
		}
	}
	vs, ve, next := valueEnd(w.e, v, vs, ext, place)
	if ve <= vs {
		return spans, i + 1
	}
	if x >= 0 {
		w.res.setExtract(x, v[vs:ve])
	}
	if r == nil {
		return spans, next
	}
	n := len(spans)
	spans, next = w.ruledSpan(spans, v, r, k.start, vs, ve, syn == kvEq && extract, next)
	if len(spans) == n && place == startsLine && ext == extPerson && r.shape != shapeAny {
		// The clause is not a name ("Name: Toshimi Arata logged in"):
		// the name may still be its first words.
		vs, ve, next = valueEnd(w.e, v, vs, ext, inLine)
		spans, next = w.ruledSpan(spans, v, r, k.start, vs, ve, false, next)
	}
	if len(spans) == n {
		return spans, i + 1
	}
	return spans, next
}

// ruledSpan adds the span of the value v[vs:ve] of a pair starting at
// keyStart that rule r names, unless the value is empty, a literal that
// holds nothing personal (true, false, null, nil, none, undefined, "-"),
// or not of the rule's shape: such a value is left to the detectors. It
// returns next as where to search next.
func (w *walker) ruledSpan(spans []span, v []byte, r *rule, keyStart, vs, ve int, pairEq bool, next int) ([]span, int) {
	val := v[vs:ve]
	if len(val) == 0 || r.action != DropRecord && nothingPersonal(val) || !r.shape.fits(val) {
		return spans, next
	}
	return append(spans, span{start: vs, end: ve, keyStart: keyStart, r: r, field: true, pairEq: pairEq}), next
}

// nothingPersonal reports whether a text value is a word that stands for no
// value: true, false, null, nil, none, undefined (any case) or "-".
func nothingPersonal(v []byte) bool {
	if len(v) > 9 {
		return false
	}
	switch v[0] | 0x20 {
	case 't', 'f', 'n', 'u', '-' | 0x20:
	default:
		return false
	}
	var low [9]byte
	for i, c := range v {
		low[i] = lower(c)
	}
	switch string(low[:len(v)]) {
	case "true", "false", "null", "nil", "none", "undefined", "-":
		return true
	}
	return false
}

// A pairPlace is where a pair stands in its text, which says where its
// value may end.
type pairPlace uint8

const (
	inLine     pairPlace = iota // after other text on its line
	startsLine                  // the key starts its line (after white space)
	headerLine                  // an HTTP header ("X-User-Email: ...") starts its line
)

// headerName reports whether key is written as an HTTP header name: ASCII
// letters and digits in words joined by '-' ("X-User-Email",
// "x-account-id", as HTTP/2 writes them).
func headerName(key []byte) bool {
	dash := false
	for i, c := range key {
		switch {
		case c == '-' && i > 0 && i < len(key)-1:
			dash = true
		case isLetter(c) || isDigit(c) && i > 0:
		default:
			return false
		}
	}
	return dash
}

// lineStart reports whether only white space stands between the start of
// its line and v[i].
func lineStart(v []byte, i int) bool {
	for i > 0 && (v[i-1] == ' ' || v[i-1] == '\t') {
		i--
	}
	return i == 0 || v[i-1] == '\n' || v[i-1] == '\r'
}

// valueEnd returns the value that starts at v[vs] (quotes excluded) and
// where to search next. A quoted value ("...", '...', with backslash
// escapes) runs to its closing quote, a bracketed one ("[secret]") to its
// bracket. The unquoted value of an HTTP header (a key like X-User-Email
// that starts its line, see headerName) runs to the end of the line. Any
// other unquoted value ends by its extent:
//
//   - a token (the default) at white space or one of &;,"')]}<;
//   - a person's name (extPerson) after the capitalized words and name
//     particles that follow its first word ("Toshimi Arata logged in" is
//     "Toshimi Arata"), up to six more, inner apostrophes kept; but when
//     the key starts its line (a header, "Name: toshimi arata", a
//     YAML-like dump), at the end of the clause or a comma (and when a
//     rule's shape refuses the clause, at the end of the words, again);
//   - an address (extAddress) at the end of the clause: a line end, one of
//     ;|"<)]} or the next key ("city: ...", "zip=..."), commas included;
//   - a date (extDate) after the numbers and English month names that
//     follow ("12 March 1990", "March 12, 1990");
//   - digit groups (extDigits) after the groups of digits, +-.() that
//     follow, one space apart ("+44 20 7946 0958");
//   - numbers (extNumbers) after the run of numbers, separators, brackets,
//     degree signs and hemisphere letters ("48.8583701, 2.294481");
//   - a secret (extSecret) is one token, but after the name of an HTTP
//     authentication scheme the value is the token that follows it
//     ("Authorization: Bearer <token>" keeps "Bearer").
//
// A '.' that ends an unquoted value before white space or the end of the
// text ends a sentence, not the value.
func valueEnd(en *Engine, v []byte, vs int, ext extent, place pairPlace) (s, e, next int) {
	if vs >= len(v) {
		return vs, vs, vs
	}
	if q := v[vs]; q == '"' || q == '\'' {
		e = vs + 1
		for e < len(v) && v[e] != q {
			if v[e] == '\\' {
				e++
			}
			e++
		}
		if e > len(v) {
			e = len(v)
		}
		return vs + 1, e, e
	}
	if v[vs] == '{' {
		return vs, vs, vs // an object: its pairs are found on their own
	}
	if e := placeholderEnd(en, v, vs); e > 0 {
		// A value scrubbed before ("[coordinates]!"): the placeholder is
		// the value, so that scrubbing again changes nothing.
		return vs, e, e
	}
	if ext == extToken && place != headerLine {
		// The common case, first: one token.
		e = withoutStop(v, vs, tokenEnd(v, vs))
		return vs, e, e
	}
	if ext == extSecret {
		// "Authorization: Bearer <token>": the scheme is kept, the
		// credentials are the value.
		if e = tokenEnd(v, vs); e+1 < len(v) && v[e] == ' ' && authScheme(v[vs:e]) && !valueEnds[v[e+1]] {
			vs = e + 1
		}
	}
	if place == headerLine {
		e = vs
		for e < len(v) && v[e] != '\n' && v[e] != '\r' {
			e++
		}
		for e > vs && (v[e-1] == ' ' || v[e-1] == '\t') {
			e--
		}
		return vs, e, e
	}
	if ext == extPerson || ext == extAddress {
		// "name: [John Smith]", "ship_to=(12 Main St, Springfield)": a
		// bracketed name or address is the value up to its closing
		// bracket, spaces and all.
		if e = bracketedEnd(v, vs); e > 0 {
			return vs, e, e
		}
	}
	e = tokenEnd(v, vs)
	if ext != extToken && e > vs {
		switch {
		case ext == extAddress:
			e = clauseEnd(v, vs, true)
		case ext == extPerson && place == startsLine:
			e = clauseEnd(v, vs, false)
		case ext == extPerson:
			e = personEnd(v, vs)
		case ext == extDate:
			e = dateEnd(v, e)
		case ext == extDigits:
			e = digitsEnd(v, vs, e)
		case ext == extNumbers:
			e = numbersEnd(v, vs, e)
		case ext == extIDGroups:
			e = idGroupsEnd(v, vs, e)
		}
	}
	e = withoutStop(v, vs, e)
	return vs, e, e
}

// placeholderEnd returns the end of the redaction placeholder ("[address]",
// "[in_aadhaar]": a type name of en in brackets, see Engine.isPlaceholder)
// at v[vs], or 0 when none starts there.
func placeholderEnd(en *Engine, v []byte, vs int) int {
	if v[vs] != '[' {
		return 0
	}
	e := bytes.IndexByte(v[vs:min(len(v), vs+42)], ']')
	if e < 0 || !en.isPlaceholder(v[vs:vs+e+1]) {
		return 0
	}
	return vs + e + 1
}

// bracketedEnd returns the end of the bracketed value at v[vs] ("[John
// Smith]", "(12 Main St)", "<Ana Lima>"): just after the bracket that closes
// it on the same line, within 128 bytes, or 0 when v[vs] opens none.
func bracketedEnd(v []byte, vs int) int {
	var closing byte
	switch v[vs] {
	case '[':
		closing = ']'
	case '(':
		closing = ')'
	case '<':
		closing = '>'
	default:
		return 0
	}
	for i := vs + 1; i < len(v) && i < vs+128; i++ {
		switch v[i] {
		case closing:
			if i == vs+1 {
				return 0
			}
			return i + 1
		case '\n', '\r', v[vs]:
			return 0
		}
	}
	return 0
}

// withoutStop returns the end of the value v[vs:e] without a '.' that ends
// it before white space or the end of the text: a full stop, not part of
// the value.
func withoutStop(v []byte, vs, e int) int {
	if e-vs > 1 && v[e-1] == '.' && (e == len(v) || v[e] == ' ' || v[e] == '\n' || v[e] == '\r') {
		e--
	}
	return e
}

// authScheme reports whether w names an HTTP authentication scheme, in any
// case: Basic, Bearer, Digest, Negotiate, NTLM, Token, Bot, Hawk, OAuth,
// ApiKey.
func authScheme(w []byte) bool {
	if len(w) < 3 || len(w) > 9 {
		return false
	}
	var low [9]byte
	for i, c := range w {
		low[i] = lower(c)
	}
	switch string(low[:len(w)]) {
	case "basic", "bearer", "digest", "negotiate", "ntlm", "token", "bot", "hawk", "oauth", "apikey":
		return true
	}
	return false
}

// tokenEnd returns the end of the token at v[vs]: a bracketed value
// ("[secret]") runs to its bracket, anything else to white space or one of
// &;,"')]}<.
func tokenEnd(v []byte, vs int) int {
	e := vs
	if v[vs] == '[' {
		for e < len(v) && v[e] != ']' && v[e] != ' ' {
			e++
		}
		if e < len(v) && v[e] == ']' {
			e++
		} else {
			e = vs
		}
	}
	for e < len(v) && !valueEnds[v[e]] {
		e++
	}
	return e
}

// valueEnds marks the bytes that end an unquoted value of one token.
var valueEnds = func() (t [256]bool) {
	for _, c := range " \t\n\r&;,\"')]}<" {
		t[c] = true
	}
	return t
}()

// wordEnds marks the bytes that end a word of a name or an address: white
// space and delimiters, but not apostrophes ("O'Brien", "l'Église").
var wordEnds = func() (t [256]bool) {
	for _, c := range " \t\n\r&;,\"|()[]{}<>" {
		t[c] = true
	}
	return t
}()

// wordAt returns the end of the word at v[s].
func wordAt(v []byte, s int) int {
	e := s
	for e < len(v) && !wordEnds[v[e]] {
		e++
	}
	return e
}

// isKeyWord reports whether the word w starts another pair: "key=..." or
// "key:" followed by white space or the end.
func isKeyWord(w []byte, next byte) bool {
	k := 0
	for k < len(w) && keyChars[w[k]] {
		k++
	}
	if k == 0 || k == len(w) {
		return k > 0 && next == ':'
	}
	return w[k] == '=' || w[k] == ':' && k == len(w)-1
}

// personEnd returns the end of a person's name that starts at v[vs]: its
// first word, then up to six words one space apart that start with a
// capital or a non-ASCII letter, or are name particles ("de", "van").
func personEnd(v []byte, vs int) int {
	e := wordAt(v, vs)
	for n := 0; n < 6 && e+1 < len(v) && v[e] == ' '; n++ {
		s := e + 1
		we := wordAt(v, s)
		w := v[s:we]
		if len(w) == 0 || isKeyWord(w, at(v, we)) || !(isUpper(w[0]) || w[0] >= 0x80 || nameParticles[string(w)]) {
			break
		}
		e = we
	}
	// A trailing particle is a word of the sentence: "Ana de".
	for e > vs {
		s := bytes.LastIndexByte(v[vs:e], ' ')
		if s < 0 || !nameParticles[string(v[vs+s+1:e])] {
			break
		}
		e = vs + s
	}
	return e
}

// at returns v[i], or 0 past the end.
func at(v []byte, i int) byte {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// clauseEnd returns the end of the clause that starts at v[vs]: the first
// line end or one of ;|"<)]} (and ',' unless commas is set), or the start
// of the next key ("city: ...", "zip=..."), without the white space and
// commas before it.
func clauseEnd(v []byte, vs int, commas bool) int {
	e := vs
	for e < len(v) {
		c := v[e]
		if c == '\n' || c == '\r' || c == ';' || c == '|' || c == '"' || c == '<' || c == ')' || c == ']' || c == '}' || c == ',' && !commas {
			break
		}
		if (c == ' ' || c == ',') && e > vs {
			s := e + 1
			for s < len(v) && (v[s] == ' ' || v[s] == ',') {
				s++
			}
			if we := wordAt(v, s); we > s && isKeyWord(v[s:we], at(v, we)) {
				break
			}
		}
		e++
	}
	for e > vs && (v[e-1] == ' ' || v[e-1] == '\t' || v[e-1] == ',') {
		e--
	}
	return e
}

// months are the English month names, matched by their first three letters
// and as long as written.
var months = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// dateWord reports whether w is a word of a date: digits with '.', '/' or
// '-' between them ("12", "1990-03-12"), an ordinal ("12th") or an English
// month name or abbreviation ("Mar", "March", "Sept."), in any case.
func dateWord(w []byte) bool {
	if len(w) == 0 {
		return false
	}
	if isDigit(w[0]) {
		n := 0
		for n < len(w) && (isDigit(w[n]) || w[n] == '.' || w[n] == '/' || w[n] == '-') {
			n++
		}
		switch string(w[n:]) {
		case "", "st", "nd", "rd", "th":
			return true
		}
		return false
	}
	if w[len(w)-1] == '.' {
		w = w[:len(w)-1]
	}
	if len(w) < 3 || len(w) > 9 {
		return false
	}
	for _, m := range months {
		if len(w) > len(m) {
			continue
		}
		ok := true
		for i, c := range w {
			if lower(c) != m[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// dateEnd returns the end of a date whose first token ends at v[e]: the date
// words that follow, one space (or a comma and a space) apart.
func dateEnd(v []byte, e int) int {
	for n := 0; n < 4; n++ {
		s := e
		if s < len(v) && v[s] == ',' {
			s++
		}
		if s >= len(v) || v[s] != ' ' {
			break
		}
		s++
		we := s
		for we < len(v) && !valueEnds[v[we]] {
			we++
		}
		if !dateWord(v[s:we]) {
			break
		}
		e = we
	}
	return e
}

// digitsEnd returns the end of digit groups that start at v[vs] (the first
// token ends at e): digits and +-.() with single spaces between groups. A
// value that does not start with a digit, '+' or '(' is one token
// ("X1234567").
func digitsEnd(v []byte, vs, e int) int {
	if c := v[vs]; !isDigit(c) && c != '+' && c != '(' {
		return e
	}
	d := vs
	for d < len(v) {
		c := v[d]
		if isDigit(c) || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' {
			d++
			continue
		}
		if c == ' ' && d+1 < len(v) && (isDigit(v[d+1]) || v[d+1] == '(') {
			d++
			continue
		}
		break
	}
	for d > vs && (v[d-1] == '-' || v[d-1] == '.') {
		d--
	}
	if d < e {
		// The token goes on with letters ("12AB34"): the token it is.
		return e
	}
	return d
}

// idGroupsEnd returns the end of an id printed in three or more groups of
// three or four digits, one space apart ("4068 5355 2187"), that starts at
// v[vs] (the first token ends at e), or e. Fewer groups, or groups of
// other lengths, are numbers of their own ("uid=42 200 1532").
func idGroupsEnd(v []byte, vs, e int) int {
	group := func(p int) int { // the end of 3-4 digits at v[p] that stand alone, or -1
		q := p
		for q < len(v) && q-p < 5 && isDigit(v[q]) {
			q++
		}
		if q-p < 3 || q-p > 4 || q < len(v) && (isDigit(v[q]) || isLetter(v[q])) {
			return -1
		}
		return q
	}
	if group(vs) != e {
		return e
	}
	d, n := e, 1
	for d+1 < len(v) && v[d] == ' ' {
		q := group(d + 1)
		if q < 0 {
			break
		}
		d, n = q, n+1
	}
	if n < 3 {
		return e
	}
	return d
}

// numbersEnd returns the end of a list of numbers that starts at v[vs] (the
// first token ends at e): digits, separators (,;:/ + - .), white space,
// brackets, degree signs and hemisphere letters standing alone, without the
// separators at its end. A value that does not start like a number is one
// token (the coarsen action redacts it).
func numbersEnd(v []byte, vs, e int) int {
	if c := v[vs]; !isDigit(c) && c != '-' && c != '+' && c != '[' && c != '(' && c != '.' {
		return e
	}
	d := vs
scan:
	for d < len(v) {
		c := v[d]
		switch {
		case isDigit(c) || c == '.' || c == ',' || c == ';' || c == '-' || c == '+' || c == ' ' || c == '\t' ||
			c == '[' || c == ']' || c == '(' || c == ')':
		case c == 0xC2 && d+1 < len(v) && v[d+1] == 0xB0: // '°'
			d++
		case (c == 'N' || c == 'S' || c == 'E' || c == 'W') && !isLetter(at(v, d+1)) && (d == 0 || !isLetter(v[d-1])):
		default:
			break scan
		}
		d++
	}
	if d > vs && d < len(v) && isLetter(v[d]) && (isDigit(v[d-1]) || isLetter(v[d-1])) {
		// A number glued to a word ("0000A000") is no clean end: the
		// value runs to the end of the word, or what replaced the
		// numbers would be glued to its rest and read as another value
		// on a second pass.
		for d < len(v) && !tokenStop(v[d]) {
			d++
		}
		return max(d, e)
	}
	for d > vs && (v[d-1] == ' ' || v[d-1] == '\t' || v[d-1] == ',' || v[d-1] == ';' || v[d-1] == '.') {
		d--
	}
	// Closing brackets without an opening one in the value belong to the
	// text around it.
	for d > vs && (v[d-1] == ')' || v[d-1] == ']') {
		open := byte('(')
		if v[d-1] == ']' {
			open = '['
		}
		if bytes.Count(v[vs:d], []byte{open}) >= bytes.Count(v[vs:d], []byte{v[d-1]}) {
			break
		}
		d--
	}
	if d < e {
		return e
	}
	return d
}

// tokenStop reports whether c ends a word of numbersEnd's glued value:
// white space, a list separator or a quote.
func tokenStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ';', '"', '\'':
		return true
	}
	return false
}

// keyRule returns the field rule and the extract of the key of a key=value
// pair (dotted keys are paths), through a small cache: the keys of logfmt
// lines repeat ("level", "ts", "user_id"), and the rule and extract are
// functions of the key alone (the engine is immutable).
func (w *walker) keyRule(key []byte) (*rule, Extract) {
	if w.keyRules == nil {
		w.keyRules = new([keyRuleSlots]keyRuleEntry)
	}
	e := &w.keyRules[keyHash(key)%keyRuleSlots]
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

// keyHash is a quick hash of a key for the cache of keyRule: its first and
// last eight bytes (or fewer) and its length, mixed by one multiplication.
func keyHash(key []byte) uint32 {
	var x uint64
	switch n := len(key); {
	case n >= 8:
		x = binary.LittleEndian.Uint64(key) ^ binary.LittleEndian.Uint64(key[n-8:])<<1
	default:
		for i, c := range key {
			x |= uint64(c) << (8 * i)
		}
	}
	x = (x ^ uint64(len(key))) * 0x9E3779B97F4A7C15
	return uint32(x >> 40)
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
				if h, ok := hexdig.Pair(v[i+1], v[i+2]); ok {
					c = h
					i += 2
				}
			}
			if c == '&' {
				// The '@' as an HTML entity: one address, one pseudonym.
				for _, e := range [...]string{"&#64;", "&#x40;", "&#X40;", "&commat;"} {
					if len(v)-i >= len(e) && string(v[i:i+len(e)]) == e {
						c = '@'
						i += len(e) - 1
						break
					}
				}
			}
			dst = append(dst, lower(c))
		}
		return dst
	case detectors.Phone:
		base := len(dst)
		if len(v) > 3 && v[0] == '%' && v[1] == '2' && v[2]|0x20 == 'b' {
			// "%2B4915...", percent-encoded in a URL: the '+' it encodes.
			dst = append(dst, '+')
			v = v[3:]
		}
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
		if len(dst)-base == 14 && string(dst[base:base+4]) == "+521" {
			// Mexico's old mobile "1" ("+52 1 55 1234 5678"): the
			// number is the one without it.
			dst = append(dst[:base+3], dst[base+4:]...)
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

// ValidTypeName accepts finding type names: a lower-case letter, then lower-
// case letters, digits and underscores, at most 40. Privacy request types
// and the vault's pseudonym types are finding types and use it too.
func ValidTypeName(s string) bool {
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
