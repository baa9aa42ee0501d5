package kafka

import (
	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/record"
)

// Record returns the Kafka-free form of a consumed message. It shares the
// message's key, value and header bytes rather than copying them; headers
// sarama left nil are skipped.
func Record(m *sarama.ConsumerMessage) record.Record {
	return RecordReusing(nil, m)
}

// RecordReusing is Record with the record's headers stored in hs's array
// when it is large enough, so that a loop converting one message after the
// other allocates no header slice per record. The record's Headers are
// then only valid until hs is reused: pass the previous record's Headers
// back in only when nothing kept that slice (the bytes it points to are
// the message's and may be kept).
func RecordReusing(hs []record.Header, m *sarama.ConsumerMessage) record.Record {
	r := record.Record{
		Key: m.Key, Value: m.Value, Topic: m.Topic, Partition: m.Partition,
		Offset: m.Offset, Timestamp: m.Timestamp,
	}
	if len(m.Headers) > 0 {
		if cap(hs) < len(m.Headers) {
			hs = make([]record.Header, 0, len(m.Headers))
		}
		hs = hs[:0]
		for _, h := range m.Headers {
			if h != nil { // sarama leaves nil entries for headers it could not decode
				hs = append(hs, record.Header{Key: h.Key, Value: h.Value})
			}
		}
		r.Headers = hs
	}
	return r
}

// bytesEncoder is sarama.ByteEncoder with a pointer receiver: a pointer to
// one stored beside its message goes into the sarama.Encoder interface
// without the allocation that boxing a ByteEncoder slice costs.
type bytesEncoder []byte

// Encode returns the bytes.
func (b *bytesEncoder) Encode() ([]byte, error) { return *b, nil }

// Length returns the number of bytes.
func (b *bytesEncoder) Length() int { return len(*b) }

// message is a producer message with its key and value encoders, allocated
// together.
type message struct {
	m          sarama.ProducerMessage
	key, value bytesEncoder
}

// A message stores up to fewHeaders or manyHeaders headers beside itself,
// in two sizes so that a typical clean record (two kept input headers and
// the three scrubd headers) takes no more memory than with a separate
// header slice: a clean record has its kept input headers, three scrubd
// headers and, with geo, two more.
const (
	fewHeaders  = 5
	manyHeaders = 8
)

// messageFew and messageMany are messages with room for their headers.
type (
	messageFew struct {
		message
		hs [fewHeaders]sarama.RecordHeader
	}
	messageMany struct {
		message
		hs [manyHeaders]sarama.RecordHeader
	}
)

// Message returns the message that produces r. A nil Value stays nil, so
// that a tombstone is produced as one, and so does a nil Key. The message
// shares r's bytes. It costs one allocation when r has no more than
// manyHeaders headers.
func Message(r *record.Record) *sarama.ProducerMessage {
	var msg *message
	var hs []sarama.RecordHeader
	switch n := len(r.Headers); {
	case n == 0:
		msg = new(message)
	case n <= fewHeaders:
		mh := new(messageFew)
		msg, hs = &mh.message, mh.hs[:n:n]
	case n <= manyHeaders:
		mh := new(messageMany)
		msg, hs = &mh.message, mh.hs[:n:n]
	default:
		msg, hs = new(message), make([]sarama.RecordHeader, n)
	}
	m := &msg.m
	m.Topic, m.Partition, m.Timestamp = r.Topic, r.Partition, r.Timestamp
	if r.Key != nil {
		msg.key = r.Key
		m.Key = &msg.key
	}
	if r.Value != nil {
		msg.value = r.Value
		m.Value = &msg.value
	}
	if len(hs) > 0 {
		for i, h := range r.Headers {
			hs[i] = sarama.RecordHeader{Key: h.Key, Value: h.Value}
		}
		m.Headers = hs
	}
	return m
}
