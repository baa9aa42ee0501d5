package vault

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules/rulestest"
)

const vaultParts = 3

func startKafka(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(vaultParts, DefaultTopic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func clientConfig() *sarama.Config {
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Consumer.MaxWaitTime = 50 * time.Millisecond
	return sc
}

// txnProducer writes messages in transactions, as the pipeline does.
type txnProducer struct {
	t *testing.T
	p sarama.SyncProducer
}

func newTxnProducer(t *testing.T, addrs []string, id string) *txnProducer {
	t.Helper()
	sc := clientConfig()
	sc.Producer.Idempotent = true
	sc.Producer.Transaction.ID = id
	sc.Net.MaxOpenRequests = 1
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Retry.Max = 5
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(addrs, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return &txnProducer{t: t, p: p}
}

// commit writes msgs in one transaction.
func (tp *txnProducer) commit(msgs []*record.Record) {
	tp.t.Helper()
	if err := tp.p.BeginTxn(); err != nil {
		tp.t.Fatal(err)
	}
	if err := tp.p.SendMessages(messages(msgs)); err != nil {
		tp.t.Fatal(err)
	}
	if err := tp.p.CommitTxn(); err != nil {
		tp.t.Fatal(err)
	}
}

// send writes one message outside transactions (Rewrap's Send).
func plainSender(t *testing.T, addrs []string) Send {
	t.Helper()
	sc := clientConfig()
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(addrs, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return func(r *record.Record) (int32, int64, error) { return p.SendMessage(kafka.Message(r)) }
}

// messages returns the messages that produce rs.
func messages(rs []*record.Record) []*sarama.ProducerMessage {
	out := make([]*sarama.ProducerMessage, len(rs))
	for i, r := range rs {
		out[i] = kafka.Message(r)
	}
	return out
}

func openStore(t *testing.T, addrs []string, mk *MasterKeys, all bool) *Store {
	t.Helper()
	s, err := OpenStore(StoreOptions{Conn: compacted.Conn{Brokers: addrs, Config: clientConfig()}, Master: mk, AllPartitions: all, Quiet: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func export(t *testing.T, s *Store, ps []string) *Export {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	x, err := s.Export(ctx, ps)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestStore writes vault records in transactions, exports a subject,
// erases it and checks that nothing of it can be decrypted any more.
func TestStore(t *testing.T) {
	addrs := startKafka(t)
	mk := masterKeys(t, "m1")
	v := newVault(t, mk, vaultParts)
	e := rulestest.Engine(t, "")
	prod := newTxnProducer(t, addrs, "scrubd-test")
	slots := []Slot{{"logs.raw", 0}, {"logs.raw", 1}}
	for _, s := range slots {
		prod.commit(must(v.Writer(s.Topic, s.Partition).Append(nil, scrub(t, e, sampleRecord))))
	}
	// An aborted transaction leaves nothing.
	if err := prod.p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	if err := prod.p.SendMessages(messages(must(v.Writer("logs.raw", 2).Append(nil, scrub(t, e, `{"uid":999}`))))); err != nil {
		t.Fatal(err)
	}
	if err := prod.p.AbortTxn(); err != nil {
		t.Fatal(err)
	}
	ps := subjects(t, sampleRecord)
	var jo string
	for p, val := range ps {
		if val == "jo@example.com" {
			jo = p
		}
	}
	for _, all := range []bool{false, true} {
		st := openStore(t, addrs, mk, all)
		x := export(t, st, []string{jo, "email_test_hhhhhhhhhhhhhhhhhhhhhhhh"})
		if len(x.Entries) != 1 || string(x.Entries[0].Value) != "jo@example.com" || x.Entries[0].Type != "email" ||
			x.DataKeys != 2 || len(x.Missing) != 1 {
			t.Fatalf("all partitions %v: export %+v", all, x)
		}
	}
	aborted := export(t, openStore(t, addrs, mk, true), []string{firstKey(subjects(t, `{"uid":999}`))})
	if len(aborted.Entries) != 0 || aborted.DataKeys != 0 {
		t.Errorf("aborted records visible: %+v", aborted)
	}

	prod.commit(v.Erase(nil, []string{jo}, slots))
	x := export(t, openStore(t, addrs, mk, false), []string{jo})
	if len(x.Entries) != 0 || x.DataKeys != 0 {
		t.Errorf("after erasure: %+v", x)
	}
	// The superseded records are still in the log (no compaction on
	// kfake), but nothing of them decrypts: read every record of the
	// subject and try.
	decrypted := 0
	st := openStore(t, addrs, mk, true)
	keys := map[string]*record.Record{}
	var values []*record.Record
	err := st.read(context.Background(), nil, nil, nil, func(m *record.Record) {
		k := string(m.Key)
		if k == jo && m.Value != nil {
			values = append(values, m)
		}
		if strings.HasPrefix(k, dataKeyPrefix+jo) {
			latest(keys, k, m)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range values {
		if e := openEntry(mk, m, keys); e.Value != nil {
			decrypted++
		}
	}
	if len(values) != 2 || decrypted != 0 {
		t.Errorf("%d old value records, %d decrypt", len(values), decrypted)
	}
	// The other subjects are untouched.
	others := []string{}
	for p := range ps {
		if p != jo {
			others = append(others, p)
		}
	}
	if x := export(t, st, others); len(x.Entries) != 2 || x.Entries[0].Value == nil || x.Entries[1].Value == nil {
		t.Errorf("others: %+v", x)
	}
}

// TestRewrap rotates the master key and checks that every entry stays
// readable with the new key alone, and that an erasure made while Rewrap
// runs is not undone.
func TestRewrap(t *testing.T) {
	addrs := startKafka(t)
	e := rulestest.Engine(t, "")
	old := masterKeys(t, "m1")
	v := newVault(t, old, vaultParts)
	prod := newTxnProducer(t, addrs, "scrubd-test")
	recs := []string{`{"uid":1}`, `{"uid":2}`, `{"uid":3}`}
	for i, r := range recs {
		prod.commit(must(v.Writer("logs.raw", int32(i)).Append(nil, scrub(t, e, r))))
	}
	p1, p2 := firstKey(subjects(t, recs[0])), firstKey(subjects(t, recs[1]))
	rotated := masterKeys(t, "m2", "m1")
	send := plainSender(t, addrs)
	erased := false
	racing := func(m *record.Record) (int32, int64, error) {
		k := m.Key
		if !erased && strings.HasPrefix(string(k), dataKeyPrefix+p2) {
			// An erasure lands between Rewrap's reading and its writing.
			erased = true
			prod.commit(v.Erase(nil, []string{p2}, []Slot{{"logs.raw", 1}}))
		}
		return send(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := openStore(t, addrs, rotated, true).Rewrap(ctx, racing)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rewrapped != 3 || st.Repaired != 1 || st.Unreadable != 0 || !erased {
		t.Errorf("stats %+v", st)
	}
	only2, _ := NewMasterKeys("m2", map[string][]byte{"m2": masterKey("m2")})
	x := export(t, openStore(t, addrs, only2, false), []string{p1, p2, firstKey(subjects(t, recs[2]))})
	if len(x.Entries) != 2 || string(x.Entries[0].Value) != "1" || x.Entries[0].MasterKey != "m2" || string(x.Entries[1].Value) != "3" {
		t.Errorf("after rewrap: %+v", x)
	}
	if x := export(t, openStore(t, addrs, rotated, false), []string{p2}); x.DataKeys != 0 || len(x.Entries) != 0 {
		t.Errorf("the erased subject came back: %+v", x)
	}
	// Nothing left to do.
	st, err = openStore(t, addrs, rotated, true).Rewrap(ctx, send)
	if err != nil || st != (RewrapStats{}) {
		t.Errorf("second rewrap: %+v %v", st, err)
	}
}
