package pipeline

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/metrics"
)

// txnCommitter commits batches exactly once: one goroutine owns the
// instance's single transactional producer and runs one transaction at a
// time. Each transaction holds every batch queued when it starts, from any
// partition of the instance: their output records and, through
// AddOffsetsToTxnWithGroupMetadata, their consumer offsets with the group
// metadata (member id, generation) read from the session at that moment, so
// that the group coordinator refuses the offsets of a member that lost its
// partitions (KIP-447) and the whole transaction aborts with them.
//
// Why one producer and one committer, and not a producer per partition
// (Kafka Streams' first exactly-once design): with KIP-447 the group
// generation fences zombies, so one producer per instance is enough; it
// keeps the transactional id stable per instance (a restarted instance
// fences its predecessor at once), costs one connection set and one
// InitProducerId instead of one per partition and rebalance, and commits
// all partitions in one transaction. A producer can have one open
// transaction only, so transactions are serialized here, and claims never
// touch the producer.
//
// A batch without records (a claim's idle flush of its aggregates) commits
// its partition's offset again, unchanged: the offset commit carries the
// group generation, so a zombie's flush is fenced like any other batch. A
// restore marker (noOffset) commits no offset; it changes no state.
//
// Errors: an abortable error aborts the transaction and every batch in it
// fails; each claim submits its batch again (see claimLoop.completed). A
// fatal error (fenced by a newer producer with the same transactional id,
// out of order sequence) closes the producer; the next transaction creates
// a new one, whose InitProducerId also aborts anything left open.
type txnCommitter struct {
	newProducer func() (sarama.AsyncProducer, error)
	group       string
	instanceID  *string // the group instance id of a static member, or nil
	log         *slog.Logger
	m           *metrics.Metrics
	now         func() time.Time
	onProducer  func(ready bool)

	queue chan *batch
	stop  chan struct{}
	wg    sync.WaitGroup

	prod     sarama.AsyncProducer
	prodDone chan struct{} // closed when the producer's error drain ends
	failures int

	// beforeCommit, when set, runs after the records are sent and before
	// CommitTxn (tests use it to hold a transaction open).
	beforeCommit func()
	// extras, when set, gives records to add to the next transaction and
	// their count; extrasDone hears whether that transaction committed.
	extras     func() ([]*sarama.ProducerMessage, int)
	extrasDone func(n int, committed bool)
	// extrasWaiting, when set, says whether records wait for extras; the
	// committer then runs a transaction for them alone when no batch came
	// for extrasFlush, so that an erasure's tombstones do not wait for
	// the next input record.
	extrasWaiting func() bool
	// committedOffset, when set, reads the group's committed offset of a
	// partition, stable (pending transactional offsets resolved): how a
	// commit whose answer was lost is found to have committed.
	committedOffset func(topic string, partition int32) (int64, error)
	// resolveTimeout bounds the wait for that offset (30 s when zero).
	resolveTimeout time.Duration
}

// newTxnCommitter returns a committer; start runs it.
func newTxnCommitter(newProducer func() (sarama.AsyncProducer, error), group string, log *slog.Logger, m *metrics.Metrics, now func() time.Time, onProducer func(bool)) *txnCommitter {
	return &txnCommitter{
		newProducer: newProducer, group: group, log: log, m: m, now: now, onProducer: onProducer,
		queue: make(chan *batch, 4096), stop: make(chan struct{}),
	}
}

// init creates the producer (InitProducerId) before the consumer joins.
func (c *txnCommitter) init() error { return c.ensureProducer() }

// start runs the committer goroutine; close stops it.
func (c *txnCommitter) start() {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.loop()
	}()
}

func (c *txnCommitter) submit(b *batch) { c.queue <- b }

// claimDone does nothing: offsets are committed in the transactions.
func (c *txnCommitter) claimDone(sarama.ConsumerGroupSession) {}

// close stops the goroutine once no batch is queued (the claims have all
// returned) and closes the producer.
func (c *txnCommitter) close() error {
	close(c.stop)
	c.wg.Wait()
	return c.closeProducer()
}

// extrasFlush is how long queued extras wait for a batch to ride with.
const extrasFlush = time.Second

func (c *txnCommitter) loop() {
	var bs []*batch
	idle := time.NewTicker(extrasFlush)
	defer idle.Stop()
	for {
		select {
		case b := <-c.queue:
			bs = append(bs[:0], b)
		case <-idle.C:
			c.flushExtras()
			continue
		case <-c.stop:
			return
		}
	drain:
		for len(bs) < cap(c.queue) {
			select {
			case b := <-c.queue:
				bs = append(bs, b)
			default:
				break drain
			}
		}
		// One transaction per session: group metadata is per session.
		for len(bs) > 0 {
			n := 1
			for n < len(bs) && bs[n].sess == bs[0].sess {
				n++
			}
			err := c.transact(bs[:n])
			for _, b := range bs[:n] {
				b.done <- err
			}
			bs = bs[n:]
		}
	}
}

