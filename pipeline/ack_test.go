package pipeline

import (
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/config"
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
	in := newInstance(t, cfg, testEngine(t, ""), "", nil).start()
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
