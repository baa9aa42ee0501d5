// Command report measures scrubd's throughput and prints it as Markdown
// tables, for the README and for comparing changes:
//
//	go run ./bench/report > bench-report.md
//
// It runs, in one process, the benchmark bodies of package bench with
// testing.Benchmark on one core (GOMAXPROCS=1): the detector scan, the
// default-policy scrub and the standard-library regexp baseline on the same
// generated lines, so that the ratio of scrub to baseline comes from one run
// on one machine state. Each measurement is repeated -count times,
// interleaved, and the median is reported. Throughput is given per second of
// CPU time the process used (which other processes' load does not inflate)
// and, in a second table, per second of wall-clock time.
//
// It then builds the scrubd binary, writes a generated file of each format
// (JSON, logfmt, access logs, mixed, free text) and times `scrubd scrub
// FILE` on one core (GOMAXPROCS=1), in MB per CPU-second with reading and
// writing included, against issue 20's target for the format and beside the
// regexp baseline of the same lines; and with all cores (MB/s, MB/s per
// core, MB per CPU-second). `make bench` prints this report.
//
// MB is 10^6 bytes, as in `go test -bench`.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scrubd/scrubd/bench"
	"github.com/scrubd/scrubd/bench/baseline"
	"github.com/scrubd/scrubd/bench/gen"
)

// config holds the command's flags.
type config struct {
	benchtime time.Duration
	count     int
	lines     int
	seed      uint64
	corpusKB  int
	cli       bool
	cliMB     int
	cliRuns   int
	keep      bool
}

func main() {
	testing.Init()
	var c config
	flag.DurationVar(&c.benchtime, "benchtime", 300*time.Millisecond, "target duration of each benchmark run")
	flag.IntVar(&c.count, "count", 3, "runs of each benchmark; the median is reported")
	flag.IntVar(&c.lines, "lines", 1024, "generated lines per workload")
	flag.Uint64Var(&c.seed, "seed", bench.DefaultSeed, "seed of the generated workloads")
	flag.IntVar(&c.corpusKB, "corpus-kb", 512, "KB of each shared corpus to measure, from its start (the regexp baseline is slow)")
	flag.BoolVar(&c.cli, "cli", true, "also time the scrubd binary on a generated file")
	flag.IntVar(&c.cliMB, "cli-mb", 60, "size in MB of the generated file of each format for the CLI runs")
	flag.IntVar(&c.cliRuns, "cli-runs", 3, "runs of the CLI on each file; the median is reported")
	flag.BoolVar(&c.keep, "keep", false, "keep the generated files and the binary")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: go run ./bench/report [flags] > report.md")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := flag.Set("test.benchtime", c.benchtime.String()); err != nil {
		fatal(err)
	}
	if c.count < 1 || c.lines < 1 || c.cliRuns < 1 || c.cliMB < 1 {
		fatal(errors.New("-count, -lines, -cli-mb and -cli-runs must be positive"))
	}
	if err := run(context.Background(), c, os.Stdout, os.Stderr); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "report: %v\n", err)
	os.Exit(1)
}

// A measurement is one benchmark run's figures.
type measurement struct {
	cpuMBs, wallMBs float64
	allocsPerLine   float64
}

// A cell collects the runs of one benchmark and reports their median.
type cell struct {
	runs []measurement
}

func (c *cell) add(m measurement) { c.runs = append(c.runs, m) }

