package detectors

import "sync"

// A verdictCache remembers what the phone-number library said about recent
// candidates. Log lines repeat the same numbers (one customer, many
// requests), and the library is slow and allocates, so most lookups end
// here. It is safe for concurrent use and bounded: a shard that fills up is
// emptied.
type verdictCache struct {
	shards [64]verdictShard
}

type verdictShard struct {
	mu sync.Mutex
	m  map[verdictKey]bool
}

// verdictShardSize bounds each shard.
const verdictShardSize = 512

// verdictKey identifies one question: its kind (international valid,
// international possible, or national for a region), the group boundaries
// that matter, and the digits.
type verdictKey struct {
	kind   uint8
	region uint8
	n      uint8
	groups uint32
	d      [phoneMaxDigits]byte
}

// Kinds of verdicts.
const (
	verdictIntlValid uint8 = iota + 1
	verdictIntlPossible
	verdictNational
	verdictCued
)

func makeVerdictKey(kind, region uint8, groups uint32, d []byte) (verdictKey, bool) {
	k := verdictKey{kind: kind, region: region, groups: groups}
	if len(d) > len(k.d) {
		return k, false
	}
	k.n = uint8(copy(k.d[:], d))
	return k, true
}

func (k *verdictKey) shard() int {
	h := uint32(k.kind)*31 + uint32(k.region)*7 + k.groups
	for _, c := range k.d[:k.n] {
		h = h*31 + uint32(c)
	}
	return int(h % 64)
}

// get returns the cached verdict for k; found is false when there is none
// or the key could not be made (cacheable false).
func (c *verdictCache) get(k *verdictKey, cacheable bool) (verdict, found bool) {
	if !cacheable {
		return false, false
	}
	s := &c.shards[k.shard()]
	s.mu.Lock()
	verdict, found = s.m[*k]
	s.mu.Unlock()
	return verdict, found
}

// put remembers a verdict.
func (c *verdictCache) put(k *verdictKey, cacheable, verdict bool) {
	if !cacheable {
		return
	}
	s := &c.shards[k.shard()]
	s.mu.Lock()
	if s.m == nil || len(s.m) >= verdictShardSize {
		s.m = make(map[verdictKey]bool, verdictShardSize)
	}
	s.m[*k] = verdict
	s.mu.Unlock()
}
