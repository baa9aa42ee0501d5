package detectors

import (
	"net/netip"
	"unsafe"
)

// octet parses a decimal octet (one to three digits, at most 255) at b[i]. It
// returns the value and the index after it, or ok false.
func octet(b []byte, i int) (v, end int, ok bool) {
	j := i
	for j < len(b) && j < i+4 && isDigit(b[j]) {
		v = v*10 + int(b[j]-'0')
		j++
	}
	if j == i || j-i > 3 || v > 255 {
		return 0, 0, false
	}
	return v, j, true
}

// quad parses four octets separated by sep at b[i] and returns the index after
// the last one, or -1.
func quad(b []byte, i int, sep byte) int {
	j := i
	for k := 0; k < 4; k++ {
		if k > 0 {
			if j >= len(b) || b[j] != sep {
				return -1
			}
			j++
		}
		_, end, ok := octet(b, j)
		if !ok {
			return -1
		}
		j = end
	}
	return j
}

// matchIPv4 matches a dotted-quad IPv4 address at b[i], where b[i] is a digit
// that does not follow another digit. The quad must not be part of a longer
// dotted run of numbers ("1.2.3.4.5", "v2.1.1.2.3") and must not run into
// digits. It may be followed by a port, a prefix length, a dot that ends a
// sentence, a dot and a domain label ("1.2.3.4.nip.io") or, unless it reads
// as a version number, letters ("ip:198.51.100.23x"; "1.2.3.4a" is a
// version). After a product token ("nginx/1.25.3.4", "Firefox/2.0.0.4"),
// "rv:" or a "v", a quad that reads as a version is one (see versionLike);
// any other quad there is an address ("curl/198.51.100.23", and
// "host/10.0.0.1", which is how Java writes an address).
func matchIPv4(b []byte, i int) int {
	if i >= 2 && b[i-1] == '.' && isDigit(b[i-2]) {
		return -1
	}
	// Cheap shape check before parsing: a dot within the first four bytes.
	if !(i+1 < len(b) && b[i+1] == '.' || i+2 < len(b) && b[i+2] == '.' || i+3 < len(b) && b[i+3] == '.') {
		return -1
	}
	end := quad(b, i, '.')
	if end < 0 {
		return -1
	}
	glued := false
	if end < len(b) {
		c := b[end]
		if isDigit(c) {
			return -1
		}
		glued = isLetter(c)
		if c == '.' && end+1 < len(b) && isDigit(b[end+1]) {
			return -1
		}
	}
	if (glued || versionContext(b, i)) && versionLike(b[i:end]) {
		return -1
	}
	return end
}

// versionContext reports whether the quad at b[i] follows what announces a
// version number: a product token and '/' ("nginx/", "UP.Browser/"), the
// "rv:" of a Gecko user agent, or a "v" that starts the word ("v1.2.3.4").
func versionContext(b []byte, i int) bool {
	if i < 2 {
		return i == 1 && b[0]|0x20 == 'v'
	}
	switch p := b[i-1]; {
	case p == '/':
		return isAlnum(b[i-2])
	case p == ':':
		return i >= 3 && b[i-2]|0x20 == 'v' && b[i-3]|0x20 == 'r'
	case p|0x20 == 'v':
		return !isAlnum(b[i-2])
	}
	return false
}

// versionLike reports whether the dotted quad q reads as a version number
// rather than an address: a major and a minor version of 30 or less
// ("1.25.3.4", "2.0.0.4"), or a release whose last two parts are zero
// ("124.0.0.0", as Chrome reports itself). Private, loopback, link-local
// and shared (CGNAT) addresses never read as versions: "host/10.0.0.1" is
// how Java writes an address. Public addresses of the ranges that look
// like versions (1.1.1.1, 8.8.8.8: about 2 % of the address space) are
// taken for versions where a version is announced (see versionContext).
func versionLike(q []byte) bool {
	var o [4]int
	k := 0
	for _, c := range q {
		if c == '.' {
			k++
			continue
		}
		o[k] = o[k]*10 + int(c-'0')
	}
	switch {
	case o[0] == 10, o[0] == 127, o[0] == 0,
		o[0] == 172 && o[1]&0xf0 == 16,
		o[0] == 192 && o[1] == 168,
		o[0] == 169 && o[1] == 254,
		o[0] == 100 && o[1]&0xc0 == 64:
		return false
	}
	return o[0] <= 30 && o[1] <= 30 || o[2] == 0 && o[3] == 0
}

// matchDashedIPv4 matches an IPv4 address written with dashes inside a host
// name, as reverse-DNS names of access providers and cloud hosts do:
// "1-2-3-4.dsl.example.net", "ip-10-0-0-1.ec2.internal", "ip-10-0-0-1",
// "calvisitor-10-105-160-95". It needs that context, a domain after it or a
// name before it, because a bare "10-11-12-13" is as likely a date or a range.
func matchDashedIPv4(b []byte, i int) int {
	end := quad(b, i, '-')
	if end < 0 {
		return -1
	}
	if i >= 2 && b[i-1] == '-' && isDigit(b[i-2]) {
		return -1
	}
	if end < len(b) && (isAlnum(b[end]) || b[end] == '-' && end+1 < len(b) && isDigit(b[end+1])) {
		return -1
	}
	inDomain := end+1 < len(b) && b[end] == '.' && isLetter(b[end+1])
	// "ip-10-0-0-1", "calvisitor-10-105-160-95": a host name prefix.
	hostPrefix := i >= 2 && b[i-1] == '-' && isLetter(b[i-2])
	if !inDomain && !hostPrefix {
		return -1
	}
	return end
}

