package pipeline

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/metrics"
)

// ackCommitter commits batches at least once: the records go through one
// idempotent producer shared by all claims; when every record of a batch is
// acknowledged, the batch's offset is marked on its session, in order (a
// claim has one batch submitted at a time), and marked offsets are
// committed every ackCommitInterval and when a claim ends. A crash between the
// acknowledgement and the offset commit duplicates records; none is lost.
type ackCommitter struct {
	prod sarama.AsyncProducer
	log  *slog.Logger
	m    *metrics.Metrics

	mu   sync.Mutex // guards the acks and ackErr of batches
	sess atomic.Pointer[sarama.ConsumerGroupSession]

	stop chan struct{}
	wg   sync.WaitGroup
}

// ackCommitInterval is how often marked offsets are committed. A commit
// costs one OffsetCommit request when some offset moved and nothing
// otherwise; the interval bounds what a crash replays: after a restart's
// catch-up burst, one second held thousands of records.
const ackCommitInterval = 100 * time.Millisecond

func newAckCommitter(prod sarama.AsyncProducer, log *slog.Logger, m *metrics.Metrics) *ackCommitter {
	return &ackCommitter{prod: prod, log: log, m: m, stop: make(chan struct{})}
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
		t := time.NewTicker(ackCommitInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if s := c.sess.Load(); s != nil {
					(*s).Commit()
				}
			case <-c.stop:
				return
			}
		}
	}()
}

func (c *ackCommitter) submit(b *batch) {
	c.sess.Store(&b.sess)
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

func (c *ackCommitter) finish(b *batch, err error) {
	if err == nil {
		b.sess.MarkOffset(b.topic, b.partition, b.next, "")
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
