package detectors

import (
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ibanRegistryExamples are the "IBAN electronic format example" entries of
// the SWIFT IBAN registry (release 102), one per country.
var ibanRegistryExamples = []string{
	"AD1200012030200359100100", "AE070331234567890123456", "AL47212110090000000235698741",
	"AT611904300234573201", "AZ21NABZ00000000137010001944", "BA391290079401028494",
	"BE68539007547034", "BG80BNBG96611020345678", "BH67BMAG00001299123456",
	"BI4210000100010000332045181", "BR1800360305000010009795493C1", "BY13NBRB3600900000002Z00AB00",
	"CH9300762011623852957", "CR05015202001026284066", "CY17002001280000001200527600",
	"CZ6508000000192000145399", "DE89370400440532013000", "DJ2100010000000154000100186",
	"DK5000400440116243", "DO28BAGR00000001212453611324", "EE382200221020145685",
	"EG380019000500000000263180002", "ES9121000418450200051332", "FI2112345600000785",
	"FK88SC123456789012", "FO6264600001631634", "FR1420041010050500013M02606",
	"GB29NWBK60161331926819", "GE29NB0000000101904917", "GI75NWBK000000007099453",
	"GL8964710001000206", "GR1601101250000000012300695", "GT82TRAJ01020000001210029690",
	"HN88CABF00000000000250005469", "HR1210010051863000160", "HU42117730161111101800000000",
	"IE29AIBK93115212345678", "IL620108000000099999999", "IQ98NBIQ850123456789012",
	"IS140159260076545510730339", "IT60X0542811101000000123456", "JO94CBJO0010000000000131000302",
	"KW81CBKU0000000000001234560101", "KZ86125KZT5004100100", "LB62099900000001001901229114",
	"LC55HEMM000100010012001200023015", "LI21088100002324013AA", "LT121000011101001000",
	"LU280019400644750000", "LV80BANK0000435195001", "LY83002048000020100120361",
	"MC5811222000010123456789030", "MD24AG000225100013104168", "ME25505000012345678951",
	"MK07250120000058984", "MN121234123456789123", "MR1300020001010000123456753",
	"MT84MALT011000012345MTLCAST001S", "MU17BOMM0101101030300200000MUR", "NI45BAPR00000013000003558124",
	"NL91ABNA0417164300", "NO9386011117947", "OM810180000001299123456",
	"PK36SCBL0000001123456702", "PL61109010140000071219812874", "PS92PALS000000000400123456702",
	"PT50000201231234567890154", "QA58DOHB00001234567890ABCDEFG", "RO49AAAA1B31007593840000",
	"RS35260005601001611379", "RU0304452522540817810538091310419", "SA0380000000608010167519",
	"SC18SSCB11010000000000001497USD", "SD2129010501234001", "SE4550000000058398257466",
	"SI56263300012039086", "SK3112000000198742637541", "SM86U0322509800000000270100",
	"SO211000001001000100141", "ST23000100010051845310146", "SV62CENR00000000000000700025",
	"TL380080012345678910157", "TN5910006035183598478831", "TR330006100519786457841326",
	"UA213223130000026007233566001", "VA59001123000012345678", "VG96VPVG0000012345678901",
	"XK051212012345678906", "YE15CBYE0001018861234567891234",
}

// ibanPrint returns the print form of an electronic IBAN: groups of four.
func ibanPrint(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

func TestIBANRegistryComplete(t *testing.T) {
	if len(ibanRegistryExamples) != 89 {
		t.Fatalf("%d registry examples, want 89", len(ibanRegistryExamples))
	}
	for _, e := range ibanRegistryExamples {
		if got := ibanLength(e[0], e[1]); got != len(e) {
			t.Errorf("ibanLength(%s) = %d, want %d", e[:2], got, len(e))
		}
	}
	// The registry rows and the territories: 89 + 16.
	if n := len(ibanRegistry) / 4; n != 89+16 {
		t.Errorf("ibanRegistry has %d entries, want %d", n, 89+16)
	}
}

func TestMatchIBANRegistryExamples(t *testing.T) {
	for _, e := range ibanRegistryExamples {
		for _, form := range []string{e, ibanPrint(e)} {
			for _, line := range []string{form, "IBAN: " + form + ".", `{"iban":"` + form + `"}`, "pay to " + form + " today"} {
				got := findAll(matchIBAN, "U", line)
				if diff := cmp.Diff([]string{form}, got); diff != "" {
					t.Errorf("%q: (-want +got)\n%s", line, diff)
				}
			}
		}
	}
}

// TestMatchIBANBadChecksum changes every digit of every registry example
// and swaps every pair of adjacent distinct digits: no result may be
// flagged, since MOD 97-10 detects all such errors. (A letter swapped with a
// digit can keep the checksum valid, as letters count as two digits; such a
// string is a valid IBAN as far as ISO 13616 can tell.)
func TestMatchIBANBadChecksum(t *testing.T) {
	for _, e := range ibanRegistryExamples {
		for k := 2; k < len(e); k++ {
			if !numDigit(e[k]) {
				continue
			}
			for d := byte('0'); d <= '9'; d++ {
				if d == e[k] {
					continue
				}
				b := []byte(e)
				b[k] = d
				for _, form := range []string{string(b), ibanPrint(string(b))} {
					if got := findAll(matchIBAN, "U", form); got != nil {
						t.Errorf("%s with digit %d changed: found %q", e, k, got)
					}
				}
			}
		}
		for k := 2; k+1 < len(e); k++ {
			if e[k] == e[k+1] || !numDigit(e[k]) || !numDigit(e[k+1]) {
				continue
			}
			b := []byte(e)
			b[k], b[k+1] = b[k+1], b[k]
			if got := findAll(matchIBAN, "U", string(b)); got != nil {
				t.Errorf("%s with digits %d and %d swapped: found %q", e, k, k+1, got)
			}
		}
	}
}

func TestMatchIBAN(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"compact", "DE89370400440532013000", []string{"DE89370400440532013000"}},
		{"print", "iban DE89 3704 0044 0532 0130 00 ok", []string{"DE89 3704 0044 0532 0130 00"}},
		{"print then word", "GB29 NWBK 6016 1331 9268 19 EUR", []string{"GB29 NWBK 6016 1331 9268 19"}},
		{"full last group", "NL91 ABNA 0417 1643 00", []string{"NL91 ABNA 0417 1643 00"}},
		{"shortest", "NO93 8601 1117 947", []string{"NO93 8601 1117 947"}},
		{"two", "DE89370400440532013000;GB29NWBK60161331926819", []string{"DE89370400440532013000", "GB29NWBK60161331926819"}},

		{"unknown country", "XX89370400440532013000", nil},
		{"wrong length short", "DE8937040044053201300", nil},
		{"wrong length long", "DE893704004405320130001", nil},
		{"print too long", "DE89 3704 0044 0532 0130 0012", nil},
		{"glued letters", "DE89370400440532013000abc", nil},
		{"mixed case country", "De89370400440532013000", nil},
		{"mixed case bban", "gb29NWBK60161331926819", nil},
		{"check digits 00", "DE00370400440532013000", nil},
		{"check digits 99", "DE99370400440532013000", nil},
		{"irregular grouping", "DE89 37040044 0532013000", []string{"DE89 37040044 0532013000"}},
		{"bank grouping", "FR76 30006 00001 12345678901 89", []string{"FR76 30006 00001 12345678901 89"}},
		{"code apart", "IBAN FR 76 3000 6000 0112 3456 7890 189.", []string{"FR 76 3000 6000 0112 3456 7890 189"}},
		{"dashes", "DE89-3704-0044-0532-0130-00", []string{"DE89-3704-0044-0532-0130-00"}},
		{"dots", "DE89.3704.0044.0532.0130.00.", []string{"DE89.3704.0044.0532.0130.00"}},
		{"code apart dashed", "DE-89-3704-0044-0532-0130-00", []string{"DE-89-3704-0044-0532-0130-00"}},
		{"mixed separators", "DE89 3704-0044 0532 0130 00", nil},
		{"lower case code apart", "de 89 3704 0044 0532 0130 00", nil},
		{"separator at the end", "DE89 3704 0044 0532 0130 0-", nil},
		{"impossible bban, letters for digits", "GB84 NWBK 6016 1331 92AB 19", nil},
		{"double space", "DE89  3704 0044 0532 0130 00", nil},
		{"short group", "DE89 370 0044 0532 0130 000", nil},
		{"continues with digit", "DE89370400440532013000-1", nil},
		{"words", "GET HTTP/1.1 DE AB12 Mozilla", nil},
		{"bad bytes", "DE89\x00370400440532013000\xff", nil},
		{"truncated", "DE89 3704 0044 0532 0130 0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findAll(matchIBAN, "U", tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findAll(matchIBAN, %q): (-want +got)\n%s", tt.in, diff)
			}
		})
	}
}

