package pipeline

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/scrubd/scrubd/pipeline/internal/keyfile"
)

// Sealer encrypts dead-letter payloads with AES-256-GCM. A sealed payload is
// a 12-byte random nonce followed by the ciphertext and tag; the additional
// data is "<topic>/<partition>/<offset>" of the source record, so a payload
// cannot be passed off as another record's. It is safe for concurrent use.
type Sealer struct {
	aead  cipher.AEAD
	keyID string
}

// NewSealer returns a Sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("dead-letter key: %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("dead-letter key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("dead-letter key: %w", err)
	}
	sum := sha256.Sum256(key)
	return &Sealer{aead: aead, keyID: hex.EncodeToString(sum[:4])}, nil
}

// LoadSealer reads a key file holding 32 raw bytes, 64 hex digits or the
// base64 of 32 bytes (a trailing newline is ignored).
func LoadSealer(path string) (*Sealer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read dead-letter key: %w", err)
	}
	if k, ok := keyfile.Decode(b); ok {
		return NewSealer(k)
	}
	return nil, errors.New("dead-letter key: the file holds neither 32 bytes, 64 hex digits nor base64 of 32 bytes")
}

// KeyID is a fingerprint of the key (the first 4 bytes of its SHA-256, in
// hex), written in HeaderKeyID so that the right key can be found later.
func (s *Sealer) KeyID() string { return s.keyID }

// Overhead is the number of bytes sealing adds.
func (s *Sealer) Overhead() int { return s.aead.NonceSize() + s.aead.Overhead() }

// Seal appends the sealed payload to dst.
func (s *Sealer) Seal(dst, payload []byte, topic string, partition int32, offset int64) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return dst, fmt.Errorf("seal: nonce: %w", err)
	}
	dst = append(dst, nonce...)
	return s.aead.Seal(dst, nonce, payload, aad(topic, partition, offset)), nil
}

// Open decrypts a sealed payload of the record at topic/partition/offset.
func (s *Sealer) Open(sealed []byte, topic string, partition int32, offset int64) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("open: payload too short")
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], aad(topic, partition, offset))
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	return out, nil
}

func aad(topic string, partition int32, offset int64) []byte {
	b := append([]byte(topic), '/')
	b = strconv.AppendInt(b, int64(partition), 10)
	b = append(b, '/')
	return strconv.AppendInt(b, offset, 10)
}
