package detectors

// localChar reports whether c may appear in the local part of an e-mail
// address as logs write it. The rarer RFC 5322 characters (!#$&'*/=?^`{|}~)
// are left out: in logs they far more often separate a key from an address
// ("email=jo@example.com") than belong to it.
func localChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-'
}

// matchEmailAt matches an e-mail address around the separator at b[at]: an
// '@', or the "%40" that encodes it in URLs, in which case the domain starts
// at at+3. The local part is read backwards from at but never before last,
// the end of the previous finding. It returns the span, or an end of 0.
func matchEmailAt(b []byte, at, domStart, last int) (int, int) {
	st := at
	for {
		for st > last && localChar(b[st-1]) {
			if at-st >= 192 {
				return 0, 0 // longer than RFC 5321 allows, even escaped
			}
			st--
		}
		// In a URL the local part may hold escapes ("j.smith%2Bshop%40"),
		// or follow one that separates it from what comes before
		// ("mailto%3Ajo%40"): an escaped local character belongs to it,
		// any other escape ends it (without its two hex digits).
		if st > last && st+2 <= at && b[st-1] == '%' && isHex(b[st]) && isHex(b[st+1]) {
			if h, ok := unhex2(b[st], b[st+1]); ok && localChar(h) {
				st--
				continue
			}
			st += 2
		}
		break
	}

	for st < at && (b[st] == '.' || b[st] == '-' || b[st] == '+') {
		st++
	}
	if st == at || b[at-1] == '.' {
		return 0, 0
	}
	end := matchDomain(b, domStart)
	if end < 0 {
		return 0, 0
	}
	return st, end
}

// unhex2 decodes two hex digits.
func unhex2(a, b byte) (byte, bool) {
	v := 0
	for _, c := range [2]byte{a, b} {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | int(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return byte(v), true
}

// matchDomain matches a host name of two or more labels whose last label has
// the shape of a top-level domain, at b[i], and returns its end or -1.
func matchDomain(b []byte, i int) int {
	n := len(b)
	j := i
	labels := 0
	lastStart, end := -1, -1
	for j < n && j-i <= 253 {
		k := j
		for k < n && k-j < 64 && (isAlnum(b[k]) || b[k] == '-') {
			k++
		}
		if k == j || b[j] == '-' || b[k-1] == '-' {
			break
		}
		labels++
		lastStart = j
		end = k
		if k+1 < n && b[k] == '.' && isAlnum(b[k+1]) {
			j = k + 1
			continue
		}
		break
	}
	if labels < 2 || !tldShape(b[lastStart:end]) {
		return -1
	}
	if end < n && (isAlnum(b[end]) || b[end] == '-' || b[end] == '@') {
		return -1
	}
	return end
}

// tldShape reports whether label looks like a top-level domain: two or more
// letters, or an internationalised "xn--" label, and not a file extension
// that appears after '@' in asset names ("icon@2x.png").
func tldShape(label []byte) bool {
	if len(label) < 2 || len(label) > 63 {
		return false
	}
	if len(label) > 4 && (label[0]|0x20) == 'x' && (label[1]|0x20) == 'n' && label[2] == '-' && label[3] == '-' {
		return true
	}
	for _, c := range label {
		if !isLetter(c) {
			return false
		}
	}
	return !fileExtension(label)
}

// fileExtensions are endings of asset file names ("icon@2x.png") that are
// not top-level domains. Extensions that are also country codes (.md, .py,
// .rs, .so) are left out on purpose: addresses there are real.
var fileExtensions = [...]string{
	"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "css", "js",
	"map", "json", "xml", "html", "htm", "txt", "log", "gz", "tgz", "tar",
	"pdf", "woff", "ttf", "php", "yml", "yaml", "csv",
}

func fileExtension(label []byte) bool {
	if len(label) > 5 {
		return false
	}
	var low [5]byte
	for i, c := range label {
		low[i] = c | 0x20
	}
	for _, e := range &fileExtensions {
		if len(e) == len(label) && string(low[:len(label)]) == e {
			return true
		}
	}
	return false
}
