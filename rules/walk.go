package rules

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"

	"github.com/scrubd/scrubd/detectors"
	"github.com/scrubd/scrubd/detectors/hexdig"
	"github.com/scrubd/scrubd/rules/keyring"
)

// errSyntax reports that a record that looked like JSON cannot be walked; it
// then fails closed or, by the policy's choice, is scrubbed as text.
var errSyntax = errors.New("json syntax")

// A walker scrubs one record at a time. Engines keep a pool of them so that
// their buffers are reused.
type walker struct {
	e   *Engine
	in  []byte
	pos int
	out []byte
	res *Result

	path   [][]byte            // key path of the JSON value being walked
	dec    []byte              // decoded JSON string
	posmap []int               // input offset of each byte of dec, when escaped
	tmp    []byte              // scrubbed text of one string
	found  []detectors.Finding // scanner output
	spans  []span              // merged findings and field spans of one text
	hash   keyring.Hasher      // for pseudonyms under the active key, made on first use
	// accessLine holds the fields of the record when it is an access-log
	// line.
	accessLine accessFields
	kvPath     [][]byte // key path of one key=value pair
	norm       []byte   // normalized value to pseudonymize

	raw        int // > 0 while copying a value without scrubbing it
	dropRecord bool
	userAgent  bool // the text being scrubbed is a User-Agent string
	noPairs    bool // the text being scrubbed is known to hold no key/value pair
	inJSON     bool // scrubbing the strings of a JSON record
	geo        *Geo // the geo member to add to a JSON object record
	scratch    []byte
	// clean caches short JSON strings (keys and values) that scrubbing
	// found nothing in; the engine is immutable, so the answer holds.
	clean map[string]struct{}
	// cleanRef and cleanUA cache access-log referers and User-Agents found
	// clean.
	cleanRef, cleanUA map[string]struct{}

	// memo remembers clean object keys by their place (see keyMemo);
	// places holds the memo entry of each level of path, -1 where a key
	// was not remembered.
	keyRules *[keyRuleSlots]keyRuleEntry // see keyRule
	memo     *[memoSize]keyMemo
	places   []int32
	memoGen  uint64

	// accessField is 1 + the index of the access-log field being scrubbed,
	// 0 elsewhere (see locate).
	accessField int
}

// memoSize is the number of places the key memo remembers.
const (
	memoBits = 11
	memoSize = 1 << memoBits
)

// A keyMemo remembers a key seen at one place in the objects of a record,
// when that key was found clean. A place is the key's first bytes under the
// place of the parent key, hashed into the memo (see keyPrefix). Log records of one kind repeat their keys in the same order,
// so the next record's key at that place is most often the same bytes: it is
// then copied without decoding, scanning, or looking up its field rule and
// extract again, which are functions of the path alone (the engine is
// immutable). A place's generation changes whenever it remembers a new key,
// which invalidates what was remembered below it.
type keyMemo struct {
	raw    []byte // the key as written, quotes and escapes included
	key    []byte // the decoded key
	parent uint64 // the generation of the parent place; 0 at the top level
	gen    uint64 // this place's generation; 0 while empty
	rule   *rule  // the field rule of the path
	x      Extract
	looked bool // rule and x are known
	busy   bool // the key is on the current path: it must not be replaced
	recent bool // used more recently than the other way of its set
}

// walkMode says what a walk does.
type walkMode uint8

const (
	walkRecord  walkMode = iota // detect the format, scrub, extract
	walkText                    // scrub as free text, extract nothing
	walkExtract                 // detect the format, extract only; the output is scratch
)

// scrub is Engine.ScrubWith on w.
func (w *walker) scrub(dst, rec []byte, res *Result, opt Options) ([]byte, error) {
	res.reset()
	if len(rec) > w.e.maxBytes {
		return dst, w.e.TooLargeError(len(rec))
	}
	return w.record(dst, rec, res, walkRecord, opt.Geo)
}

// record scrubs rec, appending to dst.
func (w *walker) record(dst, rec []byte, res *Result, mode walkMode, geo *Geo) (out []byte, err error) {
	w.in, w.res, w.out, w.pos = rec, res, dst, 0
	w.dropRecord, w.raw, w.inJSON, w.geo, w.accessField = false, 0, false, geo, 0
	w.resetPath()
	defer func() {
		// Release the references to the caller's buffers.
		w.in, w.res, w.out, w.geo = nil, nil, nil, nil
	}()
	start := len(dst)
	if mode == walkExtract {
		w.raw = 1
	}
	if mode == walkRecord && len(rec) > 0 && sigLead[rec[0]] {
		if what := opaqueSignature(rec); what != "" {
			return dst, &RecordError{Reason: ReasonUnsupportedEncoding, Detail: what}
		}
	}
	if mode != walkText {
		i := skipWS(rec, skipBOM(rec))
		bracket := i < len(rec) && (rec[i] == '{' || rec[i] == '[')
		if bracket {
			res.Format = FormatJSON
			w.inJSON = true
			err := w.json()
			if err == nil {
				return w.finish(start)
			}
			if !errors.Is(err, errSyntax) {
				return dst[:start], err
			}
			if !w.e.invalidJSONText && opensLikeJSON(rec, i) {
				return dst[:start], &RecordError{Reason: ReasonInvalidJSON, Detail: fmt.Sprintf("cannot walk it at byte %d", min(w.pos, len(rec)))}
			}
			// Not JSON after all: scrub it as text, from the start.
			w.out = w.out[:start]
			res.reset()
			w.dropRecord, w.inJSON = false, false
			w.resetPath()
		}
		// Not JSON: the binary check (see sniffOpaque).
		if mode == walkRecord && len(rec) > 0 && looksBinary(rec[:min(len(rec), sniffWindow)]) {
			return dst[:start], &RecordError{Reason: ReasonUnsupportedEncoding, Detail: binaryPayload}
		}
		if !bracket && parseAccess(rec, &w.accessLine) {
			res.Format = FormatAccess
			if err := w.access(&w.accessLine); err != nil {
				return dst[:start], err
			}
			return w.finish(start)
		}
	}
	res.Format = FormatText
	if mode != walkText && looksLogfmt(rec) {
		res.Format = FormatLogfmt
	}
	if mode == walkExtract {
		w.spans = w.kvSpans(w.spans[:0], rec)
		return w.finish(start)
	}
	w.out, _, _, err = w.scrubText(w.out, rec, 0, nil, true)
	if err != nil {
		return dst[:start], err
	}
	return w.finish(start)
}

