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

// A segment is one compiled key pattern, in lower case.
type segment struct {
	kind segKind
	s    string // the literal, prefix, suffix, infix or glob
}

func compileSegment(s string) segment {
	stars := strings.Count(s, "*")
	switch {
	case s == "**":
		return segment{kind: segAnyDepth}
	case s == "*":
		return segment{kind: segAny}
	case strings.Contains(s, "?"):
		return segment{kind: segGlob, s: s}
	case stars == 0:
		return segment{kind: segLiteral, s: s}
	case stars == 1 && s[len(s)-1] == '*':
		return segment{kind: segPrefix, s: s[:len(s)-1]}
	case stars == 1 && s[0] == '*':
		return segment{kind: segSuffix, s: s[1:]}
	case stars == 2 && s[0] == '*' && s[len(s)-1] == '*':
		return segment{kind: segContains, s: s[1 : len(s)-1]}
	}
	return segment{kind: segGlob, s: s}
}

// matchKey reports whether key matches the segment, ignoring ASCII case.
func (g *segment) matchKey(key []byte) bool {
	switch g.kind {
	case segAny, segAnyDepth:
		return true
	case segLiteral:
		return len(key) == len(g.s) && equalFold(key, g.s)
	case segPrefix:
		return len(key) >= len(g.s) && equalFold(key[:len(g.s)], g.s)
	case segSuffix:
		return len(key) >= len(g.s) && equalFold(key[len(key)-len(g.s):], g.s)
	case segContains:
		for i := 0; i+len(g.s) <= len(key); i++ {
			if equalFold(key[i:i+len(g.s)], g.s) {
				return true
			}
		}
		return false
	}
	return globFold(g.s, key)
}

// equalFold compares key with the lower-case s, ignoring the ASCII case of
// key. The lengths must be equal.
func equalFold(key []byte, s string) bool {
	for i := 0; i < len(s); i++ {
		if lower(key[i]) != s[i] {
			return false
		}
	}
	return true
}

func compilePath(p string) (pathPattern, error) {
	if p == "" {
		return pathPattern{}, fmt.Errorf("empty path")
	}
	raw := strings.Split(strings.ToLower(p), ".")
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
	if l := pp.segs[len(pp.segs)-1]; l.kind == segLiteral {
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
func (x *pathIndex) first(path [][]byte) int {
	if len(x.patterns) == 0 || len(path) == 0 {
		return -1
	}
	best := -1
	last := path[len(path)-1]
	if n := len(last); n > 0 && n <= 64 && x.lastFilter[n&31][lower(last[0])>>6]&(1<<(lower(last[0])&63)) != 0 {
		var low [64]byte
		for i, c := range last {
			low[i] = lower(c)
		}
		for _, i := range x.byLast[string(low[:len(last)])] {
			if x.patterns[i].match(path) {
				best = i
				break
			}
		}
	}
	if n := len(last); n > 0 {
		for _, i := range x.wildByEnd[lower(last[n-1])] {
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
	return best
}
