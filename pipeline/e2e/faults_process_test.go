//go:build e2e

package e2e

// scrubd processes under the test's control: started, killed, stopped,
// frozen and thawed, with their logs kept in one file per instance.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// instance is one scrubd instance: a transactional id, an HTTP address and
// a log file that stay the same across restarts, and the current process.
type instance struct {
	sc       *scenario
	name     string
	txnID    string
	httpAddr string
	env      []string
	logPath  string

	mu       sync.Mutex
	cmd      *exec.Cmd
	gen      int           // processes started so far; the current one's number
	exited   chan struct{} // closed when the current process has exited
	exitErr  error
	expected bool // the current process was told to stop (killed, SIGTERM)
	frozen   bool
}

// newInstance adds an instance to the scenario with the scenario's
// environment plus extra (later entries win).
func (sc *scenario) newInstance(name string, extra ...string) *instance {
	sc.t.Helper()
	in := &instance{
		sc:       sc,
		name:     name,
		txnID:    fmt.Sprintf("%s-%s", sc.group, name),
		httpAddr: freePort(sc.t),
		logPath:  fmt.Sprintf("%s/scrubd-%s.log", sc.dir, name),
	}
	in.env = append(sc.env(),
		"SCRUBD_HTTP_ADDR="+in.httpAddr,
		"SCRUBD_KAFKA_TRANSACTIONAL_ID="+in.txnID,
	)
	in.env = append(in.env, extra...)
	sc.mu.Lock()
	sc.insts = append(sc.insts, in)
	sc.mu.Unlock()
	sc.t.Cleanup(in.cleanup)
	return in
}

// start starts a new process of the instance.
func (in *instance) start() {
	t := in.sc.t
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cmd != nil && !in.isExited() {
		t.Fatalf("instance %s: already running", in.name)
	}
	f, err := os.OpenFile(in.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	in.gen++
	fmt.Fprintf(f, "=== test: start process %d of instance %s at %s\n", in.gen, in.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(in.sc.set.bin, "run", "--config", in.sc.set.config)
	cmd.Env = in.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start scrubd %s: %v", in.name, err)
	}
	exited := make(chan struct{})
	in.cmd, in.exited, in.exitErr, in.expected, in.frozen = cmd, exited, nil, false, false
	gen := in.gen
	go func() {
		err := cmd.Wait()
		f.Close()
		in.mu.Lock()
		in.exitErr = err
		expected := in.expected
		in.mu.Unlock()
		close(exited)
		if !expected {
			in.sc.fail(fmt.Errorf("scrubd %s (process %d) exited by itself: %v", in.name, gen, err))
		}
	}()
}

// isExited reports whether the current process has exited; in.mu is held.
func (in *instance) isExited() bool {
	select {
	case <-in.exited:
		return true
	default:
		return false
	}
}

// running reports whether the instance has a live process.
func (in *instance) running() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.cmd != nil && !in.isExited()
}

// generation is the number of the current (or last) process.
func (in *instance) generation() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.gen
}

// signal sends sig to the current process and, for SIGKILL and SIGTERM,
// records that its exit is expected.
func (in *instance) signal(sig syscall.Signal) (chan struct{}, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cmd == nil || in.isExited() {
		return nil, false
	}
	switch sig {
	case syscall.SIGKILL, syscall.SIGTERM, syscall.SIGQUIT:
		in.expected = true
	case syscall.SIGSTOP:
		in.frozen = true
	case syscall.SIGCONT:
		in.frozen = false
	}
	_ = in.cmd.Process.Signal(sig)
	return in.exited, true
}

// kill sends SIGKILL and waits for the process to be gone.
func (in *instance) kill() {
	in.sc.t.Helper()
	exited, ok := in.signal(syscall.SIGKILL)
	if !ok {
		in.sc.t.Fatalf("kill %s: not running", in.name)
	}
	<-exited
}

