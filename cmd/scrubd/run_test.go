package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scrubd/scrubd/pipeline/embedded"
)

func TestRunInvalidConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("kafka: {brokres: [a:1]}\n"), 0o600)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", "--config", path}, nil, &out, &errb); code != exitInvalid {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitInvalid, errb.String())
	}
	t.Setenv("SCRUBD_DELIVERY", "sometimes")
	if code := run(context.Background(), []string{"topics"}, nil, &out, &errb); code != exitInvalid {
		t.Fatalf("topics with a bad override: exit %d, want %d", code, exitInvalid)
	}
}

// ephemeralPolicy writes a policy that allows an ephemeral HMAC key and
// makes SCRUBD_POLICY_FILE name it.
func ephemeralPolicy(t *testing.T) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte("name: ephemeral\nkeys: {ephemeral: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCRUBD_POLICY_FILE", path)
}

// TestRunRefusesWithoutKeys: `scrubd run` with a policy that configures no
// HMAC key, the built-in default or a policy file's, does not start: exit
// 78 and a message saying how to configure keys. An empty key directory is
// no key either.
func TestRunRefusesWithoutKeys(t *testing.T) {
	t.Setenv("SCRUBD_KAFKA_BROKERS", "127.0.0.1:1")
	t.Setenv("SCRUBD_HTTP_ADDR", "127.0.0.1:0")
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	os.Mkdir(filepath.Join(dir, "keys"), 0o700)
	os.WriteFile(policy, []byte("name: nokeys\nkeys: {dir: keys}\n"), 0o600)
	for _, file := range []string{"", policy} {
		t.Run("policy_file="+filepath.Base(file), func(t *testing.T) {
			t.Setenv("SCRUBD_POLICY_FILE", file)
			var out, errb bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if code := run(ctx, []string{"run"}, nil, &out, &errb); code != exitInvalid {
				t.Fatalf("exit %d, want %d\n%s", code, exitInvalid, errb.String())
			}
			for _, want := range []string{"no HMAC key configured", "keys.dir", "keys.env", "keys.ephemeral: true"} {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("the message does not say %q:\n%s", want, errb.String())
				}
			}
		})
	}
}

// TestValidateRunConfigKeys: `scrubd validate` of a run configuration
// refuses what `scrubd run` would (no keys, no keys.ephemeral) and accepts
// keys.ephemeral; a policy file without keys stays valid (scrub uses a
// random key).
func TestValidateRunConfigKeys(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, content string
		want          int
	}{
		{"run.yaml", "kafka: {brokers: [127.0.0.1:9092]}\n", exitInvalid},
		{"run-ephemeral.yaml", "kafka: {brokers: [127.0.0.1:9092]}\npolicy: {keys: {ephemeral: true}}\n", exitOK},
		{"policy.yaml", "name: nokeys\n", exitOK},
	} {
		path := filepath.Join(dir, tt.name)
		os.WriteFile(path, []byte(tt.content), 0o600)
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"validate", "--config", path}, nil, &out, &errb)
		if code != tt.want || tt.want == exitInvalid && !strings.Contains(errb.String(), "keys.ephemeral: true") {
			t.Errorf("%s: exit %d, want %d\n%s", tt.name, code, tt.want, errb.String())
		}
	}
}