// TestMatchIBANLowerCase checks lower-case IBANs, which the scan loop may
// offer at lower-case word starts.
func TestMatchIBANLowerCase(t *testing.T) {
	for _, e := range ibanRegistryExamples {
		l := strings.ToLower(e)
		for _, form := range []string{l, ibanPrint(l)} {
			if got := findAll(matchIBAN, "Ul", "iban "+form+"."); !cmp.Equal(got, []string{form}) {
				t.Errorf("findAll(matchIBAN, %q) = %q, want %q", form, got, form)
			}
		}
	}
	if got := findAll(matchIBAN, "Ul", "de88370400440532013000"); got != nil {
		t.Errorf("lower-case IBAN with a bad checksum: found %q", got)
	}
}

func TestMatchIBANLogLinesNoAllocs(t *testing.T) {
	for _, line := range logLines {
		b := []byte(line)
		if got := findAll(matchIBAN, "U", line); got != nil {
			t.Fatalf("findAll(matchIBAN, %q) = %q, want nothing", line, got)
		}
		allocs := testing.AllocsPerRun(100, func() {
			for i := range b {
				if startsWord(b, i, "U") {
					matchIBAN(b, i)
				}
			}
		})
		if allocs != 0 {
			t.Errorf("matchIBAN on %q: %v allocations per run, want 0", line, allocs)
		}
	}
	// A near miss that runs the whole check.
	bad := []byte("DE88370400440532013000")
	if allocs := testing.AllocsPerRun(100, func() { matchIBAN(bad, 0) }); allocs != 0 {
		t.Errorf("matchIBAN on a bad checksum: %v allocations per run, want 0", allocs)
	}
}

