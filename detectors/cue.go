package detectors

import "bytes"

// A cueSet is a set of label words ("ssn", "phone", "身份证") that, written
// shortly before a candidate, make an otherwise ambiguous number personal
// data: a bare 9-digit run is a pid or an offset, but not after "SSN:".
// It is immutable once built and safe for concurrent use.
//
// ASCII cues match whole words, case-insensitively: "tel" matches "Tel:" and
// "tel=" but not "hotel". Cues with non-ASCII bytes (CJK, Cyrillic) match
// anywhere in the window, because those scripts do not separate words.
type cueSet struct {
	ascii   map[string]struct{} // lower case
	maxLen  int                 // longest ASCII cue
	unicode [][]byte
}

// newCueSet builds a cueSet from words. ASCII words are compared lower-cased;
// an ASCII word may contain letters, digits, '_', '-' and '.' ("e-mail",
// "no."), never spaces: a multi-word label is given by its last word.
func newCueSet(words ...string) *cueSet {
	c := &cueSet{ascii: map[string]struct{}{}}
	for _, w := range words {
		if isASCII(w) {
			lw := string(bytes.ToLower([]byte(w)))
			c.ascii[lw] = struct{}{}
			c.maxLen = max(c.maxLen, len(lw))
			continue
		}
		c.unicode = append(c.unicode, []byte(w))
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// cueWordByte reports whether c may be part of an ASCII cue word.
func cueWordByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.'
}

// before reports whether a cue ends within window bytes before b[start], with
// at most words other words between the cue and the candidate ("SSN is
// 123-45-6789" with words=1, "phone number: ..." with the cue "phone" and
// words=1). Punctuation between them (":", "=", "#", quotes, brackets) is
// not counted as a word. It looks at nothing after start and allocates
// nothing.
func (c *cueSet) before(b []byte, start, window, words int) bool {
	lo := max(0, start-window)
	if len(c.unicode) > 0 {
		for _, u := range c.unicode {
			if bytes.Contains(b[lo:start], u) {
				return true
			}
		}
	}
	var buf [32]byte
	seen := 0
	i := start
	for i > lo {
		// Step back over what separates words.
		for i > lo && !cueWordByte(b[i-1]) {
			i--
		}
		e := i
		for i > lo && cueWordByte(b[i-1]) {
			i--
		}
		if e == i {
			break
		}
		w := b[i:e]
		// "no." and "id-": a trailing '.' or '-' is kept only when the cue
		// has it, so try the word without them too.
		for len(w) > 0 {
			if len(w) <= c.maxLen && len(w) <= len(buf) {
				lw := buf[:len(w)]
				for k, ch := range w {
					if 'A' <= ch && ch <= 'Z' {
						ch += 'a' - 'A'
					}
					lw[k] = ch
				}
				if _, ok := c.ascii[string(lw)]; ok {
					return true
				}
			}
			if last := w[len(w)-1]; last == '.' || last == '-' || last == '_' {
				w = w[:len(w)-1]
				continue
			}
			break
		}
		if seen >= words {
			return false
		}
		seen++
	}
	return false
}
