package pipeline

import (
	"errors"
	"strconv"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
)

// Scrubber is the part of a policy engine the pipeline uses; *rules.Engine
// implements it. Implementations must be safe for concurrent use.
type Scrubber interface {
	// Scrub appends the scrubbed record to dst; see rules.Engine.Scrub.
	Scrub(dst, rec []byte, res *rules.Result) ([]byte, error)
	// ScrubText appends the scrubbed free text to dst; see
	// rules.Engine.ScrubText. Aggregates scrub their dimensions with it.
	ScrubText(dst, text []byte, res *rules.Result) ([]byte, error)
	// ScrubKey appends the scrubbed record key to dst; nothing appended
	// means no key. See rules.Engine.ScrubKey.
	ScrubKey(dst, key []byte, res *rules.Result) ([]byte, error)
	// ScrubHeader scrubs one record header; ok false leaves it out. See
	// rules.Engine.ScrubHeader.
	ScrubHeader(h rules.Header, res *rules.Result) (out rules.Header, ok bool, err error)
	// Version is the policy version written in every output's headers.
	Version() string
}

// processor turns one consumed record into the record to produce: the
// scrubbed record for the clean topic (or its jurisdiction's residency
// topic), a dead letter, or nothing when a rule drops it or it is a
// minor's; and, with aggregates on, the record's observation. It never
// parses personal data itself: the Scrubber does.
type processor struct {
	views   *views  // the policy each batch is scrubbed with
	geo     Locator // nil: geo is off
	outputs outputs
	dlq     string
	dlqPart int32
	sealer  *Sealer        // nil: dead-letter payloads are omitted
	maxOut  int            // largest record (key, value, headers) the producer may send
	privacy *privacy.Set   // nil: privacy requests are off
	shadow  *shadow.Shadow // nil: shadow mode is off
	agg     *aggregator
	now     func() time.Time
}

// stats are the counts of one batch, added to the metrics when it is done.
type stats struct {
	findings   map[string]int
	actions    map[string]int
	reasons    map[string]int
	topics     map[string]int // clean records per output topic
	clean      int
	dropped    int
	dead       int
	minor      int
	suppressed int
	agg        aggStats
}

func newStats() stats {
	return stats{findings: map[string]int{}, actions: map[string]int{}, reasons: map[string]int{}, topics: map[string]int{}}
}

// worker is the scratch state of one claim goroutine.
type worker struct {
	res    rules.Result
	counts findingCounts
	agg    aggregate.Scratch
	shadow shadow.Scratch
	// vault writes the claim's identity-vault records; nil when the vault
	// is off. It lives and dies with the claim.
	vault *vault.Writer
}

// processed is what became of one consumed record.
type processed struct {
	// out is the record to produce; nil when there is none.
	out *sarama.ProducerMessage
	// counted is true when obs is to be counted in the aggregates: the
	// record reached a clean output, or is a minor's and the policy lets
	// minors be counted.
	counted bool
	obs     aggregate.Observation
	// vault are the identity-vault records of the record's subjects,
	// produced with out.
	vault []*sarama.ProducerMessage
}

// envelopeDone takes the outcome of scrubbing a record's key or one of its
// headers, after its value, in w.res, with the value's consequences: a
// failure dead-letters the record, a dropped record or a suppressed subject
// ends it, and the vault records of the subjects found join vault. end is
// non-nil when the record ends there, with what process returns; the vault
// records gathered are then discarded.
func (p *processor) envelopeDone(m *sarama.ConsumerMessage, w *worker, v *policyView, st *stats, err error, vault []*sarama.ProducerMessage) (_ []*sarama.ProducerMessage, end *processed) {
	switch {
	case err != nil:
		end = &processed{out: p.deadLetter(m, v.policy, wire.ReasonOf(err), st)}
	case w.res.Dropped:
		st.dropped++
		end = &processed{}
	case p.suppressed(w, st):
		end = &processed{}
	default:
		if vault, err = p.vaultAppend(w, vault); err != nil {
			end = &processed{out: p.deadLetter(m, v.policy, wire.ReasonVault, st)}
		}
	}
	if end != nil {
		p.vaultDiscard(w, vault)
		return nil, end
	}
	p.count(w, st)
	return vault, nil
}

