package rules

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"strings"
	"testing"
)

// netipTruncate is what truncateIP wrote for dotted IPv4 before its fast
// path: the address parsed and formatted by net/netip.
func netipTruncate(v string, bits4 int) (string, bool) {
	a, err := netip.ParseAddr(v)
	if err != nil || !a.Is4() {
		return "", false
	}
	p, _ := a.Prefix(bits4)
	return p.Addr().String(), true
}

func TestTruncateDotted(t *testing.T) {
	inputs := []string{
		"10.1.2.3", "0.0.0.0", "255.255.255.255", "192.168.100.200", "1.2.3.4",
		"01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3",
		"1..2.3", "1.2.3.4 ", "1-2-3-4", "1234.1.1.1", "a.b.c.d", "1.2.3.255x",
	}
	for _, v := range inputs {
		for _, bits := range []int{0, 8, 16, 24, 32, 20} {
			got, ok := truncateDotted(nil, []byte(v), bits)
			want, wantOK := netipTruncate(v, bits)
			if bits%8 != 0 {
				wantOK = false
			}
			if ok != wantOK || ok && string(got) != want {
				t.Errorf("truncateDotted(%q, %d) = %q, %v; want %q, %v", v, bits, got, ok, want, wantOK)
			}
		}
	}
	// Every value of each octet.
	for o := 0; o < 4; o++ {
		for x := 0; x < 256; x++ {
			oct := [4]int{10, 20, 30, 40}
			oct[o] = x
			v := fmt.Sprintf("%d.%d.%d.%d", oct[0], oct[1], oct[2], oct[3])
			got, ok := truncateDotted(nil, []byte(v), 24)
			want, _ := netipTruncate(v, 24)
			if !ok || string(got) != want {
				t.Fatalf("truncateDotted(%q, 24) = %q, %v; want %q", v, got, ok, want)
			}
		}
	}
}

func FuzzTruncateDotted(f *testing.F) {
	f.Add([]byte("10.1.2.3"), uint8(24))
	f.Add([]byte("01.2.3.4"), uint8(16))
	f.Fuzz(func(t *testing.T, v []byte, bits uint8) {
		b := int(bits % 33)
		got, ok := truncateDotted(nil, v, b)
		if !ok {
			return
		}
		want, wantOK := netipTruncate(string(v), b)
		if !wantOK || string(got) != want {
			t.Fatalf("truncateDotted(%q, %d) = %q; net/netip gives %q, %v", v, b, got, want, wantOK)
		}
	})
}

func TestCoarsenValue(t *testing.T) {
	tests := []struct {
		in       string
		decimals int
		want     string // "" when the value is not numeric text
	}{
		{"48.8583701", 2, "48.86"},
		{"48.8583701%2C2.294481", 2, "48.86%2C2.29"}, // a comma percent-encoded in a URL
		{"%2C48.8583701", 2, ""},
		{"2.294481", 2, "2.29"},
		{"-0.12755", 2, "-0.13"},
		{"-0.125", 2, "-0.13"}, // half away from zero
		{"0.125", 2, "0.13"},
		{"2.675", 2, "2.68"}, // 2.67499999... as a float64
		{"0.124999", 2, "0.12"},
		{"9.996", 2, "10.00"},
		{"-99.995", 2, "-100.00"},
		{"0.995", 2, "1.00"},
		{"48.6", 0, "49"},
		{"48.4", 0, "48"},
		{"48.8583701", 4, "48.8584"},
		{"48.86", 2, "48.86"},
		{"48.8", 2, "48.8"},
		{"48", 2, "48"},
		{"1700000000", 2, ""},        // no degrees: more than three integer digits
		{"0 490154203237518", 2, ""}, // an IMEI under a coordinates key
		{"999.7", 0, ""},             // 1000 once rounded: no degrees
		{"999.4", 0, "999"},
		{"48.8583701, 2.294481", 2, "48.86, 2.29"},
		{"48.8583701,2.294481", 2, "48.86,2.29"},
		{"[2.294481, 48.8583701]", 2, "[2.29, 48.86]"},
		{"(48.8583701 2.294481)", 1, "(48.9 2.3)"},
		{"48.8583701;2.294481|10.1", 2, "48.86;2.29|10.1"},
		{"+48.8583701", 2, "+48.86"},
		{"48.8583701N 2.294481E", 2, "48.86N 2.29E"},
		{"N 48.8583701, W 2.294481", 2, "N 48.86, W 2.29"},
		{"48.8583701° N", 2, "48.86° N"},
		{"48,8583701", 2, "48,86"},
		{"48,8583701; 2,294481", 2, "48,86; 2,29"},
		{"48,2", 2, "48,2"},
		{"48,6", 0, "48,6"}, // with no decimals, commas separate
		{"1.5,2", 0, "2,2"},
		{"0,000,0", 2, ""},
		{"1,234,567", 2, ""},
		{"Paris", 2, ""},
		{"", 2, ""},
		{"  ", 2, ""},
		{"1.2.3", 2, ""},
		{"4.88583701e1", 2, ""},
		{"4.88583701E+1", 2, ""},
		{"48°51'30.1\"N", 2, ""},
		{"12 Rue de la Paix", 2, ""},
		{"NE 48.85", 2, ""},
		{"48.8583.", 2, ""},
		{".5", 2, ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.in, tc.decimals), func(t *testing.T) {
			got, ok := coarsenValue([]byte("x"), []byte(tc.in), tc.decimals)
			if tc.want == "" {
				if ok || string(got) != "x" {
					t.Fatalf("coarsenValue(%q) = %q, %v; want not numeric, nothing appended", tc.in, got, ok)
				}
				return
			}
			if !ok || string(got) != "x"+tc.want {
				t.Fatalf("coarsenValue(%q, %d) = %q, %v; want %q", tc.in, tc.decimals, got, ok, tc.want)
			}
		})
	}
}

