//go:build e2e

package e2e

// The cluster fault suite of issue 19: scrubd against a three-node Apache
// Kafka cluster (deploy/kafka/kafka.sh with SCRUBD_KAFKA_BROKERS=3, topics
// with replication 3 and min.insync.replicas 2) while the test SIGKILLs
// the leader of the input partitions, the transaction coordinator's
// broker, restarts every broker in turn, reassigns partitions, and kills
// the leader again with scrubd on the TLS+SCRAM-SHA-512 listener. Every
// scenario streams seeded records with sequence numbers and checks them
// with the outside read_committed reader of the fault suite (verify).
//
// `make e2e-cluster` runs TestFaultsCluster with SCRUBD_FAULTS=cluster
// (part of `make test`); `make e2e-cluster-big` with cluster-big.

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
)

// TestFaultsCluster runs the cluster scenarios on one cluster of their own.
func TestFaultsCluster(t *testing.T) {
	set := loadFaultsSettings(t, "cluster", "cluster-big")
	s := startClusterSuite(t, set)
	start := time.Now()
	t.Run("c1-leader-kill", func(t *testing.T) { runLeaderKill(t, s, false) })
	t.Run("c2-coordinator-kill", func(t *testing.T) { runCoordinatorKill(t, s) })
	t.Run("c3-rolling-restart", func(t *testing.T) { runRollingRestart(t, s) })
	t.Run("c4-reassignment", func(t *testing.T) { runReassignment(t, s) })
	t.Run("c5-leader-kill-tls-scram", func(t *testing.T) { runLeaderKill(t, s, true) })
	t.Logf("cluster fault suite (%s, %d records per scenario, streams of about %v): %v", set.mode, set.n, set.stream, time.Since(start).Round(time.Second))
}

// startClusterSuite starts a three-node cluster with the TLS+SCRAM listener
// (kafka.sh up with SCRUBD_KAFKA_BROKERS=3 and SCRUBD_KAFKA_SECURE=1) with
// node 1's client port SCRUBD_CLUSTER_PORT (9092: 9092, 9094, 9096; make
// runs it after the single-broker suites, never beside them). It is
// stopped and deleted when t ends.
func startClusterSuite(t *testing.T, set *faultsSettings) *suite {
	t.Helper()
	port := cmp.Or(os.Getenv("SCRUBD_CLUSTER_PORT"), "9092")
	s := &suite{
		set: set,
		kafkaEnv: append(os.Environ(),
			"SCRUBD_KAFKA_DIR="+set.kafkaDir,
			"SCRUBD_KAFKA_PORT="+port,
			"SCRUBD_KAFKA_BROKERS=3",
			"SCRUBD_KAFKA_SECURE=1",
			// Transactions past their timeout are aborted within a second.
			"SCRUBD_KAFKA_EXTRA_PROPS=transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
		),
		rf:  3,
		env: []string{"SCRUBD_TOPICS_CREATE_REPLICATION_FACTOR=3"},
	}
	s.kafka(t, "down")
	start := time.Now()
	s.kafka(t, "up")
	s.broker = strings.TrimSpace(s.kafkaOut(t, "bootstrap"))
	for _, l := range strings.Split(strings.TrimSpace(s.kafkaOut(t, "secure-env")), "\n") {
		s.secureEnv = append(s.secureEnv, strings.TrimSpace(l))
	}
	s.waitUsable(t)
	t.Logf("cluster up on %s (TLS+SCRAM on %s) in %v", s.broker, s.secureEnv[0], time.Since(start).Round(100*time.Millisecond))
	t.Cleanup(func() {
		if set.keep {
			t.Logf("SCRUBD_FAULTS_KEEP=1: cluster left running on %s, data in %s", s.broker, set.kafkaDir)
			return
		}
		s.kafka(t, "down")
	})
	return s
}

// clusterClient is a sarama client and admin on the cluster, closed when
// t ends; it reads metadata fresh when asked.
type clusterClient struct {
	t      *testing.T
	client sarama.Client
	admin  sarama.ClusterAdmin
}

