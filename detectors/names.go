package detectors

import (
	"encoding/binary"
	"math/bits"
)

// The person and address detectors (person.go, address.go) look at
// capitalized words, and at a few non-ASCII cues (先生, 号, улица), which
// the main scan loop's matchers skip. They run after the main scan, so that
// what they find can give way to its findings, but they do not walk the
// line again: the main scan loop's walk (nextWork) records where they have
// work, an upper-case ASCII letter starting a word or a run of non-ASCII
// bytes (see candidateAt), in a nameCands. Log lines hold few capitalized
// words that start a word and are not ALL-CAPS or CamelCase, so most lines
// cost a few table lookups here.

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

// upperMask has the high bit of each byte of w that is an upper-case ASCII
// letter.
func upperMask(w uint64) uint64 {
	x := w & swarLo7
	ge := (x + (0x80-'A')*swarLo) & swarHi     // x >= 'A'
	gt := (x + (0x80-('Z'+1))*swarLo) & swarHi // x > 'Z'
	return ge &^ gt &^ w
}

// candidateMask has the high bit of each byte of w (the bytes at i), given
// prev (the bytes at i-1), where the name pass may have work: a capital
// after a byte below '@' (a space, quote, bracket or punctuation; digits
// too, which candidateAt rules out), or a non-ASCII byte.
func candidateMask(prev, w uint64) uint64 {
	below40 := ^((prev & swarLo7) + (0x80-0x40)*swarLo) &^ prev & swarHi
	return w&swarHi | upperMask(w)&below40
}

// candidateAt reports whether the name pass has work at b[i]: a non-ASCII
// byte, or a capital after a byte below '@' other than a digit and before
// a byte that is no capital (not CamelCase, not ALL-CAPS).
func candidateAt(b []byte, i int) bool {
	c := b[i]
	if c >= 0x80 {
		return true
	}
	if c < 'A' || c > 'Z' {
		return false
	}
	if i > 0 && (b[i-1] >= '@' || isDigit(b[i-1])) {
		return false
	}
	return i+1 >= len(b) || b[i+1] < 'A' || b[i+1] > 'Z'
}

// nextCandidate returns the index of the first place at or after i where
// the name pass has work (see candidateAt), or len(b). It reads eight bytes
// at a time, one load each: the bytes before them are the loaded word
// shifted by one byte, with the last byte of the eight before.
func nextCandidate(b []byte, i int) int {
	n := len(b)
	for i < n {
		carry := uint64(' ')
		if i > 0 {
			carry = uint64(b[i-1])
		}
		rest := b[i:]
		for len(rest) >= 8 {
			w := binary.LittleEndian.Uint64(rest)
			if m := candidateMask(w<<8|carry, w); m != 0 {
				i = n - len(rest) + bits.TrailingZeros64(m)>>3
				break
			}
			carry = w >> 56
			rest = rest[8:]
		}
		if len(rest) < 8 {
			i = n - len(rest)
			for i < n && !candidateAt(b, i) {
				i++
			}
			return i
		}
		if candidateAt(b, i) {
			return i
		}
		i++
	}
	return n
}

// maxNameCands is how many runs of candidates a nameCands holds. A line
// with more is walked by nextCandidate from the first run that did not fit;
// the array is small because it is cleared for every scanned value, most of
// which are short.
const maxNameCands = 16

// nameCands are the places where the name pass has work (candidateAt), as
// the main scan loop found them: every candidate before complete lies in one
// of the runs r[:n] (a capital is a run of one byte, non-ASCII bytes a run
// of their own). When the runs do not all fit, complete stays where the
// first that did not fit starts.
type nameCands struct {
	r        [maxNameCands]struct{ st, end int32 }
	n        int
	complete int
	full     bool
	k        int // next's cursor into r
}

// add records b[st:end] as candidates. The part before complete is already
// recorded (the walk may go over a place twice).
func (nc *nameCands) add(st, end int) {
	if nc.full {
		return
	}
	st = max(st, nc.complete)
	if st >= end {
		return
	}
	if nc.n > 0 && int(nc.r[nc.n-1].end) >= st {
		nc.r[nc.n-1].end = int32(max(end, int(nc.r[nc.n-1].end)))
		return
	}
	if nc.n == len(nc.r) || end > maxInt32 {
		nc.full, nc.complete = true, st
		return
	}
	nc.r[nc.n].st, nc.r[nc.n].end = int32(st), int32(end)
	nc.n++
}

const maxInt32 = 1<<31 - 1

// stop notes that the walk has looked at b[:i+1] and returns i. It is what
// nextWork returns through, and may be called on a nil nameCands.
func (nc *nameCands) stop(i int) int {
	if nc != nil && !nc.full && i >= nc.complete {
		nc.complete = i + 1
	}
	return i
}

// skip notes that the scan loop, stopped at b[i], steps over b[i:e], which
// holds no candidate: a timestamp (see timestampEnd), whose bytes are
// digits, separators, and a 'T' or 'Z' after a digit. The walk then need not
// fill b[i:e] in. It may be called on a nil nameCands.
func (nc *nameCands) skip(i, e int) {
	if nc != nil && !nc.full && nc.complete > i {
		nc.complete = max(nc.complete, e)
	}
}

