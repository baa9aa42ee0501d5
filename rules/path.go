package rules

import (
	"fmt"
	"strings"
)

// A pathPattern is a compiled FieldRule path: dot-separated segments, each a
// literal, a glob ("*_id") or "**".
type pathPattern struct {
	segs []segment
	// last is the final segment when it is a literal, for indexing.
	last string
	// tailOnly is set for patterns of the form "**.<segment>", the most
	// common kind, which only look at the last key of a path.
	tailOnly bool
}

// segKind says how a segment matches one key.
type segKind uint8

const (
	segLiteral  segKind = iota // "email"
	segAny                     // "*"
	segAnyDepth                // "**"
	segPrefix                  // "user*"
	segSuffix                  // "*_id"
	segContains                // "*password*"
	segGlob                    // anything else with '*' or '?'
)

// A segment is one compiled key pattern, in canonical form (see
// canonicalKey and keyWords): a literal without its '_' and '-' and in lower
// case; a glob the same way when it has no '_' or '-', or else as words.
type segment struct {
	kind segKind
	s    string // the literal, prefix, suffix, infix or glob
	// words says that s is in word form and is matched against the key's
	// word form; otherwise against the key without separators.
	words bool
}

// compileSegment compiles one key pattern as written (not lower-cased: its
// camel case splits words).
func compileSegment(s string) segment {
	switch {
	case s == "**":
		return segment{kind: segAnyDepth}
	case s == "*":
		return segment{kind: segAny}
	}
	g := segment{}
	if !strings.ContainsAny(s, "*?") {
		return segment{kind: segLiteral, s: string(canonicalKey(nil, s))}
	}
	if strings.ContainsAny(s, "_-") {
		g.words = true
		s = string(keyWords(nil, s))
	} else {
		s = strings.ToLower(s)
	}
	stars := strings.Count(s, "*")
	switch {
	case strings.Contains(s, "?"):
		g.kind, g.s = segGlob, s
	case stars == 1 && s[len(s)-1] == '*':
		g.kind, g.s = segPrefix, s[:len(s)-1]
	case stars == 1 && s[0] == '*':
		g.kind, g.s = segSuffix, s[1:]
	case stars == 2 && s[0] == '*' && s[len(s)-1] == '*' && len(s) > 2:
		g.kind, g.s = segContains, s[1:len(s)-1]
	default:
		g.kind, g.s = segGlob, s
	}
	return g
}

// Keys are matched in canonical form, so that one name written in the
// styles of different languages and protocols meets one rule:
//
//   - A literal key pattern matches a key that is equal to it ignoring ASCII
//     case and every '_' and '-': "user_id" matches userId, USER_ID, user-id,
//     User-Id and userid (see canonicalKey).
//   - A glob without '_' or '-' ("*token", "user*", "*password*") matches
//     the key in the same form: "*token" matches csrfToken and csrf-token
//     (and nexttoken: a glob means what it says).
//   - A glob with '_' or '-' ("*_id", "user_*") is matched word by word
//     (see keyWords), so its separator stands for a word boundary, written
//     as '_', '-' or a change of case: "*_id" matches user_id, userId,
//     X-User-Id and UserID, but not paid, android or userid.
//   - A last key that starts with "X-" or "x_" and meets no rule is matched
//     once more without it, so that the extension headers of HTTP and Kafka
//     meet the rules of their names: X-User-Id meets "user_id" and
//     X-User-Email "email"... through "user_email" where a rule names it.

// canonicalKey appends key in lower case without its '_' and '-' bytes.
func canonicalKey[S ~string | ~[]byte](dst []byte, key S) []byte {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c != '_' && c != '-' {
			dst = append(dst, lower(c))
		}
	}
	return dst
}

