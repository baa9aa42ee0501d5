package rules

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/scrubd/scrubd/detectors"
)

// Format is the shape of a record, detected per record.
type Format string

// The record formats.
const (
	FormatJSON   Format = "json"   // a JSON object or array
	FormatLogfmt Format = "logfmt" // key=value pairs
	FormatAccess Format = "access" // Apache or Nginx common/combined access log
	FormatText   Format = "text"   // anything else, scanned as free text
)

// Reason classifies why a record failed closed.
type Reason string

// The reasons a record fails closed.
const (
	ReasonTooLarge        Reason = "too_large"
	ReasonTooDeep         Reason = "too_deep"
	ReasonDetectorTimeout Reason = "detector_timeout"
	ReasonDetectorError   Reason = "detector_error"
	// ReasonInvalidJSON: the record opens like JSON but cannot be walked,
	// not even as near-JSON (see Engine.Scrub).
	ReasonInvalidJSON Reason = "invalid_json"
	// ReasonUnsupportedEncoding: the record is an opaque payload:
	// compressed, Confluent-framed (Avro, Protobuf) or binary.
	ReasonUnsupportedEncoding Reason = "unsupported_encoding"
)

// The values of Policy.OnInvalidJSON.
const (
	InvalidJSONFail = "fail" // fail closed with ReasonInvalidJSON (the default)
	InvalidJSONText = "text" // scan as free text
)

// A RecordError reports that a record could not be scrubbed and must not be
// passed on. Its message never contains record content.
type RecordError struct {
	Reason Reason
	// Detail is a fixed description with sizes or limits, never values.
	Detail string
	Err    error
}

func (e *RecordError) Error() string {
	msg := "record failed closed: " + string(e.Reason)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *RecordError) Unwrap() error { return e.Err }

// ReasonOf returns the reason of a RecordError in err's chain, or "error".
func ReasonOf(err error) Reason {
	var re *RecordError
	if errors.As(err, &re) {
		return re.Reason
	}
	return "error"
}

// Result describes what scrubbing did to one record. Reuse one Result per
// goroutine to avoid allocations.
type Result struct {
	// Format is the detected format.
	Format Format
	// Dropped is true when a drop_record rule matched; the output is then
	// empty and must not be passed on.
	Dropped bool
	// Findings are the values found, with byte offsets into the input
	// record, in order. Field rules report their name as the type.
	Findings []detectors.Finding
	// Actions[i] is the action applied to Findings[i].
	Actions []Action
	// Minor is true when the record is a minor's (see Policy.Minors).
	Minor bool
	// Subjects are the data subjects the record is about: the pseudonyms,
	// under the active key, of its identifiers of the policy's subject
	// types, whatever action was applied to them. See Subject.
	Subjects []Subject
	// Locate, set by the caller before scrubbing, makes the scrub record
	// where each finding is (see Location). It is kept across scrubs; when
	// unset, finding costs nothing more.
	Locate bool

	locs   []location
	fields [numExtract][2]int // extracted values: spans of arena
	has    [numExtract]bool
	arena  []byte // extracted values and subject pseudonyms
}

// A Subject is one identifier of a data subject found in a record.
type Subject struct {
	Type   string // the pseudonym type: account_id, email, phone, device_id, ...
	s, e   int    // the pseudonym, in the result's arena
	vs, ve int    // the normalized original value, in the arena; empty when the value was a pseudonym already
}

// Pseudonym returns the subject's pseudonym under the active key. It is
// valid until the Result is reused.
func (r *Result) Pseudonym(s Subject) []byte { return r.arena[s.s:s.e] }

// SubjectValue returns the subject's original identifier, normalized as it
// was for its pseudonym (e-mail addresses lower-cased, phone numbers as '+'
// and digits), or nil when the record held only the pseudonym. It is raw
// personal data: it may only be written encrypted (the identity vault). It
// is valid until the Result is reused.
func (r *Result) SubjectValue(s Subject) []byte {
	if s.ve == s.vs {
		return nil
	}
	return r.arena[s.vs:s.ve]
}

func (r *Result) reset() {
	r.Format = ""
	r.Dropped = false
	r.Minor = false
	r.Findings = r.Findings[:0]
	r.Actions = r.Actions[:0]
	r.Subjects = r.Subjects[:0]
	r.locs = r.locs[:0]
	r.has = [numExtract]bool{}
	r.arena = r.arena[:0]
}

// Count returns the number of findings of type t.
func (r *Result) Count(t detectors.Type) int {
	n := 0
	for _, f := range r.Findings {
		if f.Type == t {
			n++
		}
	}
	return n
}

