package detectors

import (
	"fmt"
	"math/bits"
	"regexp/syntax"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone numbers (type phone).
//
// Two spellings are recognised, and every candidate is confirmed with the
// libphonenumber metadata (github.com/nyaruka/phonenumbers, IsValidNumber):
//
//   - International: '+', the country calling code and the national number,
//     for every region the metadata knows, in any common grouping:
//     "+442079460958", "+44 20 7946 0958", "+1 (415) 555-2671", "+49-30-123456",
//     "+687 20.12.34", "+44 (0)20 7946 0958" (a parenthesised "0" after the
//     calling code is dropped where it is the national prefix, and kept
//     where it is part of the number, as in Italy). "00" (and "011" when a
//     NANP region is configured) followed by a calling code is read as '+'
//     ("0044 20 7946 0958", "001-415-555-2671").
//   - National, for the configured regions only, and only in a clearly
//     phone-like shape. A bare run of digits ("4155552671") is never a
//     national phone number: logs are full of numeric ids. The number must
//     be written in at least two groups of digits separated by single ' ',
//     '-' or '.', with an optional '/' after the first group ("030/123456")
//     and optional parentheses around the first group or around the group
//     after a one- or two-digit national prefix ("(415) 555-2671",
//     "8 (495) 123-45-67"). The grouping must follow the region's own
//     national format: the same first group (area code), and at least the
//     format's splits after it, more being allowed ("020 7946 0958", "07911
//     123 456"; not "0207 946 0958", and not "415 5552671", which is also
//     what a status code and a byte count look like). The national prefix
//     may be glued ("020 ..."), alone ("1-800-...") or left out where the
//     region's formats allow it ("98765 43210" in India). Dates ("2015-05-17",
//     "17.05.2015"), dotted numbers of fewer than 8 digits or with 1-digit
//     groups (versions: "537.73.11", "32.0.1700.77"), and the tail of a
//     longer spaced number ("078 [8098 1119]") are rejected. The numbers of
//     the regions that share a configured region's calling code count as
//     national (the whole NANP for US).
//
// An extension written as "x123", " ext. 123" or "ext123" after the number is
// part of the match.
//
// Cost: the metadata library is slow and allocates, so it is only called for
// candidates that pass cheap checks computed when the matcher is built: the
// calling code and the number length for '+' numbers; for national numbers
// the first group, the number length and the first three digits, against
// tables derived from the region's formats (group sizes, leading-digits
// patterns) and number patterns (could a valid number of this length start
// with these digits?), the patterns being evaluated with a small NFA
// simulation. Rejected candidates cost tens of nanoseconds and never
// allocate; a confirmed number costs about 30 µs.

const (
	// phoneMaxDigits is the most digits a candidate collects: 15 for E.164
	// plus an international prefix such as "00" or "011".
	phoneMaxDigits = 18
	// phoneMaxGroups is the most groups of digits a candidate has.
	phoneMaxGroups = 8
	// phoneMaxNSN is the longest national significant number considered.
	phoneMaxNSN = 17
	// phoneMaxFirst is the longest first group a national shape may have.
	phoneMaxFirst = 31
	// phoneMaxTries bounds the metadata look-ups for one candidate.
	phoneMaxTries = 3
)

// National writing modes of the national prefix (trunk prefix, e.g. "0").
const (
	modeBare  = iota // no national prefix: "(415) 555-2671", "98765 43210"
	modeGlued        // prefix glued to the first group: "020 7946 0958"
	modeSep          // prefix as a group of its own: "1-800-555-0199"
	modeCount
)

// phoneRegion holds what the national-format check needs for one region.
type phoneRegion struct {
	code string // ISO 3166-1 alpha-2
	np   string // national prefix digits, or ""
	// first[mode][n] has bit c set when a national significant number (NSN)
	// of n digits is written, in that mode, with a first group of c NSN
	// digits according to the region's formats.
	first [modeCount][phoneMaxNSN + 1]uint32
	// lead[mode][n][c] indexes, in leads, the 3-digit NSN prefixes that the
	// formats behind first[mode][n] bit c apply to (their leading-digits
	// patterns); 0 when the bit is not set.
	lead  [modeCount][phoneMaxNSN + 1][phoneMaxFirst + 1]uint16
	leads [][16]uint64
	// leadGroups[k] is the fewest groups the formats behind leads[k] split
	// the NSN into: a candidate with fewer groups merges some of them.
	leadGroups []uint8
	// valid[n] has bit p set when some valid number of the region has an
	// NSN of n digits whose first three digits are p (000..999).
	valid [phoneMaxNSN + 1][16]uint64
	// checkFormat is false for regions without national formats, whose
	// numbers are written in one block: there is no first group to compare.
	checkFormat bool
	// parser reads national numbers as Parse does, mostly without it.
	parser nationalParser
}

// phoneMatcher finds phone numbers. It is immutable after construction and
// safe for concurrent use.
type phoneMatcher struct {
	regions []phoneRegion
	// ccMin[cc] and ccMax[cc] bound the digits (calling code included) of a
	// valid international number with calling code cc; ccMax is 0 when cc
	// is not assigned.
	ccMin, ccMax [1000]uint8
	// ccTrunk0[cc] is true when the national prefix of calling code cc is
	// "0", so that "+cc (0)..." drops the 0.
	ccTrunk0 [1000]bool
	// idd011 is true when "011" is accepted as an international prefix.
	idd011 bool
	// quick[mode][n] is the union of the regions' first[mode][n]: a
	// candidate that fits no region's shape is rejected without looking at
	// the regions one by one. It is only used when every national prefix
	// has one digit (quickOK).
	quick   [modeCount][phoneMaxNSN + 1]uint32
	quickOK bool
	// npDigits has bit d set when some region's national prefix is d.
	npDigits uint16
	// quickValid is the union of the regions' valid tables.
	quickValid [phoneMaxNSN + 1][16]uint64
	// verdicts caches the library's answers.
	verdicts *verdictCache
	// cued are the regions whose national numbers are found after a cue
	// (phonecue.go).
	cued []*phoneRegion
	// cuedBare is the union of the cued regions' valid tables, and
	// cuedNP[d] that of the cued regions whose national prefix is the one
	// digit d: together they answer cuedPlausible with two look-ups, where
	// the loop over the regions cost hundreds of instructions per long
	// digit run (pids, offsets, ids). cuedLongNP is true when some cued
	// region has a longer national prefix, which only the loop handles.
	cuedBare   [phoneMaxNSN + 1][16]uint64
	cuedNP     [10][phoneMaxNSN + 1][16]uint64
	cuedLongNP bool
}

// newPhoneMatcher builds a matcher that recognises international numbers of
// every region, national numbers of regions (ISO 3166-1 alpha-2 codes,
// case-insensitive), and after a cue word those of regions and cueRegions
// in any grouping. It fails on a region the metadata does not know.
func newPhoneMatcher(regions, cueRegions []string) (*phoneMatcher, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, fmt.Errorf("load phone metadata: %w", err)
	}
	byRegion := make(map[string]*phonenumbers.PhoneMetadata)
	byCode := make(map[int32][]*phonenumbers.PhoneMetadata)
	m := &phoneMatcher{verdicts: &verdictCache{}}
	for _, md := range coll.GetMetadata() {
		if md.GetId() != "001" {
			byRegion[md.GetId()] = md
			byCode[md.GetCountryCode()] = append(byCode[md.GetCountryCode()], md)
		}
		cc := int(md.GetCountryCode())
		if cc <= 0 || cc >= 1000 {
			continue
		}
		if md.GetNationalPrefix() == "0" {
			m.ccTrunk0[cc] = true
		}
		lo, hi := 99, 0
		for _, l := range md.GetGeneralDesc().GetPossibleLength() {
			if l > 0 {
				lo = min(lo, int(l))
				hi = max(hi, int(l))
			}
		}
		if hi == 0 {
			continue
		}
		ccd := len(fmt.Sprint(cc))
		lo, hi = lo+ccd, min(hi+ccd, 17)
		if m.ccMax[cc] == 0 || lo < int(m.ccMin[cc]) {
			m.ccMin[cc] = uint8(lo)
		}
		if hi > int(m.ccMax[cc]) {
			m.ccMax[cc] = uint8(hi)
		}
	}
	seen := make(map[string]bool)
	for k, r := range append(regions[:len(regions):len(regions)], cueRegions...) {
		code := strings.ToUpper(strings.TrimSpace(r))
		md := byRegion[code]
		if md == nil {
			return nil, fmt.Errorf("phone region %q: not a region with phone-number metadata", r)
		}
		if seen[code] {
			continue
		}
		seen[code] = true
		pr, err := cachedPhoneRegion(code, md, byCode[md.GetCountryCode()])
		if err != nil {
			return nil, fmt.Errorf("phone region %q: %w", code, err)
		}
		m.cued = append(m.cued, pr)
		if k >= len(regions) {
			continue
		}
		m.regions = append(m.regions, *pr)
		if md.GetCountryCode() == 1 {
			m.idd011 = true
		}
	}
	for _, r := range m.cued {
		for n := range r.valid {
			for w, bits := range r.valid[n] {
				m.cuedBare[n][w] |= bits
				if len(r.np) == 1 {
					m.cuedNP[r.np[0]-'0'][n][w] |= bits
				}
			}
		}
		m.cuedLongNP = m.cuedLongNP || len(r.np) > 1
	}
	m.quickOK = true
	for k := range m.regions {
		r := &m.regions[k]
		if len(r.np) > 1 {
			m.quickOK = false
		}
		if len(r.np) == 1 {
			m.npDigits |= 1 << (r.np[0] - '0')
		}
		for mode := range r.first {
			for n, bits := range r.first[mode] {
				m.quick[mode][n] |= bits
			}
		}
		for n := range r.valid {
			for w, bits := range r.valid[n] {
				m.quickValid[n][w] |= bits
			}
		}
	}
	return m, nil
}

