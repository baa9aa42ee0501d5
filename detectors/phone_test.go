package detectors

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"
)

func newTestPhoneMatcher(t testing.TB, regions ...string) *phoneMatcher {
	t.Helper()
	if len(regions) == 0 {
		regions = DefaultPhoneRegions
	}
	m, err := newPhoneMatcher(regions, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewPhoneMatcherRegions(t *testing.T) {
	if _, err := newPhoneMatcher([]string{"US", "XX"}, nil); err == nil {
		t.Error(`newPhoneMatcher("US", "XX") succeeded, want an error for the unknown region`)
	}
	if _, err := newPhoneMatcher([]string{"001"}, nil); err == nil {
		t.Error(`newPhoneMatcher("001") succeeded, want an error: 001 is not a region`)
	}
	m, err := newPhoneMatcher([]string{"gb", "GB", " de "}, nil)
	if err != nil {
		t.Fatalf("newPhoneMatcher(gb, GB, de): %v", err)
	}
	if len(m.regions) != 2 {
		t.Errorf("newPhoneMatcher(gb, GB, de) has %d regions, want 2", len(m.regions))
	}
	// No national regions: international numbers only.
	m, err = newPhoneMatcher(nil, nil)
	if err != nil {
		t.Fatalf("newPhoneMatcher(nil, nil): %v", err)
	}
	if got := findAll(m.match, "d(+", "call +44 20 7946 0958 or 020 7946 0958"); !cmp.Equal(got, []string{"+44 20 7946 0958"}) {
		t.Errorf("newPhoneMatcher(nil, nil) found %q, want only the international number", got)
	}
}

// phoneRegionsSorted returns every region the metadata supports.
func phoneRegionsSorted() []string {
	var rs []string
	for r := range phonenumbers.GetSupportedRegions() {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return rs
}

// TestPhoneExampleNumbersInternational is the generated table of the issue:
// for every region, the metadata's example number in E.164 and
// INTERNATIONAL format is found with its exact span, also in a sentence.
func TestPhoneExampleNumbersInternational(t *testing.T) {
	m := newTestPhoneMatcher(t)
	var numbers []*phonenumbers.PhoneNumber
	var names []string
	for _, r := range phoneRegionsSorted() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			if n := phonenumbers.GetExampleNumberForType(r, typ); n != nil {
				numbers = append(numbers, n)
				names = append(names, r)
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if n := phonenumbers.GetExampleNumberForNonGeoEntity(cc); n != nil {
			numbers = append(numbers, n)
			names = append(names, "001")
		}
	}
	if len(numbers) < 400 {
		t.Fatalf("only %d example numbers", len(numbers))
	}
	for k, n := range numbers {
		for _, f := range []phonenumbers.PhoneNumberFormat{phonenumbers.E164, phonenumbers.INTERNATIONAL} {
			s := phonenumbers.Format(n, f)
			for _, line := range []string{s, "call " + s + ".", `{"tel":"` + s + `"}`, "tel:" + s + " ok"} {
				got := findAll(m.match, "d(+", line)
				if diff := cmp.Diff([]string{s}, got); diff != "" {
					t.Errorf("%s %q: (-want +got)\n%s", names[k], line, diff)
				}
			}
		}
	}
}

// TestPhoneExampleNumbersNational formats the example numbers of a set of
// regions in their NATIONAL format and checks that a matcher configured
// with that region finds them with their exact span.
func TestPhoneExampleNumbersNational(t *testing.T) {
	regions := append([]string{"AU", "BR", "ES", "IT", "JP", "NL", "MX", "RU", "ZA", "CA", "CH", "SE", "PL", "KR"}, DefaultPhoneRegions...)
	for _, r := range regions {
		m := newTestPhoneMatcher(t, r)
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			n := phonenumbers.GetExampleNumberForType(r, typ)
			if n == nil {
				continue
			}
			s := phonenumbers.Format(n, phonenumbers.NATIONAL)
			if !strings.ContainsAny(s, " -./()") {
				continue // written as one block: never a national match
			}
			line := "tel " + s + "; ok"
			got := findAll(m.match, "d(+", line)
			if diff := cmp.Diff([]string{s}, got); diff != "" {
				t.Errorf("%s %q: (-want +got)\n%s", r, line, diff)
			}
		}
	}
}

// TestPhoneExampleNumbersNationalAllRegions runs the national check for
// every region: each region's example fixed-line, mobile and toll-free
// numbers, formatted NATIONAL, are found with their exact span by a matcher
// configured with that region. The exceptions are spellings outside the
// recognised shapes.
func TestPhoneExampleNumbersNationalAllRegions(t *testing.T) {
	unsupported := map[string]bool{
		"09 15-2345-6789": true, // AR: national prefix and mobile token 15
		"8 0152 45-09-11": true, // BY: "8 0" before the area code
		"8 029 491-19-11": true, // BY
		"(06 1) 234 5678": true, // HU: a space inside the parentheses
		"(0-312) 34567":   true, // LT: a dash inside the parentheses
		"(0-612) 34567":   true, // LT
		"20.12.34":        true, // NC: dotted, 6 digits (reads as a version)
		"75.12.34":        true, // NC
		"05.00.12":        true, // NC
		"(8 12) 34-56-78": true, // TM: a space inside the parentheses
	}
	found, total := 0, 0
	for _, r := range phoneRegionsSorted() {
		m := newTestPhoneMatcher(t, r)
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE} {
			n := phonenumbers.GetExampleNumberForType(r, typ)
			if n == nil {
				continue
			}
			s := phonenumbers.Format(n, phonenumbers.NATIONAL)
			if !strings.ContainsAny(s, " -./()") {
				continue // one block: never a national match
			}
			total++
			got := findAll(m.match, "d(+", "tel "+s+"; ok")
			ok := len(got) == 1 && got[0] == s
			if ok {
				found++
			}
			if ok == unsupported[s] {
				t.Errorf("%s %q: found %q (listed as unsupported: %v)", r, s, got, unsupported[s])
			}
		}
	}
	t.Logf("national example numbers found: %d / %d", found, total)
}

func TestMatchPhone(t *testing.T) {
	m := newTestPhoneMatcher(t)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		// International.
		{"e164", "sms to +14155552671 sent", []string{"+14155552671"}},
		{"uk spaced", "+44 20 7946 0958", []string{"+44 20 7946 0958"}},
		{"us parens", "+1 (415) 555-2671", []string{"+1 (415) 555-2671"}},
		{"us glued parens", "+1(415)555-2671", []string{"+1(415)555-2671"}},
		{"de dashes", "+49-30-123456", []string{"+49-30-123456"}},
		{"dots", "+33.1.23.45.67.89", []string{"+33.1.23.45.67.89"}},
		{"trunk zero", "+44 (0)20 7946 0958", []string{"+44 (0)20 7946 0958"}},
		{"trunk zero sweden", "+46 (0)8 928 571 38", []string{"+46 (0)8 928 571 38"}},
		{"zero kept in italy", "+39 (0)6 6982 1234", []string{"+39 (0)6 6982 1234"}},
		{"not configured region", "+81 3-1234-5678", []string{"+81 3-1234-5678"}},
		{"extension", "+1-415-555-2671 ext. 12", []string{"+1-415-555-2671 ext. 12"}},
		{"extension x", "+14155552671x123", []string{"+14155552671x123"}},
		{"then a number", "+44 20 7946 0958 1234", []string{"+44 20 7946 0958"}},
		{"idd 00", "0044 20 7946 0958", []string{"0044 20 7946 0958"}},
		{"idd 00 alone", "00 44 20 7946 0958", []string{"00 44 20 7946 0958"}},
		{"idd 011", "011 44 20 7946 0958", []string{"011 44 20 7946 0958"}},
		{"idd 001", "001-415-555-2671", []string{"001-415-555-2671"}},

		// National, default regions.
		{"us parens", "call (415) 555-2671 now", []string{"(415) 555-2671"}},
		{"us parens glued", "(415)555-2671", []string{"(415)555-2671"}},
		{"us dashes", "415-555-2671", []string{"415-555-2671"}},
		{"us dots", "415.555.2671", []string{"415.555.2671"}},
		{"us spaces", "415 555 2671", []string{"415 555 2671"}},
		{"us trunk", "1-800-555-0199", []string{"1-800-555-0199"}},
		{"us extension", "415-555-2671 x123", []string{"415-555-2671 x123"}},
		{"us extension glued", "415-555-2671x4587", []string{"415-555-2671x4587"}},
		{"gb", "020 7946 0958", []string{"020 7946 0958"}},
		{"gb mobile", "07911 123456", []string{"07911 123456"}},
		{"gb mobile split", "07911 123 456", []string{"07911 123 456"}},
		{"gb merged", "020 79460958", nil},
		{"gb wrong split", "0207 946 0958", nil},
		{"de", "030 123456", []string{"030 123456"}},
		{"de slash", "030/123456", []string{"030/123456"}},
		{"fr", "01 23 45 67 89", []string{"01 23 45 67 89"}},
		{"fr dots", "01.23.45.67.89", []string{"01.23.45.67.89"}},
		{"in mobile", "98765 43210", []string{"98765 43210"}},
		{"in mobile trunk", "098765 43210", []string{"098765 43210"}},
		{"cn mobile", "138 0013 8000", []string{"138 0013 8000"}},
		{"cn fixed", "010 1234 5678", []string{"010 1234 5678"}},
		{"sg", "6123 4567", []string{"6123 4567"}},
		{"sentence end", "Phone: 415-555-2671.", []string{"415-555-2671"}},
		{"json", `{"phone":"415-555-2671"}`, []string{"415-555-2671"}},

		// Not phone-shaped, or not valid.
		{"bare run", "id 4155552671", nil},
		{"bare e164 digits", "14155552671", nil},
		{"status and bytes", `HTTP/1.1" 200 203023 "-"`, nil},
		{"status and short bytes", `HTTP/1.1" 200 2326 "-"`, nil},
		{"status and 7-digit bytes", `HTTP/1.1" 206 5242880 "-"`, nil},
		{"tail of a spaced number", "078 8098 1119", nil},
		{"us ssn", "SSN: 054-28-6917", nil},
		{"tail after parentheses", "(08) 8747 6301", nil},
		{"date", "2015-05-17 10:05:03", nil},
		{"date dots", "17.05.2015", nil},
		{"date slashes", "05/17/2015", nil},
		{"time zone", "[17/May/2015:10:05:03 +0000]", nil},
		{"version", "Chrome/32.0.1700.77 Safari/537.36", nil},
		{"kernel", "2.6.32-504.el6.x86_64", nil},
		{"plus short", "a +1234 b", nil},
		{"plus invalid", "+1 555 0100", nil},
		{"glued letters", "+14155552671abc", nil},
		{"glued letters national", "415-555-2671abc", nil},
		{"longer dashed", "415-555-2671-12", nil},
		{"decimal", "415.555.2671.5", nil},
		{"continues before", "12-415-555-2671", nil},
		{"mixed dots", "415.555-2671", nil},
		{"invalid area", "123-456-7890", nil},
		{"us local only", "555-2671", nil},
		{"bad bytes", "+1\x00415\x00555\x002671\xff", nil},
		// Explicit '+' numbers of a possible length count even when their
		// range is unassigned (recall first), but not truncated ones.
		{"truncated", "+44 20 7946 09", nil},
		{"unassigned range", "call +1 415 182 2671 now", []string{"+1 415 182 2671"}},
		{"lone plus", "+", nil},
		{"lone paren", "(", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findAll(m.match, "d(+", tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findAll(phone.match, %q): (-want +got)\n%s", tt.in, diff)
			}
		})
	}
}

