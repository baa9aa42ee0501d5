package detectors

// Helpers shared by the digit-based matchers (credit_card, iban, imei, phone).
// They work on ASCII bytes only: any other byte, including invalid UTF-8 and
// NUL, is simply "not a digit" and "not a letter".

// luhnValid reports whether digits, a run of ASCII digits, passes the Luhn
// (mod 10) check used by payment card numbers and IMEIs. It is false for an
// empty slice and for any non-digit byte.
func luhnValid(digits []byte) bool {
	if len(digits) == 0 {
		return false
	}
	sum := 0
	double := false
	for k := len(digits) - 1; k >= 0; k-- {
		c := digits[k]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// numDigit reports whether c is an ASCII digit.
func numDigit(c byte) bool { return c-'0' < 10 }

// numUpper reports whether c is an ASCII upper-case letter.
func numUpper(c byte) bool { return c-'A' < 26 }

// numAlnum reports whether c is an ASCII letter or digit.
func numAlnum(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 26
}

// numContinuesBefore reports whether the candidate starting at b[i] continues
// a longer number to its left: "1.2345", "12-3456". The scan loop only
// guarantees that b[i-1] is not a letter or digit.
func numContinuesBefore(b []byte, i int) bool {
	if i < 2 || i > len(b) {
		return false
	}
	c := b[i-1]
	return (c == '.' || c == '-') && numDigit(b[i-2])
}

// numEndsAt reports whether a digit-based match may end at b[j]: the input
// ends there, or the next byte is neither a letter nor a digit and does not
// continue the number as "x.5" or "x-5".
func numEndsAt(b []byte, j int) bool {
	if j >= len(b) {
		return true
	}
	c := b[j]
	if numAlnum(c) {
		return false
	}
	if (c == '.' || c == '-') && j+1 < len(b) && numDigit(b[j+1]) {
		return false
	}
	return true
}

// numRun returns the end of the run of ASCII digits starting at b[i], looking
// at no more than limit bytes past i.
func numRun(b []byte, i, limit int) int {
	end := i + limit
	if end > len(b) {
		end = len(b)
	}
	j := i
	for j < end && numDigit(b[j]) {
		j++
	}
	return j
}
