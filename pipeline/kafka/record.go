package kafka

import (
	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/record"
)

// Record returns the Kafka-free form of a consumed message. It shares the
// message's key, value and header bytes rather than copying them; headers
// sarama left nil are skipped.
func Record(m *sarama.ConsumerMessage) record.Record {
	r := record.Record{
		Key: m.Key, Value: m.Value, Topic: m.Topic, Partition: m.Partition,
		Offset: m.Offset, Timestamp: m.Timestamp,
	}
	if len(m.Headers) > 0 {
		r.Headers = make([]record.Header, 0, len(m.Headers))
		for _, h := range m.Headers {
			if h != nil { // sarama leaves nil entries for headers it could not decode
				r.Headers = append(r.Headers, record.Header{Key: h.Key, Value: h.Value})
			}
		}
	}
	return r
}

// Message returns the message that produces r. A nil Value stays nil, so
// that a tombstone is produced as one, and so does a nil Key. The message
// shares r's bytes.
func Message(r *record.Record) *sarama.ProducerMessage {
	m := &sarama.ProducerMessage{Topic: r.Topic, Partition: r.Partition, Timestamp: r.Timestamp}
	if r.Key != nil {
		m.Key = sarama.ByteEncoder(r.Key)
	}
	if r.Value != nil {
		m.Value = sarama.ByteEncoder(r.Value)
	}
	if len(r.Headers) > 0 {
		m.Headers = make([]sarama.RecordHeader, len(r.Headers))
		for i, h := range r.Headers {
			m.Headers[i] = sarama.RecordHeader{Key: h.Key, Value: h.Value}
		}
	}
	return m
}
