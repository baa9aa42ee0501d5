package pipeline

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestExactlyOnceEndToEnd runs the pipeline on the embedded broker: every
// record reaches the clean topic once, scrubbed, with the contract headers,
// and none of the personal values.
func TestExactlyOnceEndToEnd(t *testing.T) {
	c := startCluster(t, 3)
	const n = 3000
	values := jsonRecords(n)
	produce(t, c.Addrs(), values)

	cfg := testConfig(c.Addrs())
	in := newInstance(t, cfg, rulestest.Engine(t, ""), "scrubd-test-1", nil).start()
	recs := readTopic(t, c.Addrs(), cleanTopic, n, false)
	in.stop(t)

	if len(recs) != n {
		t.Fatalf("clean topic: %d records, want %d", len(recs), n)
	}
	seen := make([]bool, n)
	for _, r := range recs {
		s := seqOf(t, r.Value)
		if seen[s] {
			t.Fatalf("seq %d twice", s)
		}
		seen[s] = true
		if bytes.Contains(r.Value, []byte("@example.com")) || bytes.Contains(r.Value, []byte(fmt.Sprintf(`"acct-%d"`, s))) {
			t.Fatalf("personal data left in %q", r.Value)
		}
		if class, _ := headerOf(r, wire.HeaderClass); class != wire.DataClassPseudonymous {
			t.Fatalf("class header %q", class)
		}
		if pol, _ := headerOf(r, wire.HeaderPolicy); !strings.HasPrefix(pol, "default@") {
			t.Fatalf("policy header %q", pol)
		}
		if f, _ := headerOf(r, wire.HeaderFindings); f != "account_id=1,email=1,ipv4=1" {
			t.Fatalf("findings header %q", f)
		}
	}
	m := in.p.Metrics()
	if got := testutil.ToFloat64(m.Records.WithLabelValues("clean")); got != n {
		t.Errorf("records_total{outcome=clean} = %v, want %d", got, n)
	}
	if got := testutil.ToFloat64(m.TxnCommits); got < 1 {
		t.Errorf("no transaction committed")
	}
	if got := testutil.ToFloat64(m.Findings.WithLabelValues("email")); got != n {
		t.Errorf("findings_total{type=email} = %v, want %d", got, n)
	}
}