// phoneToks is a candidate split into groups of digits.
type phoneToks struct {
	nd  int                   // digits collected
	d   [phoneMaxDigits]byte  // the digits
	ng  int                   // groups
	end [phoneMaxGroups]int   // byte offset just past group g (past ')' if any)
	cnt [phoneMaxGroups]int   // digits collected up to and including group g
	sep [phoneMaxGroups]byte  // separator byte after group g, 0 if none
	gl  [phoneMaxGroups]uint8 // digits in group g
	par [phoneMaxGroups]bool  // group g is in parentheses
	// trunkAt is the index in d, plus one, of a parenthesised "0" right
	// after the first group ("+44 (0)20"); 0 when there is none.
	trunkAt int
}

// tokenize reads groups of digits starting at b[p], as far as they look like
// one number, and records where a parenthesised "0" follows the first group
// (see matchIntl). Which groups may be parenthesised is parenOK's rule.
func (t *phoneToks) tokenize(b []byte, p int, intl bool) {
	var sep0 byte
	slash := false
	for t.ng < phoneMaxGroups {
		q := p
		open := false
		if q < len(b) && b[q] == '(' && t.parenOK(intl) {
			open = true
			q++
		}
		if q >= len(b) || !numDigit(b[q]) {
			break
		}
		e := numRun(b, q, phoneMaxDigits+1)
		glen := e - q
		after := e
		if open {
			if e >= len(b) || b[e] != ')' {
				break
			}
			after = e + 1
		}
		if t.nd+glen > phoneMaxDigits {
			break
		}
		if intl && open && glen == 1 && b[q] == '0' && t.ng == 1 {
			t.trunkAt = t.nd + 1
		}
		copy(t.d[t.nd:], b[q:e])
		t.nd += glen
		g := t.ng
		t.end[g], t.cnt[g], t.gl[g], t.par[g] = after, t.nd, uint8(min(glen, 255)), open
		t.ng++
		p = after
		if p >= len(b) {
			break
		}
		c := b[p]
		if c == '(' && t.parenOK(intl) {
			continue
		}
		if open && numDigit(c) {
			continue
		}
		if c != ' ' && c != '-' && c != '.' && c != '/' {
			break
		}
		if p+1 >= len(b) || !(numDigit(b[p+1]) || (b[p+1] == '(' && t.parenOK(intl))) {
			break
		}
		switch {
		case c == '/':
			if slash || t.ng != 1 {
				return
			}
			slash = true
		case intl && t.ng == 1:
			// The separator after the calling code is free: "+687 20.12.34".
		case sep0 != 0 && (c == '.') != (sep0 == '.'):
			return
		case sep0 == 0:
			sep0 = c
		}
		t.sep[g] = c
		p++
	}
}

