package rules

import (
	"bytes"
	"net/netip"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// Action is what a rule does with a value it matched.
type Action string

// The actions.
const (
	// TruncateIP keeps the leading prefix bits of an IP address and zeroes
	// the rest: 203.0.113.77 becomes 203.0.113.0 with prefix 24. A value
	// that is not an IP address is redacted instead.
	TruncateIP Action = "truncate_ip"
	// Pseudonymize replaces the value by a keyed pseudonym
	// (<type>_<key id>_<24 letters>): deterministic under one key, so
	// distinct subjects can still be counted, and unlinkable across keys.
	Pseudonymize Action = "pseudonymize"
	// Redact replaces the value by "[<type>]".
	Redact Action = "redact"
	// Mask keeps keep_first and keep_last characters and replaces the
	// others with '*', keeping the length.
	Mask Action = "mask"
	// DropField removes the field (JSON member, logfmt pair) that holds the
	// value. Where the value is not in a field (plain text), it is redacted.
	DropField Action = "drop_field"
	// DropRecord drops the whole record: nothing of it reaches the output.
	DropRecord Action = "drop_record"
	// Keep leaves the value as it is. On a field rule it is an allow-list
	// entry: the field is not scanned by the detectors either.
	Keep Action = "keep"
	// Coarsen rounds every decimal number in the value to decimals
	// fraction digits (default 2), for coordinates: 48.8583701 becomes
	// 48.86. A value that is not numeric text is redacted. See
	// coarsenValue.
	Coarsen Action = "coarsen"
)

var actions = []Action{TruncateIP, Pseudonymize, Redact, Mask, DropField, DropRecord, Keep, Coarsen}

// defaultDecimals is the number of fraction digits coarsen keeps unless a
// rule says otherwise: two decimals of a degree are about 1.1 km.
const defaultDecimals = 2

// maxDecimals bounds the decimals setting of coarsen.
const maxDecimals = 12

func validAction(a Action) bool {
	for _, x := range actions {
		if x == a {
			return true
		}
	}
	return false
}

// truncateDotted is truncateIP's fast path for the most common case: a
// dotted IPv4 address in canonical form (no leading zeros) and a prefix
// length that keeps whole octets. The kept octets are copied as written and
// the others written as "0", which is what netip would format. ok is false
// when v is not such an address or bits4 not a multiple of 8.
func truncateDotted(dst, v []byte, bits4 int) ([]byte, bool) {
	if bits4%8 != 0 || bits4 < 0 || bits4 > 32 || len(v) < 7 || len(v) > 15 {
		return dst, false
	}
	keep := bits4 / 8
	keepEnd := 0 // end of the kept octets in v
	octet, p := 0, 0
	for octet < 4 {
		st, val := p, 0
		for p < len(v) && p-st < 3 && '0' <= v[p] && v[p] <= '9' {
			val = val*10 + int(v[p]-'0')
			p++
		}
		if p == st || val > 255 || p-st > 1 && v[st] == '0' {
			return dst, false
		}
		octet++
		if octet == keep {
			keepEnd = p
		}
		if octet < 4 {
			if p >= len(v) || v[p] != '.' {
				return dst, false
			}
			p++
		}
	}
	if p != len(v) {
		return dst, false
	}
	dst = append(dst, v[:keepEnd]...)
	for k := keep; k < 4; k++ {
		if k > 0 {
			dst = append(dst, '.')
		}
		dst = append(dst, '0')
	}
	return dst, true
}

// embeddedIPv4Bits returns how many leading bits of the IPv6 address a to
// keep, bits6 unless a holds a whole IPv4 address within them: a 6to4
// address (2002::/16) carries one in bits 16 to 48, so a /48 would keep it
// whole, and a NAT64 address (64:ff9b::/96) in its last 32 bits. That
// address is truncated as IPv4 is, to bits4.
func embeddedIPv4Bits(a netip.Addr, bits4, bits6 int) int {
	b := a.As16()
	switch {
	case b[0] == 0x20 && b[1] == 0x02:
		return min(bits6, 16+bits4)
	case b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && [8]byte(b[4:12]) == [8]byte{}:
		return min(bits6, 96+bits4)
	}
	return bits6
}

// truncateIP appends to dst the address in v with only its leading bits
// kept, in the same notation it was written in (dotted, dashed as in host
// names, or IPv6 text). ok is false when v is not an address.
func truncateIP(dst, v []byte, bits4, bits6 int) ([]byte, bool) {
	if len(v) == 0 {
		return dst, false
	}
	if out, ok := truncateDotted(dst, v, bits4); ok {
		return out, true
	}
	// netip does not keep the string it parses (the zone, which it would
	// keep, is cut off first), so v need not be copied.
	s := unsafe.String(&v[0], len(v))
	zone := ""
	// Brackets and zones: "[::1]", "fe80::1%eth0", "fe80::1%25eth0".
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			s, zone = s[:i], s[i:]
			break
		}
	}
	// The zone names a local interface, not a host: it is kept, so that
	// a '%' written after the address is not read as its zone next time.
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Is4() {
			p, _ := a.Prefix(bits4)
			return p.Addr().AppendTo(dst), true
		}
		if a.Is4In6() {
			// Truncate the embedded IPv4 address as IPv4: its host part is
			// in the last 32 bits.
			p, _ := a.Unmap().Prefix(bits4)
			dst = append(dst, "::ffff:"...)
			return p.Addr().AppendTo(dst), true
		}
		p, _ := a.Prefix(embeddedIPv4Bits(a, bits4, bits6))
		dst = p.Addr().AppendTo(dst)
		return append(dst, zone...), true
	}
	// Dotted or dashed IPv4 with leading zeros, or written inside a host
	// name ("1-2-3-4"): parse the four octets by hand and keep the
	// separator, and the text of every octet the prefix keeps whole.
	var oct [4]int
	var at [5]int // octet k is s[at[k]:at[k+1]-1]
	var sep byte
	k, cur, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			cur = cur*10 + int(c-'0')
			digits++
			if digits > 3 || cur > 255 {
				return dst, false
			}
		case (c == '.' || c == '-') && (sep == 0 || sep == c) && digits > 0 && k < 3:
			sep = c
			oct[k] = cur
			k, cur, digits = k+1, 0, 0
			at[k] = i + 1
		default:
			return dst, false
		}
	}
	if k != 3 || digits == 0 {
		return dst, false
	}
	oct[3] = cur
	at[4] = len(s) + 1
	a := netip.AddrFrom4([4]byte{byte(oct[0]), byte(oct[1]), byte(oct[2]), byte(oct[3])})
	p, _ := a.Prefix(bits4)
	b4 := p.Addr().As4()
	for i, o := range b4 {
		if i > 0 {
			dst = append(dst, sep)
		}
		orig := s[at[i] : at[i+1]-1]
		switch {
		case 8*(i+1) <= bits4:
			dst = append(dst, orig...)
		case len(orig) > 1 && orig[0] == '0':
			// Zero-padded as it was: "010.001.002.003" keeps its form
			// ("010.001.002.000"), so that it cannot turn into another
			// kind of address when scrubbed again.
			var num [3]byte
			d := strconv.AppendInt(num[:0], int64(o), 10)
			for range len(orig) - len(d) {
				dst = append(dst, '0')
			}
			dst = append(dst, d...)
		default:
			dst = strconv.AppendInt(dst, int64(o), 10)
		}
	}
	return dst, true
}