func (w *walker) finish(start int) ([]byte, error) {
	w.res.Minor = w.res.minor(w.e.belowAge)
	if w.dropRecord {
		w.res.Dropped = true
		return w.out[:start], nil
	}
	return w.out, nil
}

// note records a finding at input offsets [start, end).
func (w *walker) note(typ string, start, end int, a Action) {
	if w.raw > 0 {
		return
	}
	w.res.Findings = append(w.res.Findings, detectors.Finding{Type: detectors.Type(typ), Start: start, End: end})
	w.res.Actions = append(w.res.Actions, a)
	if w.res.Locate {
		w.locate()
	}
}

// subject records the data subject of a value that rule rl applied to, when
// rl's type is one of the policy's subject types: out is what the rule
// wrote, the pseudonym itself when the action was pseudonymize.
func (w *walker) subject(rl *rule, v, out []byte) {
	typ := rl.name
	if w.raw > 0 || !rl.subject || len(v) == 0 || len(v) == 1 && v[0] == '-' {
		return
	}
	r := w.res
	if w.e.keys.IsPseudonym(typ, v) {
		s := len(r.arena)
		r.arena = append(r.arena, v...)
		r.Subjects = append(r.Subjects, Subject{Type: typ, s: s, e: len(r.arena), vs: s, ve: s})
		return
	}
	vs := len(r.arena)
	r.arena = normalize(r.arena, typ, v)
	ve := len(r.arena)
	s := ve
	if w.e.keys.IsPseudonym(typ, out) {
		r.arena = append(r.arena, out...)
	} else {
		r.arena = w.pseudonym(r.arena, typ, r.arena[vs:ve])
	}
	r.Subjects = append(r.Subjects, Subject{Type: typ, s: s, e: len(r.arena), vs: vs, ve: ve})
}

// apply appends to dst the value v transformed by r's action, as a value of
// type r.name. Drop actions are the caller's to carry out; here they redact.
func (w *walker) apply(dst, v []byte, r *rule) []byte {
	switch r.action {
	case Keep:
		return append(dst, v...)
	case Mask:
		return maskValue(dst, v, r.keepFirst, r.keepLast)
	case TruncateIP:
		if out, ok := truncateIP(dst, v, r.bits4, r.bits6); ok {
			return out
		}
		return redacted(dst, r.name)
	case Pseudonymize:
		if len(v) == 0 || len(v) == 1 && v[0] == '-' || w.e.keys.IsPseudonym(r.name, v) || w.e.isPlaceholder(v) {
			return append(dst, v...)
		}
		w.norm = normalize(w.norm[:0], r.name, v)
		return w.pseudonym(dst, r.name, w.norm)
	case DropRecord:
		w.dropRecord = true
		return redacted(dst, r.name)
	case Coarsen:
		if len(v) == 0 || len(v) == 1 && v[0] == '-' || w.e.isPlaceholder(v) {
			return append(dst, v...)
		}
		if out, ok := coarsenValue(dst, v, r.decimals); ok {
			return out
		}
		return redacted(dst, r.name)
	default: // Redact, DropField
		if w.e.isPlaceholder(v) {
			return append(dst, v...)
		}
		return redacted(dst, r.name)
	}
}

// pseudonym is Keyring.Pseudonym with the walker's own HMAC state.
func (w *walker) pseudonym(dst []byte, typ string, value []byte) []byte {
	if w.hash == (keyring.Hasher{}) {
		w.hash = w.e.keys.NewHasher()
	}
	return w.hash.Append(dst, typ, value)
}

// isPlaceholder reports whether v is a redaction placeholder this engine
// writes, "[type]" for one of its detector types or rule names: there is
// nothing left in it to scrub, and scrubbing it again changes nothing. Any
// other bracketed word ("[jdoe]" as a user name) is a value like any other.
func (e *Engine) isPlaceholder(v []byte) bool {
	if len(v) < 3 || v[0] != '[' || v[len(v)-1] != ']' {
		return false
	}
	_, ok := e.placeholders[string(v[1:len(v)-1])]
	return ok
}

