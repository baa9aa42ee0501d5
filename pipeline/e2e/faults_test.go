//go:build e2e

package e2e

// The fault suite of issue 4: scrubd run processes (the binary) against a
// real Apache Kafka broker while the test kills them, scales them, stops the
// broker, breaks the network, feeds poison records and freezes an instance
// past its transaction timeout. Every scenario streams seeded records with
// kcat while its fault happens and then checks, with kcat and
// read_committed, that the clean topic holds every record exactly once
// (at least once with delivery: at_least_once, duplicates reported) and no
// seeded value, and that the dead-letter topic holds exactly the poison
// records. Recovery times and throughput are measured and logged as
// "MEASURE" lines, never asserted.
//
// `make e2e-faults` runs TestFaults with SCRUBD_FAULTS=quick (part of
// `make test`); SCRUBD_FAULTS=full runs larger streams; `make e2e-faults-big`
// runs TestFaultsBig, the 200,000-record run. See faults_suite_test.go for
// the settings and docs/faults.md for what each fault looks like to an
// operator.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
)

// TestFaults runs scenarios 1 to 7 of issue 4 on one broker of their own.
func TestFaults(t *testing.T) {
	set := loadFaultsSettings(t, "quick", "full")
	s := startSuite(t, set)
	start := time.Now()
	eos, alo := config.ExactlyOnce, config.AtLeastOnce
	t.Run("1-sigkill", func(t *testing.T) { runSIGKILL(t, s, eos) })
	t.Run("1-sigkill-static", func(t *testing.T) { runSIGKILL(t, s, eos, "SCRUBD_KAFKA_STATIC_MEMBERSHIP=true") })
	t.Run("2-scale", func(t *testing.T) { runScale(t, s, eos) })
	t.Run("3-broker-restart", func(t *testing.T) { runBrokerRestart(t, s, eos) })
	t.Run("4-network", func(t *testing.T) { runNetwork(t, s) })
	t.Run("5-poison", func(t *testing.T) { runPoison(t, s) })
	t.Run("6-fenced", func(t *testing.T) { runFenced(t, s) })
	t.Run("7-at-least-once-sigkill", func(t *testing.T) { runSIGKILL(t, s, alo) })
	t.Run("7-at-least-once-scale", func(t *testing.T) { runScale(t, s, alo) })
	t.Run("7-at-least-once-broker-restart", func(t *testing.T) { runBrokerRestart(t, s, alo) })
	t.Logf("fault suite (%s, %d records per scenario, streams of about %v): %v", set.mode, set.n, set.stream, time.Since(start).Round(time.Second))
}

// TestFaultsBig is the "done when" run of issue 4: 200,000 records, two
// instances sharing the group, the first one SIGKILLed three times
// mid-stream and restarted; the clean topic must hold every record exactly
// once and none of the seeded values.
func TestFaultsBig(t *testing.T) {
	set := loadFaultsSettings(t, "big")
	s := startSuite(t, set)
	sc := newScenario(t, s, "big", config.ExactlyOnce, 1, mixedKinds)
	a, b := sc.newInstance("a"), sc.newInstance("b")
	st := sc.startStreaming(a, b)
	killRestart(sc, a, 3, st)
	st.wait(10 * time.Minute)
	sc.waitComplete(15 * time.Minute)
	res := sc.verify()
	if res.clean != set.n {
		t.Fatalf("clean topic holds %d distinct records, want %d", res.clean, set.n)
	}
	t.Logf("big run: %d records exactly once, none of the seeded values, across 3 SIGKILLs of instance a", res.clean)
}

// mixedKinds makes a third of the records logfmt, the rest JSON.
func mixedKinds(seq int) recordKind {
	if seq%3 == 1 {
		return kindLogfmt
	}
	return kindJSON
}

