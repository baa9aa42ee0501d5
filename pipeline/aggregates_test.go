package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/internal/kafkatest"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules/rulestest"
)

const (
	aggTopic       = "logs.aggregates"
	changelogTopic = "logs.aggregates.changelog"
)

// aggPolicy drops health checks; minors (age below 16) are dropped from
// clean outputs and, with minors.aggregate off, not counted.
const aggPolicy = `
fields:
  - {path: "event", action: drop_record, values: [healthcheck]}
`

// startAggCluster starts a broker with the raw, clean, dead-letter,
// aggregates and changelog topics.
func startAggCluster(t testing.TB, rawParts int32) *embedded.Cluster {
	t.Helper()
	c, err := embedded.Start([]embedded.Topic{
		{Name: rawTopic, Partitions: rawParts}, {Name: cleanTopic, Partitions: 3}, {Name: dlqTopic, Partitions: 1},
		{Name: aggTopic, Partitions: 2}, {Name: changelogTopic, Partitions: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// aggConfig is testConfig with aggregates on: one-minute windows, 5 s of
// lateness, k 5, and flush_after as given.
func aggConfig(addrs []string, flushAfter time.Duration) *config.Config {
	cfg := testConfig(addrs)
	cfg.Topics.Aggregates = aggTopic
	cfg.Aggregates.Enabled = true
	cfg.Aggregates.Window = config.Duration(time.Minute)
	cfg.Aggregates.AllowedLateness = config.Duration(5 * time.Second)
	cfg.Aggregates.FlushAfter = config.Duration(flushAfter)
	cfg.Aggregates.K = 5
	cfg.Aggregates.MaxFuture = config.Duration(time.Hour)
	return cfg
}

var aggBase = time.Date(2024, 3, 5, 7, 0, 0, 0, time.UTC)

// aggInput is a set of raw records and what the aggregates of them must be.
type aggInput struct {
	values [][]byte
	want   map[string]int64 // records per window start that the policy lets through
	minors int              // minors' records (not health checks)
}

// aggRecords returns n records from number first on, 100 ms apart in
// event time, with every 40th record three minutes late, every 50th a
// minor's and every 70th a health check.
func aggRecords(first, n int) aggInput {
	events := []string{"login", "page_view", "add_to_cart"}
	paths := []string{"/users/%d/orders", "/api/v1/cart?item=%d", "/p/%d"}
	agents := []string{"curl/8.5.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"}
	in := aggInput{values: make([][]byte, n), want: map[string]int64{}}
	for k := range n {
		i := first + k
		ts := aggBase.Add(time.Duration(i) * 100 * time.Millisecond)
		if i%40 == 39 {
			ts = ts.Add(-3 * time.Minute)
		}
		event, age := events[i%3], 30
		if i%70 == 69 {
			event = "healthcheck"
		}
		if i%50 == 49 {
			age = 12
		}
		in.values[k] = fmt.Appendf(nil, `{"seq":%d,"ts":%q,"event":%q,"path":%q,"status":%d,"user_agent":%q,"client_ip":"81.2.69.%d","email":"user%d@example.com","age":%d}`,
			i, ts.Format(time.RFC3339Nano), event, fmt.Sprintf(paths[i%3], i), []int{200, 404}[i%2], agents[i%2], i%250, i, age)
		switch {
		case event == "healthcheck":
		case age < 16:
			in.minors++
		default:
			in.want[ts.Truncate(time.Minute).Format(time.RFC3339)]++
		}
	}
	return in
}

// aggRecord is a record of the aggregates topic.
type aggRecord struct {
	WindowStart string            `json:"window_start"`
	WindowEnd   string            `json:"window_end"`
	Dims        map[string]string `json:"dims"`
	Count       int64             `json:"count"`
	Correction  bool              `json:"correction"`
}

// identifying matches what must never be in an aggregate: e-mail
// addresses, pseudonyms (key id "test"), digits of ids, addresses.
var identifying = regexp.MustCompile(`@|_test_|81\.2\.69|/[0-9]`)

// readAggregates reads the aggregates topic, read_committed, until the
// counts add up to want or the deadline passes, then a second longer to
// catch extra records. It checks every record's shape and contents.
func readAggregates(t *testing.T, addrs []string, want int64) (map[string]int64, []aggRecord) {
	t.Helper()
	cl := newClient(t, addrs, kgo.ConsumeTopics(aggTopic), kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	sums := map[string]int64{}
	var recs []aggRecord
	var total int64
	deadline := time.Now().Add(waitLong)
	var extra time.Time
	for time.Now().Before(deadline) {
		if total >= want {
			if extra.IsZero() {
				extra = time.Now().Add(time.Second)
			} else if time.Now().After(extra) {
				break
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			var a aggRecord
			if err := json.Unmarshal(r.Value, &a); err != nil || a.WindowStart == "" || a.Count <= 0 || len(a.Dims) != 8 {
				t.Fatalf("bad aggregate record %s: %v", r.Value, err)
			}
			if class, _ := headerOf(r, wire.HeaderClass); class != wire.DataClassAggregate {
				t.Fatalf("aggregate record with class %q", class)
			}
			if identifying.Match(r.Value) {
				t.Fatalf("identifying data in aggregate %s", r.Value)
			}
			recs = append(recs, a)
			sums[a.WindowStart] += a.Count
			total += a.Count
		})
	}
	return sums, recs
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// checkAggregates fails unless the aggregates add up, window by window, to
// want, and small buckets were folded.
func checkAggregates(t *testing.T, got map[string]int64, recs []aggRecord, want map[string]int64) {
	t.Helper()
	for w, n := range want {
		if got[w] != n {
			t.Errorf("window %s: aggregates count %d records, want %d", w, got[w], n)
		}
	}
	for w, n := range got {
		if _, ok := want[w]; !ok {
			t.Errorf("window %s: %d records counted, want none", w, n)
		}
	}
	var other, corrections int
	for _, r := range recs {
		if r.Dims["event"] == "__other__" {
			other++
		} else if r.Count < 5 {
			t.Errorf("bucket of %d records emitted, k is 5: %+v", r.Count, r)
		}
		if r.Correction {
			corrections++
		}
	}
	if other == 0 || corrections == 0 {
		t.Errorf("%d __other__ buckets and %d corrections; the records make both", other, corrections)
	}
}

// TestAggregatesExactlyOnce counts records into windows with an aborted
// transaction on the way: the aggregates add up, window by window, to the
// records the policy let through, minors and health checks excluded, late
// records included as corrections.
func TestAggregatesExactlyOnce(t *testing.T) {
	c := startAggCluster(t, 3)
	input := aggRecords(0, 3000)
	want := input.want
	produce(t, c.Addrs(), input.values)
	failed := kafkatest.FailTxnOffsetCommits(c.Kfake(), kerr.UnknownMemberID, 1)
	cfg := aggConfig(c.Addrs(), 300*time.Millisecond)
	in := newInstance(t, cfg, rulestest.Engine(t, aggPolicy), "scrubd-agg", nil).start()
	got, recs := readAggregates(t, c.Addrs(), sum(want))
	in.stop(t)
	<-failed
	checkAggregates(t, got, recs, want)
	m := in.p.Metrics()
	if n := testutil.ToFloat64(m.Aggregate.Counted); int64(n) != sum(want) {
		t.Errorf("counted records %v, want %d", n, sum(want))
	}
	if n := testutil.ToFloat64(m.Aggregate.Late); n < 1 {
		t.Errorf("late records %v, want some", n)
	}
	if n := testutil.ToFloat64(m.Records.WithLabelValues("minor")); int(n) != input.minors {
		t.Errorf("minor records %v, want %d", n, input.minors)
	}
	if n := testutil.ToFloat64(m.Records.WithLabelValues("clean")); int64(n) != sum(want) {
		t.Errorf("clean records %v, want %d", n, sum(want))
	}
	if n := testutil.ToFloat64(m.TxnAborts); n < 1 {
		t.Errorf("no transaction aborted")
	}
}

// TestAggregatesRebalanceRestore moves partitions between instances while
// their windows are open: instance A never flushes, so the counts of its
// open windows reach the aggregates only if B restores them from the
// changelog when it takes A's partitions, first in a rebalance while both
// run, then when A stops. The aggregates add up exactly.
func TestAggregatesRebalanceRestore(t *testing.T) {
	c := startAggCluster(t, 4)
	first, second := aggRecords(0, 2000), aggRecords(2000, 2000)
	want := maps.Clone(first.want)
	for w, n := range second.want {
		want[w] += n
	}
	produce(t, c.Addrs(), first.values)
	a := newInstance(t, aggConfig(c.Addrs(), time.Hour), rulestest.Engine(t, aggPolicy), "scrubd-agg-a", nil).start()
	firstClean := float64(sum(first.want))
	waitFor(t, "A to scrub the first records", func() bool {
		return testutil.ToFloat64(a.p.Metrics().Records.WithLabelValues("clean")) >= firstClean
	})
	if testutil.ToFloat64(a.p.Metrics().Aggregate.OpenBuckets) == 0 {
		t.Fatal("A holds no open window; the test would prove nothing")
	}
	b := newInstance(t, aggConfig(c.Addrs(), 300*time.Millisecond), rulestest.Engine(t, aggPolicy), "scrubd-agg-b", nil).start()
	waitFor(t, "B to restore a partition", func() bool {
		return testutil.ToFloat64(b.p.Metrics().Aggregate.Restores.WithLabelValues("ok")) >= 1
	})
	produce(t, c.Addrs(), second.values)
	waitFor(t, "B to commit", func() bool { return testutil.ToFloat64(b.p.Metrics().TxnCommits) >= 2 })
	a.stop(t)
	got, recs := readAggregates(t, c.Addrs(), sum(want))
	b.stop(t)
	checkAggregates(t, got, recs, want)
	restored := testutil.ToFloat64(b.p.Metrics().Aggregate.Restores.WithLabelValues("ok"))
	if restored < 4 {
		t.Errorf("B restored %v partitions, want all 4 in the end", restored)
	}
}

// TestAggregatesOffAtLeastOnce: at least once, aggregates are off (their
// state needs the transactions), and the pipeline still starts.
func TestAggregatesOffAtLeastOnce(t *testing.T) {
	cfg := aggConfig([]string{"127.0.0.1:1"}, time.Second)
	cfg.Delivery = config.AtLeastOnce
	if in := newInstance(t, cfg, rulestest.Engine(t, ""), "", nil); in.p.agg != nil {
		t.Fatal("aggregates on with at-least-once delivery")
	}
	cfg.Delivery = config.ExactlyOnce
	if in := newInstance(t, cfg, rulestest.Engine(t, ""), "x", nil); in.p.agg == nil {
		t.Fatal("aggregates off with exactly-once delivery")
	}
}
