// Command e2e measures `scrubd run` end to end against a real Kafka broker,
// scrubbing on beside a passthrough build of the same binary (go build
// -tags passthrough: same client, transactions and batching, records
// copied unscrubbed), for issue 20. `make bench-e2e` builds both binaries,
// starts the broker of deploy/kafka and runs it:
//
//	go run ./bench/e2e -n 300000 -partitions 12 -rounds 3 \
//	    -scrubd bin/scrubd -passthrough bin/scrubd-passthrough
//
// It produces n generated mixed-format records (bench/gen) into an input
// topic of the given partitions with kcat, then runs each binary on that
// backlog, alternating, rounds times each, every run with a fresh consumer
// group, transactional id and output topics, exactly-once and otherwise
// default settings. A run is measured from the first committed record
// (scrubd_batch_records_sum above 0 on /metrics) to the last (n): CPU is
// utime+stime of the scrubd process between the two, so start-up and the
// group join are left out, and the records are those committed in between.
// Peak RSS is VmHWM at the end. It prints every run and the medians, and
// the ratio of scrubbing to passthrough records per CPU-second.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scrubd/scrubd/bench/gen"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat;
// 100 on every Linux architecture Go supports.
const clockTicks = 100

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}

// options are the flags.
type options struct {
	n, partitions, rounds int
	broker, kcat          string
	scrubd, passthrough   string
	policy                string
	compression           string
	timeout               time.Duration
}

// result is one measured run.
type result struct {
	mode    string
	records int64         // committed between the first and the last sample
	cpu     time.Duration // utime+stime over the same interval
	wall    time.Duration
	hwm     int64 // VmHWM, KiB
}

func (r result) perCPU() float64 { return float64(r.records) / r.cpu.Seconds() }

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("e2e", flag.ContinueOnError)
	var o options
	fs.IntVar(&o.n, "n", 300000, "records in the backlog")
	fs.IntVar(&o.partitions, "partitions", 12, "partitions of the input and output topics")
	fs.IntVar(&o.rounds, "rounds", 3, "runs of each binary, alternating")
	fs.StringVar(&o.broker, "broker", "127.0.0.1:9092", "Kafka bootstrap address")
	fs.StringVar(&o.kcat, "kcat", "kcat", "kcat, to produce the backlog")
	fs.StringVar(&o.scrubd, "scrubd", "bin/scrubd", "the default build")
	fs.StringVar(&o.passthrough, "passthrough", "bin/scrubd-passthrough", "the passthrough build (-tags passthrough)")
	fs.StringVar(&o.policy, "policy", "deploy/examples/policy-dev.yaml", "policy file: the default policy with an ephemeral key")
	fs.StringVar(&o.compression, "compression", "lz4", "codec of the backlog's record batches (kcat -z): none, gzip, snappy, lz4, zstd")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "longest wait for one run to commit every record")
	if err := fs.Parse(args); err != nil {
		return err
	}
	policy, err := filepath.Abs(o.policy)
	if err != nil {
		return err
	}
	o.policy = policy
	dir, err := os.MkdirTemp("", "scrubd-bench-e2e-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	input := "bench.raw." + suffix

	// The input topic, created by the first run's `scrubd topics`, then the backlog.
	if err := topics(o, dir, input, "bench.setup."+suffix); err != nil {
		return err
	}
	bytesIn, err := produce(o, input)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backlog: %d records, %d bytes (%.0f B/record), %d partitions, %s batches, topic %s\n",
		o.n, bytesIn, float64(bytesIn)/float64(o.n), o.partitions, o.compression, input)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(stdout, "load average before: %s", load)

	var results []result
	for round := 1; round <= o.rounds; round++ {
		for _, m := range []struct{ mode, bin string }{{"scrubbing", o.scrubd}, {"passthrough", o.passthrough}} {
			name := fmt.Sprintf("bench.%s.%d.%s", m.mode, round, suffix)
			if err := topics(o, dir, input, name); err != nil {
				return err
			}
			r, err := measure(o, dir, m.bin, input, name)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", m.mode, round, err)
			}
			r.mode = m.mode
			results = append(results, r)
			fmt.Fprintf(stdout, "round %d %-11s %7d records  %6.2f CPU-s  %8.0f records/CPU-s  wall %6.2fs  VmHWM %6.1f MiB\n",
				round, m.mode, r.records, r.cpu.Seconds(), r.perCPU(), r.wall.Seconds(), float64(r.hwm)/1024)
		}
	}
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Fprintf(stdout, "load average after: %s\n", load)
	report(stdout, results, float64(bytesIn)/float64(o.n))
	return nil
}

