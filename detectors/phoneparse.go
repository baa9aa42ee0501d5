package detectors

import (
	"regexp/syntax"
	"strconv"

	"github.com/nyaruka/phonenumbers"
)

// A nationalParser reads a string of digits written in a region's national
// format as phonenumbers.Parse(digits, region) does, in the common case,
// without its regular expressions: no international prefix and no calling
// code at the start, and a national prefix pattern whose matches are
// prefix-free and not transformed ("0", "0|180020" in the United Kingdom,
// "(1(?:[12]\d|79)\d\d)|0" in China, whose capture is a carrier code), so
// that the match at the start is unique; it is stripped under the library's
// two conditions. Everything else is left to the library.
// TestNationalParser and FuzzNationalParser compare the two, and
// TestIntlNumber and FuzzIntlNumber the stripping after a calling code.
type nationalParser struct {
	ok       bool      // the region's metadata allows the fast path
	cc       int       // the region's calling code
	ccDigits string    // the calling code in decimal
	prefix   *digitDFA // the national prefix for parsing; nil when there is none
	idd      *digitDFA
	general  *digitDFA // the general description's pattern
	lengths  []int32   // the general description's possible lengths, ascending
	local    []int32   // its lengths possible for local dialling only
}

// Results of nationalParser.parse.
const (
	parseAsk    = iota // the library must parse
	parseFailed        // Parse returns an error
	parseDone          // parsed: the calling code and the national significant number
)

func newNationalParser(md *phonenumbers.PhoneMetadata) nationalParser {
	p := nationalParser{cc: int(md.GetCountryCode())}
	p.ccDigits = strconv.Itoa(p.cc)
	if md.GetNationalPrefixTransformRule() != "" {
		return p
	}
	var err error
	if npp := md.GetNationalPrefixForParsing(); npp != "" {
		if hasAssertions(npp) {
			return p // phoneNFA takes "$" and "\b" as satisfied
		}
		if p.prefix, err = newDigitDFA(npp); err != nil || p.prefix.accept[0] || !p.prefix.prefixFree() {
			return p
		}
	}
	gd := md.GetGeneralDesc()
	if gd == nil || len(gd.GetPossibleLength()) == 0 {
		return p
	}
	if p.idd, err = newDigitDFA(md.GetInternationalPrefix()); err != nil {
		return p
	}
	if p.general, err = newDigitDFA(gd.GetNationalNumberPattern()); err != nil {
		return p
	}
	p.lengths = gd.GetPossibleLength()
	p.local = gd.GetPossibleLengthLocalOnly()
	for k := 1; k < len(p.lengths); k++ {
		if p.lengths[k] <= p.lengths[k-1] {
			return p // the length test below assumes ascending lengths
		}
	}
	p.ok = true
	return p
}

// parse reads d, a string of 3 to 17 ASCII digits. On parseDone it returns
// the calling code and the national significant number (a slice of d).
func (p *nationalParser) parse(d []byte) (cc int, nsn []byte, result int) {
	if !p.ok || len(d) < 3 || len(d) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return 0, nil, parseAsk
	}
	s := string(d) // does not escape: the automata only read it
	if p.idd.prefixLen(s) >= 0 || hasPrefix(d, p.ccDigits) {
		return 0, nil, parseAsk
	}
	nsn = p.strip(d, s)
	if len(nsn) < phonenumbers.MIN_LENGTH_FOR_NSN || len(nsn) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return 0, nil, parseFailed
	}
	return p.cc, nsn, parseDone
}

// strip returns d, the digits of a number of the region without its calling
// code, without the national prefix where Parse strips it (s is d as a
// string). Parse keeps the prefix when the number matches the general
// pattern with it and does not without it, and when what is left is not of
// a length the region's numbers may have. p.ok must be true.
func (p *nationalParser) strip(d []byte, s string) []byte {
	if p.prefix == nil {
		return d
	}
	k := p.prefix.prefixLen(s)
	if k <= 0 || p.general.matches(s) && !p.general.matches(s[k:]) {
		return d
	}
	if l := p.testLength(len(d) - k); l == phonenumbers.TOO_SHORT || l == phonenumbers.IS_POSSIBLE_LOCAL_ONLY || l == phonenumbers.INVALID_LENGTH {
		return d
	}
	return d[k:]
}

// hasAssertions reports whether the pattern pat has empty-width assertions
// ("^", "$", "\b"), or cannot be parsed.
func hasAssertions(pat string) bool {
	re, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return true
	}
	var walk func(*syntax.Regexp) bool
	walk = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
			return true
		}
		for _, sub := range r.Sub {
			if walk(sub) {
				return true
			}
		}
		return false
	}
	return walk(re)
}

// testLength is the library's testNumberLength for the general
// description.
func (p *nationalParser) testLength(n int) phonenumbers.ValidationResult {
	if p.lengths[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	l := int32(n)
	for _, x := range p.local {
		if x == l {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch {
	case p.lengths[0] == l:
		return phonenumbers.IS_POSSIBLE
	case p.lengths[0] > l:
		return phonenumbers.TOO_SHORT
	case p.lengths[len(p.lengths)-1] < l:
		return phonenumbers.TOO_LONG
	}
	for _, x := range p.lengths[1:] {
		if x == l {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// phoneNumberOf builds the number that Parse returns for calling code cc and
// the national significant number nsn (ASCII digits, 17 at most).
func phoneNumberOf(cc int, nsn []byte) *phonenumbers.PhoneNumber {
	var v uint64
	for _, c := range nsn {
		v = v*10 + uint64(c-'0')
	}
	c32 := int32(cc)
	num := &phonenumbers.PhoneNumber{CountryCode: &c32, NationalNumber: &v}
	if len(nsn) >= 2 && nsn[0] == '0' {
		it := true
		num.ItalianLeadingZero = &it
		zeros := 1
		for zeros < len(nsn)-1 && nsn[zeros] == '0' {
			zeros++
		}
		if zeros != 1 {
			z := int32(zeros)
			num.NumberOfLeadingZeros = &z
		}
	}
	return num
}