// bigRound rounds the decimal number s (digits, optionally a point and more
// digits, no sign) to decimals fraction digits, half away from zero, with
// math/big: the second implementation the fuzzer checks against.
func bigRound(s string, decimals int) string {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	r.Mul(r, new(big.Rat).SetInt(scale))
	r.Add(r, big.NewRat(1, 2))
	q := new(big.Int).Quo(r.Num(), r.Denom()) // floor, r > 0
	digits := q.String()
	if decimals == 0 {
		return digits
	}
	for len(digits) <= decimals {
		digits = "0" + digits
	}
	return digits[:len(digits)-decimals] + "." + digits[len(digits)-decimals:]
}

func FuzzCoarsenValue(f *testing.F) {
	// Single numbers, compared with math/big.
	f.Add("48.8583701", uint8(2))
	f.Add("9.9995", uint8(3))
	f.Add("0.5", uint8(0))
	f.Add("007.125", uint8(2))
	// Whole values: never more fraction digits than allowed after, and a
	// second pass changes nothing.
	f.Add("48.8583701, 2.294481", uint8(2))
	f.Add("N 48.85837 W 2.29448°", uint8(1))
	f.Add("48,8583701; 2,294481", uint8(2))
	f.Add("Paris 1.2.3", uint8(2))
	f.Fuzz(func(t *testing.T, v string, d uint8) {
		decimals := int(d % 8)
		got, ok := coarsenValue(nil, []byte(v), decimals)
		if !ok {
			if len(got) != 0 {
				t.Fatalf("coarsenValue(%q) appended %q and said not numeric", v, got)
			}
			return
		}
		again, ok2 := coarsenValue(nil, got, decimals)
		if !ok2 || string(again) != string(got) {
			t.Fatalf("coarsenValue(%q) = %q, then %q, %v: not idempotent", v, got, again, ok2)
		}
		if len(got) > len(v)+8 {
			t.Fatalf("coarsenValue(%q) = %q grew", v, got)
		}
		if plainDecimal(v) && strings.Contains(v, ".") {
			frac := len(v) - strings.IndexByte(v, '.') - 1
			if frac > decimals {
				// Leading zeros are kept as written; math/big drops them.
				if want := bigRound(v, decimals); trimZeros(string(got)) != want {
					t.Fatalf("coarsenValue(%q, %d) = %q; math/big gives %q", v, decimals, got, want)
				}
			} else if string(got) != v {
				t.Fatalf("coarsenValue(%q, %d) = %q; want it kept", v, decimals, got)
			}
		}
	})
}

// plainDecimal reports whether s is digits, a point and digits.
func plainDecimal(s string) bool {
	i := strings.IndexByte(s, '.')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	for k := 0; k < len(s); k++ {
		if k != i && !isDigit(s[k]) {
			return false
		}
	}
	return true
}

