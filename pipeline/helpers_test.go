package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/decision"
	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/rules"
)

// Topic names of the tests.
const (
	rawTopic   = "logs.raw"
	cleanTopic = "logs.clean"
	dlqTopic   = "logs.dlq"
)

// waitLong bounds every poll; generous for a loaded 2-core machine.
const waitLong = 60 * time.Second

func startCluster(t testing.TB, rawParts int32, opts ...kfake.Opt) *embedded.Cluster {
	t.Helper()
	c, err := embedded.Start([]embedded.Topic{{Name: rawTopic, Partitions: rawParts}, {Name: cleanTopic, Partitions: 3}, {Name: dlqTopic, Partitions: 1}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// testConfig is a configuration for the cluster with short timeouts.
func testConfig(addrs []string) *config.Config {
	c := config.Default()
	c.Kafka.Brokers = addrs
	c.Kafka.SessionTimeout = config.Duration(10 * time.Second)
	c.Kafka.RebalanceTimeout = config.Duration(30 * time.Second)
	c.Topics.Input = []string{rawTopic}
	c.Topics.Clean = cleanTopic
	c.Topics.DeadLetter = dlqTopic
	c.HTTP.Addr = "127.0.0.1:0"
	c.Batch.Linger = config.Duration(20 * time.Millisecond)
	c.Batch.MaxRecords = 200
	c.Shutdown.Timeout = config.Duration(30 * time.Second)
	return c
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// instance is a running pipeline.
type instance struct {
	p      *Pipeline
	reg    *prometheus.Registry
	cancel context.CancelFunc
	done   chan error
}

func newInstance(t testing.TB, cfg *config.Config, s decision.Scrubber, txnID string, edit func(*Pipeline)) *instance {
	t.Helper()
	reg := prometheus.NewRegistry()
	p, err := New(Options{
		Config: cfg, Scrubber: s, TransactionalID: txnID, Logger: testLogger(t),
		Registerer: reg, Version: "test", Known: KnownLabels(rules.Default()),
	})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(p)
	}
	return &instance{p: p, reg: reg}
}

func (in *instance) start() *instance {
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel = cancel
	in.done = make(chan error, 1)
	go func() { in.done <- in.p.Run(ctx) }()
	return in
}

// stop cancels the pipeline and waits for Run, failing on an error.
func (in *instance) stop(t testing.TB) {
	t.Helper()
	in.cancel()
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Run did not return after cancel")
	}
}

func newClient(t testing.TB, addrs []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addrs...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// produce writes records to the raw topic, each with the key of its
// index's partition so that records spread over partitions.
func produce(t testing.TB, addrs []string, values [][]byte) {
	t.Helper()
	cl := newClient(t, addrs, kgo.RecordPartitioner(kgo.RoundRobinPartitioner()), kgo.ProducerLinger(5*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for _, v := range values {
		wg.Add(1)
		cl.Produce(ctx, &kgo.Record{Topic: rawTopic, Value: v}, func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
}

// readTopic reads topic from the start, read_committed unless uncommitted
// is set, until want records arrived or the deadline passed, and then a
// little longer to catch extra records.
func readTopic(t testing.TB, addrs []string, topic string, want int, uncommitted bool) []*kgo.Record {
	t.Helper()
	iso := kgo.ReadCommitted()
	if uncommitted {
		iso = kgo.ReadUncommitted()
	}
	cl := newClient(t, addrs, kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(iso), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var recs []*kgo.Record
	deadline := time.Now().Add(waitLong)
	extra := time.Time{}
	for time.Now().Before(deadline) {
		if len(recs) >= want {
			if extra.IsZero() {
				extra = time.Now().Add(500 * time.Millisecond)
			} else if time.Now().After(extra) {
				break
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	}
	return recs
}

// jsonRecords returns n JSON records with a seq field and personal data.
func jsonRecords(n int) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		out[i] = fmt.Appendf(nil, `{"seq":%d,"msg":"login from 203.0.%d.%d","email":"user%d@example.com","user_id":"acct-%d"}`, i, i%250, i%200+1, i, i)
	}
	return out
}

func seqOf(t testing.TB, v []byte) int {
	t.Helper()
	const p = `{"seq":`
	if len(v) < len(p) || string(v[:len(p)]) != p {
		t.Fatalf("record without seq: %.80q", v)
	}
	end := len(p)
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(string(v[len(p):end]))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func headerOf(r *kgo.Record, key string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func httpGet(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// defaultBatch returns the default batch settings.
func defaultBatch() config.Batch { return config.Default().Batch }
