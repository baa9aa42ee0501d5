package decision

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/wire"
)

// testSealer seals by prefixing "sealed:".
type testSealer struct{ fail bool }

func (s testSealer) Seal(dst, payload []byte, topic string, partition int32, offset int64) ([]byte, error) {
	if s.fail {
		return dst, errors.New("no randomness")
	}
	dst = fmt.Appendf(dst, "sealed(%s/%d/%d):", topic, partition, offset)
	return append(dst, payload...), nil
}
func (testSealer) Overhead() int { return 40 }
func (testSealer) KeyID() string { return "k1" }

// TestDeadLetter: a dead letter has no key, names its reason and source,
// carries the payload sealed when a sealer is set and the payload fits,
// and omits it otherwise; it never carries the raw value.
func TestDeadLetter(t *testing.T) {
	ts := time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC)
	src := record.Record{Topic: rawTopic, Partition: 5, Offset: 42, Key: []byte("acct-1"), Value: []byte("not json {"),
		Headers: hdrs("x", "y"), Timestamp: ts}
	for _, tt := range []struct {
		name    string
		sealer  Sealer
		maxOut  int
		payload string
		keyID   string
	}{
		{"no sealer", nil, 1 << 20, wire.PayloadOmitted, ""},
		{"sealed", testSealer{}, 1 << 20, wire.PayloadEncrypted, "k1"},
		{"too large to seal", testSealer{}, 100, wire.PayloadOmitted, ""},
		{"sealing fails", testSealer{fail: true}, 1 << 20, wire.PayloadOmitted, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			opts.Sealer, opts.MaxOut = tt.sealer, tt.maxOut
			opts.DeadLetter.Partitions = 2
			d := newDecider(t, opts)
			c := NewCounts()
			out := d.DeadLetter(&src, []byte("v1"), wire.ReasonInvalidJSON, &c)
			if out.Topic != dlqTopic || out.Partition != 1 || out.Key != nil || !out.Timestamp.Equal(ts) {
				t.Errorf("dead letter at %s/%d key %q time %v", out.Topic, out.Partition, out.Key, out.Timestamp)
			}
			want := map[string]string{
				wire.HeaderClass: wire.DataClassPersonal, wire.HeaderPolicy: "v1", wire.HeaderFindings: "",
				wire.HeaderErrorClass: wire.ErrorClassRecord, wire.HeaderError: string(wire.ReasonInvalidJSON),
				wire.HeaderSourceTopic: rawTopic, wire.HeaderSourcePartition: "5", wire.HeaderSourceOffset: "42",
				wire.HeaderPayload: tt.payload,
			}
			if tt.keyID != "" {
				want[wire.HeaderKeyID] = tt.keyID
			}
			got := map[string]string{}
			for _, h := range out.Headers {
				got[string(h.Key)] = string(h.Value)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("headers (-want +got):\n%s", d)
			}
			switch {
			case tt.payload == wire.PayloadOmitted && out.Value != nil:
				t.Errorf("omitted payload, value %q", out.Value)
			case tt.payload == wire.PayloadEncrypted && string(out.Value) != "sealed(logs.raw/5/42):not json {":
				t.Errorf("sealed value %q", out.Value)
			}
			if c.Dead != 1 || c.Reasons[string(wire.ReasonInvalidJSON)] != 1 {
				t.Errorf("counts %+v", c)
			}
		})
	}
}