// trimZeros removes the leading zeros of a number's integer part.
func trimZeros(s string) string {
	s = strings.TrimLeft(s, "0")
	if s == "" || s[0] == '.' {
		s = "0" + s
	}
	return s
}

// TestCoarsenRule applies coarsen through field rules and a custom detector:
// JSON numbers stay numbers, strings and text values are rounded in place,
// arrays are coarsened element by element, and a value that is not numeric
// text is redacted.
func TestCoarsenRule(t *testing.T) {
	e := compileTest(t, `
fields:
  - {path: "**.lat", name: coordinates, action: coarsen}
  - {path: "**.lon", name: coordinates, action: coarsen, decimals: 3}
  - {path: "**.pos", name: coordinates, action: coarsen, decimals: 0}
custom:
  - {name: gps, pattern: '(?<=gps\()\d+\.\d+', action: coarsen, decimals: 1}
`)
	tests := []struct{ in, want string }{
		{`{"lat":48.8583701,"lon":2.294481}`, `{"lat":48.86,"lon":2.294}`},
		{`{"lat":"48.8583701","lon":"-0.12755"}`, `{"lat":"48.86","lon":"-0.128"}`},
		{`{"lat":48.86,"n":1}`, `{"lat":48.86,"n":1}`},
		{`{"lat":48}`, `{"lat":48}`},
		{`{"lat":null,"lon":true}`, `{"lat":null,"lon":true}`},
		{`{"lat":""}`, `{"lat":""}`},
		{`{"lat":"Paris"}`, `{"lat":"[coordinates]"}`},
		{`{"lat":4.88583701e1}`, `{"lat":"[coordinates]"}`},
		{`{"pos":[48.8583701,2.294481]}`, `{"pos":[49,2]}`},
		{`{"pos":{"a":48.6,"b":"x"}}`, `{"pos":{"a":49,"b":"[coordinates]"}}`},
		{`lat=48.8583701 lon=2.294481 msg=ok`, `lat=48.86 lon=2.294 msg=ok`},
		{`lat="48.8583701"`, `lat="48.86"`},
		{`lat=Paris`, `lat=[coordinates]`},
		{`at gps(48.8583701) now`, `at gps(48.9) now`},
		{`at gps(Paris)`, `at gps(Paris)`},
		// Scrubbed output is scrubbed to itself.
		{`{"lat":48.86,"lon":"[coordinates]"}`, `{"lat":48.86,"lon":"[coordinates]"}`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, res := scrub(t, e, tc.in)
			if got != tc.want {
				t.Fatalf("Scrub(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if strings.HasPrefix(tc.in, "{") && !json.Valid([]byte(got)) {
				t.Fatalf("output %q is not valid JSON", got)
			}
			for i, a := range res.Actions {
				if a != Coarsen {
					t.Errorf("finding %d (%s) has action %s", i, res.Findings[i].Type, a)
				}
			}
		})
	}
}

func TestCoarsenValidate(t *testing.T) {
	tests := []struct {
		policy, problem string
	}{
		{"fields:\n  - {path: a, action: redact, decimals: 2}\n", "fields[0].decimals"},
		{"fields:\n  - {path: a, action: coarsen, decimals: -1}\n", "fields[0].decimals"},
		{"fields:\n  - {path: a, action: coarsen, decimals: 13}\n", "fields[0].decimals"},
		{"detectors:\n  email: {action: pseudonymize, decimals: 2}\n", "detectors.email.decimals"},
		{"custom:\n  - {name: a, pattern: b, action: mask, decimals: 1}\n", "custom[0].decimals"},
	}
	for _, tc := range tests {
		t.Run(tc.problem, func(t *testing.T) {
			p, err := Parse([]byte(tc.policy), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			err = p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("Validate() = %v, want a problem at %s", err, tc.problem)
			}
		})
	}
	for _, ok := range []string{
		"fields:\n  - {path: a, action: coarsen}\n",
		"fields:\n  - {path: a, action: coarsen, decimals: 0}\n",
		"detectors:\n  ipv4: {action: coarsen, decimals: 12}\n",
	} {
		p, err := Parse([]byte(ok), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("Validate(%q) = %v", ok, err)
		}
	}
}