// parenOK reports whether the next group may be in parentheses: in
// international mode any group after the calling code ("+1 (415)", "+44
// (0)20"); in national mode the first group ("(415) 555-2671") or the group
// after a national prefix of one or two digits ("8 (495) 123-45-67",
// "1 (800) 555-0199").
func (t *phoneToks) parenOK(intl bool) bool {
	if intl {
		return t.ng >= 1
	}
	return t.ng == 0 || (t.ng == 1 && t.gl[0] <= 2 && !t.par[0])
}

// phoneExt returns the end of an extension ("x123", " ext. 123", "ext123")
// that follows a number ending at b[e], or e if there is none.
func phoneExt(b []byte, e int) int {
	p := e
	if p < len(b) && b[p] == ' ' {
		p++
	}
	switch {
	case p < len(b) && (b[p]|0x20) == 'x':
		p++
	case p+3 <= len(b) && (b[p]|0x20) == 'e' && (b[p+1]|0x20) == 'x' && (b[p+2]|0x20) == 't':
		p += 3
		if p < len(b) && (b[p] == '.' || (b[p]|0x20) == 'n') {
			p++
		}
	default:
		return e
	}
	if p < len(b) && b[p] == ' ' {
		p++
	}
	q := numRun(b, p, 8)
	if q == p || q-p > 7 || !numEndsAt(b, q) {
		return e
	}
	return q
}

// phoneEnd returns where a number whose digits end at b[e] ends, extension
// included, or -1 if it runs into letters or a longer number.
func phoneEnd(b []byte, e int) int {
	if x := phoneExt(b, e); x != e {
		return x
	}
	if !numEndsAt(b, e) {
		return -1
	}
	return e
}

// match returns the end (exclusive) of a phone number that starts at b[i], or
// -1. It is called when b[i] is '+', '(' or an ASCII digit, and i == 0 or
// b[i-1] is not an ASCII letter or digit. Rejections do not allocate.
func (m *phoneMatcher) match(b []byte, i int) int {
	if m == nil || i < 0 || i >= len(b) {
		return -1
	}
	c := b[i]
	if c == '+' {
		// A calling code never starts with 0 ("+0000" is a time zone).
		if i+1 >= len(b) || b[i+1]-'1' >= 9 {
			return -1
		}
		if i > 0 && b[i-1] == '(' {
			return m.matchParenCode(b, i)
		}
		var t phoneToks
		t.tokenize(b, i+1, true)
		return m.matchIntl(b, &t, 0)
	}
	if c != '(' && !numDigit(c) {
		return -1
	}
	// A digit right after '+' was tried as an international number; digits
	// right after "1." or "1-" continue a longer number; digits right after
	// "1 " or ") " are the tail of a longer spaced number that was already
	// offered whole ("078 8098 1119", "(08) 8747 6301").
	if i > 0 && b[i-1] == '+' || numContinuesBefore(b, i) || phoneInsideGroups(b, i) {
		return -1
	}
	if c != '(' && m.runRejected(b, i) {
		return -1
	}
	return m.matchNationalAt(b, i)
}

// matchParenCode matches an international number whose calling code is in
// parentheses, "(+49) 151 23456789", "(+62) 812-3456-7890", from the '+'
// at b[i] (b[i-1] is the '('): the number without the ')' must be valid.
// It returns the end of the number, or -1. A number whose code is not
// closed there is read as any other ("(+1 415 555 2671)").
func (m *phoneMatcher) matchParenCode(b []byte, i int) int {
	j := i + 1
	for j < len(b) && j-i <= 4 && numDigit(b[j]) {
		j++
	}
	if j-i > 4 || j+2 >= len(b) || b[j] != ')' {
		var t phoneToks
		t.tokenize(b, i+1, true)
		return m.matchIntl(b, &t, 0)
	}
	if b[j+1] != ' ' && b[j+1] != '-' || !numDigit(b[j+2]) {
		return -1
	}
	// The number as if written without the ')': at most a number's
	// length of b is copied.
	var buf [40]byte
	n := copy(buf[:], b[i:j])
	n += copy(buf[n:], b[j+1:])
	end := m.match(buf[:n], 0)
	if end <= j-i {
		return -1
	}
	end += i + 1 // back in b, past the ')'
	if end < len(b) && numAlnum(b[end]) {
		return -1 // b went on where the copy was cut
	}
	return end
}

// runRejected reports whether the digits at b[i] cannot start a national or
// "00"-prefixed number, by what tokenize would make of them, without
// tokenizing: most digit runs in logs (pids, offsets, sizes, ids) stand
// alone, and one group of digits is only ever a cued national number
// (matchCued) of seven to phoneMaxNSN digits that ends where a number may
// end and that some cue region's tables allow. A run longer than
// phoneMaxDigits is no number at all: tokenize keeps no group of it.
// TestPhoneRunRejected checks that match answers as matchNationalAt alone.
func (m *phoneMatcher) runRejected(b []byte, i int) bool {
	p := numRun(b, i, phoneMaxDigits+1)
	l := p - i
	if l > phoneMaxDigits {
		return true
	}
	if p < len(b) {
		// Where tokenize would read a second group, the run is not alone:
		// the same conditions as its own (parenOK for a first group of
		// one or two digits).
		c := b[p]
		if c == '(' && l <= 2 {
			return false
		}
		if (c == ' ' || c == '-' || c == '.' || c == '/') && p+1 < len(b) && (numDigit(b[p+1]) || b[p+1] == '(' && l <= 2) {
			return false
		}
	}
	return l < phoneCueMinDigits || l > phoneMaxNSN || len(m.cued) == 0 || phoneEnd(b, p) < 0 || !m.cuedPlausible(b[i:p])
}

