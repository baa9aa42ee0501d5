// Package hexdig decodes the short runs of hexadecimal digits that escapes
// carry: %XX in URLs and percent-encoded e-mail addresses, \uXXXX in JSON
// strings. Detectors, rules and the privacy request parser share it; unlike
// encoding/hex it allocates nothing and returns no error value, which the
// scanning hot paths need.
package hexdig

// value returns the value of the hexadecimal digit c, in either case, or
// 0xff when c is none: callers test several digits at once by or-ing their
// values.
func value(c byte) byte {
	if d := c - '0'; d <= 9 {
		return d
	}
	// c|0x20 maps 'A'-'F' to 'a'-'f' and no other byte into that range.
	if d := c | 0x20 - 'a'; d <= 5 {
		return d + 10
	}
	return 0xff
}

// Pair decodes the two digits of a %XX escape, hi first. When ok is false
// the byte means nothing.
func Pair(hi, lo byte) (byte, bool) {
	h, l := value(hi), value(lo)
	return h<<4 | l, h|l < 16
}

// Quad decodes the four digits of a \uXXXX escape at b[i:]. It reports
// false when fewer than four bytes are left or one is not a digit.
func Quad(b []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(b) {
		return 0, false
	}
	d0, d1, d2, d3 := value(b[i]), value(b[i+1]), value(b[i+2]), value(b[i+3])
	if d0|d1|d2|d3 >= 16 {
		return 0, false
	}
	return rune(d0)<<12 | rune(d1)<<8 | rune(d2)<<4 | rune(d3), true
}
