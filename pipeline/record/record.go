// Package record holds the Kafka-free form of a log record that the record
// decision, its stages and the outputs share. The Kafka adapter converts
// client messages to and from it, so that nothing but the stream loop and the
// adapter depends on a Kafka client.
package record

import "time"

// Header is one record header. A nil Value is a header without a value.
type Header struct {
	Key   []byte
	Value []byte
}

// Record is one consumed or produced log record. Topic, Partition and Offset
// say where a consumed record came from; a record to produce names its topic
// and may set Partition to -1 to let the producer's partitioner choose. The
// zero Timestamp lets the producer stamp the record.
type Record struct {
	Key       []byte
	Value     []byte
	Headers   []Header
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
}

// Header returns the value of the first header named key and whether there
// is one.
func (r *Record) Header(key string) ([]byte, bool) {
	for _, h := range r.Headers {
		if string(h.Key) == key {
			return h.Value, true
		}
	}
	return nil, false
}