// matchNationalAt is match for a national or "00"-prefixed candidate at
// b[i], a digit or '(' that match has let through.
func (m *phoneMatcher) matchNationalAt(b []byte, i int) int {
	var t phoneToks
	t.tokenize(b, i, false)
	if phoneDateLike(&t) || phoneVersionLike(&t) {
		return -1
	}
	if t.ng < 2 || t.nd < 5 {
		return m.matchCued(b, i, &t)
	}
	end := m.matchNational(b, &t)
	// "00 44 20 7946 0958", "0044 20 7946 0958", "001-415-555-2671". Where
	// both readings are valid ("011 44 20 7946 0958" is also a Delhi number
	// followed by more digits) the longer match wins.
	idd := 0
	switch {
	case t.d[0] == '0' && t.d[1] == '0':
		idd = 2
	case m.idd011 && t.d[0] == '0' && t.d[1] == '1' && t.d[2] == '1' && (t.gl[0] == 3 || phoneCues.before(b, i, phoneCueWindow, phoneCueMaxWords)):
		// "011" glued to the calling code ("011225 057230 1560") is how an
		// HDFS line starts (date, time, pid): only "011 225 ..." or a
		// cue reads it as a prefix.
		idd = 3
	}
	if idd > 0 {
		end = max(end, m.matchIDD(b, &t, idd))
	}
	if end < 0 {
		end = m.matchCued(b, i, &t)
	}
	return end
}

// phoneInsideGroups reports whether b[i] starts a later group of a spaced
// or parenthesised number: the byte before it is ')' or a space that
// follows a digit or ')'.
func phoneInsideGroups(b []byte, i int) bool {
	if i < 1 || i > len(b) {
		return false
	}
	switch b[i-1] {
	case ')':
		return true
	case ' ':
		return i >= 2 && (numDigit(b[i-2]) || b[i-2] == ')')
	}
	return false
}

// matchNational matches the longest prefix of t's groups (two at least)
// that is a valid national number of a configured region in a shape its
// formats use.
func (m *phoneMatcher) matchNational(b []byte, t *phoneToks) int {
	tries := 0
	for g := t.ng - 1; g >= 1; g-- {
		if m.quickOK && !m.quickFits(t, g) {
			continue
		}
		end := phoneEnd(b, t.end[g])
		if end < 0 {
			continue
		}
		for k := range m.regions {
			r := &m.regions[k]
			if !r.plausible(t, g) {
				continue
			}
			if tries++; tries > phoneMaxTries {
				return -1
			}
			var groups uint32
			for q := 0; q < g; q++ {
				if c := t.cnt[q]; c < 32 {
					groups |= 1 << uint(c)
				}
			}
			key, cacheable := makeVerdictKey(verdictNational, uint8(k), groups|uint32(g)<<27, t.d[:t.cnt[g]])
			ok, found := m.verdicts.get(&key, cacheable)
			if !found {
				ok = r.confirm(t, g)
				m.verdicts.put(&key, cacheable, ok)
			}
			if ok {
				return end
			}
		}
	}
	return -1
}

// quickFits reports whether the first g+1 groups of t fit the shape of
// some configured region, assuming national prefixes of at most one digit.
func (m *phoneMatcher) quickFits(t *phoneToks, g int) bool {
	n := t.cnt[g]
	c := int(t.gl[0])
	if n < 3 || n > phoneMaxNSN+1 || c > phoneMaxFirst {
		return false
	}
	if n <= phoneMaxNSN && m.quick[modeBare][n]&(1<<uint(c)) != 0 && phoneBit(&m.quickValid[n], t.d[:3]) {
		return true
	}
	n--
	if n < 3 || m.npDigits&(1<<(t.d[0]-'0')) == 0 || !phoneBit(&m.quickValid[n], t.d[1:4]) {
		return false
	}
	if c == 1 {
		c2 := int(t.gl[1])
		return c2 <= phoneMaxFirst && m.quick[modeSep][n]&(1<<uint(c2)) != 0
	}
	return m.quick[modeGlued][n]&(1<<uint(c-1)) != 0
}

// phoneBit reports whether the bit of the 3-digit prefix d (ASCII digits)
// is set in set.
func phoneBit(set *[16]uint64, d []byte) bool {
	if len(d) < 3 || !numDigit(d[0]) || !numDigit(d[1]) || !numDigit(d[2]) {
		return false
	}
	p := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	return set[p>>6]&(1<<uint(p&63)) != 0
}

// matchIDD matches a number written with an international prefix of n
// digits in place of '+'. The first group must be the prefix alone or the
// prefix and the calling code.
func (m *phoneMatcher) matchIDD(b []byte, t *phoneToks, n int) int {
	if t.par[0] {
		return -1
	}
	first := int(t.gl[0])
	if first != n {
		_, ccLen := m.callingCode(t.d[n:t.nd])
		if ccLen == 0 || first != n+ccLen {
			return -1
		}
	}
	return m.matchIntl(b, t, n)
}

// callingCode returns the calling code that d starts with and its length in
// digits, or 0, 0. Calling codes are prefix-free.
func (m *phoneMatcher) callingCode(d []byte) (cc, n int) {
	v := 0
	for k := 0; k < 3 && k < len(d); k++ {
		v = v*10 + int(d[k]-'0')
		if m.ccMax[v] != 0 {
			return v, k + 1
		}
	}
	return 0, 0
}