// process scrubs m with the batch's policy view v and returns what to
// produce and count, counting what it did in st.
func (p *processor) process(m *sarama.ConsumerMessage, w *worker, v *policyView, st *stats) processed {
	w.counts.reset()
	var value []byte
	var err error
	var g geoScrub
	sc := v.scrub // scrubs the key and headers: the jurisdiction's profile with geo
	buf := make([]byte, 0, len(m.Value)+len(m.Value)/4+64)
	if p.geo != nil && v.prof != nil {
		g = p.locate(v.prof, m.Value, &w.res)
		sc = g.eng
		value, err = g.eng.ScrubWith(buf, m.Value, &w.res, g.opt)
	} else {
		value, err = v.scrub.Scrub(buf, m.Value, &w.res)
	}
	if p.shadow != nil {
		var out []byte
		if err == nil && !w.res.Dropped {
			out = value
		}
		p.shadow.Observe(m.Value, out, &w.res, err, &w.shadow)
	}
	if err != nil {
		return processed{out: p.deadLetter(m, v.policy, wire.ReasonOf(err), st)}
	}
	if w.res.Dropped {
		st.dropped++
		return processed{}
	}
	// Subjects who withdrew consent, asked for restriction or erasure:
	// their records reach no output, aggregates included.
	if p.suppressed(w, st) {
		return processed{}
	}
	var vault []*sarama.ProducerMessage
	if vault, err = p.vaultAppend(w, vault); err != nil {
		return processed{out: p.deadLetter(m, v.policy, wire.ReasonVault, st)}
	}
	// The extracted values are in w.res until the key is scrubbed.
	var res processed
	minor := w.res.Minor
	if p.agg != nil && (!minor || p.agg.minors) {
		res.obs = p.agg.observer.Observe(&w.res, g.geo, m.Timestamp, p.now(), &w.agg)
	}
	if minor {
		p.vaultDiscard(w, vault)
		st.minor++
		res.counted = p.agg != nil && p.agg.minors
		return res
	}
	p.count(w, st)
	// The key and the headers meet the policy like fields (see
	// rules.KeyRule and rules.HeaderRules).
	var key []byte
	var end *processed
	if len(m.Key) > 0 {
		var err error
		key, err = sc.ScrubKey(nil, m.Key, &w.res)
		if vault, end = p.envelopeDone(m, w, v, st, err, vault); end != nil {
			return *end
		}
	}
	hs := make([]sarama.RecordHeader, 0, len(m.Headers)+5)
	size := len(value) + len(key)
	for _, h := range m.Headers {
		if h == nil || wire.Reserved(h.Key) {
			continue
		}
		out, ok, err := sc.ScrubHeader(rules.Header{Name: h.Key, Value: h.Value}, &w.res)
		if vault, end = p.envelopeDone(m, w, v, st, err, vault); end != nil {
			return *end
		}
		if !ok || wire.Reserved(out.Name) {
			continue
		}
		hs = append(hs, sarama.RecordHeader{Key: out.Name, Value: out.Value})
		size += len(out.Name) + len(out.Value)
	}
	hs = append(hs,
		header(wire.HeaderClass, []byte(wire.DataClassPseudonymous)),
		header(wire.HeaderPolicy, v.policy),
		header(wire.HeaderFindings, w.counts.header()),
	)
	if p.geo != nil {
		hs = append(hs,
			header(wire.HeaderGeoCountry, []byte(g.geo.Country)),
			header(wire.HeaderGeoJurisdiction, []byte(g.geo.Jurisdiction)),
		)
	}
	if size+256 > p.maxOut {
		p.vaultDiscard(w, vault)
		return processed{out: p.deadLetter(m, v.policy, wire.ReasonOutputTooLarge, st)}
	}
	for i, t := range w.counts.types {
		st.findings[t] += w.counts.counts[i]
	}
	o := p.outputs.of(g.geo.Jurisdiction)
	st.clean++
	st.topics[o.topic]++
	out := &sarama.ProducerMessage{
		Topic:     o.topic,
		Partition: m.Partition % o.parts,
		Value:     sarama.ByteEncoder(value),
		Headers:   hs,
		Timestamp: m.Timestamp,
	}
	if len(key) > 0 {
		out.Key = sarama.ByteEncoder(key)
	}
	res.out, res.counted, res.vault = out, p.agg != nil, vault
	return res
}

