package aggregate

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Options configure the windows of a State.
type Options struct {
	// Window is the length of the tumbling windows, aligned to the Unix
	// epoch. At least one second.
	Window time.Duration
	// Lateness is how long after a window's end, in event time, records
	// of it are still counted in it; a later record is late, and is
	// emitted as a correction.
	Lateness time.Duration
	// FlushAfter is the processing time after which late records are
	// emitted, and the idle time after which the pipeline flushes a
	// partition's open windows.
	FlushAfter time.Duration
	// K is the smallest number of distinct data subjects a bucket is
	// emitted with; smaller buckets are folded into the Other bucket.
	// A bucket remembers up to K subject hashes (8 bytes each), so state
	// memory is bounded by MaxBuckets x K x 8 bytes beside the buckets.
	K int
	// NumDims is the number of dimensions of every observation.
	NumDims int
	// Schema names the dimensions and their order (see DimsSchema); a
	// restored bucket of another schema is folded into Other.
	Schema string
	// MaxBuckets bounds the buckets a State holds: above it, Emit flushes.
	MaxBuckets int
}

// Validate reports what is wrong with o.
func (o Options) Validate() error {
	var errs []error
	if o.Window < time.Second {
		errs = append(errs, fmt.Errorf("window %v is shorter than 1s", o.Window))
	}
	if o.Lateness < 0 {
		errs = append(errs, fmt.Errorf("lateness %v is negative", o.Lateness))
	}
	if o.FlushAfter <= 0 {
		errs = append(errs, fmt.Errorf("flush_after %v is not positive", o.FlushAfter))
	}
	if o.K < 1 {
		errs = append(errs, fmt.Errorf("k %d is less than 1", o.K))
	}
	if o.NumDims < 1 {
		errs = append(errs, errors.New("no dimensions"))
	}
	if o.MaxBuckets < 1 {
		errs = append(errs, fmt.Errorf("max buckets %d is less than 1", o.MaxBuckets))
	}
	return errors.Join(errs...)
}

// State holds the aggregates of one source partition that are not emitted
// yet. It is not safe for concurrent use: the partition's claim owns it.
//
// Event time: the watermark is the latest event time seen. A window
// [start, end) is closed once end+Lateness <= watermark; Emit emits closed
// windows. A record of a closed window is late: it is counted apart and
// emitted, as a correction of its window, once FlushAfter of processing
// time has passed since the first late record waiting. Emit with flush
// set emits everything and moves the watermark past every window it
// emitted, so that records of those windows that come later are late.
//
// Every change is remembered until Changes returns it, so that the
// changelog written with a batch holds exactly the state after it.
type State struct {
	opts     Options
	window   int64 // ms
	lateness int64 // ms

	windows map[winKey]*windowState
	buckets int

	watermark   int64
	hasWM       bool
	persistedWM int64
	hasPersWM   bool

	dirty     map[*bucket]struct{}
	lateSince time.Time
	// merged holds the counts of restored buckets of another schema,
	// by window and key, merged into their window's Other bucket.
	merged map[mergedKey]int64

	key []byte // scratch
}

// winKey names a window's on-time counts or its late counts.
type winKey struct {
	start int64 // Unix ms
	late  bool
}

type mergedKey struct {
	win winKey
	key string
}

type windowState struct {
	buckets map[string]*bucket
}

type bucket struct {
	win       winKey
	key       string
	dims      []string
	count     int64
	distinct  int64    // distinct subjects seen, up to K
	subjects  []uint64 // their hashes, until distinct reaches K
	persisted bool     // its count is in a change returned by Changes
	removed   bool     // emitted: the changelog needs a tombstone
	schema    string   // of a restored bucket of another schema; empty: the State's
}

// NewState returns an empty State; opts must be valid.
func NewState(opts Options) *State {
	return &State{
		opts: opts, window: opts.Window.Milliseconds(), lateness: opts.Lateness.Milliseconds(),
		windows: map[winKey]*windowState{}, dirty: map[*bucket]struct{}{}, merged: map[mergedKey]int64{},
	}
}

// WindowStart returns the start, in Unix ms, of the window of t (Unix ms).
func (s *State) WindowStart(t int64) int64 {
	start := t - t%s.window
	if t < 0 && t%s.window != 0 {
		start -= s.window
	}
	return start
}

// closed reports whether the window starting at start is closed.
func (s *State) closed(start int64) bool {
	return s.hasWM && start+s.window+s.lateness <= s.watermark
}

// Add counts obs, which arrived at processing time now, and reports
// whether it was late.
func (s *State) Add(obs Observation, now time.Time) (late bool) {
	start := s.WindowStart(obs.Time)
	late = s.closed(start)
	s.key = appendKey(s.key[:0], obs.Dims)
	b := s.bucketOf(winKey{start: start, late: late}, s.key, obs.Dims)
	b.count++
	b.see(obs.Subject, int64(s.opts.K))
	s.dirty[b] = struct{}{}
	if late && s.lateSince.IsZero() {
		s.lateSince = now
	}
	if !s.hasWM || obs.Time > s.watermark {
		s.watermark, s.hasWM = obs.Time, true
	}
	return late
}

