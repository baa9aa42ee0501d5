package detectors

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
)

// A cueSet is a set of label words ("ssn", "phone", "身份证") that, written
// shortly before a candidate, make an otherwise ambiguous number personal
// data: a bare 9-digit run is a pid or an offset, but not after "SSN:".
// It is immutable once built and safe for concurrent use.
//
// ASCII cues match whole words, case-insensitively: "tel" matches "Tel:" and
// "tel=" but not "hotel". Cues with non-ASCII bytes (CJK, Cyrillic) match
// anywhere in the window, because those scripts do not separate words.
//
// A cueSet built with withFillers is strict (see strictBefore): only filler
// words ("number", "no", "is") and label punctuation may stand between the
// cue and the candidate, words are split at '_', '-' and '.' too
// ("customer_ssn", "aadhaar_no", "X-SSN"), a cue may be a phrase ("social
// security"), and a non-ASCII cue counts only in the stretch walked.
type cueSet struct {
	ascii   map[string]struct{} // lower case
	maxLen  int                 // longest ASCII cue
	unicode [][]byte

	// The strict form (withFillers).
	strict  bool
	kind    map[string]uint8      // lower-case alphanumeric word: cueWhole, cueLast, cueFiller, cueUniTail bits
	short   wordTable             // kind's words of up to 8 bytes
	phrases map[string][][][]byte // by last word: the words before it
	starts  byteSet               // first bytes of the words in kind
	maxWord int                   // longest word in kind
}

// Bits of cueSet.kind.
const (
	cueWhole   = 1 << iota // a cue by itself
	cueLast                // the last word of a cue phrase
	cueFiller              // a filler word
	cueUniTail             // the ASCII word a non-ASCII cue ends with ("sécurité sociale")
)

// A byteSet is a set of bytes.
type byteSet [4]uint64

func (t *byteSet) add(c byte)      { t[c>>6] |= 1 << (c & 63) }
func (t *byteSet) has(c byte) bool { return t[c>>6]&(1<<(c&63)) != 0 }

// newCueSet builds a cueSet from words. ASCII words are compared lower-cased;
// an ASCII word may contain letters, digits, '_', '-' and '.' ("e-mail",
// "no."), never spaces: a multi-word label is given by its last word. (A
// strict set also takes phrases with spaces.)
func newCueSet(words ...string) *cueSet {
	c := &cueSet{ascii: map[string]struct{}{}, kind: map[string]uint8{}, phrases: map[string][][][]byte{}}
	for _, w := range words {
		if isASCII(w) {
			lw := strings.ToLower(w)
			c.ascii[lw] = struct{}{}
			c.maxLen = max(c.maxLen, len(lw))
			// The strict form: alphanumeric words, the last one the key.
			f := alnumWords(lw)
			if len(f) == 0 {
				continue
			}
			last := f[len(f)-1]
			if len(f) == 1 {
				c.addKind(last, cueWhole)
				continue
			}
			var prev [][]byte
			for _, pw := range f[:len(f)-1] {
				prev = append(prev, []byte(pw))
			}
			c.phrases[last] = append(c.phrases[last], prev)
			c.addKind(last, cueLast)
			continue
		}
		for _, v := range caseVariants(w) {
			c.unicode = append(c.unicode, []byte(v))
		}
		if f := alnumWords(strings.ToLower(w)); len(f) > 0 && strings.HasSuffix(strings.ToLower(w), f[len(f)-1]) {
			c.addKind(f[len(f)-1], cueUniTail)
		}
	}
	return c
}

// caseVariants returns w and the other ways a label of a cased script is
// written: capitalized at the start of a line or a form field ("Телефон",
// "Điện thoại"), each word capitalized ("Điện Thoại") and in capitals
// ("СНИЛС", "SĐT"). Non-ASCII cues match byte for byte, so each variant is
// a cue of its own; scripts without case (CJK, Devanagari) give w alone.
func caseVariants(w string) []string {
	vs := []string{w}
	add := func(v string) {
		if !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	lw := strings.ToLower(w)
	add(lw)
	title := func(s string, every bool) string {
		var sb strings.Builder
		start := true
		for _, r := range s {
			if start {
				r = unicode.ToUpper(r)
			}
			start = every && r == ' '
			sb.WriteRune(r)
		}
		return sb.String()
	}
	add(title(lw, false))
	add(title(lw, true))
	add(strings.ToUpper(w))
	return vs
}

// alnumWords splits s at every byte that is not an ASCII letter or digit.
func alnumWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r >= 0x80 || !isAlnum(byte(r)) })
}

func (c *cueSet) addKind(w string, k uint8) {
	c.kind[w] |= k
	c.starts.add(w[0])
	c.maxWord = max(c.maxWord, len(w))
	if key, ok := packWord([]byte(w)); ok {
		c.short.add(key, c.kind[w], c.phrases[w])
	}
}

// A wordTable maps words of up to 8 bytes, packed into a uint64 (see
// packWord), to their cueSet.kind bits and phrases: an open-addressing
// table looked up with a multiply and a shift, faster than maps with
// string keys.
type wordTable struct {
	keys    [512]uint64
	kinds   [512]uint8
	phrases [512][][][]byte
}

func wordSlot(key uint64) int { return int(key * 0x9e3779b97f4a7c15 >> 55) } // 9 bits

// add sets the kind and phrases of key, which must be non-zero. The table
// holds far fewer words than slots.
func (t *wordTable) add(key uint64, k uint8, phrases [][][]byte) {
	for s := wordSlot(key); ; s = (s + 1) % len(t.keys) {
		if t.keys[s] == 0 || t.keys[s] == key {
			t.keys[s], t.kinds[s], t.phrases[s] = key, k, phrases
			return
		}
	}
}

