package rules

import (
	"bytes"
	"fmt"
	"strings"
)

// This file holds what the policy does to the envelope of a record: its
// key and its headers (Kafka's, but nothing here knows Kafka). The value is
// Scrub's business.

// KeyRule is the policy's rule for record keys: the whole key is one value
// of type Name, and Action applies to it, as a field rule's does to a
// field's value. Producers key records by user id, so the default
// pseudonymizes the key as an account_id: a key that is a user id gets the
// pseudonym of that user's uid field, records of one subject keep one key
// (so ordering and partitioning per subject hold), and privacy requests on
// account_id match the key.
type KeyRule struct {
	// Action is what happens to the key. keep keeps the key but scans it as
	// free text, like a field without a rule (unlike a field rule's keep,
	// which does not scan); drop_field produces the record without a key;
	// drop_record drops the record when the key is one of Values (any key
	// when Values is empty), and leaves other keys as they are. Default
	// pseudonymize.
	Action Action `yaml:"action"`
	// Name is the type reported for the key and used in its pseudonyms.
	// Default account_id.
	Name string `yaml:"name"`
	// KeepFirst and KeepLast are the characters the mask action leaves.
	KeepFirst int `yaml:"keep_first"`
	KeepLast  int `yaml:"keep_last"`
	// Prefix is the number of bits truncate_ip keeps (default 24 for IPv4,
	// 48 for IPv6).
	Prefix *int `yaml:"prefix"`
	// Decimals is the number of fraction digits the coarsen action keeps
	// (default 2).
	Decimals *int `yaml:"decimals"`
	// Values restricts a drop_record rule to these keys (compared as text,
	// without regard to case).
	Values []string `yaml:"values"`

	line int
}

// The default key rule.
const (
	defaultKeyAction = Pseudonymize
	defaultKeyName   = "account_id"
)

// HeaderRules say which record headers are scrubbed. A header is a field
// named by its header name: its value meets the field rule of that name (a
// one-key path, so "**.user_id" and "user_id" match a user_id header; names
// are matched without regard to case; a name with the "X-" prefix of custom
// headers that no rule names meets the rule of the name without it, so
// "X-Uid" meets uid's), or is scanned as free text when no rule names it.
// Header names are scanned as free text too.
type HeaderRules struct {
	// Keep lists header names copied as they are, name and value,
	// unscanned: an allow-list of headers known to hold nothing personal
	// (trace ids, content types). Entries are matched like a field rule's
	// key, without regard to case, and may hold globs ("x-b3-*"); they
	// cannot hold '.'.
	Keep []string `yaml:"keep"`
	// Others is what happens to the headers Keep does not list: "scrub"
	// (the default) scrubs them as above, "drop" leaves them out.
	Others string `yaml:"others"`

	line int
}

// The values of HeaderRules.Others.
const (
	HeadersScrub = "scrub"
	HeadersDrop  = "drop"
)

func (r *KeyRule) UnmarshalYAML(n *yamlNode) error {
	type plain KeyRule
	r.line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *HeaderRules) UnmarshalYAML(n *yamlNode) error {
	type plain HeaderRules
	r.line = n.Line
	return decodeStrict(n, (*plain)(r))
}

// withDefaults returns the key rule with the built-in defaults in place of
// what it leaves out; a nil rule is the default rule. (Parse fills a
// policy's key rule from default.yaml, which says the same.)
func (r *KeyRule) withDefaults() KeyRule {
	var k KeyRule
	if r != nil {
		k = *r
	}
	if k.Action == "" {
		k.Action = defaultKeyAction
	}
	if k.Name == "" {
		k.Name = defaultKeyName
	}
	return k
}

// validateEnvelope checks the key rule and the header rules.
func (p *Policy) validateEnvelope(add func(int, string, string, ...any)) {
	k := p.Key.withDefaults()
	if !ValidTypeName(k.Name) {
		add(k.line, "key.name", "%q must be a lower-case letter followed by lower-case letters, digits or _", k.Name)
	}
	checkAction(add, k.line, "key", k.Action, true, k.KeepFirst, k.KeepLast, k.Decimals)
	if len(k.Values) > 0 && k.Action != DropRecord {
		add(k.line, "key.values", "only drop_record takes values")
	}
	if k.Prefix != nil && (k.Action != TruncateIP || *k.Prefix < 0 || *k.Prefix > 128) {
		add(k.line, "key.prefix", "needs action truncate_ip and a value between 0 and 128")
	}
	h := p.Headers
	switch h.Others {
	case "", HeadersScrub, HeadersDrop:
	default:
		add(h.line, "headers.others", "%q is neither %s nor %s", h.Others, HeadersScrub, HeadersDrop)
	}
	for i, name := range h.Keep {
		path := fmt.Sprintf("headers.keep[%d]", i)
		if strings.Contains(name, ".") {
			add(h.line, path, "%q: a header name listed here cannot hold '.'", name)
		} else if _, err := compilePath(name); err != nil {
			add(h.line, path, "%v", err)
		}
	}
}

