package pipeline

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// TestSealer: a sealed payload opens with its own record's coordinates
// only, is not the payload in clear, and costs Overhead bytes; keys load
// from raw, hex and base64 files alike.
func TestSealer(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"email":"jdoe@example.com"}`)
	sealed, err := s.Seal([]byte("prefix:"), payload, "logs.raw", 2, 41)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, []byte("prefix:")) || len(sealed) != len("prefix:")+len(payload)+s.Overhead() {
		t.Fatalf("sealed %d bytes, want the prefix and %d", len(sealed), len(payload)+s.Overhead())
	}
	sealed = sealed[len("prefix:"):]
	if bytes.Contains(sealed, []byte("jdoe")) {
		t.Fatal("the sealed payload holds the value in clear")
	}
	got, err := s.Open(sealed, "logs.raw", 2, 41)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for _, c := range []struct {
		topic     string
		partition int32
		offset    int64
	}{{"logs.other", 2, 41}, {"logs.raw", 3, 41}, {"logs.raw", 2, 42}, {"logs.raw/2", 0, 41}} {
		if _, err := s.Open(sealed, c.topic, c.partition, c.offset); err == nil {
			t.Errorf("payload of logs.raw/2/41 opened as %s/%d/%d", c.topic, c.partition, c.offset)
		}
	}
	if _, err := s.Open(sealed[:5], "logs.raw", 2, 41); err == nil {
		t.Error("a truncated payload opened")
	}
	again, _ := s.Seal(nil, payload, "logs.raw", 2, 41)
	if bytes.Equal(again, sealed) {
		t.Error("two seals of one payload are equal: the nonce is not random")
	}

	if _, err := NewSealer(key[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"raw": key, "hex": []byte(hex.EncodeToString(key) + "\n"), "base64": []byte(base64.StdEncoding.EncodeToString(key) + "\n"),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := LoadSealer(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if l.KeyID() != s.KeyID() {
			t.Errorf("%s: key id %s, want %s", name, l.KeyID(), s.KeyID())
		}
		if got, err := l.Open(sealed, "logs.raw", 2, 41); err != nil || !bytes.Equal(got, payload) {
			t.Errorf("%s: the loaded key does not open the payload: %v", name, err)
		}
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSealer(bad); err == nil {
		t.Error("a file without a key was accepted")
	}
}
