// Package discover tells what personal data a stream holds: which fields
// (JSON paths, logfmt keys, access-log fields, free text) hold which types
// of finding, how often, with a masked example of each. It counts what the
// policy's engine finds while scrubbing (see rules.Result.Locate), so that
// discovery sees exactly what scrubbing would act on, and writes the counts
// as a table, a JSON document (docs/discover.md) or an HTML report.
package discover

import (
	"bytes"

	"github.com/scrubd/scrubd/rules"
)

// MaxFields bounds the distinct fields a Tally keeps apart: records keyed
// by identifiers (an object per user id) would otherwise make a field of
// each. Findings in further fields are counted under OtherFields.
const MaxFields = 1000

// OtherFields is the path under which findings beyond MaxFields are counted.
const OtherFields = "(other fields)"

// NoField is the path of findings that are in no field: in free text, or in
// the words of a logfmt record that are not a key's value.
const NoField = "(text)"

// maxPaths bounds the cache of sanitized paths.
const maxPaths = 4096

// maxPathLen is the longest path kept; longer ones are cut.
const maxPathLen = 120

// A Tally counts the findings of scrubbed records by field and type. It is
// not safe for concurrent use: give each goroutine its own and Merge them.
// Its zero value is not usable; see New.
type Tally struct {
	e            *rules.Engine
	records      int64
	dropped      int64
	withFindings int64
	formats      map[rules.Format]int64
	failed       map[rules.Reason]int64
	fields       map[string]*fieldCount // by place, 0, path
	totals       map[string]*typeCount
	truncated    bool
	seq          int64 // records added, to count each record once per field and type
	had          bool  // the record added last had a finding
	drop         bool  // the record added last was dropped

	paths map[string]string // raw JSON path -> sanitized path
	keys  map[string]string // raw key (logfmt, access-log field) -> sanitized key
	key   []byte
	pairs []pair
	res   rules.Result // scratch, for sanitizing paths
	buf   []byte
	part  []byte // a header's name and value
}

// A fieldCount counts the findings of one field.
type fieldCount struct {
	place, path string
	records     int64
	last        int64 // seq of the last record counted
	types       map[string]*typeCount
}

// A typeCount counts the findings of one type (in one field, or in all).
type typeCount struct {
	count, records int64
	last           int64
	example        string // masked
	exampleRec     int64  // the number of the record the example is from
	action         rules.Action
}

// New returns an empty Tally for records scrubbed by e. e also sanitizes
// the field paths shown: a JSON key can itself be personal data.
func New(e *rules.Engine) *Tally {
	return &Tally{
		e:       e,
		formats: map[rules.Format]int64{},
		failed:  map[rules.Reason]int64{},
		fields:  map[string]*fieldCount{},
		totals:  map[string]*typeCount{},
		paths:   map[string]string{},
		keys:    map[string]string{},
	}
}

// Records returns the number of records added, failed ones included.
func (t *Tally) Records() int64 { return t.records }

// Fail counts a record that failed closed, for the reason of err.
func (t *Tally) Fail(err error) {
	t.records++
	t.seq++
	t.failed[rules.ReasonOf(err)]++
}

// Record counts the record rec, number n in its input, that the engine
// scrubbed into res with the error err: Fail when err is not nil, Add
// otherwise.
func (t *Tally) Record(n int64, rec []byte, res *rules.Result, err error) {
	if err != nil {
		t.Fail(err)
		return
	}
	t.Add(n, rec, res)
}

