//go:build e2e

package e2e

// A scenario: its topics, its seeded input streamed by kcat, its scrubd
// instances and a monitor that samples their metrics and readiness, so
// that the scenario can wait for progress and measure recoveries.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scrubd/scrubd/bench/gen"
	"github.com/scrubd/scrubd/pipeline/config"
)

// scenario is one fault scenario's world.
type scenario struct {
	t        *testing.T
	s        *suite
	set      *faultsSettings
	name     string
	dir      string
	delivery string
	n        int
	rate     int // records per second streamed
	group    string
	raw      string
	clean    string
	dlq      string
	agg      string
	vault    string
	// extraEnv is added to every instance's environment.
	extraEnv []string

	seeds  []seeded
	kinds  []recordKind
	poison int // records of a poison kind

	mu    sync.Mutex
	insts []*instance
	errs  []error

	mon *monitor
	// lastCount is when allClean last read the clean topic.
	lastCount time.Time
}

// newScenario creates the scenario's topics with `scrubd topics` (six
// partitions) and its seeded records; nothing is produced yet. The
// records stream for the suite's stream time times factor. kindOf chooses
// each record's kind (nil: normal records only).
func newScenario(t *testing.T, s *suite, name, delivery string, factor float64, kindOf func(seq int) recordKind, extraEnv ...string) *scenario {
	t.Helper()
	n := s.set.n
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	base := "faults." + name + "." + suffix
	sc := &scenario{
		t: t, s: s, set: s.set, name: name, dir: t.TempDir(), delivery: delivery, n: n,
		group: "scrubd-" + strings.ReplaceAll(base, ".", "-"),
		raw:   base + ".raw", clean: base + ".clean", dlq: base + ".dlq", agg: base + ".aggregates", vault: base + ".vault",
		extraEnv: extraEnv,
		rate:     max(1, int(float64(n)/(factor*s.set.stream.Seconds()))),
	}
	g := gen.New(uint64(len(name))*7919 + 42)
	sc.seeds = make([]seeded, n)
	sc.kinds = make([]recordKind, n)
	for i := range n {
		sc.seeds[i] = seeded(g.Subject())
		if kindOf != nil {
			sc.kinds[i] = kindOf(i)
		}
		if sc.kinds[i].poison() {
			sc.poison++
		}
	}
	cmd := exec.Command(s.set.bin, "topics", "--config", s.set.config)
	cmd.Env = sc.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scrubd topics: %v\n%s", err, out)
	}
	sc.mon = newMonitor(sc)
	t.Cleanup(sc.mon.close)
	t.Logf("scenario %s: %d records (%d poison) at %d records/s, delivery %s, group %s", name, n, sc.poison, sc.rate, delivery, sc.group)
	return sc
}

// env is the environment shared by the scenario's scrubd processes.
func (sc *scenario) env() []string {
	e := append(os.Environ(),
		"SCRUBD_KAFKA_BROKERS="+sc.s.broker,
		"SCRUBD_KAFKA_GROUP="+sc.group,
		"SCRUBD_KAFKA_SESSION_TIMEOUT="+sc.set.sessionTimeout.String(),
		"SCRUBD_KAFKA_TRANSACTION_TIMEOUT="+sc.set.txnTimeout.String(),
		"SCRUBD_TOPICS_INPUT="+sc.raw,
		"SCRUBD_TOPICS_CLEAN="+sc.clean,
		"SCRUBD_TOPICS_DEAD_LETTER="+sc.dlq,
		"SCRUBD_TOPICS_AGGREGATES="+sc.agg,
		"SCRUBD_TOPICS_VAULT="+sc.vault,
		"SCRUBD_TOPICS_CREATE_PARTITIONS=6",
		"SCRUBD_TOPICS_CREATE_REPLICATION_FACTOR=1",
		"SCRUBD_DELIVERY="+sc.delivery,
		"SCRUBD_LOG_LEVEL="+sc.set.logLevel,
		devPolicy(sc.t),
	)
	// Aggregates (issue 5) need exactly-once delivery; when the
	// configuration turns them on, idle windows are flushed after 3 s so
	// that waitComplete need not wait long for the last ones.
	if sc.delivery == config.AtLeastOnce {
		e = append(e, "SCRUBD_AGGREGATES_ENABLED=false")
	} else {
		e = append(e, "SCRUBD_AGGREGATES_FLUSH_AFTER=3s")
	}
	e = append(e, sc.s.env...)
	return append(e, sc.extraEnv...)
}

