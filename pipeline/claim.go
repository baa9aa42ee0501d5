package pipeline

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/decision"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/metrics"
	"github.com/scrubd/scrubd/pipeline/record"
)

// handler is the sarama.ConsumerGroupHandler of a pipeline. Sarama calls
// ConsumeClaim on its own goroutine for every partition assigned; each runs
// a claimLoop.
type handler struct {
	p   *Pipeline
	env *claimEnv
}

// claimEnv is what the claims of a run share, set up once the run has
// connected and read-only afterwards: a claim reaches nothing of the
// Pipeline but this.
type claimEnv struct {
	log      *slog.Logger
	now      func() time.Time
	limits   config.Batch
	budget   *budget
	dec      *decision.Decider
	views    *decision.Views
	aggs     *aggregator // nil: aggregates are off
	commit   committer
	client   sarama.Client // restores read the changelog with it
	produce  metrics.StageMetrics
	hardStop <-chan struct{}
	// countScrubbed and countCommitted add a batch's counts to the
	// metrics when it is submitted and when it is committed.
	countScrubbed  func(*stats)
	countCommitted func(*batch, time.Time)
	// shadowSummary returns the shadow summary to ride with a batch when
	// one is due, or nil.
	shadowSummary func(time.Time) *sarama.ProducerMessage
}

// Setup runs when the instance joins the group.
func (h *handler) Setup(sess sarama.ConsumerGroupSession) error {
	h.p.noteGeneration(sess.GenerationID())
	h.p.state.SetJoined(true)
	h.p.log.Info("joined consumer group", "generation", sess.GenerationID(), "claims", sess.Claims())
	return nil
}

// Cleanup runs when the instance leaves the group or its session ends.
func (h *handler) Cleanup(sess sarama.ConsumerGroupSession) error {
	h.p.state.SetJoined(false)
	h.p.updateReady()
	h.p.log.Info("left consumer group session", "generation", sess.GenerationID())
	return nil
}

// ConsumeClaim processes one partition until it is revoked or the session
// ends. It returns only once the partition's submitted batch has its
// outcome, so that a revoked partition's transaction is finished before the
// partition moves to another instance.
func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	h.p.noteGeneration(sess.GenerationID())
	c := &claimLoop{
		claimEnv: h.env,
		sess:     sess,
		claim:    claim,
		consume:  h.p.m.Stage(metrics.StageConsume),
		scrub:    h.p.m.Stage(metrics.StageScrub),
		lag:      h.p.m.Lag.WithLabelValues(claim.Topic(), strconv.Itoa(int(claim.Partition()))),
	}
	defer h.p.m.DeleteLag(claim.Topic(), claim.Partition())
	var vs decision.Vault
	if h.p.opts.Stages.Vault != nil {
		// The writer remembers which subjects' data keys this partition
		// wrote; it must not outlive the claim.
		vs = vaultStage{h.p.opts.Stages.Vault.Writer(claim.Topic(), claim.Partition())}
	}
	c.w = decision.NewScratch(vs)
	h.p.m.Assigned.Inc()
	defer h.p.m.Assigned.Dec()
	h.p.log.Debug("claim started", "topic", claim.Topic(), "partition", claim.Partition(), "offset", claim.InitialOffset(), "generation", sess.GenerationID())
	err := c.run()
	h.p.log.Debug("claim ended", "topic", claim.Topic(), "partition", claim.Partition(), "generation", sess.GenerationID())
	return err
}

// claimLoop reads one partition in order into batches. It keeps at most two
// batches: one submitted to the committer (pending) and one being filled
// (building). It stops reading when the building batch is full or the
// in-flight budget is spent, until the pending batch is committed.
type claimLoop struct {
	*claimEnv
	sess    sarama.ConsumerGroupSession
	claim   sarama.ConsumerGroupClaim
	w       *decision.Scratch
	consume metrics.StageMetrics
	scrub   metrics.StageMetrics
	lag     prometheus.Gauge

	building *batch
	pending  *batch
	held     *sarama.ConsumerMessage // received, waiting for budget
	retries  int

	// hdrs is the header slice of the record being decided, reused for
	// the next one: Decide never keeps a record's header slice (only the
	// bytes it points to), so one slice serves the whole claim.
	hdrs []record.Header

	// committed is the partition's committed offset: the claim's initial
	// offset, then the next offset of each batch committed; -1 while
	// unknown (no offset was ever committed).
	committed int64
	// agg is the partition's aggregates state; nil when aggregates are
	// off.
	agg *partitionAgg
}