// envelope is the compiled key rule and header rules of an engine.
type envelope struct {
	key         *rule
	keepHeaders pathIndex // the headers copied unscanned
	dropOthers  bool      // headers not kept are left out
}

// compileEnvelope compiles the policy's key rule and header rules.
func (e *Engine) compileEnvelope(p *Policy) error {
	k := p.Key.withDefaults()
	r := &rule{name: k.Name, action: k.Action, keepFirst: k.KeepFirst, keepLast: k.KeepLast, decimals: decimalsOr(k.Decimals), bits4: 24, bits6: 48}
	if k.Prefix != nil {
		r.bits4, r.bits6 = *k.Prefix, *k.Prefix
	}
	for _, v := range k.Values {
		r.values = append(r.values, strings.ToLower(v))
	}
	e.env.key = r
	for _, name := range p.Headers.Keep {
		pp, err := compilePath(name)
		if err != nil {
			return fmt.Errorf("compile headers.keep %q: %w", name, err)
		}
		e.env.keepHeaders.add(pp)
	}
	e.env.dropOthers = p.Headers.Others == HeadersDrop
	return nil
}

// ScrubKey appends to dst the scrubbed form of a record key under the
// policy's key rule (see KeyRule) and returns it, describing what it did in
// res: the key's findings (with offsets into the key) and subjects. When
// nothing is appended the record is to be produced without a key: the key
// was empty, or the rule's action is drop_field. When res.Dropped is true
// the record must be dropped. On error (a key larger than max_record_bytes,
// a detector that failed while a keep rule scanned it) the record must not
// be passed on: it failed closed.
func (e *Engine) ScrubKey(dst, key []byte, res *Result) ([]byte, error) {
	res.reset()
	if len(key) == 0 {
		return dst, nil
	}
	if len(key) > e.maxBytes {
		return dst, e.TooLargeError(len(key))
	}
	w := e.walkers.Get().(*walker)
	defer e.walkers.Put(w)
	w.beginEnvelope(res)
	defer w.endEnvelope()
	r := e.env.key
	var out []byte
	var drop bool
	if r.action == Keep {
		var err error
		if out, _, drop, err = w.scrubText(dst, key, 0, nil, true); err != nil {
			return dst, err
		}
	} else {
		out, drop = w.ruledValue(dst, key, r, 0)
	}
	if w.dropRecord {
		res.Dropped = true
		return dst, nil
	}
	if drop {
		return dst, nil
	}
	return out, nil
}

// A Header is one record header.
type Header struct {
	Name, Value []byte
}

// ScrubHeader scrubs one record header under the policy's header rules
// (see HeaderRules) and returns the header to produce, or ok false when it
// is to be left out: the policy drops headers it does not keep, the field
// rule of its name has the drop_field action, or a detector with that
// action found something in its value. A header the policy keeps is
// returned as it is. The header returned shares h's bytes where scrubbing
// changed nothing. res describes
// what was done: findings have offsets into the name followed by the value
// (a finding in the value at [s, e) is at [len(name)+s, len(name)+e)), and
// the subjects of both. When res.Dropped is true the record must be
// dropped. On error (a header larger than max_record_bytes, a detector that
// failed) the record must not be passed on: it failed closed.
func (e *Engine) ScrubHeader(h Header, res *Result) (out Header, ok bool, err error) {
	res.reset()
	if n := len(h.Name) + len(h.Value); n > e.maxBytes {
		return Header{}, false, e.TooLargeError(n)
	}
	path := [][]byte{h.Name}
	if e.env.keepHeaders.first(path) >= 0 {
		return h, true, nil
	}
	if e.env.dropOthers {
		return Header{}, false, nil
	}
	w := e.walkers.Get().(*walker)
	defer e.walkers.Put(w)
	w.beginEnvelope(res)
	defer w.endEnvelope()
	name, err := w.headerName(h.Name)
	if err != nil {
		return Header{}, false, err
	}
	value := h.Value
	var drop bool
	if r := e.headerRule(h.Name); r != nil {
		if r.action != Keep {
			value, drop = w.ruledValue(nil, h.Value, r, len(h.Name))
		}
	} else {
		w.userAgent = userAgentHeader(h.Name)
		out, changed, dropField, err := w.scrubText(w.tmp[:0], h.Value, len(h.Name), nil, true)
		w.tmp = out
		if err != nil {
			return Header{}, false, err
		}
		if changed {
			value = bytes.Clone(out)
		}
		drop = dropField
	}
	if w.dropRecord {
		res.Dropped = true
		return Header{}, false, nil
	}
	if drop {
		return Header{}, false, nil
	}
	if h.Value == nil {
		value = nil // a null value stays null
	}
	return Header{Name: name, Value: value}, true, nil
}

