//go:build e2e

// Package e2e tests the scrubd binary against a real Apache Kafka broker
// with kcat as the outside producer and consumer. `make e2e` starts the
// broker (deploy/kafka/kafka.sh up), builds the binary and sets
// SCRUBD_E2E_BROKER and SCRUBD_E2E_BIN. SCRUBD_E2E_RECORDS sets the number
// of records (default 50,000).
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scrubd/scrubd/bench/gen"
)

// seeded are the personal values written into one record.
type seeded gen.Subject

func env(t *testing.T, name string) string {
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s is not set; run `make e2e`", name)
	}
	return v
}

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// devPolicy is the environment variable that runs scrubd with the
// development policy of deploy/examples: the default policy with an
// ephemeral HMAC key, since `scrubd run` refuses to start without keys.
// A test that sets SCRUBD_POLICY_FILE after it wins (exec keeps the last).
func devPolicy(t *testing.T) string {
	return "SCRUBD_POLICY_FILE=" + filepath.Join(repoRoot(t), "deploy", "examples", "policy-dev.yaml")
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRealKafkaExactlyOnce: `scrubd topics` creates the topics, kcat
// produces N JSON records with seeded personal values, one `scrubd run`
// scrubs them, and the clean topic read by kcat with read_committed holds
// exactly N records, each seq once, none of the seeded values. Then
// /metrics shows scrubd_ series and SIGTERM stops scrubd with exit 0.
func TestRealKafkaExactlyOnce(t *testing.T) {
	broker := env(t, "SCRUBD_E2E_BROKER")
	bin := env(t, "SCRUBD_E2E_BIN")
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat not found; `deploy/kafka/kafka.sh kcat` installs it")
	}
	n := 50000
	if s := os.Getenv("SCRUBD_E2E_RECORDS"); s != "" {
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	raw, clean, dlq := "e2e.raw."+suffix, "e2e.clean."+suffix, "e2e.dlq."+suffix
	httpAddr := freePort(t)
	envs := append(os.Environ(),
		"SCRUBD_KAFKA_BROKERS="+broker,
		"SCRUBD_HTTP_ADDR="+httpAddr,
		"SCRUBD_KAFKA_GROUP=scrubd-e2e-"+suffix,
		"SCRUBD_KAFKA_TRANSACTIONAL_ID=scrubd-e2e-"+suffix,
		"SCRUBD_TOPICS_INPUT="+raw,
		"SCRUBD_TOPICS_CLEAN="+clean,
		"SCRUBD_TOPICS_DEAD_LETTER="+dlq,
		"SCRUBD_TOPICS_AGGREGATES=e2e.aggregates."+suffix,
		"SCRUBD_TOPICS_VAULT=e2e.vault."+suffix,
		devPolicy(t),
	)
	cfgPath := filepath.Join(repoRoot(t), "deploy", "examples", "scrubd.yaml")

	// Topics: created, then found as configured (idempotent).
	for i, want := range []string{"created", "ok"} {
		cmd := exec.Command(bin, "topics", "--config", cfgPath)
		cmd.Env = envs
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("scrubd topics (run %d): %v\n%s", i+1, err, out)
		}
		if !strings.Contains(string(out), want+" ") || !strings.Contains(string(out), clean) {
			t.Fatalf("scrubd topics (run %d): want %q lines:\n%s", i+1, want, out)
		}
	}

	// Records with seeded values, produced by kcat.
	g := gen.New(42)
	seeds := make([]seeded, n)
	var input bytes.Buffer
	for i := range n {
		s := seeded(g.Subject())
		seeds[i] = s
		fmt.Fprintf(&input, `{"seq":%d,"msg":"login ok for %s from %s","client_ip":%q,"email":%q,"phone":%q,"device":{"imei":%q},"account_id":%q,"note":"call %s"}`+"\n",
			i, s.Email, s.IPv4, s.IPv4, s.Email, s.Phone, s.IMEI, s.Account, s.Phone)
	}
	prod := exec.Command(kcat, "-P", "-b", broker, "-t", raw, "-z", "lz4", "-X", "linger.ms=20")
	prod.Stdin = &input
	if out, err := prod.CombinedOutput(); err != nil {
		t.Fatalf("kcat produce: %v\n%s", err, out)
	}

	// One scrubd run.
	start := time.Now()
	run := startRun(t, bin, cfgPath, envs)

	// The clean topic, read_committed, until N records or the deadline.
	var lines [][]byte
	deadline := time.Now().Add(5 * time.Minute)
	for {
		lines = consume(t, kcat, broker, clean)
		if len(lines) >= n || time.Now().After(deadline) {
			break
		}
		select {
		case err := <-run.exited:
			t.Fatalf("scrubd exited early: %v\n%s", err, run.logTail())
		case <-time.After(time.Second):
		}
	}
	elapsed := time.Since(start)
	if len(lines) != n {
		t.Fatalf("clean topic holds %d records, want %d", len(lines), n)
	}
	seen := make([]bool, n)
	for _, l := range lines {
		var rec struct {
			Seq *int `json:"seq"`
		}
		if err := json.Unmarshal(l, &rec); err != nil || rec.Seq == nil || *rec.Seq < 0 || *rec.Seq >= n {
			t.Fatalf("clean record without a valid seq: %.200s", l)
		}
		s := *rec.Seq
		if seen[s] {
			t.Fatalf("seq %d twice", s)
		}
		seen[s] = true
		sd := seeds[s]
		for _, v := range []string{sd.IPv4, sd.Email, sd.Phone, sd.IMEI, sd.Account} {
			if bytes.Contains(l, []byte(v)) {
				t.Fatalf("seq %d: seeded value left in the clean record: %.300s", s, l)
			}
		}
	}
	t.Logf("%d records scrubbed exactly once in %v (%.0f records/s, including start-up and group join)", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())

	// Metrics and readiness.
	body := get(t, "http://"+httpAddr+"/metrics")
	for _, want := range []string{"scrubd_pipeline_records_total{outcome=\"clean\"} " + strconv.Itoa(n), "scrubd_txn_commits_total", "scrubd_build_info"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code := status(t, "http://"+httpAddr+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d, want 200", code)
	}
	if rss := vmHWM(run.cmd.Process.Pid); rss != "" {
		t.Logf("scrubd peak RSS (VmHWM): %s", rss)
	}

	// SIGTERM: a clean exit 0 within the shutdown timeout and a margin.
	stopAt := time.Now()
	if err := run.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-run.exited:
		if err != nil {
			t.Fatalf("scrubd exited with %v after SIGTERM", err)
		}
		t.Logf("scrubd stopped cleanly %v after SIGTERM", time.Since(stopAt).Round(time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatal("scrubd did not exit within 30s of SIGTERM")
	}
}

// scrubdRun is one `scrubd run` process of a test, writing to a log file.
type scrubdRun struct {
	cmd     *exec.Cmd
	exited  chan error // receives Wait's result, once
	logPath string
}

// startRun starts `scrubd run --config cfgPath` with the environment envs.
// When t ends, the process is killed if it still runs, and the tail of its
// log is printed if t failed.
func startRun(t *testing.T, bin, cfgPath string, envs []string) *scrubdRun {
	t.Helper()
	r := &scrubdRun{exited: make(chan error, 1), logPath: filepath.Join(t.TempDir(), "scrubd.log")}
	logFile, err := os.Create(r.logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	r.cmd = exec.Command(bin, "run", "--config", cfgPath)
	r.cmd.Env = envs
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.exited <- r.cmd.Wait() }()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.cmd.Process.Kill()
			<-r.exited
		}
		if t.Failed() {
			t.Logf("scrubd log:\n%s", r.logTail())
		}
	})
	return r
}

// logTail returns the last lines of the process's log.
func (r *scrubdRun) logTail() string {
	b, _ := os.ReadFile(r.logPath)
	return tail(b, 60)
}

// consume reads the whole topic with kcat, read_committed, one value a line.
func consume(t *testing.T, kcat, broker, topic string) [][]byte {
	var out []byte
	// kcat fails now and then right after a topic is created or while a
	// partition's leader moves: try again before giving up.
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, kcat, "-C", "-b", broker, "-t", topic, "-o", "beginning", "-e", "-q",
			"-X", "isolation.level=read_committed", "-f", "%s\n")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		var err error
		out, err = cmd.Output()
		cancel()
		if err == nil {
			break
		}
		if attempt == 5 {
			t.Fatalf("kcat consume %s: %v\n%s", topic, err, tail(stderr.Bytes(), 20))
		}
		time.Sleep(time.Second)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
	}
	return lines
}

func get(t *testing.T, url string) string {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func status(t *testing.T, url string) int {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func vmHWM(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return ""
}

func tail(b []byte, n int) string {
	lines := strings.Split(string(b), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