func (c *claimLoop) run() error {
	defer c.abandon()
	c.committed = c.claim.InitialOffset()
	if c.committed < 0 {
		c.committed = -1
	}
	msgs := c.claim.Messages()
	sessDone := c.sess.Context().Done()
	var flushC <-chan time.Time
	if c.aggs != nil {
		if !c.restore() {
			return c.finish()
		}
		defer c.agg.release()
		t := time.NewTicker(max(c.aggs.opts.FlushAfter/4, 50*time.Millisecond))
		defer t.Stop()
		flushC = t.C
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	// The lag is refreshed from the high watermark on a timer too, so that
	// a stuck or idle claim does not freeze it.
	lagTick := time.NewTicker(5 * time.Second)
	defer lagTick.Stop()
	lim := c.limits
	for {
		var budgetC <-chan struct{}
		if c.held != nil {
			budgetC = c.budget.wait()
			c.admit()
		}
		b := c.building
		full := b != nil && (b.records >= lim.MaxRecords || b.bytes >= lim.MaxBytes || c.held != nil)
		if b != nil && c.pending == nil {
			wait := lim.Linger.D() - c.now().Sub(b.started)
			if full || wait <= 0 {
				c.submit()
				continue
			}
			timer.Reset(wait)
		}
		var in <-chan *sarama.ConsumerMessage
		if c.held == nil && !full {
			in = msgs
		}
		var doneC chan error
		if c.pending != nil {
			doneC = c.pending.done
		}
		if c.held == nil {
			budgetC = nil
		}
		select {
		case m, ok := <-in:
			if !ok {
				return c.finish()
			}
			c.consume.Enter(1)
			c.held = m
			c.admit()
		case <-budgetC:
		case err := <-doneC:
			if !c.completed(err) {
				return c.finish()
			}
		case <-timer.C:
		case <-flushC:
			c.flushIdle()
		case <-lagTick.C:
			c.updateLag()
		case <-sessDone:
			return c.finish()
		}
		timer.Stop()
	}
}

// restore restores the partition's aggregates state, retrying until it
// succeeds; it reports false when the session ended first.
func (c *claimLoop) restore() bool {
	for attempt := 0; ; attempt++ {
		err := c.restoreAggregates()
		if err == nil {
			return true
		}
		if c.sess.Context().Err() != nil {
			return false
		}
		c.log.Warn("restore aggregates failed; retrying", "topic", c.claim.Topic(), "partition", c.claim.Partition(), "attempt", attempt+1, "err", err)
		t := time.NewTimer(restoreBackoff(attempt))
		select {
		case <-t.C:
		case <-c.sess.Context().Done():
			t.Stop()
			return false
		}
	}
}

// flushIdle submits a batch without records that emits the partition's
// aggregates when nothing was counted for aggregates.flush_after, so that
// the last windows of a quiet partition are emitted. The batch commits the
// partition's offset again, unchanged, which fences it like any batch; a
// partition that has never committed an offset has nothing to flush.
func (c *claimLoop) flushIdle() {
	now := c.now()
	if c.building != nil || c.pending != nil || c.held != nil || c.committed < 0 || !c.agg.idle(now) {
		return
	}
	b := newBatch(c.sess, c.claim.Topic(), c.claim.Partition(), now)
	b.next = c.committed
	c.agg.seal(b, now, true)
	c.pending = b
	c.produce.Enter(len(b.out))
	c.commit.submit(b)
}

// admit scrubs the held record into the building batch if the budget has
// room for it.
func (c *claimLoop) admit() {
	m := c.held
	size := len(m.Value) + len(m.Key)
	cost := heldCost(m)
	if !c.budget.tryTake(cost, c.building == nil && c.pending == nil) {
		return
	}
	c.held = nil
	if c.building == nil {
		c.building = newBatch(c.sess, c.claim.Topic(), c.claim.Partition(), c.now())
		c.building.view = c.views.Current()
	}
	b := c.building
	b.held += cost
	b.bytes += size
	b.records++
	b.next = m.Offset + 1
	rec := kafka.RecordReusing(c.hdrs, m)
	o := c.dec.Decide(&rec, c.w, b.view, &b.stats.Counts)
	c.hdrs = rec.Headers
	if o.Kind == decision.Clean || o.Kind == decision.DeadLetter {
		b.add(kafka.Message(&o.Out))
	}
	for i := range o.Vault {
		b.add(kafka.Message(&o.Vault[i]))
	}
	if o.Counted {
		c.agg.add(o.Obs, c.now(), &b.stats.agg)
	}
}

// updateLag sets the partition's lag: the records between the high
// watermark and the next record to process. It is called when a batch is
// handed to the committer and on a timer, not for every record: reading
// the watermark and setting the gauge per record cost measurable time in
// the loop, and a lag older by at most one batch means the same.
func (c *claimLoop) updateLag() {
	next := c.committed
	if c.building != nil {
		next = c.building.next
	} else if c.pending != nil {
		next = c.pending.next
	}
	if next < 0 {
		next = 0
	}
	c.lag.Set(float64(max(0, c.claim.HighWaterMarkOffset()-next)))
}

// submit hands the building batch to the committer.
func (c *claimLoop) submit() {
	b := c.building
	c.building, c.pending = nil, b
	now := c.now()
	c.scrub.Enter(b.records)
	c.scrub.Leave(b.records, now)
	c.countScrubbed(&b.stats)
	if c.agg != nil {
		c.agg.seal(b, now, false)
	}
	if m := c.shadowSummary(now); m != nil {
		m.Metadata = b
		b.out = append(b.out, m)
	}
	c.updateLag()
	c.produce.Enter(len(b.out))
	c.commit.submit(b)
}

// completed handles the outcome of the pending batch. It reports false when
// the claim must stop: its session ended while a failed batch waited.
func (c *claimLoop) completed(err error) bool {
	b := c.pending
	if err == nil {
		c.pending = nil
		c.retries = 0
		if !b.noOffset {
			c.committed = b.next
		}
		now := c.now()
		c.budget.give(b.held)
		c.consume.Leave(b.records, now)
		c.produce.Leave(len(b.out), now)
		c.countCommitted(b, now)
		return true
	}
	// Nothing of the batch counts: submit it again, in order, unless the
	// session is over (then the partition's next owner consumes the
	// records again from the committed offset).
	c.retries++
	backoff := min(50*time.Millisecond<<min(c.retries, 6), 2*time.Second)
	c.log.Warn("batch not committed; retrying", "topic", b.topic, "partition", b.partition,
		"records", b.records, "attempt", c.retries, "backoff", backoff, "err", err)
	t := time.NewTimer(backoff)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.sess.Context().Done():
		// b is not submitted again, so no outcome is coming: give finish
		// this one back instead of letting it wait for another.
		b.done <- err
		return false
	}
	b.out = resubmittable(b.out)
	c.commit.submit(b)
	return true
}