func (c *cell) median(f func(measurement) float64) float64 {
	if len(c.runs) == 0 {
		return 0
	}
	v := make([]float64, len(c.runs))
	for i, m := range c.runs {
		v[i] = f(m)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func (c *cell) cpu() float64  { return c.median(func(m measurement) float64 { return m.cpuMBs }) }
func (c *cell) wall() float64 { return c.median(func(m measurement) float64 { return m.wallMBs }) }
func (c *cell) allocs() float64 {
	return c.median(func(m measurement) float64 { return m.allocsPerLine })
}

// A row is one workload with its three measurements; nil cells are not
// measured.
type row struct {
	w                  bench.Workload
	note               string
	scan, scrub, regex *cell
}

// measure runs body with testing.Benchmark and returns its figures per
// line of w.
func measure(w bench.Workload, body func(*testing.B)) measurement {
	var cpu time.Duration
	r := testing.Benchmark(func(b *testing.B) {
		c0 := cpuTime()
		body(b)
		cpu = cpuTime() - c0
	})
	total := float64(r.Bytes) * float64(r.N)
	m := measurement{
		wallMBs:       total / r.T.Seconds() / 1e6,
		allocsPerLine: float64(r.MemAllocs) / float64(r.N) / float64(len(w.Lines)),
	}
	if cpu > 0 {
		m.cpuMBs = total / cpu.Seconds() / 1e6
	}
	return m
}

func run(ctx context.Context, c config, stdout, stderr io.Writer) error {
	start := time.Now()
	scanner, err := bench.DefaultScanner()
	if err != nil {
		return err
	}
	engine, err := bench.DefaultEngine()
	if err != nil {
		return err
	}
	re := baseline.New(bench.BaselineKey)

	var rows []*row
	for _, w := range bench.Generated(c.seed, c.lines) {
		rows = append(rows, &row{w: w, scan: &cell{}, scrub: &cell{}, regex: &cell{}})
	}
	// Clean lines come from the mixed workload of go test's size, at
	// least: rare lines that make the scanner allocate must not be missed.
	mixed := rows[len(rows)-1].w
	if c.lines < bench.DefaultLines {
		ws := bench.Generated(c.seed, bench.DefaultLines)
		mixed = ws[len(ws)-1]
	}
	clean, err := bench.Clean("clean (mixed lines without findings)", scanner, mixed)
	if err != nil {
		return err
	}
	rows = append(rows, &row{w: clean, scan: &cell{}})
	corporaNote := ""
	if dir, err := bench.CorporaDir(); err == nil {
		for _, cp := range bench.Corpora {
			w, err := bench.LoadLines(cp.Name, filepath.Join(dir, cp.Path))
			if err != nil {
				corporaNote += fmt.Sprintf("Corpus %s skipped: %v.\n", cp.Name, err)
				continue
			}
			w = prefix(w, int64(c.corpusKB)<<10)
			rows = append(rows, &row{w: w, note: "corpus", scan: &cell{}, scrub: &cell{}, regex: &cell{}})
		}
	} else {
		corporaNote = fmt.Sprintf("Shared corpora not measured: %v.\n", err)
	}

	procs := runtime.GOMAXPROCS(1)
	fmt.Fprintf(stderr, "measuring on 1 core: %d workloads, %d runs each, benchtime %v\n", len(rows), c.count, c.benchtime)
	for k := range c.count {
		for _, r := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "  run %d/%d: %s\n", k+1, c.count, r.w.Name)
			if r.scan != nil {
				r.scan.add(measure(r.w, bench.Scan(scanner, r.w)))
			}
			if r.scrub != nil {
				r.scrub.add(measure(r.w, bench.Scrub(engine, r.w)))
			}
			if r.regex != nil {
				r.regex.add(measure(r.w, bench.Regexp(re, r.w)))
			}
		}
	}
	runtime.GOMAXPROCS(procs)

	var out bytes.Buffer
	writeHeader(&out, c, procs)
	writeBenchTables(&out, rows)
	out.WriteString(corporaNote)
	writeTargets(&out, rows)

	if c.cli {
		fmt.Fprintf(stderr, "timing the scrubd binary with %d cores\n", procs)
		if err := writeCLI(ctx, &out, c, procs, rows, stderr); err != nil {
			return err
		}
	}
	fmt.Fprintf(&out, "\nMeasured in %.0f s.\n", time.Since(start).Seconds())
	_, err = stdout.Write(out.Bytes())
	return err
}

