// Package keyfile decodes the AES-256 keys that scrubd reads from files:
// the dead-letter key and the vault's master keys. A key file holds the 32
// key bytes raw, as 64 hex digits, or as their base64; white space around
// the text forms (the newline editors add) is ignored.
package keyfile

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
)

// Size is the length of a key in bytes.
const Size = 32

// Decode returns the key that b, a key file's contents, holds, in a new
// slice, and whether it holds one. It keeps no reference to b, so that the
// caller may clear it; a failed decoding leaves no key bytes behind.
func Decode(b []byte) ([]byte, bool) {
	if len(b) == Size {
		return bytes.Clone(b), true
	}
	t := bytes.TrimSpace(b)
	// One spare byte: a base64 text that decodes to more than Size bytes
	// is told apart from one that decodes to Size.
	k := make([]byte, Size+1)
	if len(t) == hex.EncodedLen(Size) {
		if _, err := hex.Decode(k, t); err == nil {
			return k[:Size], true
		}
	} else if base64.StdEncoding.DecodedLen(len(t)) <= len(k) {
		if n, err := base64.StdEncoding.Decode(k, t); err == nil && n == Size {
			return k[:Size], true
		}
	}
	clear(k)
	return nil, false
}