// TestReloadKeepsEphemeralKey: every engine a service builds from a policy
// with keys.ephemeral, at the start and at each reload, pseudonymizes with
// the same key; another process (keySource) has another.
func TestReloadKeepsEphemeralKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "scrubd.yaml")
	os.WriteFile(cfg, []byte("kafka: {brokers: [127.0.0.1:1]}\npolicy: {name: first, keys: {ephemeral: true}}\n"), 0o600)
	ks := &keySource{getenv: func(string) string { return "" }}
	build := buildEngine(cfg, ks)
	first, err := build()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, []byte("kafka: {brokers: [127.0.0.1:1]}\npolicy: {name: second, keys: {ephemeral: true}}\n"), 0o600)
	second, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if first.Version() == second.Version() {
		t.Fatal("the policy did not change")
	}
	p1 := first.Keyring().Pseudonym(nil, "account_id", []byte("42"))
	p2 := second.Keyring().Pseudonym(nil, "account_id", []byte("42"))
	if string(p1) != string(p2) {
		t.Errorf("the reload made another key: %s then %s", p1, p2)
	}
	other, err := buildEngine(cfg, &keySource{getenv: ks.getenv})()
	if err != nil {
		t.Fatal(err)
	}
	if p3 := other.Keyring().Pseudonym(nil, "account_id", []byte("42")); string(p3) == string(p1) {
		t.Error("two processes share an ephemeral key")
	}
	// A reload to a policy without keys and without ephemeral is refused.
	os.WriteFile(cfg, []byte("kafka: {brokers: [127.0.0.1:1]}\npolicy: {name: third}\n"), 0o600)
	if _, err := build(); err == nil || !strings.Contains(err.Error(), "no HMAC key configured") {
		t.Errorf("a policy without keys reloaded: %v", err)
	}
}