// maskValue appends v with all but the first keepFirst and last keepLast
// characters (runes) replaced by '*'.
func maskValue(dst, v []byte, keepFirst, keepLast int) []byte {
	n := utf8.RuneCount(v)
	i := 0
	for len(v) > 0 {
		r, size := utf8.DecodeRune(v)
		if i < keepFirst || i >= n-keepLast {
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, v[:size]...)
			}
		} else {
			dst = append(dst, '*')
		}
		v = v[size:]
		i++
	}
	return dst
}

// coarsenValue appends v with every decimal number in it that has more than
// decimals fraction digits rounded to decimals digits, half away from zero,
// on the decimal text (never through a float, so 2.675 becomes 2.68):
// "48.8583701, 2.294481" becomes "48.86, 2.29", "-0.12755" "-0.13",
// "9.996" "10.00", and with decimals 0 "48.6" becomes "49". Numbers with
// decimals or fewer fraction digits, and integers, are copied as written.
//
// ok is false, and nothing is appended, when v is not numeric text: it must
// hold a digit, and besides numbers only separators (white space and
// ,;:/|()[]{}+-), degree signs and the hemisphere letters N, S, E and W
// standing alone ("48.8584N", "E 2.2945"). Anything else fails closed (the
// caller redacts): words ("Paris"), dotted runs that are not one decimal
// ("1.2.3"), exponents ("4.8E1"), numbers of more than three integer digits
// (degrees have at most three; "490154203237518" is no coordinate, and
// rounding would keep it whole), and degrees-minutes-seconds, whose minutes
// and seconds marks are not separators.
//
// In a value without a '.', a ',' between digits is a decimal comma
// ("48,8583701" becomes "48,86"), and a run of digits with two of them
// ("1,234,567") is not numeric text. With decimals 0 a ',' is always a
// separator: rounding "1.5,2" to "2,2" must not change how the value reads
// when it is coarsened again.
func coarsenValue(dst, v []byte, decimals int) ([]byte, bool) {
	mark := len(dst)
	point := byte('.')
	if decimals > 0 && bytes.IndexByte(v, '.') < 0 {
		point = ','
	}
	digits := false
	for i := 0; i < len(v); {
		c := v[i]
		if isDigit(c) {
			s := i
			for i < len(v) && isDigit(v[i]) {
				i++
			}
			intEnd, fs, fe := i, i, i
			if i+1 < len(v) && v[i] == point && isDigit(v[i+1]) {
				fs = i + 1
				for i = fs; i < len(v) && isDigit(v[i]); i++ {
				}
				fe = i
			}
			if i+1 < len(v) && (v[i] == point && isDigit(v[i+1]) || v[i] == '.' || (v[i] == 'e' || v[i] == 'E') && (isDigit(v[i+1]) || v[i+1] == '+' || v[i+1] == '-')) {
				// "1.2.3", "1,2,3" read with decimal commas, or an
				// exponent.
				return dst[:mark], false
			}
			digits = true
			at := len(dst)
			dst = roundDecimal(dst, v[s:intEnd], point, v[fs:fe], decimals)
			if intDigits(dst[at:]) > 3 {
				// Degrees have at most three integer digits, rounded
				// too (999.7 is 1000): a longer number
				// ("490154203237518") is no coordinate, and may be an
				// identifier that rounding would keep whole.
				return dst[:mark], false
			}
			continue
		}
		switch {
		case coarsenSeparator[c]:
		case c == '%' && i+2 < len(v) && v[i+1] == '2' && v[i+2]|0x20 == 'c' && digits:
			// A comma percent-encoded in a URL ("48.85837%2C2.294481"),
			// kept as written.
			dst = append(dst, v[i:i+3]...)
			i += 3
			continue
		case c == 0xC2 && i+1 < len(v) && v[i+1] == 0xB0: // '°'
			dst = append(dst, c)
			i++
			c = v[i]
		case c == 'N' || c == 'S' || c == 'E' || c == 'W':
			if i > 0 && isLetter(v[i-1]) || i+1 < len(v) && isLetter(v[i+1]) {
				return dst[:mark], false
			}
		default:
			return dst[:mark], false
		}
		dst = append(dst, c)
		i++
	}
	if !digits {
		return dst[:mark], false
	}
	return dst, true
}

