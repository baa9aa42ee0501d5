package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/record"
)

// DefaultTopic is the default vault topic.
const DefaultTopic = "logs.vault"

// Header names and values of vault records. The names match the pipeline's
// (scrubd-class, scrubd-key-id), so that a reader of any scrubd topic finds
// the data class the same way.
const (
	// HeaderClass carries the data class: always "personal".
	HeaderClass = "scrubd-class"
	// HeaderKind is "value" or "data_key" (see Kind.String).
	HeaderKind = "scrubd-vault-kind"
	// HeaderKeyID is, on data-key records, the master key id.
	HeaderKeyID   = "scrubd-key-id"
	classPersonal = "personal"
)

// DefaultCacheSize is the default number of pseudonyms a Writer remembers
// having written.
const DefaultCacheSize = 4096

// Options configure a Vault.
type Options struct {
	// Master wraps the data keys.
	Master *MasterKeys
	// Topic is the vault topic (default DefaultTopic).
	Topic string
	// Partitions is the vault topic's partition count. It must never
	// change: a pseudonym's records go to the partition chosen from it.
	Partitions int32
	// CacheSize bounds the pseudonyms each Writer remembers having written
	// (default DefaultCacheSize); a pseudonym forgotten and seen again
	// gets a new data key.
	CacheSize int
	// Rand is the source of keys and nonces (default crypto/rand).
	Rand io.Reader
	// Now stamps the records (default time.Now).
	Now func() time.Time
	// Registerer receives the vault's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Vault makes the records of the identity vault. It is safe for concurrent
// use; each input partition's processing uses its own Writer.
type Vault struct {
	opts Options
	gen  atomic.Uint64 // bumped by Erase and Forget: Writers forget all
	m    *metrics
}

// New returns a Vault.
func New(opts Options) (*Vault, error) {
	if opts.Master == nil || opts.Master.ActiveID() == "" {
		return nil, errors.New("vault: no master keys, or none active")
	}
	if opts.Partitions <= 0 {
		return nil, errors.New("vault: the vault topic's partition count is required")
	}
	if opts.Topic == "" {
		opts.Topic = DefaultTopic
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	return &Vault{opts: opts, m: m}, nil
}

// Slot names an input partition: data keys are made per subject and input
// partition, by the instance that owns the partition.
type Slot struct {
	Topic     string
	Partition int32
}

// String returns "<topic>/<partition>", the slot's part of data-key record
// keys.
func (s Slot) String() string { return s.Topic + "/" + strconv.Itoa(int(s.Partition)) }

// Erase appends to dst the tombstones that erase a subject from the vault:
// for each of its pseudonyms (all of them: every HMAC key, every pseudonym
// type, as privacy.Event.Pseudonyms lists them) the value record and the
// data-key records of every slot. slots must name every partition of every
// input topic that may have seen the subject. Every Writer of the Vault
// forgets what it wrote, so that a subject restored later gets new data
// keys.
//
// Put the tombstones in a transaction after every record that may have
// written the subject's entries: the vault is erased for good only when no
// data-key record of the subject outlives them.
func (v *Vault) Erase(dst []*record.Record, pseudonyms []string, slots []Slot) []*record.Record {
	v.Forget()
	for _, p := range pseudonyms {
		dst = append(dst, v.tombstone(p, p, KindValue))
		for _, s := range slots {
			dst = append(dst, v.tombstone(p, dataKeyID(p, s.String()), KindDataKey))
		}
	}
	v.m.erasures.Inc()
	return dst
}

// Forget makes every Writer of the Vault forget which pseudonyms it has
// written. Call it on every instance when a subject is erased, also where
// another instance writes the tombstones.
func (v *Vault) Forget() { v.gen.Add(1) }

// partition returns the vault partition of pseudonym p's records.
func (v *Vault) partition(p string) int32 { return partitionOf(p, v.opts.Partitions) }

// partitionOf maps a pseudonym to one of n partitions (FNV-1a).
func partitionOf(p string, n int32) int32 {
	h := fnv.New32a()
	_, _ = io.WriteString(h, p)
	return int32(h.Sum32() % uint32(n))
}

// message returns a vault record of pseudonym p.
func (v *Vault) message(p, key string, value []byte, kind Kind, master string) *record.Record {
	if value != nil {
		v.m.records[kind].Inc()
	} else {
		v.m.tombstones.Inc()
	}
	return newMessage(v.opts.Topic, v.partition(p), key, value, kind, master, v.opts.Now())
}

// newMessage returns a vault record: a tombstone when value is nil.
func newMessage(topic string, partition int32, key string, value []byte, kind Kind, master string, now time.Time) *record.Record {
	hs := []record.Header{
		{Key: []byte(HeaderClass), Value: []byte(classPersonal)},
		{Key: []byte(HeaderKind), Value: []byte(kind.String())},
	}
	if master != "" {
		hs = append(hs, record.Header{Key: []byte(HeaderKeyID), Value: []byte(master)})
	}
	return &record.Record{
		Topic: topic, Partition: partition, Key: []byte(key), Value: value, Headers: hs, Timestamp: now,
	}
}

// tombstone returns the tombstone of a record of pseudonym p.
func (v *Vault) tombstone(p, key string, kind Kind) *record.Record {
	return v.message(p, key, nil, kind, "")
}

// seal encrypts value for pseudonym p of type typ under a new data key for
// slot and returns the data-key record and the value record.
func (v *Vault) seal(typ, p, slot string, value []byte) (dk, val *record.Record, err error) {
	dek := make([]byte, keyBytes+nonceBytes)
	defer clear(dek)
	if _, err := io.ReadFull(v.opts.Rand, dek); err != nil {
		return nil, nil, fmt.Errorf("vault: random: %w", err)
	}
	dekID := dataKeyID(p, slot)
	master, wrapped, err := v.opts.Master.wrap(v.opts.Rand, dek[:keyBytes], dataKeyAAD(typ, dekID, v.opts.Master.ActiveID()))
	if err != nil {
		return nil, nil, fmt.Errorf("vault: %w", err)
	}
	aead, err := newGCM(dek[:keyBytes])
	if err != nil {
		return nil, nil, fmt.Errorf("vault: %w", err)
	}
	nonce := dek[keyBytes:]
	sealed := aead.Seal(nil, nonce, value, valueAAD(typ, p, dekID))
	dk = v.message(p, dekID, encodeDataKey(typ, master, wrapped), KindDataKey, master)
	val = v.message(p, p, encodeValue(typ, dekID, nonce, sealed), KindValue, "")
	return dk, val, nil
}

// openDataKey unwraps the data key of a data-key record with key dekID.
func openDataKey(mk *MasterKeys, dekID string, r *Record) ([]byte, error) {
	return mk.unwrap(r.MasterKey, r.payload, dataKeyAAD(r.Type, dekID, r.MasterKey))
}

// openValue decrypts a value record with its data key.
func openValue(dek []byte, r *Record) ([]byte, error) {
	aead, err := newGCM(dek)
	if err != nil {
		return nil, err
	}
	out, err := aead.Open(nil, r.nonce, r.payload, valueAAD(r.Type, r.Pseudonym, r.DataKey))
	if err != nil {
		return nil, ErrAuth
	}
	return out, nil
}

// Partitions is the vault topic's partition count the Vault was made with.
func (v *Vault) Partitions() int32 { return v.opts.Partitions }
