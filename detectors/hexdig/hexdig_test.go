package hexdig

import (
	"strconv"
	"testing"
)

// TestPair checks every pair of bytes against strconv, a second
// implementation.
func TestPair(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			s := string([]byte{byte(a), byte(b)})
			want, err := strconv.ParseUint(s, 16, 8)
			// With base 16, strconv takes exactly hex digits: no sign,
			// no underscores.
			got, ok := Pair(byte(a), byte(b))
			if ok != (err == nil) || ok && got != byte(want) {
				t.Fatalf("Pair(%q) = %#x, %v; strconv %#x, %v", s, got, ok, want, err)
			}
		}
	}
}

func TestQuad(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i    int
		want rune
		ok   bool
	}{
		{"00e9", 0, 0xe9, true},
		{`\uD83D`, 2, 0xd83d, true},
		{"FfFf", 0, 0xffff, true},
		{"12345", 1, 0x2345, true},
		{"123", 0, 0, false},
		{"12345", 2, 0, false},
		{"12g4", 0, 0, false},
		{"+123", 0, 0, false},
		{"1234", -1, 0, false},
	} {
		got, ok := Quad([]byte(tc.in), tc.i)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Quad(%q, %d) = %#x, %v; want %#x, %v", tc.in, tc.i, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzQuad checks Quad against strconv.
func FuzzQuad(f *testing.F) {
	for _, s := range []string{"00e9", "dC00", "12g4", "+1_2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Quad([]byte(s), 0)
		if len(s) < 4 {
			if ok {
				t.Fatalf("Quad(%q) decoded fewer than four bytes", s)
			}
			return
		}
		want, err := strconv.ParseUint(s[:4], 16, 16)
		if ok != (err == nil) || ok && got != rune(want) {
			t.Fatalf("Quad(%q) = %#x, %v; strconv %#x, %v", s, got, ok, want, err)
		}
	})
}
