package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/embedded"
)

func TestRunInvalidConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("kafka: {brokres: [a:1]}\n"), 0o600)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", "--config", path}, nil, &out, &errb); code != cli.ExitInvalid {
		t.Fatalf("exit %d, want %d; stderr %s", code, cli.ExitInvalid, errb.String())
	}
	t.Setenv("SCRUBD_DELIVERY", "sometimes")
	if code := run(context.Background(), []string{"topics"}, nil, &out, &errb); code != cli.ExitInvalid {
		t.Fatalf("topics with a bad override: exit %d, want %d", code, cli.ExitInvalid)
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
			if code := run(ctx, []string{"run"}, nil, &out, &errb); code != cli.ExitInvalid {
				t.Fatalf("exit %d, want %d\n%s", code, cli.ExitInvalid, errb.String())
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
		{"run.yaml", "kafka: {brokers: [127.0.0.1:9092]}\n", cli.ExitInvalid},
		{"run-ephemeral.yaml", "kafka: {brokers: [127.0.0.1:9092]}\npolicy: {keys: {ephemeral: true}}\n", cli.ExitOK},
		{"policy.yaml", "name: nokeys\n", cli.ExitOK},
	} {
		path := filepath.Join(dir, tt.name)
		os.WriteFile(path, []byte(tt.content), 0o600)
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"validate", "--config", path}, nil, &out, &errb)
		if code != tt.want || tt.want == cli.ExitInvalid && !strings.Contains(errb.String(), "keys.ephemeral: true") {
			t.Errorf("%s: exit %d, want %d\n%s", tt.name, code, tt.want, errb.String())
		}
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
		if code := run(context.Background(), []string{"topics"}, nil, &out, &errb); code != cli.ExitOK {
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
		if code != cli.ExitOK {
			t.Fatalf("run exited %d\n%s", code, errb.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not stop")
	}
	if strings.Contains(errb.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", errb.String())
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
	if code := run(context.Background(), []string{"topics"}, nil, &out, &errb); code != cli.ExitOK {
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
		if code != cli.ExitOK {
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
		if code != cli.ExitOK {
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