func newClusterClient(t *testing.T, s *suite) *clusterClient {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	cfg.Net.DialTimeout = 3 * time.Second
	cfg.Net.ReadTimeout = 10 * time.Second
	cfg.Metadata.Retry.Max = 10
	client, err := sarama.NewClient(strings.Split(s.broker, ","), cfg)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	return &clusterClient{t: t, client: client, admin: admin}
}

// leader returns the id of the leader of a partition (-1 when none).
func (c *clusterClient) leader(topic string, p int32) int32 {
	c.t.Helper()
	if err := c.client.RefreshMetadata(topic); err != nil {
		c.t.Logf("refresh metadata: %v", err)
	}
	b, err := c.client.Leader(topic, p)
	if err != nil {
		return -1
	}
	return b.ID()
}

// txnCoordinator returns the id of the transaction coordinator of a
// transactional id.
func (c *clusterClient) txnCoordinator(id string) int32 {
	c.t.Helper()
	if err := c.client.RefreshTransactionCoordinator(id); err != nil {
		c.t.Fatalf("find transaction coordinator of %s: %v", id, err)
	}
	b, err := c.client.TransactionCoordinator(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return b.ID()
}

// groupCoordinator returns the id of a consumer group's coordinator.
func (c *clusterClient) groupCoordinator(group string) int32 {
	c.t.Helper()
	if err := c.client.RefreshCoordinator(group); err != nil {
		c.t.Fatalf("find coordinator of %s: %v", group, err)
	}
	b, err := c.client.Coordinator(group)
	if err != nil {
		c.t.Fatal(err)
	}
	return b.ID()
}

// underReplicated returns the partitions of topics whose in-sync replicas
// are fewer than their replicas ("topic/p" strings).
func (c *clusterClient) underReplicated(topics ...string) []string {
	c.t.Helper()
	if err := c.client.RefreshMetadata(topics...); err != nil {
		return []string{"metadata: " + err.Error()}
	}
	var out []string
	for _, topic := range topics {
		parts, err := c.client.Partitions(topic)
		if err != nil {
			return []string{topic + ": " + err.Error()}
		}
		for _, p := range parts {
			reps, _ := c.client.Replicas(topic, p)
			isr, _ := c.client.InSyncReplicas(topic, p)
			if len(isr) < len(reps) {
				out = append(out, fmt.Sprintf("%s/%d", topic, p))
			}
		}
	}
	return out
}

// waitInSync waits until every partition of the scenario's data topics and
// of the transaction log is fully replicated again, and returns how long it
// took from since.
func waitInSync(sc *scenario, c *clusterClient, since time.Time) time.Duration {
	sc.t.Helper()
	topics := []string{sc.raw, sc.clean, "__transaction_state", "__consumer_offsets"}
	sc.waitFor("every replica back in sync", 3*time.Minute, func() bool { return len(c.underReplicated(topics...)) == 0 })
	return time.Since(since)
}

// brokerArg is a broker id as kafka.sh's broker number (node ids are 1..3).
func brokerArg(id int32) string { return strconv.Itoa(int(id)) }

// runLeaderKill is scenarios c1 and c5: two instances; the broker that
// leads partition 0 of the input topic (and others: leaders are spread) is
// SIGKILLed mid-stream, kept down 5 s and started again. With secure, the
// instances (and `scrubd topics`) use the TLS+SCRAM-SHA-512 listener.
func runLeaderKill(t *testing.T, s *suite, secure bool) {
	name, env := "leader", []string(nil)
	if secure {
		name, env = "leader-tls", s.secureEnv
	}
	sc := newScenario(t, s, name, config.ExactlyOnce, 1, mixedKinds, env...)
	c := newClusterClient(t, s)
	a, b := sc.newInstance("a"), sc.newInstance("b")
	st := sc.startStreaming(a, b)
	sc.waitProgress(0.3, 3*time.Minute)
	victim := c.leader(sc.raw, 0)
	led := 0
	for p := int32(0); p < 6; p++ {
		if c.leader(sc.raw, p) == victim {
			led++
		}
	}
	counters := sc.mon.counters()
	killed := time.Now()
	s.kafka(t, "kill-broker", brokerArg(victim))
	var elected time.Duration
	sc.waitFor("a new leader of partition 0", 2*time.Minute, func() bool {
		l := c.leader(sc.raw, 0)
		return l > 0 && l != victim
	})
	elected = time.Since(killed)
	time.Sleep(max(0, 5*time.Second-time.Since(killed)))
	restarting := time.Now()
	s.kafka(t, "start-broker", brokerArg(victim))
	up := time.Since(restarting)
	inSync := waitInSync(sc, c, killed)
	sc.measure("leader-kill", "broker %d (leader of %d of 6 input partitions) SIGKILLed at %.0f/%d committed; new leader of partition 0 after %v; longest commit gap in the 20 s after the kill %v; restarted after 5 s, ready in %v; every replica in sync %v after the kill; %s",
		victim, led, sc.mon.valueAt(killed), sc.n, elected.Round(10*time.Millisecond),
		sc.mon.longestGap(killed, killed.Add(20*time.Second)).Round(10*time.Millisecond), up.Round(100*time.Millisecond),
		inSync.Round(100*time.Millisecond), sc.operatorView(counters, killed, "a", "b"))
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// runCoordinatorKill is scenario c2: one instance; the broker that is its
// transaction coordinator (the leader of its __transaction_state
// partition) is SIGKILLed mid-stream, so that the transaction open at that
// moment loses its coordinator; then started again.
func runCoordinatorKill(t *testing.T, s *suite) {
	sc := newScenario(t, s, "coordinator", config.ExactlyOnce, 1, mixedKinds)
	c := newClusterClient(t, s)
	a := sc.newInstance("a")
	st := sc.startStreaming(a)
	sc.waitProgress(0.3, 3*time.Minute)
	victim := c.txnCoordinator(a.txnID)
	group := c.groupCoordinator(sc.group)
	counters := sc.mon.counters()
	killed := time.Now()
	s.kafka(t, "kill-broker", brokerArg(victim))
	sc.waitFor("a new transaction coordinator", 2*time.Minute, func() bool {
		err := c.client.RefreshTransactionCoordinator(a.txnID)
		if err != nil {
			return false
		}
		b, err := c.client.TransactionCoordinator(a.txnID)
		return err == nil && b.ID() != victim
	})
	moved := time.Since(killed)
	sc.waitFor("commits after the coordinator's kill", 3*time.Minute, func() bool {
		return sc.mon.valueAt(time.Now()) > sc.mon.valueAt(killed.Add(time.Second))
	})
	flowing := time.Since(killed)
	time.Sleep(max(0, 5*time.Second-time.Since(killed)))
	restarting := time.Now()
	s.kafka(t, "start-broker", brokerArg(victim))
	up := time.Since(restarting)
	inSync := waitInSync(sc, c, killed)
	sc.measure("coordinator-kill", "broker %d (transaction coordinator of a; group coordinator %d) SIGKILLed at %.0f/%d committed; coordinator moved after %v; commits again after %v (longest gap %v); restarted, ready in %v; in sync %v after the kill; %s",
		victim, group, sc.mon.valueAt(killed), sc.n, moved.Round(10*time.Millisecond), flowing.Round(10*time.Millisecond),
		sc.mon.longestGap(killed, killed.Add(flowing)).Round(10*time.Millisecond), up.Round(100*time.Millisecond),
		inSync.Round(100*time.Millisecond), sc.operatorView(counters, killed, "a"))
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// runRollingRestart is scenario c3: two instances while every broker is
// stopped (controlled shutdown) and started again in turn, the next one
// only once every replica is back in sync, as an operator upgrades.
func runRollingRestart(t *testing.T, s *suite) {
	sc := newScenario(t, s, "rolling", config.ExactlyOnce, 3, mixedKinds)
	c := newClusterClient(t, s)
	a, b := sc.newInstance("a"), sc.newInstance("b")
	st := sc.startStreaming(a, b)
	sc.waitProgress(0.1, 3*time.Minute)
	counters := sc.mon.counters()
	began := time.Now()
	var steps []string
	for n := int32(1); n <= 3; n++ {
		from := time.Now()
		s.kafka(t, "stop-broker", brokerArg(n))
		stopped := time.Since(from)
		s.kafka(t, "start-broker", brokerArg(n))
		started := time.Since(from)
		inSync := waitInSync(sc, c, from)
		steps = append(steps, fmt.Sprintf("broker %d: stopped in %v, ready %v, in sync %v, longest commit gap %v",
			n, stopped.Round(100*time.Millisecond), started.Round(100*time.Millisecond), inSync.Round(100*time.Millisecond),
			sc.mon.longestGap(from, time.Now()).Round(10*time.Millisecond)))
	}
	done := time.Now()
	sc.measure("rolling-restart", "%s; all three in %v, %.0f records/s committed during it (streamed at %d/s); %s",
		strings.Join(steps, "; "), done.Sub(began).Round(100*time.Millisecond), sc.mon.rate(began, done), sc.rate,
		sc.operatorView(counters, began, "a", "b"))
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// runReassignment is scenario c4: topics with replication 2 (so that a
// reassignment moves data to a broker that had none), and, mid-stream,
// every partition of the input and clean topics reassigned to the broker
// it lacked and the other follower, dropping its leader: each partition
// gets a new replica (copied while records stream) and a new leader.
func runReassignment(t *testing.T, s *suite) {
	sc := newScenario(t, s, "reassign", config.ExactlyOnce, 1.25, mixedKinds, "SCRUBD_TOPICS_CREATE_REPLICATION_FACTOR=2")
	c := newClusterClient(t, s)
	a, b := sc.newInstance("a"), sc.newInstance("b")
	st := sc.startStreaming(a, b)
	sc.waitProgress(0.3, 3*time.Minute)
	counters := sc.mon.counters()
	began := time.Now()
	moved := 0
	want := map[string][][]int32{}
	for _, topic := range []string{sc.raw, sc.clean} {
		if err := c.client.RefreshMetadata(topic); err != nil {
			t.Fatal(err)
		}
		parts, err := c.client.Partitions(topic)
		if err != nil {
			t.Fatal(err)
		}
		assignment := make([][]int32, len(parts))
		for _, p := range parts {
			reps, err := c.client.Replicas(topic, p)
			if err != nil || len(reps) != 2 {
				t.Fatalf("%s/%d: replicas %v, %v; want two", topic, p, reps, err)
			}
			leader := c.leader(topic, p)
			follower := reps[0]
			if follower == leader {
				follower = reps[1]
			}
			missing := int32(6) - reps[0] - reps[1] // brokers are 1, 2, 3
			assignment[p] = []int32{missing, follower}
			moved++
		}
		want[topic] = assignment
		if err := c.admin.AlterPartitionReassignments(topic, assignment); err != nil {
			t.Fatalf("reassign %s: %v", topic, err)
		}
	}
	sc.waitFor("the reassignments to complete", 3*time.Minute, func() bool {
		for _, topic := range []string{sc.raw, sc.clean} {
			st, err := c.admin.ListPartitionReassignments(topic, nil)
			if err != nil || len(st[topic]) > 0 {
				return false
			}
		}
		return true
	})
	done := time.Now()
	for _, topic := range []string{sc.raw, sc.clean} {
		c.client.RefreshMetadata(topic)
		parts, _ := c.client.Partitions(topic)
		for _, p := range parts {
			reps, _ := c.client.Replicas(topic, p)
			w := want[topic][p]
			if len(reps) != 2 || !slices.Contains(reps, w[0]) || !slices.Contains(reps, w[1]) {
				t.Errorf("%s/%d after the reassignment: replicas %v, want %v", topic, p, reps, w)
			}
		}
	}
	sc.measure("reassignment", "%d partitions reassigned (a new replica each, the leader dropped) at %.0f/%d committed; complete after %v; longest commit gap during it %v; %.0f records/s during it (streamed at %d/s); %s",
		moved, sc.mon.valueAt(began), sc.n, done.Sub(began).Round(100*time.Millisecond),
		sc.mon.longestGap(began, done).Round(10*time.Millisecond), sc.mon.rate(began, done), sc.rate, sc.operatorView(counters, began, "a", "b"))
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}
