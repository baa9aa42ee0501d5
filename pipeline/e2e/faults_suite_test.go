//go:build e2e

package e2e

// The fault suite's environment: its own Kafka broker, started and stopped
// with deploy/kafka/kafka.sh, with a second client listener advertised at a
// fault proxy, and the settings read from the environment.

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/e2e/faultproxy"
)

// faultsSettings are the fault suite's knobs, read from the environment:
//
//	SCRUBD_FAULTS                 quick (default sizes for `make test`), full, or big;
//	                              cluster or cluster-big for the three-broker suite
//	                              (faults_cluster_test.go); unset: the fault tests are skipped
//	SCRUBD_FAULTS_N               records per scenario (quick 20000, full 100000, big 200000,
//	                              cluster 8000, cluster-big 40000)
//	SCRUBD_FAULTS_STREAM          how long the producer streams them (quick 35s, full 2m, big 50s,
//	                              cluster 20s, cluster-big 1m);
//	                              each scenario scales it by a factor (0.6 to 1.25) that fits its faults
//	SCRUBD_FAULTS_SESSION_TIMEOUT consumer group session timeout of every instance (10s)
//	SCRUBD_FAULTS_TXN_TIMEOUT     transaction timeout of every instance (20s)
//	SCRUBD_FAULTS_KAFKA_DIR       data dir of the suite's broker (/tmp/scrubd-kafka-faults;
//	                              /tmp/scrubd-kafka-cluster for the cluster suite)
//	SCRUBD_FAULTS_KEEP            1: leave the broker running after the tests (debugging)
//	SCRUBD_FAULTS_LOG_LEVEL       log level of the scrubd processes (info; debug adds sarama's narration)
//	SCRUBD_FAULTS_LOGS            where the logs of a failed test's instances are kept ($TMPDIR/scrubd-faults-logs)
//	SCRUBD_FAULTS_KEEP_LOGS       1: keep the instances' logs there even when the test passes
//	SCRUBD_E2E_BIN                the scrubd binary (set by make)
type faultsSettings struct {
	mode           string
	n              int
	stream         time.Duration
	sessionTimeout time.Duration
	txnTimeout     time.Duration
	kafkaDir       string
	keep           bool
	logLevel       string
	bin            string
	kcat           string
	kafkaSh        string
	config         string
}

// loadFaultsSettings reads the settings, skipping the test when the suite is
// not asked for (plain `make e2e` runs the same package).
func loadFaultsSettings(t *testing.T, modes ...string) *faultsSettings {
	t.Helper()
	mode := os.Getenv("SCRUBD_FAULTS")
	if mode == "" || mode == "off" {
		t.Skip("SCRUBD_FAULTS is not set; run `make e2e-faults` or `make e2e-faults-big`")
	}
	ok := false
	for _, m := range modes {
		ok = ok || m == mode
	}
	if !ok {
		t.Skipf("SCRUBD_FAULTS=%s; this test runs with %s", mode, strings.Join(modes, " or "))
	}
	f := &faultsSettings{
		mode: mode, sessionTimeout: 10 * time.Second, txnTimeout: 20 * time.Second,
		kafkaDir: "/tmp/scrubd-kafka-faults",
		keep:     os.Getenv("SCRUBD_FAULTS_KEEP") == "1",
		logLevel: cmp.Or(os.Getenv("SCRUBD_FAULTS_LOG_LEVEL"), "info"),
		bin:      env(t, "SCRUBD_E2E_BIN"),
	}
	switch mode {
	case "quick":
		f.n, f.stream = 20000, 35*time.Second
	case "full":
		f.n, f.stream = 100000, 2*time.Minute
	case "big":
		f.n, f.stream = 200000, 50*time.Second
	case "cluster":
		f.n, f.stream, f.kafkaDir = 8000, 20*time.Second, "/tmp/scrubd-kafka-cluster"
	case "cluster-big":
		f.n, f.stream, f.kafkaDir = 40000, time.Minute, "/tmp/scrubd-kafka-cluster"
	default:
		t.Fatalf("SCRUBD_FAULTS=%q: want quick, full or big", mode)
	}
	atoi := func(name string, dst *int) {
		if s := os.Getenv(name); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v <= 0 {
				t.Fatalf("%s=%q: want a positive integer", name, s)
			}
			*dst = v
		}
	}
	dur := func(name string, dst *time.Duration) {
		if s := os.Getenv(name); s != "" {
			v, err := time.ParseDuration(s)
			if err != nil || v <= 0 {
				t.Fatalf("%s=%q: want a positive duration", name, s)
			}
			*dst = v
		}
	}
	atoi("SCRUBD_FAULTS_N", &f.n)
	dur("SCRUBD_FAULTS_STREAM", &f.stream)
	dur("SCRUBD_FAULTS_SESSION_TIMEOUT", &f.sessionTimeout)
	dur("SCRUBD_FAULTS_TXN_TIMEOUT", &f.txnTimeout)
	if d := os.Getenv("SCRUBD_FAULTS_KAFKA_DIR"); d != "" {
		f.kafkaDir = d
	}
	var err error
	if f.kcat, err = exec.LookPath("kcat"); err != nil {
		t.Fatal("kcat not found; `deploy/kafka/kafka.sh kcat` installs it")
	}
	root := repoRoot(t)
	f.kafkaSh = filepath.Join(root, "deploy", "kafka", "kafka.sh")
	f.config = filepath.Join(root, "deploy", "examples", "scrubd.yaml")
	return f
}

