package rules

import (
	"fmt"
	"net/netip"
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
