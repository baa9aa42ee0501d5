package detectors

import (
	"encoding/binary"
	"math/bits"
)

// The person and address detectors (person.go, address.go) look at
// capitalized words, and at a few non-ASCII cues (先生, 号, улица), which
// the main scan loop skips: they run as a second pass over the line that
// stops only at an upper-case ASCII letter or a non-ASCII byte, found eight
// bytes at a time. Log lines hold few capitalized words that start a word
// and are not ALL-CAPS or CamelCase, so most lines cost this walk and a few
// table lookups.

// nameMatchers is the state of the two detectors in a Scanner.
type nameMatchers struct {
	lex                   *lexTable
	person, address       bool
	personCue, addressCue bool // cue-only modes
}

func newNameMatchers(person, address bool, opts NameOptions) *nameMatchers {
	if !person && !address {
		return nil
	}
	return &nameMatchers{lex: nameLexicon(opts), person: person, address: address,
		personCue: opts.PersonCueOnly, addressCue: opts.AddressCueOnly}
}

const (
	swarLo  = 0x0101010101010101
	swarHi  = 0x8080808080808080
	swarLo7 = 0x7f7f7f7f7f7f7f7f
)

// candidateMask has the high bit of each byte of w that is an upper-case
// ASCII letter or a non-ASCII byte.
func candidateMask(w uint64) uint64 {
	x := w & swarLo7
	ge := (x + (0x80-'A')*swarLo) & swarHi     // x >= 'A'
	gt := (x + (0x80-('Z'+1))*swarLo) & swarHi // x > 'Z'
	return w&swarHi | ge&^gt
}

// nextCandidate returns the index of the first upper-case ASCII letter or
// non-ASCII byte of b at or after i, or len(b).
func nextCandidate(b []byte, i int) int {
	n := len(b)
	for i+8 <= n {
		if m := candidateMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < n && !(b[i] >= 'A' && b[i] <= 'Z' || b[i] >= 0x80) {
		i++
	}
	return i
}

// scanNames appends the person and address findings of b to dst, whose
// findings from dst[base:] on are those of the main pass, and returns dst
// with all of them in order. A finding that overlaps one of the main pass is
// dropped: those detectors are the more certain.
func (s *Scanner) scanNames(dst []Finding, base int, b []byte) []Finding {
	nm := s.names
	mainEnd := len(dst)
	n := len(b)
	i, last := 0, 0 // last: the end of the last finding of this pass
	for {
		if i = nextCandidate(b, i); i >= n {
			break
		}
		c := b[i]
		latin := c < 0x80 || capitalAt(b, i)
		if latin && i > 0 && (class[b[i-1]]&cAlnum != 0 || b[i-1] >= 0x80) {
			// Inside a word (CamelCase, ALL-CAPS): skip it.
			i = wordEnd(b, i)
			continue
		}
		var t Type
		var st, end int
		if latin {
			t, st, end = nm.capWord(b, i)
		} else {
			t, st, end = nm.nonLatin(b, i)
		}
		if end > 0 && st >= last && !overlapsMain(dst[base:mainEnd], st, end) {
			dst = append(dst, Finding{Type: t, Start: st, End: end})
			i, last = end, end
			continue
		}
		if latin {
			i = wordEnd(b, i)
		} else {
			i += utf8Len(c)
		}
	}
	if len(dst) > mainEnd && mainEnd > base {
		sortFindings(dst[base:])
	}
	return dst
}

// wordEnd returns the end of the run of ASCII letters and digits and
// non-ASCII bytes at b[i].
func wordEnd(b []byte, i int) int {
	for i < len(b) && (class[b[i]]&cAlnum != 0 || b[i] >= 0x80) {
		i++
	}
	return i
}

func utf8Len(c byte) int {
	switch {
	case c >= 0xf0:
		return 4
	case c >= 0xe0:
		return 3
	case c >= 0xc0:
		return 2
	}
	return 1
}

func overlapsMain(main []Finding, st, end int) bool {
	for _, f := range main {
		if f.Start < end && st < f.End {
			return true
		}
	}
	return false
}

// capitalAt reports whether the two-byte UTF-8 letter at b[i] is a capital
// of Latin-1, Latin Extended-A, Cyrillic or Greek ("É", "Ł", "Ж", "Σ").
func capitalAt(b []byte, i int) bool {
	if i+1 >= len(b) {
		return false
	}
	c, d := b[i], b[i+1]
	switch c {
	case 0xc4, 0xc5:
		// Latin Extended-A alternates capital and small, with the parity
		// flipped between U+0138 and U+0149.
		r := rune(c&0x1f)<<6 | rune(d&0x3f)
		if r >= 0x139 && r <= 0x148 || r >= 0x179 {
			return r&1 == 1
		}
		return r&1 == 0 && r != 0x138
	}
	c2, d2 := foldPair(c, d)
	return c2 != c || d2 != d
}

// nonLatin looks at the non-ASCII byte b[i] that is no capital letter: a
// Chinese cue (先生, 女士, 姓名, 号) or a Russian street word (улица).
func (nm *nameMatchers) nonLatin(b []byte, i int) (Type, int, int) {
	if !cjkAt(b, i) {
		if b[i] == 0xd1 || b[i] == 0xd0 {
			if nm.address && (i == 0 || b[i-1] < 0x80 && class[b[i-1]]&cAlnum == 0) {
				if end := ruStreetAt(b, i); end > 0 {
					return Address, i, end
				}
			}
		}
		return "", 0, 0
	}
	if nm.person {
		if st, end := zhPersonAt(nm.lex, b, i); end > 0 {
			return Person, st, end
		}
	}
	if nm.address {
		if st, end := zhAddressAt(b, i); end > 0 {
			return Address, st, end
		}
	}
	return "", 0, 0
}

// cjkAt reports whether a CJK unified ideograph (U+4E00-U+9FFF) starts at
// b[i].
func cjkAt(b []byte, i int) bool {
	return i >= 0 && i+2 < len(b) && b[i] >= 0xe4 && b[i] <= 0xe9 && b[i+1]&0xc0 == 0x80 && b[i+2]&0xc0 == 0x80
}

// cjkIs reports whether the ideograph at b[i] is one of chars (UTF-8, three
// bytes each).
func cjkIs(b []byte, i int, chars string) bool {
	if i < 0 || i+3 > len(b) {
		return false
	}
	for k := 0; k+3 <= len(chars); k += 3 {
		if b[i] == chars[k] && b[i+1] == chars[k+1] && b[i+2] == chars[k+2] {
			return true
		}
	}
	return false
}
