package pipeline

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestAtLeastOnceCommitBeforeNextBatch: with at-least-once delivery a batch
// is done (counted, and its claim free to submit the next one) only once
// its offset is committed, so the committed offsets always cover every
// record counted clean, and a crash replays at most the one batch in
// flight per partition. Sampled while a backlog is processed (the case of
// a restart's catch-up burst): the clean count, read first, must never be
// ahead of the committed offsets, read after it. With offsets committed on
// a timer instead, it was ahead by up to 100 ms of records.
func TestAtLeastOnceCommitBeforeNextBatch(t *testing.T) {
	c := startCluster(t, 3)
	const n = 20000
	produce(t, c.Addrs(), jsonRecords(n))
	cfg := testConfig(c.Addrs())
	cfg.Delivery = config.AtLeastOnce
	cfg.Batch.MaxRecords = 50
	adm, err := sarama.NewClusterAdmin(c.Addrs(), sarama.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	committed := func() int64 {
		offs, err := adm.ListConsumerGroupOffsets(cfg.Kafka.Group, nil)
		if errors.Is(err, sarama.ErrGroupIDNotFound) {
			return 0 // not joined yet
		}
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, blocks := range offs.Blocks {
			for _, b := range blocks {
				total += max(0, b.Offset)
			}
		}
		return total
	}
	in := newInstance(t, cfg, rulestest.Engine(t, ""), "", nil).start()
	defer in.stop(t)
	clean := in.p.Metrics().Records.WithLabelValues("clean")
	samples, moving := 0, 0
	deadline := time.Now().Add(waitLong)
	for last := -1.0; ; samples++ {
		counted := testutil.ToFloat64(clean)
		offsets := committed()
		if float64(offsets) < counted {
			t.Fatalf("sample %d: %.0f records counted clean but offsets committed for %d only", samples, counted, offsets)
		}
		if counted != last && counted > 0 && counted < n {
			moving++
		}
		last = counted
		if counted == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%.0f of %d records after %v", counted, n, waitLong)
		}
	}
	if moving < 5 {
		t.Fatalf("only %d of %d samples caught the backlog being processed; the check saw nothing", moving, samples)
	}
	t.Logf("%d samples, %d while records were processed", samples, moving)
}

// ackProducer is an idempotent producer that acknowledges every record,
// failing those whose value is "fail".
type ackProducer struct {
	sarama.AsyncProducer // not called: the methods below are all the committer uses
	in                   chan *sarama.ProducerMessage
	ok                   chan *sarama.ProducerMessage
	errs                 chan *sarama.ProducerError
	done                 chan struct{}
}

func newAckProducer() *ackProducer {
	p := &ackProducer{
		in: make(chan *sarama.ProducerMessage), ok: make(chan *sarama.ProducerMessage),
		errs: make(chan *sarama.ProducerError), done: make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		defer close(p.ok)
		defer close(p.errs)
		for m := range p.in {
			if v, _ := m.Value.Encode(); string(v) == "fail" {
				p.errs <- &sarama.ProducerError{Msg: m, Err: sarama.ErrNotEnoughReplicas}
			} else {
				p.ok <- m
			}
		}
	}()
	return p
}

func (p *ackProducer) Input() chan<- *sarama.ProducerMessage     { return p.in }
func (p *ackProducer) Successes() <-chan *sarama.ProducerMessage { return p.ok }
func (p *ackProducer) Errors() <-chan *sarama.ProducerError      { return p.errs }
func (p *ackProducer) Close() error                              { close(p.in); <-p.done; return nil }

// TestAckCommitter: at least once, a batch is done only when every record
// is acknowledged and its offset is marked and committed, in that order; a
// batch with a failed record is done with the error and marks nothing; a
// batch without records marks and commits its offset at once.
func TestAckCommitter(t *testing.T) {
	sess := &fakeSession{gen: 1}
	c := newAckCommitter(newAckProducer(), testLogger(t), testMetrics(t))
	c.start()
	defer func() {
		if err := c.close(); err != nil {
			t.Error(err)
		}
	}()

	b := testBatch(sess, rawTopic, 1, 10, "a", "b", "c")
	c.submit(b)
	if err := outcome(t, b); err != nil {
		t.Fatalf("batch failed: %v", err)
	}
	if got, want := sess.log(), []string{"mark logs.raw/1=10", "commit"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("session saw %q, want %q", got, want)
	}

	bad := testBatch(sess, rawTopic, 1, 13, "d", "fail", "e")
	c.submit(bad)
	if err := outcome(t, bad); !errors.Is(err, sarama.ErrNotEnoughReplicas) {
		t.Fatalf("batch with a failed record: %v, want the producer's error", err)
	}
	if got := sess.log(); len(got) != 2 {
		t.Fatalf("a failed batch marked or committed: %q", got)
	}

	empty := testBatch(sess, rawTopic, 2, 5)
	c.submit(empty)
	if err := outcome(t, empty); err != nil {
		t.Fatal(err)
	}
	if got, want := sess.log()[2:], []string{"mark logs.raw/2=5", "commit"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("empty batch: session saw %q, want %q", got, want)
	}
	c.claimDone(sess)
	if got := sess.log(); got[len(got)-1] != "commit" || len(got) != 5 {
		t.Fatalf("claimDone: session saw %q, want a final commit", got)
	}
}