// keyWords appends key as lower-case words joined by '_': a word ends at
// '_' or '-' and before an upper-case letter that follows a lower-case
// letter or a digit ("userId"), or that starts a capitalized word after
// capitals ("HTTPServer" is http_server, "UserID" user_id). Separators at
// the ends are dropped, and a run of them is one, except next to a glob
// '*' or '?' in a pattern ("*_id" stays "*_id").
func keyWords[S ~string | ~[]byte](dst []byte, key S) []byte {
	start := len(dst)
	sep := false
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '_' || c == '-' {
			sep = true
			continue
		}
		if !sep && i > 0 && isUpper(c) {
			p := key[i-1]
			sep = isLower(p) || isDigit(p) || isUpper(p) && i+1 < len(key) && isLower(key[i+1])
		}
		if sep && len(dst) > start {
			dst = append(dst, '_')
		}
		sep = false
		dst = append(dst, lower(c))
	}
	if sep && len(dst) > start && (dst[len(dst)-1] == '*' || dst[len(dst)-1] == '?') {
		dst = append(dst, '_')
	}
	return dst
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// matchKey reports whether key matches the segment, in canonical form.
func (g *segment) matchKey(key []byte) bool {
	switch g.kind {
	case segAny, segAnyDepth:
		return true
	case segLiteral:
		return equalCanonical(key, g.s)
	}
	var buf [128]byte
	var k []byte
	if g.words {
		k = keyWords(buf[:0], key)
	} else {
		k = canonicalKey(buf[:0], key)
	}
	switch g.kind {
	case segPrefix:
		return len(k) >= len(g.s) && string(k[:len(g.s)]) == g.s
	case segSuffix:
		return len(k) >= len(g.s) && string(k[len(k)-len(g.s):]) == g.s
	case segContains:
		return strings.Contains(string(k), g.s)
	}
	return globFold(g.s, k)
}

// equalCanonical reports whether key, in canonical form, is the canonical
// s.
func equalCanonical(key []byte, s string) bool {
	j := 0
	for _, c := range key {
		if c == '_' || c == '-' {
			continue
		}
		if j >= len(s) || lower(c) != s[j] {
			return false
		}
		j++
	}
	return j == len(s)
}

func compilePath(p string) (pathPattern, error) {
	if p == "" {
		return pathPattern{}, fmt.Errorf("empty path")
	}
	raw := strings.Split(p, ".")
	pp := pathPattern{}
	for i, s := range raw {
		if s == "" {
			return pathPattern{}, fmt.Errorf("path %q has an empty key", p)
		}
		if strings.Contains(s, "**") && s != "**" {
			return pathPattern{}, fmt.Errorf("path %q: ** must be a whole key", p)
		}
		if s == "**" && i > 0 && raw[i-1] == "**" {
			return pathPattern{}, fmt.Errorf("path %q: ** twice in a row", p)
		}
		pp.segs = append(pp.segs, compileSegment(s))
	}
	if l := pp.segs[len(pp.segs)-1]; l.kind == segLiteral && l.s != "" {
		pp.last = l.s
	}
	pp.tailOnly = len(pp.segs) == 2 && pp.segs[0].kind == segAnyDepth && pp.segs[1].kind != segAnyDepth
	return pp, nil
}

// match reports whether the key path matches the pattern.
func (pp *pathPattern) match(path [][]byte) bool {
	if pp.tailOnly {
		return len(path) > 0 && pp.segs[1].matchKey(path[len(path)-1])
	}
	return matchSegs(pp.segs, path)
}

func matchSegs(pat []segment, path [][]byte) bool {
	for len(pat) > 0 {
		if pat[0].kind == segAnyDepth {
			rest := pat[1:]
			if len(rest) == 0 {
				return true
			}
			for k := 0; k <= len(path); k++ {
				if matchSegs(rest, path[k:]) {
					return true
				}
			}
			return false
		}
		if len(path) == 0 || !pat[0].matchKey(path[0]) {
			return false
		}
		pat, path = pat[1:], path[1:]
	}
	return len(path) == 0
}

