package vault

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/scrubd/scrubd/pipeline/record"
)

// maxRepairRounds bounds the rounds Rewrap spends putting back records
// that were written while it ran.
const maxRepairRounds = 5

// RewrapStats says what Rewrap did.
type RewrapStats struct {
	// Rewrapped counts the data keys wrapped again with the active master
	// key.
	Rewrapped int
	// Repaired counts the records written again because a pipeline or an
	// erasure wrote the same key between Rewrap's reading and its writing.
	Repaired int
	// Unreadable counts the data-key records left as they were: their
	// master key is not loaded, or they do not authenticate.
	Unreadable int
}

// Send produces one record, synchronously, and returns where it was
// written.
type Send func(*record.Record) (partition int32, offset int64, err error)

// written is where Rewrap wrote a key.
type written struct {
	partition int32
	offset    int64
}

// Rewrap wraps every live data key that is wrapped under a master key other
// than the active one again, under the active one, without changing the
// data key: no value record needs rewriting and nothing is lost. Afterwards
// (once the topic is compacted) the old master keys wrap nothing that is
// live, and can be retired.
//
// Rewrap reads the topic, then writes; the pipeline and erasures may write
// the same keys in between, and a rewrapped data key written after a
// subject's tombstone would bring the subject back. So Rewrap reads on from
// where it stopped, and writes again the latest record of every key that
// someone else wrote between its reading and its writing, tombstones
// included, until a round finds none.
func (s *Store) Rewrap(ctx context.Context, send Send) (RewrapStats, error) {
	var st RewrapStats
	active := s.opts.Master.ActiveID()
	old := map[string]*record.Record{}
	var ends map[int32]int64
	err := s.read(ctx, nil, nil, func(e map[int32]int64) { ends = e }, func(m *record.Record) {
		key := string(m.Key)
		if _, _, ok := splitDataKeyID(key); !ok {
			return
		}
		if m.Value != nil {
			if r, err := DecodeRecord(m.Key, m.Value); err == nil && r.MasterKey != active {
				old[key] = m
				return
			}
		}
		delete(old, key)
	})
	if err != nil {
		return st, fmt.Errorf("vault rewrap: %w", err)
	}
	pending := map[string]written{}
	for _, key := range slices.Sorted(maps.Keys(old)) {
		msg, ok := s.rewrapped(old[key], active)
		if !ok {
			st.Unreadable++
			continue
		}
		p, off, err := send(msg)
		if err != nil {
			return st, fmt.Errorf("vault rewrap: write: %w", err)
		}
		pending[key] = written{p, off}
		st.Rewrapped++
	}
	s.log.Info("vault data keys rewrapped", "rewrapped", st.Rewrapped, "unreadable", st.Unreadable, "master_key", active)
	for round := 0; len(pending) > 0; round++ {
		if round == maxRepairRounds {
			return st, fmt.Errorf("vault rewrap: %d keys still written concurrently after %d rounds; run it again", len(pending), round)
		}
		if pending, ends, err = s.repair(ctx, pending, ends, active, send, &st); err != nil {
			return st, err
		}
	}
	return st, nil
}

// repair reads the topic from the offsets in from and writes again the
// latest record of each pending key that was written before Rewrap's own
// write of it. It returns the keys it wrote and the offsets it read to.
func (s *Store) repair(ctx context.Context, pending map[string]written, from map[int32]int64, active string, send Send, st *RewrapStats) (map[string]written, map[int32]int64, error) {
	conflicts := map[string]*record.Record{}
	var ends map[int32]int64
	err := s.read(ctx, nil, from, func(e map[int32]int64) { ends = e }, func(m *record.Record) {
		w, ok := pending[string(m.Key)]
		if ok && m.Partition == w.partition && m.Offset < w.offset {
			conflicts[string(m.Key)] = m
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("vault rewrap: %w", err)
	}
	next := map[string]written{}
	for _, key := range slices.Sorted(maps.Keys(conflicts)) {
		m := conflicts[key]
		msg := newMessage(m.Topic, m.Partition, key, nil, KindDataKey, "", s.opts.Now())
		if m.Value != nil {
			var ok bool
			if msg, ok = s.rewrapped(m, active); !ok {
				// Not rewrappable (already under the active key, or
				// unreadable): put it back as it was.
				msg = newMessage(m.Topic, m.Partition, key, m.Value, KindDataKey, masterOf(m), s.opts.Now())
			}
		}
		p, off, err := send(msg)
		if err != nil {
			return nil, nil, fmt.Errorf("vault rewrap: write: %w", err)
		}
		next[key] = written{p, off}
		st.Repaired++
	}
	if len(conflicts) > 0 {
		s.log.Warn("vault keys written during rewrap were put back", "records", len(conflicts))
	}
	return next, ends, nil
}

// rewrapped returns the data-key record m wrapped under the active master
// key, or false when it is under the active key already or cannot be
// unwrapped.
func (s *Store) rewrapped(m *record.Record, active string) (*record.Record, bool) {
	r, err := DecodeRecord(m.Key, m.Value)
	if err != nil || r.Kind != KindDataKey || r.MasterKey == active {
		return nil, false
	}
	key := string(m.Key)
	dek, err := openDataKey(s.opts.Master, key, &r)
	if err != nil {
		return nil, false
	}
	defer clear(dek)
	mid, wrapped, err := s.opts.Master.wrap(s.opts.Rand, dek, dataKeyAAD(r.Type, key, active))
	if err != nil {
		return nil, false
	}
	return newMessage(m.Topic, m.Partition, key, encodeDataKey(r.Type, mid, wrapped), KindDataKey, mid, s.opts.Now()), true
}

// masterOf returns the master key id of a data-key record, or "".
func masterOf(m *record.Record) string {
	if r, err := DecodeRecord(m.Key, m.Value); err == nil {
		return r.MasterKey
	}
	return ""
}
