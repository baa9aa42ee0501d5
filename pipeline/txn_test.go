package pipeline

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/record"
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
	in := newInstance(t, cfg, testEngine(t, ""), "scrubd-committed", nil).start()
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
	in := newInstance(t, cfg, testEngine(t, ""), "scrubd-idle-extras", nil).start()
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
