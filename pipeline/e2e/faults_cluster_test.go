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
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/rules"
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
	t.Run("c6-vault-erase-kill", func(t *testing.T) { runVaultErase(t, s) })
	t.Run("c7-at-least-once-bound", func(t *testing.T) { runDuplicateBound(t, s) })
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

// streamEnd is when the producer finished, or now while it streams: commit
// gaps after it measure nothing.
func streamEnd(st *streamer) time.Time {
	if st.done() {
		return st.finished
	}
	return time.Now()
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
		gap := "(the stream had ended)"
		if until := streamEnd(st); until.After(from) {
			gap = sc.mon.longestGap(from, until).Round(10 * time.Millisecond).String()
		}
		steps = append(steps, fmt.Sprintf("broker %d: stopped in %v, ready %v, in sync %v, longest commit gap while streaming %s",
			n, stopped.Round(100*time.Millisecond), started.Round(100*time.Millisecond), inSync.Round(100*time.Millisecond), gap))
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
	// Complete when every partition's replicas are the new ones, all in
	// sync (metadata; the broker's list of ongoing reassignments agrees).
	sc.waitFor("the reassignments to complete", 3*time.Minute, func() bool {
		for _, topic := range []string{sc.raw, sc.clean} {
			if err := c.client.RefreshMetadata(topic); err != nil {
				return false
			}
			for p, w := range want[topic] {
				reps, _ := c.client.Replicas(topic, int32(p))
				isr, _ := c.client.InSyncReplicas(topic, int32(p))
				if len(reps) != 2 || len(isr) != 2 || !slices.Contains(reps, w[0]) || !slices.Contains(reps, w[1]) {
					return false
				}
			}
		}
		return true
	})
	done := time.Now()
	for _, topic := range []string{sc.raw, sc.clean} {
		parts := make([]int32, len(want[topic]))
		for i := range parts {
			parts[i] = int32(i)
		}
		if st, err := c.admin.ListPartitionReassignments(topic, parts); err != nil || len(st[topic]) > 0 {
			t.Errorf("%s: reassignments still listed after the replicas moved: %v, %v", topic, st[topic], err)
		}
	}
	sc.measure("reassignment", "%d partitions reassigned (a new replica each, the leader dropped) at %.0f/%d committed; complete after %v; longest commit gap during it %v; %.0f records/s during it (streamed at %d/s); %s",
		moved, sc.mon.valueAt(began), sc.n, done.Sub(began).Round(100*time.Millisecond),
		sc.mon.longestGap(began, done).Round(10*time.Millisecond), sc.mon.rate(began, done), sc.rate, sc.operatorView(counters, began, "a", "b"))
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
}

// vaultPolicy is the policy of the vault scenario: the default rules with a
// fixed HMAC key (pseudonyms, and so vault keys and erasure, must survive
// restarts and be the same in every instance).
const vaultPolicy = "name: faults-vault\nkeys: {env: {k1: SCRUBD_FAULTS_HMAC}}\n"

