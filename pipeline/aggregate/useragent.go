package aggregate

import (
	"github.com/ua-parser/uap-go/uaparser"
)

// maxUALen is the longest User-Agent prefix parsed and cached; longer
// strings are cut, which bounds both the regular-expression work and the
// cache's memory.
const maxUALen = 512

// families are a browser and an operating-system family.
type families struct {
	browser, os string
}

// UAParser maps User-Agent strings to browser and OS families with
// ua-parser's maintained regular expressions (github.com/ua-parser/uap-go),
// behind a bounded LRU cache: the regular expressions are slow, and the
// strings of one service repeat. It is safe for concurrent use.
type UAParser struct {
	p     *uaparser.Parser
	cache *lru[families]
}

// NewUAParser compiles ua-parser's expressions (a few hundred milliseconds)
// and returns a parser caching up to cacheSize strings.
func NewUAParser(cacheSize int) (*UAParser, error) {
	// uap-go's own cache is an unbounded-key ARC per lookup kind; keep it
	// minimal, the LRU in front does the caching.
	p, err := uaparser.New(uaparser.WithMode(uaparser.EUserAgentLookUpMode|uaparser.EOsLookUpMode), uaparser.WithCacheSize(1))
	if err != nil {
		return nil, err
	}
	return &UAParser{p: p, cache: newLRU[families](cacheSize)}, nil
}

// Families returns the browser family ("Chrome", "Mobile Safari",
// "Other") and the OS family ("Android", "iOS", "Other") of ua, as
// ua-parser names them. safe is applied to each family before it is
// cached: a family that ua-parser copied out of an unusual User-Agent
// and that is not a plain token (or that safe rejects) becomes Other.
func (u *UAParser) Families(ua []byte, safe func(string) bool) (browser, os string) {
	if len(ua) > maxUALen {
		ua = ua[:maxUALen]
	}
	if f, ok := u.cache.get(string(ua)); ok {
		return f.browser, f.os
	}
	s := string(ua)
	f := families{browser: u.p.ParseUserAgent(s).Family, os: u.p.ParseOs(s).Family}
	if !plainToken(f.browser) || !safe(f.browser) {
		f.browser = Other
	}
	if !plainToken(f.os) || !safe(f.os) {
		f.os = Other
	}
	u.cache.add(s, f)
	return f.browser, f.os
}
