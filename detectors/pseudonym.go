package detectors

// PseudonymLetters encode the body of a pseudonym (<type>_<key id>_<body>):
// sixteen letters that are not hex digits, so that no detector (hex ids,
// IPv6, cards, phones, IBANs) can match a pseudonym again. The rules package
// writes pseudonyms with them; detectors use them to leave pseudonyms alone.
const PseudonymLetters = "ghijklmnopqrstuv"

// PseudonymBodyLen is the length of a pseudonym's encoded HMAC: 24 letters,
// 96 bits.
const PseudonymBodyLen = 24

// pseudonymTail reports whether b[i:] starts with the tail of a pseudonym
// after its type name, "_<key id>_<body>", ending at a non-alphanumeric byte
// or the end of b. A detector whose match would end where such a tail starts
// has read the pseudonym's type name ("email", "ip") as part of its match,
// and would change a scrubbed line when it is scrubbed again.
func pseudonymTail(b []byte, i int) bool {
	if i >= len(b) || b[i] != '_' {
		return false
	}
	j := i + 1
	// A key id: a lower-case letter, then up to 15 lower-case letters or digits.
	if j >= len(b) || b[j] < 'a' || b[j] > 'z' {
		return false
	}
	k := j + 1
	for k < len(b) && k-j < 16 && (b[k] >= 'a' && b[k] <= 'z' || b[k] >= '0' && b[k] <= '9') {
		k++
	}
	if k >= len(b) || b[k] != '_' {
		return false
	}
	k++
	if len(b)-k < PseudonymBodyLen {
		return false
	}
	for _, c := range b[k : k+PseudonymBodyLen] {
		if c < PseudonymLetters[0] || c > PseudonymLetters[len(PseudonymLetters)-1] {
			return false
		}
	}
	k += PseudonymBodyLen
	return k == len(b) || !isAlnum(b[k])
}
