// Package decision decides what becomes of one consumed log record, without
// Kafka: a record.Record goes in, an Outcome comes out. The outcome is the
// scrubbed record for the clean topic (or its jurisdiction's residency
// topic), a dead letter with a typed reason, nothing (the policy dropped
// the record, a privacy request suppresses its subject, or it is a
// minor's), plus the identity-vault records and the aggregates observation
// that go with it. It never parses personal data itself: the Scrubber does.
//
// The features around the scrubbing (geo and residency, privacy
// suppression, the vault, aggregates and minors, shadow mode) are stages
// behind small interfaces; a feature that is off is a stage that does
// nothing, so that Decide reads as the data path and nothing else. The
// stream loop (package pipeline) converts Kafka messages to and from
// records at its edge and commits what Decide returns.
package decision

import (
	"errors"
	"strconv"
	"time"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
)

// Kind is what became of a record.
type Kind uint8

// The kinds of outcome.
const (
	// Clean: Out is the scrubbed record for a clean or residency topic.
	Clean Kind = iota + 1
	// DeadLetter: Out is the dead letter standing for the record, and
	// Reason says why it failed closed.
	DeadLetter
	// Dropped: a rule dropped the record; nothing is produced.
	Dropped
	// Suppressed: a subject of the record withdrew consent or asked for
	// restriction or erasure; nothing is produced, aggregates included.
	Suppressed
	// Minor: the record is a minor's; nothing is produced, and it is
	// counted in the aggregates only when the policy lets minors count.
	Minor
)