// get returns the kind and phrases of key, or 0 and nil.
func (t *wordTable) get(key uint64) (uint8, [][][]byte) {
	for s := wordSlot(key); ; s = (s + 1) % len(t.keys) {
		switch t.keys[s] {
		case key:
			return t.kinds[s], t.phrases[s]
		case 0:
			return 0, nil
		}
	}
}

// packWord packs the lower case of w, 1 to 8 ASCII letters and digits (no
// zero byte), into a uint64; ok is false for a longer word.
func packWord(w []byte) (key uint64, ok bool) {
	if len(w) == 0 || len(w) > 8 {
		return 0, false
	}
	for k, ch := range w {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		key |= uint64(ch) << (8 * k)
	}
	return key, true
}

// withFillers makes c strict, with the given filler words, and returns it.
// It is meant to be called once, where c is built.
func (c *cueSet) withFillers(words ...string) *cueSet {
	c.strict = true
	for _, w := range words {
		for _, f := range alnumWords(strings.ToLower(w)) {
			c.addKind(f, cueFiller)
		}
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
// not counted as a word. A strict set searches as strictBefore does. It
// looks at nothing after start and allocates nothing.
func (c *cueSet) before(b []byte, start, window, words int) bool {
	if c.strict {
		return c.strictBefore(b, start, window, words)
	}
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

// cueGap reports whether c may stand between a strict cue and its candidate
// without ending the search: blanks and line breaks (a label on the line
// before: "Phone:\n0151 2345678"), the punctuation of labels ("SSN:",
// "ssn=", "No.", "#", quotes, brackets opening JSON and logfmt values), the
// '_' and '-' of field names, and the bytes of non-ASCII text. A closing
// bracket, '*', '<' and the like end it: they are what replacements of
// scrubbed values are made of.
func cueGap(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ':', '=', '#', '"', '\'', '(', ')', '[', '{', ',', '/', '|', '>', '-', '.', '_':
		return true
	}
	return c >= 0x80
}

// strictBefore is before for a strict set. Walking back from start, it
// steps over label punctuation (cueGap) and at most words filler words,
// splitting words at '_', '-' and '.' as well, and reports true at the first
// cue: a cue word, the last word of a cue phrase whose other words come
// right before it, or a non-ASCII cue that ends in the stretch walked. Any
// other word, or a byte cueGap refuses, ends the search. That keeps
// scrubbing idempotent: the scanner never looks before the last finding,
// and in scrubbed output the replacement of that finding ("[us_ssn]", a
// pseudonym "us_ssn_k1_...", "****", a truncated address) stands where the
// finding was, between any earlier cue and the next candidate. An ASCII
// word that touches non-ASCII letters ("número") is part of that text and
// stepped over.
func (c *cueSet) strictBefore(b []byte, start, window, words int) bool {
	lo := max(0, start-window)
	var buf [32]byte
	seen := 0
	i := start
	uni := false // a non-ASCII byte was stepped over
	for {
		for i > lo && class[b[i-1]]&cAlnum == 0 {
			if !cueGap(b[i-1]) {
				return uni && c.unicodeEndsIn(b, lo, i, start)
			}
			uni = uni || b[i-1] >= 0x80
			i--
		}
		if i <= lo {
			return uni && c.unicodeEndsIn(b, lo, lo, start)
		}
		e := i
		for i > lo && class[b[i-1]]&cAlnum != 0 {
			i--
		}
		w := b[i:e]
		c0 := w[0]
		if 'A' <= c0 && c0 <= 'Z' {
			c0 += 'a' - 'A'
		}
		var k uint8
		if c.starts.has(c0) && len(w) <= c.maxWord && len(w) <= len(buf) {
			lw := buf[:len(w)]
			for p, ch := range w {
				if 'A' <= ch && ch <= 'Z' {
					ch += 'a' - 'A'
				}
				lw[p] = ch
			}
			var phrases [][][]byte
			if key, ok := packWord(lw); ok {
				k, phrases = c.short.get(key)
			} else if k = c.kind[string(lw)]; k&cueLast != 0 {
				phrases = c.phrases[string(lw)]
			}
			if k&cueWhole != 0 {
				return true
			}
			if k&cueLast != 0 {
				for _, p := range phrases {
					if alnumWordsEndAt(b, lo, i, p) {
						return true
					}
				}
			}
		}
		if k&cueFiller == 0 && !inNonASCIIWord(b[:start], i, e) || seen >= words {
			// A non-ASCII cue ends in what was walked, or in this word.
			return (uni || k&cueUniTail != 0) && c.unicodeEndsIn(b, lo, i, start)
		}
		seen++
	}
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

// inNonASCIIWord reports whether the ASCII word b[i:e], letters only, is
// part of a word with non-ASCII letters ("número", "nº"). A word with digits
// never is: pseudonyms and other replacements of scrubbed values have them
// or stand apart.
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

// alnumWordsEndAt reports whether the words p (lower case, alphanumeric)
// come right before b[i], separated by cueGap bytes and not before lo.
func alnumWordsEndAt(b []byte, lo, i int, p [][]byte) bool {
	for k := len(p) - 1; k >= 0; k-- {
		for i > lo && class[b[i-1]]&cAlnum == 0 && cueGap(b[i-1]) && b[i-1] < 0x80 {
			i--
		}
		e := i
		for i > lo && class[b[i-1]]&cAlnum != 0 {
			i--
		}
		if e == i || !lowerEqual(b[i:e], p[k]) {
			return false
		}
	}
	return true
}

// lowerEqual reports whether the ASCII word w, lower-cased, is lw.
func lowerEqual(w, lw []byte) bool {
	if len(w) != len(lw) {
		return false
	}
	for k, ch := range w {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != lw[k] {
			return false
		}
	}
	return true
}