// rule is a compiled action with its settings, for a detector type or a
// field rule.
type rule struct {
	name      string // finding type
	action    Action
	keepFirst int
	keepLast  int
	decimals  int // coarsen only
	bits4     int
	bits6     int
	values    []string // lower case; drop_record only
	// shape restricts a field rule to values of a shape (see FieldRule).
	shape shape
	// extent says where an unquoted value of this type ends in free text.
	extent extent
	// subject is whether values of this type name a data subject (the
	// policy's subjects list).
	subject bool
}

// Engine applies a compiled policy to records. It is immutable and safe for
// concurrent use.
type Engine struct {
	version string
	policy  *Policy
	scanner *detectors.Scanner
	keys    *Keyring
	// byType holds the rules of detector types: built-in, custom, and the
	// names of field rules (the first rule of a name without a shape), for
	// findings a detector types by such a name (a URL's user name is an
	// account_id).
	byType map[detectors.Type]*rule
	// builtin holds byType's rules of the built-in detector types, in the
	// order of detectors.Builtin, so that the rule of a finding is found
	// without hashing its type.
	builtin  [len(detectors.Builtin)]*rule
	fields   []*rule
	fieldIdx pathIndex // the paths of fields, in order
	// fieldTail filters the keys of text pairs for fieldIdx, and anyTail
	// for fieldIdx and the extracts (see tailFilter).
	fieldTail, anyTail tailFilter
	maxBytes           int
	maxDepth           int
	// invalidJSONText scans records that open like JSON but cannot be
	// walked as text instead of failing them closed.
	invalidJSONText bool
	walkers         sync.Pool
	// accessRules are the field rules of the access-log fields, looked up
	// once, and accessExtract what they are extracted as.
	accessRules   [len(accessNames)]*rule
	accessExtract [len(accessNames)]Extract

	extract   extractIndex
	subjects  map[string]bool
	belowAge  int
	countries map[string]string
	profiles  map[string]*Engine
	env       envelope // the key rule and header rules
	// placeholders holds the type names this engine redacts to ("[name]"):
	// built-in detector types, custom detectors, field rules and the key
	// rule. See isPlaceholder.
	placeholders map[string]struct{}
}

