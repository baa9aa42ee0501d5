package keyring

import (
	"bytes"
	"testing"
)

// TestEqual: keyrings are equal when they hold the same secrets under the
// same ids with the same active key; a changed secret, id set or active key
// makes them differ.
func TestEqual(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, MinKeyBytes), bytes.Repeat([]byte{2}, MinKeyBytes)
	mk := func(active string, keys map[string][]byte) *Keyring {
		t.Helper()
		kr, err := New(active, keys)
		if err != nil {
			t.Fatal(err)
		}
		return kr
	}
	a := mk("k1", map[string][]byte{"k1": k1, "k2": k2})
	for _, tt := range []struct {
		name string
		b    *Keyring
		want bool
	}{
		{"same", mk("k1", map[string][]byte{"k1": k1, "k2": k2}), true},
		{"other active", mk("k2", map[string][]byte{"k1": k1, "k2": k2}), false},
		{"other secret", mk("k1", map[string][]byte{"k1": k2, "k2": k2}), false},
		{"fewer keys", mk("k1", map[string][]byte{"k1": k1}), false},
		{"random", Random(), false},
	} {
		if got := a.Equal(tt.b); got != tt.want {
			t.Errorf("%s: Equal %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestHasher: a Hasher makes the active key's pseudonyms, as Pseudonym does.
func TestHasher(t *testing.T) {
	kr, err := New("k1", map[string][]byte{"k1": bytes.Repeat([]byte{7}, MinKeyBytes)})
	if err != nil {
		t.Fatal(err)
	}
	h := kr.NewHasher()
	for _, v := range []string{"", "42", "jo@example.com"} {
		got, want := h.Append(nil, "email", []byte(v)), kr.Pseudonym(nil, "email", []byte(v))
		if !bytes.Equal(got, want) || !kr.IsPseudonym("email", got) {
			t.Errorf("%q: Hasher %s, Pseudonym %s", v, got, want)
		}
	}
}