// headerName scans a header name as free text and returns it scrubbed,
// or name itself when scanning changes nothing. Names repeat from record to
// record, so a short name found clean is remembered in the walker's cache
// of clean strings (the engine is immutable, so the answer holds) and not
// scanned again.
func (w *walker) headerName(name []byte) ([]byte, error) {
	if len(name) <= cleanMaxLen && w.clean != nil {
		if _, ok := w.clean[string(name)]; ok {
			return name, nil
		}
	}
	nf := len(w.res.Findings)
	out, changed, _, err := w.scrubText(w.tmp[:0], name, 0, nil, true)
	w.tmp = out
	if err != nil {
		return nil, err
	}
	if changed {
		return bytes.Clone(out), nil
	}
	if len(name) <= cleanMaxLen && len(w.res.Findings) == nf && !w.dropRecord {
		w.rememberClean(name)
	}
	return name, nil
}

// userAgentHeader reports whether a header of this name holds a User-Agent
// string, without regard to case.
func userAgentHeader(name []byte) bool {
	var low [16]byte
	if len(name) > len(low) {
		return false
	}
	for i, c := range name {
		low[i] = lower(c)
	}
	return userAgentKey(low[:len(name)])
}

// headerRule returns the field rule of a header named name: the rule of a
// field of that name, through the engine's field-rule lookup (so without
// regard to case), or else, for a name with the "X-" prefix of custom
// headers, the rule of the name without it ("X-Uid", "x-email"). nil when
// there is none.
func (e *Engine) headerRule(name []byte) *rule {
	if r := e.fieldRule([][]byte{name}); r != nil {
		return r
	}
	if len(name) > 2 && name[0]|0x20 == 'x' && name[1] == '-' {
		return e.fieldRule([][]byte{name[2:]})
	}
	return nil
}

// beginEnvelope readies w to scrub a key or a header into res.
func (w *walker) beginEnvelope(res *Result) {
	w.res = res
	w.in, w.out, w.geo = nil, nil, nil
	w.raw, w.dropRecord, w.inJSON, w.userAgent, w.accessField = 0, false, false, false, 0
	w.resetPath()
}

// endEnvelope releases the references to the caller's buffers.
func (w *walker) endEnvelope() {
	w.res = nil
	w.userAgent = false
}

// ruledValue appends to dst the value v of a key or header with the rule r
// applied to the whole of it, as to a scalar of a structured record; base is
// v's offset for the findings. drop reports that the key or header must be
// left out (drop_field). keep copies v unscanned; drop_record marks the
// record dropped when v is one of the rule's values. An empty value holds
// nothing to scrub: it stays empty.
func (w *walker) ruledValue(dst, v []byte, r *rule, base int) (out []byte, drop bool) {
	switch r.action {
	case DropField:
		w.subject(r, v, nil)
		w.note(r.name, base, base+len(v), r.action)
		return dst, true
	case DropRecord:
		if r.matchesValue(v) {
			w.note(r.name, base, base+len(v), r.action)
			w.dropRecord = true
		}
		return append(dst, v...), false
	case Keep:
		return append(dst, v...), false
	}
	if len(v) == 0 {
		return dst, false
	}
	mark := len(dst)
	dst = w.apply(dst, v, r)
	w.subject(r, v, dst[mark:])
	w.note(r.name, base, base+len(v), r.action)
	return dst, false
}