// Compile validates p and builds an Engine that pseudonymizes with keys.
func Compile(p *Policy, keys *Keyring) (*Engine, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if keys == nil {
		return nil, errors.New("compile policy: no keyring")
	}
	e := &Engine{
		version:  p.Version(),
		policy:   p,
		keys:     keys,
		byType:   map[detectors.Type]*rule{},
		maxBytes: p.Limits.MaxRecordBytes,
		maxDepth: p.Limits.MaxDepth,

		invalidJSONText: p.OnInvalidJSON == InvalidJSONText,
	}
	var opts detectors.Options
	for name, d := range p.Detectors {
		if d == nil {
			continue // Parse gave built-in detectors their defaults; Validate refused the rest
		}
		t := detectors.Type(name)
		if d.Enabled != nil && !*d.Enabled {
			opts.Disabled = append(opts.Disabled, t)
			continue
		}
		r := &rule{name: name, action: d.Action, keepFirst: d.KeepFirst, keepLast: d.KeepLast, decimals: decimalsOr(d.Decimals), bits4: 24, bits6: 48}
		if d.Prefix != nil {
			r.bits4, r.bits6 = *d.Prefix, *d.Prefix
		}
		// One prefix setting per address family.
		if ip4, ok := p.Detectors["ipv4"]; ok && ip4.Prefix != nil {
			r.bits4 = *ip4.Prefix
		}
		if ip6, ok := p.Detectors["ipv6"]; ok && ip6.Prefix != nil {
			r.bits6 = *ip6.Prefix
		}
		e.byType[t] = r
		if t == detectors.Phone {
			opts.PhoneRegions = d.Regions
			opts.PhoneCueRegions = d.CueRegions
		}
		if err := nameOptions(&opts.Names, p, t, d); err != nil {
			return nil, err
		}
	}
	for _, c := range p.Custom {
		if c == nil {
			continue // refused by Validate
		}
		opts.Custom = append(opts.Custom, detectors.Custom{
			Name: detectors.Type(c.Name), Pattern: c.Pattern, IgnoreCase: c.IgnoreCase, Timeout: timeDuration(c.Timeout),
		})
		e.byType[detectors.Type(c.Name)] = &rule{name: c.Name, action: c.Action, keepFirst: c.KeepFirst, keepLast: c.KeepLast, decimals: decimalsOr(c.Decimals), bits4: 24, bits6: 48}
	}
	sc, err := detectors.New(opts)
	if err != nil {
		return nil, fmt.Errorf("compile policy: %w", err)
	}
	e.scanner = sc
	for _, f := range p.Fields {
		if f == nil {
			continue // refused by Validate
		}
		pp, err := compilePath(f.Path)
		if err != nil {
			return nil, fmt.Errorf("compile field rule %q: %w", f.Path, err)
		}
		r := &rule{name: f.name(), action: f.Action, keepFirst: f.KeepFirst, keepLast: f.KeepLast, decimals: decimalsOr(f.Decimals), bits4: 24, bits6: 48}
		if f.Prefix != nil {
			r.bits4, r.bits6 = *f.Prefix, *f.Prefix
		}
		for _, v := range f.Values {
			r.values = append(r.values, strings.ToLower(v))
		}
		r.shape, _ = shapeByName(f.Shape)
		r.extent = extentOf(r.name)
		if t := detectors.Type(r.name); f.Shape == "" && !detectors.IsBuiltin(t) && e.byType[t] == nil {
			e.byType[t] = r
		}
		e.fields = append(e.fields, r)
		e.fieldIdx.add(pp)
		e.fieldTail.add(pp)
	}
	if err := e.compileEnvelope(p); err != nil {
		return nil, fmt.Errorf("compile policy: %w", err)
	}
	e.collectPlaceholders()
	if e.extract, err = compileExtract(p.Extract); err != nil {
		return nil, fmt.Errorf("compile policy: %w", err)
	}
	e.anyTail = e.fieldTail
	for _, pp := range e.extract.idx.patterns {
		e.anyTail.add(pp)
	}
	for k := range accessPaths {
		e.accessRules[k] = e.fieldRule(accessPaths[k])
		e.accessExtract[k] = e.extract.of(accessPaths[k])
	}
	e.subjects = map[string]bool{}
	for _, t := range p.Subjects {
		e.subjects[t] = true
	}
	for _, r := range e.byType {
		r.subject = e.subjects[r.name]
	}
	for _, r := range e.fields {
		r.subject = e.subjects[r.name]
	}
	e.env.key.subject = e.subjects[e.env.key.name]
	for k := range e.builtin {
		e.builtin[k] = e.byType[detectors.Builtin[k]]
	}
	if p.Minors.BelowAge != nil {
		e.belowAge = *p.Minors.BelowAge
	}
	e.countries = countryTable(p.Jurisdictions.Countries)
	if len(p.Jurisdictions.Profiles) > 0 {
		e.profiles = map[string]*Engine{}
		for j, prof := range p.Jurisdictions.Profiles {
			sub, err := Compile(profilePolicy(p, prof), keys)
			if err != nil {
				return nil, fmt.Errorf("compile profile %s: %w", j, err)
			}
			e.profiles[j] = sub
		}
	}
	e.walkers.New = func() any { return &walker{e: e} }
	return e, nil
}

// typeRule returns the rule of findings of type t, or nil when the policy
// has none. A type that is no detector's but a field rule's name (the
// account_id of a URL's user name) takes that field rule's action.
func (e *Engine) typeRule(t detectors.Type) *rule {
	if k := detectors.BuiltinIndex(t); k >= 0 {
		return e.builtin[k]
	}
	return e.byType[t]
}

// decimalsOr is a rule's decimals setting, or the default when it has none.
func decimalsOr(d *int) int {
	if d == nil {
		return defaultDecimals
	}
	return *d
}

// name is the finding type of a field rule.
func (f *FieldRule) name() string {
	if f.Name != "" {
		return f.Name
	}
	segs := strings.Split(f.Path, ".")
	last := strings.ToLower(segs[len(segs)-1])
	if last == "" || strings.ContainsAny(last, "*?") || !ValidTypeName(last) {
		return "field"
	}
	return last
}

// Version is the compiled policy's version (name and hash).
func (e *Engine) Version() string { return e.version }

// Policy returns the policy the engine was compiled from.
func (e *Engine) Policy() *Policy { return e.policy }

// Keyring returns the keyring the engine pseudonymizes with.
func (e *Engine) Keyring() *Keyring { return e.keys }

// MaxRecordBytes is the largest record the engine scrubs.
func (e *Engine) MaxRecordBytes() int { return e.maxBytes }

