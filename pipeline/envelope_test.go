package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
)

// testPseudonym is the pseudonym the test keyring gives value as typ.
func testPseudonym(typ, value string) string {
	return string(rules.TestKeyring().Pseudonym(nil, typ, []byte(value)))
}

// newTestProcessor is a processor of the clean topic (3 partitions) and the
// dead-letter topic, without geo, aggregates or a sealer.
func newTestProcessor(s Scrubber) *processor {
	return &processor{
		views: newViews(s, nil), outputs: outputs{clean: output{topic: cleanTopic, parts: 3}},
		dlq: dlqTopic, dlqPart: 1, maxOut: 1 << 20, now: time.Now,
	}
}

// encoded returns the bytes of an encoder, nil for none.
func encoded(t *testing.T, e sarama.Encoder) []byte {
	t.Helper()
	if e == nil {
		return nil
	}
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hdrs builds consumed headers from name, value pairs.
func hdrs(kv ...string) []*sarama.RecordHeader {
	var out []*sarama.RecordHeader
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, &sarama.RecordHeader{Key: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return out
}

// TestProcessKeysAndHeaders: the key and every header of a record meet the
// policy, and their outcomes are the value's: a drop drops the record, a
// failure dead-letters it, their findings are counted, forged scrubd-
// headers go; no raw value of a key or header reaches the clean record.
func TestProcessKeysAndHeaders(t *testing.T) {
	acct := testPseudonym("account_id", "acct-1")
	email := testPseudonym("email", "jdoe@example.com")
	const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	raw := []string{"acct-1", "jdoe@example.com", "198.51.100.23", "forged"}
	full := hdrs("user_id", "acct-1", "x-client-ip", "198.51.100.23", "x-user-email", "jdoe@example.com",
		"traceparent", trace, "scrubd-class", "forged", "Scrubd-Policy", "forged", "jdoe@example.com", "seen")
	value := `{"seq":1,"uid":"acct-1","msg":"hi"}`
	tests := []struct {
		name, policy string
		key          string
		headers      []*sarama.RecordHeader
		// want: "clean", "dropped" or a dead-letter reason.
		want       string
		wantKey    string // clean records
		wantHeader []string
		findings   string
	}{
		{name: "default", key: "acct-1", headers: full, want: "clean", wantKey: acct,
			wantHeader: []string{"user_id=" + acct, "x-client-ip=198.51.100.0", "x-user-email=" + email, "traceparent=" + trace, email + "=seen"},
			findings:   "account_id=3,email=2,ipv4=1"},
		{name: "no key stays without", headers: hdrs("x-user-email", "jdoe@example.com"), want: "clean",
			wantHeader: []string{"x-user-email=" + email}, findings: "account_id=1,email=1"},
		{name: "key dropped", policy: "key: {action: drop_field}", key: "acct-1", want: "clean", findings: "account_id=2"},
		{name: "key redacted", policy: "key: {action: redact}", key: "acct-1", want: "clean", wantKey: "[account_id]", findings: "account_id=2"},
		{name: "allow-list, others dropped", policy: "headers: {keep: [traceparent], others: drop}", key: "acct-1", headers: full,
			want: "clean", wantKey: acct, wantHeader: []string{"traceparent=" + trace}, findings: "account_id=2"},
		{name: "record dropped by its key", policy: "key: {action: drop_record, values: [acct-1]}", key: "acct-1", headers: full, want: "dropped"},
		{name: "record dropped by a header", policy: "fields: [{path: x-synthetic, action: drop_record}]", key: "acct-1",
			headers: hdrs("x-user-email", "jdoe@example.com", "x-synthetic", "1"), want: "dropped"},
		{name: "key too large", policy: "limits: {max_record_bytes: 64}", key: strings.Repeat("acct-1", 20), want: "too_large"},
		{name: "header too large", policy: "limits: {max_record_bytes: 64}", key: "acct-1",
			headers: hdrs("x-user-email", strings.Repeat("jdoe@example.com ", 5)), want: "too_large"},
		{name: "header scan times out", policy: "custom: [{name: slow, pattern: '(a+)+b', timeout: 20ms, action: redact}]", key: "acct-1",
			headers: hdrs("x-user-email", "jdoe@example.com", "x-note", strings.Repeat("a", 4000)+"!"), want: "detector_timeout"},
		{name: "key scan times out", policy: "key: {action: keep}\ncustom: [{name: slow, pattern: '(a+)+b', timeout: 20ms, action: redact}]",
			key: strings.Repeat("a", 4000) + "!", want: "detector_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestProcessor(testEngine(t, tt.policy))
			st := newStats()
			m := &sarama.ConsumerMessage{Topic: rawTopic, Partition: 1, Offset: 7, Value: []byte(value), Headers: tt.headers}
			if tt.key != "" {
				m.Key = []byte(tt.key)
			}
			res := p.process(m, &worker{}, p.views.current(), &st)
			got := "clean"
			switch {
			case res.out == nil:
				got = "dropped"
			case res.out.Topic == dlqTopic:
				got, _ = producedHeader(res.out, wire.HeaderError)
			}
			if got != tt.want {
				t.Fatalf("outcome %q, want %q", got, tt.want)
			}
			if got == "dropped" && st.dropped != 1 || got != "clean" && got != "dropped" && st.dead != 1 {
				t.Errorf("stats: %+v", st)
			}
			if res.out == nil {
				return
			}
			out := res.out
			key, val := encoded(t, out.Key), encoded(t, out.Value)
			if out.Topic == dlqTopic {
				if key != nil {
					t.Errorf("a dead letter with a key: %q", key)
				}
				return
			}
			for _, r := range raw {
				for _, b := range [][]byte{key, val} {
					if bytes.Contains(b, []byte(r)) {
						t.Errorf("raw %q in the clean record: key %q value %s", r, key, val)
					}
				}
				for _, h := range out.Headers {
					if bytes.Contains(h.Key, []byte(r)) || bytes.Contains(h.Value, []byte(r)) {
						t.Errorf("raw %q in header %q: %q", r, h.Key, h.Value)
					}
				}
			}
			if string(key) != tt.wantKey {
				t.Errorf("key %q, want %q", key, tt.wantKey)
			}
			var rec struct{ UID string }
			if err := json.Unmarshal(val, &rec); err != nil || rec.UID != acct {
				t.Errorf("value %s: uid is not %s", val, acct)
			}
			var hs []string
			for _, h := range out.Headers {
				if strings.HasPrefix(string(h.Key), wire.ReservedPrefix) {
					continue
				}
				hs = append(hs, string(h.Key)+"="+string(h.Value))
			}
			if d := cmp.Diff(tt.wantHeader, hs); d != "" {
				t.Errorf("headers (-want +got):\n%s", d)
			}
			if class, _ := producedHeader(out, wire.HeaderClass); class != wire.DataClassPseudonymous {
				t.Errorf("class header %q", class)
			}
			if f, _ := producedHeader(out, wire.HeaderFindings); f != tt.findings {
				t.Errorf("findings header %q, want %q", f, tt.findings)
			}
			n := 0
			for _, h := range out.Headers {
				if strings.EqualFold(string(h.Key), wire.HeaderClass) || strings.EqualFold(string(h.Key), wire.HeaderPolicy) {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%d scrubd-class and scrubd-policy headers, want one each", n)
			}
		})
	}
}

// producedHeader returns the value of a produced record's header.
func producedHeader(m *sarama.ProducerMessage, name string) (string, bool) {
	for _, h := range m.Headers {
		if string(h.Key) == name {
			return string(h.Value), true
		}
	}
	return "", false
}

// TestProcessEnvelopeSubjects: subjects found only in a record's key or
// headers are suppressed by privacy requests and reach the vault, as those
// of its value do.
func TestProcessEnvelopeSubjects(t *testing.T) {
	keys := rules.TestKeyring()
	set, err := privacy.NewSet(keys, privacy.SetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	types := privacy.DefaultTypes()
	for _, subj := range []string{"acct-9", "jdoe@example.com"} {
		typ := "user_id"
		if strings.Contains(subj, "@") {
			typ = "email"
		}
		key, err := types.RecordKey(typ, []byte(subj))
		if err != nil {
			t.Fatal(err)
		}
		v := fmt.Sprintf(`{"subject":%q,"type":%q,"action":"erase"}`, subj, typ)
		if _, err := set.Apply(privacy.Record{Key: []byte(key), Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	p := newTestProcessor(testEngine(t, ""))
	p.privacy = set
	for _, tt := range []struct {
		name       string
		key        string
		headers    []*sarama.RecordHeader
		suppressed bool
	}{
		{"erased account in the key", "acct-9", nil, true},
		{"erased account in a user_id header", "acct-1", hdrs("user_id", "acct-9"), true},
		{"erased e-mail in a header without a rule", "acct-1", hdrs("x-user-email", "JDoe@Example.com"), true},
		{"erased e-mail in a header name", "acct-1", hdrs("jdoe@example.com", "1"), true},
		{"others pass", "acct-1", hdrs("user_id", "acct-2", "x-user-email", "ann@example.com"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := newStats()
			m := &sarama.ConsumerMessage{Topic: rawTopic, Key: []byte(tt.key), Value: []byte(`{"msg":"hi"}`), Headers: tt.headers}
			res := p.process(m, &worker{}, p.views.current(), &st)
			if got := res.out == nil && st.suppressed == 1; got != tt.suppressed {
				t.Errorf("suppressed %v (out %v, stats %+v), want %v", got, res.out != nil, st, tt.suppressed)
			}
		})
	}

	// The vault: one record per subject of the key and headers.
	master, err := vault.NewMasterKeys("m1", map[string][]byte{"m1": bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(vault.Options{Master: master, Topic: vaultTopic, Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	p = newTestProcessor(testEngine(t, ""))
	st := newStats()
	m := &sarama.ConsumerMessage{Topic: rawTopic, Key: []byte("acct-3"), Value: []byte(`{"msg":"hi"}`),
		Headers: hdrs("x-user-email", "ann@example.com", "user_id", "acct-4")}
	res := p.process(m, &worker{vault: v.Writer(rawTopic, 0)}, p.views.current(), &st)
	if res.out == nil {
		t.Fatal("record not produced")
	}
	want := map[string]bool{
		testPseudonym("account_id", "acct-3"): true, testPseudonym("email", "ann@example.com"): true,
		testPseudonym("account_id", "acct-4"): true,
	}
	got := map[string]bool{}
	for _, vm := range res.vault {
		k := string(encoded(t, vm.Key))
		for p := range want {
			if strings.Contains(k, p) {
				got[p] = true
			}
		}
		for _, raw := range []string{"acct-3", "acct-4", "ann@example.com"} {
			if bytes.Contains(encoded(t, vm.Value), []byte(raw)) {
				t.Errorf("vault record holds %q in clear", raw)
			}
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("vault subjects (-want +got):\n%s\n%d vault records", d, len(res.vault))
	}
}

// TestKeysAndHeadersEndToEnd runs records keyed by raw account ids, with
// user_id, x-client-ip and x-user-email headers, through the pipeline on
// the embedded broker: in the clean topic (read_committed) no raw value is
// left in key, headers or value, and each key is its value's uid
// pseudonym, so records of one account keep one key.
func TestKeysAndHeadersEndToEnd(t *testing.T) {
	c := startCluster(t, 3)
	const n = 200
	cl := newClient(t, c.Addrs())
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	var recs []*kgo.Record
	for i := range n {
		acct, mail, ip := fmt.Sprintf("%d", 100000+i%50), fmt.Sprintf("user%d@example.com", i%50), fmt.Sprintf("198.51.100.%d", 1+i%250)
		recs = append(recs, &kgo.Record{Topic: rawTopic, Key: []byte(acct),
			Value: fmt.Appendf(nil, `{"seq":%d,"uid":%s,"email":%q,"client_ip":%q}`, i, acct, mail, ip),
			Headers: []kgo.RecordHeader{
				{Key: "user_id", Value: []byte(acct)}, {Key: "x-client-ip", Value: []byte(ip)},
				{Key: "x-user-email", Value: []byte(mail)}, {Key: "scrubd-class", Value: []byte("forged")},
			}})
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	in := newInstance(t, testConfig(c.Addrs()), testEngine(t, ""), "scrubd-envelope", nil).start()
	clean := readTopic(t, c.Addrs(), cleanTopic, n, false)
	in.stop(t)
	if len(clean) != n {
		t.Fatalf("clean topic: %d records, want %d", len(clean), n)
	}
	for _, r := range clean {
		s := seqOf(t, r.Value)
		acct, mail, ip := fmt.Sprintf("%d", 100000+s%50), fmt.Sprintf("user%d@example.com", s%50), fmt.Sprintf("198.51.100.%d", 1+s%250)
		var rec struct{ UID string }
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			t.Fatal(err)
		}
		if string(r.Key) != rec.UID || rec.UID != testPseudonym("account_id", acct) {
			t.Errorf("seq %d: key %q, uid %q: want both %s", s, r.Key, rec.UID, testPseudonym("account_id", acct))
		}
		for _, raw := range []string{acct, mail, ip} {
			if bytes.Contains(r.Key, []byte(raw)) || bytes.Contains(r.Value, []byte(raw)) {
				t.Errorf("seq %d: %q left in key %q or value %s", s, raw, r.Key, r.Value)
			}
			for _, h := range r.Headers {
				if strings.Contains(h.Key, raw) || bytes.Contains(h.Value, []byte(raw)) {
					t.Errorf("seq %d: %q left in header %s: %q", s, raw, h.Key, h.Value)
				}
			}
		}
		if class, _ := headerOf(r, wire.HeaderClass); class != wire.DataClassPseudonymous {
			t.Errorf("seq %d: class %q", s, class)
		}
		if u, _ := headerOf(r, "user_id"); u != rec.UID {
			t.Errorf("seq %d: user_id header %q, want %s", s, u, rec.UID)
		}
	}
}
