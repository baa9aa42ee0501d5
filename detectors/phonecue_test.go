package detectors

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"
)

// phoneFindings returns the text of the phone findings of s in line.
func phoneFindings(t *testing.T, s *Scanner, line string) []string {
	t.Helper()
	fs, err := s.Scan(nil, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		if f.Type == Phone {
			out = append(out, line[f.Start:f.End])
		}
	}
	return out
}

// TestPhoneCueLibraryExamples takes the library's example numbers of every
// cue region (mobile and fixed line), written in their national format, in
// one block and with dashes: after a cue each is found whole; with a digit
// more or less, which the library calls invalid in every cue region, none
// is.
func TestPhoneCueLibraryExamples(t *testing.T) {
	s := newTestScanner(t)
	for _, region := range DefaultPhoneCueRegions {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
			num := phonenumbers.GetExampleNumberForType(region, typ)
			if num == nil {
				t.Fatalf("%s: no example number", region)
			}
			nat := phonenumbers.Format(num, phonenumbers.NATIONAL)
			digits := phonenumbers.NormalizeDigitsOnly(nat)
			for _, form := range []string{nat, digits} {
				for _, cue := range []string{"tel: ", "Phone number is ", `{"msg":"sms to `, "customer_mobile="} {
					line := cue + form + " ok"
					if got := phoneFindings(t, s, line); !cmp.Equal(got, []string{form}) {
						t.Errorf("%s %v: Scan(%q) = %q, want %q", region, typ, line, got, form)
					}
				}
			}
			for _, bad := range []string{digits + "7", digits[:len(digits)-1]} {
				if validInSomeRegion(bad) {
					continue
				}
				line := "tel: " + bad
				if got := phoneFindings(t, s, line); got != nil {
					t.Errorf("%s: invalid %q found: %q", region, line, got)
				}
			}
		}
	}
}

// validInSomeRegion reports whether the library calls digits a valid
// national number of some cue region.
func validInSomeRegion(digits string) bool {
	for _, r := range append(DefaultPhoneCueRegions, DefaultPhoneRegions...) {
		if num, err := phonenumbers.Parse(digits, r); err == nil && phonenumbers.IsValidNumber(num) {
			return true
		}
	}
	return false
}

func TestPhoneCue(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		line string
		want []string
	}{
		// The markets, with their own labels.
		{"手机 13812345678", []string{"13812345678"}},
		{"联系电话：13912345678。", []string{"13912345678"}},
		{"Handy: 0151 2345 6789", []string{"0151 2345 6789"}},
		{"Telefon 0151/23456789", []string{"0151/23456789"}},
		{"call me at 0151 23456789", []string{"0151 23456789"}},
		{"HP 081234567890", []string{"081234567890"}},
		{"nomor HP: 0812-3456-7890", []string{"0812-3456-7890"}},
		{"telefone (11) 91234-5678", []string{"(11) 91234-5678"}},
		{"celular 55 1234 5678", []string{"55 1234 5678"}},
		{"телефон 8 (912) 345-67-89", []string{"8 (912) 345-67-89"}},
		{"電話 090-1234-5678", []string{"090-1234-5678"}},
		{"전화 010-1234-5678", []string{"010-1234-5678"}},
		{"điện thoại 0912 345 678", []string{"0912 345 678"}},
		{"tel 0532 123 45 67", []string{"0532 123 45 67"}},
		{"teléfono 612 34 56 78", []string{"612 34 56 78"}},
		{"telefono 347 123 4567", []string{"347 123 4567"}},
		{"whatsapp 0803 123 4567", []string{"0803 123 4567"}},
		{"msisdn=919876543210", []string{"919876543210"}},
		{"Phone:\n0490 75 40 81", []string{"0490 75 40 81"}},
		{"user_phone=\"015123456789\"", []string{"015123456789"}},
		// A label after the number ends the line or the field.
		{"0151 2345678 mobile", []string{"0151 2345678"}},
		{"0151 2345678 (office)", []string{"0151 2345678"}},
		{"0151 2345678-Fax\\,", []string{"0151 2345678"}},
		{"served 0151 2345678 mobile requests", nil},
		// North American numbers need no cue.
		{"callback (415) 555-2671", []string{"(415) 555-2671"}},
		{"at 415-555-2671 today", []string{"415-555-2671"}},
		// No cue, or a cue that is not right before the number.
		{"13812345678", nil},
		{"order 015123456789 shipped", nil},
		{"phone_model=SM-G991B build 015123456789", nil},
		{"tel_queue depth 015123456789", nil},
		{"hotel 015123456789", nil},
		{"call 015123456789", nil},
		{"syscall 015123456789", nil},
		// A cue, but not a phone number.
		{"tel 12345", nil},
		{"phone 2015-05-17", nil},
		{"phone v1.24.3044", nil},
		{"tel 99999999999999999", nil},
		{"mobile 0000000000", nil},
		// "011" glued to a calling code: an HDFS date, time and pid.
		{"011225 057230 1560 INFO dfs.DataNode", nil},
		{"tel 011225 057230 1560", []string{"011225 057230 1560"}},
		{"011 225 0572301560", []string{"011 225 0572301560"}},
	}
	for _, tt := range tests {
		if got := phoneFindings(t, s, tt.line); !cmp.Equal(got, tt.want) {
			t.Errorf("Scan(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestPhoneCueScrubbedTwice checks that what the cue decides is the same in
// scrubbed text: a number after a replaced one is cued (or not) by what
// stands before the replacement.
func TestPhoneCueScrubbedTwice(t *testing.T) {
	s := newTestScanner(t)
	lines := []string{
		"tel 0151 23456789, 0151 98765432",
		"phone: 0151 23456789 030 1234567",
		"Handy 0151 23456789 / 0151 98765432 mobile",
		"手机 13812345678 13912345678",
	}
	for _, line := range lines {
		for _, repl := range []string{"[phone]", "phone_k1_3f9a0c2b", "****"} {
			out := scrubWith(t, s, line, repl)
			again := scrubWith(t, s, out, repl)
			if again != out {
				t.Errorf("%q scrubbed with %q: %q, then %q", line, repl, out, again)
			}
		}
	}
}

// scrubWith replaces every finding of s in line with repl.
func scrubWith(t *testing.T, s *Scanner, line, repl string) string {
	t.Helper()
	fs, err := s.Scan(nil, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	last := 0
	for _, f := range fs {
		sb.WriteString(line[last:f.Start])
		sb.WriteString(repl)
		last = f.End
	}
	sb.WriteString(line[last:])
	return sb.String()
}

func TestPhoneCueRegionsOption(t *testing.T) {
	s, err := New(Options{PhoneRegions: []string{"US"}, PhoneCueRegions: []string{"US"}})
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string][]string{
		"手机 13812345678":     nil,
		"tel 015123456789":   nil,
		"tel 4155552671":     {"4155552671"},
		"tel (415) 555-2671": {"(415) 555-2671"},
	} {
		if got := phoneFindings(t, s, line); !cmp.Equal(got, want) {
			t.Errorf("regions US: Scan(%q) = %q, want %q", line, got, want)
		}
	}
	if _, err := New(Options{PhoneCueRegions: []string{"XX"}}); err == nil {
		t.Error("unknown cue region accepted")
	}
}

func BenchmarkPhoneCue(b *testing.B) {
	s := newTestScanner(b)
	for _, in := range []string{"tel 015123456789", "order 015123456789 shipped", "phone 0490 75 40 81"} {
		buf := []byte(in)
		b.Run(fmt.Sprint(len(in)), func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]Finding, 0, 4)
			for b.Loop() {
				dst, _ = s.Scan(dst[:0], buf)
			}
		})
	}
}

