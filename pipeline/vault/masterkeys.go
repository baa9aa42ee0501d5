package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scrubd/scrubd/pipeline/internal/keyfile"
)

// Sizes of keys and of the parts of a wrapped data key.
const (
	keyBytes   = 32 // AES-256 keys: master keys and data keys
	saltBytes  = 16 // HKDF salt of a wrap
	nonceBytes = 12 // AES-GCM nonce
	tagBytes   = 16 // AES-GCM tag
	// wrappedBytes is a wrapped data key: salt, nonce, sealed key and tag.
	wrappedBytes = saltBytes + nonceBytes + keyBytes + tagBytes
)

// wrapInfo is the HKDF info of the key a data key is wrapped with.
const wrapInfo = "scrubd vault: data key wrap v1"

// MasterKeys are the keys data keys are wrapped with: one active, the
// others kept to unwrap what they wrapped. It is safe for concurrent use.
type MasterKeys struct {
	active string // empty: the keys only unwrap
	keys   map[string][]byte
}

// NewMasterKeys returns master keys from key ids to 32-byte keys, with
// active as the active key id (which may be empty when there is one key).
func NewMasterKeys(active string, keys map[string][]byte) (*MasterKeys, error) {
	if len(keys) == 0 {
		return nil, errors.New("vault master keys: no keys")
	}
	mk := &MasterKeys{keys: map[string][]byte{}}
	for id, k := range keys {
		if err := validKeyID(id); err != nil {
			return nil, err
		}
		if len(k) != keyBytes {
			return nil, fmt.Errorf("vault master key %q: %d bytes, want %d", id, len(k), keyBytes)
		}
		mk.keys[id] = bytes.Clone(k)
	}
	if active == "" {
		if len(keys) != 1 {
			return nil, errors.New("vault master keys: several keys and no active key named")
		}
		for id := range keys {
			active = id
		}
	}
	if _, ok := mk.keys[active]; !ok {
		return nil, fmt.Errorf("vault master keys: active key %q is not loaded", active)
	}
	mk.active = active
	return mk, nil
}

// KeyConfig says where master keys are read from. Its YAML form is meant
// for the vault section of scrubd's configuration.
type KeyConfig struct {
	// Active is the id of the key new data keys are wrapped with; it may
	// be left out when one key is loaded.
	Active string `yaml:"active"`
	// Dir holds one file per key id, named by it (a Kubernetes Secret
	// volume); hidden entries and directories are skipped.
	Dir string `yaml:"dir"`
	// Files maps key ids to files.
	Files map[string]string `yaml:"files"`
}

// LoadMasterKeys reads the keys cfg names. A key file holds 32 raw bytes,
// 64 hex digits or the base64 of 32 bytes; a trailing newline is ignored.
// Relative paths are resolved against base.
func LoadMasterKeys(cfg KeyConfig, base string) (*MasterKeys, error) {
	keys, err := loadKeys(cfg, base)
	if err != nil {
		return nil, err
	}
	defer clearKeys(keys)
	return NewMasterKeys(cfg.Active, keys)
}

// LoadUnwrapKeys reads the keys cfg names, as LoadMasterKeys does, for
// reading the vault only: no key needs to be active, and the keys wrap
// nothing.
func LoadUnwrapKeys(cfg KeyConfig, base string) (*MasterKeys, error) {
	keys, err := loadKeys(cfg, base)
	if err != nil {
		return nil, err
	}
	defer clearKeys(keys)
	for id := range keys {
		cfg.Active = id
	}
	mk, err := NewMasterKeys(cfg.Active, keys)
	if err != nil {
		return nil, err
	}
	mk.active = ""
	return mk, nil
}

func clearKeys(keys map[string][]byte) {
	for _, k := range keys {
		clear(k)
	}
}

