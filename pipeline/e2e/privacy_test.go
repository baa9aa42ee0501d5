//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRealKafkaPrivacy is issue 6's "done when" against the real broker,
// with deploy/examples/scrubd.yaml: erase requests for 50 account ids are
// produced by kcat; after they are read, 20,000 records arrive of which a
// tenth belong to those accounts and another tenth carry "age": 12; the
// clean topic holds exactly the other records, each once, none of the
// suppressed ones, and the aggregates do not count them. Then: the requests
// survive a restart; a restore request lets an account's records through
// again; and an account erased after its records were written leaves no
// decryptable vault entry (scrubd vault export).
func TestRealKafkaPrivacy(t *testing.T) {
	r := newAggRun(t, "privacy", "")
	dir := t.TempDir()
	privacyTopic := strings.Replace(r.raw, "e2e.raw.", "e2e.privacy.", 1)
	vaultTopic := strings.Replace(r.raw, "e2e.raw.", "e2e.vault.", 1)
	keys := filepath.Join(dir, "vault")
	os.MkdirAll(keys, 0o700)
	os.WriteFile(filepath.Join(keys, "m1"), bytes.Repeat([]byte{'k'}, 32), 0o600)
	policy := filepath.Join(dir, "policy.yaml")
	os.WriteFile(policy, []byte("name: e2e-privacy\nkeys: {env: {k1: SCRUBD_E2E_HMAC}}\n"), 0o600)
	r.env = append(r.env,
		"SCRUBD_E2E_HMAC="+strings.Repeat("h", 40),
		"SCRUBD_POLICY_FILE="+policy,
		"SCRUBD_PRIVACY_ENABLED=true", "SCRUBD_PRIVACY_TOPIC="+privacyTopic,
		"SCRUBD_VAULT_ENABLED=true", "SCRUBD_TOPICS_VAULT="+vaultTopic,
		"SCRUBD_VAULT_MASTER_KEYS_DIR="+keys, "SCRUBD_VAULT_MASTER_KEYS_ACTIVE=m1",
	)
	topics := exec.Command(r.bin, "topics", "--config", r.cfg)
	topics.Env = r.env
	if out, err := topics.CombinedOutput(); err != nil || !strings.Contains(string(out), privacyTopic) {
		t.Fatalf("scrubd topics: %v\n%s", err, out)
	}

	request := func(account, action string) []byte {
		sum := sha256.Sum256([]byte(account))
		return []byte(fmt.Sprintf("user_id:%s\t{\"subject\":%q,\"type\":\"user_id\",\"action\":%q}", hex.EncodeToString(sum[:]), account, action))
	}
	produceRequests := func(lines ...[]byte) {
		cmd := exec.Command(r.kcat, "-P", "-b", r.broker, "-t", privacyTopic, "-K", "\t")
		cmd.Stdin = bytes.NewReader(append(bytes.Join(lines, []byte("\n")), '\n'))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kcat produce requests: %v\n%s", err, out)
		}
	}
	var reqs [][]byte
	for i := range 50 {
		reqs = append(reqs, request(fmt.Sprintf("acct-erased-%d", i), "erase"))
	}
	produceRequests(reqs...)

	// 20,000 records: a tenth of erased accounts, a tenth of minors.
	const n = 20000
	now := time.Now().UTC()
	rec := func(seq int, account string, age int) []byte {
		return []byte(fmt.Sprintf(`{"seq":%d,"ts":%q,"event":"page_view","path":"/p/%d","uid":%q,"age":%d,"email":"%s@example.com"}`,
			seq, now.Format(time.RFC3339Nano), seq%7, account, age, account))
	}
	var lines [][]byte
	want := map[int]bool{}
	for i := range n {
		switch i % 10 {
		case 3:
			lines = append(lines, rec(i, fmt.Sprintf("acct-erased-%d", i%50), 30))
		case 7:
			lines = append(lines, rec(i, fmt.Sprintf("acct-%d", i), 12))
		default:
			lines = append(lines, rec(i, fmt.Sprintf("acct-%d", i), 30))
			want[i] = true
		}
	}
	p := r.start()
	waitReady(t, p)
	r.produce(lines)
	got := waitClean(t, r, len(want))
	for seq := range got {
		if !want[seq] {
			t.Errorf("record %d of a suppressed subject or a minor reached the clean topic", seq)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("clean topic: %d records, want %d", len(got), len(want))
	}
	sums := r.waitAggregates(int64(len(want)), p)
	var total int64
	for _, c := range sums {
		total += c
	}
	if total != int64(len(want)) {
		t.Fatalf("aggregates count %d records, want %d", total, len(want))
	}

	// The requests survive a restart.
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	p = r.start()
	waitReady(t, p)
	r.produce([][]byte{rec(n, "acct-erased-1", 30), rec(n+1, "acct-live-1", 30)})
	got = waitClean(t, r, len(want)+1)
	if !got[n+1] || got[n] {
		t.Errorf("after a restart: live record %v, erased account's record %v", got[n+1], got[n])
	}

	// A restore lets the account's records through again.
	produceRequests(request("acct-erased-2", "restore"))
	time.Sleep(3 * time.Second) // the request is read within a poll
	r.produce([][]byte{rec(n+2, "acct-erased-2", 30)})
	got = waitClean(t, r, len(want)+2)
	if !got[n+2] {
		t.Error("the restored account's record did not reach the clean topic")
	}

	// Erasure after the fact: acct-live-1 is in the vault; erase it, make a
	// transaction carry the tombstones, and the export finds nothing.
	export := func() string {
		cmd := exec.Command(r.bin, "vault", "export", "--config", r.cfg, "--master-keys", keys, "--type", "user_id", "--subject", "acct-live-1")
		cmd.Env = r.env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("scrubd vault export: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := export(); !strings.Contains(out, `"acct-live-1"`) {
		t.Fatalf("the vault lacks acct-live-1 before its erasure:\n%s", out)
	}
	produceRequests(request("acct-live-1", "erase"))
	time.Sleep(3 * time.Second)
	r.produce([][]byte{rec(n+3, "acct-other", 30)})
	waitClean(t, r, len(want)+3)
	time.Sleep(2 * time.Second)
	if out := export(); strings.Contains(out, `"acct-live-1"`) {
		t.Errorf("acct-live-1 is still decryptable after its erasure:\n%s", out)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-p.exited; err != nil {
		t.Errorf("scrubd exit: %v\n%s", err, r.lastLog())
	}
}

// waitReady waits for /readyz: the privacy requests are read by then.
func waitReady(t *testing.T, p *aggProc) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := aggHTTP.Get("http://" + p.http + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("scrubd not ready after 2 minutes")
		}
		select {
		case err := <-p.exited:
			t.Fatalf("scrubd exited: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// waitClean reads the clean topic until it holds at least want distinct
// records (then a little longer), failing on a duplicate; it returns the
// seqs seen.
func waitClean(t *testing.T, r *aggRun, want int) map[int]bool {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		seen := map[int]bool{}
		for _, l := range consume(t, r.kcat, r.broker, r.clean) {
			var v struct {
				Seq int `json:"seq"`
			}
			if err := json.Unmarshal(l, &v); err != nil {
				t.Fatalf("clean record %.100s: %v", l, err)
			}
			if seen[v.Seq] {
				t.Fatalf("record %d twice in the clean topic", v.Seq)
			}
			seen[v.Seq] = true
			if bytes.Contains(l, []byte("acct-")) || bytes.Contains(l, []byte("@example.com")) {
				t.Fatalf("an identifier reached the clean topic: %.200s", l)
			}
		}
		if len(seen) >= want {
			return seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("clean topic: %d records after 5 minutes, want %d", len(seen), want)
		}
		time.Sleep(2 * time.Second)
	}
}
