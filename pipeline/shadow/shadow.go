// Package shadow runs a candidate policy beside the one in force, for
// rollouts: every record is also scrubbed by the candidate, into a scratch
// buffer that is never produced, and what the candidate would have done
// differently is counted — in metrics and in periodic summary records for a
// topic — without touching the clean output. The counts carry types and
// outcomes only, never a value.
package shadow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/rules"
)

// Differences between the policy in force and the candidate, for one record.
const (
	DiffSame        = "same"         // same output, same fate
	DiffOutput      = "output"       // both pass the record, with different output
	DiffWouldDrop   = "would_drop"   // the candidate drops a record the active policy passes
	DiffWouldKeep   = "would_keep"   // the candidate passes a record the active policy drops
	DiffWouldFail   = "would_fail"   // the candidate fails a record closed that the active policy passes
	DiffWouldPass   = "would_pass"   // the candidate passes a record the active policy fails closed
	DiffBothDropped = "both_dropped" // dropped or failed by both
)

var diffs = []string{DiffSame, DiffOutput, DiffWouldDrop, DiffWouldKeep, DiffWouldFail, DiffWouldPass, DiffBothDropped}

// A Shadow compares a candidate engine with the active one. It is safe for
// concurrent use.
type Shadow struct {
	engine  *rules.Engine
	records *prometheus.CounterVec
	finds   *prometheus.CounterVec
	now     func() time.Time

	mu     sync.Mutex
	since  time.Time
	counts map[string]int64
	active map[string]int64
	shadow map[string]int64
}

// New returns a Shadow for the candidate engine, which should be compiled
// with the active keyring so that pseudonyms compare. Metrics go to reg
// (nil: none); now is the clock (nil: time.Now).
func New(candidate *rules.Engine, reg prometheus.Registerer, now func() time.Time) (*Shadow, error) {
	if now == nil {
		now = time.Now
	}
	s := &Shadow{engine: candidate, now: now, since: now(), counts: map[string]int64{}, active: map[string]int64{}, shadow: map[string]int64{}}
	s.records = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "scrubd", Subsystem: "shadow", Name: "records_total",
		Help: "Records scrubbed by the shadow policy, by how its result differs from the policy in force.",
	}, []string{"diff"})
	s.finds = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "scrubd", Subsystem: "shadow", Name: "findings_total",
		Help: "Findings of the shadow policy by type (compare with scrubd_scrub_findings_total).",
	}, []string{"type"})
	for _, d := range diffs {
		s.records.WithLabelValues(d)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{s.records, s.finds} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("shadow: register metrics: %w", err)
			}
		}
	}
	return s, nil
}

// Version is the candidate policy's version.
func (s *Shadow) Version() string { return s.engine.Version() }

// Scratch is per-goroutine memory for Observe.
type Scratch struct {
	res rules.Result
	out []byte
}

// Observe scrubs rec with the candidate and compares the result with what
// the active policy did: its output (nil when it dropped or failed the
// record), its result and its error.
func (s *Shadow) Observe(rec, activeOut []byte, active *rules.Result, activeErr error, sc *Scratch) {
	var err error
	sc.out, err = s.engine.Scrub(sc.out[:0], rec, &sc.res)
	activeGone := activeErr != nil || active.Dropped
	shadowGone := err != nil || sc.res.Dropped
	var d string
	switch {
	case activeGone && shadowGone:
		d = DiffBothDropped
	case activeErr == nil && err != nil:
		d = DiffWouldFail
	case activeErr != nil && err == nil:
		d = DiffWouldPass
	case !activeGone && shadowGone:
		d = DiffWouldDrop
	case activeGone && !shadowGone:
		d = DiffWouldKeep
	case bytes.Equal(activeOut, sc.out):
		d = DiffSame
	default:
		d = DiffOutput
	}
	s.records.WithLabelValues(d).Inc()
	s.mu.Lock()
	s.counts[d]++
	if activeErr == nil {
		for _, f := range active.Findings {
			s.active[string(f.Type)]++
		}
	}
	if err == nil {
		for _, f := range sc.res.Findings {
			s.shadow[string(f.Type)]++
			s.finds.WithLabelValues(string(f.Type)).Inc()
		}
	}
	s.mu.Unlock()
}

// Summary is the content of one summary record.
type Summary struct {
	WindowStart  time.Time        `json:"window_start"`
	WindowEnd    time.Time        `json:"window_end"`
	ActivePolicy string           `json:"active_policy"`
	ShadowPolicy string           `json:"shadow_policy"`
	Records      int64            `json:"records"`
	Diff         map[string]int64 `json:"diff"`
	Findings     struct {
		Active map[string]int64 `json:"active"`
		Shadow map[string]int64 `json:"shadow"`
	} `json:"findings"`
}

// Flush returns the summary of the records observed since the last flush as
// JSON and starts a new period; ok is false when nothing was observed.
func (s *Shadow) Flush(activeVersion string) (record []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var n int64
	for _, c := range s.counts {
		n += c
	}
	if n == 0 {
		s.since = now
		return nil, false
	}
	sum := Summary{WindowStart: s.since.UTC(), WindowEnd: now.UTC(), ActivePolicy: activeVersion, ShadowPolicy: s.engine.Version(), Records: n, Diff: s.counts}
	sum.Findings.Active, sum.Findings.Shadow = s.active, s.shadow
	b, err := json.Marshal(sum)
	if err != nil {
		return nil, false
	}
	s.since = now
	s.counts, s.active, s.shadow = map[string]int64{}, map[string]int64{}, map[string]int64{}
	return b, true
}

// Types lists the finding types seen so far by either policy, sorted (for
// tests and reports).
func (s *Shadow) Types() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for t := range s.active {
		seen[t] = true
	}
	for t := range s.shadow {
		seen[t] = true
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// RecordsCounter returns the counter of records with difference d, for
// tests and reports.
func (s *Shadow) RecordsCounter(d string) prometheus.Counter { return s.records.WithLabelValues(d) }