// FuzzPhoneCue scans arbitrary text after a cue word: every national phone
// finding must be a number the library calls valid in a cue or default
// region (or after an international prefix), and scrubbing twice must
// change nothing.
func FuzzPhoneCue(f *testing.F) {
	for _, s := range []string{"13812345678", "0151 2345 6789", "(11) 91234-5678", "8 (912) 345-67-89", "0490 75 40 81", "011225 057230 1560", "0151 2345678 mobile", "2015-05-17"} {
		f.Add([]byte(s))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, cue := range []string{"tel ", "手机 ", "Phone:\n"} {
			line := cue + string(in)
			fs, err := s.Scan(nil, []byte(line))
			if err != nil {
				t.Fatal(err)
			}
			for _, fd := range fs {
				if fd.Type != Phone {
					continue
				}
				text := line[fd.Start:fd.End]
				if strings.HasPrefix(text, "+") {
					continue
				}
				if ext := strings.IndexAny(text, "xXeE"); ext > 0 {
					text = strings.TrimRight(text[:ext], " ")
				}
				digits := phonenumbers.NormalizeDigitsOnly(text)
				if !validInSomeRegion(digits) && !phoneRefValid(text) {
					t.Fatalf("%q: phone %q is valid in no region", line, text)
				}
			}
			out := scrubWith(t, s, line, "phone_k1_x")
			if again := scrubWith(t, s, out, "phone_k1_x"); again != out {
				t.Fatalf("%q scrubbed: %q, then %q", line, out, again)
			}
		}
	})
}

// TestCuedPlausibleTables checks that the union tables answer as the loop
// over the cued regions does, for every length and 3-digit prefix, with
// and without a leading national prefix digit.
func TestCuedPlausibleTables(t *testing.T) {
	m, err := newPhoneMatcher([]string{"US", "GB", "DE"}, DefaultPhoneCueRegions)
	if err != nil {
		t.Fatal(err)
	}
	if m.cuedLongNP {
		t.Skip("a cued region has a national prefix of two digits: the loop answers")
	}
	d := make([]byte, phoneMaxNSN)
	for n := phoneCueMinDigits; n <= phoneMaxNSN; n++ {
		for p := range 10000 {
			for k := range d[:n] {
				d[k] = '0' + byte(k*7%10)
			}
			d[0], d[1], d[2], d[3] = '0'+byte(p/1000), '0'+byte(p/100%10), '0'+byte(p/10%10), '0'+byte(p%10)
			if got, want := m.cuedPlausible(d[:n]), m.cuedPlausibleLoop(d[:n]); got != want {
				t.Fatalf("cuedPlausible(%s) = %v, loop says %v", d[:n], got, want)
			}
		}
	}
}