// TestRunAndTopicsOnEmbeddedBroker creates the topics with `scrubd topics`
// (twice: idempotent), runs `scrubd run` and stops it as SIGTERM would: it
// exits 0.
func TestRunAndTopicsOnEmbeddedBroker(t *testing.T) {
	c, err := embedded.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Setenv("SCRUBD_KAFKA_BROKERS", strings.Join(c.Addrs(), ","))
	t.Setenv("SCRUBD_TOPICS_CREATE_REPLICATION_FACTOR", "1")
	t.Setenv("SCRUBD_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("SCRUBD_KAFKA_TRANSACTIONAL_ID", "scrubd-cmd-test")
	ephemeralPolicy(t)
	for i, want := range []string{"created", "ok"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"topics"}, nil, &out, &errb); code != exitOK {
			t.Fatalf("topics run %d: exit %d\n%s%s", i+1, code, out.String(), errb.String())
		}
		if !strings.Contains(out.String(), want+" ") {
			t.Fatalf("topics run %d: want %q in\n%s", i+1, want, out.String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run"}, nil, &bytes.Buffer{}, &errb) }()
	time.Sleep(500 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("run exited %d\n%s", code, errb.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not stop")
	}
	if strings.Contains(errb.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", errb.String())
	}
}

// TestDemo runs `scrubd demo` briefly: records flow, the view shows
// findings and, once a five-second window has closed, the countries of the
// generated GeoIP database in the aggregates; the summary accounts for
// every generated record, committed or in flight.
func TestDemo(t *testing.T) {
	t.Setenv("SCRUBD_HTTP_ADDR", "127.0.0.1:0")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--duration", "9s", "--interval", "1s", "--rate", "300"}, nil, &out, &errb)
	if code != exitOK {
		t.Fatalf("demo exited %d\n%s", code, errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "findings: ") || !strings.Contains(s, "email=") {
		t.Fatalf("demo output lacks findings:\n%s", s)
	}
	if !regexp.MustCompile(`aggregates: [1-9][0-9]* records counted`).MatchString(s) {
		t.Fatalf("demo output counts no aggregates:\n%s", s)
	}
	if !regexp.MustCompile(`countries:  .*\b(GB|DE|FR|AU|US|SE)=[1-9]`).MatchString(s) {
		t.Errorf("demo output shows no countries:\n%s", s)
	}
	m := regexp.MustCompile(`(\d+) records generated, (\d+) scrubbed and committed \((\d+) clean[^)]*\); (\d+) read back from logs.clean`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no summary:\n%s", s)
	}
	gen, committed, clean, read := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])
	if gen == 0 || committed > gen || read != clean {
		t.Errorf("generated %d, committed %d, clean %d, read back %d:\n%s", gen, committed, clean, read, s)
	}
	inFlight := regexp.MustCompile(`(\d+) records were still in flight at the stop`).FindStringSubmatch(s)
	switch {
	case committed < gen && (inFlight == nil || atoi(t, inFlight[1]) != gen-committed):
		t.Errorf("%d records not committed, but the summary does not explain them:\n%s", gen-committed, s)
	case committed == gen && inFlight != nil:
		t.Errorf("every record committed, yet some are said in flight:\n%s", s)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDemoPortInUse: a demo whose HTTP address is taken fails at once,
// with the reason, instead of waiting for Kafka.
func TestDemoPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("SCRUBD_HTTP_ADDR", ln.Addr().String())
	start := time.Now()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--duration", "60s"}, nil, &out, &errb)
	if code != exitFailed || !strings.Contains(errb.String(), "address already in use") || strings.Contains(out.String(), "==") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v to fail", d)
	}
}

// TestRunGeoAggregatesResidency runs `scrubd topics` and `scrubd run` with
// aggregates on, a residency topic, and a GeoIP database that does not
// exist: topics creates the changelog and residency topics, run starts
// with geo disabled and a warning, and stops cleanly.
func TestRunGeoAggregatesResidency(t *testing.T) {
	c, err := embedded.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Setenv("SCRUBD_KAFKA_BROKERS", strings.Join(c.Addrs(), ","))
	t.Setenv("SCRUBD_TOPICS_CREATE_REPLICATION_FACTOR", "1")
	t.Setenv("SCRUBD_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("SCRUBD_KAFKA_TRANSACTIONAL_ID", "scrubd-cmd-geo")
	ephemeralPolicy(t)
	t.Setenv("SCRUBD_AGGREGATES_ENABLED", "true")
	t.Setenv("SCRUBD_TOPICS_RESIDENCY", "EEA=logs.clean.eea")
	t.Setenv("SCRUBD_GEOIP_DATABASE", filepath.Join(t.TempDir(), "missing.mmdb"))
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"topics"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("topics: exit %d\n%s%s", code, out.String(), errb.String())
	}
	for _, topic := range []string{"logs.clean.eea", "logs.aggregates.changelog"} {
		if !strings.Contains(out.String(), "created   "+topic+" ") {
			t.Errorf("topics did not create %s:\n%s", topic, out.String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	errb.Reset()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run"}, nil, &bytes.Buffer{}, &errb) }()
	time.Sleep(500 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("run exited %d\n%s", code, errb.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not stop")
	}
	if !strings.Contains(errb.String(), "geo lookups disabled") {
		t.Errorf("no warning about the missing database:\n%s", errb.String())
	}
}

// TestRunStopWhileReadingPrivacy stops `scrubd run` while its privacy
// reader waits for a privacy topic that does not exist (it retries): a stop
// during startup like any other, exit 0 and no error logged.
func TestRunStopWhileReadingPrivacy(t *testing.T) {
	c, err := embedded.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Setenv("SCRUBD_KAFKA_BROKERS", strings.Join(c.Addrs(), ","))
	t.Setenv("SCRUBD_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("SCRUBD_KAFKA_TRANSACTIONAL_ID", "scrubd-cmd-test-privacy")
	t.Setenv("SCRUBD_PRIVACY_ENABLED", "true")
	t.Setenv("SCRUBD_PRIVACY_TOPIC", "privacy.missing")
	ephemeralPolicy(t)
	ctx, cancel := context.WithCancel(context.Background())
	var errb lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run"}, nil, &bytes.Buffer{}, &errb) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errb.String(), "reading privacy requests failed; retrying") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the privacy reader did not wait for its topic:\n%s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("run exited %d\n%s", code, errb.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not stop")
	}
	if !strings.Contains(errb.String(), "stopped before the privacy requests were read") {
		t.Errorf("the stop was not logged as one during startup:\n%s", errb.String())
	}
	if strings.Contains(errb.String(), "stopped with an error") {
		t.Errorf("the stop was logged as an error:\n%s", errb.String())
	}
}