// killRestart SIGKILLs instance in n times while st streams, at even
// intervals of the stream's expected duration, restarting it at once each
// time; before each kill but the first, the restarted process must have
// committed records. It logs the time from each kill to the new process
// being ready and to its first committed record.
func killRestart(sc *scenario, in *instance, n int, st *streamer) {
	sc.t.Helper()
	streamFor := time.Duration(float64(sc.n) / float64(sc.rate) * float64(time.Second))
	for k := 1; k <= n; k++ {
		at := st.started.Add(streamFor * time.Duration(k) / time.Duration(n+1))
		gen := in.generation()
		sc.waitFor(fmt.Sprintf("kill %d: process %d of %s committing", k, gen, in.name), 3*time.Minute, func() bool {
			_, flowing := sc.mon.recovery(in, gen, time.Time{})
			return flowing != 0 && time.Now().After(at)
		})
		before, counters := sc.mon.progress(), sc.mon.counters()
		killed := time.Now()
		in.kill()
		in.start()
		gen = in.generation()
		late := st.done()
		if late {
			sc.t.Logf("kill %d came after the producer finished (its recovery is not measured): lower SCRUBD_FAULTS_RATE or raise SCRUBD_FAULTS_N", k)
		}
		sc.waitFor(fmt.Sprintf("kill %d: process %d of %s committing", k, gen, in.name), 3*time.Minute, func() bool {
			_, flowing := sc.mon.recovery(in, gen, killed)
			return flowing > 0 || late && sc.allClean()
		})
		ready, flowing := sc.mon.recovery(in, gen, killed)
		if flowing == 0 {
			continue
		}
		sc.measure(fmt.Sprintf("sigkill-%d", k), "at %.0f/%d committed; SIGKILL+restart of %s to /readyz 200: %v, to its first committed record: %v; group-wide commit gap: %v; %s",
			before, sc.n, in.name, ready.Round(10*time.Millisecond), flowing.Round(10*time.Millisecond),
			sc.mon.longestGap(killed, killed.Add(flowing)).Round(10*time.Millisecond), sc.operatorView(counters, killed, names(sc)...))
	}
}

