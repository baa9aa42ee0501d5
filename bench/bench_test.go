package bench

import (
	"bytes"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/scrubd/scrubd/bench/baseline"
	"github.com/scrubd/scrubd/bench/gen"
	"github.com/scrubd/scrubd/detectors"
	"github.com/scrubd/scrubd/rules"
)

// workloads are the generated workloads, made once per test binary.
var workloads = sync.OnceValue(func() []Workload { return Generated(DefaultSeed, DefaultLines) })

func workload(tb testing.TB, name string) Workload {
	for _, w := range workloads() {
		if w.Name == name {
			return w
		}
	}
	tb.Fatalf("no workload %q", name)
	return Workload{}
}

func scanner(tb testing.TB) *detectors.Scanner {
	s, err := DefaultScanner()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func engine(tb testing.TB) *rules.Engine {
	e, err := DefaultEngine()
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// cleanLines are the lines of the mixed workload without findings.
func cleanLines(tb testing.TB, s *detectors.Scanner) Workload {
	w, err := Clean("clean", s, workload(tb, "mixed"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(w.Lines) < 100 {
		tb.Fatalf("only %d clean lines in the mixed workload", len(w.Lines))
	}
	return w
}

// BenchmarkScan measures the detector scanner alone on free text, JSON
// records (scanned whole, as text) and access logs.
func BenchmarkScan(b *testing.B) {
	s := scanner(b)
	for _, name := range []string{"text", "json", "access", "logfmt", "mixed"} {
		b.Run(name, Scan(s, workload(b, name)))
	}
}

// BenchmarkScanClean measures the scanner on lines in which it finds
// nothing, the common case; it must report 0 allocs/op.
func BenchmarkScanClean(b *testing.B) {
	s := scanner(b)
	Scan(s, cleanLines(b, s))(b)
}

// BenchmarkScrub measures rules.Engine.Scrub with the default policy:
// format detection, JSON walking and re-encoding, field rules, detectors
// and actions.
func BenchmarkScrub(b *testing.B) {
	e := engine(b)
	for _, name := range []string{"text", "json", "access", "logfmt", "mixed"} {
		b.Run(name, Scrub(e, workload(b, name)))
	}
}

// BenchmarkBaseline measures the standard-library regexp implementation of
// the same detectors and actions on the same lines as BenchmarkScrub; the
// ratio of the two is the speed-up over the usual approach.
func BenchmarkBaseline(b *testing.B) {
	s := baseline.New(BaselineKey)
	for _, name := range []string{"text", "json", "access", "logfmt", "mixed"} {
		b.Run(name, Regexp(s, workload(b, name)))
	}
}

// corpus loads a shared corpus or skips the benchmark.
func corpus(b *testing.B, name, path string) Workload {
	dir, err := CorporaDir()
	if errors.Is(err, ErrNoCorpora) {
		b.Skipf("skipping: %v", err)
	}
	if err != nil {
		b.Fatal(err)
	}
	w, err := LoadLines(name, filepath.Join(dir, path))
	if err != nil {
		b.Skipf("skipping: corpus %s not present: %v", path, err)
	}
	return w
}

// BenchmarkScrubCorpus scrubs the shared public corpora (10,000 Apache
// combined lines; 500 NGINX Plus status JSON records of about 5.5 KB).
func BenchmarkScrubCorpus(b *testing.B) {
	e := engine(b)
	for _, c := range Corpora {
		b.Run(c.Name, func(b *testing.B) { Scrub(e, corpus(b, c.Name, c.Path))(b) })
	}
}

// BenchmarkBaselineCorpus runs the regexp baseline on the shared corpora.
func BenchmarkBaselineCorpus(b *testing.B) {
	s := baseline.New(BaselineKey)
	for _, c := range Corpora {
		b.Run(c.Name, func(b *testing.B) { Regexp(s, corpus(b, c.Name, c.Path))(b) })
	}
}

// TestScanCleanAllocs enforces the allocation target of BenchmarkScanClean
// on every test run: scanning a line without findings allocates nothing.
func TestScanCleanAllocs(t *testing.T) {
	s := scanner(t)
	w := cleanLines(t, s)
	dst := make([]detectors.Finding, 0, 64)
	allocs := testing.AllocsPerRun(20, func() {
		for _, l := range w.Lines {
			dst, _ = s.Scan(dst[:0], l)
		}
	})
	if allocs == 0 {
		return
	}
	t.Errorf("scanning %d clean lines allocates %.1f times, want 0", len(w.Lines), allocs)
	shown := 0
	for _, l := range w.Lines {
		if a := testing.AllocsPerRun(3, func() { dst, _ = s.Scan(dst[:0], l) }); a > 0 && shown < 5 {
			t.Errorf("%.0f allocations scanning %q", a, l)
			shown++
		}
	}
}

// TestWorkloads checks the workloads the benchmarks run on: the right
// kinds, a realistic share of clean lines, identical across runs.
func TestWorkloads(t *testing.T) {
	ws := Generated(DefaultSeed, 1000)
	again := Generated(DefaultSeed, 1000)
	for i, w := range ws {
		if len(w.Lines) != 1000 || w.Bytes < 100*1000 {
			t.Errorf("workload %s: %d lines, %d bytes", w.Name, len(w.Lines), w.Bytes)
		}
		for j := range w.Lines {
			if !bytes.Equal(w.Lines[j], again[i].Lines[j]) {
				t.Fatalf("workload %s line %d differs between two runs", w.Name, j)
			}
		}
	}
	s := scanner(t)
	clean, err := Clean("clean", s, ws[4])
	if err != nil {
		t.Fatal(err)
	}
	if n := len(clean.Lines); n < 200 || n > 700 {
		t.Errorf("%d of 1000 mixed lines have no findings, want 200-700", n)
	}
}

// TestNoSeededValueSurvives scrubs generated logs with the default policy
// and checks that no planted value of personal data is left in the output
// line, in the spelling it was planted in and not inside a longer word (a
// first name "li" may well remain in "notifications").
func TestNoSeededValueSurvives(t *testing.T) {
	e := engine(t)
	var res rules.Result
	var out []byte
	left := map[detectors.Type]int{}
	total := 0
	for _, r := range gen.New(2).Records(20000, gen.DefaultMix) {
		var err error
		out, err = e.Scrub(out[:0], r.Line, &res)
		if err != nil {
			t.Fatalf("scrub %s line: %v", r.Kind, err)
		}
		for _, s := range r.Seeds {
			total++
			if containsWord(out, []byte(s.Value)) {
				if left[s.Type] < 3 {
					t.Errorf("%s %q survives in %s line:\n in: %s\nout: %s", s.Type, s.Value, r.Kind, r.Line, out)
				}
				left[s.Type]++
			}
		}
	}
	if len(left) > 0 {
		t.Errorf("values surviving scrubbing, by type, of %d planted: %v", total, left)
	}
}

// containsWord reports whether v occurs in b with no ASCII letter or digit
// right before or after it.
func containsWord(b, v []byte) bool {
	alnum := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	for off := 0; ; {
		i := bytes.Index(b[off:], v)
		if i < 0 {
			return false
		}
		st, end := off+i, off+i+len(v)
		if (st == 0 || !alnum(b[st-1])) && (end == len(b) || !alnum(b[end])) {
			return true
		}
		off = st + 1
	}
}

func TestContainsWord(t *testing.T) {
	tests := []struct {
		b, v string
		want bool
	}{
		{"notifications", "li", false},
		{`"first_name":"li"`, "li", true},
		{"li", "li", true},
		{"lili li", "li", true},
		{"10.1.2.30", "10.1.2.3", false},
		{"from 10.1.2.3:22", "10.1.2.3", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := containsWord([]byte(tt.b), []byte(tt.v)); got != tt.want {
			t.Errorf("containsWord(%q, %q) = %v, want %v", tt.b, tt.v, got, tt.want)
		}
	}
}
