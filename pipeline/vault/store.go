package vault

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/record"
)

// StoreOptions configure a Store.
type StoreOptions struct {
	// Conn says how to reach the cluster; the Store makes its own client
	// and reads committed records only.
	Conn compacted.Conn
	// Topic is the vault topic (default DefaultTopic).
	Topic string
	// Master unwraps data keys.
	Master *MasterKeys
	// Logger receives the Store's events; never values or pseudonyms.
	Logger *slog.Logger
	// AllPartitions makes Export read every partition of the topic rather
	// than only those its pseudonyms map to: slower, but right even if
	// the topic's partition count was changed.
	AllPartitions bool
	// Quiet is how long a partition may hand over nothing before its end
	// is probed (default 250 ms).
	Quiet time.Duration
	// Rand is the randomness of Rewrap's wraps (default crypto/rand).
	Rand io.Reader
	// Now stamps the records Rewrap writes (default time.Now).
	Now func() time.Time
}

// Store reads the vault topic: Export gives one subject's entries, Rewrap
// wraps the data keys again with the active master key. It streams the
// topic and keeps only what concerns the task at hand.
type Store struct {
	opts   StoreOptions
	client *compacted.Client
	log    *slog.Logger
}

// OpenStore connects to the cluster.
func OpenStore(opts StoreOptions) (*Store, error) {
	if opts.Master == nil {
		return nil, errors.New("vault store: no master keys")
	}
	if opts.Topic == "" {
		opts.Topic = DefaultTopic
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	conn := opts.Conn
	// Reads end once they reach the end: short fetch waits make the last
	// fetch, which closing waits for, short too.
	conn.MaxWait = 100 * time.Millisecond
	client, err := compacted.Dial(conn)
	if err != nil {
		return nil, fmt.Errorf("vault store: connect: %w", err)
	}
	return &Store{opts: opts, client: client, log: opts.Logger.With("topic", opts.Topic)}, nil
}

// Close closes the Store's connections.
func (s *Store) Close() error { return s.client.Close() }

// Entry is what the vault holds for one pseudonym.
type Entry struct {
	// Type is the pseudonym type.
	Type string
	// Pseudonym is the pseudonym, as records carry it.
	Pseudonym string
	// Value is the original value, normalized as it was pseudonymized;
	// nil when it could not be decrypted (see Problem).
	Value []byte
	// DataKey is the key of the data-key record the value is encrypted
	// under, MasterKey the master key that wraps it.
	DataKey   string
	MasterKey string
	// Written is the value record's time.
	Written time.Time
	// Problem says why Value is nil: "data key erased" (the entry was
	// crypto-shredded), "master key not loaded", "does not authenticate".
	Problem string
}

// Export is everything the vault holds for a set of pseudonyms.
type Export struct {
	// Entries has one entry per pseudonym with a value record, in the
	// order the pseudonyms were given.
	Entries []Entry
	// Missing lists the pseudonyms without a value record.
	Missing []string
	// DataKeys counts the data-key records of the pseudonyms; after an
	// erasure it must be zero.
	DataKeys int
}

// found are the latest records of the wanted pseudonyms met while
// streaming the topic.
type found struct {
	values map[string]*record.Record // by pseudonym
	keys   map[string]*record.Record // by data-key record key
}

// Export reads the vault topic as it is now and returns the entries of the
// given pseudonyms (a subject's pseudonyms under every HMAC key, as
// privacy.Types.Pseudonyms computes them), decrypted.
func (s *Store) Export(ctx context.Context, pseudonyms []string) (*Export, error) {
	want := map[string]bool{}
	for _, p := range pseudonyms {
		want[p] = true
	}
	var parts []int32
	if !s.opts.AllPartitions {
		ps, err := s.client.Partitions(s.opts.Topic)
		if err != nil {
			return nil, fmt.Errorf("vault export: partitions of %s: %w", s.opts.Topic, err)
		}
		for _, p := range pseudonyms {
			if n := partitionOf(p, int32(len(ps))); !slices.Contains(parts, n) {
				parts = append(parts, n)
			}
		}
		slices.Sort(parts)
	}
	f := found{values: map[string]*record.Record{}, keys: map[string]*record.Record{}}
	err := s.read(ctx, parts, nil, nil, func(m *record.Record) {
		key := string(m.Key)
		if want[key] {
			latest(f.values, key, m)
		} else if p, _, ok := splitDataKeyID(key); ok && want[p] {
			latest(f.keys, key, m)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("vault export: %w", err)
	}
	out := &Export{DataKeys: len(f.keys)}
	for _, p := range pseudonyms {
		m, ok := f.values[p]
		if !ok {
			out.Missing = append(out.Missing, p)
			continue
		}
		out.Entries = append(out.Entries, openEntry(s.opts.Master, m, f.keys))
	}
	return out, nil
}

// latest keeps m as the record of key in byKey, or deletes the key when m
// is a tombstone.
func latest(byKey map[string]*record.Record, key string, m *record.Record) {
	if m.Value == nil {
		delete(byKey, key)
		return
	}
	byKey[key] = m
}

// openEntry decrypts the value record m with the data-key records in keys.
func openEntry(mk *MasterKeys, m *record.Record, keys map[string]*record.Record) Entry {
	e := Entry{Pseudonym: string(m.Key), Written: m.Timestamp}
	r, err := DecodeRecord(m.Key, m.Value)
	if err != nil || r.Kind != KindValue {
		e.Problem = "not a value record"
		return e
	}
	e.Type, e.DataKey = r.Type, r.DataKey
	km, ok := keys[r.DataKey]
	if !ok {
		e.Problem = "data key erased"
		return e
	}
	kr, err := DecodeRecord(km.Key, km.Value)
	if err != nil || kr.Kind != KindDataKey || kr.Type != r.Type {
		e.Problem = "data key record malformed"
		return e
	}
	e.MasterKey = kr.MasterKey
	dek, err := openDataKey(mk, r.DataKey, &kr)
	if err != nil {
		e.Problem = problem(err)
		return e
	}
	defer clear(dek)
	v, err := openValue(dek, &r)
	if err != nil {
		e.Problem = problem(err)
		return e
	}
	e.Value = v
	return e
}

func problem(err error) string {
	switch {
	case errors.Is(err, ErrNoMasterKey):
		return "master key not loaded"
	case errors.Is(err, ErrAuth):
		return "does not authenticate"
	}
	return "cannot be decrypted"
}

// read streams the given partitions (nil: all) from the offsets in from
// (nil: the oldest) to the current end, passing every record to fn. ends,
// when set, receives the end offsets read to.
func (s *Store) read(ctx context.Context, parts []int32, from map[int32]int64, ends func(map[int32]int64), fn func(*record.Record)) error {
	return s.client.Read(ctx, compacted.Options{
		Topic: s.opts.Topic, Partitions: parts, From: from, Ends: ends,
		Logger: s.log, Quiet: s.opts.Quiet,
	}, func(m *record.Record, _ bool) error {
		fn(m)
		return nil
	}, nil)
}
