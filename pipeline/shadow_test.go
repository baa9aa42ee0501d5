package pipeline

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestShadowMode runs a candidate policy beside the active one: the clean
// output is the active policy's, the differences are counted and a summary
// record (counts only) reaches the shadow topic.
func TestShadowMode(t *testing.T) {
	const shadowTopic = "logs.shadow"
	c, err := embedded.Start([]embedded.Topic{{Name: rawTopic, Partitions: 2}, {Name: cleanTopic, Partitions: 2},
		{Name: dlqTopic, Partitions: 1}, {Name: shadowTopic, Partitions: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	const n = 400
	cfg := testConfig(c.Addrs())
	candidate := rulestest.Engine(t, "name: candidate\ndetectors: {ipv4: {prefix: 16}}\n")
	sh, err := shadow.New(candidate, prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	in := newInstance(t, cfg, rulestest.Engine(t, ""), "scrubd-shadow", nil)
	in.p.opts.Stages.Shadow, in.p.opts.Stages.ShadowTopic, in.p.opts.Stages.ShadowInterval = sh, shadowTopic, 50*time.Millisecond
	in.start()
	// Two waves, so that a summary period ends while records flow.
	produce(t, c.Addrs(), jsonRecords(n/2))
	readTopic(t, c.Addrs(), cleanTopic, n/2, false)
	time.Sleep(100 * time.Millisecond)
	produce(t, c.Addrs(), jsonRecords(n/2))
	recs := readTopic(t, c.Addrs(), cleanTopic, n, false)
	sums := readTopic(t, c.Addrs(), shadowTopic, 1, false)
	in.stop(t)

	if len(recs) != n {
		t.Fatalf("clean: %d records, want %d", len(recs), n)
	}
	for _, r := range recs {
		// The active policy keeps /24: "203.0.<seq%250>.0".
		if want := fmt.Sprintf("login from 203.0.%d.0", seqOf(t, r.Value)%250); !strings.Contains(string(r.Value), want) {
			t.Fatalf("clean record not scrubbed by the active policy: %s, want %s", r.Value, want)
		}
	}
	if got := testutil.ToFloat64(sh.RecordsCounter(shadow.DiffOutput)); got < n/2 {
		t.Errorf("shadow diff output = %v, want >= %d", got, n/2)
	}
	if len(sums) == 0 {
		t.Fatal("no shadow summary record")
	}
	var sum shadow.Summary
	if err := json.Unmarshal(sums[0].Value, &sum); err != nil {
		t.Fatalf("summary %s: %v", sums[0].Value, err)
	}
	if sum.Records == 0 || !strings.HasPrefix(sum.ShadowPolicy, "candidate@") || !strings.HasPrefix(sum.ActivePolicy, "default@") {
		t.Errorf("summary: %s", sums[0].Value)
	}
	if class, _ := headerOf(sums[0], wire.HeaderClass); class != wire.DataClassAggregate {
		t.Errorf("summary class %q", class)
	}
	if strings.Contains(string(sums[0].Value), "@example.com") || strings.Contains(string(sums[0].Value), "203.0.") {
		t.Errorf("summary holds values: %s", sums[0].Value)
	}
}
