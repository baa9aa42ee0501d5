package rules

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// checkAppendJSONString checks that appendJSONString writes s as a valid
// JSON string that decodes to s, each byte of invalid UTF-8 replaced by
// U+FFFD, after what dst held.
func checkAppendJSONString(t *testing.T, s []byte) {
	t.Helper()
	out := appendJSONString([]byte("x"), s)
	if out[0] != 'x' {
		t.Fatalf("appendJSONString overwrote dst: %q", out)
	}
	var got string
	if err := json.Unmarshal(out[1:], &got); err != nil {
		t.Fatalf("appendJSONString(%q) = %q, not a JSON string: %v", s, out[1:], err)
	}
	want := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		want = append(want, r) // RuneError for an invalid byte
		i += size
	}
	if got != string(want) {
		t.Fatalf("appendJSONString(%q) decodes to %q, want %q", s, got, string(want))
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{
		"", "plain", `a"b\c`, "tab\there\nnew\rret", "\x00\x01\x1f\x7f", "é漢字🙂",
		"bad \xff\xfe utf8", "\xc3", "end\\", `"`, "mixed \"é\" \x02 \xe2\x82",
	} {
		checkAppendJSONString(t, []byte(s))
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add([]byte("plain text"))
	f.Add([]byte("q\"\\\n\x00\xff é"))
	f.Fuzz(func(t *testing.T, s []byte) {
		checkAppendJSONString(t, s)
	})
}

// TestStrStops checks the eight-bytes-at-a-time test of readString against
// strPlain for every byte value in every position, beside bytes of every
// kind.
func TestStrStops(t *testing.T) {
	for _, fill := range []byte{'a', 0x80, 0xff, '"', 0x1f, 0x20} {
		for c := 0; c < 256; c++ {
			for pos := 0; pos < 8; pos++ {
				x := uint64(fill) * swarOnes
				x = x&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
				var want uint64
				for k := 0; k < 8; k++ {
					if b := byte(x >> (8 * k)); b < 0x80 && !strPlain[b] {
						want |= 0x80 << (8 * k)
					}
				}
				if got := strStops(x); got != want {
					t.Fatalf("strStops(%#016x) = %#016x, want %#016x", x, got, want)
				}
			}
		}
	}
}