// ---- JSON ----

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func (w *walker) copyWS() {
	if w.pos >= len(w.in) || w.in[w.pos] > ' ' {
		return // the common case: no whitespace
	}
	j := skipWS(w.in, w.pos)
	w.out = append(w.out, w.in[w.pos:j]...)
	w.pos = j
}

// json walks the record as JSON, or near-JSON: a byte order mark, then one
// or more documents (objects or arrays) with whitespace around and between
// them, so that concatenated documents and NDJSON lines in one Kafka value
// are walked one after the other, iteratively. Every byte that no rule
// replaces is written as it was. Inside a document the walk also accepts,
// beyond RFC 8259:
//
//   - a trailing comma after the last member or element ({"a":1,} [1,]);
//   - numbers with leading zeros or a plus sign (007, +1, -01.5e+03);
//   - NaN, Infinity, +Infinity and -Infinity (Python's json module and
//     Jackson write them);
//   - raw control characters in strings (tabs and newlines of JSON built
//     with printf), scanned as the characters they are;
//   - unknown escapes in strings (C:\Users, \x41, \'), read as the
//     backslash and the character, as the writer meant them.
//
// A string whose text scrubbing changes is written as valid JSON (control
// characters and lone backslashes escaped). Comments, single-quoted strings,
// unquoted keys, missing commas, documents cut short and anything after the
// last document are not walked: in a document cut short, a value cut
// mid-way no longer has the shape its detector knows (an e-mail address
// without its domain), so it is better failed closed than guessed at.
func (w *walker) json() error {
	if n := skipBOM(w.in); n > 0 {
		w.out = append(w.out, w.in[:n]...)
		w.pos = n
	}
	w.copyWS()
	for {
		if w.pos >= len(w.in) || w.in[w.pos] != '{' && w.in[w.pos] != '[' {
			return errSyntax
		}
		if _, err := w.value(0, nil); err != nil {
			return err
		}
		w.copyWS()
		if w.pos == len(w.in) {
			return nil
		}
	}
}

// skipBOM returns the length of the UTF-8 byte order mark that b starts
// with: 3, or 0 when it has none.
func skipBOM(b []byte) int {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return 3
	}
	return 0
}

// opensLikeJSON reports whether rec, whose first byte after whitespace (at
// i) is '{' or '[', opens the way only JSON does: an empty object or array,
// an object whose first key is a double-quoted string followed by a colon,
// or an array whose first element is followed by a comma or is itself an
// object or array that opens like JSON. A record that does is JSON to the
// engine, walked or failed closed; one that does not is text, scanned as
// such: "[Sun Dec 04 04:47:44 2005] [error] ...", "[2024-01-01 12:00:00]
// INFO", "[main] INFO", "[0] worker ready" (log prefixes), {ID:42 Name:jo}
// (Go's %+v), {a=1, b=2} (Java's Map.toString), {'a': 1} (Python's repr),
// {"a"=>1} (Ruby's inspect).
func opensLikeJSON(rec []byte, i int) bool {
	for {
		c := rec[i]
		i = skipWS(rec, i+1)
		if i >= len(rec) {
			return false
		}
		if c == '{' {
			if rec[i] == '}' {
				return true
			}
			if rec[i] != '"' {
				return false
			}
			j := endOfString(rec, i)
			j = skipWS(rec, j)
			return j < len(rec) && rec[j] == ':'
		}
		// An array.
		switch d := rec[i]; {
		case d == ']':
			return true
		case d == '{' || d == '[':
			continue
		case d == '"':
			i = endOfString(rec, i)
		default:
			i = endOfScalar(rec, i)
		}
		i = skipWS(rec, i)
		return i < len(rec) && rec[i] == ','
	}
}