// fill records the candidates from complete to to, a part of b that the
// walk stepped over.
func (nc *nameCands) fill(b []byte, to int) {
	if nc.full {
		return
	}
	for p := nc.complete; p < to; p++ {
		// Eight bytes at a time where b holds them, as nextCandidate
		// reads them, the bytes from to on masked off.
		if p+8 <= len(b) {
			carry := uint64(' ')
			if p > 0 {
				carry = uint64(b[p-1])
			}
			w := binary.LittleEndian.Uint64(b[p:])
			m := candidateMask(w<<8|carry, w)
			if k := to - p; k < 8 {
				m &= 1<<(8*k) - 1
			}
			if m == 0 {
				p += 7
				continue
			}
			p += bits.TrailingZeros64(m) >> 3
		}
		if candidateAt(b, p) {
			nc.add(p, p+1)
			if nc.full {
				return
			}
		}
	}
	nc.complete = max(nc.complete, to)
}

// next returns what nextCandidate(b, i) returns, from the recorded runs
// where they reach.
func (nc *nameCands) next(b []byte, i int) int {
	if nc.k > 0 && i < int(nc.r[nc.k-1].end) {
		nc.k = 0
	}
	for ; nc.k < nc.n; nc.k++ {
		r := nc.r[nc.k]
		if int(r.end) > i {
			if p := max(i, int(r.st)); p < nc.complete {
				return p
			}
			break
		}
	}
	if nc.complete >= len(b) {
		return len(b)
	}
	return nextCandidate(b, max(i, nc.complete))
}

// scanNames appends the person and address findings of b to dst, whose
// findings from dst[base:] on are those of the main pass, and returns dst
// with all of them in order. A finding that overlaps one of the main pass is
// dropped: those detectors are the more certain.
func (s *Scanner) scanNames(dst []Finding, base int, b []byte, nc *nameCands) []Finding {
	nm := s.names
	mainEnd := len(dst)
	n := len(b)
	i, last := 0, 0 // last: the end of the last finding of this pass
	for {
		if i = nc.next(b, i); i >= n {
			break
		}
		c := b[i]
		latin := c < 0x80 || capitalAt(b, i)
		if latin && i > 0 && (class[b[i-1]]&cAlnum != 0 || b[i-1] >= 0x80 || codePrefix[b[i-1]]) {
			// Inside a word, or after a dot or slash (a class or path).
			i = wordEnd(b, i)
			continue
		}
		var t Type
		var st, end int
		if latin {
			if e := nm.loneWord(b, i); e > 0 {
				i = e // most capitalized words of a log line
				continue
			}
			t, st, end = nm.capWord(b, i)
		} else {
			t, st, end = nm.nonLatin(b, i)
		}
		if end > 0 && latin {
			if ms := firstOverlap(dst[base:mainEnd], st, end); ms > i {
				// The run reaches into a finding of the main pass
				// ("Ana Jo&#64;example.com"): the words before it are
				// looked at alone, as they are once that finding is
				// replaced (scrubbing is idempotent).
				t, st, end = nm.capWord(b[:ms], i)
			}
		}
		if end > 0 && st >= last && !overlapsMain(dst[base:mainEnd], st, end) {
			dst = append(dst, Finding{Type: t, Start: st, End: end})
			if t == Address {
				end = nm.extendAddress(dst, base, mainEnd, last, b)
			}
			i, last = end, end
			continue
		}
		if latin {
			i = wordEnd(b, i)
		} else {
			i += utf8Len(c)
		}
	}
	if nm.person && len(dst) > mainEnd {
		dst = nm.personRepeats(dst, mainEnd, dst[base:mainEnd], b)
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

// firstOverlap returns the start of the first finding of main that overlaps
// [st, end), or -1.
func firstOverlap(main []Finding, st, end int) int {
	for _, f := range main {
		if f.Start < end && st < f.End {
			return f.Start
		}
	}
	return -1
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

// codePrefix holds the bytes that join a word to code before it: a package
// or class path ("org.Foo"), a file path ("/Users/Foo"), a variable.
var codePrefix = func() (t [256]bool) {
	for _, c := range "./\\$#%&*+=_@^|~`" {
		t[c] = true
	}
	return t
}()

// loneWord rules out cheaply the capitalized word at b[i] that can be
// neither a name nor part of an address: code-shaped, or in no lexicon,
// followed by nothing that goes on with a run of words, a house number or a
// state code, and after no cue. It returns where the scan goes on, or 0
// when capWord must look.
func (nm *nameMatchers) loneWord(b []byte, i int) int {
	end, h := capToken(b, i)
	if end <= i+1 || codeAround(b, i, end) {
		return wordEnd(b, i)
	}
	f := nm.lex.get(h)
	if f&lxRunWord == 0 && f != 0 {
		// Log vocabulary, a place or company word ("Started", "Order",
		// "Inc"): nothing starts here; the words after it are looked at
		// when the scan reaches them.
		return end
	}
	if f != 0 {
		return 0
	}
	n := len(b)
	if end < n && b[end] == ',' {
		return 0
	}
	if end+1 < n && b[end] == ' ' {
		c := b[end+1]
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 {
			return 0
		}
		if c >= 'a' && c <= 'z' {
			p := end + 1
			for p < n && b[p] >= 'a' && b[p] <= 'z' {
				p++
			}
			if particle(b[end+1 : p]) {
				return 0
			}
		}
	}
	if mailDisplayName(b, end) || strongCueBefore(b, i) || strongCueAfter(b, end) {
		return 0
	}
	if end+2 < n && b[end] == '.' && b[end+1] == ' ' && isDigit(b[end+2]) && end-i > 3 && hasSuffixFold(b[i:end], "str") {
		return 0 // "Musterstr. 5"
	}
	if _, e := lowerStreetBefore(b, i, end); e > 0 {
		return 0 // "12 rue Lepic", "ulica Długa 5"
	}
	return end
}

// lxRunWord are the flags of a word that may start a name or an address.
const lxRunWord = lxName | lxTitle | lxSalute | lxJob | lxStreetAfter | lxStreetBefore | lxUnit | lxPOBox
