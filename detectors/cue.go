package detectors

import (
	"bytes"
	"strings"
)

// A cueSet is a set of label words ("ssn", "phone", "身份证") that, written
// shortly before a candidate, make an otherwise ambiguous number personal
// data: a bare 9-digit run is a pid or an offset, but not after "SSN:".
// It is immutable once built and safe for concurrent use.
//
// ASCII cues match whole words, case-insensitively: "tel" matches "Tel:" and
// "tel=" but not "hotel". A word made of parts joined by '_', '-' or '.'
// ("customer_ssn", "aadhaar_no", "X-SSN") holds a cue when a run of its
// parts is one. A cue may be a phrase of several words ("social
// security"), matched with any separators between them. Cues with non-ASCII
// bytes (CJK, Cyrillic) match anywhere in the window, because those scripts
// do not separate words.
//
// A cueSet built with withFillers is stricter: only filler words ("number",
// "no", "is") and punctuation may stand between the cue and the candidate,
// and a non-ASCII cue counts only inside that stretch. Anything else, in
// particular what a scrubbed value is replaced by ("[us_ssn]", a pseudonym,
// "****", a truncated address), ends the search. That keeps scrubbing
// idempotent: the scanner never looks before the last finding, and in the
// scrubbed output the replacement of that finding stands where the finding
// was, between any earlier cue and the next candidate.
type cueSet struct {
	ascii   map[string]struct{}   // lower case
	phrases map[string][][][]byte // by last word: the words before it, lower case
	maxLen  int                   // longest ASCII cue or last word of a phrase
	unicode [][]byte
	fillers map[string]struct{} // nil: any word may stand between
}

// newCueSet builds a cueSet from words. ASCII words are compared lower-cased;
// an ASCII word may contain letters, digits, '_', '-' and '.' ("e-mail",
// "no."). A word with spaces is a phrase ("social security"); it is also
// recognised with its words joined by '_' or '-' ("social_security_number").
func newCueSet(words ...string) *cueSet {
	c := &cueSet{ascii: map[string]struct{}{}, phrases: map[string][][][]byte{}}
	for _, w := range words {
		if !isASCII(w) {
			c.unicode = append(c.unicode, []byte(w))
			continue
		}
		lw := strings.ToLower(w)
		if f := strings.Fields(lw); len(f) > 1 {
			last := f[len(f)-1]
			var prev [][]byte
			for _, pw := range f[:len(f)-1] {
				prev = append(prev, []byte(pw))
			}
			c.phrases[last] = append(c.phrases[last], prev)
			c.maxLen = max(c.maxLen, len(last))
			for _, sep := range []string{"_", "-"} {
				j := strings.Join(f, sep)
				c.ascii[j] = struct{}{}
				c.maxLen = max(c.maxLen, len(j))
			}
			continue
		}
		c.ascii[lw] = struct{}{}
		c.maxLen = max(c.maxLen, len(lw))
	}
	return c
}

