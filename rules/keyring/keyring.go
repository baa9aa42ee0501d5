// Package keyring holds the HMAC keys that pseudonyms are made with: one
// active key, older keys still recognised, and the pseudonyms' shape.
package keyring

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"sort"
	"sync"

	"github.com/scrubd/scrubd/detectors"
)

// MinKeyBytes is the shortest HMAC key accepted.
const MinKeyBytes = 32

// pseudonymLetters encode pseudonyms; see detectors.PseudonymLetters.
const pseudonymLetters = detectors.PseudonymLetters

// pseudonymBodyLen is the length of a pseudonym's encoded HMAC.
const pseudonymBodyLen = detectors.PseudonymBodyLen

// A Key is one HMAC key with its id.
type Key struct {
	ID     string
	secret []byte
}

// Keyring holds the HMAC keys used for pseudonyms: one active key that new
// pseudonyms are made with, and older keys that are still recognised. It is
// safe for concurrent use.
type Keyring struct {
	active Key
	keys   map[string]Key
	pool   sync.Pool // of *keyedHash for the active key
}

// keyedHash is an HMAC with the buffers it writes and sums into, pooled so
// that making a pseudonym allocates nothing.
type keyedHash struct {
	kid string // the id of the key, for Hasher
	h   hash.Hash
	msg []byte
	sum []byte
}

// New builds a keyring from keys (id to secret) with active as the
// active key id.
func New(active string, keys map[string][]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("keyring: no keys")
	}
	kr := &Keyring{keys: map[string]Key{}}
	for id, secret := range keys {
		if err := ValidID(id); err != nil {
			return nil, err
		}
		if len(secret) < MinKeyBytes {
			return nil, fmt.Errorf("keyring: key %q is %d bytes, fewer than %d", id, len(secret), MinKeyBytes)
		}
		kr.keys[id] = Key{ID: id, secret: bytes.Clone(secret)}
	}
	if active == "" {
		if len(keys) != 1 {
			return nil, errors.New("keyring: several keys and no active key named")
		}
		for id := range keys {
			active = id
		}
	}
	k, ok := kr.keys[active]
	if !ok {
		return nil, fmt.Errorf("keyring: active key %q is not loaded", active)
	}
	kr.active = k
	kr.pool.New = func() any { return kr.newActiveHash() }
	return kr, nil
}

// Random returns a keyring with one random key, id "r", for runs
// without configured keys: its pseudonyms are consistent within the process
// and unlinkable to anything after it.
func Random() *Keyring {
	secret := make([]byte, MinKeyBytes)
	if _, err := rand.Read(secret); err != nil {
		panic("keyring: no randomness: " + err.Error())
	}
	kr, err := New("r", map[string][]byte{"r": secret})
	if err != nil {
		panic(err)
	}
	return kr
}

// ValidID accepts ids of a lower-case letter then up to 15 lower-case
// letters or digits: they appear inside pseudonyms.
func ValidID(id string) error {
	if id == "" || len(id) > 16 || id[0] < 'a' || id[0] > 'z' {
		return fmt.Errorf("keyring: key id %q must be a lower-case letter followed by up to 15 lower-case letters or digits", id)
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return fmt.Errorf("keyring: key id %q must be a lower-case letter followed by up to 15 lower-case letters or digits", id)
		}
	}
	return nil
}

// ActiveID is the id of the active key.
func (kr *Keyring) ActiveID() string { return kr.active.ID }

