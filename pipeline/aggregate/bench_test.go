package aggregate

import (
	"fmt"
	"testing"
	"time"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// BenchmarkObserve measures one record's observation (all dimensions,
// User-Agents from the cache) and its count into a State.
func BenchmarkObserve(b *testing.B) {
	eng := rulestest.Engine(b, "")
	ua, err := uaParser()
	if err != nil {
		b.Fatal(err)
	}
	tp, _ := NewTimeParser(nil)
	o, err := NewObserver(AllDims, tp, ua, eng, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]rules.Result, 64)
	for i := range recs {
		rec := fmt.Appendf(nil, `{"ts":"2024-03-05T07:%02d:09Z","event":"page_view","path":"/users/%d/orders?x=1","status":200,"user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/%d.0"}`, i%60, i, 120+i%4)
		if err := eng.Extract(rec, &recs[i]); err != nil {
			b.Fatal(err)
		}
	}
	st := NewState(Options{Window: time.Minute, Lateness: time.Second, FlushAfter: time.Second, K: 10, NumDims: len(AllDims), Schema: DimsSchema(AllDims), MaxBuckets: 1 << 20})
	var s Scratch
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		obs := o.Observe(&recs[i%len(recs)], Geo{Country: "GB", Jurisdiction: "UK"}, now, now, &s)
		st.Add(obs, now)
		i++
	}
}

// BenchmarkAddSubjects measures counting into buckets that track distinct
// subjects: 16 buckets, 64 subjects, k = 10 (most buckets pass k early;
// the set is scanned until then).
func BenchmarkAddSubjects(b *testing.B) {
	st := NewState(Options{Window: time.Minute, Lateness: time.Second, FlushAfter: time.Second, K: 10, NumDims: 2, Schema: "event,country", MaxBuckets: 1 << 20})
	events := make([]string, 16)
	for i := range events {
		events[i] = fmt.Sprintf("e%d", i)
	}
	now := time.Now()
	t0 := now.UnixMilli()
	dims := []string{"", "GB"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dims[0] = events[i%len(events)]
		st.Add(Observation{Time: t0, Dims: dims, Subject: uint64(i%64) + 1}, now)
		i++
	}
}
