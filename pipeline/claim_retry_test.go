package pipeline

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/internal/kafkatest"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestSessionEndsDuringRetry: every transactional offset commit fails, so
// the claims wait between retries of their batches; when the session ends
// during such a wait (here the pipeline is stopped; in the fault suite the
// instance had been removed from the group), the claims must return at
// once instead of waiting for an outcome of a batch that was never
// submitted again: Run returns nil, within the shutdown timeout.
func TestSessionEndsDuringRetry(t *testing.T) {
	c := startCluster(t, 2)
	produce(t, c.Addrs(), jsonRecords(200))
	kafkatest.FailTxnOffsetCommits(c.Kfake(), kerr.UnknownMemberID, 0)
	cfg := testConfig(c.Addrs())
	cfg.Shutdown.Timeout = config.Duration(10 * time.Second)
	in := newInstance(t, cfg, rulestest.Engine(t, ""), "scrubd-retry", nil).start()
	// Backoffs grow to 2 s; after a few failures the claims spend nearly
	// all their time waiting to retry.
	waitFor(t, "failed transactions", func() bool { return testutil.ToFloat64(in.p.Metrics().TxnAborts) >= 8 })
	start := time.Now()
	in.cancel()
	// Before the fix the claims waited until the hard shutdown deadline
	// and Run returned "shutdown deadline passed".
	select {
	case err := <-in.done:
		if err != nil {
			t.Fatalf("Run: %v (after %v)", err, time.Since(start).Round(time.Millisecond))
		}
	case <-time.After(waitLong):
		t.Fatal("Run did not return after cancel")
	}
}