// endOfString returns the offset after the closing quote of the JSON string
// whose opening quote is at rec[i], or len(rec) when it is not closed.
func endOfString(rec []byte, i int) int {
	for i++; i < len(rec); i++ {
		switch rec[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(rec)
}

// endOfScalar returns the offset after the number or literal at rec[i] (as
// the walker reads them), or i when there is none.
func endOfScalar(rec []byte, i int) int {
	w := walker{in: rec, pos: i}
	if w.skipScalar() != nil {
		return i
	}
	return w.pos
}

// value walks one JSON value at w.pos. forced, when set, is a field rule that
// applies to every scalar inside. It reports whether the member holding the
// value must be dropped.
func (w *walker) value(depth int, forced *rule) (bool, error) {
	if w.pos >= len(w.in) {
		return false, errSyntax
	}
	switch c := w.in[w.pos]; {
	case c == '{':
		return false, w.object(depth+1, forced)
	case c == '[':
		return false, w.array(depth+1, forced)
	case c == '"':
		return w.stringValue(forced)
	case c == '-' || c == '+' || '0' <= c && c <= '9':
		return w.number(forced)
	case c == 'N':
		return false, w.literal("NaN", forced)
	case c == 'I':
		return false, w.literal("Infinity", forced)
	case c == 't':
		return false, w.literal("true", forced)
	case c == 'f':
		return false, w.literal("false", forced)
	case c == 'n':
		return false, w.literal("null", forced)
	}
	return false, errSyntax
}

func (w *walker) tooDeep(depth int) error {
	if depth > w.e.maxDepth {
		return &RecordError{Reason: ReasonTooDeep, Detail: fmt.Sprintf("nesting deeper than %d", w.e.maxDepth)}
	}
	return nil
}

func (w *walker) object(depth int, forced *rule) error {
	if err := w.tooDeep(depth); err != nil {
		return err
	}
	w.out = append(w.out, '{')
	w.pos++
	w.copyWS()
	if w.pos < len(w.in) && w.in[w.pos] == '}' {
		w.pos++
		w.closeObject(depth, 0, false)
		return nil
	}
	emitted := 0
	for {
		memberStart := len(w.out)
		if emitted > 0 {
			w.out = append(w.out, ',')
		}
		w.copyWS()
		if w.pos < len(w.in) && w.in[w.pos] == '}' {
			// A trailing comma (an empty object was taken above); it
			// is in the output when a member is.
			w.pos++
			w.closeObject(depth, emitted, true)
			return nil
		}
		if w.pos >= len(w.in) || w.in[w.pos] != '"' {
			return errSyntax
		}
		key, place, err := w.memberKey()
		if err != nil {
			return err
		}
		var m *keyMemo
		if place >= 0 {
			m = &w.memo[place]
		}
		w.copyWS()
		if w.pos >= len(w.in) || w.in[w.pos] != ':' {
			return errSyntax
		}
		w.out = append(w.out, ':')
		w.pos++
		w.copyWS()
		w.path = append(w.path, key)
		var fieldRule *rule
		x := Extract(-1)
		switch {
		case m != nil && m.looked:
			fieldRule, x = m.rule, m.x
		default:
			fieldRule = w.e.fieldRule(w.path)
			if len(w.e.extract.owner) > 0 {
				x = w.e.extract.of(w.path)
			}
			if m != nil {
				m.rule, m.x, m.looked = fieldRule, x, true
			}
		}
		if m != nil {
			m.busy = true
		}
		w.places = append(w.places, place)
		if x >= 0 && !w.res.has[x] {
			w.extractJSON(x)
		}
		if depth == 1 && w.geo != nil && len(w.path) == 1 && string(key) == "geo" {
			// The record's own geo member makes way for ours.
			if err := w.rawValue(depth); err != nil {
				return err
			}
			w.resetPath()
			w.out = w.out[:memberStart]
			w.copyWS()
			if w.pos < len(w.in) && w.in[w.pos] == ',' {
				w.pos++
				continue
			}
			if w.pos < len(w.in) && w.in[w.pos] == '}' {
				w.pos++
				w.closeObject(depth, emitted, false)
				return nil
			}
			return errSyntax
		}
		var drop bool
		switch {
		case w.raw > 0:
			drop, err = w.value(depth, nil)
		case forced != nil:
			drop, err = w.ruled(depth, forced)
		case fieldRule != nil:
			drop, err = w.ruled(depth, fieldRule)
		default:
			drop, err = w.value(depth, nil)
		}
		w.path = w.path[:len(w.path)-1]
		if m != nil {
			m.busy = false
		}
		w.places = w.places[:len(w.places)-1]
		if err != nil {
			return err
		}
		if drop {
			w.out = w.out[:memberStart]
		} else {
			emitted++
		}
		w.copyWS()
		if w.pos >= len(w.in) {
			return errSyntax
		}
		switch w.in[w.pos] {
		case ',':
			w.pos++
			continue
		case '}':
			w.pos++
			w.closeObject(depth, emitted, false)
			return nil
		}
		return errSyntax
	}
}

// closeObject writes the closing brace of an object with emitted members;
// the top-level object of a record gets the geo member first. trailing says
// that the output ends with the comma after the last member already.
func (w *walker) closeObject(depth, emitted int, trailing bool) {
	if depth == 1 && w.geo != nil && w.raw == 0 {
		if emitted > 0 && !trailing {
			w.out = append(w.out, ',')
		}
		w.out = append(w.out, `"geo":{"country":`...)
		w.out = appendJSONString(w.out, []byte(w.geo.Country))
		w.out = append(w.out, `,"jurisdiction":`...)
		w.out = appendJSONString(w.out, []byte(w.geo.Jurisdiction))
		w.out = append(w.out, '}')
	}
	w.out = append(w.out, '}')
}

// extractJSON records the value at w.pos as x, without moving w.pos: a
// string decoded, a number or literal as written, of an array its first
// element.
func (w *walker) extractJSON(x Extract) {
	save := w.pos
	defer func() { w.pos = save }()
	if w.pos < len(w.in) && w.in[w.pos] == '[' {
		w.pos = skipWS(w.in, w.pos+1)
	}
	if w.pos >= len(w.in) {
		return
	}
	switch c := w.in[w.pos]; {
	case c == '"':
		var st jsonString
		if err := w.readString(&st); err == nil {
			w.res.setExtract(x, st.dec)
		}
	case c == '-' || c == '+' || c == 't' || c == 'f' || c == 'N' || c == 'I' || '0' <= c && c <= '9':
		s := w.pos
		if w.skipScalar() == nil {
			w.res.setExtract(x, w.in[s:w.pos])
		}
	}
}

func (w *walker) array(depth int, forced *rule) error {
	if err := w.tooDeep(depth); err != nil {
		return err
	}
	w.out = append(w.out, '[')
	w.pos++
	w.copyWS()
	if w.pos < len(w.in) && w.in[w.pos] == ']' {
		w.out = append(w.out, ']')
		w.pos++
		return nil
	}
	emitted := 0
	for {
		elemStart := len(w.out)
		if emitted > 0 {
			w.out = append(w.out, ',')
		}
		w.copyWS()
		if w.pos < len(w.in) && w.in[w.pos] == ']' {
			// A trailing comma (an empty array was taken above).
			w.out = append(w.out, ']')
			w.pos++
			return nil
		}
		var drop bool
		var err error
		if forced != nil && w.raw == 0 {
			drop, err = w.ruled(depth, forced)
		} else {
			drop, err = w.value(depth, nil)
		}
		if err != nil {
			return err
		}
		if drop {
			// A dropped element leaves the array; its siblings stay.
			w.out = w.out[:elemStart]
		} else {
			emitted++
		}
		w.copyWS()
		if w.pos >= len(w.in) {
			return errSyntax
		}
		switch w.in[w.pos] {
		case ',':
			w.pos++
			continue
		case ']':
			w.out = append(w.out, ']')
			w.pos++
			return nil
		}
		return errSyntax
	}
}

// rawValue copies the value at w.pos unchanged, checking its syntax.
func (w *walker) rawValue(depth int) error {
	w.raw++
	_, err := w.value(depth, nil)
	w.raw--
	return err
}

// ruled walks a value that the field rule r applies to and reports whether
// its member must be dropped.
func (w *walker) ruled(depth int, r *rule) (bool, error) {
	if w.pos >= len(w.in) {
		return false, errSyntax
	}
	c := w.in[w.pos]
	if c != '{' && c != '[' {
		return w.scalarRuled(r)
	}
	if r.shape != shapeAny {
		// A rule for scalars: an object is walked with its own rules, an
		// array element by element.
		if c == '{' {
			return w.value(depth, nil)
		}
		_, err := w.value(depth, r)
		return false, err
	}
	start := w.pos
	mark := len(w.out)
	switch r.action {
	case Keep:
		return false, w.rawValue(depth)
	case DropField:
		err := w.rawValue(depth)
		w.out = w.out[:mark]
		w.note(r.name, start, w.pos, r.action)
		return true, err
	case DropRecord:
		if len(r.values) > 0 {
			// Values are compared with scalars only.
			_, err := w.value(depth, nil)
			return false, err
		}
		err := w.rawValue(depth)
		w.note(r.name, start, w.pos, r.action)
		w.dropRecord = true
		return false, err
	case Redact:
		err := w.rawValue(depth)
		w.out = w.out[:mark]
		w.out = appendJSONString(w.out, redacted(w.tmp[:0], r.name))
		w.note(r.name, start, w.pos, r.action)
		return false, err
	}
	// Pseudonymize, mask, truncate_ip: every scalar inside.
	_, err := w.value(depth, r)
	return false, err
}

// scalarRuled applies the field rule r to the scalar at w.pos.
func (w *walker) scalarRuled(r *rule) (bool, error) {
	start := w.pos
	var v []byte
	var vs, ve int // input span of the value, quotes excluded
	isString := w.in[w.pos] == '"'
	switch {
	case isString:
		var st jsonString
		if err := w.readString(&st); err != nil {
			return false, err
		}
		v, vs, ve = st.dec, st.vs, st.ve
	default:
		s := w.pos
		if err := w.skipScalar(); err != nil {
			return false, err
		}
		v, vs, ve = w.in[s:w.pos], s, w.pos
	}
	literal := !isString && isLiteral(v)
	if !r.shape.fits(v) {
		// Not of the rule's shape: as if no rule named the field.
		w.pos = start
		return w.value(0, nil)
	}
	switch r.action {
	case Keep:
		w.out = append(w.out, w.in[start:w.pos]...)
		return false, nil
	case DropField:
		w.subject(r, v, nil)
		w.note(r.name, vs, ve, r.action)
		return true, nil
	case DropRecord:
		if r.matchesValue(v) {
			w.note(r.name, vs, ve, r.action)
			w.dropRecord = true
		}
		w.out = append(w.out, w.in[start:w.pos]...)
		return false, nil
	}
	if literal && r.action != Redact {
		// null, true and false hold nothing to pseudonymize or mask.
		w.out = append(w.out, w.in[start:w.pos]...)
		return false, nil
	}
	w.tmp = w.apply(w.tmp[:0], v, r)
	w.subject(r, v, w.tmp)
	if isString && w.raw == 0 && r.name != string(detectors.Email) && bytes.IndexByte(v, '@') >= 0 {
		// "user": "jo@example.com" names the e-mail address's subject too
		// (see valueSubjects); the scan only adds subjects, so its error,
		// which changes no output, is not the record's.
		if found, err := w.e.scanner.Scan(w.found[:0], v); err == nil {
			w.found = found
			w.valueSubjects(v, []span{{end: len(v), r: r}}, found)
		}
	}
	if isString && string(w.tmp) == string(v) {
		w.out = append(w.out, w.in[start:w.pos]...)
	} else if !isString && r.action == Coarsen && w.tmp[0] != '[' {
		// A coarsened number is still a number: 48.8583701 is 48.86.
		w.out = append(w.out, w.tmp...)
	} else {
		w.out = appendJSONString(w.out, w.tmp)
	}
	w.note(r.name, vs, ve, r.action)
	return false, nil
}

// matchesValue reports whether a drop_record rule applies to the value v.
func (r *rule) matchesValue(v []byte) bool {
	if len(r.values) == 0 {
		return true
	}
	for _, x := range r.values {
		if len(x) == len(v) && globFold(x, v) {
			return true
		}
	}
	return false
}

// key reads the object key at w.pos, writes it (scrubbed) to the output and
// returns it decoded for the key path.
// keyPrefix returns a 32-bit digest of the first bytes of the key whose
// opening quote is at in[pos]: up to eight bytes, not counting the closing
// quote or what follows it. It places a key in the memo by its name rather
// than its position, so that records of several kinds, whose keys differ
// after a common start, do not evict each other.
func keyPrefix(in []byte, pos int) uint32 {
	const ones = 0x0101010101010101
	if pos+9 > len(in) {
		return 0
	}
	x := binary.LittleEndian.Uint64(in[pos+1:])
	q := x ^ ('"' * ones)
	if z := (q - ones) &^ q & (0x80 * ones); z != 0 {
		// Keep the bytes before the first quote.
		x &= 1<<(bits.TrailingZeros64(z)&^7) - 1
	}
	return uint32(x ^ x>>29 ^ x>>47)
}

// resetPath empties the key path, releasing the memo places on it (a walk
// that failed leaves them set).
func (w *walker) resetPath() {
	for _, p := range w.places {
		if p >= 0 {
			w.memo[p].busy = false
		}
	}
	w.path, w.places = w.path[:0], w.places[:0]
}

// memberKey reads the key of the object member at w.pos through the key memo:
// a key remembered under the same parent is copied as it is; another is read
// with key and, when it is clean, remembered. It returns the index in the memo of the place that holds
// the key, or -1 when the key is not remembered.
func (w *walker) memberKey() ([]byte, int32, error) {
	parentPlace, parentGen := uint32(memoSize), uint64(0)
	if n := len(w.places); n > 0 {
		if w.places[n-1] < 0 {
			key, err := w.key()
			return key, -1, err
		}
		parentPlace = uint32(w.places[n-1])
		parentGen = w.memo[parentPlace].gen
	}
	if w.raw > 0 {
		key, err := w.key()
		return key, -1, err
	}
	if w.memo == nil {
		w.memo = new([memoSize]keyMemo)
	}
	// Two ways per set: a place's key is looked for in both, and a new
	// key replaces the way used less recently.
	place := int32((parentPlace*0x9E3779B1+keyPrefix(w.in, w.pos)*0x85EBCA6B)>>(32-memoBits)) &^ 1
	for way := place; way <= place+1; way++ {
		m := &w.memo[way]
		if m.gen != 0 && !m.busy && m.parent == parentGen && len(w.in)-w.pos >= len(m.raw) && string(w.in[w.pos:w.pos+len(m.raw)]) == string(m.raw) {
			w.out = append(w.out, m.raw...)
			w.pos += len(m.raw)
			w.memo[way^1].recent = false
			m.recent = true
			return m.key, way, nil
		}
	}
	if w.memo[place].recent || w.memo[place].busy {
		place++
	}
	m := &w.memo[place]
	if m.busy {
		key, err := w.key()
		return key, -1, err
	}
	start, mark, nf := w.pos, len(w.out), len(w.res.Findings)
	key, err := w.key()
	if err != nil {
		return nil, -1, err
	}
	raw := w.in[start:w.pos]
	if len(raw) > 2*cleanMaxLen || string(w.out[mark:]) != string(raw) || len(w.res.Findings) != nf || w.dropRecord {
		return key, -1, nil
	}
	w.memoGen++
	m.gen, m.parent, m.looked = w.memoGen, parentGen, false
	m.raw = append(m.raw[:0], raw...)
	m.key = append(m.key[:0], key...)
	w.memo[place^1].recent = false
	m.recent = true
	return m.key, place, nil
}

func (w *walker) key() ([]byte, error) {
	start := w.pos
	var st jsonString
	err := w.readString(&st)
	if err != nil {
		return nil, err
	}
	key := st.dec
	if st.escaped {
		key = append([]byte(nil), st.dec...) // w.dec is reused for the value
	}
	if w.raw > 0 {
		w.out = append(w.out, w.in[start:w.pos]...)
		return key, nil
	}
	_, err = w.writeScrubbed(start, &st, true)
	return key, err
}

// stringValue scrubs the string at w.pos as free text, or applies forced.
func (w *walker) stringValue(forced *rule) (bool, error) {
	if forced != nil && w.raw == 0 {
		return w.scalarRuled(forced)
	}
	start := w.pos
	var st jsonString
	if err := w.readString(&st); err != nil {
		return false, err
	}
	if w.raw > 0 {
		w.out = append(w.out, w.in[start:w.pos]...)
		return false, nil
	}
	if n := len(w.path); n > 0 && userAgentKey(w.path[n-1]) {
		w.userAgent = true
		defer func() { w.userAgent = false }()
	}
	return w.writeScrubbed(start, &st, false)
}

// writeScrubbed scrubs the decoded string st as free text and writes it as a
// JSON string; start is the input offset of its opening quote; isKey says
// that st is an object key. It reports whether a drop_field detector action
// fired in it.
func (w *walker) writeScrubbed(start int, st *jsonString, isKey bool) (bool, error) {
	// Short strings that were clean before (keys, enum values such as
	// "info" or "GET") are clean again: skip the scan.
	// Only keys and values without digits are ever remembered (see below):
	// other values are not looked up.
	cacheable := len(st.dec) <= cleanMaxLen && !w.userAgent && !st.badUTF8 && (isKey || !hasDigit(st.dec))
	if cacheable && w.clean != nil {
		if _, ok := w.clean[string(st.dec)]; ok {
			w.out = append(w.out, w.in[start:w.pos]...)
			return false, nil
		}
	}
	var posmap []int
	if st.escaped {
		posmap = w.posmap
	}
	nf := len(w.res.Findings)
	tmp, changed, drop, err := w.scrubText(w.tmp[:0], st.dec, st.vs, posmap, false)
	w.tmp = tmp
	if err != nil {
		return false, err
	}
	// Keys repeat, and so do values without digits (levels, methods,
	// service names); values with digits (times, ids, sizes) rarely do, and
	// caching them would only evict the others.
	if cacheable && !changed && !drop && len(w.res.Findings) == nf && !w.dropRecord {
		w.rememberClean(st.dec)
	}
	switch {
	case !changed && !st.badUTF8:
		w.out = append(w.out, w.in[start:w.pos]...)
	case !changed:
		// tmp holds the string as it was, or nothing (see scrubText).
		w.out = appendJSONString(w.out, st.dec)
	default:
		w.out = appendJSONString(w.out, tmp)
	}
	return drop, nil
}

// cleanMaxLen and cleanMaxEntries bound the cache of clean short strings.
const (
	cleanMaxLen     = 48
	cleanMaxField   = 512
	cleanMaxEntries = 2048
)

// hasDigit reports whether v holds an ASCII digit.
func hasDigit(v []byte) bool {
	for _, c := range v {
		if '0' <= c && c <= '9' {
			return true
		}
	}
	return false
}

// rememberClean adds v to the cache of strings known to hold nothing, which
// is emptied when full.
func (w *walker) rememberClean(v []byte) {
	if w.clean == nil || len(w.clean) >= cleanMaxEntries {
		w.clean = make(map[string]struct{}, 256)
	}
	w.clean[string(v)] = struct{}{}
}

// A jsonString is a string read from the input.
type jsonString struct {
	dec     []byte // decoded value; aliases the input when not escaped
	vs, ve  int    // input span between the quotes
	escaped bool   // dec was decoded into w.dec, and w.posmap maps it
	badUTF8 bool   // the value holds invalid UTF-8
}

// readString reads the JSON string at w.pos (an opening quote) into st and
// leaves w.pos after its closing quote. st is filled in place rather than
// returned: a returned jsonString was copied through the stack, and the
// wide load of that copy right after the narrow stores of its fields
// stalled (store forwarding) on every string of a record.
func (w *walker) readString(st *jsonString) error {
	in := w.in
	i := w.pos + 1
	*st = jsonString{vs: i}
	ascii := true
	var high uint64 // the bytes passed eight at a time, or-ed: their high bits tell non-ASCII
	for {
		// Most bytes are plain: skip them eight at a time (non-ASCII
		// ones too), then with one table lookup each.
		for i+8 <= len(in) {
			x := binary.LittleEndian.Uint64(in[i:])
			if m := strStops(x); m != 0 {
				k := bits.TrailingZeros64(m) >> 3
				high |= x & (1<<(8*k) - 1)
				i += k
				break
			}
			high |= x
			i += 8
		}
		for i < len(in) && strPlain[in[i]] {
			i++
		}
		if i >= len(in) {
			return errSyntax
		}
		c := in[i]
		if c == '"' {
			break
		}
		if c < 0x20 {
			// A raw control character: near-JSON.
			i++
			continue
		}
		if c == '\\' {
			st.escaped = true
			i += 2
			continue
		}
		ascii = false // c >= 0x80
		i++
	}
	st.ve = i
	w.pos = i + 1
	if high&swarHigh != 0 {
		ascii = false
	}
	raw := in[st.vs:st.ve]
	if !ascii && !utf8.Valid(raw) {
		st.badUTF8 = true
	}
	if !st.escaped {
		st.dec = raw
		return nil
	}
	dec, posmap, ok := decodeJSONString(w.dec[:0], w.posmap[:0], raw, st.vs)
	w.dec, w.posmap = dec, posmap
	if !ok {
		return errSyntax
	}
	st.dec = dec
	if !st.badUTF8 && !utf8.Valid(dec) {
		st.badUTF8 = true
	}
	return nil
}

// Bytes of eight-at-a-time tests: each byte 1, each byte's low seven bits,
// each byte's high bit.
const swarOnes, swarLow7, swarHigh = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080

// strStops has the high bit of each byte of x (eight bytes of a JSON
// string) that ends a run of plain or non-ASCII bytes: a quote, a
// backslash or a control character. The tests are exact, without the
// borrows between bytes of the usual zero-byte test.
func strStops(x uint64) uint64 {
	lo := x & swarLow7
	ctl := ^(lo + (0x80-0x20)*swarOnes) // high bit: below 0x20
	q := x ^ '"'*swarOnes
	quote := ^((q & swarLow7) + swarLow7 | q) // high bit: a quote
	bs := x ^ '\\'*swarOnes
	back := ^((bs & swarLow7) + swarLow7 | bs) // high bit: a backslash
	return (ctl&^x | quote | back) & swarHigh
}

// strPlain marks the bytes of a JSON string that need no attention: not a
// quote, a backslash, a control character or a non-ASCII byte.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// decodeJSONString decodes the escapes in raw (the bytes between the quotes
// of a JSON string at input offset base), appending to dst. posmap gets the
// input offset of each decoded byte, and one more entry for the end.
func decodeJSONString(dst []byte, posmap []int, raw []byte, base int) ([]byte, []int, bool) {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			posmap = append(posmap, base+i)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return dst, posmap, false
		}
		at := base + i
		unknown := func() {
			// An unknown escape: the backslash stands for itself.
			dst = append(dst, '\\')
			posmap = append(posmap, at)
			i++
		}
		var r rune
		n := 2
		switch raw[i+1] {
		case '"', '\\', '/':
			r = rune(raw[i+1])
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'u':
			v, ok := hexdig.Quad(raw, i+2)
			if !ok {
				unknown()
				continue
			}
			r, n = v, 6
			if utf16IsHigh(r) {
				if lo, ok := hexdig.Quad(raw, i+8); ok && i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' && utf16IsLow(lo) {
					r = (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000
					n = 12
				} else {
					r = utf8.RuneError
				}
			} else if utf16IsLow(r) {
				r = utf8.RuneError
			}
		default:
			unknown()
			continue
		}
		before := len(dst)
		dst = utf8.AppendRune(dst, r)
		for k := before; k < len(dst); k++ {
			posmap = append(posmap, at)
		}
		i += n
	}
	posmap = append(posmap, base+len(raw))
	return dst, posmap, true
}