var kindNames = [...]string{Clean: "clean", DeadLetter: "dead_letter", Dropped: "dropped", Suppressed: "suppressed", Minor: "minor"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Outcome is what becomes of one consumed record.
type Outcome struct {
	Kind Kind
	// Reason is why a DeadLetter failed closed; empty otherwise.
	Reason wire.Reason
	// Out is the record to produce when Kind is Clean or DeadLetter; the
	// zero Record otherwise.
	Out record.Record
	// Vault are the identity-vault records of the record's subjects, to be
	// produced in Out's transaction; only a Clean outcome has any.
	Vault []record.Record
	// Counted is true when Obs is to be counted in the aggregates: the
	// record reached a clean output, or it is a minor's and the policy lets
	// minors be counted.
	Counted bool
	Obs     aggregate.Observation
}

// Output is a topic records are routed to and its partition count.
type Output struct {
	Topic      string
	Partitions int32
}

// Outputs routes clean records: to the residency topic of their
// jurisdiction when it has one, else to the clean topic. Records of a
// source partition p go to partition p modulo the output's partitions, so
// that the order of a source partition is kept.
type Outputs struct {
	Clean     Output
	Residency map[string]Output // by jurisdiction
}

// of returns the output of a record of jurisdiction j ("" when unknown).
func (o Outputs) of(j string) Output {
	if r, ok := o.Residency[j]; ok {
		return r
	}
	return o.Clean
}

// Options configure a Decider. Outputs, DeadLetter and MaxOut are
// required; a nil stage turns its feature off.
type Options struct {
	// Outputs are the clean topic and the residency topics.
	Outputs Outputs
	// DeadLetter is the dead-letter topic.
	DeadLetter Output
	// MaxOut is the largest record (key, value, headers) the producer may
	// send; a larger scrubbed record is dead-lettered (output_too_large).
	MaxOut int
	// Sealer encrypts dead-letter payloads; nil leaves them out.
	Sealer Sealer
	// Geo looks up the country of client addresses; nil turns geo off: no
	// geo member or headers, no jurisdiction profiles, no residency
	// routing.
	Geo Locator
	// Privacy suppresses the records of subjects who asked for it; nil
	// turns privacy requests off.
	Privacy Suppressor
	// Shadow compares every record's outcome with a candidate policy's;
	// nil turns shadow mode off.
	Shadow Shadow
	// Aggregates observes records for the aggregates; nil turns them off.
	Aggregates Observer
	// CountMinors lets minors' records be counted in the aggregates.
	CountMinors bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Decider decides what becomes of records. It is safe for concurrent use
// as long as each goroutine has its own Scratch.
type Decider struct {
	geo     geoStage
	privacy Suppressor
	shadow  Shadow
	agg     aggStage
	outputs Outputs
	dlq     Output
	sealer  Sealer
	maxOut  int
	now     func() time.Time
	wire    *wireBytes
}

// wireBytes are the header names and constant values written into every
// clean record, converted to bytes once per Decider rather than for every
// record. Every output record shares them: they must never be modified,
// and each is capped at its length so that an append copies it instead.
type wireBytes struct {
	class, policy, findings, pseudonymous []byte
	geoCountry, geoJurisdiction           []byte
}

func newWireBytes() *wireBytes {
	b := func(s string) []byte { return []byte(s)[:len(s):len(s)] }
	return &wireBytes{
		class: b(wire.HeaderClass), policy: b(wire.HeaderPolicy), findings: b(wire.HeaderFindings),
		pseudonymous: b(wire.DataClassPseudonymous),
		geoCountry:   b(wire.HeaderGeoCountry), geoJurisdiction: b(wire.HeaderGeoJurisdiction),
	}
}

// errNoPartitions reports an output without partitions, to which no
// record could be routed.
var errNoPartitions = errors.New("decision: an output has no partitions")

// New returns a Decider with the stages of opts; a stage left nil is one
// that does nothing.
func New(opts Options) (*Decider, error) {
	if opts.Outputs.Clean.Partitions <= 0 || opts.DeadLetter.Partitions <= 0 {
		return nil, errNoPartitions
	}
	for _, o := range opts.Outputs.Residency {
		if o.Partitions <= 0 {
			return nil, errNoPartitions
		}
	}
	d := &Decider{
		geo: geoOff{}, privacy: noSuppression{}, shadow: noShadow{}, agg: aggOff{},
		outputs: opts.Outputs, dlq: opts.DeadLetter, sealer: opts.Sealer, maxOut: opts.MaxOut, now: opts.Now,
		wire: newWireBytes(),
	}
	if opts.Geo != nil {
		d.geo = geoOn{opts.Geo}
	}
	if opts.Privacy != nil {
		d.privacy = opts.Privacy
	}
	if opts.Shadow != nil {
		d.shadow = opts.Shadow
	}
	if opts.Aggregates != nil {
		d.agg = aggOn{obs: opts.Aggregates, minors: opts.CountMinors}
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d, nil
}

// Scratch is the memory of one goroutine deciding records one after the
// other, and the per-partition vault writer. Create it with NewScratch.
type Scratch struct {
	res    rules.Result
	counts findingCounts
	agg    aggregate.Scratch
	shadow shadow.Scratch
	vault  Vault
}

// NewScratch returns a Scratch whose records' subjects are written to v,
// the vault writer of the partition being read; nil turns the vault off.
func NewScratch(v Vault) *Scratch {
	if v == nil {
		v = noVault{}
	}
	return &Scratch{vault: v}
}

// Decide scrubs r with the policy view v and returns what to produce and
// count, counting what it did in c. r is only read, but Out may share the
// bytes of headers the policy keeps as they are: r must not be modified
// until Out is produced. Out never shares the slice r.Headers itself, which
// the caller may reuse for its next record.
func (d *Decider) Decide(r *record.Record, w *Scratch, v *View, c *Counts) Outcome {
	w.counts.reset()
	// One buffer per record holds the scrubbed value, then the scrubbed
	// key, then the findings header: they all go into the produced record,
	// which is queued with its batch, so the buffer cannot be reused, but
	// one allocation serves all three. Each part is capped where it ends
	// so that appending to one never writes over the next. Each part has
	// room to grow by a pseudonym or two (a part that outgrows the buffer
	// costs an allocation of its own, nothing else): 64 bytes for the
	// value beyond a quarter of its length, 64 for the key, 64 for the
	// findings header.
	bufSize := len(r.Value) + len(r.Value)/4 + 128
	if len(r.Key) > 0 {
		bufSize += len(r.Key) + 64
	}
	buf := make([]byte, 0, bufSize)
	value, sc, g, err := d.geo.scrub(v, buf, r.Value, &w.res)
	tail := value[len(value):len(value):cap(value)]
	value = value[:len(value):len(value)]
	var out []byte
	if err == nil && !w.res.Dropped {
		out = value
	}
	d.shadow.Observe(r.Value, out, &w.res, err, &w.shadow)
	if err != nil {
		return d.deadLetter(r, v.policy, wire.ReasonOf(err), c)
	}
	if w.res.Dropped {
		c.Dropped++
		return Outcome{Kind: Dropped}
	}
	if o, end := d.suppressed(w, c); end {
		return o
	}
	vault, err := w.vault.Append(nil, &w.res)
	if err != nil {
		return d.deadLetter(r, v.policy, wire.ReasonVault, c)
	}
	// The extracted values are in w.res until the key is scrubbed.
	var res Outcome
	minor := w.res.Minor
	if d.agg.counts(minor) {
		res.Obs = d.agg.observe(&w.res, g, r.Timestamp, d.now(), &w.agg)
	}
	if minor {
		discard(w, vault)
		c.Minor++
		res.Kind, res.Counted = Minor, d.agg.counts(true)
		return res
	}
	count(w, c)
	// The key and the headers meet the policy like fields (see
	// rules.KeyRule and rules.HeaderRules).
	var key []byte
	if len(r.Key) > 0 {
		key, err = sc.ScrubKey(tail, r.Key, &w.res)
		tail = key[len(key):len(key):cap(key)]
		key = key[:len(key):len(key)]
		var end Outcome
		var stop bool
		if vault, end, stop = d.envelopeDone(r, w, v, c, err, vault); stop {
			return end
		}
	}
	hs := make([]record.Header, 0, len(r.Headers)+5)
	size := len(value) + len(key)
	for _, h := range r.Headers {
		if wire.Reserved(h.Key) {
			continue
		}
		out, ok, err := sc.ScrubHeader(rules.Header{Name: h.Key, Value: h.Value}, &w.res)
		var end Outcome
		var stop bool
		if vault, end, stop = d.envelopeDone(r, w, v, c, err, vault); stop {
			return end
		}
		if !ok || wire.Reserved(out.Name) {
			continue
		}
		hs = append(hs, record.Header{Key: out.Name, Value: out.Value})
		size += len(out.Name) + len(out.Value)
	}
	var findings []byte
	if len(w.counts.types) > 0 {
		findings = w.counts.appendHeader(tail)
		findings = findings[:len(findings):len(findings)]
	}
	hs = append(hs,
		record.Header{Key: d.wire.class, Value: d.wire.pseudonymous},
		record.Header{Key: d.wire.policy, Value: v.policy},
		record.Header{Key: d.wire.findings, Value: findings},
	)
	hs = d.geo.headers(hs, g, d.wire)
	if size+256 > d.maxOut {
		discard(w, vault)
		return d.deadLetter(r, v.policy, wire.ReasonOutputTooLarge, c)
	}
	for i, t := range w.counts.types {
		c.Findings[t] += w.counts.counts[i]
	}
	o := d.outputs.of(g.Jurisdiction)
	c.Clean++
	c.Topics[o.Topic]++
	res.Kind = Clean
	res.Out = record.Record{
		Topic:     o.Topic,
		Partition: r.Partition % o.Partitions,
		Value:     value,
		Headers:   hs,
		Timestamp: r.Timestamp,
	}
	if len(key) > 0 {
		res.Out.Key = key
	}
	res.Counted, res.Vault = d.agg.counts(false), vault
	return res
}

// envelopeDone takes the outcome of scrubbing a record's key or one of its
// headers, after its value, in w.res, with the value's consequences: a
// failure dead-letters the record, a dropped record or a suppressed subject
// ends it, and the vault records of the subjects found join vault. stop is
// true when the record ends there, with end what Decide returns; the vault
// records gathered are then discarded. (The outcome is returned by value:
// a pointer to it would cost an allocation per key and header.)
func (d *Decider) envelopeDone(r *record.Record, w *Scratch, v *View, c *Counts, err error, vault []record.Record) (_ []record.Record, end Outcome, stop bool) {
	switch {
	case err != nil:
		end, stop = d.deadLetter(r, v.policy, wire.ReasonOf(err), c), true
	case w.res.Dropped:
		c.Dropped++
		end, stop = Outcome{Kind: Dropped}, true
	default:
		if end, stop = d.suppressed(w, c); !stop {
			if vault, err = w.vault.Append(vault, &w.res); err != nil {
				end, stop = d.deadLetter(r, v.policy, wire.ReasonVault, c), true
			}
		}
	}
	if stop {
		discard(w, vault)
		return nil, end, true
	}
	count(w, c)
	return vault, Outcome{}, false
}

// suppressed reports whether the subjects in w.res include one whose
// records must not be processed, counting it; the outcome is then
// Suppressed.
func (d *Decider) suppressed(w *Scratch, c *Counts) (Outcome, bool) {
	if !d.privacy.Suppressed(&w.res) {
		return Outcome{}, false
	}
	c.Suppressed++
	return Outcome{Kind: Suppressed}, true
}

// discard forgets vault records that will not be produced.
func discard(w *Scratch, recs []record.Record) {
	if len(recs) > 0 {
		w.vault.Discard(recs)
	}
}

// count adds the findings of w.res to the record's finding counts and its
// actions to c.
func count(w *Scratch, c *Counts) {
	for i, f := range w.res.Findings {
		w.counts.add(string(f.Type))
		if i < len(w.res.Actions) {
			c.Actions[string(w.res.Actions[i])]++
		}
	}
}

func header(k string, v []byte) record.Header {
	return record.Header{Key: []byte(k), Value: v}
}
