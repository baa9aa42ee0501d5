package privacy

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/scrubd/scrubd/pipeline/internal/scrape"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/rules"
)

const waitLong = 30 * time.Second

func startKafka(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, DefaultTopic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// producer writes records to the privacy topic, as kcat or a privacy
// portal would.
type producer struct {
	t  *testing.T
	cl *kgo.Client
}

func newProducer(t *testing.T, addrs []string, opts ...kgo.Opt) *producer {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(DefaultTopic)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &producer{t: t, cl: cl}
}

func (p *producer) send(key string, value []byte) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	r := &kgo.Record{Value: value}
	if key != "" {
		r.Key = []byte(key)
	}
	if err := p.cl.ProduceSync(ctx, r).FirstErr(); err != nil {
		p.t.Fatal(err)
	}
}

// events collects what a Reader reports.
type events struct {
	mu       sync.Mutex
	events   []Event
	rejected []Rejected
}

func (e *events) onEvent(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, ev)
}

func (e *events) onRejected(r Rejected) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rejected = append(e.rejected, r)
}

func (e *events) snapshot() ([]Event, []Rejected) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.events...), append([]Rejected(nil), e.rejected...)
}

func saramaConfig() *sarama.Config {
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Consumer.MaxWaitTime = 50 * time.Millisecond
	return sc
}

