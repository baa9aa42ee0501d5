package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// testPseudonym is the pseudonym the test keyring gives value as typ.
func testPseudonym(typ, value string) string {
	return string(rules.TestKeyring().Pseudonym(nil, typ, []byte(value)))
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
	in := newInstance(t, testConfig(c.Addrs()), rulestest.Engine(t, ""), "scrubd-envelope", nil).start()
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
