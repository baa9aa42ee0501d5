package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewMasterKeys(t *testing.T) {
	k := masterKey("x")
	for name, c := range map[string]struct {
		active string
		keys   map[string][]byte
	}{
		"no keys":           {"", nil},
		"short key":         {"m1", map[string][]byte{"m1": k[:16]}},
		"bad id":            {"M1", map[string][]byte{"M1": k}},
		"active not loaded": {"m2", map[string][]byte{"m1": k}},
		"no active of two":  {"", map[string][]byte{"m1": k, "m2": k}},
	} {
		if _, err := NewMasterKeys(c.active, c.keys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	mk, err := NewMasterKeys("", map[string][]byte{"m1": k})
	if err != nil || mk.ActiveID() != "m1" || !mk.Has("m1") || mk.Has("m2") {
		t.Fatalf("one key: %v %v", mk, err)
	}
}

func TestLoadMasterKeys(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if err := os.Mkdir(keys, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(path string, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(keys, "m1"), masterKey("m1"))
	write(filepath.Join(keys, "m2"), []byte(hex.EncodeToString(masterKey("m2"))+"\n"))
	write(filepath.Join(keys, ".hidden"), []byte("not a key"))
	if err := os.Mkdir(filepath.Join(keys, "..data"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "m3.b64"), []byte(base64.StdEncoding.EncodeToString(masterKey("m3"))))
	mk, err := LoadMasterKeys(KeyConfig{Active: "m3", Dir: "keys", Files: map[string]string{"m3": "m3.b64"}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(mk.IDs(), ","); got != "m1,m2,m3" || mk.ActiveID() != "m3" {
		t.Fatalf("ids %s, active %s", got, mk.ActiveID())
	}
	for _, id := range mk.IDs() {
		if !bytes.Equal(mk.keys[id], masterKey(id)) {
			t.Errorf("key %s read wrong", id)
		}
	}
	write(filepath.Join(dir, "bad"), []byte("too short"))
	_, err = LoadMasterKeys(KeyConfig{Files: map[string]string{"m1": filepath.Join(dir, "bad")}}, "")
	if err == nil || strings.Contains(err.Error(), "too short") {
		t.Errorf("bad key file: %v", err)
	}
	if _, err := LoadMasterKeys(KeyConfig{Dir: filepath.Join(dir, "missing")}, ""); err == nil {
		t.Error("missing directory accepted")
	}
}

func TestWrap(t *testing.T) {
	mk := masterKeys(t, "m2", "m1")
	dek := masterKey("dek")
	aad := dataKeyAAD("email", "dek:email_test_gggg:t/0", "m2")
	mid, wrapped, err := mk.wrap(rand.Reader, dek, aad)
	if err != nil || mid != "m2" || len(wrapped) != wrappedBytes {
		t.Fatalf("wrap: %s %d %v", mid, len(wrapped), err)
	}
	got, err := mk.unwrap(mid, wrapped, aad)
	if err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("unwrap: %v", err)
	}
	// Two wraps of one key differ (random salt and nonce).
	if _, w2, _ := mk.wrap(rand.Reader, dek, aad); bytes.Equal(w2, wrapped) {
		t.Error("wraps are deterministic")
	}
	if _, err := mk.unwrap("m1", wrapped, aad); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong master key: %v", err)
	}
	if _, err := mk.unwrap("m9", wrapped, aad); !errors.Is(err, ErrNoMasterKey) {
		t.Errorf("unknown master key: %v", err)
	}
	if _, err := mk.unwrap(mid, wrapped, dataKeyAAD("email", "dek:email_test_hhhh:t/0", "m2")); !errors.Is(err, ErrAuth) {
		t.Errorf("other data key id: %v", err)
	}
	for i := range wrapped {
		bad := bytes.Clone(wrapped)
		bad[i] ^= 1
		if _, err := mk.unwrap(mid, bad, aad); !errors.Is(err, ErrAuth) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
}