// fail records an error found off the test goroutine; check reports it.
func (sc *scenario) fail(err error) {
	sc.mu.Lock()
	sc.errs = append(sc.errs, err)
	sc.mu.Unlock()
}

// check fails the test with the errors recorded by fail.
func (sc *scenario) check() {
	sc.t.Helper()
	sc.mu.Lock()
	errs := sc.errs
	sc.mu.Unlock()
	if len(errs) > 0 {
		sc.t.Fatalf("scenario %s: %v", sc.name, errs)
	}
}

// instances returns the scenario's instances.
func (sc *scenario) instances() []*instance {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]*instance(nil), sc.insts...)
}

// waitFor polls cond every 100 ms until it holds, failing the test after
// timeout with what was awaited. Errors recorded by fail end it early.
func (sc *scenario) waitFor(what string, timeout time.Duration, cond func() bool) {
	sc.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		sc.check()
		if time.Now().After(deadline) {
			sc.t.Fatalf("scenario %s: timed out after %v waiting for %s (progress %.0f/%d)", sc.name, timeout, what, sc.mon.progress(), sc.n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitProgress waits until the instances have committed the outcome of
// frac of the records (by their metrics).
func (sc *scenario) waitProgress(frac float64, timeout time.Duration) {
	sc.t.Helper()
	want := math.Floor(frac * float64(sc.n))
	sc.waitFor(fmt.Sprintf("%.0f committed records", want), timeout, func() bool { return sc.mon.progress() >= want })
}

// waitReady waits until every given instance answers /readyz with 200.
func (sc *scenario) waitReady(timeout time.Duration, insts ...*instance) {
	sc.t.Helper()
	for _, in := range insts {
		sc.waitFor("scrubd "+in.name+" ready", timeout, func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			return in.readyz(ctx) == 200
		})
	}
}

// streamer feeds the scenario's records to a kcat producer at a steady rate.
type streamer struct {
	sc      *scenario
	cmd     *exec.Cmd
	out     bytes.Buffer
	started time.Time
	// exited is closed when kcat has exited; err and finished are set then.
	exited   chan struct{}
	err      error
	finished time.Time
}

// startStreaming starts insts, starts streaming the scenario's records and
// waits until every instance in insts is ready: how each scenario begins.
func (sc *scenario) startStreaming(insts ...*instance) *streamer {
	sc.t.Helper()
	for _, in := range insts {
		in.start()
	}
	st := sc.stream()
	sc.waitReady(2*time.Minute, insts...)
	return st
}

// stream starts producing the records with kcat (idempotent, so that its
// retries across faults neither lose nor duplicate input) at the
// scenario's rate. The records go to random partitions. verify checks that the
// raw topic holds each record once.
func (sc *scenario) stream() *streamer {
	t := sc.t
	t.Helper()
	st := &streamer{sc: sc, exited: make(chan struct{}), started: time.Now()}
	// -E: kcat must not give up while the broker is down (scenario 3).
	st.cmd = exec.Command(sc.set.kcat, "-P", "-E", "-b", sc.s.broker, "-t", sc.raw,
		"-X", "enable.idempotence=true", "-X", "linger.ms=10", "-X", "message.timeout.ms=900000",
		"-X", "message.max.bytes=2000000")
	stdin, err := st.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	st.cmd.Stdout, st.cmd.Stderr = &st.out, &st.out
	if err := st.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	t.Cleanup(func() {
		close(stop)
		select {
		case <-st.exited:
		case <-time.After(10 * time.Second):
			st.cmd.Process.Kill()
			<-st.exited
		}
	})
	go func() {
		defer close(st.exited)
		w := bufio.NewWriterSize(stdin, 256<<10)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		per := max(1, sc.rate/50)
		var line []byte
	feed:
		for i := 0; i < sc.n; {
			select {
			case <-tick.C:
			case <-stop:
				break feed
			}
			for j := 0; j < per && i < sc.n; j, i = j+1, i+1 {
				line = sc.record(line[:0], i)
				w.Write(line)
				w.WriteByte('\n')
			}
			if err := w.Flush(); err != nil {
				break
			}
		}
		stdin.Close()
		st.err = st.cmd.Wait()
		st.finished = time.Now()
	}()
	return st
}

// done reports whether kcat has exited.
func (st *streamer) done() bool {
	select {
	case <-st.exited:
		return true
	default:
		return false
	}
}

// wait waits for kcat to deliver every record and exit.
func (st *streamer) wait(timeout time.Duration) {
	t := st.sc.t
	t.Helper()
	select {
	case <-st.exited:
		if st.err != nil {
			t.Fatalf("kcat producer: %v\n%s", st.err, st.out.String())
		}
	case <-time.After(timeout):
		t.Fatalf("kcat producer did not finish within %v", timeout)
	}
	t.Logf("producer: %d records in %v", st.sc.n, st.finished.Sub(st.started).Round(100*time.Millisecond))
}

// monitor samples every instance's metrics and readiness every 100 ms.
type monitor struct {
	sc   *scenario
	stop chan struct{}
	wg   sync.WaitGroup

	mu sync.Mutex
	// last holds the latest metrics of each process (instance, generation).
	last map[procKey]map[string]float64
	// firstReady and firstDone are when each process was first seen ready
	// and first seen with a committed record.
	firstReady map[procKey]time.Time
	firstDone  map[procKey]time.Time
	// readyLog holds every change of an instance's /readyz answer.
	readyLog []readyChange
	// series is the total of committed outcomes over all processes, each
	// time it changed.
	series []point
}

type procKey struct {
	name string
	gen  int
}

type readyChange struct {
	at   time.Time
	name string
	gen  int
	code int
}

type point struct {
	at time.Time
	v  float64
}

func newMonitor(sc *scenario) *monitor {
	m := &monitor{
		sc: sc, stop: make(chan struct{}),
		last: map[procKey]map[string]float64{}, firstReady: map[procKey]time.Time{}, firstDone: map[procKey]time.Time{},
	}
	m.wg.Go(m.loop)
	return m
}

// close stops the sampling goroutine.
func (m *monitor) close() {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	m.wg.Wait()
}

func (m *monitor) loop() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	codes := map[string]int{}
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		for _, in := range m.sc.instances() {
			in.mu.Lock()
			frozen, gen := in.frozen, in.gen
			in.mu.Unlock()
			if frozen {
				continue
			}
			k := procKey{in.name, gen}
			code := 0
			var metrics map[string]float64
			if in.running() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				code = in.readyz(ctx)
				if code != 0 {
					metrics, _ = in.scrape(ctx)
				}
				cancel()
			}
			now := time.Now()
			m.mu.Lock()
			if old, ok := codes[in.name]; !ok || old != code {
				codes[in.name] = code
				m.readyLog = append(m.readyLog, readyChange{now, in.name, gen, code})
			}
			if code == 200 {
				if _, ok := m.firstReady[k]; !ok {
					m.firstReady[k] = now
				}
			}
			if metrics != nil {
				m.last[k] = metrics
				if done(metrics) > 0 {
					if _, ok := m.firstDone[k]; !ok {
						m.firstDone[k] = now
					}
				}
			}
			total := 0.0
			for _, v := range m.last {
				total += done(v)
			}
			if len(m.series) == 0 || m.series[len(m.series)-1].v != total {
				m.series = append(m.series, point{now, total})
			}
			m.mu.Unlock()
		}
	}
}

