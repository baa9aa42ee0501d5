package pipeline

import (
	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules"
)

// The Kafka adapter: the stream loop converts sarama's messages to
// record.Record before the record decision and back after it, so that the
// decision and its stages know nothing of the Kafka client.

// fromConsumer returns the record of a consumed message. It shares the
// message's key, value and header bytes; headers sarama left nil are
// skipped.
func fromConsumer(m *sarama.ConsumerMessage) record.Record {
	r := record.Record{
		Key: m.Key, Value: m.Value, Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp,
	}
	if len(m.Headers) > 0 {
		r.Headers = make([]record.Header, 0, len(m.Headers))
		for _, h := range m.Headers {
			if h != nil {
				r.Headers = append(r.Headers, record.Header{Key: h.Key, Value: h.Value})
			}
		}
	}
	return r
}

// toProducer returns the message that produces r. A nil key or value stays
// nil: a nil value is a tombstone.
func toProducer(r *record.Record) *sarama.ProducerMessage {
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

// fromProducer returns the record a producer message writes; only vault
// records pass this way, whose keys and values encode without error.
func fromProducer(m *sarama.ProducerMessage) record.Record {
	r := record.Record{Topic: m.Topic, Partition: m.Partition, Timestamp: m.Timestamp}
	if m.Key != nil {
		r.Key, _ = m.Key.Encode()
	}
	if m.Value != nil {
		r.Value, _ = m.Value.Encode()
	}
	if len(m.Headers) > 0 {
		r.Headers = make([]record.Header, len(m.Headers))
		for i, h := range m.Headers {
			r.Headers[i] = record.Header{Key: h.Key, Value: h.Value}
		}
	}
	return r
}

// vaultStage is the decision's vault stage on a *vault.Writer, whose
// records are still sarama messages.
type vaultStage struct {
	w *vault.Writer
}

func (s vaultStage) Append(dst []record.Record, res *rules.Result) ([]record.Record, error) {
	msgs, err := s.w.Append(nil, res)
	for _, m := range msgs {
		dst = append(dst, fromProducer(m))
	}
	return dst, err
}

// Discard hands the vault writer back messages that key the records as it
// made them (a string key), which is all it reads.
func (s vaultStage) Discard(recs []record.Record) {
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i := range recs {
		msgs[i] = &sarama.ProducerMessage{Topic: recs[i].Topic, Partition: recs[i].Partition, Key: sarama.StringEncoder(recs[i].Key)}
		if recs[i].Value != nil {
			msgs[i].Value = sarama.ByteEncoder(recs[i].Value)
		}
	}
	s.w.Discard(msgs)
}

// privacyStage is the decision's privacy stage on a *privacy.Set.
type privacyStage struct {
	set *privacy.Set
}

func (s privacyStage) Suppressed(res *rules.Result) bool {
	_, ok := s.set.Check(res)
	return ok
}

// header is a produced record header.
func header(k string, v []byte) sarama.RecordHeader {
	return sarama.RecordHeader{Key: []byte(k), Value: v}
}
