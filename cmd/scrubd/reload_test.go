package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/embedded"
)

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of the
// logger and the reads of the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunReloadsPolicy changes the policy file under a running `scrubd
// run`: later records are scrubbed with the new policy and none is lost; a
// broken policy is refused and the one in force stays. The policies set
// keys.ephemeral: the process's random key outlives the reloads, so one
// account keeps one pseudonym.
func TestRunReloadsPolicy(t *testing.T) {
	c, err := embedded.Start([]embedded.Topic{{Name: "logs.raw", Partitions: 2}, {Name: "logs.clean", Partitions: 2}, {Name: "logs.dlq", Partitions: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	writePolicy := func(content string) {
		tmp := policy + ".tmp"
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, policy); err != nil {
			t.Fatal(err)
		}
	}
	writePolicy("name: first\nkeys: {ephemeral: true}\ndetectors: {ipv4: {prefix: 24}}\n")
	cfgPath := filepath.Join(dir, "scrubd.yaml")
	cfg := fmt.Sprintf(`kafka: {brokers: [%s], transactional_id: scrubd-reload-test}
http: {addr: "127.0.0.1:0"}
batch: {linger: 20ms}
reload: {interval: 20ms}
policy_file: policy.yaml
`, strings.Join(c.Addrs(), ", "))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run", "--config", cfgPath}, nil, &bytes.Buffer{}, &logs) }()

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.DefaultProduceTopic("logs.raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	send := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			v := fmt.Sprintf(`{"seq":%d,"ip":"10.1.2.%d","uid":"acct-1"}`, i, i%250)
			if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	read := readClean(t, c.Addrs())
	send(0, 20)
	read.until(t, 20)

	writePolicy("name: second\nkeys: {ephemeral: true}\ndetectors: {ipv4: {prefix: 16}}\n")
	waitLog(t, &logs, `"msg":"policy reloaded"`)
	send(20, 40)
	read.until(t, 40)

	writePolicy("name: broken\nkeys: {ephemeral: true}\ndetectors: {ipv4: {prefix: 99}}\n")
	waitLog(t, &logs, `policy reload refused`)
	send(40, 60)
	recs := read.until(t, 60)

	cancel()
	select {
	case code := <-done:
		if code != cli.ExitOK {
			t.Fatalf("run exited %d\n%s", code, logs.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not stop")
	}
	uid := regexp.MustCompile(`"uid":"(account_id_r_[g-v]{24})"`)
	var pseudonym string
	for seq := range 60 {
		v, ok := recs[seq]
		if !ok {
			t.Fatalf("record %d lost", seq)
		}
		m := uid.FindStringSubmatch(v)
		switch {
		case m == nil:
			t.Errorf("record %d: no ephemeral pseudonym for uid: %s", seq, v)
		case pseudonym == "":
			pseudonym = m[1]
		case m[1] != pseudonym:
			t.Errorf("record %d: uid %s, before the reloads %s: the key changed", seq, m[1], pseudonym)
		}
		want := `"ip":"10.1.2.0"`
		if seq >= 20 {
			want = `"ip":"10.1.0.0"` // the second policy, kept when the third was refused
		}
		if !strings.Contains(v, want) {
			t.Errorf("record %d: %s, want %s", seq, v, want)
		}
	}
}

// cleanReader collects the clean topic's records by seq, read_committed.
type cleanReader struct {
	cl   *kgo.Client
	recs map[int]string
}

func readClean(t *testing.T, addrs []string) *cleanReader {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics("logs.clean"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &cleanReader{cl: cl, recs: map[int]string{}}
}

// until reads until n distinct records arrived; a record seen twice fails.
func (r *cleanReader) until(t *testing.T, n int) map[int]string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for len(r.recs) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d records in the clean topic, want %d", len(r.recs), n)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		fs := r.cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(rec *kgo.Record) {
			var seq int
			if _, err := fmt.Sscanf(string(rec.Value), `{"seq":%d`, &seq); err != nil {
				t.Fatalf("record without seq: %s", rec.Value)
			}
			if _, dup := r.recs[seq]; dup {
				t.Fatalf("record %d twice", seq)
			}
			r.recs[seq] = string(rec.Value)
		})
	}
	return r.recs
}

func waitLog(t *testing.T, logs *lockedBuffer, what string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(logs.String(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the logs:\n%s", what, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
