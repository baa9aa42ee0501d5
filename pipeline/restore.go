package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/record"
)

// restoreAggregates gives the claim its partition's aggregates State, as
// the owners before it committed it to the changelog. It first commits a
// marker, a changelog entry with a nonce of its own, in a transaction of
// its own; then it reads the changelog partition from the start,
// read_committed, up to that marker, applying the partition's entries.
//
// Why the marker is enough: every transaction that wrote this partition's
// changelog entries also committed this partition's consumer offset, with
// the group generation of its time. When this claim started, the group
// coordinator had fenced the older generations and sarama's offset fetch
// (require_stable) had waited for their transactions to finish; so each of
// them is committed or aborted, and its entries lie before the marker,
// which is written later. Reading read_committed up to the marker
// therefore sees every committed entry and no aborted one, without having
// to know where the partition's end is.
//
// A partition without a committed offset starts from the oldest record, so
// state found for it in the changelog (offsets expired or were deleted)
// would count records twice: it is deleted instead.
//
// On failure it returns an error; the claim retries with a new marker.
func (c *claimLoop) restoreAggregates() error {
	a := c.aggs
	start := c.now()
	src := aggregate.Source{Topic: c.claim.Topic(), Partition: c.claim.Partition()}
	st, err := c.readState(a, src)
	if err != nil {
		a.m.Restores.WithLabelValues("error").Inc()
		return err
	}
	if c.committed < 0 && st.Pending() {
		c.log.Warn("aggregates state found for a partition without a committed offset; deleting it, its records are read again",
			"topic", src.Topic, "partition", src.Partition, "buckets", st.Buckets())
		st.Discard()
	}
	c.agg = &partitionAgg{a: a, src: src, state: st, lastInput: c.now()}
	a.m.Restores.WithLabelValues("ok").Inc()
	a.m.RestoreDuration.Observe(c.now().Sub(start).Seconds())
	c.log.Debug("aggregates state restored", "topic", src.Topic, "partition", src.Partition,
		"buckets", st.Buckets(), "duration", c.now().Sub(start))
	return nil
}

// readState commits a marker and reads the State up to it.
func (c *claimLoop) readState(a *aggregator, src aggregate.Source) (*aggregate.State, error) {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("restore aggregates: nonce: %w", err)
	}
	nonce = []byte(hex.EncodeToString(nonce))
	b := newBatch(c.sess, src.Topic, src.Partition, c.now())
	b.noOffset = true
	b.out = []*sarama.ProducerMessage{{
		Topic: a.changelog, Partition: a.changelogPartition(src.Partition),
		Key: sarama.ByteEncoder(aggregate.MarkerKey(src)), Value: sarama.ByteEncoder(nonce),
		Headers: a.headers(), Metadata: b,
	}}
	c.commit.submit(b)
	select {
	case err := <-b.done:
		if err != nil {
			return nil, fmt.Errorf("restore aggregates: commit marker: %w", err)
		}
	case <-c.sess.Context().Done():
		// The committer still delivers the outcome to b.done (buffered).
		return nil, fmt.Errorf("restore aggregates: %w", context.Cause(c.sess.Context()))
	}
	st := aggregate.NewState(a.opts)
	ctx, cancel := context.WithTimeout(c.sess.Context(), a.restoreTimeout)
	defer cancel()
	err := compacted.ReadUntil(ctx, c.client, a.changelog, a.changelogPartition(src.Partition), func(m *record.Record) bool {
		e, err := aggregate.DecodeEntry(m.Key, m.Value)
		if err != nil || e.Source != src {
			return false
		}
		if e.Kind == aggregate.EntryMarker {
			return bytes.Equal(e.Marker, nonce)
		}
		st.Restore(e.Change)
		return false
	}, func(err error) {
		c.log.Warn("restore aggregates: fetch failed; retrying", "topic", a.changelog, "err", err)
	})
	if err != nil {
		return nil, fmt.Errorf("restore aggregates of %s/%d from %s: %w", src.Topic, src.Partition, a.changelog, err)
	}
	return st, nil
}

// restoreBackoff is the wait before a failed restore is tried again.
func restoreBackoff(attempt int) time.Duration {
	return min(250*time.Millisecond<<min(attempt, 5), 5*time.Second)
}