// matchIntl confirms an international number whose digits, after skip
// digits of international prefix, start with the calling code.
func (m *phoneMatcher) matchIntl(b []byte, t *phoneToks, skip int) int {
	if t.nd <= skip {
		return -1
	}
	cc, ccLen := m.callingCode(t.d[skip:t.nd])
	if ccLen == 0 {
		return -1
	}
	// Nobody writes a calling code split over two groups ("+4 4 20 ...",
	// "+8 2000000"): such a run is a count or an id, not a phone number.
	for g := 0; g < t.ng && t.cnt[g] < skip+ccLen; g++ {
		if t.cnt[g] > skip {
			return -1
		}
	}
	// "+44 (0)20 ...": the parenthesised 0 is the national prefix, not
	// dialled from abroad, where the calling code's national prefix is 0
	// and the first group is exactly the calling code. Elsewhere ("+39
	// (0)6 ...", Italy has no national prefix) the 0 is part of the number.
	drop := t.trunkAt > 0 && m.ccTrunk0[cc] && int(t.gl[0]) == skip+ccLen
	if end := m.intlGroups(b, t, skip, cc, ccLen, drop, verdictIntlValid); end > 0 || skip > 0 {
		return end
	}
	// Written with an explicit '+', a number whose length is possible for
	// its calling code is a phone number even when the metadata does not
	// list its range as assigned: test numbers, new ranges, fake data in
	// test environments. Recall first; "00"-prefixed readings stay strict.
	return m.intlGroups(b, t, skip, cc, ccLen, drop, verdictIntlPossible)
}

// intlGroups tries the digit groups of t from the longest reading to the
// shortest and returns the end of the first that the library accepts as a
// number of the kind (valid or possible), or -1.
func (m *phoneMatcher) intlGroups(b []byte, t *phoneToks, skip, cc, ccLen int, drop bool, kind uint8) int {
	tries := 0
	for g := t.ng - 1; g >= 0; g-- {
		var buf [phoneMaxDigits]byte
		d := append(buf[:0], t.d[skip:t.cnt[g]]...)
		if drop && t.trunkAt-1 < t.cnt[g] {
			k := t.trunkAt - 1 - skip
			d = append(d[:k], d[k+1:]...)
		}
		if len(d) < int(m.ccMin[cc]) || len(d) > int(m.ccMax[cc]) || t.cnt[g] < skip+ccLen {
			continue
		}
		end := phoneEnd(b, t.end[g])
		if end < 0 {
			continue
		}
		if tries++; tries > phoneMaxTries {
			return -1
		}
		key, cacheable := makeVerdictKey(kind, 0, 0, d)
		ok, found := m.verdicts.get(&key, cacheable)
		if !found {
			if kind == verdictIntlPossible {
				ok = m.phonePossibleIntl(d)
			} else {
				ok = m.phoneValidIntl(d)
			}
			m.verdicts.put(&key, cacheable, ok)
		}
		if ok {
			return end
		}
	}
	return -1
}

// phoneValidIntl reports whether digits (calling code first) form a valid
// international number. It allocates.
func (m *phoneMatcher) phoneValidIntl(digits []byte) bool {
	num, ok := m.intlNumber(digits)
	return ok && isValidNumber(num)
}

// phonePossibleIntl reports whether digits (calling code first) have a
// length that a full number of the calling code's region may have (lengths
// that are only possible for local dialling do not count). It allocates.
func (m *phoneMatcher) phonePossibleIntl(digits []byte) bool {
	num, ok := m.intlNumber(digits)
	return ok && phonenumbers.IsPossibleNumberWithReason(num) == phonenumbers.IS_POSSIBLE
}

// allDigits reports whether s is made of ASCII digits only (true when empty).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// knownCallingCodes marks the calling codes the phone metadata has regions
// for, as Parse looks them up.
var knownCallingCodes = func() (t [1000]bool) {
	for cc := range t {
		t[cc] = len(phonenumbers.GetRegionCodesForCountryCode(cc)) > 0
	}
	return t
}()

// intlNumber returns the number that phonenumbers.Parse("+"+digits, "")
// returns for a string of ASCII digits, most often without parsing: Parse
// normalises the text, looks for an extension and reads the digits again,
// which takes longer than the validation that follows (10 against 7 µs per
// number here). Like Parse, it takes as the calling code the shortest prefix
// of one to three digits that the metadata knows, keeps the rest as the
// national number with its leading zeros counted (Italy), and fails where
// the rest is shorter or longer than any national number. Parse also strips
// a national prefix written after the calling code ("+370 8..."), as the
// calling code's main region parses it (see nationalParser.strip); where
// that parser cannot, Parse itself is called. TestIntlNumber and
// FuzzIntlNumber check the result against Parse.
func (m *phoneMatcher) intlNumber(digits []byte) (*phonenumbers.PhoneNumber, bool) {
	if len(digits) == 0 || digits[0] == '0' {
		return nil, false // calling codes do not begin with 0
	}
	cc, n := 0, 0
	for k := 0; k < phonenumbers.MAX_LENGTH_COUNTRY_CODE && k < len(digits); k++ {
		cc = cc*10 + int(digits[k]-'0')
		if knownCallingCodes[cc] {
			n = k + 1
			break
		}
	}
	if n == 0 {
		return nil, false
	}
	nsn := digits[n:]
	if len(nsn) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return nil, false
	}
	p := mainParser(cc)
	if !p.ok {
		num, err := phonenumbers.Parse("+"+string(digits), "")
		return num, err == nil
	}
	nsn = p.strip(nsn, string(nsn))
	if len(nsn) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return nil, false
	}
	return phoneNumberOf(cc, nsn), true
}

// phoneDateLike reports whether a three-group candidate has the shape of a
// date ("2015-05-17", "17.05.2015", "05/17/2015"), which is never read as a
// phone number.
func phoneDateLike(t *phoneToks) bool {
	if t.ng < 3 || t.sep[0] == ' ' {
		return false
	}
	a, b, c := t.gl[0], t.gl[1], t.gl[2]
	return (a == 4 && b == 2 && c == 2) || (a == 2 && b == 2 && c == 4) || (a <= 2 && b <= 2 && c == 4)
}