// IDs lists the ids of all loaded keys, sorted.
func (kr *Keyring) IDs() []string {
	ids := make([]string, 0, len(kr.keys))
	for id := range kr.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// newActiveHash returns a new keyedHash of the active key.
func (kr *Keyring) newActiveHash() *keyedHash {
	return &keyedHash{h: hmac.New(sha256.New, kr.active.secret), kid: kr.active.ID}
}

// A Hasher makes pseudonyms under the active key of its keyring. Unlike
// Keyring.Pseudonym it takes no pooled state: one goroutine owns it (the
// engine keeps one per session), so that a pseudonym allocates nothing.
type Hasher struct{ kh *keyedHash }

// NewHasher returns a Hasher of the active key.
func (kr *Keyring) NewHasher() Hasher { return Hasher{kr.newActiveHash()} }

// Append appends the pseudonym of value, of type typ, under the active key.
func (h Hasher) Append(dst []byte, typ string, value []byte) []byte {
	return h.kh.appendPseudonym(dst, h.kh.kid, typ, value)
}

// Equal reports whether two keyrings hold the same keys under the same ids
// with the same active one, by the pseudonyms they make.
func (kr *Keyring) Equal(o *Keyring) bool {
	ia, ib := kr.IDs(), o.IDs()
	if len(ia) != len(ib) || kr.ActiveID() != o.ActiveID() {
		return false
	}
	probe := []byte("scrubd-key-probe")
	for i, id := range ia {
		if ib[i] != id {
			return false
		}
		pa, _ := kr.PseudonymWith(nil, id, "probe", probe)
		pb, _ := o.PseudonymWith(nil, id, "probe", probe)
		if string(pa) != string(pb) {
			return false
		}
	}
	return true
}

// Pseudonym appends the pseudonym of value, of type typ, under the active key.
func (kr *Keyring) Pseudonym(dst []byte, typ string, value []byte) []byte {
	kh := kr.pool.Get().(*keyedHash)
	dst = kh.appendPseudonym(dst, kr.active.ID, typ, value)
	kr.pool.Put(kh)
	return dst
}

// PseudonymWith appends the pseudonym of value under the key with id kid, so
// that records pseudonymised before a rotation can be matched (privacy
// requests look a subject up under every live key).
func (kr *Keyring) PseudonymWith(dst []byte, kid, typ string, value []byte) ([]byte, error) {
	k, ok := kr.keys[kid]
	if !ok {
		return dst, fmt.Errorf("keyring: no key %q", kid)
	}
	kh := &keyedHash{h: hmac.New(sha256.New, k.secret)}
	return kh.appendPseudonym(dst, kid, typ, value), nil
}

// appendPseudonym appends <typ>_<kid>_<letters>, the letters encoding the
// HMAC of typ, a zero byte and value.
func (kh *keyedHash) appendPseudonym(dst []byte, kid, typ string, value []byte) []byte {
	kh.msg = append(append(append(kh.msg[:0], typ...), 0), value...)
	kh.h.Reset()
	kh.h.Write(kh.msg)
	kh.sum = kh.h.Sum(kh.sum[:0])
	mac := kh.sum
	dst = append(dst, typ...)
	dst = append(dst, '_')
	dst = append(dst, kid...)
	dst = append(dst, '_')
	for _, c := range mac[:pseudonymBodyLen/2] {
		dst = append(dst, pseudonymLetters[c>>4], pseudonymLetters[c&15])
	}
	return dst
}

// IsPseudonym reports whether v has the shape of a pseudonym of type typ made
// under a key of this keyring. Scrubbing skips such values, so that scrubbing
// twice changes nothing.
func (kr *Keyring) IsPseudonym(typ string, v []byte) bool {
	if len(v) < len(typ)+2+pseudonymBodyLen || string(v[:len(typ)]) != typ || v[len(typ)] != '_' {
		return false
	}
	rest := v[len(typ)+1:]
	u := bytes.IndexByte(rest, '_')
	if u <= 0 {
		return false
	}
	if _, ok := kr.keys[string(rest[:u])]; !ok {
		return false
	}
	body := rest[u+1:]
	if len(body) != pseudonymBodyLen {
		return false
	}
	for _, c := range body {
		if c < 'g' || c > 'v' {
			return false
		}
	}
	return true
}

// An Ephemeral is the random HMAC key of one process, for policies that
// set keys.ephemeral: made on first use, then the same keyring for every
// load, so that a policy reload keeps it. The zero value is ready to use;
// it is safe for concurrent use.
type Ephemeral struct {
	once sync.Once
	kr   *Keyring
}

// Keyring returns the process's random keyring (key id "r").
func (k *Ephemeral) Keyring() *Keyring {
	k.once.Do(func() { k.kr = Random() })
	return k.kr
}