// globFold matches key against the lower-case glob pattern, where '*'
// matches any run of bytes and '?' any one byte, ignoring ASCII case.
func globFold(pattern string, key []byte) bool {
	px, kx := 0, 0
	nextPx, nextKx := -1, -1
	for px < len(pattern) || kx < len(key) {
		if px < len(pattern) {
			c := pattern[px]
			switch {
			case c == '*':
				nextPx, nextKx = px, kx+1
				px++
				continue
			case kx < len(key) && (c == '?' || c == lower(key[kx])):
				px++
				kx++
				continue
			}
		}
		if nextPx >= 0 && nextKx <= len(key) {
			px, kx = nextPx, nextKx
			continue
		}
		return false
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// A pathIndex finds the first of a list of path patterns that matches a key
// path, quickly: patterns whose last key is a literal are looked up by it
// (after a filter on its length and first byte), the others tried in order.
type pathIndex struct {
	patterns []pathPattern
	byLast   map[string][]int
	// lastFilter has bit (first byte of the last key) set in word
	// len(last key)&31 for every literal in byLast: most keys are rejected
	// before hashing.
	lastFilter [32][4]uint64
	// Patterns whose last key is a glob: those of the form "**.*suffix"
	// are listed by the lower-case last byte of their suffix in wildByEnd,
	// the others in wildLast. Both lists are in pattern order.
	wildByEnd [256][]int
	wildLast  []int
}

// add appends a pattern; its index is the number of patterns added before.
func (x *pathIndex) add(pp pathPattern) {
	i := len(x.patterns)
	x.patterns = append(x.patterns, pp)
	if pp.last == "" {
		if l := pp.segs[len(pp.segs)-1]; pp.tailOnly && l.kind == segSuffix && l.s != "" {
			c := l.s[len(l.s)-1]
			x.wildByEnd[c] = append(x.wildByEnd[c], i)
			return
		}
		x.wildLast = append(x.wildLast, i)
		return
	}
	if x.byLast == nil {
		x.byLast = map[string][]int{}
	}
	x.byLast[pp.last] = append(x.byLast[pp.last], i)
	c := pp.last[0]
	x.lastFilter[len(pp.last)&31][c>>6] |= 1 << (c & 63)
}

// first returns the index of the first pattern that matches path, or -1.
// A last key that starts with "X-" or "x_" and meets no pattern is tried
// again without it.
func (x *pathIndex) first(path [][]byte) int {
	if len(x.patterns) == 0 || len(path) == 0 {
		return -1
	}
	best := -1
	last := path[len(path)-1]
	var low [64]byte
	var n int // length of the canonical last key, when it fits in low
	if len(last) <= len(low) {
		n = len(canonicalKey(low[:0], last))
	}
	if n > 0 && x.lastFilter[n&31][low[0]>>6]&(1<<(low[0]&63)) != 0 {
		for _, i := range x.byLast[string(low[:n])] {
			if x.patterns[i].match(path) {
				best = i
				break
			}
		}
	}
	if n := len(last); n > 0 {
		end := last[n-1]
		for k := n - 1; k > 0 && (end == '_' || end == '-'); k-- {
			end = last[k-1]
		}
		for _, i := range x.wildByEnd[lower(end)] {
			if best >= 0 && i > best {
				break
			}
			if x.patterns[i].match(path) {
				best = i
				break
			}
		}
	}
	for _, i := range x.wildLast {
		if best >= 0 && i > best {
			break
		}
		if x.patterns[i].match(path) {
			return i
		}
	}
	if best < 0 && len(last) > 2 && lower(last[0]) == 'x' && (last[1] == '-' || last[1] == '_') {
		path[len(path)-1] = last[2:]
		best = x.first(path)
		path[len(path)-1] = last
	}
	return best
}

// A tailFilter tells from the last two bytes of a key whether a pattern of a
// set can match a path that ends with the key, so that the keys of text
// pairs ("Error: ...", "reason: ...") are mostly turned away without a
// lookup. It never turns away a key that a pattern matches: it holds the
// canonical last two bytes of every literal last key and of every suffix
// glob ("*_token": "en"), and it lets every key through when some pattern
// ends in another kind of key (a prefix glob, "*", "**").
type tailFilter struct {
	all bool // every key may match
	// two has bit tailClass(b) of word tailClass(a) set for a canonical
	// last key ending in "ab"; one has bit tailClass(a) for one of the
	// single byte "a".
	two [64]uint64
	one uint64
	// three has bit tri(a, b, c) set for every three letters "abc" that a
	// key ending in three letters must end with to match (see add).
	three [64]uint64
}

// tri hashes three letter classes (0-25) to a bit of tailFilter.three.
func tri(a, b, c uint8) uint16 { return (uint16(a)*26*26 + uint16(b)*26 + uint16(c)) & 4095 }

// tailClass maps a byte to its class in a tailFilter: ASCII letters of
// either case to one class each, digits to one each, any other byte to 63.
var tailClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z':
			t[c] = uint8(c - 'a')
		case 'A' <= c && c <= 'Z':
			t[c] = uint8(c - 'A')
		case '0' <= c && c <= '9':
			t[c] = uint8(26 + c - '0')
		default:
			t[c] = 63
		}
	}
	return t
}()

