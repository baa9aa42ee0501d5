// Package bench holds the workloads and the measured loops of scrubd's
// throughput benchmarks, so that `go test -bench` (bench_test.go) and the
// report command (bench/report) measure exactly the same thing.
//
// A Workload is a set of log lines; the functions Scan, Scrub and Regexp
// return benchmark bodies for testing.B that process every line of a
// workload once per iteration, with b.SetBytes set to the workload's size so
// that the results read in MB/s. Divide allocations per operation by the
// number of lines for allocations per line.
package bench

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/scrubd/scrubd/bench/baseline"
	"github.com/scrubd/scrubd/bench/gen"
	"github.com/scrubd/scrubd/detectors"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/keyring"
)

// A Workload is a named set of log lines, without their newlines.
type Workload struct {
	Name  string
	Lines [][]byte
	// Bytes is the total length of Lines.
	Bytes int64
}

// NewWorkload returns a Workload of lines.
func NewWorkload(name string, lines [][]byte) Workload {
	w := Workload{Name: name, Lines: lines}
	for _, l := range lines {
		w.Bytes += int64(len(l))
	}
	return w
}

// DefaultSeed and DefaultLines make the generated workloads: 4096 lines
// (about 1 MB) per workload fit in the caches of a server core no better
// than a real stream does.
const (
	DefaultSeed  = 1
	DefaultLines = 4096
)

// Generated returns the generated workloads, n lines each, in a fixed order:
// text, json, access, logfmt and mixed (gen.DefaultMix).
func Generated(seed uint64, n int) []Workload {
	g := gen.New(seed)
	return []Workload{
		NewWorkload("text", g.Lines(n, gen.Only(gen.Text))),
		NewWorkload("json", g.Lines(n, gen.Only(gen.JSON))),
		NewWorkload("access", g.Lines(n, gen.Only(gen.Access))),
		NewWorkload("logfmt", g.Lines(n, gen.Only(gen.Logfmt))),
		NewWorkload("mixed", g.Lines(n, gen.DefaultMix)),
	}
}

// Clean returns the lines of w in which s finds nothing, as a workload
// named name.
func Clean(name string, s *detectors.Scanner, w Workload) (Workload, error) {
	var lines [][]byte
	var found []detectors.Finding
	for _, l := range w.Lines {
		var err error
		found, err = s.Scan(found[:0], l)
		if err != nil {
			return Workload{}, fmt.Errorf("scan workload %s: %w", w.Name, err)
		}
		if len(found) == 0 {
			lines = append(lines, l)
		}
	}
	return NewWorkload(name, lines), nil
}

// Corpora are the shared public corpora the benchmarks use when present,
// by workload name, as paths under the corpora directory.
var Corpora = []struct{ Name, Path string }{
	{"apache", "access-logs/apache_logs"},
	{"nginxplus_json", "access-logs/nginxplus_json_logs"},
}

// ErrNoCorpora reports that the shared corpora directory was not found.
var ErrNoCorpora = errors.New("shared corpora not found (set SCRUBD_CORPORA or check out ../shared/corpora next to the repository)")

// CorporaDir returns the shared corpora directory: $SCRUBD_CORPORA, or
// shared/corpora beside the repository, looked for from the working
// directory and its parents (tests run in the package directory, the report
// in the repository root).
func CorporaDir() (string, error) {
	if d := os.Getenv("SCRUBD_CORPORA"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, nil
		}
		return "", fmt.Errorf("SCRUBD_CORPORA=%s: not a directory", d)
	}
	for _, d := range []string{"../shared/corpora", "../../shared/corpora", "../../../shared/corpora"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return filepath.Clean(d), nil
		}
	}
	return "", ErrNoCorpora
}

// LoadLines reads the lines of the file at path as a workload named name.
func LoadLines(name, path string) (Workload, error) {
	f, err := os.Open(path)
	if err != nil {
		return Workload{}, fmt.Errorf("load workload %s: %w", name, err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		return Workload{}, fmt.Errorf("load workload %s: %w", name, err)
	}
	return NewWorkload(name, lines), nil
}

// DefaultEngine compiles scrubd's default policy with a random key.
func DefaultEngine() (*rules.Engine, error) {
	e, err := rules.Compile(rules.Default(), keyring.Random())
	if err != nil {
		return nil, fmt.Errorf("compile default policy: %w", err)
	}
	return e, nil
}

// DefaultScanner builds the scanner of the default detector set.
func DefaultScanner() (*detectors.Scanner, error) {
	s, err := detectors.New(detectors.Options{})
	if err != nil {
		return nil, fmt.Errorf("build scanner: %w", err)
	}
	return s, nil
}

// BaselineKey is the HMAC key of the regexp baseline in benchmarks.
var BaselineKey = []byte("scrubd-benchmark-baseline-key-0123456789")

// Scan returns a benchmark of s.Scan over every line of w, reusing one
// findings slice.
func Scan(s *detectors.Scanner, w Workload) func(*testing.B) {
	return func(b *testing.B) {
		b.SetBytes(w.Bytes)
		b.ReportAllocs()
		dst := make([]detectors.Finding, 0, 64)
		var err error
		for b.Loop() {
			for _, l := range w.Lines {
				if dst, err = s.Scan(dst[:0], l); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// Scrub returns a benchmark of scrubbing every line of w with one Session of
// e, reusing one output buffer and one Result, as a worker of `scrubd
// scrub` does.
func Scrub(e *rules.Engine, w Workload) func(*testing.B) {
	return func(b *testing.B) {
		b.SetBytes(w.Bytes)
		b.ReportAllocs()
		dst := make([]byte, 0, 64<<10)
		var res rules.Result
		var err error
		s := e.NewSession()
		for b.Loop() {
			for _, l := range w.Lines {
				if dst, err = s.Scrub(dst[:0], l, &res); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// Regexp returns a benchmark of the regexp baseline's Scrub over every line
// of w.
func Regexp(s *baseline.Scrubber, w Workload) func(*testing.B) {
	return func(b *testing.B) {
		b.SetBytes(w.Bytes)
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range w.Lines {
				s.Scrub(l)
			}
		}
	}
}
