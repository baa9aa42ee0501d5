package pipeline

import (
	"log/slog"
	"slices"
	"sync"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/metrics"
)

// ackCommitter commits batches at least once: the records go through one
// idempotent producer shared by all claims; when every record of a batch is
// acknowledged, the batch's offset is marked on its session and committed,
// and only then is the batch done, so that its claim submits the next one.
// A claim has one batch submitted at a time, so at any moment a partition
// has at most one batch whose records may be written but whose offset is
// not committed: a crash duplicates at most that batch per partition the
// process owned (batch.max_records records), none is lost. (While offset
// commits fail, for example during a coordinator move, marked offsets wait
// for the next commit and the bound grows by the batches done meanwhile.)
//
// Commits are grouped: the batches marked while a commit is under way are
// committed together by the next one, one OffsetCommit request per session.
// Before this, marked offsets were committed every 100 ms, and a crash right
// after a restart's catch-up burst replayed thousands of records.
type ackCommitter struct {
	prod sarama.AsyncProducer
	log  *slog.Logger
	m    *metrics.Metrics

	mu sync.Mutex // guards the acks and ackErr of batches
	// marked takes the batches whose offsets are marked, to be committed.
	marked chan *batch

	stop chan struct{}
	wg   sync.WaitGroup
}

func newAckCommitter(prod sarama.AsyncProducer, log *slog.Logger, m *metrics.Metrics) *ackCommitter {
	return &ackCommitter{prod: prod, log: log, m: m, marked: make(chan *batch), stop: make(chan struct{})}
}

// start runs the goroutines reading acknowledgements and committing marked
// offsets; close stops them.
func (c *ackCommitter) start() {
	c.wg.Add(3)
	go func() {
		defer c.wg.Done()
		for msg := range c.prod.Successes() {
			c.ack(msg.Metadata.(*batch), nil)
		}
	}()
	go func() {
		defer c.wg.Done()
		for pe := range c.prod.Errors() {
			c.m.ProducerErrors.Inc()
			c.log.Warn("produce failed", "topic", pe.Msg.Topic, "partition", pe.Msg.Partition, "err", pe.Err)
			c.ack(pe.Msg.Metadata.(*batch), pe.Err)
		}
	}()
	go func() {
		defer c.wg.Done()
		c.commitLoop()
	}()
}

// commitLoop commits the offsets of marked batches, those marked while a
// commit was under way together, and then reports each batch done.
func (c *ackCommitter) commitLoop() {
	var group []*batch
	for {
		select {
		case b := <-c.marked:
			group = append(group[:0], b)
		case <-c.stop:
			return
		}
	more:
		for {
			select {
			case b := <-c.marked:
				group = append(group, b)
			default:
				break more
			}
		}
		for i, b := range group {
			if !slices.ContainsFunc(group[:i], func(o *batch) bool { return o.sess == b.sess }) {
				b.sess.Commit()
			}
		}
		for _, b := range group {
			b.done <- nil
		}
		clear(group)
	}
}

func (c *ackCommitter) submit(b *batch) {
	c.mu.Lock()
	b.acks, b.ackErr = len(b.out), nil
	c.mu.Unlock()
	if len(b.out) == 0 {
		c.finish(b, nil)
		return
	}
	for _, m := range b.out {
		c.prod.Input() <- m
	}
}

// ack records the outcome of one record of b.
func (c *ackCommitter) ack(b *batch, err error) {
	c.mu.Lock()
	if err != nil && b.ackErr == nil {
		b.ackErr = err
	}
	b.acks--
	last, ackErr := b.acks == 0, b.ackErr
	c.mu.Unlock()
	if last {
		c.finish(b, ackErr)
	}
}

// finish marks b's offset and hands b to commitLoop, which reports it
// done once the offset is committed; a failed b is done at once. When the
// committer is closing, b's offset is committed here.
func (c *ackCommitter) finish(b *batch, err error) {
	if err == nil {
		b.sess.MarkOffset(b.topic, b.partition, b.next, "")
		select {
		case c.marked <- b:
			return
		case <-c.stop:
			b.sess.Commit()
		}
	}
	b.done <- err
}

// claimDone commits the offsets marked so far, when a claim ends.
func (c *ackCommitter) claimDone(sess sarama.ConsumerGroupSession) { sess.Commit() }

// close stops the goroutines and closes the producer.
func (c *ackCommitter) close() error {
	close(c.stop)
	err := c.prod.Close()
	c.wg.Wait()
	return err
}
