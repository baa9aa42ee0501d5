package pipeline

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/metrics"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestResolveCommitted: a commit whose answer was lost is resolved by the
// group's stable committed offset: at or past the batch's end it committed,
// before it it did not; while the coordinator says the offset is unstable
// (the transaction still completing) or cannot answer, it is asked again,
// and when it never answers the batch counts as not committed (retried).
func TestResolveCommitted(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	answers := func(errs int, off int64) func(string, int32) (int64, error) {
		return func(string, int32) (int64, error) {
			if errs > 0 {
				errs--
				return 0, sarama.ErrUnstableOffsetCommit
			}
			return off, nil
		}
	}
	for _, tc := range []struct {
		name string
		errs int
		off  int64
		want bool
	}{
		{"committed", 0, 120, true},
		{"committed past the batch", 0, 150, true},
		{"aborted", 0, 100, false},
		{"unstable twice, then committed", 2, 120, true},
		{"unstable twice, then aborted", 2, 100, false},
	} {
		if got := resolveCommitted("raw", 3, 120, answers(tc.errs, tc.off), 5*time.Second, log); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	never := func(string, int32) (int64, error) { return 0, errors.New("coordinator not available") }
	start := time.Now()
	if resolveCommitted("raw", 3, 120, never, 300*time.Millisecond, log) {
		t.Error("an offset that cannot be read counted as committed")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("gave up after %v, want about the 300 ms timeout", d)
	}
}

// TestCommittedOffset reads, from the embedded broker's group coordinator,
// the offsets the pipeline's transactions committed: they add up to the
// records processed.
func TestCommittedOffset(t *testing.T) {
	c := startCluster(t, 3)
	const n = 900
	produce(t, c.Addrs(), jsonRecords(n))
	cfg := testConfig(c.Addrs())
	in := newInstance(t, cfg, rulestest.Engine(t, ""), "scrubd-committed", nil).start()
	defer in.stop(t)
	clean := in.p.Metrics().Records.WithLabelValues("clean")
	waitFor(t, "every record committed", func() bool { return testutil.ToFloat64(clean) == n })
	var total int64
	for p := range int32(3) {
		off, err := in.p.committedOffset(rawTopic, p)
		if err != nil {
			t.Fatalf("partition %d: %v", p, err)
		}
		total += off
	}
	if total != n {
		t.Fatalf("committed offsets add up to %d, want %d", total, n)
	}
}

// TestExtrasFlushedWhenIdle: records queued outside batches (here the dead
// letter of a rejected privacy request; erasure tombstones go the same
// way) are committed in a transaction of their own when no input record
// comes to carry them, within about extrasFlush.
func TestExtrasFlushedWhenIdle(t *testing.T) {
	c := startCluster(t, 3)
	cfg := testConfig(c.Addrs())
	in := newInstance(t, cfg, rulestest.Engine(t, ""), "scrubd-idle-extras", nil).start()
	defer in.stop(t)
	waitFor(t, "the instance ready", func() bool { return testutil.ToFloat64(in.p.Metrics().Ready) == 1 })
	in.p.RejectRequest(&record.Record{Topic: "privacy.requests", Partition: 0, Offset: 7, Value: []byte("{not json")}, "invalid_json")
	recs := readTopic(t, c.Addrs(), dlqTopic, 1, false)
	if len(recs) != 1 {
		t.Fatalf("%d dead letters, want the rejected request's", len(recs))
	}
	for _, h := range recs[0].Headers {
		if h.Key == "scrubd-error" && string(h.Value) != "privacy_invalid_json" {
			t.Errorf("dead letter reason %q", h.Value)
		}
	}
}

// txnProducer is a transactional producer that holds the records sent in
// the open transaction and writes them at CommitTxn, which fails with
// commitErr (leaving status commitStatus) while it is set.
type txnProducer struct {
	sarama.AsyncProducer // not called: the methods below are all the committer uses
	in                   chan *sarama.ProducerMessage
	errs                 chan *sarama.ProducerError

	commitErr    error
	commitStatus sarama.ProducerTxnStatusFlag

	status      sarama.ProducerTxnStatusFlag
	written     []string // values of committed records
	offsets     []string // "topic/partition=offset" committed
	pending     []string
	aborts      int
	closed      bool
	generations []int32
}

func newTxnProducer() *txnProducer {
	return &txnProducer{in: make(chan *sarama.ProducerMessage, 1000), errs: make(chan *sarama.ProducerError), status: sarama.ProducerTxnFlagReady}
}

func (p *txnProducer) Input() chan<- *sarama.ProducerMessage { return p.in }
func (p *txnProducer) Errors() <-chan *sarama.ProducerError  { return p.errs }
func (p *txnProducer) TxnStatus() sarama.ProducerTxnStatusFlag {
	return p.status
}

func (p *txnProducer) BeginTxn() error {
	p.status = sarama.ProducerTxnFlagInTransaction
	return nil
}

func (p *txnProducer) AddOffsetsToTxnWithGroupMetadata(offsets map[string][]*sarama.PartitionOffsetMetadata, gm *sarama.ConsumerGroupMetadata) error {
	for topic, os := range offsets {
		for _, o := range os {
			p.pending = append(p.pending, fmt.Sprintf("%s/%d=%d", topic, o.Partition, o.Offset))
		}
	}
	p.generations = append(p.generations, gm.GenerationID)
	return nil
}

// take empties the records sent since the transaction began.
func (p *txnProducer) take() []string {
	var vs []string
	for {
		select {
		case m := <-p.in:
			v, _ := m.Value.Encode()
			vs = append(vs, string(v))
		default:
			return vs
		}
	}
}

func (p *txnProducer) CommitTxn() error {
	vs := p.take()
	if p.commitErr != nil {
		p.status = p.commitStatus
		return p.commitErr
	}
	p.written = append(p.written, vs...)
	p.offsets = append(p.offsets, p.pending...)
	p.pending = nil
	p.status = sarama.ProducerTxnFlagReady
	return nil
}

func (p *txnProducer) AbortTxn() error {
	p.take()
	p.pending = nil
	p.aborts++
	p.status = sarama.ProducerTxnFlagReady
	return nil
}

func (p *txnProducer) Close() error {
	if !p.closed {
		p.closed = true
		close(p.errs)
	}
	return nil
}

// newTestTxnCommitter returns a committer whose producers are made by
// newProducer in turn, and the list of them.
func newTestTxnCommitter(t *testing.T, m *metrics.Metrics) (*txnCommitter, *[]*txnProducer) {
	var made []*txnProducer
	c := newTxnCommitter(func() (sarama.AsyncProducer, error) {
		p := newTxnProducer()
		made = append(made, p)
		return p, nil
	}, "scrubd", testLogger(t), m, time.Now, func(bool) {})
	if err := c.init(); err != nil {
		t.Fatal(err)
	}
	return c, &made
}

// TestTxnCommitter: exactly once, the batches queued when a transaction
// starts commit in it together, records and offsets (none for a restore
// marker), with the extras waiting outside batches; an abortable failure
// aborts it and fails every batch in it, keeping the producer; a fenced
// producer is closed and the next transaction makes a new one.
func TestTxnCommitter(t *testing.T) {
	m := testMetrics(t)
	c, made := newTestTxnCommitter(t, m)
	var extrasDone []string
	c.extras = func() ([]*sarama.ProducerMessage, int) {
		return []*sarama.ProducerMessage{{Topic: dlqTopic, Value: sarama.StringEncoder("extra")}}, 1
	}
	c.extrasDone = func(n int, committed bool) { extrasDone = append(extrasDone, fmt.Sprint(n, committed)) }
	sess := &fakeSession{gen: 4}
	b1 := testBatch(sess, rawTopic, 0, 10, "a", "b")
	b2 := testBatch(sess, rawTopic, 1, 20, "c")
	marker := testBatch(sess, rawTopic, 2, 0, "marker")
	marker.noOffset = true
	// Queued before the loop starts: one transaction takes all three.
	c.submit(b1)
	c.submit(b2)
	c.submit(marker)
	c.start()
	for _, b := range []*batch{b1, b2, marker} {
		if err := outcome(t, b); err != nil {
			t.Fatalf("batch %s/%d: %v", b.topic, b.partition, err)
		}
	}
	p := (*made)[0]
	if got, want := fmt.Sprint(p.written), "[extra a b c marker]"; got != want {
		t.Errorf("written %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(p.offsets), "[logs.raw/0=10 logs.raw/1=20]"; got != want {
		t.Errorf("offsets %s, want %s (none for the marker)", got, want)
	}
	if fmt.Sprint(p.generations) != "[4]" || testutil.ToFloat64(m.TxnCommits) != 1 || fmt.Sprint(extrasDone) != "[1 true]" {
		t.Errorf("generations %v, commits %v, extras done %v", p.generations, testutil.ToFloat64(m.TxnCommits), extrasDone)
	}
	c.extras, c.extrasDone = nil, nil

	// Abortable: the batch fails, the producer stays.
	p.commitErr, p.commitStatus = sarama.ErrNotEnoughReplicas, sarama.ProducerTxnFlagInTransaction|sarama.ProducerTxnFlagAbortableError
	b3 := testBatch(sess, rawTopic, 0, 15, "d")
	c.submit(b3)
	if err := outcome(t, b3); !errors.Is(err, sarama.ErrNotEnoughReplicas) {
		t.Fatalf("aborted batch: %v", err)
	}
	if p.aborts != 1 || p.closed || len(*made) != 1 || testutil.ToFloat64(m.TxnAborts) != 1 {
		t.Fatalf("aborts %d, closed %v, producers %d", p.aborts, p.closed, len(*made))
	}
	p.commitErr = nil
	c.submit(b3)
	if err := outcome(t, b3); err != nil {
		t.Fatalf("retried batch: %v", err)
	}
	if got := fmt.Sprint(p.written[len(p.written)-1:], p.offsets[len(p.offsets)-1:]); got != "[d] [logs.raw/0=15]" {
		t.Errorf("retried batch wrote %s", got)
	}

	// Fenced: the producer is closed; the next transaction has a new one.
	p.commitErr, p.commitStatus = sarama.ErrProducerFenced, sarama.ProducerTxnFlagFatalError
	b4 := testBatch(sess, rawTopic, 0, 16, "e")
	c.submit(b4)
	if err := outcome(t, b4); !errors.Is(err, sarama.ErrProducerFenced) {
		t.Fatalf("fenced batch: %v", err)
	}
	if !p.closed || testutil.ToFloat64(m.ProducerFenced) != 1 {
		t.Fatalf("fenced producer closed %v, fenced count %v", p.closed, testutil.ToFloat64(m.ProducerFenced))
	}
	c.submit(b4)
	if err := outcome(t, b4); err != nil {
		t.Fatalf("batch after the fence: %v", err)
	}
	if len(*made) != 2 || fmt.Sprint((*made)[1].written) != "[e]" {
		t.Fatalf("%d producers; the new one wrote %v", len(*made), (*made)[1].written)
	}
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	if !(*made)[1].closed {
		t.Error("close left the producer open")
	}
}

// TestTxnCommitterLostCommitAnswer: a commit reported failed by a producer
// that could not abort either (closed) counts as committed when the
// group's committed offset shows it did, and as failed when it shows it
// did not, so that its batch is neither lost nor written twice.
func TestTxnCommitterLostCommitAnswer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		committed int64
		wantErr   bool
	}{{"committed after all", 30, false}, {"not committed", 25, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c, made := newTestTxnCommitter(t, testMetrics(t))
			c.committedOffset = func(string, int32) (int64, error) { return tc.committed, nil }
			c.start()
			defer c.close()
			p := (*made)[0]
			p.commitErr, p.commitStatus = errors.New("EndTxn: request timed out"), sarama.ProducerTxnFlagFatalError
			b := testBatch(&fakeSession{gen: 1}, rawTopic, 0, 30, "a")
			c.submit(b)
			err := outcome(t, b)
			if (err != nil) != tc.wantErr {
				t.Fatalf("outcome %v, want error %v", err, tc.wantErr)
			}
			if len(*made) != 2 {
				t.Errorf("%d producers, want a new one to resolve the outcome", len(*made))
			}
		})
	}
}
