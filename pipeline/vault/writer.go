package vault

import (
	"container/list"
	"strings"

	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules"
)

// Writer makes the vault records of the records of one input partition,
// while one consumer-group claim owns it. Create one per claim (a partition
// that comes back after a rebalance gets a new Writer) and use it from the
// claim's goroutine only.
//
// It remembers the pseudonyms it wrote, so that a subject seen again writes
// nothing. That memory is only right while every batch of the claim is
// committed in order or retried as it was: a Writer must not outlive its
// claim, since a batch abandoned at the end of a claim takes its vault
// records with it.
type Writer struct {
	v    *Vault
	slot string
	gen  uint64
	seen map[string]*list.Element
	lru  list.List // of string, most recent first
}

// Writer returns a Writer for the input partition partition of topic.
func (v *Vault) Writer(topic string, partition int32) *Writer {
	return &Writer{
		v: v, slot: Slot{Topic: topic, Partition: partition}.String(),
		gen: v.gen.Load(), seen: map[string]*list.Element{},
	}
}

// Append appends to dst the vault records of the subjects of res whose
// original values res holds (see rules.Result.SubjectValue): for each one
// this Writer has not written yet, a new data key and the value encrypted
// under it. The records belong in the transaction of the clean record res
// describes. Call it only for records that go to the clean outputs (not
// for suppressed, dropped or dead-lettered ones), after each Scrub into res
// (value, key, headers).
//
// An error (no randomness) leaves dst as it was.
func (w *Writer) Append(dst []*record.Record, res *rules.Result) ([]*record.Record, error) {
	if g := w.v.gen.Load(); g != w.gen {
		w.forgetAll(g)
	}
	n := len(dst)
	var added []string
	for _, sub := range res.Subjects {
		value := res.SubjectValue(sub)
		if value == nil {
			continue
		}
		p := res.Pseudonym(sub)
		if el, ok := w.seen[string(p)]; ok {
			w.lru.MoveToFront(el)
			w.v.m.cacheHits.Inc()
			continue
		}
		w.v.m.cacheMisses.Inc()
		ps := string(p)
		dk, val, err := w.v.seal(sub.Type, ps, w.slot, value)
		if err != nil {
			// Forget what this call remembered: its records are not
			// returned.
			for _, p := range added {
				w.drop(p)
			}
			return dst[:n], err
		}
		dst = append(dst, dk, val)
		w.remember(ps)
		added = append(added, ps)
	}
	return dst, nil
}

// Discard forgets the pseudonyms whose value records are among msgs, which
// Append returned and which will not be produced after all (the record
// they were made for was suppressed or dead-lettered later): the next
// record of those subjects writes them again.
func (w *Writer) Discard(msgs []*record.Record) {
	for _, m := range msgs {
		if m.Value != nil && !strings.HasPrefix(string(m.Key), dataKeyPrefix) {
			w.drop(string(m.Key))
		}
	}
}

// Erase appends to dst the tombstones of the given pseudonyms' value
// records and of their data keys of this Writer's partition, and forgets
// them. Written into the claim's next batch, they follow, in this
// partition's order, everything the claim wrote for the subject.
func (w *Writer) Erase(dst []*record.Record, pseudonyms []string) []*record.Record {
	for _, p := range pseudonyms {
		w.drop(p)
		dst = append(dst, w.v.tombstone(p, p, KindValue), w.v.tombstone(p, dataKeyID(p, w.slot), KindDataKey))
	}
	return dst
}

func (w *Writer) remember(p string) {
	w.seen[p] = w.lru.PushFront(p)
	for w.lru.Len() > w.v.opts.CacheSize {
		w.drop(w.lru.Back().Value.(string))
	}
}

func (w *Writer) drop(p string) {
	if el, ok := w.seen[p]; ok {
		w.lru.Remove(el)
		delete(w.seen, p)
	}
}

func (w *Writer) forgetAll(gen uint64) {
	clear(w.seen)
	w.lru.Init()
	w.gen = gen
}