// progress is the number of committed outcomes over every process seen
// (a killed process counts with its last sample).
func (m *monitor) progress() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.series) == 0 {
		return 0
	}
	return m.series[len(m.series)-1].v
}

// metrics returns the latest metrics of the instance's current process.
func (m *monitor) metrics(in *instance) map[string]float64 {
	k := procKey{in.name, in.generation()}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last[k]
}

// aggregating reports whether any process has counted records into
// aggregates (issue 5), so that their counts can be checked.
func (m *monitor) aggregating() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.last {
		if v[mAggCounted] > 0 {
			return true
		}
	}
	return false
}

// recovery returns, for the given process, how long after since it was
// first ready and first committed a record (0 when not seen).
func (m *monitor) recovery(in *instance, gen int, since time.Time) (ready, flowing time.Duration) {
	k := procKey{in.name, gen}
	m.mu.Lock()
	defer m.mu.Unlock()
	if at, ok := m.firstReady[k]; ok {
		ready = at.Sub(since)
	}
	if at, ok := m.firstDone[k]; ok {
		flowing = at.Sub(since)
	}
	return ready, flowing
}

// nextCommitAfter returns how long after since the total of committed
// outcomes first grew, over all instances (0 when it did not).
func (m *monitor) nextCommitAfter(since time.Time) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var before float64
	for _, p := range m.series {
		if !p.at.After(since) {
			before = p.v
			continue
		}
		if p.v > before {
			return p.at.Sub(since)
		}
	}
	return 0
}

