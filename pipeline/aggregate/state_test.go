package aggregate

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2024, 3, 5, 7, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{Window: time.Minute, Lateness: 10 * time.Second, FlushAfter: 5 * time.Second, K: 3, NumDims: 2, Schema: "event,country", MaxBuckets: 1000}
}

func obsAt(d time.Duration, dims ...string) Observation {
	return Observation{Time: t0.Add(d).UnixMilli(), Dims: dims}
}

// total sums the counts of emissions by window start and correction.
func total(es []Emission) map[string]int64 {
	m := map[string]int64{}
	for _, e := range es {
		for _, b := range e.Buckets {
			m[fmt.Sprintf("%s/%v", e.Start.Format("15:04:05"), e.Correction)] += b.Count
		}
	}
	return m
}

func TestWindowStart(t *testing.T) {
	s := NewState(testOptions())
	for _, tt := range []struct{ t, want int64 }{
		{0, 0}, {59_999, 0}, {60_000, 60_000}, {-1, -60_000}, {-60_000, -60_000}, {t0.UnixMilli() + 61_500, t0.UnixMilli() + 60_000},
	} {
		if got := s.WindowStart(tt.t); got != tt.want {
			t.Errorf("WindowStart(%d) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	in := []Bucket{
		{Dims: []string{"b", "GB"}, Count: 10, Subjects: 3},
		{Dims: []string{"a", "GB"}, Count: 3, Subjects: 3},
		{Dims: []string{"a", "SE"}, Count: 2, Subjects: 2},
		{Dims: []string{"c", "US"}, Count: 1, Subjects: 1},
		{Dims: []string{"d", "US"}, Count: 9, Subjects: 1},    // one busy subject
		{Dims: []string{Other, Other}, Count: 4, Subjects: 3}, // restored fold
	}
	out, suppressed := fold(in, 3, 2)
	want := []Bucket{
		{Dims: []string{"a", "GB"}, Count: 3, Subjects: 3},
		{Dims: []string{"b", "GB"}, Count: 10, Subjects: 3},
		{Dims: []string{Other, Other}, Count: 16, Subjects: 3},
	}
	if diff := cmp.Diff(want, out); diff != "" || suppressed != 3 {
		t.Errorf("fold (-want +got):\n%s\nsuppressed %d, want 3", diff, suppressed)
	}
	var sum int64
	for _, b := range out {
		sum += b.Count
	}
	if sum != 29 {
		t.Errorf("fold lost counts: %d, want 29", sum)
	}
}

// TestEmitByWatermark: a window is emitted once the watermark passes its
// end plus the lateness; a record of an emitted window is late and is
// emitted as a correction after FlushAfter; no count is lost.
func TestEmitByWatermark(t *testing.T) {
	s := NewState(testOptions())
	now := t0
	for i := range 5 {
		s.Add(obsAt(time.Duration(i)*time.Second, "login", "GB"), now)
	}
	s.Add(obsAt(65*time.Second, "login", "GB"), now) // window 07:01, watermark 07:01:05
	if es := s.Emit(now, false); len(es) != 0 {
		t.Fatalf("emitted %d windows before the lateness passed", len(es))
	}
	if late := s.Add(obsAt(30*time.Second, "login", "SE"), now); late {
		t.Fatal("a record within the lateness was late")
	}
	s.Add(obsAt(71*time.Second, "login", "GB"), now) // watermark 07:01:11 > 07:01:10
	es := s.Emit(now, false)
	if got := total(es); !cmp.Equal(got, map[string]int64{"07:00:00/false": 6}) {
		t.Fatalf("emitted %v", got)
	}
	if late := s.Add(obsAt(2*time.Second, "login", "GB"), now); !late {
		t.Fatal("a record after the lateness was not late")
	}
	if es := s.Emit(now.Add(time.Second), false); len(es) != 0 {
		t.Fatalf("late counts emitted before FlushAfter: %v", total(es))
	}
	es = s.Emit(now.Add(6*time.Second), false)
	if got := total(es); !cmp.Equal(got, map[string]int64{"07:00:00/true": 1}) {
		t.Fatalf("correction %v", got)
	}
	es = s.Emit(now.Add(7*time.Second), true)
	if got := total(es); !cmp.Equal(got, map[string]int64{"07:01:00/false": 2}) || s.Pending() {
		t.Fatalf("flush emitted %v, pending %v", got, s.Pending())
	}
	// The flush closed 07:01: a record of it is now late.
	if late := s.Add(obsAt(61*time.Second, "x", "GB"), now); !late {
		t.Fatal("a record of a flushed window was not late")
	}
}

func TestMaxBucketsFlushes(t *testing.T) {
	o := testOptions()
	o.MaxBuckets = 3
	s := NewState(o)
	for i := range 4 {
		s.Add(obsAt(0, fmt.Sprint("e", i), "GB"), t0)
	}
	if es := s.Emit(t0, false); len(es) != 1 || s.Pending() {
		t.Fatalf("over MaxBuckets: %d emissions, pending %v", len(es), s.Pending())
	}
}

// TestChangelogRestore writes the changes of a State after each "batch"
// to a log, restores a new State from the log at every point, and checks
// that the restored State emits exactly what the original would.
func TestChangelogRestore(t *testing.T) {
	src := Source{Topic: "logs.raw", Partition: 3}
	type rec struct{ key, value []byte }
	var log []rec
	s := NewState(testOptions())
	write := func() {
		for _, c := range s.Changes() {
			log = append(log, rec{ChangeKey(src, c), ChangeValue(c)})
		}
	}
	restore := func() *State {
		r := NewState(testOptions())
		for _, l := range log {
			e, err := DecodeEntry(l.key, l.value)
			if err != nil {
				t.Fatal(err)
			}
			if e.Source != src || e.Kind == EntryMarker {
				t.Fatalf("entry %+v", e)
			}
			r.Restore(e.Change)
		}
		if len(r.Changes()) != 0 {
			t.Fatal("a restored state has changes to write")
		}
		return r
	}
	batches := [][]Observation{
		{obsAt(0, "a", "GB"), obsAt(1*time.Second, "a", "GB"), obsAt(2*time.Second, "b", "SE")},
		{obsAt(61*time.Second, "a", "GB"), obsAt(3*time.Second, "b", "SE")},
		{obsAt(75*time.Second, "a", "GB")}, // closes 07:00
		{obsAt(4*time.Second, "c", "US")},  // late
		{obsAt(130*time.Second, "a", "GB")},
	}
	var emittedA, emittedB int64
	for i, b := range batches {
		for _, o := range b {
			s.Add(o, t0)
		}
		for _, e := range s.Emit(t0.Add(time.Duration(i)*10*time.Second), false) {
			for _, bk := range e.Buckets {
				emittedA += bk.Count
			}
		}
		write()
		r := restore()
		if wmS, _ := s.Watermark(); true {
			wmR, _ := r.Watermark()
			if wmS != wmR || r.Buckets() != s.Buckets() {
				t.Fatalf("batch %d: restored watermark %d buckets %d, want %d, %d", i, wmR, r.Buckets(), wmS, s.Buckets())
			}
		}
		if i == len(batches)-1 {
			want := total(s.Emit(t0.Add(time.Hour), true))
			got := total(r.Emit(t0.Add(time.Hour), true))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("restored state emits differently (-want +got):\n%s", diff)
			}
			for _, c := range got {
				emittedB += c
			}
		}
	}
	if n := emittedA + emittedB; n != 8 {
		t.Errorf("%d records emitted in all, want 8", n)
	}
}

// TestRestoreOtherSchema folds buckets of a changed dimension list into
// Other, keeping their latest counts, and deletes their old entries.
func TestRestoreOtherSchema(t *testing.T) {
	s := NewState(testOptions())
	start := t0.UnixMilli()
	s.Restore(Change{Start: start, Dims: []string{"a"}, Count: 3, Schema: "event"})
	s.Restore(Change{Start: start, Dims: []string{"a"}, Count: 5, Schema: "event"}) // a later count of the same bucket
	s.Restore(Change{Start: start, Dims: []string{"b"}, Count: 2, Schema: "event"})
	s.Restore(Change{Start: start, Dims: []string{"x", "GB"}, Count: 4, Schema: "event,country"})
	ch := s.Changes()
	var tombstones int
	for _, c := range ch {
		if c.Schema == "event" && c.Count == 0 {
			tombstones++
		}
	}
	if tombstones < 2 {
		t.Errorf("%d tombstones for the old entries, want them deleted: %+v", tombstones, ch)
	}
	got := total(s.Emit(t0, true))
	if got["07:00:00/false"] != 11 {
		t.Errorf("emitted %v, want 11 in all", got)
	}
}

func TestDecodeEntryRejects(t *testing.T) {
	for _, k := range []string{``, `{}`, `["a0","t",0,"b"]`, `["a1","t",0,"z"]`, `["a1","t",0,"b","s",1,0]`} {
		if _, err := DecodeEntry([]byte(k), []byte("1")); err == nil {
			t.Errorf("DecodeEntry(%q) accepted", k)
		}
	}
	if _, err := DecodeEntry(ChangeKey(Source{"t", 1}, Change{Dims: []string{"a"}, Schema: "event"}), []byte("-3")); err == nil {
		t.Error("a negative count was accepted")
	}
}

// FuzzChangelogKey round-trips bucket changes through the changelog
// encoding.
func FuzzChangelogKey(f *testing.F) {
	f.Add("logs.raw", int32(0), int64(1700000000000), true, "login", "/a/{id}", "event,path")
	f.Add("t", int32(-1), int64(-5), false, "\"\\\x00\xff", "", "")
	f.Fuzz(func(t *testing.T, topic string, part int32, start int64, late bool, d1, d2, schema string) {
		src := Source{Topic: topic, Partition: part}
		c := Change{Start: start, Late: late, Dims: []string{d1, d2}, Count: 7, Distinct: 5, Schema: schema}
		e, err := DecodeEntry(ChangeKey(src, c), ChangeValue(c))
		if err != nil {
			t.Fatal(err)
		}
		// JSON replaces invalid UTF-8; compare what survives encoding.
		want := Entry{Source: Source{Topic: jsonRoundTrip(topic), Partition: part}, Kind: EntryBucket,
			Change: Change{Start: start, Late: late, Dims: []string{jsonRoundTrip(d1), jsonRoundTrip(d2)}, Count: 7, Distinct: 5, Schema: jsonRoundTrip(schema)}}
		if diff := cmp.Diff(want, e); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

func jsonRoundTrip(s string) string {
	return string([]rune(s)) // invalid UTF-8 becomes U+FFFD, as in appendJSONString
}

// TestRestoredLateCountsEmitted: late counts read back from a changelog are
// emitted FlushAfter after the first Emit, like late counts of this State.
func TestRestoredLateCountsEmitted(t *testing.T) {
	s := NewState(testOptions())
	s.Restore(Change{Start: t0.UnixMilli(), Late: true, Dims: []string{"a", "GB"}, Count: 2, Schema: "event,country"})
	if es := s.Emit(t0, false); len(es) != 0 {
		t.Fatalf("late counts emitted at once: %v", total(es))
	}
	if got := total(s.Emit(t0.Add(5*time.Second), false)); got["07:00:00/true"] != 2 {
		t.Fatalf("restored late counts not emitted after FlushAfter: %v", got)
	}
}

// TestDistinctSubjects: k counts distinct subjects per bucket, not
// records: one busy subject's many records are folded, k different
// subjects' records are emitted, and records without a subject count as
// one subject each.
func TestDistinctSubjects(t *testing.T) {
	s := NewState(testOptions()) // k = 3
	add := func(event string, subject uint64, n int) {
		for range n {
			o := obsAt(time.Second, event, "GB")
			o.Subject = subject
			s.Add(o, t0)
		}
	}
	add("busy", 7, 50)      // one person, 50 records
	add("two", 1, 5)        // two persons, 10 records
	add("two", 2, 5)        //
	add("three", 1, 1)      // three persons, one record each
	add("three", 2, 1)      //
	add("three", 3, 1)      //
	add("anonymous", 0, 3)  // no subject: three records, three subjects
	add("anonymous1", 0, 2) // two
	changes := s.Changes()
	es := s.Emit(t0, true)
	if len(es) != 1 {
		t.Fatalf("%d emissions", len(es))
	}
	got := map[string]int64{}
	for _, b := range es[0].Buckets {
		got[b.Dims[0]] = b.Count
	}
	want := map[string]int64{"three": 3, "anonymous": 3, Other: 50 + 10 + 2}
	if diff := cmp.Diff(want, got); diff != "" || es[0].Suppressed != 3 {
		t.Errorf("buckets (-want +got):\n%s\nsuppressed %d, want 3", diff, es[0].Suppressed)
	}
	// The changelog carries the distinct count, capped at k, and a
	// restored bucket keeps it.
	r := NewState(testOptions())
	for _, c := range changes {
		e, err := DecodeEntry(ChangeKey(Source{"t", 0}, c), ChangeValue(c))
		if err != nil {
			t.Fatal(err)
		}
		r.Restore(e.Change)
	}
	distinct := map[string]int64{}
	for _, b := range r.Emit(t0, true)[0].Buckets {
		distinct[b.Dims[0]] = b.Count
	}
	if diff := cmp.Diff(want, distinct); diff != "" {
		t.Errorf("restored (-want +got):\n%s", diff)
	}
}

// TestSubjectSetBounded: a bucket keeps at most k subject hashes, and none
// once k is reached.
func TestSubjectSetBounded(t *testing.T) {
	var b bucket
	for i := uint64(1); i <= 100; i++ {
		b.see(i, 10)
		if len(b.subjects) >= 10 {
			t.Fatalf("%d hashes held with k=10", len(b.subjects))
		}
	}
	if b.distinct != 10 || b.subjects != nil {
		t.Errorf("distinct %d, hashes %v", b.distinct, b.subjects)
	}
}

func TestDecodeOldBucketValue(t *testing.T) {
	key := ChangeKey(Source{"t", 1}, Change{Dims: []string{"a"}, Schema: "event"})
	e, err := DecodeEntry(key, []byte("7"))
	if err != nil || e.Change.Count != 7 || e.Change.Distinct != 7 {
		t.Errorf("old value: %+v, %v", e.Change, err)
	}
	for _, v := range []string{"7/8", "7/-1", "7/", "/3", "7/3/1"} {
		if _, err := DecodeEntry(key, []byte(v)); err == nil {
			t.Errorf("value %q accepted", v)
		}
	}
}
