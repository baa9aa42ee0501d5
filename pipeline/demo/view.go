package demo

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/scrubd/scrubd/pipeline/metrics"
	"github.com/scrubd/scrubd/pipeline/service"
)

// view prints, every interval, the rates, the findings per type and a
// record before and after scrubbing.
func (d *demo) view(ctx context.Context, w io.Writer, svc *service.Service, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastProduced, lastCleaned int64
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			d.mu.Lock()
			produced, cleaned, seq, out := d.produced, d.cleaned, d.lastSeq, d.lastOut
			raw := d.samples[seq]
			countries := d.countriesLine()
			d.mu.Unlock()
			secs := now.Sub(last).Seconds()
			ready, why := svc.State().Ready()
			fmt.Fprintf(w, "\n== %s  ready=%v (%s)  raw in %.0f/s  clean out %.0f/s  totals: %d produced, %d clean\n",
				now.Format("15:04:05"), ready, why, float64(produced-lastProduced)/secs, float64(cleaned-lastCleaned)/secs, produced, cleaned)
			fmt.Fprintf(w, "   findings: %s\n", findingsLine(svc))
			fmt.Fprintf(w, "   aggregates: %s\n", aggregatesLine(svc))
			fmt.Fprintf(w, "   countries:  %s\n", countries)
			if raw != nil && out != nil {
				fmt.Fprintf(w, "   before: %s\n   after:  %s\n", clip(raw, 400), clip(out, 400))
			}
			lastProduced, lastCleaned, last = produced, cleaned, now
		}
	}
}

// summary prints the totals at the end, and accounts for every generated
// record: committed by scrubd (clean, dropped by the policy or
// dead-lettered), or still in flight when the demo stopped.
func (d *demo) summary(w io.Writer, svc *service.Service) {
	d.mu.Lock()
	defer d.mu.Unlock()
	committed := committed(svc)
	fmt.Fprintf(w, "\nscrubd demo: %d records generated, %d scrubbed and committed (%s); %d read back from %s, %d from %s\n",
		d.produced, committed.total(), committed, d.cleaned, demoClean, d.dead, demoDLQ)
	fmt.Fprintf(w, "   findings: %s\n   aggregates: %s\n   countries:  %s\n", findingsLine(svc), aggregatesLine(svc), d.countriesLine())
	if n := d.produced - committed.total(); n > 0 {
		fmt.Fprintf(w, "   %d records were still in flight at the stop: written to %s but not yet committed by scrubd "+
			"(not yet read, or in the transaction the stop aborted). None is lost: they stay in %s, and a scrubd "+
			"started again resumes from its committed offsets and scrubs them exactly once.\n", n, demoRaw, demoRaw)
	}
}

// catchUp waits, up to limit, until the watcher has read every clean and
// dead-lettered record the pipeline committed.
func (d *demo) catchUp(svc *service.Service, limit time.Duration) {
	c := committed(svc)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		done := d.cleaned >= c.clean && d.dead >= c.dead
		d.mu.Unlock()
		if done {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// outcomes are the committed records by outcome.
type outcomes struct{ clean, dropped, dead, other int64 }

func (o outcomes) total() int64 { return o.clean + o.dropped + o.dead + o.other }

func (o outcomes) String() string {
	s := fmt.Sprintf("%d clean", o.clean)
	for _, p := range []struct {
		n    int64
		what string
	}{{o.dropped, "dropped by the policy"}, {o.dead, "dead-lettered"}, {o.other, "withheld for minors or privacy requests"}} {
		if p.n > 0 {
			s += fmt.Sprintf(", %d %s", p.n, p.what)
		}
	}
	return s
}

// committed reads the committed outcomes from the pipeline's metrics.
func committed(s *service.Service) outcomes {
	r := s.Metrics().Records
	v := func(o string) int64 { return int64(counterValue(r.WithLabelValues(o))) }
	return outcomes{
		clean: v(metrics.OutcomeClean), dropped: v(metrics.OutcomeDropped), dead: v(metrics.OutcomeDeadLettered),
		other: v(metrics.OutcomeMinor) + v(metrics.OutcomeSuppressed),
	}
}

// countAggregate adds an aggregates-topic record's count to its country.
// The caller holds d.mu.
func (d *demo) countAggregate(rec []byte) {
	var a struct {
		Dims  map[string]string `json:"dims"`
		Count int64             `json:"count"`
	}
	if json.Unmarshal(rec, &a) != nil {
		return
	}
	if c := a.Dims["country"]; c != "" {
		d.countries[c] += a.Count
	}
}

// countriesLine formats the aggregated counts by country, largest first.
func (d *demo) countriesLine() string {
	if len(d.countries) == 0 {
		return "none yet (the first window closes after 6s)"
	}
	keys := slices.Collect(maps.Keys(d.countries))
	slices.SortFunc(keys, func(a, b string) int {
		if d.countries[a] != d.countries[b] {
			return cmp.Compare(d.countries[b], d.countries[a])
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("  ")
		}
		fmt.Fprintf(&b, "%s=%d", k, d.countries[k])
	}
	return b.String()
}

// aggregatesLine formats the aggregates counters.
func aggregatesLine(svc *service.Service) string {
	m := svc.Metrics().Aggregate
	return fmt.Sprintf("%.0f records counted, %.0f windows emitted, %.0f buckets suppressed, %.0f late",
		counterValue(m.Counted), counterValue(m.Windows), counterValue(m.Suppressed), counterValue(m.Late))
}

// counterValue reads a counter's value.
func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}

// findingsLine formats scrubd_scrub_findings_total by type, largest first.
func findingsLine(svc *service.Service) string {
	mfs, err := svc.Registry().Gather()
	if err != nil {
		return "?"
	}
	type kv struct {
		k string
		v float64
	}
	var all []kv
	for _, mf := range mfs {
		if mf.GetName() != "scrubd_scrub_findings_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if v := m.GetCounter().GetValue(); v > 0 {
				all = append(all, kv{labelValue(m, "type"), v})
			}
		}
	}
	slices.SortFunc(all, func(a, b kv) int {
		if a.v != b.v {
			if a.v > b.v {
				return -1
			}
			return 1
		}
		return strings.Compare(a.k, b.k)
	})
	var b strings.Builder
	for i, e := range all {
		if i > 0 {
			b.WriteString("  ")
		}
		fmt.Fprintf(&b, "%s=%.0f", e.k, e.v)
	}
	if b.Len() == 0 {
		return "none yet"
	}
	return b.String()
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