// see counts subject among b's distinct subjects. Exact up to k: the
// hashes are kept in a slice (k is small, a linear scan is cheaper than a
// map) until k are seen, then dropped, since only "at least k" matters. A
// record without a subject (0) counts as a new one: nothing tells it
// apart from others, so it is treated as it was before subjects were
// counted.
func (b *bucket) see(subject uint64, k int64) {
	if b.distinct >= k {
		return
	}
	if subject != 0 {
		if slices.Contains(b.subjects, subject) {
			return
		}
		b.subjects = append(b.subjects, subject)
	}
	b.distinct++
	if b.distinct >= k {
		b.subjects = nil
	}
}

// bucketOf returns the bucket of dims in window wk, creating it.
func (s *State) bucketOf(wk winKey, key []byte, dims []string) *bucket {
	w := s.windows[wk]
	if w == nil {
		w = &windowState{buckets: map[string]*bucket{}}
		s.windows[wk] = w
	}
	if b, ok := w.buckets[string(key)]; ok {
		return b
	}
	b := &bucket{win: wk, key: string(key), dims: slices.Clone(dims)}
	w.buckets[b.key] = b
	s.buckets++
	return b
}

// Pending reports whether the state holds counts not emitted yet.
func (s *State) Pending() bool { return s.buckets > 0 }

// Buckets returns the number of buckets held.
func (s *State) Buckets() int { return s.buckets }

// Watermark returns the watermark in Unix ms, and false when no event was
// seen yet.
func (s *State) Watermark() (int64, bool) { return s.watermark, s.hasWM }

// Emission is one window's counts, emitted.
type Emission struct {
	// Start and End bound the window.
	Start, End time.Time
	// Correction is true for late records of a window emitted before.
	Correction bool
	// Buckets are the counts after folding small buckets into Other.
	Buckets []Bucket
	// Suppressed is the number of buckets folded into Other.
	Suppressed int
}

// Emit removes and returns the windows that are due at processing time
// now: closed windows, and late counts FlushAfter after the first of them
// arrived; with flush, or when more than MaxBuckets are held, every
// window. Emissions are ordered by window start, on-time counts first.
func (s *State) Emit(now time.Time, flush bool) []Emission {
	if s.buckets > s.opts.MaxBuckets {
		flush = true
	}
	if s.lateSince.IsZero() && s.hasLate() {
		s.lateSince = now // late counts restored from a changelog
	}
	lateDue := flush || (!s.lateSince.IsZero() && now.Sub(s.lateSince) >= s.opts.FlushAfter)
	var due []winKey
	for wk := range s.windows {
		if (wk.late && lateDue) || (!wk.late && (flush || s.closed(wk.start))) {
			due = append(due, wk)
		}
	}
	slices.SortFunc(due, func(a, b winKey) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		if a.late == b.late {
			return 0
		}
		if b.late {
			return -1
		}
		return 1
	})
	out := make([]Emission, 0, len(due))
	for _, wk := range due {
		out = append(out, s.emit(wk))
		if end := wk.start + s.window + s.lateness; flush && !wk.late && (!s.hasWM || end > s.watermark) {
			s.watermark, s.hasWM = end, true
		}
	}
	if lateDue {
		s.lateSince = time.Time{}
	}
	return out
}

// hasLate reports whether late counts are held.
func (s *State) hasLate() bool {
	for wk := range s.windows {
		if wk.late {
			return true
		}
	}
	return false
}

// emit removes window wk and returns its emission.
func (s *State) emit(wk winKey) Emission {
	w := s.windows[wk]
	delete(s.windows, wk)
	in := make([]Bucket, 0, len(w.buckets))
	for _, b := range w.buckets {
		in = append(in, Bucket{Dims: b.dims, Count: b.count, Subjects: b.distinct})
		s.buckets--
		if b.persisted {
			b.removed = true
			s.dirty[b] = struct{}{}
		} else {
			delete(s.dirty, b)
		}
	}
	buckets, suppressed := fold(in, int64(s.opts.K), s.opts.NumDims)
	return Emission{
		Start:      time.UnixMilli(wk.start).UTC(),
		End:        time.UnixMilli(wk.start + s.window).UTC(),
		Correction: wk.late,
		Buckets:    buckets,
		Suppressed: suppressed,
	}
}

