package vault

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/rules"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// masterKey returns a fixed 32-byte key for id.
func masterKey(id string) []byte {
	k := sha256.Sum256([]byte("master " + id))
	return k[:]
}

// masterKeys returns master keys with the given ids, active first.
func masterKeys(t testing.TB, active string, ids ...string) *MasterKeys {
	t.Helper()
	keys := map[string][]byte{}
	for _, id := range append(ids, active) {
		keys[id] = masterKey(id)
	}
	mk, err := NewMasterKeys(active, keys)
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

func newVault(t testing.TB, mk *MasterKeys, partitions int32) *Vault {
	t.Helper()
	v, err := New(Options{Master: mk, Partitions: partitions, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func engine(t testing.TB) *rules.Engine {
	t.Helper()
	e, err := rules.Compile(rules.Default(), rules.TestKeyring())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func scrub(t testing.TB, e *rules.Engine, rec string) *rules.Result {
	t.Helper()
	var res rules.Result
	if _, err := e.Scrub(nil, []byte(rec), &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// topic is an in-memory compacted topic: the latest record per key.
type topic map[string]*sarama.ConsumerMessage

func (tp topic) write(t testing.TB, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	for _, m := range msgs {
		cm := consumed(t, m)
		if cm.Value == nil {
			delete(tp, string(cm.Key))
			continue
		}
		tp[string(cm.Key)] = cm
	}
}

// export decrypts the entry of pseudonym p from the topic.
func (tp topic) export(mk *MasterKeys, p string) (Entry, bool) {
	m, ok := tp[p]
	if !ok {
		return Entry{}, false
	}
	return openEntry(mk, m, tp), true
}

// consumed turns a produced message into the message a reader gets.
func consumed(t testing.TB, m *sarama.ProducerMessage) *sarama.ConsumerMessage {
	t.Helper()
	cm := &sarama.ConsumerMessage{Topic: m.Topic, Partition: m.Partition, Timestamp: m.Timestamp}
	var err error
	if cm.Key, err = m.Key.Encode(); err != nil {
		t.Fatal(err)
	}
	if m.Value != nil {
		if cm.Value, err = m.Value.Encode(); err != nil {
			t.Fatal(err)
		}
	}
	return cm
}
