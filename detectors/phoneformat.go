package detectors

import (
	"regexp"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// National grouping without the library's regular expressions.
//
// confirm compares how a candidate splits its digits with how the national
// format of its number splits them. phonenumbers.Format(num, NATIONAL)
// takes the first format of the calling code's main region whose leading
// digits start the national significant number (NSN) and whose pattern
// matches it whole, then rewrites the NSN with that pattern's groups: three
// regular expressions or more per number, 2.6 µs here, for numbers that
// rarely repeat in logs. Here the format is chosen with digit automata, and
// where its pattern is a plain sequence of digit groups ("(\d{3})(\d{3,4})"),
// as all 761 national formats of the metadata in use are, the groups the
// rewrite finds depend on the NSN's
// length alone (every digit is a \d): they are worked out once per length
// with the library's own rewrite of a dummy NSN. Any other pattern is left
// to the library. TestNationalBoundaries and FuzzNationalBoundaries compare
// the two.

// A nationalFormat is one NumberFormat of the metadata, compiled.
type nationalFormat struct {
	lead  *digitDFA // the last leading-digits pattern; nil when there is none
	whole *digitDFA // the pattern
	// groups is true when the pattern is a sequence of digit groups; bounds
	// is then the grouping of an NSN of each length (see phoneBoundaries).
	groups bool
	bounds [phonenumbers.MAX_LENGTH_FOR_NSN + 1]uint32
}

// nationalFormats holds the compiled national formats of one calling code.
type nationalFormats struct {
	once    sync.Once
	formats []nationalFormat
	ok      bool // false when a pattern could not be compiled: the library formats
}

// nationalFormatsOf are built on first use, one calling code at a time.
var nationalFormatsOf [1000]nationalFormats

// init compiles the national formats of calling code cc; it is called once.
func (f *nationalFormats) init(cc int) {
	mds, err := phoneMetadata()
	if err != nil {
		return
	}
	regions := phonenumbers.GetRegionCodesForCountryCode(cc)
	if len(regions) == 0 {
		return
	}
	// Format uses the formats of the calling code's main region.
	md := mds[metadataID(regions[0], cc)]
	if md == nil {
		return
	}
	for _, nf := range md.GetNumberFormat() {
		var e nationalFormat
		if ld := nf.GetLeadingDigitsPattern(); len(ld) > 0 {
			if e.lead, err = newDigitDFA(ld[len(ld)-1]); err != nil {
				return
			}
		}
		if e.whole, err = newDigitDFA(nf.GetPattern()); err != nil {
			return
		}
		if groups, ok := phonePatternGroups(nf.GetPattern()); ok {
			re, err := regexp.Compile(nf.GetPattern())
			if err != nil {
				return
			}
			rule := nationalFormatRule(nf)
			lo, hi := 0, 0
			for _, g := range groups {
				lo += g[0]
				hi += g[1]
			}
			for n := max(lo, 1); n <= min(hi, phonenumbers.MAX_LENGTH_FOR_NSN); n++ {
				e.bounds[n] = phoneBoundaries(re.ReplaceAllString(strings.Repeat("5", n), rule), n)
			}
			e.groups = true
		}
		f.formats = append(f.formats, e)
	}
	f.ok = true
}

// firstGroup is the library's FIRST_GROUP_PATTERN.
var firstGroup = regexp.MustCompile(`(\$\d)`)

// nationalFormatRule returns the rewrite template that Format uses for nf in
// the national format: its format with the first group reference replaced by
// the national prefix formatting rule, when nf has one.
func nationalFormatRule(nf *phonenumbers.NumberFormat) string {
	rule := nf.GetFormat()
	np := nf.GetNationalPrefixFormattingRule()
	if np == "" {
		return rule
	}
	done := false
	return firstGroup.ReplaceAllStringFunc(rule, func(s string) string {
		if done {
			return s
		}
		done = true
		return np
	})
}

// nationalBoundaries returns phoneBoundaries(phonenumbers.Format(num,
// phonenumbers.NATIONAL), len(nsn)), where nsn is num's national
// significant number, mostly without formatting.
func nationalBoundaries(num *phonenumbers.PhoneNumber, nsn string) uint32 {
	if cc := int(num.GetCountryCode()); cc > 0 && cc < len(nationalFormatsOf) && len(nsn) <= phonenumbers.MAX_LENGTH_FOR_NSN && allDigits(nsn) {
		f := &nationalFormatsOf[cc]
		f.once.Do(func() { f.init(cc) })
		if f.ok {
			for k := range f.formats {
				e := &f.formats[k]
				if e.lead != nil && e.lead.prefixLen(nsn) < 0 || !e.whole.matches(nsn) {
					continue
				}
				if e.groups {
					return e.bounds[len(nsn)]
				}
				return phoneBoundaries(phonenumbers.Format(num, phonenumbers.NATIONAL), len(nsn))
			}
			// No format: Format writes the NSN as it is, one block.
			return 0
		}
	}
	return phoneBoundaries(phonenumbers.Format(num, phonenumbers.NATIONAL), len(nsn))
}
