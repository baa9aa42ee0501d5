package pipeline

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/decision"
	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// passthrough is a Scrubber that copies records unchanged: the pipeline
// with scrubbing switched off, to measure what scrubbing costs.
type passthrough struct{}

func (passthrough) Scrub(dst, rec []byte, res *rules.Result) ([]byte, error) {
	*res = rules.Result{Findings: res.Findings[:0], Actions: res.Actions[:0]}
	return append(dst, rec...), nil
}

func (passthrough) ScrubText(dst, text []byte, res *rules.Result) ([]byte, error) {
	return passthrough{}.Scrub(dst, text, res)
}

func (passthrough) ScrubKey(dst, key []byte, res *rules.Result) ([]byte, error) {
	return passthrough{}.Scrub(dst, key, res)
}

func (passthrough) ScrubHeader(h rules.Header, res *rules.Result) (rules.Header, bool, error) {
	*res = rules.Result{Findings: res.Findings[:0], Actions: res.Actions[:0]}
	return h, true, nil
}

func (passthrough) Version() string { return "off" }

// records300 returns n JSON log records of 300 bytes with personal data;
// with clientIP, each has a public client_ip from the test database.
func records300(n int, clientIP bool) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		v := fmt.Appendf(nil, `{"ts":"2026-11-29T10:00:00Z","seq":%d,"level":"info","msg":"login from 203.0.%d.%d","email":"user%d@example.com","user_id":"%d","ua":"Mozilla/5.0 (X11; Linux x86_64)","path":"/api/v1/cart","status":200,`,
			i, i%250, i%200+1, i, 1_000_000+i)
		if clientIP {
			v = fmt.Appendf(v, `"client_ip":"81.2.69.%d",`, i%250+1)
		}
		v = append(v, `"pad":"`...)
		for len(v) < 298 {
			v = append(v, 'x')
		}
		out[i] = append(v, `"}`...)
	}
	return out
}

// BenchmarkPipelineEndToEnd measures records per second through the whole
// exactly-once pipeline on the embedded broker (consume, scrub, one
// transaction per batch with the offsets, produce), with scrubbing on (the
// default policy) and off (a pass-through scrubber), 300-byte records;
// and with scrubbing, GeoIP (every record has a public client_ip) and
// aggregates (all dimensions, one-minute windows) on.
// The records are produced before the timer starts. Run it as
//
//	go test -run '^$' -bench PipelineEndToEnd -benchtime 200000x ./pipeline/
func BenchmarkPipelineEndToEnd(b *testing.B) {
	for _, bc := range []struct {
		name string
		s    func(testing.TB) decision.Scrubber
	}{
		{"scrub=off", func(testing.TB) decision.Scrubber { return passthrough{} }},
		{"scrub=on", func(t testing.TB) decision.Scrubber { return rulestest.Engine(t, "") }},
		{"scrub=on,geo,aggregates", func(t testing.TB) decision.Scrubber { return rulestest.Engine(t, "") }},
		// At least once: each batch's offset committed before the
		// partition's next batch (the bound on duplicates after a crash).
		{"scrub=on,at_least_once", func(t testing.TB) decision.Scrubber { return rulestest.Engine(t, "") }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			full := bc.name == "scrub=on,geo,aggregates"
			var c *embedded.Cluster
			var cfg *config.Config
			values := records300(b.N, full)
			if full {
				c = startAggCluster(b, 3)
				cfg = aggConfig(c.Addrs(), time.Second)
			} else {
				c = startCluster(b, 3)
				cfg = testConfig(c.Addrs())
			}
			produce(b, c.Addrs(), values)
			cfg.Batch = defaultBatch()
			if bc.name == "scrub=on,at_least_once" {
				cfg.Delivery = config.AtLeastOnce
			}
			in := newInstance(b, cfg, bc.s(b), "scrubd-bench", nil)
			if full {
				in.p.opts.Stages.Geo = openGeo(b, in.reg)
			}
			clean := in.p.Metrics().Records.WithLabelValues("clean")
			b.SetBytes(300)
			b.ResetTimer()
			start := time.Now()
			in.start()
			for testutil.ToFloat64(clean) < float64(b.N) {
				time.Sleep(2 * time.Millisecond)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			in.stop(b)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
		})
	}
}

// BenchmarkRecordDecideMessage measures the per-record path of the claim
// loop without a broker: a consumed message becomes a record, is decided,
// and its outcome becomes the message to produce; with the default policy
// and with a pass-through scrubber. Its allocations per record are exact,
// unlike times on a loaded machine.
func BenchmarkRecordDecideMessage(b *testing.B) {
	eng := rulestest.Engine(b, "")
	d, err := decision.New(decision.Options{
		Outputs:    decision.Outputs{Clean: decision.Output{Topic: "clean", Partitions: 3}},
		DeadLetter: decision.Output{Topic: "dlq", Partitions: 1}, MaxOut: 1 << 20,
	})
	if err != nil {
		b.Fatal(err)
	}
	m := &sarama.ConsumerMessage{Topic: "raw", Partition: 1, Offset: 7, Key: []byte("acct-1"),
		Value: records300(1, false)[0],
		Headers: []*sarama.RecordHeader{{Key: []byte("user_id"), Value: []byte("acct-1")},
			{Key: []byte("traceparent"), Value: []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")}}}
	for _, s := range []struct {
		name string
		s    decision.Scrubber
	}{{"scrub", eng}, {"passthrough", passthrough{}}} {
		b.Run(s.name, func(b *testing.B) {
			view := decision.NewView(s.s)
			w := decision.NewScratch(nil)
			c := decision.NewCounts()
			b.ReportAllocs()
			b.SetBytes(int64(len(m.Value)))
			var hs []record.Header
			for b.Loop() {
				r := kafka.RecordReusing(hs, m)
				o := d.Decide(&r, w, view, &c)
				hs = r.Headers
				if o.Kind != decision.Clean {
					b.Fatalf("outcome %v", o.Kind)
				}
				if pm := kafka.Message(&o.Out); pm.Value == nil {
					b.Fatal("no value")
				}
			}
		})
	}
}
