package detectors

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// checkNationalBoundaries compares nationalBoundaries with the grouping of
// the library's national format for calling code cc and NSN nsn.
func checkNationalBoundaries(t *testing.T, cc int, nsn string) {
	t.Helper()
	if len(nsn) == 0 || len(nsn) > 17 {
		return
	}
	num := phoneNumberOf(cc, []byte(nsn))
	if phonenumbers.GetNationalSignificantNumber(num) != nsn {
		t.Fatalf("test number for %q built wrong", nsn)
	}
	formatted := phonenumbers.Format(num, phonenumbers.NATIONAL)
	if got, want := nationalBoundaries(num, nsn), phoneBoundaries(formatted, len(nsn)); got != want {
		t.Fatalf("nationalBoundaries(+%d %s) = %b, the library formats %q: %b", cc, nsn, got, formatted, want)
	}
}

// TestNationalBoundaries compares the compiled national formats with the
// library on the example numbers of every region and number type and on
// numbers one edit away from them, for every calling code.
func TestNationalBoundaries(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	compiled, grouped, formats := 0, 0, 0
	for cc := 1; cc < 1000; cc++ {
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		if len(regions) == 0 {
			continue
		}
		for _, r := range regions {
			var examples []*phonenumbers.PhoneNumber
			if r == "001" {
				examples = append(examples, phonenumbers.GetExampleNumberForNonGeoEntity(cc))
			}
			for _, typ := range types {
				examples = append(examples, phonenumbers.GetExampleNumberForType(r, typ))
			}
			for _, ex := range examples {
				if ex == nil || int(ex.GetCountryCode()) != cc {
					continue
				}
				for _, nsn := range variants(phonenumbers.GetNationalSignificantNumber(ex)) {
					checkNationalBoundaries(t, cc, nsn)
				}
			}
		}
		if f := &nationalFormatsOf[cc]; f.ok {
			compiled++
			for _, e := range f.formats {
				formats++
				if e.groups {
					grouped++
				}
			}
		}
	}
	t.Logf("%d calling codes compiled, %d of %d formats are sequences of groups", compiled, grouped, formats)
	// Nearly every calling code compiles, and nearly every format is a
	// sequence of groups: otherwise the library would still do the work.
	if compiled < 200 || grouped < formats*9/10 {
		t.Errorf("%d calling codes compiled, %d of %d formats are sequences of groups", compiled, grouped, formats)
	}
}

// FuzzNationalBoundaries compares the compiled national formats with the
// library on digit strings of up to 17 digits for the known calling codes.
func FuzzNationalBoundaries(f *testing.F) {
	fuzzNSN(f, checkNationalBoundaries)
}

// BenchmarkNationalBoundaries compares the compiled formats with the
// library's Format on numbers that are not in any cache.
func BenchmarkNationalBoundaries(b *testing.B) {
	nums := make([]*phonenumbers.PhoneNumber, 0, 1024)
	nsns := make([]string, 0, 1024)
	for k := 0; k < 1024; k++ {
		num := phoneNumberOf(44, []byte("74009"+string(rune('0'+k%10))+"12345"))
		nums = append(nums, num)
		nsns = append(nsns, phonenumbers.GetNationalSignificantNumber(num))
	}
	nationalBoundaries(nums[0], nsns[0]) // compile outside the timing
	b.Run("automata", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			nationalBoundaries(nums[i%len(nums)], nsns[i%len(nsns)])
		}
	})
	b.Run("library", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			phoneBoundaries(phonenumbers.Format(nums[i%len(nums)], phonenumbers.NATIONAL), len(nsns[i%len(nsns)]))
		}
	})
}

// TestNationalFormatRule checks the template of the national format: the
// first group reference replaced by the national prefix formatting rule,
// as Format does it ("$1 $2" with "0$1" gives "0$1 $2").
func TestNationalFormatRule(t *testing.T) {
	nf := &phonenumbers.NumberFormat{}
	for _, c := range []struct{ format, np, want string }{
		{"$1 $2", "0$1", "0$1 $2"},
		{"$1 $2 $3", "($1)", "($1) $2 $3"},
		{"$1-$2", "", "$1-$2"},
		{"$2 $1", "8 $1", "8 $1 $1"}, // the rule names $1 itself, as in the metadata
	} {
		format, np := c.format, c.np
		nf.Format, nf.NationalPrefixFormattingRule = &format, &np
		if got := nationalFormatRule(nf); got != c.want {
			t.Errorf("nationalFormatRule(%q, %q) = %q, want %q", c.format, c.np, got, c.want)
		}
	}
}