// suite is the broker the scenarios share and the proxy in front of its
// second listener.
type suite struct {
	set *faultsSettings
	// broker is the direct listener: kcat and most scrubd instances.
	broker string
	// proxy forwards to the PROXIED listener, which advertises the proxy's
	// address in its metadata, so that a client bootstrapping through the
	// proxy reaches the broker only through the proxy.
	proxy *faultproxy.Proxy
	// kafkaEnv is the environment kafka.sh needs to find this broker.
	kafkaEnv []string
	// rf is the replication factor of topics the suite creates (0: 1).
	rf int16
	// env is added to every scrubd process's environment (the cluster
	// suite's replication factor).
	env []string
	// secureEnv points scrubd at the cluster's TLS+SCRAM listener.
	secureEnv []string
}

// startSuite starts the suite's broker: kafka.sh up in its own data dir on
// free ports, with two client listeners (PLAINTEXT direct, PROXIED through
// the fault proxy) and a 1 s check for timed-out transactions. The broker
// is stopped and its data deleted when t ends, even on failure.
func startSuite(t *testing.T, set *faultsSettings) *suite {
	t.Helper()
	ports := freePorts(t, 3)
	client, controller, proxied := ports[0], ports[1], ports[2]
	proxy, err := faultproxy.Listen("127.0.0.1:0", "127.0.0.1:"+proxied)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	props := strings.Join([]string{
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%s,CONTROLLER://127.0.0.1:%s,PROXIED://127.0.0.1:%s", client, controller, proxied),
		fmt.Sprintf("advertised.listeners=PLAINTEXT://127.0.0.1:%s,CONTROLLER://127.0.0.1:%s,PROXIED://%s", client, controller, proxy.Addr()),
		"listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT",
		// Transactions past their timeout are aborted within a second.
		"transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
	}, "\n")
	s := &suite{
		set:    set,
		broker: "127.0.0.1:" + client,
		proxy:  proxy,
		kafkaEnv: append(os.Environ(),
			"SCRUBD_KAFKA_DIR="+set.kafkaDir,
			"SCRUBD_KAFKA_PORT="+client,
			"SCRUBD_KAFKA_CONTROLLER_PORT="+controller,
			"SCRUBD_KAFKA_EXTRA_PROPS="+props,
		),
	}
	s.kafka(t, "down") // a broker left over by an interrupted run
	start := time.Now()
	s.kafka(t, "up")
	s.waitUsable(t)
	t.Logf("suite broker up on %s (proxied listener via %s) in %v", s.broker, proxy.Addr(), time.Since(start).Round(100*time.Millisecond))
	t.Cleanup(func() {
		if set.keep {
			t.Logf("SCRUBD_FAULTS_KEEP=1: broker left running on %s, data in %s", s.broker, set.kafkaDir)
			return
		}
		s.kafka(t, "down")
	})
	return s
}

// kafka runs deploy/kafka/kafka.sh cmd against the suite's broker.
func (s *suite) kafka(t *testing.T, cmd string, args ...string) {
	t.Helper()
	s.kafkaOut(t, cmd, args...)
}

// kafkaOut runs deploy/kafka/kafka.sh cmd and returns its standard output.
func (s *suite) kafkaOut(t *testing.T, cmd string, args ...string) string {
	t.Helper()
	c := exec.Command(s.set.kafkaSh, append([]string{cmd}, args...)...)
	c.Env = s.kafkaEnv
	var stderr strings.Builder
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("kafka.sh %s %v: %v\n%s%s", cmd, args, err, out, stderr.String())
	}
	return string(out)
}

// waitUsable waits until the broker creates a topic: kafka.sh's readiness
// probe (a metadata request) passes while a restarted KRaft broker is
// still fenced by its controller, and then topic creation fails with "All
// brokers are currently fenced" (seen after a start that took a minute on
// a loaded machine).
func (s *suite) waitUsable(t *testing.T) {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	rf := max(s.rf, 1)
	deadline := time.Now().Add(3 * time.Minute)
	for attempt := 1; ; attempt++ {
		err := func() error {
			admin, err := sarama.NewClusterAdmin(strings.Split(s.broker, ","), cfg)
			if err != nil {
				return err
			}
			defer admin.Close()
			name := fmt.Sprintf("faults.probe.%d.%d", time.Now().UnixNano(), attempt)
			if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: rf}, false); err != nil {
				return err
			}
			return admin.DeleteTopic(name)
		}()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("broker %s not usable after 3 minutes: %v", s.broker, err)
		}
		time.Sleep(time.Second)
	}
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var ports []string
	seen := map[string]bool{}
	for len(ports) < n {
		_, p, _ := strings.Cut(freePort(t), ":")
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return ports
}