// phoneVersionLike reports whether a candidate separated by dots looks like
// a version or a dotted number rather than a phone number: fewer than eight
// digits ("537.73.11") or a group of one digit ("32.0.1700.77").
func phoneVersionLike(t *phoneToks) bool {
	if t.sep[0] != '.' && (t.ng < 2 || t.sep[1] != '.') {
		return false
	}
	if t.nd < 8 {
		return true
	}
	for g := 0; g < t.ng; g++ {
		if t.gl[g] < 2 {
			return true
		}
	}
	return false
}

// plausible reports whether the first g+1 groups of t can be a national
// number of r, using only the precomputed tables.
func (r *phoneRegion) plausible(t *phoneToks, g int) bool {
	d := t.d[:t.cnt[g]]
	first := int(t.gl[0])
	if r.np != "" && len(d) > len(r.np) && string(d[:len(r.np)]) == r.np {
		npl := len(r.np)
		if first == npl && g >= 1 {
			if r.fits(modeSep, d[npl:], int(t.gl[1]), g) {
				return true
			}
		} else if first > npl && r.fits(modeGlued, d[npl:], first-npl, g+1) {
			return true
		}
	}
	return r.fits(modeBare, d, first, g+1)
}

// fits reports whether an NSN nsn written in groups groups, the first of c
// digits, in the given mode, has a known format and could be valid.
func (r *phoneRegion) fits(mode int, nsn []byte, c, groups int) bool {
	n := len(nsn)
	if n < 3 || n > phoneMaxNSN || c > phoneMaxFirst || r.first[mode][n]&(1<<uint(c)) == 0 {
		return false
	}
	k := r.lead[mode][n][c]
	return groups >= int(r.leadGroups[k]) && phoneBit(&r.leads[k], nsn) && phoneBit(&r.valid[n], nsn)
}

// confirm parses the first g+1 groups of t as a national number of r and
// checks that it is valid and grouped as r's national format groups it. It
// allocates.
func (r *phoneRegion) confirm(t *phoneToks, g int) bool {
	nd := t.cnt[g]
	var num *phonenumbers.PhoneNumber
	var nsnDigits string
	switch cc, digits, res := r.parser.parse(t.d[:nd]); res {
	case parseFailed:
		return false
	case parseDone:
		num, nsnDigits = phoneNumberOf(cc, digits), string(digits)
	default:
		var err error
		if num, err = phonenumbers.Parse(string(t.d[:nd]), r.code); err != nil {
			return false
		}
		nsnDigits = phonenumbers.GetNationalSignificantNumber(num)
	}
	if !validNumber(num, nsnDigits) {
		return false
	}
	nsn := len(nsnDigits)
	if !r.checkFormat {
		return true
	}
	if nsn == 0 || nsn > nd {
		return false
	}
	// The candidate's group boundaries, in NSN digits: the digits before the
	// NSN (the national prefix, stripped by Parse) are skipped.
	skip := nd - nsn
	var cand uint32
	for k := 0; k < g; k++ {
		if b := t.cnt[k] - skip; b > 0 && b < nsn && b < 32 {
			cand |= 1 << uint(b)
		}
	}
	want := nationalBoundaries(num, nsnDigits)
	// The candidate's first group is the format's first group (the area
	// code), and the candidate splits the rest at least where the national
	// format does ("020 7946 0958", also "07911 123 456" for "07911
	// 123456"), not fewer ("415 5552671" is not written for "(415)
	// 555-2671": a status code and a byte count in a log look just like
	// it).
	return want != 0 && cand&want == want && bits.TrailingZeros32(cand) == bits.TrailingZeros32(want)
}

// phoneBoundaries returns the group boundaries of formatted, a national
// format of a number whose NSN has nsn digits, as a bit set of NSN digit
// counts; digits before the NSN (the national prefix) are skipped. It is 0
// for a number formatted as one block.
func phoneBoundaries(formatted string, nsn int) uint32 {
	total := 0
	for k := 0; k < len(formatted); k++ {
		if numDigit(formatted[k]) {
			total++
		}
	}
	skip := total - nsn
	n := 0
	var set uint32
	for k := 0; k < len(formatted); k++ {
		if numDigit(formatted[k]) {
			n++
			continue
		}
		if b := n - skip; b > 0 && b < nsn && b < 32 {
			set |= 1 << uint(b)
		}
	}
	return set
}