// TestMatchPhoneUSShapes checks the first-group rule with the US alone
// (India, a default region, writes some numbers as 4-3-3).
func TestMatchPhoneUSShapes(t *testing.T) {
	m := newTestPhoneMatcher(t, "US")
	for in, want := range map[string][]string{
		"(415) 555-2671":   {"(415) 555-2671"},
		"1 (800) 555-0199": {"1 (800) 555-0199"},
		"415 555 2671":     {"415 555 2671"},
		"415 5552671":      nil, // fewer groups than the format: "206 5242880" is a status and a size
		"4155-552-671":     nil,
		"4155 552671":      nil,
		"41 555 52671":     nil,
		"020 7946 0958":    nil,
	} {
		if got := findAll(m.match, "d(+", in); !cmp.Equal(got, want) {
			t.Errorf("findAll(US phone.match, %q) = %q, want %q", in, got, want)
		}
	}
}

// TestPhoneMatcherConcurrent uses one matcher from several goroutines; run
// with -race it checks that matching does not write shared state.
func TestPhoneMatcherConcurrent(t *testing.T) {
	m := newTestPhoneMatcher(t)
	inputs := []string{"+44 20 7946 0958", "(415) 555-2671", "020 7946 0958 and 200 203023", "+0000 2015-05-17"}
	want := make([][]string, len(inputs))
	for k, in := range inputs {
		want[k] = findAll(m.match, "d(+", in)
	}
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func() {
			var err error
			for n := 0; n < 20 && err == nil; n++ {
				for k, in := range inputs {
					if got := findAll(m.match, "d(+", in); !cmp.Equal(got, want[k]) {
						err = fmt.Errorf("findAll(%q) = %q, want %q", in, got, want[k])
					}
				}
			}
			done <- err
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestMatchPhoneLogLinesNoAllocs(t *testing.T) {
	m := newTestPhoneMatcher(t)
	for _, line := range logLines {
		b := []byte(line)
		if got := findAll(m.match, "d(+", line); got != nil {
			t.Fatalf("findAll(phone.match, %q) = %q, want nothing", line, got)
		}
		allocs := testing.AllocsPerRun(100, func() {
			for i := range b {
				if startsWord(b, i, "d(+") {
					m.match(b, i)
				}
			}
		})
		if allocs != 0 {
			t.Errorf("phone.match on %q: %v allocations per run, want 0", line, allocs)
		}
	}
}

func TestPhonePrefixTables(t *testing.T) {
	m := newTestPhoneMatcher(t, "US")
	r := &m.regions[0]
	has := func(n int, p int) bool { return r.valid[n][p>>6]&(1<<uint(p&63)) != 0 }
	// NANP area codes start with 2-9; numbers are 10 digits.
	if !has(10, 415) || !has(10, 212) {
		t.Error("US: 10-digit numbers starting 415 or 212 marked impossible")
	}
	if has(10, 123) || has(10, 45) || has(9, 415) || has(11, 415) {
		t.Error("US: impossible prefix or length marked possible")
	}
	if r.first[modeBare][10]&(1<<3) == 0 || r.first[modeBare][10]&(1<<4) != 0 {
		t.Errorf("US: first-group table %b, want bit 3 and not 4", r.first[modeBare][10])
	}
}

func BenchmarkPhoneReject(b *testing.B) {
	m := newTestPhoneMatcher(b)
	for _, in := range []string{"200 203023", "200 2326", "2015-05-17", "10:05:03", "+0000", "4155552671", "1.1", "32.0.1700.77"} {
		buf := []byte(in)
		b.Run(strings.ReplaceAll(in, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if m.match(buf, 0) >= 0 {
					b.Fatal("matched")
				}
			}
		})
	}
}

func BenchmarkPhoneAccept(b *testing.B) {
	m := newTestPhoneMatcher(b)
	for _, in := range []string{"+44 20 7946 0958", "(415) 555-2671"} {
		buf := []byte(in)
		b.Run(strings.ReplaceAll(in, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if m.match(buf, 0) < 0 {
					b.Fatal("no match")
				}
			}
		})
	}
}

