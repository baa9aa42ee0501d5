//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRealKafkaKeysAndHeaders: records keyed by raw account ids (numbers
// and user names), with user_id, x-client-ip and x-user-email headers and a
// JSON value holding the same ids, go through one `scrubd run` (default
// policy, ephemeral key) on the real broker. In the clean topic, read with
// a read_committed consumer, none of the raw values is left in key, header
// names, header values or value; each key is the pseudonym of its value's
// uid (so one account keeps one key), the user_id header carries the same
// pseudonym, the x-user-email header the value's email pseudonym, and
// x-client-ip the address cut to /24.
func TestRealKafkaKeysAndHeaders(t *testing.T) {
	broker := env(t, "SCRUBD_E2E_BROKER")
	bin := env(t, "SCRUBD_E2E_BIN")
	const n = 3000
	suffix := "envelope." + strconv.FormatInt(time.Now().UnixNano(), 36)
	raw, clean := "e2e.raw."+suffix, "e2e.clean."+suffix
	envs := append(os.Environ(),
		"SCRUBD_KAFKA_BROKERS="+broker,
		"SCRUBD_HTTP_ADDR="+freePort(t),
		"SCRUBD_KAFKA_GROUP=scrubd-e2e-"+suffix,
		"SCRUBD_KAFKA_TRANSACTIONAL_ID=scrubd-e2e-"+suffix,
		"SCRUBD_TOPICS_INPUT="+raw,
		"SCRUBD_TOPICS_CLEAN="+clean,
		"SCRUBD_TOPICS_DEAD_LETTER=e2e.dlq."+suffix,
		"SCRUBD_TOPICS_AGGREGATES=e2e.aggregates."+suffix,
		"SCRUBD_TOPICS_VAULT=e2e.vault."+suffix,
		devPolicy(t),
	)
	cfgPath := filepath.Join(repoRoot(t), "deploy", "examples", "scrubd.yaml")
	topics := exec.Command(bin, "topics", "--config", cfgPath)
	topics.Env = envs
	if out, err := topics.CombinedOutput(); err != nil {
		t.Fatalf("scrubd topics: %v\n%s", err, out)
	}

	// The personal values of record i: 40 accounts, half numeric ids,
	// half user names, each with its e-mail address; addresses per record.
	account := func(i int) string {
		if a := i % 40; a%2 == 1 {
			return fmt.Sprintf("jdoe.k%02d", a)
		}
		return strconv.Itoa(7_300_000 + i%40*131)
	}
	email := func(i int) string { return fmt.Sprintf("holder%02d@example.org", i%40) }
	ip := func(i int) string { return fmt.Sprintf("198.51.%d.%d", i%200, 1+i%250) }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	prod, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.DefaultProduceTopic(raw), kgo.ProducerLinger(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]*kgo.Record, n)
	for i := range n {
		uid := account(i)
		value := fmt.Sprintf(`{"seq":%d,"uid":%q,"email":%q,"client_ip":%q,"msg":"login by %s from %s"}`, i, uid, email(i), ip(i), email(i), ip(i))
		if uid[0] != 'j' {
			value = fmt.Sprintf(`{"seq":%d,"uid":%s,"email":%q,"client_ip":%q,"msg":"login by %s from %s"}`, i, uid, email(i), ip(i), email(i), ip(i))
		}
		recs[i] = &kgo.Record{Key: []byte(uid), Value: []byte(value), Headers: []kgo.RecordHeader{
			{Key: "user_id", Value: []byte(uid)},
			{Key: "x-client-ip", Value: []byte(ip(i))},
			{Key: "x-user-email", Value: []byte(email(i))},
		}}
	}
	if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	prod.Close()

	run := startRun(t, bin, cfgPath, envs)

	cons, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.ConsumeTopics(clean),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	var out []*kgo.Record
	for len(out) < n {
		select {
		case err := <-run.exited:
			t.Fatalf("scrubd exited early: %v\n%s", err, run.logTail())
		default:
		}
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		fs := cons.PollFetches(pctx)
		pcancel()
		if ctx.Err() != nil {
			t.Fatalf("clean topic: %d records after 5 minutes, want %d", len(out), n)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	if len(out) != n {
		t.Fatalf("clean topic: %d records, want %d", len(out), n)
	}

	keyOf := map[string]string{} // account -> its key in the clean topic
	seen := make([]bool, n)
	for _, r := range out {
		var v struct {
			Seq      *int
			UID      string
			Email    string
			ClientIP string `json:"client_ip"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil || v.Seq == nil || *v.Seq < 0 || *v.Seq >= n || seen[*v.Seq] {
			t.Fatalf("clean record without a new valid seq: %.300s", r.Value)
		}
		i := *v.Seq
		seen[i] = true
		for _, x := range []string{account(i), email(i), ip(i)} {
			if bytes.Contains(r.Key, []byte(x)) || bytes.Contains(r.Value, []byte(x)) {
				t.Fatalf("seq %d: raw %q in key %q or value %s", i, x, r.Key, r.Value)
			}
			for _, h := range r.Headers {
				if strings.Contains(h.Key, x) || bytes.Contains(h.Value, []byte(x)) {
					t.Fatalf("seq %d: raw %q in header %s: %q", i, x, h.Key, h.Value)
				}
			}
		}
		if !strings.HasPrefix(v.UID, "account_id_r_") || string(r.Key) != v.UID {
			t.Fatalf("seq %d: key %q, uid %q: want the uid's pseudonym as the key", i, r.Key, v.UID)
		}
		if k, ok := keyOf[account(i)]; ok && k != string(r.Key) {
			t.Fatalf("seq %d: account %d has two keys, %s and %s", i, i%40, k, r.Key)
		}
		keyOf[account(i)] = string(r.Key)
		cut := ip(i)[:strings.LastIndexByte(ip(i), '.')] + ".0"
		want := map[string]string{
			"user_id": v.UID, "x-user-email": v.Email, "x-client-ip": cut, "scrubd-class": "pseudonymous",
		}
		for _, h := range r.Headers {
			if w, ok := want[h.Key]; ok {
				if string(h.Value) != w {
					t.Errorf("seq %d: header %s = %q, want %q", i, h.Key, h.Value, w)
				}
				delete(want, h.Key)
			}
		}
		if len(want) > 0 {
			t.Errorf("seq %d: headers missing: %v", i, want)
		}
		if !strings.HasPrefix(v.Email, "email_r_") || v.ClientIP != cut {
			t.Errorf("seq %d: value %s", i, r.Value)
		}
	}
	if len(keyOf) != 40 {
		t.Errorf("%d distinct keys for 40 accounts", len(keyOf))
	}
	t.Logf("%d records keyed by 40 raw account ids: keys, headers and values scrubbed, one key per account", n)
}