// stop sends SIGTERM and waits up to timeout for the exit; it returns the
// exit error (nil for status 0).
func (in *instance) stop(timeout time.Duration) error {
	exited, ok := in.signal(syscall.SIGTERM)
	if !ok {
		return errors.New("not running")
	}
	select {
	case <-exited:
		in.mu.Lock()
		defer in.mu.Unlock()
		return in.exitErr
	case <-time.After(timeout):
		in.signal(syscall.SIGKILL)
		<-exited
		return fmt.Errorf("no exit within %v of SIGTERM (killed)", timeout)
	}
}

// freeze and thaw send SIGSTOP and SIGCONT.
func (in *instance) freeze() { in.signal(syscall.SIGSTOP) }
func (in *instance) thaw()   { in.signal(syscall.SIGCONT) }

// cleanup kills a process still running when the test ends and, when the
// test failed, logs the tail of the instance's log.
//
// A process still running when a test failed is first sent SIGQUIT, so
// that its log ends with the stacks of its goroutines, and the instance's
// log is copied to $SCRUBD_FAULTS_LOGS (default $TMPDIR/scrubd-faults-logs),
// which outlives the test's temporary directory.
func (in *instance) cleanup() {
	failed := in.sc.t.Failed() || os.Getenv("SCRUBD_FAULTS_KEEP_LOGS") == "1"
	if in.running() {
		in.signal(syscall.SIGCONT)
		if failed {
			if exited, ok := in.signal(syscall.SIGQUIT); ok {
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
				}
			}
		}
		if exited, ok := in.signal(syscall.SIGKILL); ok {
			<-exited
		}
	}
	if !failed {
		return
	}
	b, _ := os.ReadFile(in.logPath)
	dir := os.Getenv("SCRUBD_FAULTS_LOGS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "scrubd-faults-logs")
	}
	dst := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(in.sc.t.Name())+"-"+in.name+".log")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		if err := os.WriteFile(dst, b, 0o644); err == nil {
			in.sc.t.Logf("log of scrubd %s kept in %s", in.name, dst)
		}
	}
	in.sc.t.Logf("log of scrubd %s, last lines:\n%s", in.name, tail(b, 40))
}

// httpClient has short timeouts: a frozen or dying process must not hold
// the monitor.
var httpClient = &http.Client{Timeout: 2 * time.Second}

// scrape reads the instance's /metrics into a map from series ("name" or
// `name{label="v"}`) to value.
func (in *instance) scrape(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+in.httpAddr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", resp.Status)
	}
	return parseMetrics(resp.Body)
}

// readyz returns the status code of /readyz, or 0 when it does not answer.
func (in *instance) readyz(ctx context.Context) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+in.httpAddr+"/readyz", nil)
	if err != nil {
		return 0
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// parseMetrics parses the Prometheus text format, keeping the series whose
// names start with scrubd_.
func parseMetrics(r io.Reader) (map[string]float64, error) {
	m := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "scrubd_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		m[line[:i]] = v
	}
	return m, sc.Err()
}

// Series the suite reads.
const (
	mClean    = `scrubd_pipeline_records_total{outcome="clean"}`
	mDead     = `scrubd_pipeline_records_total{outcome="dead_lettered"}`
	mDropped  = `scrubd_pipeline_records_total{outcome="dropped"}`
	mCommits  = `scrubd_txn_commits_total`
	mAborts   = `scrubd_txn_aborts_total`
	mRestarts = `scrubd_producer_restarts_total`
	mFenced   = `scrubd_producer_fenced_total`
	mAssigned = `scrubd_consumer_assigned_partitions`
	mRebal    = `scrubd_consumer_rebalances_total`
	mProdErrs = `scrubd_producer_errors_total`
	// mAggCounted counts records counted into aggregates (issue 5).
	mAggCounted = `scrubd_aggregate_counted_records_total`
)

// done counts the consumed records whose outcome is committed.
func done(m map[string]float64) float64 { return m[mClean] + m[mDead] + m[mDropped] }

// sigterm is the graceful stop signal.
const sigterm = syscall.SIGTERM

// exitError is the exit error of the current process once it has exited.
func (in *instance) exitError() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.exitErr
}
