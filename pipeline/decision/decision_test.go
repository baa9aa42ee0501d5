package decision

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

const (
	rawTopic   = "logs.raw"
	cleanTopic = "logs.clean"
	dlqTopic   = "logs.dlq"
)

// testPseudonym is the pseudonym the test keyring gives value as typ.
func testPseudonym(typ, value string) string {
	return string(rules.TestKeyring().Pseudonym(nil, typ, []byte(value)))
}

// testOptions route to the clean topic (3 partitions) and the dead-letter
// topic, without geo, aggregates or a sealer.
func testOptions() Options {
	return Options{
		Outputs: Outputs{Clean: Output{Topic: cleanTopic, Partitions: 3}}, DeadLetter: Output{Topic: dlqTopic, Partitions: 1},
		MaxOut: 1 << 20,
	}
}

func newDecider(t testing.TB, opts Options) *Decider {
	t.Helper()
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// decide decides r with s and fresh scratch and counts.
func decide(t testing.TB, d *Decider, s Scrubber, r record.Record) (Outcome, Counts) {
	t.Helper()
	c := NewCounts()
	return d.Decide(&r, NewScratch(nil), NewView(s), &c), c
}

// hdrs builds headers from name, value pairs.
func hdrs(kv ...string) []record.Header {
	var out []record.Header
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, record.Header{Key: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return out
}

// outHeader returns the value of a header of r.
func outHeader(r *record.Record, name string) string {
	v, _ := r.Header(name)
	return string(v)
}

// TestKeysAndHeaders: the key and every header of a record meet the
// policy, and their outcomes are the value's: a drop drops the record, a
// failure dead-letters it, their findings are counted, forged scrubd-
// headers go; no raw value of a key or header reaches the clean record.
func TestKeysAndHeaders(t *testing.T) {
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
		headers      []record.Header
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
			d := newDecider(t, testOptions())
			r := record.Record{Topic: rawTopic, Partition: 1, Offset: 7, Value: []byte(value), Headers: tt.headers}
			if tt.key != "" {
				r.Key = []byte(tt.key)
			}
			res, c := decide(t, d, rulestest.Engine(t, tt.policy), r)
			got := "clean"
			switch res.Kind {
			case Dropped:
				got = "dropped"
			case DeadLetter:
				got = outHeader(&res.Out, wire.HeaderError)
				if string(res.Reason) != got {
					t.Errorf("reason %q, header %q", res.Reason, got)
				}
			}
			if got != tt.want {
				t.Fatalf("outcome %v %q, want %q", res.Kind, got, tt.want)
			}
			if got == "dropped" && c.Dropped != 1 || got != "clean" && got != "dropped" && c.Dead != 1 {
				t.Errorf("counts: %+v", c)
			}
			if res.Kind != Clean && res.Kind != DeadLetter {
				return
			}
			out := res.Out
			if out.Topic == dlqTopic {
				if out.Key != nil {
					t.Errorf("a dead letter with a key: %q", out.Key)
				}
				return
			}
			for _, r := range raw {
				for _, b := range [][]byte{out.Key, out.Value} {
					if bytes.Contains(b, []byte(r)) {
						t.Errorf("raw %q in the clean record: key %q value %s", r, out.Key, out.Value)
					}
				}
				for _, h := range out.Headers {
					if bytes.Contains(h.Key, []byte(r)) || bytes.Contains(h.Value, []byte(r)) {
						t.Errorf("raw %q in header %q: %q", r, h.Key, h.Value)
					}
				}
			}
			if string(out.Key) != tt.wantKey {
				t.Errorf("key %q, want %q", out.Key, tt.wantKey)
			}
			var rec struct{ UID string }
			if err := json.Unmarshal(out.Value, &rec); err != nil || rec.UID != acct {
				t.Errorf("value %s: uid is not %s", out.Value, acct)
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
			if class := outHeader(&out, wire.HeaderClass); class != wire.DataClassPseudonymous {
				t.Errorf("class header %q", class)
			}
			if f := outHeader(&out, wire.HeaderFindings); f != tt.findings {
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
			if out.Partition != 1 || c.Clean != 1 || c.Topics[cleanTopic] != 1 {
				t.Errorf("partition %d, counts %+v", out.Partition, c)
			}
		})
	}
}

// privacyStage suppresses as a privacy.Set does.
type privacyStage struct{ set *privacy.Set }

func (s privacyStage) Suppressed(res *rules.Result) bool { _, ok := s.set.Check(res); return ok }

// recordingVault is a vault stage that writes one record per subject with
// an original value, keyed by its pseudonym, and remembers what was
// discarded.
type recordingVault struct {
	fail      bool
	discarded []string
}

func (v *recordingVault) Append(dst []record.Record, res *rules.Result) ([]record.Record, error) {
	if v.fail {
		return dst, errors.New("no randomness")
	}
	for _, s := range res.Subjects {
		if res.SubjectValue(s) != nil {
			dst = append(dst, record.Record{Topic: "vault", Key: append([]byte(nil), res.Pseudonym(s)...), Value: []byte("sealed")})
		}
	}
	return dst, nil
}

func (v *recordingVault) Discard(recs []record.Record) {
	for _, r := range recs {
		v.discarded = append(v.discarded, string(r.Key))
	}
}

// TestEnvelopeSubjects: subjects found only in a record's key or headers
// are suppressed by privacy requests and reach the vault, as those of its
// value do.
func TestEnvelopeSubjects(t *testing.T) {
	set, err := privacy.NewSet(rules.TestKeyring(), privacy.SetOptions{})
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
	eng := rulestest.Engine(t, "")
	opts := testOptions()
	opts.Privacy = privacyStage{set}
	d := newDecider(t, opts)
	for _, tt := range []struct {
		name       string
		key        string
		headers    []record.Header
		suppressed bool
	}{
		{"erased account in the key", "acct-9", nil, true},
		{"erased account in a user_id header", "acct-1", hdrs("user_id", "acct-9"), true},
		{"erased e-mail in a header without a rule", "acct-1", hdrs("x-user-email", "JDoe@Example.com"), true},
		{"erased e-mail in a header name", "acct-1", hdrs("jdoe@example.com", "1"), true},
		{"others pass", "acct-1", hdrs("user_id", "acct-2", "x-user-email", "ann@example.com"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := &recordingVault{}
			c := NewCounts()
			r := record.Record{Topic: rawTopic, Key: []byte(tt.key), Value: []byte(`{"msg":"hi"}`), Headers: tt.headers}
			res := d.Decide(&r, NewScratch(v), NewView(eng), &c)
			if got := res.Kind == Suppressed && c.Suppressed == 1; got != tt.suppressed {
				t.Errorf("suppressed %v (kind %v, counts %+v), want %v", got, res.Kind, c, tt.suppressed)
			}
			if tt.suppressed && len(res.Vault) > 0 {
				t.Errorf("a suppressed record with %d vault records", len(res.Vault))
			}
		})
	}

	// The vault: one record per subject of the key and headers.
	d = newDecider(t, testOptions())
	v := &recordingVault{}
	c := NewCounts()
	r := record.Record{Topic: rawTopic, Key: []byte("acct-3"), Value: []byte(`{"msg":"hi"}`),
		Headers: hdrs("x-user-email", "ann@example.com", "user_id", "acct-4")}
	res := d.Decide(&r, NewScratch(v), NewView(eng), &c)
	if res.Kind != Clean {
		t.Fatalf("outcome %v, want clean", res.Kind)
	}
	want := map[string]bool{
		testPseudonym("account_id", "acct-3"): true, testPseudonym("email", "ann@example.com"): true,
		testPseudonym("account_id", "acct-4"): true,
	}
	got := map[string]bool{}
	for _, vr := range res.Vault {
		got[string(vr.Key)] = true
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("vault subjects (-want +got):\n%s\n%d vault records", d, len(res.Vault))
	}
	if len(v.discarded) != 0 {
		t.Errorf("discarded %q from a clean record", v.discarded)
	}
}

// TestVaultRecordsOfLostRecords: vault records made for a record that is
// not produced after all (a header fails it, or it is too large) are
// discarded, and a vault that cannot write fails the record closed.
func TestVaultRecordsOfLostRecords(t *testing.T) {
	eng := rulestest.Engine(t, "limits: {max_record_bytes: 64}")
	d := newDecider(t, testOptions())
	v := &recordingVault{}
	c := NewCounts()
	r := record.Record{Topic: rawTopic, Key: []byte("acct-3"), Value: []byte(`{"msg":"hi"}`),
		Headers: hdrs("x-user-email", strings.Repeat("jdoe@example.com ", 5))}
	res := d.Decide(&r, NewScratch(v), NewView(eng), &c)
	if res.Kind != DeadLetter || res.Reason != wire.ReasonTooLarge || len(res.Vault) != 0 {
		t.Fatalf("outcome %v %q with %d vault records, want a too_large dead letter without", res.Kind, res.Reason, len(res.Vault))
	}
	if want := []string{testPseudonym("account_id", "acct-3")}; !cmp.Equal(v.discarded, want) {
		t.Errorf("discarded %q, want %q", v.discarded, want)
	}

	opts := testOptions()
	opts.MaxOut = 300
	d = newDecider(t, opts)
	v = &recordingVault{}
	r = record.Record{Topic: rawTopic, Key: []byte("acct-5"), Value: []byte(`{"msg":"` + strings.Repeat("x", 100) + `"}`)}
	res = d.Decide(&r, NewScratch(v), NewView(rulestest.Engine(t, "")), &c)
	if res.Kind != DeadLetter || res.Reason != wire.ReasonOutputTooLarge || len(v.discarded) != 1 {
		t.Errorf("outcome %v %q, discarded %q: want output_too_large and the vault record discarded", res.Kind, res.Reason, v.discarded)
	}

	d = newDecider(t, testOptions())
	c = NewCounts()
	r = record.Record{Topic: rawTopic, Key: []byte("acct-6"), Value: []byte(`{"msg":"hi"}`)}
	res = d.Decide(&r, NewScratch(&recordingVault{fail: true}), NewView(rulestest.Engine(t, "")), &c)
	if res.Kind != DeadLetter || res.Reason != wire.ReasonVault || c.Reasons[string(wire.ReasonVault)] != 1 {
		t.Errorf("outcome %v %q, counts %+v: want a vault_error dead letter", res.Kind, res.Reason, c)
	}
}

// observer counts the records it observes.
type observer struct{ n int }

func (o *observer) Observe(*rules.Result, aggregate.Geo, time.Time, time.Time, *aggregate.Scratch) aggregate.Observation {
	o.n++
	return aggregate.Observation{Time: int64(o.n)}
}

// TestMinorsAndAggregates: a minor's record is never produced; it is
// observed and counted in the aggregates only when the policy lets minors
// be counted. A clean record is counted whenever aggregates are on.
func TestMinorsAndAggregates(t *testing.T) {
	eng := rulestest.Engine(t, "")
	minor := record.Record{Topic: rawTopic, Value: []byte(`{"age":12,"msg":"hi"}`)}
	adult := record.Record{Topic: rawTopic, Value: []byte(`{"age":40,"msg":"hi"}`)}
	for _, tt := range []struct {
		name        string
		aggregates  bool
		countMinors bool
		r           record.Record
		kind        Kind
		counted     bool
	}{
		{"minor, aggregates off", false, false, minor, Minor, false},
		{"minor, not counted", true, false, minor, Minor, false},
		{"minor, counted", true, true, minor, Minor, true},
		{"adult, aggregates off", false, false, adult, Clean, false},
		{"adult, counted", true, false, adult, Clean, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			obs := &observer{}
			if tt.aggregates {
				opts.Aggregates, opts.CountMinors = obs, tt.countMinors
			}
			d := newDecider(t, opts)
			res, c := decide(t, d, eng, tt.r)
			if res.Kind != tt.kind || res.Counted != tt.counted {
				t.Fatalf("outcome %v counted %v, want %v counted %v", res.Kind, res.Counted, tt.kind, tt.counted)
			}
			if observed := obs.n == 1; observed != tt.counted || tt.counted && res.Obs.Time != 1 {
				t.Errorf("observed %d times, obs %+v", obs.n, res.Obs)
			}
			if tt.kind == Minor && (c.Minor != 1 || res.Out.Topic != "") {
				t.Errorf("minor: counts %+v, out %+v", c, res.Out)
			}
		})
	}
}

