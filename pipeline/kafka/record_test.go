package kafka

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/pipeline/record"
)

func TestRecordMessageRoundTrip(t *testing.T) {
	at := time.Unix(1700000000, 0).UTC()
	for name, r := range map[string]record.Record{
		"full": {
			Key: []byte("k"), Value: []byte("v"), Topic: "t", Partition: 3, Timestamp: at,
			Headers: []record.Header{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b")}},
		},
		"tombstone": {Key: []byte("k"), Topic: "t", Partition: 1},
		"no key":    {Value: []byte("v"), Topic: "t", Partition: -1},
		// The message stores up to 5 or 8 headers beside itself, more in
		// a slice of their own.
		"5 headers": {Value: []byte("v"), Topic: "t", Headers: headersN(5)},
		"6 headers": {Value: []byte("v"), Topic: "t", Headers: headersN(6)},
		"8 headers": {Value: []byte("v"), Topic: "t", Headers: headersN(8)},
		"9 headers": {Value: []byte("v"), Topic: "t", Headers: headersN(9)},
	} {
		t.Run(name, func(t *testing.T) {
			m := Message(&r)
			if (r.Value == nil) != (m.Value == nil) || (r.Key == nil) != (m.Key == nil) {
				t.Fatalf("nil key or value not kept: %+v", m)
			}
			cm := &sarama.ConsumerMessage{Topic: m.Topic, Partition: m.Partition, Timestamp: m.Timestamp}
			if m.Key != nil {
				cm.Key, _ = m.Key.Encode()
			}
			if m.Value != nil {
				cm.Value, _ = m.Value.Encode()
				if m.Value.Length() != len(r.Value) {
					t.Errorf("value length %d, want %d", m.Value.Length(), len(r.Value))
				}
			}
			for i := range m.Headers {
				cm.Headers = append(cm.Headers, &m.Headers[i])
			}
			if diff := cmp.Diff(r, Record(cm)); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecordSkipsNilHeaders: a header sarama handed out as nil is no header
// of the record.
func TestRecordSkipsNilHeaders(t *testing.T) {
	m := &sarama.ConsumerMessage{Topic: "t", Headers: []*sarama.RecordHeader{{Key: []byte("a"), Value: []byte("1")}, nil, {Key: []byte("b")}}}
	want := []record.Header{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b")}}
	if d := cmp.Diff(want, Record(m).Headers); d != "" {
		t.Errorf("headers (-want +got):\n%s", d)
	}
}

// headersN returns n distinct headers.
func headersN(n int) []record.Header {
	hs := make([]record.Header, n)
	for i := range hs {
		hs[i] = record.Header{Key: []byte{'h', byte('a' + i)}, Value: []byte{byte('0' + i)}}
	}
	return hs
}

// TestRecordReusing: the headers go into the slice handed in when it has
// room, and none of the previous record's headers remain.
func TestRecordReusing(t *testing.T) {
	first := &sarama.ConsumerMessage{Topic: "t", Headers: []*sarama.RecordHeader{{Key: []byte("a")}, {Key: []byte("b")}, {Key: []byte("c")}}}
	second := &sarama.ConsumerMessage{Topic: "t", Headers: []*sarama.RecordHeader{{Key: []byte("d"), Value: []byte("4")}}}
	r := RecordReusing(nil, first)
	hs := r.Headers
	r = RecordReusing(hs, second)
	if d := cmp.Diff([]record.Header{{Key: []byte("d"), Value: []byte("4")}}, r.Headers); d != "" {
		t.Errorf("headers (-want +got):\n%s", d)
	}
	if &r.Headers[0] != &hs[0] {
		t.Error("the header slice handed in was not reused")
	}
	if r = RecordReusing(hs, &sarama.ConsumerMessage{Topic: "t"}); r.Headers != nil {
		t.Errorf("a message without headers got %v", r.Headers)
	}
}
