package detectors

import (
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// checkValidNSN compares validNSN with the library for calling code cc and
// national significant number nsn.
func checkValidNSN(t *testing.T, cc int, nsn string) {
	t.Helper()
	valid, ok := validNSN(cc, nsn)
	if !ok {
		return
	}
	if len(nsn) == 0 || len(nsn) > 17 {
		return
	}
	num := phoneNumberOf(cc, []byte(nsn))
	if phonenumbers.GetNationalSignificantNumber(num) != nsn {
		t.Fatalf("test number for %q built wrong", nsn)
	}
	if want := phonenumbers.IsValidNumber(num); valid != want {
		t.Fatalf("validNSN(%d, %q) = %v, the library says %v", cc, nsn, valid, want)
	}
}

// variants returns nsn and numbers one edit away from it: each digit
// changed, one digit dropped, one added at the end.
func variants(nsn string) []string {
	out := []string{nsn, nsn + "0", nsn + "7"}
	if len(nsn) > 1 {
		out = append(out, nsn[:len(nsn)-1], nsn[1:])
	}
	for k := 0; k < len(nsn); k++ {
		for _, d := range "0159" {
			out = append(out, nsn[:k]+string(d)+nsn[k+1:])
		}
	}
	return out
}

// TestIsValidNumber compares the automata with the library on the example
// numbers of every region and number type and on numbers one edit away from
// them, for every calling code the metadata knows.
func TestIsValidNumber(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	compiled := 0
	for cc := 1; cc < 1000; cc++ {
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		if len(regions) == 0 {
			if _, ok := validNSN(cc, "1234567"); !ok {
				t.Errorf("calling code %d has no regions, but validNSN defers to the library", cc)
			}
			continue
		}
		if _, ok := validNSN(cc, "1"); ok {
			compiled++
		}
		var examples []*phonenumbers.PhoneNumber
		for _, r := range regions {
			if r == "001" {
				examples = append(examples, phonenumbers.GetExampleNumberForNonGeoEntity(cc))
				continue
			}
			for _, typ := range types {
				examples = append(examples, phonenumbers.GetExampleNumberForType(r, typ))
			}
		}
		for _, ex := range examples {
			if ex == nil {
				continue
			}
			for _, nsn := range variants(phonenumbers.GetNationalSignificantNumber(ex)) {
				checkValidNSN(t, cc, nsn)
			}
		}
	}
	if compiled < 200 {
		t.Errorf("only %d calling codes compiled to automata", compiled)
	}
}

// FuzzIsValidNumber compares the automata with the library on digit strings
// of up to 17 digits (each input byte gives one digit) for the known calling
// codes.
func FuzzIsValidNumber(f *testing.F) {
	fuzzNSN(f, checkValidNSN)
}

// fuzzNSN runs check on the calling codes the metadata knows, chosen by the
// fuzz input k, and national numbers of up to 17 digits, one per input
// byte, from seeds in GB, the US and RU.
func fuzzNSN(f *testing.F, check func(t *testing.T, cc int, nsn string)) {
	var ccs []int
	for cc, known := range knownCallingCodes {
		if known {
			ccs = append(ccs, cc)
		}
	}
	f.Add(uint16(30), []byte("2079460958"))
	f.Add(uint16(0), []byte("4155552671"))
	f.Add(uint16(1), []byte("7012345678"))
	f.Fuzz(func(t *testing.T, k uint16, b []byte) {
		check(t, ccs[int(k)%len(ccs)], fuzzDigits(b, 17))
	})
}

// BenchmarkIsValidNumber compares the automata with the library on numbers
// that are not in any cache.
func BenchmarkIsValidNumber(b *testing.B) {
	nums := make([]*phonenumbers.PhoneNumber, 0, 1024)
	for k := 0; k < 1024; k++ {
		num, err := phonenumbers.Parse("+44 7400 "+strconv.Itoa(100000+k*97), "")
		if err != nil {
			b.Fatal(err)
		}
		nums = append(nums, num)
	}
	validNSN(44, "1") // compile outside the timing
	b.Run("automata", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			isValidNumber(nums[i%len(nums)])
		}
	})
	b.Run("library", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			phonenumbers.IsValidNumber(nums[i%len(nums)])
		}
	})
}

// fuzzDigits turns fuzz input into a string of ASCII digits, one per byte,
// max at most.
func fuzzDigits(b []byte, max int) string {
	d := make([]byte, 0, max)
	for i := 0; i < len(b) && len(d) < max; i++ {
		d = append(d, '0'+b[i]%10)
	}
	return string(d)
}
