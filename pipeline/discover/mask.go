package discover

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scrubd/scrubd/rules"
)

// maxExample is the most characters of an example shown.
const maxExample = 32

// keepFirstFrom is the shortest value whose first character is shown.
const keepFirstFrom = 6

// Mask returns the shape of a found value, never the value: letters become
// 'x' (or 'X'), digits '9', and other characters stay; the first character
// is kept when the value has at least six, so that a reader can tell an
// address from an identifier without learning either. Quotes around a JSON
// string are left out, and a long value is cut after 32 characters.
func Mask(v []byte) string {
	return mask(v, true)
}

// MaskFor is Mask for a value the policy treats with action a: the first
// character of a value the policy removes entirely (redact, drop_field,
// drop_record: secrets, card numbers) is not kept either.
func MaskFor(v []byte, a rules.Action) string {
	switch a {
	case rules.Redact, rules.DropField, rules.DropRecord:
		return mask(v, false)
	}
	return mask(v, true)
}

func mask(v []byte, first bool) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	keepFirst := first && utf8.RuneCount(v) >= keepFirstFrom
	var b strings.Builder
	n := 0
	for len(v) > 0 {
		r, size := utf8.DecodeRune(v)
		v = v[size:]
		if n == maxExample {
			b.WriteString("…")
			break
		}
		switch {
		case n == 0 && keepFirst && r != utf8.RuneError && unicode.IsPrint(r):
			b.WriteRune(r)
		case unicode.IsUpper(r):
			b.WriteByte('X')
		case unicode.IsLetter(r):
			b.WriteByte('x')
		case unicode.IsDigit(r):
			b.WriteByte('9')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case r < utf8.RuneSelf && unicode.IsPunct(r) || r < utf8.RuneSelf && unicode.IsSymbol(r):
			b.WriteRune(r)
		default:
			b.WriteByte('*')
		}
		n++
	}
	return b.String()
}
