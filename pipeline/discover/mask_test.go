package discover

import (
	"strings"
	"testing"
	"unicode"

	"github.com/scrubd/scrubd/rules"
)

func TestMask(t *testing.T) {
	tests := []struct {
		in   string
		a    rules.Action
		want string
	}{
		{"jo.smith@example.com", rules.Pseudonymize, "jx.xxxxx@xxxxxxx.xxx"},
		{`"203.0.113.9"`, rules.TruncateIP, "299.9.999.9"},
		{"Bob", rules.Pseudonymize, "Xxx"}, // short: no first character
		{"4111 1111 1111 1111", rules.Redact, "9999 9999 9999 9999"},
		{"s3cret!", rules.Redact, "x9xxxx!"},
		{"Zoë Ünal", rules.Pseudonymize, "Zxx Xxxx"},
		{"a\x00b\xffcdef", rules.Pseudonymize, "a*x*xxxx"},
		{strings.Repeat("a", 40), rules.Pseudonymize, "a" + strings.Repeat("x", 31) + "…"},
		{"", rules.Redact, ""},
	}
	for _, tt := range tests {
		if got := MaskFor([]byte(tt.in), tt.a); got != tt.want {
			t.Errorf("MaskFor(%q, %s) = %q, want %q", tt.in, tt.a, got, tt.want)
		}
	}
}

// FuzzMask checks that a mask shows no letter or digit of the value but
// its first character, and never more than the cut length.
func FuzzMask(f *testing.F) {
	f.Add([]byte("jo.smith@example.com"))
	f.Add([]byte(`"+44 20 7946 0958"`))
	f.Add([]byte("\xff\xfe0"))
	f.Fuzz(func(t *testing.T, v []byte) {
		for _, first := range []bool{true, false} {
			m := []rune(mask(v, first))
			if len(m) > maxExample+1 {
				t.Fatalf("mask of %q has %d characters", v, len(m))
			}
			for i, r := range m {
				if i == 0 && first {
					continue
				}
				if (unicode.IsLetter(r) || unicode.IsDigit(r)) && r != 'x' && r != 'X' && r != '9' {
					t.Fatalf("mask(%q, %v) = %q shows %q", v, first, string(m), r)
				}
			}
		}
	})
}