// flushExtras commits the waiting extras in a transaction of their own.
// A failed one is tried again at the next tick (extras are only dropped
// once committed).
func (c *txnCommitter) flushExtras() {
	if c.extrasWaiting == nil || !c.extrasWaiting() {
		return
	}
	if err := c.transact(nil); err != nil {
		c.log.Warn("records queued outside batches (erasure tombstones, rejected requests) not committed; retrying", "err", err)
	}
}

// transact runs one transaction holding bs, which share a session (none:
// the extras alone).
func (c *txnCommitter) transact(bs []*batch) error {
	committed := false
	if err := c.ensureProducer(); err != nil {
		return err
	}
	start := c.now()
	p := c.prod
	if err := p.BeginTxn(); err != nil {
		c.fail(err)
		return fmt.Errorf("begin transaction: %w", err)
	}
	offsets := map[string][]*sarama.PartitionOffsetMetadata{}
	var nExtras int
	if c.extras != nil {
		var extra []*sarama.ProducerMessage
		extra, nExtras = c.extras()
		for _, m := range extra {
			p.Input() <- m
		}
		if c.extrasDone != nil {
			defer func() { c.extrasDone(nExtras, committed) }()
		}
	}
	for _, b := range bs {
		for _, m := range b.out {
			p.Input() <- m
		}
		if !b.noOffset {
			offsets[b.topic] = append(offsets[b.topic], &sarama.PartitionOffsetMetadata{Partition: b.partition, Offset: b.next, LeaderEpoch: -1})
		}
	}
	var gm *sarama.ConsumerGroupMetadata
	var err error
	if len(offsets) > 0 {
		gm = sarama.NewConsumerGroupMetadataFromSession(bs[0].sess, c.group, c.instanceID)
		err = p.AddOffsetsToTxnWithGroupMetadata(offsets, gm)
	}
	ending := false
	if err == nil {
		if c.beforeCommit != nil {
			c.beforeCommit()
		}
		err = p.CommitTxn()
		ending = err != nil
	}
	c.m.TxnDuration.Observe(c.now().Sub(start).Seconds())
	if err != nil {
		c.fail(err)
		// A commit that failed and could not be aborted either (the
		// producer was closed) may have committed: EndTxn can time out
		// or meet NOT_COORDINATOR after the coordinator wrote
		// PrepareCommit (seen while __transaction_state moved in a
		// rolling restart). Retrying its batches would write them twice.
		if ending && c.prod == nil && c.committedAfterAll(bs) {
			c.log.Warn("the commit was reported failed but the transaction committed; its batches are done", "err", err)
			c.failures = 0
			c.m.TxnCommits.Inc()
			committed = true
			return nil
		}
		if gm == nil {
			return fmt.Errorf("commit transaction: %w", err)
		}
		return fmt.Errorf("commit transaction (generation %d): %w", gm.GenerationID, err)
	}
	c.failures = 0
	c.m.TxnCommits.Inc()
	committed = true
	return nil
}

// committedAfterAll tells whether the transaction of bs, whose EndTxn
// failed with its producer closed, committed after all. A new producer's
// InitProducerId first completes the old transaction (committed if the
// coordinator had written PrepareCommit, aborted otherwise); then the
// group's stable committed offset of a batch's partition says which: the
// offsets were committed in the transaction, so an offset at or past the
// batch's end means its records are written. When that cannot be read in
// time it answers false and the batches are retried, as before.
func (c *txnCommitter) committedAfterAll(bs []*batch) bool {
	if c.committedOffset == nil {
		return false
	}
	i := slices.IndexFunc(bs, func(b *batch) bool { return !b.noOffset })
	if i < 0 {
		return false
	}
	probe := bs[i]
	if err := c.ensureProducer(); err != nil {
		c.log.Warn("commit outcome unknown: no new producer to resolve it; retrying the batches", "err", err)
		return false
	}
	return resolveCommitted(probe.topic, probe.partition, probe.next, c.committedOffset, cmp.Or(c.resolveTimeout, 30*time.Second), c.log)
}

// resolveCommitted reads the committed offset of a partition until it is
// stable (or timeout passes) and reports whether it has reached next.
func resolveCommitted(topic string, partition int32, next int64, committedOffset func(string, int32) (int64, error), timeout time.Duration, log *slog.Logger) bool {
	deadline := time.Now().Add(timeout)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		off, err := committedOffset(topic, partition)
		if err == nil {
			return off >= next
		}
		if time.Now().After(deadline) {
			log.Error("commit outcome unknown: the committed offset could not be read; retrying the batches", "topic", topic, "partition", partition, "err", err)
			return false
		}
		time.Sleep(wait)
	}
}