// add adds the last key of the pattern pp.
func (f *tailFilter) add(pp pathPattern) {
	defer func() {
		if f.all {
			for i := range f.two {
				f.two[i], f.three[i] = ^uint64(0), ^uint64(0)
			}
		}
	}()
	l := pp.segs[len(pp.segs)-1]
	var s string
	switch l.kind {
	case segLiteral:
		s = l.s
	case segSuffix:
		s = string(canonicalKey(nil, l.s))
		if len(s) < 2 {
			f.all = true
			return
		}
	default:
		f.all = true
		return
	}
	switch n := len(s); n {
	case 0:
		f.all = true
	case 1:
		f.one |= 1 << tailClass[s[0]]
	default:
		f.two[tailClass[s[n-2]]] |= 1 << tailClass[s[n-1]]
	}
	// A key that ends in three letters matches a literal only by its
	// last three bytes (the literal's, when letters; a shorter literal is
	// a whole last key, which such a key is not), and a suffix by the
	// suffix's last three, or by any letter and a suffix of two.
	n := len(s)
	switch {
	case n >= 3 && isLetter(s[n-3]) && isLetter(s[n-2]) && isLetter(s[n-1]):
		h := tri(tailClass[s[n-3]], tailClass[s[n-2]], tailClass[s[n-1]])
		f.three[h>>6] |= 1 << (h & 63)
	case n == 2 && l.kind == segSuffix && isLetter(s[0]) && isLetter(s[1]):
		for a := range uint8(26) {
			h := tri(a, tailClass[s[0]], tailClass[s[1]])
			f.three[h>>6] |= 1 << (h & 63)
		}
	}
}

// lettersEnd answers mayEnd for a key that ends right before v[end] in
// three letters, the common case, without a call: known is false for the
// other keys, which are mayEnd's. It is small enough to be inlined.
func (f *tailFilter) lettersEnd(v []byte, end int) (may, known bool) {
	if end < 3 || end > len(v) {
		return false, false
	}
	h := triWeight[0][v[end-3]] + triWeight[1][v[end-2]] + triWeight[2][v[end-1]]
	if h >= notLetters {
		return false, false
	}
	h &= 4095                                 // as tri
	return f.three[h>>6]>>(h&63)&1 != 0, true // all ones when f.all
}

// triWeight are the terms of tri for the bytes of three letters, and
// notLetters for any other byte.
var triWeight = func() (t [3][256]uint32) {
	for c := range 256 {
		for k, w := range []uint32{26 * 26, 26, 1} {
			t[k][c] = notLetters
			if isLetter(byte(c)) {
				t[k][c] = uint32(tailClass[c]) * w
			}
		}
	}
	return t
}()

// notLetters marks a sum of triWeight terms with a byte that is not a
// letter: more than three letters' terms add up to.
const notLetters = 1 << 15

// mayEnd reports whether a key that ends right before v[end] may match: its
// last two bytes, not counting '_' and '-', are looked at (within its last
// dot-separated part).
func (f *tailFilter) mayEnd(v []byte, end int) bool {
	if f.all {
		return true
	}
	var a, b byte
	n := 0
	for i := end - 1; i >= 0 && n < 2; i-- {
		c := v[i]
		if c == '_' || c == '-' {
			continue
		}
		if !keyChars[c] || c == '.' {
			break
		}
		a, b = c, a
		n++
	}
	switch n {
	case 0:
		return true // no key, or only separators: let the lookup decide
	case 1:
		return f.one>>tailClass[a]&1 != 0
	}
	// "X-c": the extension header of the one-byte key "c".
	return f.two[tailClass[a]]>>tailClass[b]&1 != 0 || a|0x20 == 'x' && f.one>>tailClass[b]&1 != 0
}