// report prints the medians per mode and the ratio.
func report(w io.Writer, results []result, avg float64) {
	med := func(mode string, f func(result) float64) float64 {
		var xs []float64
		for _, r := range results {
			if r.mode == mode {
				xs = append(xs, f(r))
			}
		}
		slices.Sort(xs)
		if len(xs) == 0 {
			return 0
		}
		if len(xs)%2 == 1 {
			return xs[len(xs)/2]
		}
		return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	fmt.Fprintln(w, "| build | records per CPU-second (median) | MB per CPU-second | peak RSS, VmHWM (median, max) |")
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	per := map[string]float64{}
	for _, mode := range []string{"scrubbing", "passthrough"} {
		p := med(mode, result.perCPU)
		per[mode] = p
		hwm := med(mode, func(r result) float64 { return float64(r.hwm) / 1024 })
		var maxHWM float64
		for _, r := range results {
			if r.mode == mode {
				maxHWM = max(maxHWM, float64(r.hwm)/1024)
			}
		}
		fmt.Fprintf(w, "| %s | %.0f | %.1f | %.1f MiB, %.1f MiB |\n", mode, p, p*avg/1e6, hwm, maxHWM)
	}
	if per["passthrough"] > 0 {
		fmt.Fprintf(w, "scrubbing / passthrough: %.2f\n", per["scrubbing"]/per["passthrough"])
	}
}

// config writes the configuration of one run: exactly once and scrubd's
// defaults but for the names; output topics, group and transactional id
// are all named name.
func config(o options, dir, input, name string) (string, error) {
	path := filepath.Join(dir, name+".yaml")
	cfg := fmt.Sprintf(`kafka:
  brokers: [%q]
  group: %q
  transactional_id: %q
topics:
  input: [%q]
  clean: %q
  dead_letter: %q
  create:
    partitions: %d
    replication_factor: 1
delivery: exactly_once
http:
  addr: "127.0.0.1:0"
log:
  level: warn
policy_file: %q
`, o.broker, name, name, input, name+".clean", name+".dlq", o.partitions, o.policy)
	return path, os.WriteFile(path, []byte(cfg), 0o600)
}

// topics creates the input and the run's output topics with `scrubd topics`.
func topics(o options, dir, input, name string) error {
	path, err := config(o, dir, input, name)
	if err != nil {
		return err
	}
	out, err := exec.Command(o.scrubd, "topics", "--config", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("scrubd topics: %w\n%s", err, out)
	}
	return nil
}

// produce writes o.n generated records of the default mix into topic with
// kcat, compressed with o.compression (lz4 by default, as the end-to-end
// tests produce), and returns their bytes.
func produce(o options, topic string) (int64, error) {
	var buf bytes.Buffer
	if _, err := gen.New(1).Write(&buf, o.n, gen.DefaultMix); err != nil {
		return 0, err
	}
	size := int64(buf.Len() - o.n) // without the newlines
	cmd := exec.Command(o.kcat, "-P", "-b", o.broker, "-t", topic, "-z", o.compression, "-X", "linger.ms=20")
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("kcat produce: %w\n%s", err, out)
	}
	return size, nil
}

// measure runs bin on the backlog until it has committed o.n records.
func measure(o options, dir, bin, input, name string) (result, error) {
	path, err := config(o, dir, input, name)
	if err != nil {
		return result{}, err
	}
	httpAddr, err := freePort()
	if err != nil {
		return result{}, err
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return result{}, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "run", "--config", path)
	cmd.Env = append(os.Environ(), "SCRUBD_HTTP_ADDR="+httpAddr,
		"SCRUBD_PASSTHROUGH=i-know-records-are-not-scrubbed")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		}
	}()
	pid := cmd.Process.Pid
	client := &http.Client{Timeout: 5 * time.Second}
	var first struct {
		records int64
		cpu     time.Duration
		at      time.Time
	}
	deadline := time.Now().Add(o.timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			b, _ := os.ReadFile(logPath)
			return result{}, fmt.Errorf("scrubd exited early: %v\n%s", err, tail(b))
		case <-time.After(50 * time.Millisecond):
		}
		committed, err := committedRecords(client, httpAddr)
		if err != nil || committed == 0 {
			continue // not listening or nothing committed yet
		}
		cpu, err := cpuOf(pid)
		if err != nil {
			return result{}, err
		}
		if first.at.IsZero() {
			first.records, first.cpu, first.at = committed, cpu, time.Now()
			continue
		}
		if committed >= int64(o.n) {
			hwm, err := vmHWM(pid)
			if err != nil {
				return result{}, err
			}
			if committed > int64(o.n) {
				return result{}, fmt.Errorf("%d records committed, more than the %d produced", committed, o.n)
			}
			return result{records: committed - first.records, cpu: cpu - first.cpu, wall: time.Since(first.at), hwm: hwm}, nil
		}
	}
	return result{}, errors.New("not every record committed before the timeout")
}

// committedRecords reads the records of committed batches from /metrics.
func committedRecords(c *http.Client, addr string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "scrubd_batch_records_sum "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int64(f), err
		}
	}
	return 0, sc.Err()
}

// cpuOf returns utime+stime of process pid from /proc/PID/stat.
func cpuOf(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, may hold spaces: count from its end.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	// Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// vmHWM returns the peak resident set size of process pid in KiB.
func vmHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tail returns the last lines of a log.
func tail(b []byte) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-40):], "\n")
}
