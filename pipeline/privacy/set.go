package privacy

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/rules"
)

// Set is the set of suppressed data subjects, built from the records of the
// privacy topic. It holds no raw identifier: each subject is kept as its
// pseudonyms under every key of the keyring (so that records pseudonymized
// before a key rotation still match) for every pseudonym type its request
// type maps to.
//
// The topic is read as a table, the way compaction will leave it: for each
// record key, the latest record counts. A new request under a key replaces
// the one the key held before, a tombstone (a record without value) or a
// rejected request withdraws it. A subject's effective action is that of
// the latest of the requests held for it (by request time: the request's
// ts, or the record's time when it has none; on a tie the stronger action
// wins), so that the outcome does not depend on the order in which
// partitions are read, nor on whether compaction has run yet.
//
// A Set is safe for concurrent use: one goroutine applies records while
// any number check results.
type Set struct {
	keys   *rules.Keyring
	types  Types
	ptypes []string // every pseudonym type of types, sorted
	kids   []string // the keyring's key ids, sorted
	salt   [32]byte // hashes record keys; random per Set
	skew   time.Duration
	now    func() time.Time
	m      *setMetrics

	mu       sync.RWMutex
	table    map[[16]byte]*entry // by hashed record key
	subjects map[pkey]*subject   // by the subject's first pseudonym
	blocked  map[pkey][]*subject // by every pseudonym of subjects whose effective action suppresses

	nblocked atomic.Int64  // len(blocked), for the fast path of Check
	gen      atomic.Uint64 // bumped whenever a subject's effective action changes
}

// entry is the request a record key holds.
type entry struct {
	subj   *subject
	action Action
	at     time.Time // request time
	part   int32
	off    int64
}

// after reports whether e counts over o for their subject.
func (e *entry) after(o *entry) bool {
	if !e.at.Equal(o.at) {
		return e.at.After(o.at)
	}
	if r, s := e.action.rank(), o.action.rank(); r != s {
		return r > s
	}
	if e.part != o.part {
		return e.part > o.part
	}
	return e.off > o.off
}

// subject is one data subject with the requests held for it.
type subject struct {
	keys      []pkey
	entries   []*entry
	effective Action    // Restore when not suppressed
	since     time.Time // request time of the effective request
	hit       atomic.Bool
}

// SetOptions configure a Set.
type SetOptions struct {
	// Types maps request types to pseudonym types; nil means DefaultTypes.
	Types Types
	// MaxSkew is how far a request's ts may lie after the time of the
	// record that carries it (default one hour); a later ts is rejected
	// with ReasonFutureTS, since it would outrank every request made
	// after it.
	MaxSkew time.Duration
	// Registerer receives the Set's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewSet returns an empty Set for the subjects' pseudonyms under keys.
func NewSet(keys *rules.Keyring, opts SetOptions) (*Set, error) {
	if keys == nil {
		return nil, errors.New("privacy set: no keyring")
	}
	if opts.Types == nil {
		opts.Types = DefaultTypes()
	}
	if err := opts.Types.Validate(); err != nil {
		return nil, err
	}
	if opts.MaxSkew <= 0 {
		opts.MaxSkew = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	kids := keys.IDs()
	if len(kids) > 255 {
		return nil, fmt.Errorf("privacy set: %d keys, limit 255", len(kids))
	}
	m, err := newSetMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	s := &Set{
		keys: keys, types: opts.Types, ptypes: opts.Types.pseudonymTypes(), kids: kids,
		skew: opts.MaxSkew, now: opts.Now, m: m,
		table: map[[16]byte]*entry{}, subjects: map[pkey]*subject{}, blocked: map[pkey][]*subject{},
	}
	if _, err := rand.Read(s.salt[:]); err != nil {
		return nil, fmt.Errorf("privacy set: salt: %w", err)
	}
	return s, nil
}

// Types returns the request type mapping of the Set.
func (s *Set) Types() Types { return s.types }

// Check reports whether any subject of res is suppressed and, if so, the
// strongest action among those of its suppressed subjects. It counts the
// suppressed record in the metrics. res must come from an engine using the
// Set's keyring. Check does not allocate.
//
// A record's value, key and headers are scrubbed into the same Result one
// after the other; Check must be called after each.
func (s *Set) Check(res *rules.Result) (Action, bool) {
	if s.nblocked.Load() == 0 || len(res.Subjects) == 0 {
		return "", false
	}
	s.mu.RLock()
	var best *subject
	for _, sub := range res.Subjects {
		k, ok := parseKey(s.ptypes, s.kids, sub.Type, res.Pseudonym(sub))
		if !ok {
			continue
		}
		for _, subj := range s.blocked[k] {
			if best == nil || subj.effective.rank() > best.effective.rank() {
				best = subj
			}
		}
	}
	if best == nil {
		s.mu.RUnlock()
		return "", false
	}
	a, since := best.effective, best.since
	first := best.hit.CompareAndSwap(false, true)
	s.mu.RUnlock()
	s.m.records[a.rank()].Inc()
	if first && !since.IsZero() {
		s.m.suppressionLag.Observe(max(0, s.now().Sub(since).Seconds()))
	}
	return a, true
}

// Lookup reports the effective action of the subject with pseudonym p of
// pseudonym type typ, and whether that action suppresses it. It does not
// count anything.
func (s *Set) Lookup(typ string, p []byte) (Action, bool) {
	k, ok := parseKey(s.ptypes, s.kids, typ, p)
	if !ok {
		return Restore, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	best := Restore
	for _, subj := range s.blocked[k] {
		if subj.effective.rank() > best.rank() {
			best = subj.effective
		}
	}
	return best, best.Suppresses()
}

// Len returns the number of suppressed subjects.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, subj := range s.subjects {
		if subj.effective.Suppresses() {
			n++
		}
	}
	return n
}

// Generation is a counter bumped whenever a subject's effective action
// changes: a cheap way to notice that something changed.
func (s *Set) Generation() uint64 { return s.gen.Load() }

// hashKey returns the table key of a record: its key, hashed with the
// Set's salt so that raw identifiers used as keys are not kept, or its
// position when it has no key.
func (s *Set) hashKey(r *Record) [16]byte {
	h := sha256.New()
	h.Write(s.salt[:])
	if r.Key == nil {
		fmt.Fprintf(h, "\x00%d/%d", r.Partition, r.Offset)
	} else {
		h.Write([]byte{1})
		h.Write(r.Key)
	}
	var k [16]byte
	copy(k[:], h.Sum(nil))
	return k
}