// prefix returns the first lines of w that fit in size bytes, at least one.
func prefix(w bench.Workload, size int64) bench.Workload {
	var n int64
	for i, l := range w.Lines {
		n += int64(len(l))
		if n > size && i > 0 {
			return bench.NewWorkload(w.Name, w.Lines[:i])
		}
	}
	return w
}

func writeHeader(out *bytes.Buffer, c config, procs int) {
	fmt.Fprintf(out, "## scrubd throughput\n\n")
	fmt.Fprintf(out, "`go run ./bench/report` on %s, %s/%s, %s, %d CPUs (GOMAXPROCS %d), load average %s.\n",
		cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU(), procs, loadAverage())
	fmt.Fprintf(out, "Source: %s.\n", treeState())
	fmt.Fprintf(out, "Generated workloads: %d lines each (seed %d, `bench/gen`; the clean row: the lines of a %d-line mixed workload without findings); every figure is the median of %d runs of %v.\n\n",
		c.lines, c.seed, max(c.lines, bench.DefaultLines), c.count, c.benchtime)
}

func writeBenchTables(out *bytes.Buffer, rows []*row) {
	fmt.Fprintf(out, "### One core (GOMAXPROCS=1), MB per CPU-second\n\n")
	fmt.Fprintf(out, "| workload | lines | avg bytes | scan MB/s | scan allocs/line | scrub MB/s | scrub allocs/line | regexp MB/s | regexp allocs/line | scrub ÷ regexp |\n")
	fmt.Fprintf(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		name := r.w.Name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(out, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", name, len(r.w.Lines), r.w.Bytes/int64(max(1, len(r.w.Lines))),
			mbs(r.scan, (*cell).cpu), allocs(r.scan), mbs(r.scrub, (*cell).cpu), allocs(r.scrub),
			mbs(r.regex, (*cell).cpu), allocs(r.regex), ratio(r.scrub, r.regex, (*cell).cpu))
	}
	fmt.Fprintf(out, "\n### One core, MB per wall-clock second (same runs)\n\n")
	fmt.Fprintf(out, "| workload | scan MB/s | scrub MB/s | regexp MB/s | scrub ÷ regexp |\n|---|--:|--:|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s |\n", r.w.Name,
			mbs(r.scan, (*cell).wall), mbs(r.scrub, (*cell).wall), mbs(r.regex, (*cell).wall), ratio(r.scrub, r.regex, (*cell).wall))
	}
	out.WriteString("\n")
}