// withFillers makes c strict (see cueSet): only the given words, compared
// lower-cased, may stand between a cue and its candidate. It returns c and
// is meant to be called once, where c is built.
func (c *cueSet) withFillers(words ...string) *cueSet {
	c.fillers = map[string]struct{}{}
	for _, w := range words {
		c.fillers[strings.ToLower(w)] = struct{}{}
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

// cueGap reports whether c may stand between a strict cue and its candidate
// without ending the search: blanks, the punctuation of labels ("SSN:",
// "ssn=", "No.", "#", quotes and opening brackets of JSON and logfmt), and
// the bytes of non-ASCII text. A closing bracket, '*', '<' and the like end
// it: they are what replacements of scrubbed values are made of.
func cueGap(c byte) bool {
	switch c {
	case ' ', '\t', ':', '=', '#', '"', '\'', '(', ')', '[', '{', ',', '/', '|', '>', '-', '.':
		return true
	}
	return c >= 0x80
}

// before reports whether a cue ends within window bytes before b[start], with
// at most words other words between the cue and the candidate ("SSN is
// 123-45-6789" with words=1, "phone number: ..." with the cue "phone" and
// words=1). Punctuation between them (":", "=", "#", quotes, brackets) is
// not counted as a word. A strict set (see withFillers) counts only filler
// words and stops at any other word or at a byte that cueGap refuses. It
// looks at nothing after start and allocates nothing.
func (c *cueSet) before(b []byte, start, window, words int) bool {
	lo := max(0, start-window)
	if c.fillers == nil && len(c.unicode) > 0 {
		if c.unicodeIn(b[lo:start]) {
			return true
		}
	}
	var buf [64]byte
	seen := 0
	i := start
	for i > lo {
		// Step back over what separates words.
		for i > lo && !cueWordByte(b[i-1]) {
			if c.fillers != nil && !cueGap(b[i-1]) {
				return c.unicodeEndsIn(b, lo, i, start)
			}
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
		if len(w) <= len(buf) {
			lw := buf[:len(w)]
			for k, ch := range w {
				if 'A' <= ch && ch <= 'Z' {
					ch += 'a' - 'A'
				}
				lw[k] = ch
			}
			if c.isCue(b, lo, i, lw) {
				return true
			}
			if c.fillers != nil {
				if _, ok := c.fillers[string(trimCueWord(lw))]; !ok && !inNonASCIIWord(b, i, e) {
					return c.unicodeEndsIn(b, lo, i, start)
				}
			}
		} else if c.fillers != nil {
			return c.unicodeEndsIn(b, lo, i, start)
		}
		if seen >= words {
			return c.fillers != nil && c.unicodeEndsIn(b, lo, i, start)
		}
		seen++
	}
	return c.fillers != nil && c.unicodeEndsIn(b, lo, i, start)
}

// unicodeEndsIn reports whether a non-ASCII cue ends in b[from:start]
// (after from, not before lo): the stretch a strict search walked, where
// from is the start of the word or byte that stopped it. A cue may begin
// before from and end inside that word ("sécurité sociale" ends in the
// ASCII word "sociale").
func (c *cueSet) unicodeEndsIn(b []byte, lo, from, start int) bool {
	for _, u := range c.unicode {
		p := max(lo, from-len(u)+1)
		for p < start {
			k := bytes.Index(b[p:start], u)
			if k < 0 {
				break
			}
			if p+k+len(u) > from {
				return true
			}
			p += k + 1
		}
	}
	return false
}

// unicodeIn reports whether one of the non-ASCII cues occurs in r.
func (c *cueSet) unicodeIn(r []byte) bool {
	for _, u := range c.unicode {
		if bytes.Contains(r, u) {
			return true
		}
	}
	return false
}

// trimCueWord drops the '.', '-' and '_' that end a word ("No.", "nr-").
func trimCueWord(w []byte) []byte {
	for len(w) > 0 {
		if last := w[len(w)-1]; last == '.' || last == '-' || last == '_' {
			w = w[:len(w)-1]
			continue
		}
		break
	}
	return w
}

// inNonASCIIWord reports whether the ASCII word b[i:e], letters only, is
// part of a word with non-ASCII letters ("número", "nº"): a strict set steps
// over it with that text. A word with digits or '_' never is: pseudonyms and
// other replacements of scrubbed values have them.
func inNonASCIIWord(b []byte, i, e int) bool {
	if !(i > 0 && b[i-1] >= 0x80 || e < len(b) && b[e] >= 0x80) {
		return false
	}
	for _, ch := range b[i:e] {
		if class[ch]&cLetter == 0 {
			return false
		}
	}
	return true
}

// isCue reports whether lw, the lower-cased word at b[i:...], is a cue: a
// cue itself (also without a trailing '.', '-' or '_' that the cue does not
// have), the last word of a cue phrase whose other words come right before
// it, or a word whose parts joined by '_', '-' or '.' hold a cue.
func (c *cueSet) isCue(b []byte, lo, i int, lw []byte) bool {
	w := lw
	for len(w) > 0 {
		if len(w) <= c.maxLen {
			if _, ok := c.ascii[string(w)]; ok {
				return true
			}
			if ps, ok := c.phrases[string(w)]; ok {
				for _, p := range ps {
					if wordsEndAt(b, lo, i, p) {
						return true
					}
				}
			}
		}
		if last := w[len(w)-1]; last == '.' || last == '-' || last == '_' {
			w = w[:len(w)-1]
			continue
		}
		break
	}
	// Runs of parts: "customer_ssn", "aadhaar_no", "social_security_number".
	// A pseudonym ("us_ssn_k1_" and 24 letters) holds its type name, but it
	// is a replaced value, not a label.
	if looksPseudonym(lw) {
		return false
	}
	for p := 0; p < len(lw); p++ {
		if p > 0 && !partSep(lw[p-1]) || partSep(lw[p]) {
			continue
		}
		for q := p + 1; q <= len(lw); q++ {
			if q-p > c.maxLen {
				break
			}
			if (q == len(lw) || partSep(lw[q])) && (p > 0 || q < len(lw)) {
				if _, ok := c.ascii[string(lw[p:q])]; ok {
					return true
				}
			}
		}
	}
	return false
}

// looksPseudonym reports whether the lower-cased word lw has the shape of a
// pseudonym: "<type>_<key id>_" and 24 letters.
func looksPseudonym(lw []byte) bool {
	const tokenLen = 24
	n := len(lw)
	if n < tokenLen+4 || lw[n-tokenLen-1] != '_' {
		return false
	}
	for _, ch := range lw[n-tokenLen:] {
		if ch < 'a' || ch > 'z' {
			return false
		}
	}
	return bytes.IndexByte(lw[:n-tokenLen-1], '_') > 0
}

func partSep(ch byte) bool { return ch == '_' || ch == '-' || ch == '.' }

// wordsEndAt reports whether the words p (lower case) come right before
// b[i], separated by blanks or punctuation and not before lo.
func wordsEndAt(b []byte, lo, i int, p [][]byte) bool {
	for k := len(p) - 1; k >= 0; k-- {
		for i > lo && !cueWordByte(b[i-1]) && b[i-1] < 0x80 {
			i--
		}
		e := i
		for i > lo && cueWordByte(b[i-1]) {
			i--
		}
		if e == i || !bytes.EqualFold(b[i:e], p[k]) {
			return false
		}
	}
	return true
}