// valueAt returns the total of committed outcomes at time at.
func (m *monitor) valueAt(at time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := 0.0
	for _, p := range m.series {
		if p.at.After(at) {
			break
		}
		v = p.v
	}
	return v
}

// rate returns the committed outcomes per second between from and to.
func (m *monitor) rate(from, to time.Time) float64 {
	if !to.After(from) {
		return 0
	}
	return (m.valueAt(to) - m.valueAt(from)) / to.Sub(from).Seconds()
}

// longestGap returns the longest time between from and to during which the
// total of committed outcomes did not grow.
func (m *monitor) longestGap(from, to time.Time) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	last, gap := from, time.Duration(0)
	for _, p := range m.series {
		if p.at.Before(from) {
			continue
		}
		if p.at.After(to) {
			break
		}
		gap = max(gap, p.at.Sub(last))
		last = p.at
	}
	return max(gap, to.Sub(last))
}

// readiness returns the /readyz changes of an instance after since, as
// "+1.2s:503" strings, and whether it answered 503 at some time in
// [since, until].
func (m *monitor) readiness(name string, since, until time.Time) (changes []string, unready bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	code := 0
	for _, c := range m.readyLog {
		if c.name != name {
			continue
		}
		if c.at.Before(since) {
			code = c.code
			continue
		}
		changes = append(changes, fmt.Sprintf("%+.1fs:%d", c.at.Sub(since).Seconds(), c.code))
		if !c.at.After(until) {
			code = c.code
			unready = unready || code == 503
		}
	}
	return changes, unready || code == 503
}

// watched are the counters an operator watches during a fault, with the
// names operatorView gives them.
var watched = []struct{ series, name string }{
	{mAborts, "txn aborts"}, {mRestarts, "producer restarts"}, {mFenced, "fenced"}, {mRebal, "rebalances"}, {mProdErrs, "producer errors"},
}

// counters returns the watched counters summed over every process seen (a
// killed process counts with its last sample).
func (m *monitor) counters() map[string]float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := map[string]float64{}
	for _, v := range m.last {
		for _, w := range watched {
			c[w.series] += v[w.series]
		}
	}
	return c
}

// operatorView says what an operator saw since a fault began: how the
// watched counters grew since before, and the /readyz answers of the
// named instances since since (0: no answer).
func (sc *scenario) operatorView(before map[string]float64, since time.Time, names ...string) string {
	now := sc.mon.counters()
	var parts []string
	for _, w := range watched {
		parts = append(parts, fmt.Sprintf("%s +%.0f", w.name, now[w.series]-before[w.series]))
	}
	view := strings.Join(parts, ", ")
	for _, n := range names {
		changes, _ := sc.mon.readiness(n, since, time.Now())
		if len(changes) == 0 {
			changes = []string{"unchanged"}
		}
		view += fmt.Sprintf("; /readyz of %s %s", n, strings.Join(changes, " "))
	}
	return view
}

// measure logs a measurement in a form easy to grep: "MEASURE name: text".
func (sc *scenario) measure(name, format string, args ...any) {
	sc.t.Helper()
	sc.t.Logf("MEASURE %s/%s: %s", sc.name, name, fmt.Sprintf(format, args...))
}

// stopAll stops every running instance with SIGTERM, concurrently, and
// fails the test when one does not exit with status 0 in time.
func (sc *scenario) stopAll() {
	sc.t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	for _, in := range sc.instances() {
		if !in.running() {
			continue
		}
		wg.Go(func() {
			if err := in.stop(45 * time.Second); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("%s: %v", in.name, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	sort.Strings(errs)
	if len(errs) > 0 {
		sc.t.Errorf("SIGTERM did not stop every instance cleanly: %s", strings.Join(errs, "; "))
	}
}