// startReader starts a Reader with a new Set and waits until it is ready.
func startReader(t *testing.T, addrs []string, keys *rules.Keyring, reg prometheus.Registerer) (*Reader, *Set, *events) {
	t.Helper()
	set, err := NewSet(keys, SetOptions{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ev := &events{}
	r, err := StartReader(ReaderOptions{
		Conn: compacted.Conn{Brokers: addrs, Config: saramaConfig()}, Set: set, OnEvent: ev.onEvent, OnRejected: ev.onRejected,
		Registerer: reg, Quiet: 100 * time.Millisecond, Check: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := r.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return r, set, ev
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReader(t *testing.T) {
	addrs := startKafka(t)
	keys := twoKeys(t)
	e := engine(t, keys)
	p := newProducer(t, addrs)
	now := time.Now()
	p.send("user_id:1", request("1", "user_id", Erase, now))
	p.send("email:jo", request("jo@example.com", "email", Restrict, now))
	p.send("bad", []byte(`{"subject":"jo@example.com","type":"mail","action":"erase"}`))
	// A request written in a transaction: the partition ends with a
	// commit marker.
	tp := newProducer(t, addrs, kgo.TransactionalID("portal"))
	if err := tp.cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	tp.send("phone:x", request("+4915112345678", "phone", WithdrawConsent, now))
	if err := tp.cl.EndTransaction(context.Background(), kgo.TryCommit); err != nil {
		t.Fatal(err)
	}

	reg := prometheus.NewRegistry()
	r, set, ev := startReader(t, addrs, keys, reg)
	for rec, want := range map[string]Action{
		`{"uid":1}`:                          Erase,
		`{"email":"jo@example.com"}`:         Restrict,
		`call +49 151 12345678`:              WithdrawConsent,
		`{"uid":2,"email":"al@example.com"}`: "",
	} {
		if a, ok := check(t, set, e, rec); a != want || ok != (want != "") {
			t.Errorf("%s: %q, want %q", rec, a, want)
		}
	}
	evs, rej := ev.snapshot()
	if len(evs) != 3 || len(rej) != 1 {
		t.Fatalf("%d events, %d rejected", len(evs), len(rej))
	}
	for _, x := range evs {
		if !x.Replay {
			t.Errorf("event at %d/%d not marked as replay", x.Partition, x.Offset)
		}
	}
	if rej[0].Reason != ReasonBadType || !rej[0].Replay || strings.Contains(rej[0].Err.Error(), "jo@") {
		t.Errorf("rejected: %+v", rej[0])
	}

	// Live requests apply to the records processed after them.
	p.send("user_id:1", request("1", "user_id", Restore, time.Now()))
	p.send("user_id:2", request("2", "user_id", Erase, time.Now()))
	waitFor(t, "live requests", func() bool {
		evs, _ := ev.snapshot()
		return len(evs) == 5
	})
	evs, _ = ev.snapshot()
	if evs[3].Replay || evs[3].After != Restore || !evs[4].Erased() || evs[4].Replay {
		t.Errorf("live events: %+v", evs[3:])
	}
	if _, ok := check(t, set, e, `{"uid":1}`); ok {
		t.Error("restored subject suppressed")
	}
	if a, _ := check(t, set, e, `{"uid":2}`); a != Erase {
		t.Error("live erase not applied")
	}
	if got := testutil.ToFloat64(r.m.requests(Erase, outcomeApplied)); got != 2 {
		t.Errorf("erase requests %v", got)
	}
	if got := testutil.ToFloat64(r.m.rejected.WithLabelValues(string(ReasonBadType))); got != 1 {
		t.Errorf("rejected %v", got)
	}
	if got := testutil.ToFloat64(r.m.caughtUp); got != 1 {
		t.Errorf("caught up %v", got)
	}
	if n := testutil.CollectAndCount(r.m.applyLag); n != 1 {
		t.Errorf("apply lag series %d", n)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart rebuilds the same set from the topic.
	_, set2, _ := startReader(t, addrs, keys, nil)
	for rec, want := range map[string]Action{
		`{"uid":1}`:                  "",
		`{"uid":2}`:                  Erase,
		`{"email":"jo@example.com"}`: Restrict,
		`call +49 151 12345678`:      WithdrawConsent,
	} {
		if a, ok := check(t, set2, e, rec); a != want || ok != (want != "") {
			t.Errorf("after restart, %s: %q, want %q", rec, a, want)
		}
	}
}

func TestReaderEmptyTopic(t *testing.T) {
	addrs := startKafka(t)
	_, set, _ := startReader(t, addrs, twoKeys(t), nil)
	if set.Len() != 0 {
		t.Errorf("Len = %d", set.Len())
	}
}

func TestReaderMissingTopic(t *testing.T) {
	addrs := startKafka(t)
	set := newSet(t, twoKeys(t))
	r, err := StartReader(ReaderOptions{Conn: compacted.Conn{Brokers: addrs, Config: saramaConfig()}, Set: set, Topic: "no.such.topic"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := r.WaitReady(ctx); err == nil {
		t.Fatal("ready without a topic")
	}
	done := make(chan struct{})
	go func() {
		_ = r.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(waitLong):
		t.Fatal("Close hangs")
	}
	if err := r.WaitReady(context.Background()); err == nil {
		t.Fatal("WaitReady after Close")
	}
}

func TestStartReaderOptions(t *testing.T) {
	set := newSet(t, twoKeys(t))
	for _, o := range []ReaderOptions{
		{Conn: compacted.Conn{Config: saramaConfig(), Brokers: []string{"x:1"}}},
		{Set: set, Conn: compacted.Conn{Brokers: []string{"x:1"}}},
		{Set: set, Conn: compacted.Conn{Config: saramaConfig()}},
	} {
		if r, err := StartReader(o); err == nil {
			_ = r.Close()
			t.Errorf("%+v accepted", o)
		}
	}
}

// scrapeReader serves reg as the binary's /metrics does and returns the
// values of the reader's caught-up gauge and error counter, parsed from the
// exposition text.
func scrapeReader(t *testing.T, reg *prometheus.Registry) (caughtUp, errs float64) {
	t.Helper()
	mfs := scrape.Families(t, reg)
	c, e := mfs["scrubd_privacy_reader_caught_up"], mfs["scrubd_privacy_reader_errors_total"]
	if c == nil || e == nil || len(c.GetMetric()) != 1 || len(e.GetMetric()) != 1 {
		t.Fatalf("caught_up %v, errors_total %v: want one series each", c, e)
	}
	return c.GetMetric()[0].GetGauge().GetValue(), e.GetMetric()[0].GetCounter().GetValue()
}

// TestReaderMetricsWithoutTopic checks that a reader that cannot read its
// topic says so: not caught up, and its errors counted.
func TestReaderMetricsWithoutTopic(t *testing.T) {
	addrs := startKafka(t)
	reg := prometheus.NewRegistry()
	r, err := StartReader(ReaderOptions{Conn: compacted.Conn{Brokers: addrs, Config: saramaConfig()}, Set: newSet(t, twoKeys(t)), Topic: "no.such.topic", Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	waitFor(t, "read errors to be counted", func() bool { _, e := scrapeReader(t, reg); return e >= 1 })
	if c, _ := scrapeReader(t, reg); c != 0 {
		t.Errorf("caught_up %v without a topic, want 0", c)
	}
}

// TestReaderMetricsOutage stops the brokers under a reader that has caught
// up: the failed reads are counted and it is not caught up (requests made
// meanwhile are not seen), and once the brokers are back the reader follows
// the topic again, caught up.
func TestReaderMetricsOutage(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, DefaultTopic))
	if err != nil {
		t.Fatal(err)
	}
	addrs := c.ListenAddrs()
	_, portText, _ := strings.Cut(addrs[0], ":")
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	keys := twoKeys(t)
	reg := prometheus.NewRegistry()
	_, set, _ := startReader(t, addrs, keys, reg)
	if cu, e := scrapeReader(t, reg); cu != 1 || e != 0 {
		t.Fatalf("after the start: caught_up %v, errors %v; want 1, 0", cu, e)
	}

	c.Close()
	waitFor(t, "read errors during the outage", func() bool { _, e := scrapeReader(t, reg); return e >= 1 })
	waitFor(t, "not caught up during the outage", func() bool { cu, _ := scrapeReader(t, reg); return cu == 0 })

	c2, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.SeedTopics(1, DefaultTopic))
	if err != nil {
		t.Skipf("cannot listen on port %d again: %v", port, err)
	}
	defer c2.Close()
	newProducer(t, addrs).send("user_id:7", request("7", "user_id", Erase, time.Now()))
	e := engine(t, keys)
	waitFor(t, "a request made after the outage to apply", func() bool { a, _ := check(t, set, e, `{"uid":7}`); return a == Erase })
	waitFor(t, "caught up after the outage", func() bool { cu, _ := scrapeReader(t, reg); return cu == 1 })
}

// TestReaderMetricsTopicDeleted deletes the privacy topic under a reader
// that has caught up: it is not caught up while the topic is missing, and
// the requests it held stay in force.
func TestReaderMetricsTopicDeleted(t *testing.T) {
	addrs := startKafka(t)
	keys := twoKeys(t)
	newProducer(t, addrs).send("user_id:1", request("1", "user_id", Erase, time.Now()))
	reg := prometheus.NewRegistry()
	_, set, _ := startReader(t, addrs, keys, reg)
	if cu, _ := scrapeReader(t, reg); cu != 1 {
		t.Fatalf("caught_up %v after the start, want 1", cu)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteTopicsRequest()
	req.TopicNames = []string{DefaultTopic}
	dt := kmsg.NewDeleteTopicsRequestTopic()
	dt.Topic = kmsg.StringPtr(DefaultTopic)
	req.Topics = append(req.Topics, dt)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		t.Fatalf("delete topic: %v", err)
	}
	waitFor(t, "not caught up without the topic", func() bool { cu, _ := scrapeReader(t, reg); return cu == 0 })
	if _, e := scrapeReader(t, reg); e < 1 {
		t.Errorf("errors_total %v after the topic vanished, want >= 1", e)
	}
	if a, _ := check(t, set, engine(t, keys), `{"uid":1}`); a != Erase {
		t.Errorf("the erasure read before is no longer in force: %q", a)
	}
}