// fail aborts the open transaction after err, or closes the producer when
// the error is fatal or the abort fails.
func (c *txnCommitter) fail(err error) {
	c.failures++
	st := c.prod.TxnStatus()
	fatal := st&sarama.ProducerTxnFlagFatalError != 0 || errors.Is(err, sarama.ErrProducerFenced)
	if !fatal && st&(sarama.ProducerTxnFlagInTransaction|sarama.ProducerTxnFlagAbortableError) != 0 {
		if aerr := c.prod.AbortTxn(); aerr == nil {
			c.m.TxnAborts.Inc()
			c.log.Warn("transaction aborted", "err", err, "consecutive_failures", c.failures)
			return
		} else {
			err = fmt.Errorf("%w; abort: %w", err, aerr)
		}
	}
	c.m.TxnAborts.Inc()
	c.m.ProducerRestarts.Inc()
	isFenced := fenced(err)
	if isFenced {
		c.m.ProducerFenced.Inc()
	}
	// sarama names error code 90 (PRODUCER_FENCED) "Unknown error, how did
	// this happen?": the fenced attribute says it plainly.
	c.log.Error("producer failed; closing it, a new one will fence the old epoch", "err", err, "fenced", isFenced, "status", st.String())
	if cerr := c.closeProducer(); cerr != nil {
		c.log.Warn("close failed producer", "err", cerr)
	}
}

// fenced reports whether err says that the producer's epoch is no longer
// current: a newer producer with the same transactional id initialised, or
// the coordinator aborted a timed-out transaction and bumped the epoch.
func fenced(err error) bool {
	return errors.Is(err, sarama.ErrProducerFenced) || errors.Is(err, sarama.ErrInvalidProducerEpoch)
}

// ensureProducer creates the producer if there is none.
func (c *txnCommitter) ensureProducer() error {
	if c.prod != nil {
		return nil
	}
	p, err := c.newProducer()
	if err != nil {
		return fmt.Errorf("create transactional producer: %w", err)
	}
	c.prod = p
	c.prodDone = drainErrors(p, c.m, c.log)
	c.onProducer(true)
	return nil
}

// closeProducer closes the producer, if any, and waits for its error drain.
func (c *txnCommitter) closeProducer() error {
	if c.prod == nil {
		return nil
	}
	c.onProducer(false)
	err := c.prod.Close()
	<-c.prodDone
	c.prod = nil
	return err
}

// drainErrors reads a producer's Errors channel until it closes, counting
// them; the returned channel closes then. Errors name topics and Kafka
// error codes, never record content.
func drainErrors(p sarama.AsyncProducer, m *metrics.Metrics, log *slog.Logger) chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for pe := range p.Errors() {
			m.ProducerErrors.Inc()
			// The transaction's outcome is logged once; each record's
			// error only at debug level.
			log.Debug("produce failed", "topic", pe.Msg.Topic, "partition", pe.Msg.Partition, "err", pe.Err)
		}
	}()
	return done
}

// committedOffset reads the group's committed offset of a partition from
// its coordinator, asking for a stable one (OffsetFetch with
// require_stable, Kafka 2.5+): while a transaction with offsets for it is
// pending, the coordinator answers UNSTABLE_OFFSET_COMMIT, an error here.
func (p *Pipeline) committedOffset(topic string, partition int32) (int64, error) {
	group := p.cfg.Kafka.Group
	if err := p.client.RefreshCoordinator(group); err != nil {
		return 0, err
	}
	coord, err := p.client.Coordinator(group)
	if err != nil {
		return 0, err
	}
	req := sarama.NewOffsetFetchRequest(p.client.Config().Version, group, nil)
	req.RequireStable = req.Version >= 7
	req.AddPartition(topic, partition)
	resp, err := coord.FetchOffset(req)
	if err != nil {
		return 0, err
	}
	kerr := resp.Err
	if resp.Version >= 8 && len(resp.Groups) > 0 {
		kerr = resp.Groups[0].Err
	}
	if !errors.Is(kerr, sarama.ErrNoError) {
		return 0, kerr
	}
	blk := resp.GetBlock(topic, partition)
	if blk == nil {
		return 0, fmt.Errorf("offset fetch: no answer for %s/%d", topic, partition)
	}
	if !errors.Is(blk.Err, sarama.ErrNoError) {
		return 0, blk.Err
	}
	return blk.Offset, nil
}