func BenchmarkMatchIBANReject(b *testing.B) {
	for _, in := range []string{"GET /index", "HTTP/1.1", "DE88370400440532013000", "AB12 foo"} {
		buf := []byte(in)
		b.Run(strings.ReplaceAll(in, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if matchIBAN(buf, 0) >= 0 {
					b.Fatal("matched")
				}
			}
		})
	}
}

func FuzzMatchIBAN(f *testing.F) {
	for _, s := range []string{
		"DE89370400440532013000",             // compact
		"GB29 NWBK 6016 1331 9268 19 EUR",    // print form, then a word
		"DE88370400440532013000",             // bad checksum
		"NO93 8601 1117 94",                  // truncated
		"DE89\x00\xff",                       // NUL and invalid UTF-8
		"SC18SSCB11010000000000001497USD",    // letters at the end
		"gb29 nwbk 6016 1331 9268 19",        // lower case
		"FR 76 3000 6000 0112 3456 7890 189", // code apart
		"DE89-3704-0044-0532-0130-00",        // dashes
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			end := matchIBAN(b, i)
			checkMatcherResult(t, "matchIBAN", b, i, end)
			if end < 0 {
				continue
			}
			// Second implementation: big-integer MOD 97-10 over the
			// match with the spaces removed.
			s := strings.NewReplacer(" ", "", "-", "", ".", "").Replace(string(b[i:end]))
			if u, l := strings.ToUpper(s), strings.ToLower(s); s != u && s != l {
				t.Fatalf("matchIBAN(%q, %d) = %d: %q mixes cases", b, i, end, s)
			}
			if len(s) != ibanLength(s[0], s[1]) || !refIBANValid(strings.ToUpper(s)) || !ibanStructureOK([]byte(strings.ToUpper(s))) {
				t.Fatalf("matchIBAN(%q, %d) = %d: %q is not a valid IBAN", b, i, end, s)
			}
		}
	})
}

