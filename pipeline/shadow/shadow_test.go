package shadow

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

func TestShadowCountsDifferences(t *testing.T) {
	active := rulestest.Engine(t, "name: active\n")
	candidate := rulestest.Engine(t, `
name: candidate
detectors: {ipv4: {prefix: 16}}
fields: [{path: kind, action: drop_record, values: [health]}]
limits: {max_depth: 2}
`)
	clock := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	reg := prometheus.NewRegistry()
	s, err := New(candidate, reg, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	var sc Scratch
	observe := func(rec string) {
		var res rules.Result
		out, err := active.Scrub(nil, []byte(rec), &res)
		if res.Dropped || err != nil {
			out = nil
		}
		s.Observe([]byte(rec), out, &res, err, &sc)
	}
	observe(`no personal data here`)    // same
	observe(`from 10.1.2.3`)            // output differs: /16 vs /24
	observe(`{"kind":"health","x":1}`)  // the candidate would drop it
	observe(`{"a":{"b":{"c":1}}}`)      // the candidate would fail it (depth)
	observe(strings.Repeat("x", 2<<20)) // both fail (too large)
	for d, want := range map[string]float64{DiffSame: 1, DiffOutput: 1, DiffWouldDrop: 1, DiffWouldFail: 1, DiffBothDropped: 1, DiffWouldKeep: 0} {
		if got := testutil.ToFloat64(s.records.WithLabelValues(d)); got != want {
			t.Errorf("%s = %v, want %v", d, got, want)
		}
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
	clock = clock.Add(time.Minute)
	rec, ok := s.Flush(active.Version())
	if !ok {
		t.Fatal("no summary")
	}
	var sum Summary
	if err := json.Unmarshal(rec, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Records != 5 || sum.Diff[DiffOutput] != 1 || sum.Findings.Active["ipv4"] != 1 || sum.Findings.Shadow["ipv4"] != 1 ||
		!strings.HasPrefix(sum.ShadowPolicy, "candidate@") || !strings.HasPrefix(sum.ActivePolicy, "active@") || !sum.WindowEnd.After(sum.WindowStart) {
		t.Errorf("summary: %s", rec)
	}
	if strings.Contains(string(rec), "10.1.2") {
		t.Errorf("summary holds a value: %s", rec)
	}
	if _, ok := s.Flush(active.Version()); ok {
		t.Error("a second flush without records produced a summary")
	}
}
