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
}

func (r *Result) reset() {
	r.Format = ""
	r.Dropped = false
	r.Findings = r.Findings[:0]
	r.Actions = r.Actions[:0]
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
	bits4     int
	bits6     int
	values    []string // lower case; drop_record only
}

// Engine applies a compiled policy to records. It is immutable and safe for
// concurrent use.
type Engine struct {
	version  string
	policy   *Policy
	scanner  *detectors.Scanner
	keys     *Keyring
	byType   map[detectors.Type]*rule
	fields   []*rule
	patterns []pathPattern
	byLast   map[string][]int // field rules whose last key is a literal
	// lastFilter has bit (first byte of the last key) set in word
	// len(last key)&31 for every literal in byLast: most keys are rejected
	// before hashing.
	lastFilter [32][4]uint64
	wildLast   []int // field rules whose last key is a glob
	maxBytes   int
	maxDepth   int
	walkers    sync.Pool
	// accessRules are the field rules of the access-log fields, looked up
	// once.
	accessRules [len(accessNames)]*rule
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
		byLast:   map[string][]int{},
		maxBytes: p.Limits.MaxRecordBytes,
		maxDepth: p.Limits.MaxDepth,
	}
	var opts detectors.Options
	for name, d := range p.Detectors {
		t := detectors.Type(name)
		if d.Enabled != nil && !*d.Enabled {
			opts.Disabled = append(opts.Disabled, t)
			continue
		}
		r := &rule{name: name, action: d.Action, keepFirst: d.KeepFirst, keepLast: d.KeepLast, bits4: 24, bits6: 48}
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
		}
	}
	for _, c := range p.Custom {
		opts.Custom = append(opts.Custom, detectors.Custom{
			Name: detectors.Type(c.Name), Pattern: c.Pattern, IgnoreCase: c.IgnoreCase, Timeout: timeDuration(c.Timeout),
		})
		e.byType[detectors.Type(c.Name)] = &rule{name: c.Name, action: c.Action, keepFirst: c.KeepFirst, keepLast: c.KeepLast, bits4: 24, bits6: 48}
	}
	sc, err := detectors.New(opts)
	if err != nil {
		return nil, fmt.Errorf("compile policy: %w", err)
	}
	e.scanner = sc
	for i, f := range p.Fields {
		pp, err := compilePath(f.Path)
		if err != nil {
			return nil, fmt.Errorf("compile field rule %q: %w", f.Path, err)
		}
		r := &rule{name: f.name(), action: f.Action, keepFirst: f.KeepFirst, keepLast: f.KeepLast, bits4: 24, bits6: 48}
		if f.Prefix != nil {
			r.bits4, r.bits6 = *f.Prefix, *f.Prefix
		}
		for _, v := range f.Values {
			r.values = append(r.values, strings.ToLower(v))
		}
		e.fields = append(e.fields, r)
		e.patterns = append(e.patterns, pp)
		if pp.last != "" {
			e.byLast[pp.last] = append(e.byLast[pp.last], i)
			c := pp.last[0]
			e.lastFilter[len(pp.last)&31][c>>6] |= 1 << (c & 63)
		} else {
			e.wildLast = append(e.wildLast, i)
		}
	}
	for k := range accessPaths {
		e.accessRules[k] = e.fieldRule(accessPaths[k])
	}
	e.walkers.New = func() any { return &walker{e: e} }
	return e, nil
}

// name is the finding type of a field rule.
func (f *FieldRule) name() string {
	if f.Name != "" {
		return f.Name
	}
	segs := strings.Split(f.Path, ".")
	last := strings.ToLower(segs[len(segs)-1])
	if last == "" || strings.ContainsAny(last, "*?") || !validTypeName(last) {
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

// Scrub appends the scrubbed form of the record rec to dst and returns it,
// describing what it did in res. The record's format is detected: JSON
// objects and arrays keep their structure and field order and stay valid
// JSON; logfmt, access logs and text keep every byte that is not replaced.
// A record that starts like JSON but does not parse is scrubbed as text.
//
// On error the record must not be passed on: it failed closed (see
// RecordError), and dst is returned without additions. When res.Dropped is
// true a rule dropped the record, and nothing is appended either.
func (e *Engine) Scrub(dst, rec []byte, res *Result) ([]byte, error) {
	res.reset()
	if len(rec) > e.maxBytes {
		return dst, &RecordError{Reason: ReasonTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", len(rec), e.maxBytes)}
	}
	w := e.walkers.Get().(*walker)
	defer e.walkers.Put(w)
	return w.record(dst, rec, res, false)
}

// ScrubText is Scrub for a value that is known to be free text, such as a
// record key or a header value: no format is detected, but key=value pairs
// inside it still meet the field rules.
func (e *Engine) ScrubText(dst, text []byte, res *Result) ([]byte, error) {
	res.reset()
	if len(text) > e.maxBytes {
		return dst, &RecordError{Reason: ReasonTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", len(text), e.maxBytes)}
	}
	w := e.walkers.Get().(*walker)
	defer e.walkers.Put(w)
	return w.record(dst, text, res, true)
}

// fieldRule returns the first field rule matching path, or nil.
func (e *Engine) fieldRule(path [][]byte) *rule {
	if len(e.fields) == 0 || len(path) == 0 {
		return nil
	}
	best := -1
	last := path[len(path)-1]
	var low [64]byte
	if n := len(last); n > 0 && n <= len(low) && e.lastFilter[n&31][lower(last[0])>>6]&(1<<(lower(last[0])&63)) != 0 {
		for i, c := range last {
			low[i] = lower(c)
		}
		for _, i := range e.byLast[string(low[:len(last)])] {
			if e.patterns[i].match(path) {
				best = i
				break
			}
		}
	}
	for _, i := range e.wildLast {
		if best >= 0 && i > best {
			break
		}
		if e.patterns[i].match(path) {
			best = i
			break
		}
	}
	if best < 0 {
		return nil
	}
	return e.fields[best]
}