func utf16IsHigh(r rune) bool { return 0xD800 <= r && r < 0xDC00 }
func utf16IsLow(r rune) bool  { return 0xDC00 <= r && r < 0xE000 }

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// so that the output is always valid JSON.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		// Runs of plain bytes are copied whole.
		j := i
		for j < len(s) && strPlain[s[j]] {
			j++
		}
		dst = append(dst, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			default: // a control character
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// skipScalar moves w.pos over a number or a literal, checking its syntax.
func (w *walker) skipScalar() error {
	in := w.in
	i := w.pos
	switch in[i] {
	case 't':
		return w.skipLiteral("true")
	case 'f':
		return w.skipLiteral("false")
	case 'n':
		return w.skipLiteral("null")
	case 'N':
		return w.skipLiteral("NaN")
	case 'I':
		return w.skipLiteral("Infinity")
	}
	if in[i] == '-' || in[i] == '+' {
		i++
		if i < len(in) && in[i] == 'I' {
			w.pos = i
			return w.skipLiteral("Infinity")
		}
	}
	digits := func() bool {
		s := i
		for i < len(in) && '0' <= in[i] && in[i] <= '9' {
			i++
		}
		return i > s
	}
	// Leading zeros are near-JSON.
	if !digits() {
		return errSyntax
	}
	if i < len(in) && in[i] == '.' {
		i++
		if !digits() {
			return errSyntax
		}
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		if !digits() {
			return errSyntax
		}
	}
	w.pos = i
	return nil
}

// isLiteral reports whether the scalar v is a literal rather than a number:
// true, false, null, NaN or an infinity. A literal holds nothing to
// pseudonymize or mask.
func isLiteral(v []byte) bool {
	switch v[0] {
	case 't', 'f', 'n', 'N', 'I':
		return true
	case '-', '+':
		return len(v) > 1 && v[1] == 'I'
	}
	return false
}

func (w *walker) skipLiteral(lit string) error {
	if len(w.in)-w.pos < len(lit) || string(w.in[w.pos:w.pos+len(lit)]) != lit {
		return errSyntax
	}
	w.pos += len(lit)
	return nil
}

// literal walks true, false or null.
func (w *walker) literal(lit string, forced *rule) error {
	if forced != nil && w.raw == 0 {
		_, err := w.scalarRuled(forced)
		return err
	}
	start := w.pos
	if err := w.skipLiteral(lit); err != nil {
		return err
	}
	w.out = append(w.out, w.in[start:w.pos]...)
	return nil
}

// number walks a number. Without a field rule it is still scanned: card
// numbers and IMEIs are written as JSON numbers too. A number with a finding
// becomes a string.
func (w *walker) number(forced *rule) (bool, error) {
	if forced != nil && w.raw == 0 {
		return w.scalarRuled(forced)
	}
	start := w.pos
	if err := w.skipScalar(); err != nil {
		return false, err
	}
	v := w.in[start:w.pos]
	if w.raw > 0 || len(v) < 7 {
		w.out = append(w.out, v...)
		return false, nil
	}
	tmp, changed, drop, err := w.scrubText(w.tmp[:0], v, start, nil, false)
	w.tmp = tmp
	if err != nil {
		return false, err
	}
	if changed {
		w.out = appendJSONString(w.out, tmp)
	} else {
		w.out = append(w.out, v...)
	}
	return drop, nil
}
