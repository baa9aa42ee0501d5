package compacted

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/IBM/sarama"
)

// probeBytes is how much of a partition one end probe fetches.
const probeBytes = 4 << 20

// stableEnds returns the last stable offset (the end a read_committed reader
// reaches) of each partition, asked from the partitions' leaders.
func stableEnds(client sarama.Client, topic string, parts []int32) (map[int32]int64, error) {
	byLeader := map[*sarama.Broker][]int32{}
	for _, p := range parts {
		b, err := client.Leader(topic, p)
		if err != nil {
			return nil, fmt.Errorf("leader of partition %d: %w", p, err)
		}
		byLeader[b] = append(byLeader[b], p)
	}
	ends := make(map[int32]int64, len(parts))
	for b, ps := range byLeader {
		req := sarama.NewOffsetRequest(client.Config().Version)
		req.IsolationLevel = sarama.ReadCommitted
		for _, p := range ps {
			req.AddBlock(topic, p, sarama.OffsetNewest, 1)
		}
		resp, err := b.GetAvailableOffsets(req)
		if err != nil {
			return nil, fmt.Errorf("list end offsets: %w", err)
		}
		for _, p := range ps {
			blk := resp.GetBlock(topic, p)
			if blk == nil {
				return nil, fmt.Errorf("list end offsets: no answer for partition %d", p)
			}
			if !errors.Is(blk.Err, sarama.ErrNoError) {
				return nil, fmt.Errorf("list end offsets of partition %d: %w", p, blk.Err)
			}
			off := blk.Offset
			if req.Version == 0 && len(blk.Offsets) > 0 {
				off = blk.Offsets[0]
			}
			ends[p] = off
		}
	}
	return ends, nil
}

// fetchVersion is the Fetch request version used by probes: 10 from Kafka
// 2.1, else 5 (isolation levels need 4).
func fetchVersion(v sarama.KafkaVersion) int16 {
	if v.IsAtLeast(sarama.V2_1_0_0) {
		return 10
	}
	return 5
}

// dataBefore reports whether partition p holds a record a read_committed
// reader would be given at an offset in [from, to): a record that is not a
// transaction marker and not part of an aborted transaction. It lets a
// reader that has been handed nothing for a while tell "the rest is markers
// and aborted records" from "more is coming". When it cannot tell (an empty
// or truncated answer) it reports true, so that the caller keeps waiting.
func dataBefore(client sarama.Client, topic string, p int32, from, to int64) (bool, error) {
	for from < to {
		b, err := client.Leader(topic, p)
		if err != nil {
			return true, fmt.Errorf("leader of partition %d: %w", p, err)
		}
		req := &sarama.FetchRequest{
			Version: fetchVersion(client.Config().Version), MinBytes: 1, MaxBytes: probeBytes,
			Isolation: sarama.ReadCommitted, SessionEpoch: -1,
		}
		req.AddBlock(topic, p, from, probeBytes, -1)
		resp, err := b.Fetch(req)
		if err != nil {
			return true, fmt.Errorf("probe partition %d: %w", p, err)
		}
		blk := resp.GetBlock(topic, p)
		if blk == nil {
			return true, fmt.Errorf("probe partition %d: no answer", p)
		}
		if !errors.Is(blk.Err, sarama.ErrNoError) {
			return true, fmt.Errorf("probe partition %d: %w", p, blk.Err)
		}
		live, next := scanBlock(blk, from, to)
		if live || next <= from {
			return true, nil
		}
		from = next
	}
	return false, nil
}

// scanBlock looks through one fetched block for a record a read_committed
// reader would be given at an offset in [from, to). It returns whether it
// found one and, if not, the offset after the last complete batch it read.
func scanBlock(blk *sarama.FetchResponseBlock, from, to int64) (live bool, next int64) {
	next = from
	aborted := blk.AbortedTransactions // sorted by first offset
	abortedPIDs := map[int64]bool{}
	for _, rs := range blk.RecordsSet {
		if rs.RecordBatch == nil {
			if rs.MsgSet == nil {
				continue
			}
			// The old message format knows no transactions.
			for _, mb := range rs.MsgSet.Messages {
				if mb.Offset >= from && mb.Offset < to {
					return true, next
				}
				next = max(next, mb.Offset+1)
			}
			continue
		}
		rb := rs.RecordBatch
		if rb.PartialTrailingRecord {
			break
		}
		for len(aborted) > 0 && aborted[0].FirstOffset <= rb.LastOffset() {
			abortedPIDs[aborted[0].ProducerID] = true
			aborted = aborted[1:]
		}
		switch {
		case rb.Control:
			if len(rb.Records) > 0 && isAbortMarker(rb.Records[0].Key) {
				delete(abortedPIDs, rb.ProducerID)
			}
		case rb.IsTransactional && abortedPIDs[rb.ProducerID]:
		default:
			for _, r := range rb.Records {
				if off := rb.FirstOffset + r.OffsetDelta; off >= from && off < to {
					return true, next
				}
			}
		}
		next = max(next, rb.LastOffset()+1)
	}
	return false, next
}

// isAbortMarker reports whether a control record's key says "abort": a
// version and a type, both int16, type 0 being abort.
func isAbortMarker(key []byte) bool {
	return len(key) >= 4 && binary.BigEndian.Uint16(key[2:4]) == 0
}
