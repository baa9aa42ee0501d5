package rules

import (
	"fmt"
	"strings"
)

// A pathPattern is a compiled FieldRule path: dot-separated segments, each a
// literal, a glob ("*_id") or "**".
type pathPattern struct {
	segs []string // lower case
	// last is the final segment when it is a literal, for indexing.
	last string
}

func compilePath(p string) (pathPattern, error) {
	if p == "" {
		return pathPattern{}, fmt.Errorf("empty path")
	}
	segs := strings.Split(strings.ToLower(p), ".")
	for i, s := range segs {
		if s == "" {
			return pathPattern{}, fmt.Errorf("path %q has an empty key", p)
		}
		if strings.Contains(s, "**") && s != "**" {
			return pathPattern{}, fmt.Errorf("path %q: ** must be a whole key", p)
		}
		if s == "**" && i > 0 && segs[i-1] == "**" {
			return pathPattern{}, fmt.Errorf("path %q: ** twice in a row", p)
		}
	}
	pp := pathPattern{segs: segs}
	if l := segs[len(segs)-1]; !strings.ContainsAny(l, "*?") {
		pp.last = l
	}
	return pp, nil
}

// match reports whether the key path matches the pattern.
func (pp *pathPattern) match(path [][]byte) bool {
	return matchSegs(pp.segs, path)
}

func matchSegs(pat []string, path [][]byte) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
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
		if len(path) == 0 || !globFold(pat[0], path[0]) {
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
