package detectors

import (
	"sort"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// checkNationalParser compares the parser of region with
// phonenumbers.Parse on the digits d.
func checkNationalParser(t *testing.T, region string, p *nationalParser, d string) {
	t.Helper()
	cc, nsn, res := p.parse([]byte(d))
	if res == parseAsk {
		return
	}
	num, err := phonenumbers.Parse(d, region)
	if res == parseFailed {
		if err == nil {
			t.Fatalf("parse(%q) in %s failed, Parse gives %v", d, region, num)
		}
		return
	}
	if err != nil {
		t.Fatalf("parse(%q) in %s = %d %s, Parse fails: %v", d, region, cc, nsn, err)
	}
	got := phoneNumberOf(cc, nsn)
	if got.GetCountryCode() != num.GetCountryCode() || got.GetNationalNumber() != num.GetNationalNumber() ||
		got.GetItalianLeadingZero() != num.GetItalianLeadingZero() || got.GetNumberOfLeadingZeros() != num.GetNumberOfLeadingZeros() {
		t.Fatalf("parse(%q) in %s = %v, Parse gives %v", d, region, got, num)
	}
}

// nationalParsers returns the parser of every region, by region code.
func nationalParsers(t testing.TB) (map[string]*nationalParser, []string) {
	mds, err := phoneMetadata()
	if err != nil {
		t.Fatal(err)
	}
	ps := make(map[string]*nationalParser)
	var regions []string
	for r := range phonenumbers.GetSupportedRegions() {
		md := mds[r]
		if md == nil {
			t.Fatalf("no metadata for %s", r)
		}
		p := newNationalParser(md)
		ps[r] = &p
		regions = append(regions, r)
	}
	sort.Strings(regions)
	return ps, regions
}

// TestNationalParser compares the parser with Parse, for every region, on
// the example numbers of each type written as they are dialled nationally
// (with the national prefix, without it, with the calling code or an
// international prefix in front) and on numbers one edit away.
func TestNationalParser(t *testing.T) {
	ps, regions := nationalParsers(t)
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.UAN,
	}
	fast, parsed := 0, 0
	for _, r := range regions {
		p := ps[r]
		if p.ok {
			fast++
		}
		md, _ := phoneMetadata()
		np := md[r].GetNationalPrefix()
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(r, typ)
			if ex == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			for _, base := range []string{nsn, np + nsn, p.ccDigits + nsn, "00" + p.ccDigits + nsn, "0" + nsn, "1" + nsn} {
				for _, d := range variants(base) {
					if !allDigits(d) {
						continue
					}
					if _, _, res := p.parse([]byte(d)); res == parseDone {
						parsed++
					}
					checkNationalParser(t, r, p, d)
				}
			}
		}
	}
	if fast < 150 || parsed < 10000 {
		t.Errorf("the fast path serves %d regions and parsed %d numbers: too few to mean anything", fast, parsed)
	}
	for _, r := range DefaultPhoneRegions {
		if !ps[r].ok {
			t.Errorf("region %s has no fast path", r)
		}
	}
}

// FuzzNationalParser compares the parser with Parse on strings of 3 to 17
// digits (one per input byte) in every region.
func FuzzNationalParser(f *testing.F) {
	ps, regions := nationalParsers(f)
	f.Add(uint16(0), []byte("02079460958"))
	f.Add(uint16(5), []byte("4155552671"))
	f.Fuzz(func(t *testing.T, k uint16, b []byte) {
		r := regions[int(k)%len(regions)]
		checkNationalParser(t, r, ps[r], fuzzDigits(b, 17))
	})
}