func BenchmarkNewPhoneMatcher(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := newPhoneMatcher(DefaultPhoneRegions, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzMatchPhone(f *testing.F) {
	for _, s := range []string{
		"+44 20 7946 0958",       // international
		"+1 (415) 555-2671 x123", // parentheses and an extension
		"+44 (0)20 7946 0958",    // trunk zero
		"(415) 555-2671",         // national
		"0044 20 7946 0958",      // international prefix
		"01.23.45.67.89",         // dots
		"200 203023 2015-05-17",  // log numbers
		"+4\x00(\xff) 1-2",       // NUL, invalid UTF-8, unbalanced
		"+123456789012345678901", // too long
		"+25 (0)20 7000 0000",    // "(0)" after a group that is not a whole calling code
		"+52 (0)22 0000 0000",    // "(0)" where the national prefix is not 0
		"+81(0)0112000000",       // "(0)" and another national prefix
	} {
		f.Add([]byte(s))
	}
	m := newTestPhoneMatcher(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRunRejected(t, m, b)
		for i := range b {
			end := m.match(b, i)
			checkMatcherResult(t, "phone.match", b, i, end)
			if end < 0 {
				continue
			}
			// Second implementation: libphonenumber's own parser and
			// validator, on the match without its extension, must accept
			// it as an international number or as a national number of
			// one of the regions.
			s := string(b[i:end])
			if k := strings.IndexAny(s, "xXeE"); k >= 0 {
				s = s[:k]
			}
			if !phoneRefValid(s) {
				t.Fatalf("phone.match(%q, %d) = %d: libphonenumber rejects %q", b, i, end, s)
			}
		}
	})
}

// phoneRefValid reports whether libphonenumber parses s as a valid number,
// international or national in one of the default regions, or after an
// international prefix ("00", "011").
func phoneRefValid(s string) bool {
	valid := func(s, region string) bool {
		n, err := phonenumbers.Parse(s, region)
		return err == nil && phonenumbers.IsValidNumber(n)
	}
	// Written with '+', a number of a possible length for its calling code
	// counts too (recall first: test ranges, new ranges).
	possible := func(s string) bool {
		n, err := phonenumbers.Parse(s, "")
		return err == nil && (phonenumbers.IsValidNumber(n) ||
			phonenumbers.IsPossibleNumberWithReason(n) == phonenumbers.IS_POSSIBLE)
	}
	if strings.HasPrefix(s, "+") {
		// "+44 (0)20 ...": the documented reading drops the "(0)" after
		// the calling code; libphonenumber reads it as part of the number.
		if k := strings.Index(s, "(0)"); k > 0 && possible(s[:k]+s[k+3:]) {
			return true
		}
		return possible(s)
	}
	for _, r := range DefaultPhoneRegions {
		if valid(s, r) {
			return true
		}
	}
	digits := phonenumbers.NormalizeDigitsOnly(s)
	for _, idd := range []string{"00", "011"} {
		if strings.HasPrefix(digits, idd) && valid("+"+digits[len(idd):], "") {
			return true
		}
	}
	return false
}

// TestIntlNumber checks intlNumber against phonenumbers.Parse: the example
// numbers of every region and type, and each with digits dropped, added and
// changed, give the same validity and possibility both ways.
func TestIntlNumber(t *testing.T) {
	parsed := func(d string) (valid, possible bool) {
		num, err := phonenumbers.Parse("+"+d, "")
		if err != nil {
			return false, false
		}
		return phonenumbers.IsValidNumber(num), phonenumbers.IsPossibleNumberWithReason(num) == phonenumbers.IS_POSSIBLE
	}
	var inputs []string
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER} {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			d := strings.TrimPrefix(phonenumbers.Format(ex, phonenumbers.E164), "+")
			cc := strconv.Itoa(int(ex.GetCountryCode()))
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			// The national prefix (or a carrier code) written after
			// the calling code, which Parse strips where it may.
			inputs = append(inputs, d, d[:len(d)-1], d+"7", d[:len(d)-2]+"99", d[:len(d)-3]+"0"+d[len(d)-3:],
				cc+"0"+nsn, cc+"8"+nsn, cc+"1"+nsn, cc+"1831"+nsn, cc+"1234"+nsn)
		}
	}
	inputs = append(inputs, "390612345678", "3900612345", "39000", "0441234567", "1", "44", "4412", "999123456789", "800123456789", "12345678901234567890")
	if len(inputs) < 500 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	m, err := newPhoneMatcher(DefaultPhoneRegions, nil)
	if err != nil {
		t.Fatal(err)
	}
	valid, fast := 0, 0
	for _, d := range inputs {
		wantValid, wantPossible := parsed(d)
		if cc, n := m.callingCode([]byte(d)); n > 0 && mainParser(cc).ok {
			fast++
		}
		checkIntlNumber(t, m, []byte(d))
		if got := m.phoneValidIntl([]byte(d)); got != wantValid {
			t.Errorf("phoneValidIntl(%s) = %v, Parse and IsValidNumber say %v", d, got, wantValid)
		}
		if got := m.phonePossibleIntl([]byte(d)); got != wantPossible {
			t.Errorf("phonePossibleIntl(%s) = %v, Parse and IsPossibleNumber say %v", d, got, wantPossible)
		}
		if wantValid {
			valid++
		}
	}
	if valid < len(inputs)/10 || fast < len(inputs)/2 {
		t.Fatalf("%d of %d inputs valid, %d on the fast path: the test would not tell", valid, len(inputs), fast)
	}
}