func mbs(c *cell, f func(*cell) float64) string {
	if c == nil {
		return "—"
	}
	v := f(c)
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func allocs(c *cell) string {
	if c == nil {
		return "—"
	}
	switch v := c.allocs(); {
	case v == 0:
		return "0"
	case v < 0.01:
		return fmt.Sprintf("%.4f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func ratio(a, b *cell, f func(*cell) float64) string {
	if a == nil || b == nil || f(b) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f×", f(a)/f(b))
}

// writeTargets compares the figures with the targets of DESIGN.md §7.
func writeTargets(out *bytes.Buffer, rows []*row) {
	get := func(name string) *row {
		for _, r := range rows {
			if r.w.Name == name || strings.HasPrefix(r.w.Name, name+" ") {
				return r
			}
		}
		return nil
	}
	text, json, clean := get("text"), get("json"), get("clean")
	fmt.Fprintf(out, "### Targets (DESIGN.md §7), one core, CPU time\n\n| target | measured | met |\n|---|--:|:-:|\n")
	check := func(what string, v float64, unit string, ok bool) {
		mark := "no"
		if ok {
			mark = "yes"
		}
		fmt.Fprintf(out, "| %s | %.1f%s | %s |\n", what, v, unit, mark)
	}
	if text != nil {
		check("scan, free text ≥ 300 MB/s", text.scan.cpu(), " MB/s", text.scan.cpu() >= 300)
	}
	if clean != nil {
		fmt.Fprintf(out, "| scan, 0 allocations per clean line | %s allocs/line | %s |\n", allocs(clean.scan), map[bool]string{true: "yes", false: "no"}[clean.scan.allocs() == 0])
	}
	if text != nil {
		check("scrub, text ≥ 150 MB/s", text.scrub.cpu(), " MB/s", text.scrub.cpu() >= 150)
		r := text.scrub.cpu() / text.regex.cpu()
		check("scrub, text ≥ 40× regexp baseline", r, "×", r >= 40)
	}
	if json != nil {
		check("scrub, JSON ≥ 100 MB/s", json.scrub.cpu(), " MB/s", json.scrub.cpu() >= 100)
	}
	out.WriteString("\n")
}

// cliFormats are the inputs of the CLI runs, one generated file per format,
// with issue 20's targets for `scrubd scrub` on one core, in MB per
// CPU-second, reading and writing included. workload names the in-process
// workload of the same lines, whose regexp baseline is shown beside.
var cliFormats = []struct {
	name, workload string
	mix            gen.Mix
	target         float64
}{
	{"json", "json", gen.Only(gen.JSON), 150},
	{"logfmt", "logfmt", gen.Only(gen.Logfmt), 150},
	{"access", "access", gen.Only(gen.Access), 150},
	{"mixed (json 3 : logfmt 2 : access 2 : text 3)", "mixed", gen.DefaultMix, 150},
	{"text", "text", gen.Only(gen.Text), 250},
}

// A cliResult is the median of the CLI runs on one file.
type cliResult struct {
	mb, wall, cpu, oneCPU float64
}

// writeCLI builds scrubd, generates the input files and times the CLI, and
// writes the per-format table: one core, MB per CPU-second, against its
// target and beside the regexp baseline of rows.
func writeCLI(ctx context.Context, out *bytes.Buffer, c config, procs int, rows []*row, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "scrubd-report-")
	if err != nil {
		return fmt.Errorf("make temporary directory: %w", err)
	}
	if !c.keep {
		defer os.RemoveAll(dir)
	}
	bin, err := buildScrubd(ctx, dir)
	if err != nil {
		return err
	}
	results := make([]cliResult, len(cliFormats))
	for i, in := range cliFormats {
		path := filepath.Join(dir, fmt.Sprintf("logs-%d.txt", i))
		fmt.Fprintf(stderr, "  writing %d MB of %s logs to %s\n", c.cliMB, in.name, path)
		size, err := writeLogs(path, int64(c.cliMB)*1e6, c.seed, in.mix)
		if err != nil {
			return err
		}
		if results[i], err = timeFile(ctx, bin, path, c.cliRuns, stderr); err != nil {
			return err
		}
		results[i].mb = float64(size) / 1e6
		if !c.keep {
			os.Remove(path)
		}
	}
	fmt.Fprintf(out, "### Per format: `scrubd scrub FILE > /dev/null` on one core (GOMAXPROCS=1)\n\n")
	fmt.Fprintf(out, "MB per CPU-second of the process, reading and writing included; target of issue 20; the regexp baseline is the in-process figure of the table above (the same generator, scrubbing only).\n\n")
	fmt.Fprintf(out, "| format | size MB | CPU s | MB per CPU-second | target | met | regexp baseline MB/s | scrub ÷ regexp |\n|---|--:|--:|--:|--:|:-:|--:|--:|\n")
	for i, in := range cliFormats {
		r := results[i]
		v := r.mb / r.oneCPU
		re, ratio := "—", "—"
		for _, w := range rows {
			if w.w.Name == in.workload && w.regex != nil && w.regex.cpu() > 0 {
				re = mbs(w.regex, (*cell).cpu)
				ratio = fmt.Sprintf("%.0f×", v/w.regex.cpu())
			}
		}
		fmt.Fprintf(out, "| %s | %.0f | %.2f | %.1f | %.0f | %s | %s | %s |\n", in.name, r.mb, r.oneCPU, v, in.target, map[bool]string{true: "yes", false: "no"}[v >= in.target], re, ratio)
	}
	fmt.Fprintf(out, "\n### `scrubd scrub FILE > /dev/null` on all %d cores\n\n", procs)
	fmt.Fprintf(out, "| format | wall s | MB/s | MB/s per core (÷ %d) | MB per CPU-second |\n|---|--:|--:|--:|--:|\n", procs)
	for i, in := range cliFormats {
		r := results[i]
		fmt.Fprintf(out, "| %s | %.2f | %.1f | %.1f | %.1f |\n", in.name, r.wall, r.mb/r.wall, r.mb/r.wall/float64(procs), r.mb/r.cpu)
	}
	fmt.Fprintf(out, "\nMedian of %d runs each, all cores and one core interleaved; the binary was built with `go build -trimpath` (CGO_ENABLED=0).\n", c.cliRuns)
	if c.keep {
		fmt.Fprintf(out, "Files kept in %s.\n", dir)
	}
	return nil
}

// buildScrubd builds the scrubd binary into dir and returns its path.
func buildScrubd(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "scrubd")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/scrubd")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build scrubd: %w\n%s", err, msg)
	}
	return bin, nil
}