// Change is one changelog entry: a bucket's count (zero: delete it) or,
// when Watermark is set, the watermark.
type Change struct {
	// Start is the window start in Unix ms; Late marks late counts.
	Start int64
	Late  bool
	// Dims are the bucket's dimension values.
	Dims []string
	// Count is the bucket's count; 0 deletes the bucket (a tombstone).
	Count int64
	// Distinct is the bucket's distinct subjects, up to K. Their hashes
	// are not written: a bucket restored in an open window counts the
	// subjects it sees next as new, which can only overstate Distinct
	// for windows open across an owner change.
	Distinct int64
	// Watermark, when true, makes this the watermark entry, with the
	// watermark in Start.
	Watermark bool
	// Schema is the dimension schema of Dims (see DimsSchema).
	Schema string
}

// Changes returns what changed since the last call, in a stable order: the
// buckets counted or emitted, and the watermark when it moved. Written to
// the changelog, the changes of every call so far rebuild the State (see
// Restore).
func (s *State) Changes() []Change {
	out := make([]Change, 0, len(s.dirty)+1)
	for b := range s.dirty {
		c := Change{Start: b.win.start, Late: b.win.late, Dims: b.dims, Schema: b.schema}
		if c.Schema == "" {
			c.Schema = s.opts.Schema
		}
		if !b.removed {
			c.Count, c.Distinct = b.count, b.distinct
			b.persisted = true
		}
		out = append(out, c)
	}
	clear(s.dirty)
	slices.SortFunc(out, func(a, b Change) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		if a.Late != b.Late {
			if b.Late {
				return -1
			}
			return 1
		}
		return slices.Compare(a.Dims, b.Dims)
	})
	if s.hasWM && (!s.hasPersWM || s.persistedWM != s.watermark) {
		out = append(out, Change{Start: s.watermark, Watermark: true})
		s.persistedWM, s.hasPersWM = s.watermark, true
	}
	return out
}

// Restore applies one changelog entry read back, in changelog order: a
// bucket's count replaces the bucket (a zero count deletes it), a
// watermark entry sets the watermark. A bucket of another schema (the
// dimensions were reconfigured) is merged into the Other bucket of its
// window, and a tombstone for its entry is left for Changes.
func (s *State) Restore(c Change) {
	if c.Watermark {
		s.watermark, s.hasWM = c.Start, true
		s.persistedWM, s.hasPersWM = c.Start, true
		return
	}
	wk := winKey{start: c.Start, late: c.Late}
	s.key = appendKey(s.key[:0], c.Dims)
	if c.Schema != s.opts.Schema || len(c.Dims) != s.opts.NumDims {
		s.restoreForeign(wk, c)
		return
	}
	if c.Count == 0 {
		s.dropRestored(wk, s.key)
		return
	}
	b := s.bucketOf(wk, s.key, c.Dims)
	b.count, b.distinct, b.persisted = c.Count, min(c.Distinct, int64(s.opts.K)), true
	b.subjects = nil
}

// Discard deletes every bucket without emitting it and forgets the
// watermark: the changelog gets tombstones for what it held. It is for
// state that no longer matches the partition's committed offset.
func (s *State) Discard() {
	for wk, w := range s.windows {
		for _, b := range w.buckets {
			if b.persisted {
				b.removed = true
				s.dirty[b] = struct{}{}
			} else {
				delete(s.dirty, b)
			}
		}
		delete(s.windows, wk)
	}
	s.buckets = 0
	s.hasWM = false
	s.lateSince = time.Time{}
}

// restoreForeign merges a bucket of another schema into its window's
// Other bucket: its latest count replaces the one merged before.
func (s *State) restoreForeign(wk winKey, c Change) {
	mk := mergedKey{win: wk, key: c.Schema + "\x00" + string(s.key)}
	delta := c.Count - s.merged[mk]
	if c.Count == 0 {
		delete(s.merged, mk)
	} else {
		s.merged[mk] = c.Count
	}
	old := &bucket{win: wk, key: mk.key, dims: slices.Clone(c.Dims), schema: c.Schema, persisted: true, removed: true}
	s.dirty[old] = struct{}{}
	if delta == 0 {
		return
	}
	other := make([]string, s.opts.NumDims)
	for i := range other {
		other[i] = Other
	}
	s.key = appendKey(s.key[:0], other)
	b := s.bucketOf(wk, s.key, other)
	b.count += delta
	s.dirty[b] = struct{}{}
	if b.count <= 0 {
		persisted := b.persisted
		s.dropRestored(wk, s.key)
		if persisted {
			b.removed = true
			s.dirty[b] = struct{}{}
		}
	}
}

// dropRestored removes a restored bucket that a later entry deleted.
func (s *State) dropRestored(wk winKey, key []byte) {
	w := s.windows[wk]
	if w == nil {
		return
	}
	if b, ok := w.buckets[string(key)]; ok {
		delete(w.buckets, string(key))
		delete(s.dirty, b)
		s.buckets--
		if len(w.buckets) == 0 {
			delete(s.windows, wk)
		}
	}
}