// TooLargeError is the error Scrub returns for a record of n bytes, more
// than MaxRecordBytes; a caller that skips such a record unread reports it
// with the same error.
func (e *Engine) TooLargeError(n int) error {
	return &RecordError{Reason: ReasonTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", n, e.maxBytes)}
}

// Scrub appends the scrubbed form of the record rec to dst and returns it,
// describing what it did in res. The record's format is detected: JSON
// objects and arrays keep their structure and field order and stay valid
// JSON; logfmt, access logs and text keep every byte that is not replaced.
//
// Near-JSON is walked like JSON (see walkJSON): trailing commas, numbers
// with leading zeros or a plus sign, NaN and Infinity, raw control
// characters and unknown escapes in strings, a byte order mark, and several
// documents in one record (concatenated, or NDJSON lines in one Kafka
// value); it is written back byte for byte except for the values replaced.
// A record that opens like JSON (see opensLikeJSON) but cannot be walked
// fails closed with ReasonInvalidJSON, or is scanned as text when the
// policy says on_invalid_json: text. An opaque payload (compressed,
// Confluent-framed or binary; see sniffOpaque) fails closed with
// ReasonUnsupportedEncoding.
//
// On error the record must not be passed on: it failed closed (see
// RecordError), and dst is returned without additions. When res.Dropped is
// true a rule dropped the record, and nothing is appended either.
func (e *Engine) Scrub(dst, rec []byte, res *Result) ([]byte, error) {
	return e.ScrubWith(dst, rec, res, Options{})
}

// Geo is what a record's client address says about where it comes from.
type Geo struct {
	Country      string // ISO 3166-1 alpha-2
	Jurisdiction string
}

// Options adjust one Scrub call.
type Options struct {
	// Geo, when set, is added to a JSON object record as its last member,
	// "geo":{"country":...,"jurisdiction":...}, replacing a top-level geo
	// member the record has (which may hold a city or coordinates).
	Geo *Geo
}

// ScrubWith is Scrub with options.
func (e *Engine) ScrubWith(dst, rec []byte, res *Result, opt Options) ([]byte, error) {
	w := e.walkers.Get().(*walker)
	defer e.walkers.Put(w)
	return w.scrub(dst, rec, res, opt)
}

// A Session scrubs records with the engine one at a time, with buffers of
// its own: a loop that scrubs many records on one goroutine saves the trip
// to the engine's pool of buffers that each Engine.Scrub call makes. Its
// results are those of Engine.Scrub. A Session is not safe for concurrent
// use; make one per goroutine.
type Session struct {
	w *walker
}

// NewSession returns a Session of e.
func (e *Engine) NewSession() *Session {
	return &Session{w: &walker{e: e}}
}

// Scrub is Engine.Scrub.
func (s *Session) Scrub(dst, rec []byte, res *Result) ([]byte, error) {
	return s.w.scrub(dst, rec, res, Options{})
}

// ScrubWith is Engine.ScrubWith.
func (s *Session) ScrubWith(dst, rec []byte, res *Result, opt Options) ([]byte, error) {
	return s.w.scrub(dst, rec, res, opt)
}

// Extract reads the policy's extract fields of rec into res (see
// Result.Extracted and Result.ClientIP) without scrubbing it, so that the
// client's jurisdiction can be known before the record is scrubbed with
// that jurisdiction's profile.
func (e *Engine) Extract(rec []byte, res *Result) error {
	res.reset()
	if len(rec) > e.maxBytes {
		return e.TooLargeError(len(rec))
	}
	w := e.walkers.Get().(*walker)
	defer e.walkers.Put(w)
	w.scratch, _ = w.record(w.scratch[:0], rec, res, walkExtract, nil)
	return nil
}

// ScrubText is Scrub for a value that is known to be free text, such as a
// URL path: no format is detected and nothing is extracted, but key=value
// pairs inside it still meet the field rules. Record keys and headers have
// rules of their own: see ScrubKey and ScrubHeader.
func (e *Engine) ScrubText(dst, text []byte, res *Result) ([]byte, error) {
	res.reset()
	if len(text) > e.maxBytes {
		return dst, e.TooLargeError(len(text))
	}
	w := e.walkers.Get().(*walker)
	defer e.walkers.Put(w)
	return w.record(dst, text, res, walkText, nil)
}

// fieldRule returns the first field rule matching path, or nil.
func (e *Engine) fieldRule(path [][]byte) *rule {
	if i := e.fieldIdx.first(path); i >= 0 {
		return e.fields[i]
	}
	return nil
}

// collectPlaceholders fills e.placeholders with every type name the engine
// can redact to: the built-in detector types, the custom detectors and
// field rules (byType, fields) and the key rule.
func (e *Engine) collectPlaceholders() {
	e.placeholders = make(map[string]struct{}, len(detectors.Builtin)+len(e.byType)+len(e.fields)+1)
	for _, t := range detectors.Builtin {
		e.placeholders[string(t)] = struct{}{}
	}
	for t := range e.byType {
		e.placeholders[string(t)] = struct{}{}
	}
	for _, r := range e.fields {
		e.placeholders[r.name] = struct{}{}
	}
	if e.env.key != nil {
		e.placeholders[e.env.key.name] = struct{}{}
	}
}