// buildPhoneRegion derives the national-format tables of one region from
// its metadata. The regions that share its calling code (the NANP behind
// US, GG/JE/IM behind GB) share its national numbering plan: their numbers
// are national numbers of the region too, so their number patterns are
// added to the validity table.
func buildPhoneRegion(code string, md *phonenumbers.PhoneMetadata, plan []*phonenumbers.PhoneMetadata) (*phoneRegion, error) {
	r := &phoneRegion{code: code, np: md.GetNationalPrefix(), parser: newNationalParser(md)}
	if !allDigits(r.np) {
		r.np = ""
	}
	var lengths uint32
	for _, o := range plan {
		for _, l := range o.GetGeneralDesc().GetPossibleLength() {
			if l > 0 && l <= phoneMaxNSN {
				lengths |= 1 << uint(l)
			}
		}
	}
	// Numbers are formatted with the formats of the main region of the
	// calling code when the region has none of its own (CA uses US's).
	formats := md.GetNumberFormat()
	for _, o := range plan {
		if len(formats) == 0 && o.GetMainCountryForCode() {
			formats = o.GetNumberFormat()
		}
	}
	r.leads = make([][16]uint64, 1) // index 0: the empty set
	r.leadGroups = make([]uint8, 1)
	add := func(mode, n, c int, set *[16]uint64, groups int) {
		r.first[mode][n] |= 1 << uint(c)
		k := r.lead[mode][n][c]
		if k == 0 {
			r.leads = append(r.leads, [16]uint64{})
			r.leadGroups = append(r.leadGroups, uint8(groups))
			k = uint16(len(r.leads) - 1)
			r.lead[mode][n][c] = k
		}
		for w := range set {
			r.leads[k][w] |= set[w]
		}
		r.leadGroups[k] = min(r.leadGroups[k], uint8(groups))
	}
	var all [16]uint64
	for w := range all {
		all[w] = ^uint64(0)
	}
	r.checkFormat = len(formats) > 0
	for _, f := range formats {
		groups, ok := phonePatternGroups(f.GetPattern())
		firstLo, firstHi, totLo, totHi, display := 1, 8, 1, phoneMaxNSN, 2
		if ok {
			firstLo, firstHi, display = phoneDisplayGroups(f.GetFormat(), groups)
			totLo, totHi = 0, 0
			for _, g := range groups {
				totLo += g[0]
				totHi += g[1]
			}
		}
		leading := &all
		if ld := f.GetLeadingDigitsPattern(); len(ld) > 0 {
			set, err := phoneLeadingSet(ld[len(ld)-1])
			if err != nil {
				return nil, fmt.Errorf("leading digits of format %q: %w", f.GetPattern(), err)
			}
			leading = set
		}
		lit, glued := phoneRuleLiteral(f.GetNationalPrefixFormattingRule())
		bare := lit == "" || f.GetNationalPrefixOptionalWhenFormatting()
		for n := max(totLo, 1); n <= min(totHi, phoneMaxNSN); n++ {
			if lengths&(1<<uint(n)) == 0 {
				continue
			}
			for c := firstLo; c <= min(firstHi, n, phoneMaxFirst); c++ {
				if bare {
					add(modeBare, n, c, leading, display)
				}
				if r.np != "" {
					// "1-800-...": the prefix alone is common in any region.
					add(modeSep, n, c, leading, display)
					if lit != "" && glued {
						add(modeGlued, n, c, leading, display)
					}
				}
			}
		}
	}
	if !r.checkFormat {
		for n := 1; n <= phoneMaxNSN; n++ {
			if lengths&(1<<uint(n)) == 0 {
				continue
			}
			for c := 1; c < n && c <= phoneMaxFirst; c++ {
				for mode := 0; mode < modeCount; mode++ {
					add(mode, n, c, &all, 2)
				}
			}
		}
	}
	seen := make(map[string]bool)
	for _, o := range plan {
		for _, desc := range []*phonenumbers.PhoneNumberDesc{
			o.GetFixedLine(), o.GetMobile(), o.GetTollFree(), o.GetPremiumRate(),
			o.GetSharedCost(), o.GetPersonalNumber(), o.GetVoip(), o.GetPager(),
			o.GetUan(), o.GetVoicemail(),
		} {
			pat := desc.GetNationalNumberPattern()
			if pat == "" || pat == "NA" || seen[pat] {
				continue
			}
			seen[pat] = true
			if err := phoneAddPrefixes(&r.valid, pat); err != nil {
				return nil, fmt.Errorf("number pattern of %s: %w", o.GetId(), err)
			}
		}
	}
	return r, nil
}

// phonePatternGroups parses a format pattern such as `(\d{3})(\d{3,4})(\d)`
// into the digit-count range of each group.
func phonePatternGroups(pat string) ([][2]int, bool) {
	var groups [][2]int
	for k := 0; k < len(pat); {
		if !strings.HasPrefix(pat[k:], `(\d`) {
			return nil, false
		}
		k += 3
		lo, hi := 1, 1
		if k < len(pat) && pat[k] == '{' {
			e := strings.IndexByte(pat[k:], '}')
			if e < 0 {
				return nil, false
			}
			spec := pat[k+1 : k+e]
			k += e + 1
			a, b, found := strings.Cut(spec, ",")
			var err error
			if _, err = fmt.Sscan(a, &lo); err != nil {
				return nil, false
			}
			hi = lo
			if found {
				if _, err = fmt.Sscan(b, &hi); err != nil {
					return nil, false
				}
			}
		} else if k < len(pat) && pat[k] == '+' {
			hi = phoneMaxNSN
			k++
		}
		if k >= len(pat) || pat[k] != ')' || lo < 1 || hi < lo {
			return nil, false
		}
		k++
		groups = append(groups, [2]int{lo, hi})
	}
	return groups, len(groups) > 0
}

// phoneDisplayGroups returns the digit-count range of the first group a
// format string such as "$1 $2-$3" or "($1) $2" displays (the pattern groups
// referenced before the first separator) and the number of groups it
// displays.
func phoneDisplayGroups(format string, groups [][2]int) (lo, hi, n int) {
	k := 0
	for k < len(format) && format[k] != '$' {
		k++
	}
	for k+1 < len(format) && format[k] == '$' && numDigit(format[k+1]) {
		g := int(format[k+1] - '1')
		if g >= 0 && g < len(groups) {
			lo += groups[g][0]
			hi += groups[g][1]
		}
		k += 2
	}
	if hi == 0 {
		return 1, 8, 1
	}
	adjacent := false
	for k := 0; k < len(format); k++ {
		if format[k] == '$' && k+1 < len(format) && numDigit(format[k+1]) {
			if !adjacent {
				n++
			}
			adjacent = true
			k++
			continue
		}
		adjacent = false
	}
	return lo, hi, n
}

// phoneRuleLiteral returns the national-prefix digits a formatting rule such
// as "0$1", "(0$1)", "0 $1" or "8 ($1)" writes before the first group, and
// whether they touch it.
func phoneRuleLiteral(rule string) (lit string, glued bool) {
	k := strings.Index(rule, "$1")
	if k < 0 {
		return "", false
	}
	var sb strings.Builder
	for _, c := range rule[:k] {
		if c >= '0' && c <= '9' {
			sb.WriteRune(c)
		}
	}
	return sb.String(), k > 0 && numDigit(rule[k-1])
}