// runVaultErase is scenario c6: the identity vault and the privacy topic
// under faults. Two instances write vault entries for every record; twice,
// erase requests for 40 subjects (e-mail addresses) whose records are
// already in the clean topic are produced and, 300 ms later, an instance
// is SIGKILLed (while the requests are being applied and their tombstones
// and other records' vault entries written) and restarted. Afterwards,
// besides the usual checks: each subject seen once holds exactly one
// committed vault value record; every erased subject's value record and
// data keys end in tombstones; and `scrubd vault export` decrypts nothing
// of an erased subject (while it does find a live one).
func runVaultErase(t *testing.T, s *suite) {
	sc := newScenario(t, s, "vault", config.ExactlyOnce, 1.25, mixedKinds)
	dir := t.TempDir()
	keysDir := filepath.Join(dir, "master")
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(keysDir, "m1"), bytes.Repeat([]byte{'m'}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policy, []byte(vaultPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	hmacKey := strings.Repeat("q", 40)
	privacyTopic := sc.raw + ".privacy"
	sc.extraEnv = append(sc.extraEnv, "SCRUBD_POLICY_FILE="+policy, "SCRUBD_FAULTS_HMAC="+hmacKey,
		"SCRUBD_PRIVACY_ENABLED=true", "SCRUBD_PRIVACY_TOPIC="+privacyTopic,
		"SCRUBD_VAULT_ENABLED=true", "SCRUBD_VAULT_MASTER_KEYS_DIR="+keysDir, "SCRUBD_VAULT_MASTER_KEYS_ACTIVE=m1")
	sc.createTopics() // the privacy topic
	set := newSubjectSet(t, policy, hmacKey)

	// Subjects seen once: their vault value record must be there once.
	count := map[string]int{}
	for _, sd := range sc.seeds {
		count[strings.ToLower(sd.Email)]++
	}
	a, b := sc.newInstance("a"), sc.newInstance("b")
	st := sc.startStreaming(a, b)
	erased := map[string]bool{}
	for i, victim := range []*instance{a, b} {
		sc.waitProgress(0.35+0.3*float64(i), 3*time.Minute)
		var batch []string
		for _, seq := range sc.committedSeqs() {
			e := strings.ToLower(sc.seeds[seq].Email)
			if count[e] == 1 && !erased[e] && seq%3 == i {
				batch = append(batch, e)
				erased[e] = true
			}
			if len(batch) == 40 {
				break
			}
		}
		if len(batch) < 40 {
			t.Fatalf("only %d committed records to erase the subjects of", len(batch))
		}
		counters := sc.mon.counters()
		sent := time.Now()
		sc.eraseRequests(privacyTopic, batch)
		time.Sleep(300 * time.Millisecond)
		victim.kill()
		victim.start()
		gen := victim.generation()
		sc.waitFor("the killed instance committing again", 3*time.Minute, func() bool {
			_, flowing := sc.mon.recovery(victim, gen, sent)
			return flowing > 0 || st.done() && sc.allClean()
		})
		ready, flowing := sc.mon.recovery(victim, gen, sent)
		if flowing == 0 {
			sc.t.Logf("kill %d: every record was committed before %s was back (its recovery is not measured)", i+1, victim.name)
			continue
		}
		sc.measure(fmt.Sprintf("erase-kill-%d", i+1), "%d erase requests, %s SIGKILLed 300 ms later and restarted: ready after %v, committing after %v; %s",
			len(batch), victim.name, ready.Round(10*time.Millisecond), flowing.Round(10*time.Millisecond), sc.operatorView(counters, sent, "a", "b"))
	}
	// Both restarted instances must load the privacy requests and get
	// ready; a timeout here fails while they run, so that their logs keep
	// their goroutines' stacks (SIGQUIT at cleanup).
	sc.waitReady(2*time.Minute, a, b)
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	sc.verify()
	sc.verifyVault(set, count, erased, keysDir)
}

// createTopics runs `scrubd topics` with the scenario's environment.
func (sc *scenario) createTopics() {
	sc.t.Helper()
	cmd := exec.Command(sc.set.bin, "topics", "--config", sc.set.config)
	cmd.Env = sc.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		sc.t.Fatalf("scrubd topics: %v\n%s", err, out)
	}
}

// committedSeqs returns the seqs the clean topic holds, in order.
func (sc *scenario) committedSeqs() []int {
	sc.t.Helper()
	var seqs []int
	for _, l := range sc.kcatRead(sc.clean, "%s\n") {
		if s, ok := seqOf(l); ok {
			seqs = append(seqs, s)
		}
	}
	slices.Sort(seqs)
	return slices.Compact(seqs)
}

// eraseRequest is the privacy request record that erases an e-mail
// address, keyed as privacy.RecordKey documents: "email:<sha256>".
func eraseRequest(email string) (key, value []byte) {
	sum := sha256.Sum256([]byte(email))
	return []byte("email:" + hex.EncodeToString(sum[:])), fmt.Appendf(nil, `{"subject":%q,"type":"email","action":"erase"}`, email)
}

// eraseRequests produces erase requests for the e-mail addresses with kcat.
func (sc *scenario) eraseRequests(topic string, emails []string) {
	sc.t.Helper()
	var in bytes.Buffer
	for _, e := range emails {
		k, v := eraseRequest(e)
		fmt.Fprintf(&in, "%s\t%s\n", k, v)
	}
	cmd := exec.Command(sc.set.kcat, "-P", "-b", sc.s.broker, "-t", topic, "-K", "\t")
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		sc.t.Fatalf("kcat produce erase requests: %v\n%s", err, out)
	}
}

// subjectSet computes subjects' pseudonyms, which are the vault's record
// keys, the way scrubd does: a privacy.Set on the policy's keyring.
type subjectSet struct {
	t   *testing.T
	set *privacy.Set
}