// checkIntlNumber compares intlNumber(d) with phonenumbers.Parse("+"+d, "").
func checkIntlNumber(t *testing.T, m *phoneMatcher, d []byte) {
	t.Helper()
	got, ok := m.intlNumber(d)
	want, err := phonenumbers.Parse("+"+string(d), "")
	switch {
	case !ok && err == nil:
		t.Fatalf("intlNumber(%s) fails, Parse gives %v", d, want)
	case ok && err != nil:
		t.Fatalf("intlNumber(%s) = %v, Parse fails: %v", d, got, err)
	case ok && (got.GetCountryCode() != want.GetCountryCode() || got.GetNationalNumber() != want.GetNationalNumber() ||
		got.GetItalianLeadingZero() != want.GetItalianLeadingZero() || got.GetNumberOfLeadingZeros() != want.GetNumberOfLeadingZeros()):
		t.Fatalf("intlNumber(%s) = %v, Parse gives %v", d, got, want)
	}
}

// FuzzIntlNumber compares intlNumber with Parse on strings of digits.
func FuzzIntlNumber(f *testing.F) {
	f.Add("441211813411")
	f.Add("370800123457")
	f.Add("3906123456")
	m, err := newPhoneMatcher(DefaultPhoneRegions, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := []byte(fuzzDigits([]byte(s), 20))
		checkIntlNumber(t, m, d)
		num, err := phonenumbers.Parse("+"+string(d), "")
		want := err == nil && phonenumbers.IsValidNumber(num)
		if got := m.phoneValidIntl(d); got != want {
			t.Fatalf("phoneValidIntl(%s) = %v, Parse and IsValidNumber say %v", d, got, want)
		}
	})
}

