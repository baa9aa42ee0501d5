package decision

import (
	"strconv"

	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/wire"
)

// Sealer encrypts dead-letter payloads; *pipeline.Sealer implements it.
type Sealer interface {
	// Seal appends the payload of the record at topic/partition/offset,
	// sealed, to dst.
	Seal(dst, payload []byte, topic string, partition int32, offset int64) ([]byte, error)
	// Overhead is the number of bytes sealing adds.
	Overhead() int
	// KeyID is the fingerprint of the key, for wire.HeaderKeyID.
	KeyID() string
}

// DeadLetter returns the dead letter standing for r, failed for reason
// under the policy version policy, and counts it in c. Records that are
// not log records (a privacy request that could not be parsed) are
// dead-lettered with it too.
func (d *Decider) DeadLetter(r *record.Record, policy []byte, reason wire.Reason, c *Counts) record.Record {
	return d.deadLetter(r, policy, reason, c).Out
}

// deadLetter returns the outcome of a record that failed closed: no key,
// the value sealed or left out, and headers naming the reason and the
// source.
func (d *Decider) deadLetter(r *record.Record, policy []byte, reason wire.Reason, c *Counts) Outcome {
	c.Dead++
	c.Reasons[string(reason)]++
	hs := []record.Header{
		header(wire.HeaderClass, []byte(wire.DataClassPersonal)),
		header(wire.HeaderPolicy, policy),
		header(wire.HeaderFindings, nil),
		header(wire.HeaderErrorClass, []byte(wire.ErrorClassRecord)),
		header(wire.HeaderError, []byte(reason)),
		header(wire.HeaderSourceTopic, []byte(r.Topic)),
		header(wire.HeaderSourcePartition, strconv.AppendInt(nil, int64(r.Partition), 10)),
		header(wire.HeaderSourceOffset, strconv.AppendInt(nil, r.Offset, 10)),
	}
	var value []byte
	kind := wire.PayloadOmitted
	if d.sealer != nil && len(r.Value)+d.sealer.Overhead()+512 <= d.maxOut {
		sealed, err := d.sealer.Seal(nil, r.Value, r.Topic, r.Partition, r.Offset)
		if err == nil {
			value, kind = sealed, wire.PayloadEncrypted
			hs = append(hs, header(wire.HeaderKeyID, []byte(d.sealer.KeyID())))
		}
	}
	hs = append(hs, header(wire.HeaderPayload, []byte(kind)))
	return Outcome{Kind: DeadLetter, Reason: reason, Out: record.Record{
		Topic:     d.dlq.Topic,
		Partition: r.Partition % d.dlq.Partitions,
		Value:     value,
		Headers:   hs,
		Timestamp: r.Timestamp,
	}}
}