// phoneNFA is a regular expression of digits compiled to an NFA, for
// questions about the numbers it can match that Go's regexp does not answer
// (can a number with this prefix match?).
type phoneNFA struct {
	prog  *syntax.Prog
	words int        // length of a state set in uint64 words
	dig   []uint16   // digits consumed by each instruction (0: consumes none)
	clo   []phoneClo // closure of each instruction, computed on demand
}

// phoneClo is an epsilon closure: the consuming instructions reachable
// without consuming, and whether a match is.
type phoneClo struct {
	set   []uint64
	match bool
	done  bool
}

func newPhoneNFA(pat string) (*phoneNFA, error) {
	re, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	n := len(prog.Inst)
	a := &phoneNFA{prog: prog, words: (n + 63) / 64, dig: make([]uint16, n), clo: make([]phoneClo, n)}
	for pc := range prog.Inst {
		in := &prog.Inst[pc]
		switch in.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			for d := 0; d < 10; d++ {
				if in.MatchRune(rune('0' + d)) {
					a.dig[pc] |= 1 << uint(d)
				}
			}
		}
	}
	return a, nil
}

// closure returns the epsilon closure of instruction pc. Empty-width
// assertions are taken as satisfied: number patterns are matched whole.
func (a *phoneNFA) closure(pc uint32) *phoneClo {
	c := &a.clo[pc]
	if c.done {
		return c
	}
	c.done = true
	c.set = make([]uint64, a.words)
	seen := make([]bool, len(a.prog.Inst))
	stack := []uint32{pc}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		in := &a.prog.Inst[p]
		switch in.Op {
		case syntax.InstMatch:
			c.match = true
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			stack = append(stack, in.Out)
		case syntax.InstFail:
		default:
			if a.dig[p] != 0 {
				c.set[p>>6] |= 1 << (p & 63)
			}
		}
	}
	return c
}

// start returns the state set before any digit.
func (a *phoneNFA) start() []uint64 {
	return a.closure(uint32(a.prog.Start)).set
}

// step returns the state set after consuming digit d from s, and whether
// the digits consumed so far are a match.
func (a *phoneNFA) step(s []uint64, d int) ([]uint64, bool) {
	out := make([]uint64, a.words)
	match := false
	for w, x := range s {
		for x != 0 {
			pc := w*64 + bits.TrailingZeros64(x)
			x &= x - 1
			if a.dig[pc]&(1<<uint(d)) == 0 {
				continue
			}
			c := a.closure(a.prog.Inst[pc].Out)
			match = match || c.match
			for k := range out {
				out[k] |= c.set[k]
			}
		}
	}
	return out, match
}

// forEachPrefix calls fn with every 3-digit prefix p whose state set is not
// empty or which matched on the way (match: some prefix of p's digits is a
// whole match).
func (a *phoneNFA) forEachPrefix(fn func(p int, s []uint64, match bool)) {
	s0 := a.start()
	for d0 := 0; d0 < 10; d0++ {
		s1, m1 := a.step(s0, d0)
		if isEmpty(s1) && !m1 {
			continue
		}
		for d1 := 0; d1 < 10; d1++ {
			s2, m2 := a.step(s1, d1)
			if isEmpty(s2) && !m1 && !m2 {
				continue
			}
			for d2 := 0; d2 < 10; d2++ {
				s3, m3 := a.step(s2, d2)
				fn(d0*100+d1*10+d2, s3, m1 || m2 || m3)
			}
		}
	}
}

// phoneAddPrefixes sets valid[n] bit p for every length n and 3-digit prefix
// p such that some string of n digits starting with p fully matches pat.
func phoneAddPrefixes(valid *[phoneMaxNSN + 1][16]uint64, pat string) error {
	a, err := newPhoneNFA(pat)
	if err != nil {
		return err
	}
	// fin[t]: consuming instructions from which exactly t more digits
	// (their own included) reach a match.
	const maxT = phoneMaxNSN - 3
	var fin [maxT + 1][]uint64
	for t := 1; t <= maxT; t++ {
		fin[t] = make([]uint64, a.words)
		for pc := range a.prog.Inst {
			if a.dig[pc] == 0 {
				continue
			}
			c := a.closure(a.prog.Inst[pc].Out)
			if (t == 1 && c.match) || (t > 1 && intersects(c.set, fin[t-1])) {
				fin[t][pc>>6] |= 1 << (uint(pc) & 63)
			}
		}
	}
	s0 := a.start()
	for d0 := 0; d0 < 10; d0++ {
		s1, _ := a.step(s0, d0)
		if isEmpty(s1) {
			continue
		}
		for d1 := 0; d1 < 10; d1++ {
			s2, _ := a.step(s1, d1)
			if isEmpty(s2) {
				continue
			}
			for d2 := 0; d2 < 10; d2++ {
				s3, m3 := a.step(s2, d2)
				p := d0*100 + d1*10 + d2
				if m3 {
					valid[3][p>>6] |= 1 << uint(p&63)
				}
				for l := 4; l <= phoneMaxNSN; l++ {
					if intersects(s3, fin[l-3]) {
						valid[l][p>>6] |= 1 << uint(p&63)
					}
				}
			}
		}
	}
	return nil
}

// phoneLeadingSet returns the 3-digit prefixes of the numbers a format's
// leading-digits pattern admits (libphonenumber matches it at the start of
// the number, "lookingAt"): a prefix is in the set when the pattern matches
// part of it or may still match after it.
func phoneLeadingSet(pat string) (*[16]uint64, error) {
	a, err := newPhoneNFA(pat)
	if err != nil {
		return nil, err
	}
	var set [16]uint64
	a.forEachPrefix(func(p int, s []uint64, match bool) {
		if match || !isEmpty(s) {
			set[p>>6] |= 1 << uint(p&63)
		}
	})
	return &set, nil
}

func intersects(a, b []uint64) bool {
	for k := range a {
		if a[k]&b[k] != 0 {
			return true
		}
	}
	return false
}

func isEmpty(a []uint64) bool {
	for _, x := range a {
		if x != 0 {
			return false
		}
	}
	return true
}
