package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

const (
	privacyTopic = "privacy.requests"
	vaultTopic   = "logs.vault"
)

// TestPrivacyRequestsAndVault runs the pipeline with privacy requests and
// the identity vault on: records of an erased account and of an e-mail
// address whose consent was withdrawn reach no output; every other record
// is clean, with its subjects' originals in the vault, encrypted; the
// erased account's vault entries and data keys are tombstoned, so an
// export finds nothing.
func TestPrivacyRequestsAndVault(t *testing.T) {
	c, err := embedded.Start([]embedded.Topic{
		{Name: rawTopic, Partitions: 3}, {Name: cleanTopic, Partitions: 3}, {Name: dlqTopic, Partitions: 1},
		{Name: privacyTopic, Partitions: 1}, {Name: vaultTopic, Partitions: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addrs := c.Addrs()
	keys := rules.TestKeyring()

	// Requests, before the records: erase acct-5, withdraw user7's e-mail
	// consent, and a malformed request.
	types := privacy.DefaultTypes()
	cl := newClient(t, addrs)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	for _, r := range []struct{ typ, subject, action string }{
		{"user_id", "acct-5", "erase"}, {"email", "User7@Example.com", "withdraw_consent"},
	} {
		key, err := types.RecordKey(r.typ, []byte(r.subject))
		if err != nil {
			t.Fatal(err)
		}
		v := fmt.Sprintf(`{"subject":%q,"type":%q,"action":%q}`, r.subject, r.typ, r.action)
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: privacyTopic, Key: []byte(key), Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: privacyTopic, Key: []byte("junk"), Value: []byte(`{"subject":`)}).FirstErr(); err != nil {
		t.Fatal(err)
	}

	const n = 60
	produce(t, addrs, jsonRecords(n))

	cfg := testConfig(addrs)
	cfg.Privacy.Enabled, cfg.Privacy.Topic = true, privacyTopic
	cfg.Vault.Enabled = true
	cfg.Topics.Vault = vaultTopic
	cfg.Topics.Create.Partitions = 3
	master := vaultMaster(t)
	v, err := vault.New(vault.Options{Master: master, Topic: vaultTopic, Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	set, err := privacy.NewSet(keys, privacy.SetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := newInstance(t, cfg, rulestest.Engine(t, ""), "scrubd-rights", nil)
	in.p.opts.Stages.Privacy, in.p.opts.Stages.Vault = set, v

	base, err := kafka.Base(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rejected := make(chan privacy.Reason, 4)
	rd, err := privacy.StartReader(privacy.ReaderOptions{
		Conn: compacted.Conn{Brokers: addrs, Config: base}, Topic: privacyTopic, Set: set,
		OnRejected: func(r privacy.Rejected) {
			rejected <- r.Reason
			in.p.RejectRequest(r.Record, string(r.Reason))
		},
		OnEvent: func(e privacy.Event) {
			if e.Erased() {
				in.p.Erase(e.Pseudonyms)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if err := rd.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if set.Len() != 2 {
		t.Fatalf("suppressed subjects: %d, want 2", set.Len())
	}
	in.start()
	recs := readTopic(t, addrs, cleanTopic, n-2, false)
	keys9 := string(keys.Pseudonym(nil, "account_id", []byte("acct-9")))
	waitFor(t, "acct-9 in the vault", func() bool {
		st, err := vault.OpenStore(vault.StoreOptions{Conn: compacted.Conn{Brokers: addrs, Config: mustBase(t, cfg)}, Topic: vaultTopic, Master: vaultMaster(t)})
		if err != nil {
			return false
		}
		defer st.Close()
		exp, err := st.Export(ctx, []string{keys9})
		return err == nil && len(exp.Entries) == 1
	})

	// Now acct-9 asks for erasure: its vault entries and data keys are
	// tombstoned with the next transaction (a few more records make one).
	key9, _ := types.RecordKey("user_id", []byte("acct-9"))
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: privacyTopic, Key: []byte(key9),
		Value: []byte(`{"subject":"acct-9","type":"user_id","action":"erase"}`)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the erasure read", func() bool { _, ok := set.Lookup("account_id", []byte(keys9)); return ok })
	more := make([][]byte, 0, 10)
	for i := n; i < n+10; i++ {
		more = append(more, fmt.Appendf(nil, `{"seq":%d,"user_id":"acct-%d"}`, i, i))
	}
	produce(t, addrs, more)
	readTopic(t, addrs, cleanTopic, n-2+10, false)
	in.stop(t)

	// Clean: every record but seq 5 (erased account) and seq 7 (consent).
	if len(recs) != n-2 {
		t.Fatalf("clean topic: %d records, want %d", len(recs), n-2)
	}
	for _, r := range recs {
		if s := seqOf(t, r.Value); s == 5 || s == 7 {
			t.Errorf("record %d of a suppressed subject reached the clean topic", s)
		}
	}
	if got := testutil.ToFloat64(in.p.Metrics().Records.WithLabelValues("suppressed")); got != 2 {
		t.Errorf("records_total{outcome=suppressed} = %v, want 2", got)
	}

	// The rejected request is dead-lettered with its reason, sealed or
	// without payload, never plain.
	select {
	case <-rejected:
	case <-time.After(waitLong):
		t.Fatal("malformed request not rejected")
	}
	dlq := readTopic(t, addrs, dlqTopic, 1, false)
	if len(dlq) != 1 {
		t.Fatalf("dead-letter topic: %d records, want 1", len(dlq))
	}
	if reason, _ := headerOf(dlq[0], wire.HeaderError); !strings.HasPrefix(reason, "privacy_") {
		t.Errorf("dead letter reason %q", reason)
	}
	if bytes.Contains(dlq[0].Value, []byte(`"subject"`)) {
		t.Error("the rejected request is in the dead-letter topic in clear")
	}

	// The vault holds the other subjects, decryptable; the erased
	// account's entries are tombstoned.
	store, err := vault.OpenStore(vault.StoreOptions{Conn: compacted.Conn{Brokers: addrs, Config: base}, Topic: vaultTopic, Master: master})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	live := string(keys.Pseudonym(nil, "account_id", []byte("acct-11")))
	exp, err := store.Export(ctx, []string{live, keys9})
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Entries) != 1 || exp.Entries[0].Pseudonym != live || string(exp.Entries[0].Value) != "acct-11" {
		t.Errorf("export: %+v (missing %v)", exp.Entries, exp.Missing)
	}
	if len(exp.Missing) != 1 || exp.Missing[0] != keys9 {
		t.Errorf("the erased account is still in the vault: missing = %v", exp.Missing)
	}
	erasedOnly, err := store.Export(ctx, []string{keys9})
	if err != nil {
		t.Fatal(err)
	}
	if erasedOnly.DataKeys != 0 || len(erasedOnly.Entries) != 0 {
		t.Errorf("after erasure: %d data keys, %d entries", erasedOnly.DataKeys, len(erasedOnly.Entries))
	}
}

func mustBase(t *testing.T, cfg *config.Config) *sarama.Config {
	t.Helper()
	b, err := kafka.Base(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vaultMaster(t *testing.T) *vault.MasterKeys {
	t.Helper()
	m, err := vault.NewMasterKeys("m1", map[string][]byte{"m1": bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
