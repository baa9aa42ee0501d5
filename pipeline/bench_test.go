package pipeline

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/rules"
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

func (passthrough) Version() string { return "off" }

// records300 returns n JSON log records of 300 bytes with personal data.
func records300(n int) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		v := fmt.Appendf(nil, `{"ts":"2026-11-29T10:00:00Z","seq":%d,"level":"info","msg":"login from 203.0.%d.%d","email":"user%d@example.com","user_id":"%d","ua":"Mozilla/5.0 (X11; Linux x86_64)","path":"/api/v1/cart","status":200,"pad":"`,
			i, i%250, i%200+1, i, 1_000_000+i)
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
// default policy) and off (a pass-through scrubber), 300-byte records.
// The records are produced before the timer starts. Run it as
//
//	go test -run '^$' -bench PipelineEndToEnd -benchtime 200000x ./pipeline/
func BenchmarkPipelineEndToEnd(b *testing.B) {
	for _, bc := range []struct {
		name string
		s    func(testing.TB) Scrubber
	}{
		{"scrub=off", func(testing.TB) Scrubber { return passthrough{} }},
		{"scrub=on", func(t testing.TB) Scrubber { return testEngine(t, "") }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := startCluster(b, 3)
			values := records300(b.N)
			produce(b, c.Addrs(), values)
			cfg := testConfig(c.Addrs())
			cfg.Batch = defaultBatch()
			in := newInstance(b, cfg, bc.s(b), "scrubd-bench", nil)
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