// Add counts the findings of the record rec, number n in its input (which
// picks the examples: the earliest record's), that the engine scrubbed into
// res with res.Locate set. Without locations every finding counts as free
// text.
func (t *Tally) Add(n int64, rec []byte, res *rules.Result) {
	t.records++
	t.seq++
	t.formats[res.Format]++
	t.drop = res.Dropped
	if t.drop {
		t.dropped++
	}
	t.had = len(res.Findings) > 0
	if t.had {
		t.withFindings++
	}
	t.pairs = t.pairs[:0]
	parsed := false
	for i, f := range res.Findings {
		place, path, ok := res.Location(i)
		if !ok {
			place, path = rules.PlaceText, nil
		}
		var pl, p string
		switch {
		case place == rules.PlaceJSON:
			pl, p = "json", t.safePath(path, true)
			if p == "" {
				p = "(root)"
			}
		case place == rules.PlaceAccess:
			pl, p = "access", t.safePath(path, false)
		case res.Format == rules.FormatAccess:
			pl, p = "access", NoField
		default:
			// logfmt, or text that may hold key=value pairs.
			pl, p = "text", NoField
			if res.Format == rules.FormatLogfmt {
				pl = "logfmt"
			}
			if !parsed {
				t.pairs, parsed = logfmtPairs(t.pairs, rec), true
			}
			if k := keyAt(t.pairs, f.Start); k >= 0 && keyLike(rec[t.pairs[k].ks:t.pairs[k].ke]) {
				p = t.safePath(rec[t.pairs[k].ks:t.pairs[k].ke], false)
			}
		}
		var a rules.Action
		if i < len(res.Actions) {
			a = res.Actions[i]
		}
		v := rec[min(max(f.Start, 0), len(rec)):min(max(f.End, f.Start, 0), len(rec))]
		fc := t.field(pl, p)
		if fc.last != t.seq {
			fc.last = t.seq
			fc.records++
		}
		t.count(fc.types, string(f.Type), n, v, a)
		t.count(t.totals, string(f.Type), n, nil, a)
	}
}

// The places of the parts of a Kafka record other than its value.
const (
	PlaceKey    = "key"    // the record key; its path is KeyPath
	PlaceHeader = "header" // a header; its path is the header's name
)

// KeyPath is the path of findings in a record key.
const KeyPath = "(key)"

// AddKey counts the findings of the key of the record added last, scrubbed
// by ScrubKey into res.
func (t *Tally) AddKey(n int64, key []byte, res *rules.Result) {
	t.addPart(n, PlaceKey, KeyPath, key, res)
}

// AddHeader counts the findings of a header of the record added last,
// scrubbed by ScrubHeader into res. Their offsets are into the name
// followed by the value.
func (t *Tally) AddHeader(n int64, h rules.Header, res *rules.Result) {
	if len(res.Findings) == 0 {
		return
	}
	path := t.safePath(h.Name, false)
	t.part = append(append(t.part[:0], h.Name...), h.Value...)
	t.addPart(n, PlaceHeader, path, t.part, res)
}

// addPart counts the findings of a part of the record added last (number
// n), at the place and path given; in is what their offsets are into.
func (t *Tally) addPart(n int64, place, path string, in []byte, res *rules.Result) {
	if len(res.Findings) == 0 {
		return
	}
	if !t.had {
		t.had = true
		t.withFindings++
	}
	if res.Dropped && !t.drop {
		t.drop = true
		t.dropped++
	}
	fc := t.field(place, path)
	if fc.last != t.seq {
		fc.last = t.seq
		fc.records++
	}
	for i, f := range res.Findings {
		var a rules.Action
		if i < len(res.Actions) {
			a = res.Actions[i]
		}
		v := in[min(max(f.Start, 0), len(in)):min(max(f.End, f.Start, 0), len(in))]
		t.count(fc.types, string(f.Type), n, v, a)
		t.count(t.totals, string(f.Type), n, nil, a)
	}
}

// field returns the count of a field, made on first use.
func (t *Tally) field(place, path string) *fieldCount {
	t.key = append(append(append(t.key[:0], place...), 0), path...)
	if fc := t.fields[string(t.key)]; fc != nil {
		return fc
	}
	if len(t.fields) >= MaxFields {
		t.truncated = true
		path = OtherFields
		t.key = append(append(append(t.key[:0], place...), 0), path...)
		if fc := t.fields[string(t.key)]; fc != nil {
			return fc
		}
	}
	fc := &fieldCount{place: place, path: path, types: map[string]*typeCount{}}
	t.fields[string(t.key)] = fc
	return fc
}

// count counts one finding of type typ in m; v is the value, masked for an
// example when it is the earliest seen (nil: no example wanted).
func (t *Tally) count(m map[string]*typeCount, typ string, n int64, v []byte, a rules.Action) {
	tc := m[typ]
	if tc == nil {
		tc = &typeCount{exampleRec: -1}
		m[typ] = tc
	}
	tc.count++
	if tc.last != t.seq {
		tc.last = t.seq
		tc.records++
	}
	if v != nil && (tc.exampleRec < 0 || n < tc.exampleRec) {
		tc.example, tc.exampleRec, tc.action = MaskFor(v, a), n, a
	}
	if tc.action == "" {
		tc.action = a
	}
}