// runSIGKILL is scenario 1 (and 7): one instance, SIGKILLed three times
// mid-stream and restarted at once with the same transactional id. With
// SCRUBD_KAFKA_STATIC_MEMBERSHIP=true in env, the restarted process is the
// same static group member and takes its partitions back at once.
func runSIGKILL(t *testing.T, s *suite, delivery string, env ...string) {
	name := "sigkill"
	if len(env) > 0 {
		name = "sigkill-static"
	}
	sc := newScenario(t, s, name, delivery, 1, mixedKinds, env...)
	a := sc.newInstance("a")
	st := sc.startStreaming(a)
	killRestart(sc, a, 3, st)
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// runScale is scenario 2 (and 7): one instance, then three, then one, while
// records stream; one instance is SIGKILLed while the scale-up rebalance is
// in progress (and restarted), another while the scale-down rebalance is in
// progress (and not restarted). The broker's view of the group decides
// when a rebalance is in progress.
func runScale(t *testing.T, s *suite, delivery string) {
	sc := newScenario(t, s, "scale", delivery, 1, mixedKinds)
	admin := newAdmin(t, s.broker)
	a, b, c := sc.newInstance("a"), sc.newInstance("b"), sc.newInstance("c")
	st := sc.startStreaming(a)
	sc.waitProgress(0.2, 3*time.Minute)

	// 1 -> 3, with c killed during the rebalance and restarted.
	counters := sc.mon.counters()
	up := time.Now()
	b.start()
	c.start()
	state := waitGroupState(sc, admin, "a rebalance with b and c joining", func(d *sarama.GroupDescription) bool {
		return isRebalancing(d) && len(d.Members) == 3
	})
	killed := time.Now()
	c.kill()
	sc.measure("kill-during-scale-up", "c SIGKILLed %v after b and c started, group state %s", killed.Sub(up).Round(10*time.Millisecond), state)
	c.start()
	sc.waitReady(3*time.Minute, a, b, c)
	waitGroupState(sc, admin, "a stable group of three", func(d *sarama.GroupDescription) bool {
		return d.State == "Stable" && len(d.Members) == 3
	})
	three := time.Now()
	sc.measure("scale-up", "1 -> 3 instances (with a kill) took %v to a stable group; %.0f records/s during it; longest commit gap %v; %.0f records/s in the 10 s before",
		three.Sub(up).Round(10*time.Millisecond), sc.mon.rate(up, three), sc.mon.longestGap(up, three).Round(10*time.Millisecond),
		sc.mon.rate(up.Add(-10*time.Second), up))
	sc.measure("scale-up", "%s", sc.operatorView(counters, up, "a", "b", "c"))
	sc.waitProgress(0.6, 3*time.Minute)
	steady := time.Now()

	// 3 -> 1: b leaves with SIGTERM; c is killed during that rebalance.
	counters = sc.mon.counters()
	down := time.Now()
	exited, _ := b.signal(sigterm)
	state = waitGroupState(sc, admin, "a rebalance after b's SIGTERM", isRebalancing)
	c.kill()
	sc.measure("kill-during-scale-down", "c SIGKILLed %v after b's SIGTERM, group state %s", time.Since(down).Round(10*time.Millisecond), state)
	<-exited
	if err := b.exitError(); err != nil {
		t.Errorf("b after SIGTERM: %v", err)
	}
	sc.waitFor("a owning all 6 partitions", 3*time.Minute, func() bool { return sc.mon.metrics(a)[mAssigned] == 6 })
	sc.waitFor("a committing again", 3*time.Minute, func() bool { return sc.mon.valueAt(time.Now()) > sc.mon.valueAt(down.Add(time.Second)) })
	one := time.Now()
	sc.measure("scale-down", "3 -> 1 instances (b stopped, c killed) took %v until a owned every partition; %.0f records/s during it; longest commit gap %v; %.0f records/s with three instances before",
		one.Sub(down).Round(10*time.Millisecond), sc.mon.rate(down, one), sc.mon.longestGap(down, one).Round(10*time.Millisecond),
		sc.mon.rate(three, steady))
	sc.measure("scale-down", "%s", sc.operatorView(counters, down, "a"))
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// runBrokerRestart is scenario 3 (and 7): the broker stopped (SIGTERM,
// controlled shutdown) and started again mid-stream; scrubd must recover
// by itself, its /readyz going to 503 and back to 200.
func runBrokerRestart(t *testing.T, s *suite, delivery string) {
	sc := newScenario(t, s, "broker", delivery, 0.75, mixedKinds)
	a := sc.newInstance("a")
	st := sc.startStreaming(a)
	sc.waitProgress(1.0/3, 3*time.Minute)
	gen := a.generation()

	counters := sc.mon.counters()
	stopping := time.Now()
	s.kafka(t, "stop")
	stopped := time.Now()
	time.Sleep(5 * time.Second) // the broker stays down
	starting := time.Now()
	s.kafka(t, "start")
	up := time.Now()
	s.waitUsable(t)
	sc.waitFor("a committing after the broker restart", 5*time.Minute, func() bool {
		return sc.mon.valueAt(time.Now()) > sc.mon.valueAt(up)
	})
	sc.waitReady(3*time.Minute, a)
	flowing := sc.mon.nextCommitAfter(up)
	changes, unready := sc.mon.readiness("a", stopping, up)
	sc.measure("broker-restart", "broker stop took %v, start took %v (down %v in all); from broker ready to clean records flowing: %v; /readyz of a after the stop began: %s",
		stopped.Sub(stopping).Round(100*time.Millisecond), up.Sub(starting).Round(100*time.Millisecond), up.Sub(stopped).Round(100*time.Millisecond),
		flowing.Round(10*time.Millisecond), strings.Join(changes, " "))
	sc.measure("broker-restart", "%s", sc.operatorView(counters, stopping))
	if a.generation() != gen {
		t.Errorf("a was restarted; it must recover by itself")
	}
	if !unready {
		t.Errorf("/readyz of a never answered 503 while the broker was down: %v", changes)
	}
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// runNetwork is scenario 4: two instances whose every connection to Kafka
// goes through the fault proxy (the broker's PROXIED listener advertises
// the proxy), which adds latency, resets, stalls and drops them mid-stream.
func runNetwork(t *testing.T, s *suite) {
	sc := newScenario(t, s, "network", config.ExactlyOnce, 1.25, mixedKinds,
		"SCRUBD_KAFKA_BROKERS="+s.proxy.Addr())
	px := s.proxy
	t.Cleanup(func() { px.Resume(); px.Refuse(false); px.SetLatency(0) })
	before := px.Stats()
	a, b := sc.newInstance("a"), sc.newInstance("b")
	st := sc.startStreaming(a, b)

	sc.waitProgress(0.15, 3*time.Minute)
	px.SetLatency(150 * time.Millisecond)
	from := time.Now()
	time.Sleep(8 * time.Second)
	px.SetLatency(0)
	sc.measure("latency", "150 ms each way for 8 s: %.0f records/s during it", sc.mon.rate(from, time.Now()))

	sc.waitProgress(0.3, 3*time.Minute)
	for range 3 {
		n := px.ResetAll()
		reset := time.Now()
		sc.waitFor("commits after a reset", 3*time.Minute, func() bool { return sc.mon.nextCommitAfter(reset) > 0 })
		sc.measure("reset", "%d connections reset; clean records flowing again after %v", n, sc.mon.nextCommitAfter(reset).Round(10*time.Millisecond))
	}

	sc.waitProgress(0.45, 3*time.Minute)
	stall := 15 * time.Second
	counters := sc.mon.counters()
	stalled := time.Now()
	px.Stall()
	time.Sleep(stall)
	px.Resume()
	resumed := time.Now()
	sc.waitFor("commits after the stall", 5*time.Minute, func() bool { return sc.mon.nextCommitAfter(resumed) > 0 })
	sc.measure("stall", "every connection stalled %v (longer than the %v session timeout); clean records flowing again %v after it ended",
		stall, s.set.sessionTimeout, sc.mon.nextCommitAfter(resumed).Round(10*time.Millisecond))
	sc.measure("stall", "%s", sc.operatorView(counters, stalled, "a", "b"))

	sc.waitProgress(0.6, 3*time.Minute)
	counters = sc.mon.counters()
	px.Refuse(true)
	n := px.DropAll()
	down := time.Now()
	time.Sleep(2 * time.Second) // a commit already on its way may land
	during := sc.mon.progress()
	time.Sleep(10 * time.Second)
	after := sc.mon.progress()
	px.Refuse(false)
	restored := time.Now()
	if after != during {
		t.Errorf("records were committed while every proxied connection was refused (%.0f -> %.0f): scrubd bypasses the proxy", during, after)
	}
	sc.waitFor("commits after the outage", 5*time.Minute, func() bool { return sc.mon.nextCommitAfter(restored) > 0 })
	sc.measure("outage", "%d connections dropped and new ones refused for %v; clean records flowing again %v after",
		n, restored.Sub(down).Round(100*time.Millisecond), sc.mon.nextCommitAfter(restored).Round(10*time.Millisecond))
	sc.measure("outage", "%s", sc.operatorView(counters, down, "a", "b"))

	sc.waitProgress(0.75, 3*time.Minute)
	px.ResetAll()
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
	ps := px.Stats()
	t.Logf("proxy: %d connections, %d refused, %d reset, %d dropped, %d bytes up, %d bytes down",
		ps.Accepted-before.Accepted, ps.Refused-before.Refused, ps.Reset-before.Reset, ps.Dropped-before.Dropped,
		ps.BytesUp-before.BytesUp, ps.BytesDown-before.BytesDown)
	if ps.Accepted-before.Accepted < 4 {
		t.Errorf("only %d connections went through the proxy: the advertised listener is not the proxy", ps.Accepted-before.Accepted)
	}
}

// runPoison is scenario 5: poison records mid-stream (too large, too deep,
// a custom detector that times out, JSON cut short) go to the dead-letter
// topic with their reason, once each, across a SIGKILL, while the stream
// goes on; invalid UTF-8 is not poison and reaches the clean topic scrubbed.
func runPoison(t *testing.T, s *suite) {
	n := s.set.n
	step := max(n/60, 10)
	kindOf := func(seq int) recordKind {
		switch {
		case seq%step == step/2:
			return kindTooLarge + recordKind((seq/step)%3)
		case seq%97 == 5:
			return kindBrokenJSON
		case seq%89 == 7:
			return kindBadUTF8
		}
		return mixedKinds(seq)
	}
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(policy, []byte(poisonPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := newScenario(t, s, "poison", config.ExactlyOnce, 0.6, kindOf, "SCRUBD_POLICY_FILE="+policy)
	a, b := sc.newInstance("a"), sc.newInstance("b")
	st := sc.startStreaming(a, b)
	sc.waitProgress(0.5, 3*time.Minute)
	a.kill()
	a.start()
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	res := sc.verify()
	reasons := map[string]float64{}
	for _, in := range sc.instances() {
		for _, r := range []string{"too_large", "too_deep", "detector_timeout"} {
			reasons[r] += sc.mon.metrics(in)[`scrubd_pipeline_dead_letters_total{reason="`+r+`"}`]
		}
	}
	t.Logf("poison: %d dead letters for %d poison records; dead letters counted by the last processes' metrics: %v", res.dead, sc.poison, reasons)
}

// runFenced is scenario 6: instance a, whose connections go through the
// proxy with added latency (so that its transactions stay open long
// enough to be caught), is frozen with SIGSTOP while the broker says its
// transaction is ongoing, and stays frozen past its transaction timeout:
// the coordinator aborts the transaction and bumps the producer epoch, and
// b takes a's partitions. After SIGCONT a must fail to commit what it held
// (its producer is fenced), and nothing may be duplicated.
func runFenced(t *testing.T, s *suite) {
	txnTimeout := 10 * time.Second
	sc := newScenario(t, s, "stall", config.ExactlyOnce, 0.75, mixedKinds)
	px := s.proxy
	t.Cleanup(func() { px.SetLatency(0) })
	admin := newAdmin(t, s.broker)
	a := sc.newInstance("a", "SCRUBD_KAFKA_BROKERS="+px.Addr(), "SCRUBD_KAFKA_TRANSACTION_TIMEOUT="+txnTimeout.String())
	b := sc.newInstance("b")
	st := sc.startStreaming(a, b)
	sc.waitProgress(0.3, 3*time.Minute)
	px.SetLatency(100 * time.Millisecond)

	var txn sarama.TransactionState
	var abortsBefore float64
	for attempt := 1; ; attempt++ {
		abortsBefore = sc.mon.metrics(a)[mAborts]
		a.freeze()
		txn = describeTxn(t, admin, a.txnID)
		if txn.TransactionState == "Ongoing" {
			sc.measure("freeze", "a frozen with its transaction ongoing (attempt %d, producer id %d epoch %d, %d topics)",
				attempt, txn.ProducerID, txn.ProducerEpoch, len(txn.Topics))
			break
		}
		a.thaw()
		if attempt == 50 {
			t.Fatalf("a never had an ongoing transaction when frozen (last state %s)", txn.TransactionState)
		}
		time.Sleep(time.Duration(50+attempt*37%250) * time.Millisecond)
	}
	frozen := time.Now()
	counters := sc.mon.counters()
	px.SetLatency(0)
	sc.waitFor("the coordinator aborting a's timed-out transaction", txnTimeout+time.Minute, func() bool {
		d := describeTxn(t, admin, a.txnID)
		return d.ProducerEpoch > txn.ProducerEpoch && (d.TransactionState == "CompleteAbort" || d.TransactionState == "PrepareAbort")
	})
	aborted := time.Now()
	sc.waitFor("b owning all 6 partitions", 3*time.Minute, func() bool { return sc.mon.metrics(b)[mAssigned] == 6 })
	sc.measure("timed-out", "a's transaction aborted by the coordinator %v after SIGSTOP (timeout %v); b owned every partition %v after SIGSTOP",
		aborted.Sub(frozen).Round(100*time.Millisecond), txnTimeout, time.Since(frozen).Round(100*time.Millisecond))

	mark(a, "SIGCONT")
	a.thaw()
	thawed := time.Now()
	sc.waitFor("a's stale transaction failing after SIGCONT", 2*time.Minute, func() bool {
		return sc.mon.metrics(a)[mAborts] > abortsBefore
	})
	sc.measure("fenced", "a's stale transaction failed %v after SIGCONT: %s", time.Since(thawed).Round(100*time.Millisecond), firstFailure(t, a))
	// Then a rejoins the group by itself, gets partitions back and commits
	// with a new producer.
	commits := sc.mon.metrics(a)[mCommits]
	sc.waitFor("a committing again by itself", 3*time.Minute, func() bool {
		m := sc.mon.metrics(a)
		return m[mAssigned] > 0 && m[mCommits] > commits
	})
	sc.measure("rejoined", "a committing again %v after SIGCONT; %s", time.Since(thawed).Round(100*time.Millisecond), sc.operatorView(counters, frozen, "a", "b"))
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// names returns the names of the scenario's instances.
func names(sc *scenario) []string {
	var ns []string
	for _, in := range sc.instances() {
		ns = append(ns, in.name)
	}
	return ns
}

// mark appends a marker line to an instance's log.
func mark(in *instance, what string) {
	f, err := os.OpenFile(in.logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "=== test: %s at %s\n", what, time.Now().Format(time.RFC3339Nano))
}

// firstFailure returns the first transaction failure logged by in after
// its last marker line.
func firstFailure(t *testing.T, in *instance) string {
	b, err := os.ReadFile(in.logPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if i := strings.LastIndex(s, "=== test:"); i >= 0 {
		s = s[i:]
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "transaction aborted") || strings.Contains(l, "producer failed") {
			return l
		}
	}
	return "(no failure logged)"
}

// newAdmin returns a cluster admin on the broker, closed when t ends.
func newAdmin(t *testing.T, broker string) sarama.TransactionClusterAdmin {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	cfg.Net.DialTimeout = 5 * time.Second
	cfg.Net.ReadTimeout = 10 * time.Second
	admin, err := sarama.NewClusterAdmin([]string{broker}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ta, ok := admin.(sarama.TransactionClusterAdmin)
	if !ok {
		t.Fatal("sarama's cluster admin does not describe transactions")
	}
	return ta
}

// describeTxn returns the broker's view of a transactional id.
func describeTxn(t *testing.T, admin sarama.TransactionClusterAdmin, id string) sarama.TransactionState {
	t.Helper()
	for attempt := 0; ; attempt++ {
		states, err := admin.DescribeTransactions([]string{id})
		if err == nil {
			if st, ok := states[id]; ok {
				return st
			}
			err = errors.New("not in the response")
		}
		if attempt == 20 {
			t.Fatalf("describe transaction %s: %v", id, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// isRebalancing reports whether the group is between generations.
func isRebalancing(d *sarama.GroupDescription) bool {
	return d.State == "PreparingRebalance" || d.State == "CompletingRebalance"
}

// waitGroupState polls the broker's description of the scenario's group
// every 20 ms until cond holds, and returns the state it saw.
func waitGroupState(sc *scenario, admin sarama.ClusterAdmin, what string, cond func(*sarama.GroupDescription) bool) string {
	sc.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		sc.check()
		ds, err := admin.DescribeConsumerGroups([]string{sc.group})
		if err == nil && len(ds) == 1 && cond(ds[0]) {
			return fmt.Sprintf("%s with %d members", ds[0].State, len(ds[0].Members))
		}
		if time.Now().After(deadline) {
			sc.t.Fatalf("timed out waiting for %s (last: %v)", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