// checkRunRejected fails when runRejected rules out a digit of b that the
// full national matching finds a number at: the prefilter must not change
// what match finds.
func checkRunRejected(t *testing.T, m *phoneMatcher, b []byte) {
	t.Helper()
	for i := range b {
		// match's contract: no letter or digit before the candidate.
		if numDigit(b[i]) && (i == 0 || !numAlnum(b[i-1])) && m.runRejected(b, i) {
			if end := m.matchNationalAt(b, i); end >= 0 {
				t.Fatalf("runRejected(%q, %d), but matchNationalAt finds %q", b, i, b[i:end])
			}
		}
	}
}

// TestPhoneRunRejected compares the prefilter with the full national
// matching on random runs of digits, separators, cue words and units, with
// and without cue regions.
func TestPhoneRunRejected(t *testing.T) {
	parts := []string{
		" ", " ", "-", ".", "/", "(", ")", "+", "_", ",", ":", "=", "\n", "x", " ext. ", " ms", "KB", "id=", "pid ",
		"tel ", "phone: ", "mobile ", " mobile", " (office)", "Tel.", "call me at ", "手机", "customer_phone=", "order ",
		"(800)", "(415)", "(20)", "(0)", "555-0199", " 555-2671", "1-800-", "8 (495) ", "0(30)",
		"0", "00", "011", "1", "44", "49", "86", "91", "020", "030", "0151", "138", "415", "555", "2671", "7946", "0958",
	}
	for _, cue := range [][]string{nil, DefaultPhoneCueRegions} {
		m, err := newPhoneMatcher(DefaultPhoneRegions, cue)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(20, uint64(len(cue))))
		var b []byte
		for range 20000 {
			b = b[:0]
			for range 1 + rng.IntN(8) {
				if rng.IntN(3) == 0 {
					b = append(b, parts[rng.IntN(len(parts))]...)
					continue
				}
				for range 1 + rng.IntN(20) {
					b = append(b, byte('0'+rng.IntN(10)))
				}
			}
			checkRunRejected(t, m, b)
		}
	}
}
