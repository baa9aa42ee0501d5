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
