package detectors

// timestampEnd returns the end of a date or time of day that starts at the
// digit b[i], or 0 when there is none. It recognises the timestamps that begin
// most log lines: a date "2026-03-02" (also with '/' or '.'), optionally
// followed by 'T' or a space and a time; and a time "08:00:00", optionally
// with a fraction of 1 to 9 digits after '.' or ',' and a 'Z'. The scan loop
// steps over them whole: their digits and colons would otherwise be offered
// to the number, address and secret matchers one group at a time, and none of
// those may match inside a timestamp anyway.
//
// The fields must be in range (month 01-12, day 01-31, hour 00-23, minute
// 00-59, second 00-60), and the timestamp must end where a word ends and no
// address, MAC or longer number could go on: the byte after it is not a letter,
// digit or ':', nor a '.', '-' or '/' followed by a letter or digit. Anything
// else is left to the matchers.
func timestampEnd(b []byte, i int) int {
	n := len(b)
	if i+8 > n {
		return 0
	}
	p := 0
	if s := b[i+4]; (s == '-' || s == '/' || s == '.') && i+10 <= n {
		if !digits2(b, i) || !digits2(b, i+2) || b[i+7] != s ||
			!inRange2(b, i+5, 1, 12) || !inRange2(b, i+8, 1, 31) {
			return 0
		}
		p = i + 10
		if p+8 <= n && (b[p] == 'T' || b[p] == ' ') {
			if e := timeEnd(b, p+1); e > 0 {
				p = e
			}
		}
	} else if b[i+2] == ':' {
		if p = timeEnd(b, i); p == 0 {
			return 0
		}
	} else {
		return 0
	}
	if p < n {
		c := b[p]
		if isAlnum(c) || c == ':' || (c == '.' || c == '-' || c == '/') && p+1 < n && isAlnum(b[p+1]) {
			return 0
		}
	}
	return p
}

// timeEnd returns the end of a time of day "hh:mm:ss", with an optional
// fraction and 'Z', at b[p], or 0.
func timeEnd(b []byte, p int) int {
	n := len(b)
	if p+8 > n || b[p+2] != ':' || b[p+5] != ':' ||
		!inRange2(b, p, 0, 23) || !inRange2(b, p+3, 0, 59) || !inRange2(b, p+6, 0, 60) {
		return 0
	}
	p += 8
	if p+1 < n && (b[p] == '.' || b[p] == ',') && isDigit(b[p+1]) {
		q := p + 1
		for q < n && q-p <= 10 && isDigit(b[q]) {
			q++
		}
		if q-p > 10 {
			return 0
		}
		p = q
	}
	if p < n && b[p] == 'Z' {
		p++
	}
	return p
}

// digits2 reports whether b[p] and b[p+1] are digits.
func digits2(b []byte, p int) bool { return isDigit(b[p]) && isDigit(b[p+1]) }

// inRange2 reports whether b[p:p+2] are two digits whose value is in [lo, hi].
func inRange2(b []byte, p, lo, hi int) bool {
	if !digits2(b, p) {
		return false
	}
	v := int(b[p]-'0')*10 + int(b[p+1]-'0')
	return lo <= v && v <= hi
}
