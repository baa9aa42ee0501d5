package detectors

import (
	"errors"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Phone-number validation without the library's regular expressions.
//
// phonenumbers.IsValidNumber matches the national significant number
// against ten or more regular expressions of its region (the general
// pattern, then one per number type), which costs about 7 µs per number on
// this project's machine. Numbers in logs rarely repeat, so the verdict
// cache does not hide that cost. isValidNumber gives the same answer from
// deterministic automata over the ten digits, compiled from the same
// metadata the first time a calling code is asked about; TestIsValidNumber
// and FuzzIsValidNumber compare the two.

// A digitDFA is a deterministic automaton over the digits 0-9 that accepts
// the strings a metadata pattern matches whole.
type digitDFA struct {
	next   [][10]int32 // the state after each digit; -1: no match is possible
	accept []bool
}

// digitDFAMaxStates bounds an automaton; a pattern that needs more is left
// to the library.
const digitDFAMaxStates = 1 << 14

var errDFATooBig = errors.New("automaton too large")

// newDigitDFA compiles pat, a regular expression of the phone metadata, by
// the subset construction over phoneNFA.
func newDigitDFA(pat string) (*digitDFA, error) {
	a, err := newPhoneNFA(pat)
	if err != nil {
		return nil, err
	}
	dfa := &digitDFA{}
	ids := make(map[string]int32)
	var sets [][]uint64
	key := make([]byte, 0, 8*a.words+1)
	add := func(s []uint64, match bool) int32 {
		if !match && isEmpty(s) && len(sets) > 0 {
			return -1
		}
		key = key[:0]
		for _, w := range s {
			key = strconv.AppendUint(key, w, 36)
			key = append(key, ',')
		}
		if match {
			key = append(key, 'm')
		}
		if id, ok := ids[string(key)]; ok {
			return id
		}
		id := int32(len(sets))
		ids[string(key)] = id
		sets = append(sets, s)
		dfa.next = append(dfa.next, [10]int32{})
		dfa.accept = append(dfa.accept, match)
		return id
	}
	c := a.closure(uint32(a.prog.Start))
	add(c.set, c.match) // state 0, even when nothing matches
	for q := 0; q < len(sets); q++ {
		if len(sets) > digitDFAMaxStates {
			return nil, errDFATooBig
		}
		for d := 0; d < 10; d++ {
			s, m := a.step(sets[q], d)
			dfa.next[q][d] = add(s, m)
		}
	}
	return dfa, nil
}

// matches reports whether the automaton accepts digits (ASCII) whole.
func (a *digitDFA) matches(digits string) bool {
	q := int32(0)
	for k := 0; k < len(digits); k++ {
		if q = a.next[q][digits[k]-'0']; q < 0 {
			return false
		}
	}
	return a.accept[q]
}

// prefixFree reports whether no string the automaton accepts is a prefix
// of another: no accepting state goes on.
func (a *digitDFA) prefixFree() bool {
	for q, acc := range a.accept {
		if !acc {
			continue
		}
		for _, r := range a.next[q] {
			if r >= 0 {
				return false
			}
		}
	}
	return true
}

// prefixLen returns the length of the shortest prefix of digits that the
// automaton accepts (for a prefix-free one, the only such prefix), the empty
// one included, or -1 when it accepts none.
func (a *digitDFA) prefixLen(digits string) int {
	q := int32(0)
	for k := 0; k < len(digits); k++ {
		if a.accept[q] {
			return k
		}
		if q = a.next[q][digits[k]-'0']; q < 0 {
			return -1
		}
	}
	if a.accept[q] {
		return len(digits)
	}
	return -1
}

// A numberDesc is a PhoneNumberDesc of the metadata as the library tests a
// number against it: a length in lengths (when there are any), and a whole
// match of the pattern.
type numberDesc struct {
	lengths uint32 // bit n: length n is possible; 0: any length
	dfa     *digitDFA
}

func newNumberDesc(d *phonenumbers.PhoneNumberDesc) (numberDesc, error) {
	var nd numberDesc
	if d == nil {
		return nd, nil // matches nothing
	}
	for _, l := range d.PossibleLength {
		if l >= 0 && l < 32 {
			nd.lengths |= 1 << uint(l)
		} else {
			// -1 marks a type the region does not have; any other
			// value makes the length test fail for every number too.
			nd.lengths |= 1 << 31
		}
	}
	dfa, err := newDigitDFA(d.GetNationalNumberPattern())
	if err != nil {
		return nd, err
	}
	nd.dfa = dfa
	return nd, nil
}

func (d *numberDesc) matches(nsn string) bool {
	if d.dfa == nil {
		return false
	}
	if d.lengths != 0 && (len(nsn) >= 31 || d.lengths&(1<<uint(len(nsn))) == 0) {
		return false
	}
	return d.dfa.matches(nsn)
}

// A regionValidator decides what the library's number-type test decides
// for one region: whether a national significant number matches the
// general description and one of the type descriptions. Its automata are
// compiled when it is first asked: of the 25 regions that share the
// calling code 1, most numbers only ever need the United States'.
type regionValidator struct {
	md      *phonenumbers.PhoneMetadata
	leading *digitDFA // the region's leading digits, when it shares its calling code
	once    sync.Once
	built   bool // the automata below compiled
	general numberDesc
	types   []numberDesc // premium rate to fixed line, in the library's order
	mobile  numberDesc   // tested unless the fixed-line and mobile patterns are the same
	sameFM  bool
}

func newRegionValidator(md *phonenumbers.PhoneMetadata) (*regionValidator, error) {
	v := &regionValidator{md: md, sameFM: md.GetSameMobileAndFixedLinePattern()}
	if ld := md.GetLeadingDigits(); ld != "" {
		var err error
		if v.leading, err = newDigitDFA(ld); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// build compiles the region's descriptions; built stays false when one of
// them cannot be compiled.
func (v *regionValidator) build() {
	md := v.md
	var err error
	if v.general, err = newNumberDesc(md.GetGeneralDesc()); err != nil {
		return
	}
	for _, d := range []*phonenumbers.PhoneNumberDesc{
		md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(), md.GetVoip(),
		md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine(),
	} {
		nd, err := newNumberDesc(d)
		if err != nil {
			return
		}
		v.types = append(v.types, nd)
	}
	if v.mobile, err = newNumberDesc(md.GetMobile()); err != nil {
		return
	}
	v.built = true
}

// known reports whether the library's getNumberTypeHelper would return a
// type other than UNKNOWN for nsn; ok is false when the region's automata
// could not be compiled.
func (v *regionValidator) known(nsn string) (known, ok bool) {
	v.once.Do(v.build)
	if !v.built {
		return false, false
	}
	if !v.general.matches(nsn) {
		return false, true
	}
	for k := range v.types {
		if v.types[k].matches(nsn) {
			return true, true
		}
	}
	return !v.sameFM && v.mobile.matches(nsn), true
}

// A callingCodeValidator holds the validators of the regions that share a
// calling code, in the library's order (the main region first), and the
// parser of its main region, which reads the national number after the
// calling code.
type callingCodeValidator struct {
	once    sync.Once
	regions []*regionValidator // nil when the library must decide
	main    nationalParser     // main.ok is false when the library must parse
}

// callingCodeValidators are built on first use, one calling code at a time.
var callingCodeValidators [1000]callingCodeValidator

// phoneMetadata indexes the metadata by metadataID.
var phoneMetadata = sync.OnceValues(func() (map[string]*phonenumbers.PhoneMetadata, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, err
	}
	m := make(map[string]*phonenumbers.PhoneMetadata)
	for _, md := range coll.GetMetadata() {
		m[metadataID(md.GetId(), int(md.GetCountryCode()))] = md
	}
	return m, nil
})

// metadataID names the metadata of region: the region code, or for the
// non-geographic calling codes, which all share the region "001", "001/"
// and the calling code cc.
func metadataID(region string, cc int) string {
	if region == "001" {
		return "001/" + strconv.Itoa(cc)
	}
	return region
}

// init compiles what c holds for calling code cc; it is called once.
func (c *callingCodeValidator) init(cc int) {
	mds, err := phoneMetadata()
	if err != nil {
		return
	}
	var rs []*regionValidator
	for k, region := range phonenumbers.GetRegionCodesForCountryCode(cc) {
		md := mds[metadataID(region, cc)]
		if md == nil || int(md.GetCountryCode()) != cc {
			return
		}
		if k == 0 {
			c.main = newNationalParser(md)
		}
		v, err := newRegionValidator(md)
		if err != nil {
			return
		}
		rs = append(rs, v)
	}
	c.regions = rs
}

// validators returns the validators of calling code cc's regions, or nil
// when one of them could not be compiled (the caller asks the library).
func (c *callingCodeValidator) validators(cc int) []*regionValidator {
	c.once.Do(func() { c.init(cc) })
	return c.regions
}

// mainParser returns the parser of calling code cc's main region (ok false
// when the library must parse), for cc in [1, 1000).
func mainParser(cc int) *nationalParser {
	c := &callingCodeValidators[cc]
	c.once.Do(func() { c.init(cc) })
	return &c.main
}

// validNSN reports whether the national significant number nsn (ASCII
// digits) of calling code cc is valid, as phonenumbers.IsValidNumber
// decides: the region is the only one of the calling code, or the first
// whose leading digits start nsn or (for a region without leading digits)
// whose types know nsn. ok is false when the library must be asked.
func validNSN(cc int, nsn string) (valid, ok bool) {
	if cc <= 0 || cc >= len(callingCodeValidators) {
		return false, false
	}
	for k := 0; k < len(nsn); k++ {
		if nsn[k] < '0' || nsn[k] > '9' {
			return false, false
		}
	}
	rs := callingCodeValidators[cc].validators(cc)
	if rs == nil {
		return false, len(phonenumbers.GetRegionCodesForCountryCode(cc)) == 0
	}
	if len(rs) == 1 {
		return rs[0].known(nsn)
	}
	for _, r := range rs {
		if r.leading != nil {
			if r.leading.prefixLen(nsn) >= 0 {
				return r.known(nsn)
			}
		} else if known, ok := r.known(nsn); known || !ok {
			return known, ok
		}
	}
	return false, true
}

// isValidNumber is phonenumbers.IsValidNumber(num), mostly without its
// regular expressions.
func isValidNumber(num *phonenumbers.PhoneNumber) bool {
	return validNumber(num, phonenumbers.GetNationalSignificantNumber(num))
}

// validNumber is isValidNumber for a number whose national significant
// number nsn the caller already has.
func validNumber(num *phonenumbers.PhoneNumber, nsn string) bool {
	if valid, ok := validNSN(int(num.GetCountryCode()), nsn); ok {
		return valid
	}
	return phonenumbers.IsValidNumber(num)
}
