package pipeline

import (
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/metrics"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
)

// aggregator is the aggregates setup shared by a pipeline's claims: what to
// count and where the counts and their changelog go. Each claim keeps the
// counts of its partition in a partitionAgg.
//
// Exactly once: a claim counts each record into its partition's State when
// the record is added to the building batch, and when the batch is
// submitted it appends to the batch the aggregate records of the windows
// that became due and the changelog entries of everything that changed
// (see partitionAgg.seal). The transaction that commits the batch's
// offset commits both, or neither. A failed batch is submitted again as it
// is, with the same records, and the claim builds nothing on top of it
// until it commits; a claim whose batch never commits ends, and its State
// ends with it. So the State in memory is always the State after the
// records of the committed and the in-flight batches; and the changelog up
// to a committed offset, plus the aggregate records committed with it,
// count exactly the records before that offset (each record once: in a
// changelog bucket until its window is emitted, then in an aggregate
// record, the emission and the bucket's tombstone being in one
// transaction). A new owner of the partition restores the State from the
// changelog (see claimLoop.restoreAggregates) and goes on from the
// committed offset.
type aggregator struct {
	opts     aggregate.Options
	observer *aggregate.Observer
	dims     []aggregate.Dim
	minors   bool // the policy lets minors' records be counted
	policy   []byte
	m        metrics.AggregateMetrics

	topic          string
	parts          int32
	changelog      string
	changelogParts int32
	restoreTimeout time.Duration
}

// newAggregator builds the aggregates setup of cfg; finder is the policy
// engine whose detectors check dimension values.
func newAggregator(cfg *config.Config, finder aggregate.Finder, policy *rules.Policy, version string, m metrics.AggregateMetrics) (*aggregator, error) {
	a := cfg.Aggregates
	dims, err := aggregate.ParseDims(a.Dims)
	if err != nil {
		return nil, fmt.Errorf("aggregates: %w", err)
	}
	times, err := aggregate.NewTimeParser(a.TimestampFormats)
	if err != nil {
		return nil, fmt.Errorf("aggregates: %w", err)
	}
	var ua *aggregate.UAParser
	for _, d := range dims {
		if d == aggregate.DimBrowser || d == aggregate.DimOS {
			if ua, err = aggregate.NewUAParser(a.UACacheSize); err != nil {
				return nil, fmt.Errorf("aggregates: user-agent parser: %w", err)
			}
			break
		}
	}
	obs, err := aggregate.NewObserver(dims, times, ua, finder, a.MaxFuture.D())
	if err != nil {
		return nil, err
	}
	opts := aggregate.Options{
		Window: a.Window.D(), Lateness: a.AllowedLateness.D(), FlushAfter: a.FlushAfter.D(), K: a.K,
		NumDims: len(dims), Schema: aggregate.DimsSchema(dims), MaxBuckets: a.MaxBuckets,
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("aggregates: %w", err)
	}
	ag := &aggregator{
		opts: opts, observer: obs, dims: dims, policy: []byte(version), m: m,
		topic: cfg.Topics.Aggregates, changelog: cfg.ChangelogTopic(),
		restoreTimeout: 2*cfg.Kafka.TransactionTimeout.D() + 30*time.Second,
	}
	if policy != nil {
		ag.minors = policy.Minors.Aggregate
	}
	return ag, nil
}

// connect reads the partition counts of the aggregates topics.
func (a *aggregator) connect(client sarama.Client) error {
	var err error
	if a.parts, err = topicPartitions(client, a.topic); err != nil {
		return err
	}
	a.changelogParts, err = topicPartitions(client, a.changelog)
	return err
}

// changelogPartition is the changelog partition of source partition p:
// p modulo the changelog's partitions. Adding partitions to the changelog
// would move a partition's state out of sight of its next restore.
func (a *aggregator) changelogPartition(p int32) int32 { return p % a.changelogParts }

// headers are the headers of aggregate and changelog records.
func (a *aggregator) headers() []sarama.RecordHeader {
	return []sarama.RecordHeader{
		header(wire.HeaderClass, []byte(wire.DataClassAggregate)),
		header(wire.HeaderPolicy, a.policy),
		header(wire.HeaderFindings, nil),
	}
}

// aggStats are the aggregates counts of one batch, added to the metrics
// when it commits.
type aggStats struct {
	counted, late, fallbacks int
	windows, suppressed      int
	records, corrections     int
}

// partitionAgg is the aggregates state of one claim's partition.
type partitionAgg struct {
	a         *aggregator
	src       aggregate.Source
	state     *aggregate.State
	lastInput time.Time // processing time of the last record counted or flush
	buckets   int       // buckets last reported to the open-buckets gauge
}

// add counts one observation into the state and the batch stats st.
func (pa *partitionAgg) add(obs aggregate.Observation, now time.Time, st *aggStats) {
	st.counted++
	if obs.Fallback {
		st.fallbacks++
	}
	if pa.state.Add(obs, now) {
		st.late++
	}
	pa.lastInput = now
}

// idle reports whether the partition should be flushed at now: it holds
// counts and nothing was counted for FlushAfter.
func (pa *partitionAgg) idle(now time.Time) bool {
	return pa.state.Pending() && now.Sub(pa.lastInput) >= pa.a.opts.FlushAfter
}

// seal appends to b the aggregate records of the windows due at now (all
// of them with flush) and the changelog entries of every change since the
// last seal, so that b's transaction holds the state after b's records.
func (pa *partitionAgg) seal(b *batch, now time.Time, flush bool) {
	a := pa.a
	st := &b.stats.agg
	for _, e := range pa.state.Emit(now, flush) {
		st.windows++
		st.suppressed += e.Suppressed
		for _, bk := range e.Buckets {
			b.out = append(b.out, &sarama.ProducerMessage{
				Topic: a.topic, Partition: pa.src.Partition % a.parts,
				Value: sarama.ByteEncoder(aggregate.AppendRecord(nil, &e, a.dims, bk)), Headers: a.headers(), Metadata: b,
			})
			if e.Correction {
				st.corrections++
			} else {
				st.records++
			}
		}
	}
	for _, c := range pa.state.Changes() {
		msg := &sarama.ProducerMessage{
			Topic: a.changelog, Partition: a.changelogPartition(pa.src.Partition),
			Key: sarama.ByteEncoder(aggregate.ChangeKey(pa.src, c)), Headers: a.headers(), Metadata: b,
		}
		if v := aggregate.ChangeValue(c); v != nil {
			msg.Value = sarama.ByteEncoder(v)
		}
		b.out = append(b.out, msg)
	}
	if flush {
		pa.lastInput = now
	}
	n := pa.state.Buckets()
	a.m.OpenBuckets.Add(float64(n - pa.buckets))
	pa.buckets = n
}

// release takes the partition's buckets out of the open-buckets gauge when
// its claim ends.
func (pa *partitionAgg) release() {
	pa.a.m.OpenBuckets.Sub(float64(pa.buckets))
	pa.buckets = 0
}

// count adds a committed batch's aggregates counts to the
// metrics.
func (a *aggregator) count(st *aggStats) {
	a.m.Counted.Add(float64(st.counted))
	a.m.Late.Add(float64(st.late))
	a.m.TimestampFallbacks.Add(float64(st.fallbacks))
	a.m.Windows.Add(float64(st.windows))
	a.m.Suppressed.Add(float64(st.suppressed))
	a.m.Records.WithLabelValues(metrics.AggregateWindow).Add(float64(st.records))
	a.m.Records.WithLabelValues(metrics.AggregateCorrection).Add(float64(st.corrections))
}