// BenchmarkDecide decides one typical record with the default policy, its
// key and two headers, without Kafka: the per-record cost of the decision.
func BenchmarkDecide(b *testing.B) {
	d := newDecider(b, testOptions())
	view := NewView(rulestest.Engine(b, ""))
	w := NewScratch(nil)
	r := record.Record{Topic: rawTopic, Partition: 1, Offset: 7, Key: []byte("acct-1"),
		Value:   []byte(`{"ts":"2024-03-05T07:08:09Z","uid":"acct-1","email":"jdoe@example.com","client_ip":"198.51.100.23","msg":"login ok"}`),
		Headers: hdrs("user_id", "acct-1", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")}
	c := NewCounts()
	b.ReportAllocs()
	b.SetBytes(int64(len(r.Value)))
	for b.Loop() {
		if o := d.Decide(&r, w, view, &c); o.Kind != Clean {
			b.Fatalf("outcome %v", o.Kind)
		}
	}
}

// TestDecideOutputPartsApart: the scrubbed value, key and findings header
// of a clean record share one buffer; appending to one of them must not
// write over another.
func TestDecideOutputPartsApart(t *testing.T) {
	d := newDecider(t, testOptions())
	eng := rulestest.Engine(t, "")
	r := record.Record{Topic: rawTopic, Partition: 1, Key: []byte("acct-1"),
		Value: []byte(`{"email":"jdoe@example.com","client_ip":"198.51.100.23"}`)}
	o, _ := decide(t, d, eng, r)
	if o.Kind != Clean {
		t.Fatalf("outcome %v", o.Kind)
	}
	key, findings := string(o.Out.Key), outHeader(&o.Out, wire.HeaderFindings)
	if key == "" || findings == "" {
		t.Fatalf("key %q, findings %q: want both", key, findings)
	}
	junk := bytes.Repeat([]byte{'#'}, 64)
	if v, k := append(o.Out.Value, junk...), append(o.Out.Key, junk...); len(v)+len(k) == 0 {
		t.Fatal("nothing appended")
	}
	if string(o.Out.Key) != key || outHeader(&o.Out, wire.HeaderFindings) != findings {
		t.Errorf("appending to the value or key changed the key %q -> %q or findings %q -> %q",
			key, o.Out.Key, findings, outHeader(&o.Out, wire.HeaderFindings))
	}
}