// refIBANValid checks MOD 97-10 with math/big, as ISO 13616 describes it.
func refIBANValid(s string) bool {
	var sb strings.Builder
	for _, c := range s[4:] + s[:4] {
		switch {
		case c >= '0' && c <= '9':
			sb.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			sb.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(sb.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// ibanWithCheck returns country+check digits+bban with the check digits
// that make MOD 97-10 hold (ISO 13616), computed with math/big.
func ibanWithCheck(country, bban string) string {
	var sb strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			sb.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		} else {
			sb.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(sb.String(), 10)
	cd := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return country + string(rune('0'+cd/10)) + string(rune('0'+cd%10)) + bban
}

// TestIBANStructures checks the BBAN structures against the registry's
// lengths and examples, and that a right-length string with a valid
// checksum but an impossible BBAN is not flagged.
func TestIBANStructures(t *testing.T) {
	for k, form := range ibanBBAN {
		c0, c1 := byte('A'+k/26), byte('A'+k%26)
		if want := ibanLength(c0, c1); want != 0 && len(form)+4 != want || want == 0 && form != "" {
			t.Errorf("%c%c: BBAN structure %q (%d), IBAN length %d", c0, c1, form, len(form), want)
		}
	}
	for _, e := range ibanRegistryExamples {
		if !ibanStructureOK([]byte(e)) {
			t.Errorf("%s: registry example breaks its BBAN structure %q", e, ibanBBAN[int(e[0]-'A')*26+int(e[1]-'A')])
		}
	}
	impossible := []string{
		ibanWithCheck("GB", "1234"+"60161331926819"),      // digits for the bank code's letters
		ibanWithCheck("NL", "AB1A"+"0417164300"),          // a digit among the bank letters
		ibanWithCheck("DE", "37040044053201300A"),         // a letter in an all-digit BBAN
		ibanWithCheck("FR", "2004101005050001"+"3M026A6"), // a letter in the key's digits
		ibanWithCheck("IT", "0"+"0542811101000000123456"), // a digit for the CIN letter
		ibanWithCheck("MU", "BOMM0101101030300200000"+"M1R"),
	}
	for _, s := range impossible {
		if !refIBANValid(s) || len(s) != ibanLength(s[0], s[1]) {
			t.Fatalf("%s: test vector without a valid checksum and length", s)
		}
		for _, form := range []string{s, ibanPrint(s)} {
			if got := findAll(matchIBAN, "U", "iban "+form); got != nil {
				t.Errorf("impossible BBAN %q found: %q", form, got)
			}
		}
	}
}

// TestMatchIBANPrinted checks every registry example as people print it:
// the country code apart, dashes, dots, the groups of its BBAN fields.
func TestMatchIBANPrinted(t *testing.T) {
	for _, e := range ibanRegistryExamples {
		p := ibanPrint(e)
		forms := []string{
			e[:2] + " " + e[2:4] + " " + p[5:],
			strings.ReplaceAll(p, " ", "-"),
			strings.ReplaceAll(p, " ", "."),
			e[:4] + " " + e[4:9] + " " + e[9:],
			e[:2] + "-" + e[2:4] + "-" + e[4:],
		}
		for _, form := range forms {
			for _, line := range []string{form, "IBAN: " + form + ".", `{"iban":"` + form + `"}`} {
				if got := scanTypes(t, line, IBAN); !cmp.Equal(got, []string{form}) {
					t.Errorf("Scan(%q) = %q, want %q", line, got, form)
				}
			}
		}
	}
}

// scanTypes scans line with the default scanner and returns the text of
// the findings of type typ.
func scanTypes(t *testing.T, line string, typ Type) []string {
	t.Helper()
	fs, err := ibanTestScanner.Scan(nil, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		if f.Type == typ {
			out = append(out, line[f.Start:f.End])
		}
	}
	return out
}

var ibanTestScanner = func() *Scanner {
	s, err := New(Options{})
	if err != nil {
		panic(err)
	}
	return s
}()