// suppressed reports whether the subjects in w.res include one whose
// records must not be processed, counting it.
func (p *processor) suppressed(w *worker, st *stats) bool {
	if p.privacy == nil {
		return false
	}
	if _, ok := p.privacy.Check(&w.res); ok {
		st.suppressed++
		return true
	}
	return false
}

// vaultAppend adds the identity-vault records of the subjects in w.res.
func (p *processor) vaultAppend(w *worker, dst []*sarama.ProducerMessage) ([]*sarama.ProducerMessage, error) {
	if w.vault == nil {
		return dst, nil
	}
	return w.vault.Append(dst, &w.res)
}

// vaultDiscard forgets vault records that will not be produced.
func (p *processor) vaultDiscard(w *worker, msgs []*sarama.ProducerMessage) {
	if w.vault != nil && len(msgs) > 0 {
		w.vault.Discard(msgs)
	}
}

// count adds the findings and actions of w.res.
func (p *processor) count(w *worker, st *stats) {
	for i, f := range w.res.Findings {
		w.counts.add(string(f.Type))
		if i < len(w.res.Actions) {
			st.actions[string(w.res.Actions[i])]++
		}
	}
}

// deadLetter returns the dead letter standing for m: no key, the value
// sealed or left out, and headers naming the reason and the source.
func (p *processor) deadLetter(m *sarama.ConsumerMessage, policy []byte, reason wire.Reason, st *stats) *sarama.ProducerMessage {
	st.dead++
	st.reasons[string(reason)]++
	hs := []sarama.RecordHeader{
		header(wire.HeaderClass, []byte(wire.DataClassPersonal)),
		header(wire.HeaderPolicy, policy),
		header(wire.HeaderFindings, nil),
		header(wire.HeaderErrorClass, []byte(wire.ErrorClassRecord)),
		header(wire.HeaderError, []byte(reason)),
		header(wire.HeaderSourceTopic, []byte(m.Topic)),
		header(wire.HeaderSourcePartition, strconv.AppendInt(nil, int64(m.Partition), 10)),
		header(wire.HeaderSourceOffset, strconv.AppendInt(nil, m.Offset, 10)),
	}
	var value []byte
	kind := wire.PayloadOmitted
	if p.sealer != nil && len(m.Value)+p.sealer.Overhead()+512 <= p.maxOut {
		sealed, err := p.sealer.Seal(nil, m.Value, m.Topic, m.Partition, m.Offset)
		if err == nil {
			value, kind = sealed, wire.PayloadEncrypted
			hs = append(hs, header(wire.HeaderKeyID, []byte(p.sealer.KeyID())))
		}
	}
	hs = append(hs, header(wire.HeaderPayload, []byte(kind)))
	out := &sarama.ProducerMessage{
		Topic:     p.dlq,
		Partition: m.Partition % p.dlqPart,
		Headers:   hs,
		Timestamp: m.Timestamp,
	}
	if value != nil {
		out.Value = sarama.ByteEncoder(value)
	}
	return out
}

// errNoPartitions reports an output topic without partitions.
var errNoPartitions = errors.New("output topic has no partitions")