func newSubjectSet(t *testing.T, policy, hmacKey string) *subjectSet {
	t.Helper()
	pol, err := rules.Load(policy)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := rules.LoadKeyring(pol.Keys, func(name string) string {
		if name == "SCRUBD_FAULTS_HMAC" {
			return hmacKey
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	set, err := privacy.NewSet(keys, privacy.SetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &subjectSet{t: t, set: set}
}

// pseudonyms returns an e-mail address's pseudonyms under every key.
func (ss *subjectSet) pseudonyms(email string) []string {
	ss.t.Helper()
	k, v := eraseRequest(email)
	events, err := ss.set.Apply(privacy.Record{Key: k, Value: v})
	if err != nil || len(events) == 0 {
		ss.t.Fatalf("pseudonyms of a subject: %v (%d events)", err, len(events))
	}
	return events[len(events)-1].Pseudonyms
}

// verifyVault reads the vault topic (read_committed) and checks it: each
// subject seen once has exactly one value record written; every erased
// subject's value record and data keys end in tombstones, after that
// value record; and `scrubd vault export` decrypts nothing of two erased
// subjects while it finds a live one.
func (sc *scenario) verifyVault(ss *subjectSet, count map[string]int, erased map[string]bool, keysDir string) {
	t := sc.t
	t.Helper()
	type keyState struct {
		values int  // value records (not tombstones)
		last   bool // the last record is a tombstone
	}
	keys := map[string]*keyState{}
	deks := map[string][]string{} // pseudonym -> its data-key record keys
	records, tombstones := 0, 0
	for _, l := range sc.kcatRead(sc.vault, "%S\t%k\n") {
		size, key, _ := bytes.Cut(l, []byte("\t"))
		k := string(key)
		st := keys[k]
		if st == nil {
			st = &keyState{}
			keys[k] = st
			if rest, ok := strings.CutPrefix(k, "dek:"); ok {
				p, _, _ := strings.Cut(rest, ":")
				deks[p] = append(deks[p], k)
			}
		}
		records++
		st.last = string(size) == "-1"
		if st.last {
			tombstones++
		} else {
			st.values++
		}
	}
	var problems []string
	report := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	once, erasedOK := 0, 0
	var live string
	for e, c := range count {
		if c != 1 {
			continue
		}
		for _, p := range ss.pseudonyms(e) {
			st := keys[p]
			switch {
			case st == nil || st.values == 0:
				report("no vault value record for a subject seen once (%d erased)", len(erased))
			case st.values > 1:
				report("a subject seen once has %d vault value records", st.values)
			default:
				once++
			}
			if !erased[e] {
				if live == "" && st != nil && !st.last {
					live = e
				}
				continue
			}
			if st == nil || !st.last {
				report("an erased subject's value record is not tombstoned")
			}
			if len(deks[p]) == 0 {
				report("an erased subject has no data-key records")
			}
			for _, dk := range deks[p] {
				if !keys[dk].last {
					report("an erased subject's data key %s is not tombstoned", strings.SplitN(dk, ":", 3)[2])
				}
			}
			erasedOK++
		}
	}
	t.Logf("vault topic: %d records (%d tombstones) under %d keys; %d subjects seen once with one value record each; %d erased subjects' pseudonyms tombstoned",
		records, tombstones, len(keys), once, erasedOK)
	if live == "" {
		report("no live subject found in the vault")
	}
	checked := 0
	for e := range erased {
		if checked == 2 {
			break
		}
		checked++
		if out := sc.vaultExport(keysDir, e); strings.Contains(out, e) {
			report("an erased subject is still decryptable: vault export found it")
		}
	}
	if live != "" && !strings.Contains(sc.vaultExport(keysDir, live), live) {
		report("vault export does not find a live subject (the erasure check proves nothing)")
	}
	if len(problems) > 0 {
		t.Fatalf("scenario %s, vault:\n  %s", sc.name, strings.Join(problems, "\n  "))
	}
}

// vaultExport runs `scrubd vault export` for an e-mail address (given on
// standard input, never on the command line) and returns its output.
func (sc *scenario) vaultExport(keysDir, email string) string {
	sc.t.Helper()
	cmd := exec.Command(sc.set.bin, "vault", "export", "--config", sc.set.config, "--master-keys", keysDir, "--type", "email", "--subject-file", "-")
	cmd.Env = sc.env()
	cmd.Stdin = strings.NewReader(email + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		sc.t.Fatalf("scrubd vault export: %v\n%s", err, out)
	}
	return string(out)
}

// runDuplicateBound is scenario c7: at least once, one instance owning
// all six partitions, SIGKILLed three times mid-stream and restarted, with
// batches of at most maxRecords records. The bound (docs/faults.md): a
// kill duplicates at most one batch per partition the process owned, so
// at most kills x 6 x maxRecords duplicates in all.
func runDuplicateBound(t *testing.T, s *suite) {
	const maxRecords, kills, partitions = 200, 3, 6
	sc := newScenario(t, s, "alo-bound", config.AtLeastOnce, 1, mixedKinds, fmt.Sprintf("SCRUBD_BATCH_MAX_RECORDS=%d", maxRecords))
	a := sc.newInstance("a")
	st := sc.startStreaming(a)
	killRestart(sc, a, kills, st)
	st.wait(10 * time.Minute)
	sc.waitComplete(10 * time.Minute)
	res := sc.verify()
	bound := kills * partitions * maxRecords
	sc.measure("duplicate-bound", "%d duplicates after %d SIGKILLs (bound %d: one batch of at most %d records per owned partition per kill)",
		res.duplicates, kills, bound, maxRecords)
	if res.duplicates > bound {
		t.Errorf("%d duplicates after %d kills, more than the bound of %d", res.duplicates, kills, bound)
	}
}
