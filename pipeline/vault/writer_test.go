package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

const sampleRecord = `{"uid":42,"email":"Jo@Example.com","msg":"from +44 20 7946 0958"}`

// subjects returns the pseudonyms and normalized values of rec's subjects.
func subjects(t *testing.T, rec string) map[string]string {
	t.Helper()
	res := scrub(t, rulestest.Engine(t, ""), rec)
	out := map[string]string{}
	for _, s := range res.Subjects {
		out[string(res.Pseudonym(s))] = string(res.SubjectValue(s))
	}
	return out
}

func TestWriterRoundTrip(t *testing.T) {
	mk := masterKeys(t, "m1")
	v := newVault(t, mk, 6)
	w := v.Writer("logs.raw", 3)
	res := scrub(t, rulestest.Engine(t, ""), sampleRecord)
	msgs, err := w.Append(nil, res)
	if err != nil {
		t.Fatal(err)
	}
	want := subjects(t, sampleRecord)
	if len(want) != 3 || len(msgs) != 2*len(want) {
		t.Fatalf("%d subjects, %d records", len(want), len(msgs))
	}
	tp := topic{}
	tp.write(msgs...)
	for p, value := range want {
		e, ok := tp.export(mk, p)
		if !ok || e.Problem != "" || string(e.Value) != value {
			t.Errorf("%s: %+v", p, e)
		}
		if !strings.HasSuffix(e.DataKey, ":logs.raw/3") || e.MasterKey != "m1" || e.Type != p[:strings.LastIndex(p[:len(p)-25], "_")] {
			t.Errorf("%s: data key %s, master %s, type %s", p, e.DataKey, e.MasterKey, e.Type)
		}
	}
	for _, m := range msgs {
		if m.Topic != DefaultTopic || m.Partition < 0 || m.Partition >= 6 {
			t.Errorf("placed at %s/%d", m.Topic, m.Partition)
		}
		k := m.Key
		p := string(k)
		if dk, _, ok := splitDataKeyID(p); ok {
			p = dk
		}
		if m.Partition != partitionOf(p, 6) {
			t.Errorf("%s not in its pseudonym's partition", k)
		}
		if !hasHeader(m, HeaderClass, "personal") {
			t.Errorf("%s without data class", k)
		}
		b := m.Value
		for _, value := range want {
			// A short value ("42") turns up in random ciphertext by
			// chance (about one run in two hundred): look for it in
			// the record's text, not in its encrypted bytes.
			if len(value) < 6 && !utf8.Valid(b) {
				continue
			}
			if bytes.Contains(b, []byte(value)) {
				t.Errorf("record %s holds a value in clear", k)
			}
		}
	}
	// Seen again: nothing to write.
	if msgs, err := w.Append(nil, scrub(t, rulestest.Engine(t, ""), sampleRecord)); err != nil || len(msgs) != 0 {
		t.Errorf("second time: %d records, %v", len(msgs), err)
	}
	// Another partition's writer makes its own data keys.
	msgs2, _ := v.Writer("logs.raw", 4).Append(nil, res)
	if len(msgs2) != len(msgs) {
		t.Errorf("other writer: %d records", len(msgs2))
	}
}

func hasHeader(m *record.Record, k, v string) bool {
	for _, h := range m.Headers {
		if string(h.Key) == k && string(h.Value) == v {
			return true
		}
	}
	return false
}

func TestWriterSkipsPseudonymsAlone(t *testing.T) {
	v := newVault(t, masterKeys(t, "m1"), 1)
	e := rulestest.Engine(t, "")
	var res rules.Result
	clean, err := e.Scrub(nil, []byte(sampleRecord), &res)
	if err != nil {
		t.Fatal(err)
	}
	// Scrubbed output holds pseudonyms only: no value, no record.
	msgs, err := v.Writer("logs.raw", 1).Append(nil, scrub(t, e, string(clean)))
	if err != nil || len(msgs) != 0 {
		t.Errorf("%d records for pseudonyms", len(msgs))
	}
}