// loadKeys reads the key files cfg names.
func loadKeys(cfg KeyConfig, base string) (map[string][]byte, error) {
	resolve := func(p string) string {
		if base == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	keys := map[string][]byte{}
	if cfg.Dir != "" {
		entries, err := os.ReadDir(resolve(cfg.Dir))
		if err != nil {
			return nil, fmt.Errorf("read vault master key directory: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || e.IsDir() && e.Type()&os.ModeSymlink == 0 {
				continue
			}
			path := filepath.Join(resolve(cfg.Dir), name)
			if st, err := os.Stat(path); err == nil && st.IsDir() {
				continue
			}
			k, err := readKeyFile(path, name)
			if err != nil {
				clearKeys(keys)
				return nil, err
			}
			keys[name] = k
		}
	}
	for id, path := range cfg.Files {
		k, err := readKeyFile(resolve(path), id)
		if err != nil {
			clearKeys(keys)
			return nil, err
		}
		keys[id] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("vault master keys: no key files")
	}
	return keys, nil
}

// readKeyFile reads one master key.
func readKeyFile(path, id string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read vault master key %q: %w", id, err)
	}
	defer clear(b)
	if k, ok := keyfile.Decode(b); ok {
		return k, nil
	}
	return nil, fmt.Errorf("vault master key %q: the file holds neither 32 bytes, 64 hex digits nor base64 of 32 bytes", id)
}

// validKeyID accepts ids of a lower-case letter then up to 15 lower-case
// letters or digits.
func validKeyID(id string) error {
	ok := id != "" && len(id) <= 16 && 'a' <= id[0] && id[0] <= 'z'
	for i := 1; ok && i < len(id); i++ {
		c := id[i]
		ok = 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
	}
	if !ok {
		return fmt.Errorf("vault master key id %q must be a lower-case letter followed by up to 15 lower-case letters or digits", id)
	}
	return nil
}

// ActiveID is the id of the active master key; empty for keys that only
// unwrap (LoadUnwrapKeys).
func (mk *MasterKeys) ActiveID() string { return mk.active }

// IDs lists the loaded key ids, sorted.
func (mk *MasterKeys) IDs() []string {
	ids := make([]string, 0, len(mk.keys))
	for id := range mk.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Has reports whether the key id is loaded.
func (mk *MasterKeys) Has(id string) bool { _, ok := mk.keys[id]; return ok }

// wrapAEAD returns the AEAD that wraps data keys under master key id with
// salt.
func (mk *MasterKeys) wrapAEAD(id string, salt []byte) (cipher.AEAD, error) {
	master, ok := mk.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoMasterKey, id)
	}
	k, err := hkdf.Key(sha256.New, master, salt, wrapInfo, keyBytes)
	if err != nil {
		return nil, fmt.Errorf("derive wrapping key: %w", err)
	}
	defer clear(k)
	return newGCM(k)
}

// wrap wraps dek under the active master key, bound to aad, and returns
// the key id and salt || nonce || sealed key.
func (mk *MasterKeys) wrap(rand io.Reader, dek, aad []byte) (string, []byte, error) {
	if mk.active == "" {
		return "", nil, errors.New("wrap data key: the master keys were loaded to unwrap only")
	}
	out := make([]byte, saltBytes+nonceBytes, wrappedBytes)
	if _, err := io.ReadFull(rand, out); err != nil {
		return "", nil, fmt.Errorf("wrap data key: random: %w", err)
	}
	aead, err := mk.wrapAEAD(mk.active, out[:saltBytes])
	if err != nil {
		return "", nil, err
	}
	return mk.active, aead.Seal(out, out[saltBytes:], dek, aad), nil
}

// unwrap opens a wrapped data key made under master key id.
func (mk *MasterKeys) unwrap(id string, wrapped, aad []byte) ([]byte, error) {
	if len(wrapped) != wrappedBytes {
		return nil, errMalformed("wrapped data key of the wrong size")
	}
	aead, err := mk.wrapAEAD(id, wrapped[:saltBytes])
	if err != nil {
		return nil, err
	}
	dek, err := aead.Open(nil, wrapped[saltBytes:saltBytes+nonceBytes], wrapped[saltBytes+nonceBytes:], aad)
	if err != nil {
		return nil, ErrAuth
	}
	return dek, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	return cipher.NewGCM(block)
}
