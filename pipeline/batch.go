package pipeline

import (
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/decision"
)

// batch is a run of consecutive records of one partition, scrubbed, with
// the records to produce for them. A claim has at most one batch submitted
// at a time, so its batches are committed in order, and a batch that
// failed is submitted again as it is: the retained batch is the claim
// rewound to its last committed offset.
type batch struct {
	sess      sarama.ConsumerGroupSession
	topic     string
	partition int32
	next      int64 // offset after the last record: the offset to commit
	// noOffset marks a batch that commits no offset: a restore marker,
	// written before the claim knows its state (see restoreAggregates).
	noOffset bool
	out      []*sarama.ProducerMessage
	records  int // consumed records
	bytes    int // consumed bytes, for batch metrics
	held     int // budget held
	stats    stats
	started  time.Time
	// view is the policy the batch's records are scrubbed with.
	view *decision.View
	// done receives the outcome of each submission: nil when committed.
	done chan error
	// acks counts the records still unacknowledged (at least once).
	acks int
	// ackErr is the first producer error of the submission (at least once).
	ackErr error
}

// stats are the counts of one batch, added to the metrics when it is done.
type stats struct {
	decision.Counts
	agg aggStats
}

func newBatch(sess sarama.ConsumerGroupSession, topic string, partition int32, now time.Time) *batch {
	return &batch{
		sess: sess, topic: topic, partition: partition, started: now,
		stats: stats{Counts: decision.NewCounts()}, done: make(chan error, 1),
	}
}

// add appends a record to produce with b.
func (b *batch) add(m *sarama.ProducerMessage) {
	m.Metadata = b
	b.out = append(b.out, m)
}

// committer commits batches: their records and their offsets.
type committer interface {
	// submit queues b; its outcome arrives on b.done. A nil outcome means
	// the records are written and the offset is committed (exactly once)
	// or marked (at least once); an error means nothing of the submission
	// counts and the claim decides whether to submit it again.
	submit(b *batch)
	// claimDone runs when a claim of sess returns.
	claimDone(sess sarama.ConsumerGroupSession)
}
