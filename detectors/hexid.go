package detectors

// hexRun reports whether b[i:i+n] exists and is all hex digits.
func hexRun(b []byte, i, n int) bool {
	if i+n > len(b) {
		return false
	}
	for _, c := range b[i : i+n] {
		if !isHex(c) {
			return false
		}
	}
	return true
}

// endsHexID reports whether a hex identifier ending at end is not glued to
// more of the same: the next byte must not be alphanumeric, nor a separator
// followed by a hex digit.
func endsHexID(b []byte, end int, sep byte) bool {
	if end >= len(b) {
		return true
	}
	c := b[end]
	if isAlnum(c) {
		return false
	}
	return !(c == sep && end+1 < len(b) && isHex(b[end+1]))
}

// matchMAC matches a 48-bit MAC address at b[i]: six hex octets separated by
// ':' or '-' (one separator throughout), or the Cisco form of three groups of
// four hex digits separated by '.'.
func matchMAC(b []byte, i int) int {
	if i > 0 && (isAlnum(b[i-1]) || b[i-1] == ':' || b[i-1] == '-' || b[i-1] == '.') {
		return -1
	}
	if i+4 < len(b) && b[i+4] == '.' {
		if !hexRun(b, i, 4) || !hexRun(b, i+5, 4) || i+9 >= len(b) || b[i+9] != '.' || !hexRun(b, i+10, 4) {
			return -1
		}
		if end := i + 14; endsHexID(b, end, '.') {
			return end
		}
		return -1
	}
	if i+17 > len(b) {
		return -1
	}
	sep := b[i+2]
	if sep != ':' && sep != '-' {
		return -1
	}
	for k := 0; k < 6; k++ {
		p := i + 3*k
		if !hexRun(b, p, 2) || k < 5 && b[p+2] != sep {
			return -1
		}
	}
	if end := i + 17; endsHexID(b, end, sep) {
		return end
	}
	return -1
}

// matchUUID matches a UUID in its 8-4-4-4-12 hex text form (RFC 9562), in
// either case, at b[i].
func matchUUID(b []byte, i int) int {
	if i > 0 && (isAlnum(b[i-1]) || b[i-1] == '-') {
		return -1
	}
	p := i
	for k, w := range [...]int{8, 4, 4, 4, 12} {
		if k > 0 {
			if p >= len(b) || b[p] != '-' {
				return -1
			}
			p++
		}
		if !hexRun(b, p, w) {
			return -1
		}
		p += w
	}
	if !endsHexID(b, p, '-') {
		return -1
	}
	return p
}