// resubmittable returns copies of messages that the producer has seen
// before: sarama keeps a message's sequence number and retry state in it,
// and a message sent again as it is can fail with "message out of
// sequence", or corrupt the producer's count of messages in flight. The
// copies have the same topic, partition, key, value, headers and
// timestamp, so the retried batch writes the same records.
func resubmittable(msgs []*sarama.ProducerMessage) []*sarama.ProducerMessage {
	out := make([]*sarama.ProducerMessage, len(msgs))
	for i, m := range msgs {
		out[i] = &sarama.ProducerMessage{
			Topic: m.Topic, Partition: m.Partition, Key: m.Key, Value: m.Value,
			Headers: m.Headers, Metadata: m.Metadata, Timestamp: m.Timestamp,
		}
	}
	return out
}

// finish waits for the pending batch's outcome, without retrying, so that
// no transaction of this partition is open when the claim returns.
func (c *claimLoop) finish() error {
	if c.pending != nil {
		select {
		case err := <-c.pending.done:
			if err == nil {
				c.completed(nil)
			}
		case <-c.hardStop:
		}
	}
	c.commit.claimDone(c.sess)
	return nil
}

// abandon gives back what the claim holds that was not committed: the
// records are consumed again from the committed offset by the partition's
// next owner.
func (c *claimLoop) abandon() {
	for _, b := range []*batch{c.pending, c.building} {
		if b == nil {
			continue
		}
		c.budget.give(b.held)
		c.consume.Drop(b.records)
		if b == c.pending {
			c.produce.Drop(len(b.out))
		}
	}
	c.pending, c.building = nil, nil
	if c.held != nil {
		c.consume.Drop(1)
		c.held = nil
	}
}