// hexGroupBefore reports whether the colon at b[c] follows a group of one
// to four hex digits, so that what comes after it may continue an address
// rather than start one ("src:2001:db8::1" starts one after "src:").
func hexGroupBefore(b []byte, c int) bool {
	k := c
	for k > 0 && c-k < 5 && isHex(b[k-1]) {
		k--
	}
	return c-k >= 1 && c-k <= 4 && (k == 0 || !isAlnum(b[k-1]))
}

// trimIPv6 returns end with what a sentence or a "host:port" may have stuck
// on the end of a candidate removed: dots, and a colon that is not half of
// "::".
func trimIPv6(b []byte, i, end int) int {
	for end > i && (b[end-1] == '.' || b[end-1] == ':' && !(end-2 >= i && b[end-2] == ':')) {
		end--
	}
	return end
}

// ipv6Shaped reports whether b[i:end] has the shape of an IPv6 address
// worth parsing: "::" or six colons (seven without an embedded IPv4), and unless it has a decimal digit,
// four groups (short words such as "dead::beef" are not addresses). "::"
// is the unspecified address and tells of no one, with a zone ("::%eth0")
// or without: were it found with a zone, a replacement glued after "::%"
// would read as that zone and be scrubbed again ("::%::1" scrubbed to
// "::%ipv6_k1_..." and that to "ipv6_k1_...": not idempotent).
func ipv6Shaped(b []byte, i, end int) bool {
	colons, dcolon, digits, groups := 0, false, false, 0
	inGroup := false
	for k := i; k < end; k++ {
		c := b[k]
		if c == ':' {
			colons++
			if k+1 < end && b[k+1] == ':' {
				dcolon = true
			}
			inGroup = false
			continue
		}
		if !inGroup {
			groups++
			inGroup = true
		}
		if isDigit(c) {
			digits = true
		}
	}
	if end-i < 2 || colons < 2 || !dcolon && colons < 6 {
		return false
	}
	return digits || groups >= 4
}

// ipv6Char reports whether c may appear in the text form of an IPv6 address
// (without zone).
func ipv6Char(c byte) bool { return isHex(c) || c == ':' || c == '.' }

// matchIPv6 matches an IPv6 address in any RFC 4291 or RFC 5952 text form at
// b[i]: full, compressed, upper case, with an embedded IPv4 address, and with a
// zone ("fe80::1%eth0", also percent-encoded in URLs as "%25eth0"). b[i] is a
// hex digit or the first colon of "::". Clock times ("12:30:45"), C++ scopes
// ("std::map") and short words ("dead::beef") are rejected: a candidate needs
// "::" or eight groups, and unless it has a decimal digit, at least four groups.
func matchIPv6(b []byte, i int) int {
	if i > 0 && (isAlnum(b[i-1]) || b[i-1] == '.' || b[i-1] == ':' && (i >= 2 && b[i-2] == ':' || hexGroupBefore(b, i-1))) {
		return -1
	}
	n := len(b)
	j := i
	dcolon := false
	for j < n && j-i < 50 && ipv6Char(b[j]) {
		if b[j] == ':' && j+1 < n && b[j+1] == ':' {
			if dcolon && j > i && b[j-1] != ':' {
				break // a second "::" cannot belong to the address
			}
			dcolon = true
		}
		j++
	}
	end := j
	if end < n && isAlnum(b[end]) {
		// The last group runs into a word ("...:2181:FastLeader"): leave
		// that group out.
		k := end - 1
		for k > i && b[k] != ':' {
			if b[k] == '.' {
				return -1 // not a hex group: "::.e..."
			}
			k--
		}
		if k <= i {
			return -1
		}
		end = k + 1
	}
	// The longest prefix of the run that is an address: what follows it
	// (a port, a sentence, another address) must not decide whether it is
	// found, so that text around it, scrubbed or not, changes nothing.
	ok := false
	for end > i { // at most 50 bytes: bounded
		if end = trimIPv6(b, i, end); ipv6Shaped(b, i, end) {
			if addr, err := netip.ParseAddr(unsafe.String(&b[i], end-i)); err == nil && addr.Is6() {
				ok = true
				break
			}
		}
		// Drop the last group, with its separator; of "::" keep both.
		k := end - 1
		for k > i && b[k] != ':' && b[k] != '.' {
			k--
		}
		if k > i && b[k] == ':' && b[k-1] == ':' && k+1 < end {
			k++
		}
		end = k
	}
	if !ok {
		return -1
	}
	// A zone: "%eth0", or percent-encoded "%25eth0".
	if end < n && b[end] == '%' {
		z := end + 1
		if z+2 < n && b[z] == '2' && b[z+1] == '5' && isAlnum(b[z+2]) {
			z += 2
		}
		k := z
		for k < n && (isAlnum(b[k]) || b[k] == '_' || b[k] == '.' || b[k] == '-') {
			k++
		}
		if k > z {
			end = k
		}
	}
	return end
}