// timeFile runs the CLI on path runs times on all cores and on one core,
// interleaved, and returns the medians.
func timeFile(ctx context.Context, bin, path string, runs int, stderr io.Writer) (cliResult, error) {
	var walls, cpus, oneCPUs []float64
	for k := range runs {
		fmt.Fprintf(stderr, "  run %d/%d\n", k+1, runs)
		wall, cpu, err := timeCLI(ctx, bin, path, 0)
		if err != nil {
			return cliResult{}, err
		}
		walls = append(walls, wall.Seconds())
		cpus = append(cpus, cpu.Seconds())
		if _, cpu, err = timeCLI(ctx, bin, path, 1); err != nil {
			return cliResult{}, err
		}
		oneCPUs = append(oneCPUs, cpu.Seconds())
	}
	med := func(v []float64) float64 {
		slices.Sort(v)
		return v[len(v)/2]
	}
	return cliResult{wall: med(walls), cpu: med(cpus), oneCPU: med(oneCPUs)}, nil
}

// writeLogs writes at least size bytes of generated lines to path and
// returns the size written.
func writeLogs(path string, size int64, seed uint64, mix gen.Mix) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("write generated logs: %w", err)
	}
	g := gen.New(seed)
	var total int64
	for total < size {
		n, err := g.Write(f, 10000, mix)
		total += n
		if err != nil {
			f.Close()
			return total, fmt.Errorf("write generated logs: %w", err)
		}
	}
	return total, f.Close()
}

// timeCLI runs `scrubd scrub path` with its output discarded and returns the
// wall-clock and CPU time it took. With procs > 0 the run is limited to that
// many cores (GOMAXPROCS).
func timeCLI(ctx context.Context, bin, path string, procs int) (wall, cpu time.Duration, err error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer devnull.Close()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "scrub", path)
	if procs > 0 {
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	}
	cmd.Stdout = devnull
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("run scrubd scrub: %w\n%s", err, stderr.Bytes())
	}
	wall = time.Since(t0)
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return wall, cpu, nil
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("find module root: not inside the scrubd module")
	}
	return filepath.Dir(mod), nil
}

// treeState names the commit the report measured and whether tracked files
// had changes on top of it.
func treeState() string {
	head, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "not a git checkout"
	}
	st := "commit " + strings.TrimSpace(string(head))
	if out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		n := len(strings.Split(strings.TrimSpace(string(out)), "\n"))
		st += fmt.Sprintf(" with %d modified tracked files", n)
	}
	return st
}

// cpuModel returns the CPU model name from /proc/cpuinfo, or the
// architecture.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// loadAverage returns the 1-, 5- and 15-minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