// safePath returns the path raw as it may be shown (see sanitize), from
// a cache: records of a stream repeat their paths. A JSON path (json set)
// is keys joined with '.', escaped (see rules.Result.Location); any other
// path is one key.
func (t *Tally) safePath(raw []byte, json bool) string {
	cache := t.keys
	if json {
		cache = t.paths
	}
	if s, ok := cache[string(raw)]; ok {
		return s
	}
	s := t.sanitize(raw, json)
	if len(cache) < maxPaths {
		cache[string(raw)] = s
	}
	return s
}

// sanitize returns a path with each key that holds a finding (an object
// keyed by e-mail address) shown as the finding's type in brackets, and
// each key of digits alone (an index, an id) as '*', cut to 120 bytes. A
// key is scanned whole, so that no part of a value in it shows.
func (t *Tally) sanitize(raw []byte, json bool) string {
	var out []byte
	keys := [][]byte{raw}
	if json {
		keys = splitPath(raw)
	}
	for i, k := range keys {
		if i > 0 {
			out = append(out, '.')
		}
		out = t.safeKey(out, k, json)
	}
	if len(out) > maxPathLen {
		out = append(bytes.ToValidUTF8(out[:maxPathLen], nil), "…"...)
	}
	return string(bytes.ToValidUTF8(out, []byte("?")))
}

// safeKey appends the key k as it may be shown; escape says to escape its
// dots and backslashes again.
func (t *Tally) safeKey(dst, k []byte, escape bool) []byte {
	if len(k) > 0 && allDigits(k) {
		return append(dst, '*')
	}
	if _, err := t.e.ScrubText(t.buf[:0], k, &t.res); err != nil {
		return append(dst, "[unscanned]"...) // a key the engine cannot scan is not shown
	}
	if len(t.res.Findings) > 0 {
		return append(append(append(dst, '['), t.res.Findings[0].Type...), ']')
	}
	for _, c := range k {
		if escape && (c == '.' || c == '\\') {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return dst
}

// splitPath splits a JSON path into its keys, unescaped.
func splitPath(p []byte) [][]byte {
	var keys [][]byte
	var k []byte
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			k = append(k, p[i])
		case c == '.':
			keys = append(keys, k)
			k = nil
		default:
			k = append(k, c)
		}
	}
	return append(keys, k)
}

// maxKeyLen is the longest word taken for a key in text.
const maxKeyLen = 64

// keyLike reports whether a word before a '=' in text reads as a key:
// a letter or '_', then letters, digits, '_', '-' and '.', as logfmt
// writes them. Anything else
// ("https://host/?q", "-Dopt") is text, so that the words of free text do
// not each make a field.
func keyLike(k []byte) bool {
	if len(k) == 0 || len(k) > maxKeyLen || !('a' <= k[0]|0x20 && k[0]|0x20 <= 'z' || k[0] == '_') {
		return false
	}
	for _, c := range k {
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Merge adds the counts of o to t. Examples are kept from the earliest
// record.
func (t *Tally) Merge(o *Tally) {
	t.records += o.records
	t.dropped += o.dropped
	t.withFindings += o.withFindings
	t.truncated = t.truncated || o.truncated
	for k, v := range o.formats {
		t.formats[k] += v
	}
	for k, v := range o.failed {
		t.failed[k] += v
	}
	for _, ofc := range o.fields {
		fc := t.field(ofc.place, ofc.path)
		fc.records += ofc.records
		mergeTypes(fc.types, ofc.types)
	}
	mergeTypes(t.totals, o.totals)
}

func mergeTypes(dst, src map[string]*typeCount) {
	for typ, s := range src {
		d := dst[typ]
		if d == nil {
			d = &typeCount{exampleRec: -1}
			dst[typ] = d
		}
		d.count += s.count
		d.records += s.records
		if s.exampleRec >= 0 && (d.exampleRec < 0 || s.exampleRec < d.exampleRec) {
			d.example, d.exampleRec, d.action = s.example, s.exampleRec, s.action
		}
		if d.action == "" {
			d.action = s.action
		}
	}
}