func TestWriterCache(t *testing.T) {
	reg := prometheus.NewRegistry()
	v, err := New(Options{Master: masterKeys(t, "m1"), Partitions: 1, CacheSize: 2, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	w := v.Writer("in", 0)
	e := rulestest.Engine(t, "")
	n := func(rec string) int {
		msgs, err := w.Append(nil, scrub(t, e, rec))
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}
	for _, c := range []struct {
		rec  string
		want int
	}{
		{`{"uid":1}`, 2}, {`{"uid":2}`, 2}, {`{"uid":1}`, 0}, {`{"uid":3}`, 2}, // evicts 2
		{`{"uid":1}`, 0}, {`{"uid":2}`, 2},
	} {
		if got := n(c.rec); got != c.want {
			t.Errorf("%s: %d records, want %d", c.rec, got, c.want)
		}
	}
	v.Forget()
	if got := n(`{"uid":1}`); got != 2 {
		t.Errorf("after Forget: %d records", got)
	}
	if got := testutil.ToFloat64(v.m.cacheHits); got != 2 {
		t.Errorf("hits %v", got)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
}

func TestWriterRandomFailure(t *testing.T) {
	v, err := New(Options{Master: masterKeys(t, "m1"), Partitions: 1, Rand: failingReader{}})
	if err != nil {
		t.Fatal(err)
	}
	w := v.Writer("in", 0)
	msgs, err := w.Append(nil, scrub(t, rulestest.Engine(t, ""), sampleRecord))
	if err == nil || len(msgs) != 0 || len(w.seen) != 0 {
		t.Fatalf("%d records, %d remembered, %v", len(msgs), len(w.seen), err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestErase(t *testing.T) {
	mk := masterKeys(t, "m1")
	v := newVault(t, mk, 3)
	e := rulestest.Engine(t, "")
	slots := []Slot{{"logs.raw", 0}, {"logs.raw", 1}}
	tp := topic{}
	for _, s := range slots {
		msgs, err := v.Writer(s.Topic, s.Partition).Append(nil, scrub(t, e, sampleRecord))
		if err != nil {
			t.Fatal(err)
		}
		tp.write(msgs...)
	}
	ps := subjects(t, sampleRecord)
	var jo string
	for p, val := range ps {
		if val == "jo@example.com" {
			jo = p
		}
	}
	// Keep a copy of the value record, as an uncompacted segment would.
	stale := tp[jo]
	tp.write(v.Erase(nil, []string{jo}, slots)...)
	if _, ok := tp.export(mk, jo); ok {
		t.Error("value record not erased")
	}
	for k := range tp {
		if strings.Contains(k, jo) {
			t.Errorf("%s left", k)
		}
	}
	tp[jo] = stale
	if e, _ := tp.export(mk, jo); e.Value != nil || e.Problem != "data key erased" {
		t.Errorf("stale value record decrypts: %+v", e)
	}
	// Other subjects keep their entries.
	for p, val := range ps {
		if p == jo {
			continue
		}
		if e, ok := tp.export(mk, p); !ok || string(e.Value) != val {
			t.Errorf("%s lost: %+v", p, e)
		}
	}
	// A writer's own erasure: its partition's data key and the value.
	w := v.Writer("logs.raw", 2)
	tp.write(must(w.Append(nil, scrub(t, e, `{"uid":7}`)))...)
	p7 := firstKey(subjects(t, `{"uid":7}`))
	tp.write(w.Erase(nil, []string{p7})...)
	if _, ok := tp[dataKeyID(p7, "logs.raw/2")]; ok {
		t.Error("writer erase left the data key")
	}
	if msgs := must(w.Append(nil, scrub(t, e, `{"uid":7}`))); len(msgs) != 2 {
		t.Errorf("restored subject: %d records", len(msgs))
	}
}

func must(msgs []*record.Record, err error) []*record.Record {
	if err != nil {
		panic(err)
	}
	return msgs
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

func TestTampering(t *testing.T) {
	mk := masterKeys(t, "m1")
	v := newVault(t, mk, 1)
	e := rulestest.Engine(t, "")
	tp := topic{}
	tp.write(must(v.Writer("in", 0).Append(nil, scrub(t, e, `{"uid":1,"email":"a@example.com"}`)))...)
	ps := subjects(t, `{"uid":1,"email":"a@example.com"}`)
	var uid, mail string
	for p := range ps {
		if strings.HasPrefix(p, "account_id") {
			uid = p
		} else {
			mail = p
		}
	}
	// Every flipped byte of the sealed value is detected or rejected.
	orig := tp[uid]
	for i := range orig.Value {
		bad := *orig
		bad.Value = bytes.Clone(orig.Value)
		bad.Value[i] ^= 0x40
		tp[uid] = &bad
		if e, ok := tp.export(mk, uid); ok && e.Value != nil {
			t.Fatalf("byte %d flipped, still decrypts", i)
		}
	}
	tp[uid] = orig
	// A value record moved to another pseudonym's key is rejected.
	moved := *orig
	moved.Key = []byte(mail)
	tp[mail] = &moved
	if e, _ := tp.export(mk, mail); e.Value != nil {
		t.Error("moved value record decrypts")
	}
	// A data key moved to another pseudonym's data key id does not open.
	var dk *record.Record
	for k, m := range tp {
		if strings.HasPrefix(k, dataKeyPrefix+uid) {
			dk = m
		}
	}
	r, err := DecodeRecord(dk.Key, dk.Value)
	if err != nil {
		t.Fatal(err)
	}
	last := byte('g')
	if uid[len(uid)-1] == 'g' {
		last = 'h'
	}
	other := dataKeyID(uid[:len(uid)-1]+string(last), "in/0")
	r2, err := DecodeRecord([]byte(other), dk.Value)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openDataKey(mk, other, &r2); !errors.Is(err, ErrAuth) {
		t.Errorf("moved data key: %v", err)
	}
	// The wrong master key does not open it.
	if _, err := openDataKey(masterKeys(t, "m1x"), string(dk.Key), &r); !errors.Is(err, ErrNoMasterKey) {
		t.Errorf("other master keys: %v", err)
	}
	wrong, _ := NewMasterKeys("m1", map[string][]byte{"m1": masterKey("not m1")})
	if _, err := openDataKey(wrong, string(dk.Key), &r); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong master key: %v", err)
	}
}

func TestRotation(t *testing.T) {
	e := rulestest.Engine(t, "")
	old := masterKeys(t, "m1")
	tp := topic{}
	tp.write(must(newVault(t, old, 1).Writer("in", 0).Append(nil, scrub(t, e, `{"uid":1}`)))...)
	rotated := masterKeys(t, "m2", "m1")
	tp.write(must(newVault(t, rotated, 1).Writer("in", 1).Append(nil, scrub(t, e, `{"uid":2}`)))...)
	for rec, master := range map[string]string{`{"uid":1}`: "m1", `{"uid":2}`: "m2"} {
		p := firstKey(subjects(t, rec))
		if e, ok := tp.export(rotated, p); !ok || e.Value == nil || e.MasterKey != master {
			t.Errorf("%s: %+v", rec, e)
		}
	}
	// Without m1 the old entry cannot be read: that is what Rewrap fixes.
	only2, _ := NewMasterKeys("m2", map[string][]byte{"m2": masterKey("m2")})
	if e, _ := tp.export(only2, firstKey(subjects(t, `{"uid":1}`))); e.Problem != "master key not loaded" {
		t.Errorf("without m1: %+v", e)
	}
}

func TestWriterHitDoesNotAllocate(t *testing.T) {
	v := newVault(t, masterKeys(t, "m1"), 3)
	w := v.Writer("in", 0)
	res := scrub(t, rulestest.Engine(t, ""), sampleRecord)
	if _, err := w.Append(nil, res); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if msgs, _ := w.Append(nil, res); len(msgs) != 0 {
			t.Fatal("wrote again")
		}
	}); n != 0 {
		t.Errorf("a subject seen before costs %.1f allocations", n)
	}
}

func TestWriterDiscard(t *testing.T) {
	v := newVault(t, masterKeys(t, "m1"), 3)
	w := v.Writer("in", 0)
	res := scrub(t, rulestest.Engine(t, ""), sampleRecord)
	msgs := must(w.Append(nil, res))
	w.Discard(msgs)
	if again := must(w.Append(nil, res)); len(again) != len(msgs) {
		t.Errorf("after Discard: %d records, want %d", len(again), len(msgs))
	}
}
