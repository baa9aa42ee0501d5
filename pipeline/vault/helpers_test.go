package vault

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/scrubd/scrubd/pipeline/record"
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

func scrub(t testing.TB, e *rules.Engine, rec string) *rules.Result {
	t.Helper()
	var res rules.Result
	if _, err := e.Scrub(nil, []byte(rec), &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// topic is an in-memory compacted topic: the latest record per key.
type topic map[string]*record.Record

func (tp topic) write(msgs ...*record.Record) {
	for _, m := range msgs {
		if m.Value == nil {
			delete(tp, string(m.Key))
			continue
		}
		cm := *m
		tp[string(cm.Key)] = &cm
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
