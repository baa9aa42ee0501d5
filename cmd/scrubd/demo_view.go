package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// view prints, every interval, the rates, the findings per type and a
// record before and after scrubbing.
func (d *demo) view(ctx context.Context, w io.Writer, svc *service, interval time.Duration) {
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
			d.mu.Unlock()
			secs := now.Sub(last).Seconds()
			ready, why := svc.state.Ready()
			fmt.Fprintf(w, "\n== %s  ready=%v (%s)  raw in %.0f/s  clean out %.0f/s  totals: %d produced, %d clean\n",
				now.Format("15:04:05"), ready, why, float64(produced-lastProduced)/secs, float64(cleaned-lastCleaned)/secs, produced, cleaned)
			fmt.Fprintf(w, "   findings: %s\n", findingsLine(svc))
			fmt.Fprintf(w, "   aggregates: %s\n", aggregatesLine(svc))
			if raw != nil && out != nil {
				fmt.Fprintf(w, "   before: %s\n   after:  %s\n", clip(raw, 400), clip(out, 400))
			}
			lastProduced, lastCleaned, last = produced, cleaned, now
		}
	}
}

// summary prints the totals at the end.
func (d *demo) summary(w io.Writer, svc *service) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(w, "\nscrubd demo: %d records generated, %d read from the clean topic; findings: %s; aggregates: %s\n",
		d.produced, d.cleaned, findingsLine(svc), aggregatesLine(svc))
}

// aggregatesLine formats the aggregates counters.
func aggregatesLine(svc *service) string {
	m := svc.p.Metrics().Aggregate
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
func findingsLine(svc *service) string {
	mfs, err := svc.reg.Gather()
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