// coarsenSeparator marks the bytes that coarsenValue accepts between
// numbers.
var coarsenSeparator = func() (t [256]bool) {
	for _, c := range " \t\r\n,;:/|()[]{}+-" {
		t[c] = true
	}
	return t
}()

// intDigits returns how many digits n, a number roundDecimal wrote, has
// before its decimal point.
func intDigits(n []byte) int {
	k := 0
	for k < len(n) && isDigit(n[k]) {
		k++
	}
	return k
}

// roundDecimal appends the number intPart point frac rounded to decimals
// fraction digits, half away from zero (the sign, if any, is the caller's),
// or as it is when it has no more fraction digits than that.
func roundDecimal(dst, intPart []byte, point byte, frac []byte, decimals int) []byte {
	start := len(dst)
	dst = append(dst, intPart...)
	if len(frac) <= decimals {
		if len(frac) > 0 {
			dst = append(dst, point)
			dst = append(dst, frac...)
		}
		return dst
	}
	if decimals > 0 {
		dst = append(dst, point)
		dst = append(dst, frac[:decimals]...)
	}
	if frac[decimals] < '5' {
		return dst
	}
	// Add one in the last place kept, carrying leftwards.
	for j := len(dst) - 1; j >= start; j-- {
		switch dst[j] {
		case point:
			continue
		case '9':
			dst[j] = '0'
			continue
		}
		dst[j]++
		return dst
	}
	// Carried out of the first digit: "9.996" is "10.00".
	dst = append(dst, 0)
	copy(dst[start+1:], dst[start:])
	dst[start] = '1'
	return dst
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// redacted appends the placeholder for a redacted value of type t.
func redacted(dst []byte, t string) []byte {
	dst = append(dst, '[')
	dst = append(dst, t...)
	return append(dst, ']')
}

// Actions lists every action, for metrics whose label values are known in
// advance.
func Actions() []Action { return append([]Action(nil), actions...) }
