package detectors

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzScan checks the scanner on arbitrary bytes: no panic, findings in
// bounds, in order and without overlaps, and every IPv6 finding (and every
// dotted IPv4 finding without leading zeros) accepted by net/netip, a second
// implementation of the address grammar.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"client 203.0.113.77:443 [2001:db8::1]:80 fe80::1%eth0",
		"a@b.co x%40y.com +14155552671 (415) 555-2671 4111 1111 1111 1111",
		"DE89 3704 0044 0532 0130 00 00:1a:2b:3c:4d:5e 001a.2b3c.4d5e",
		"490154203237518 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig password=x Bearer abc123",
		"1.2.3.4.5 12:30:45 ::ffff:1.2.3.4 c-1-2-3-4.example.net",
		"\x00\xff\xfe%%%@@@::::....",
		"tel 0151 2345 6789 手机 13812345678 0490 75 40 81 mobile",
		"IBAN FR 76 3000 6000 0112 3456 7890 189 DE89-3704-0044-0532-0130-00",
		"(48.85837, 2.294481) 48.8584° N, 2.2945° E lat=48.8583701 load 0.1234 0.5678",
		"redis://default:s3cret@cache:6379 postgres://u:p@ss@db/x ftp://anna@ftp.example.org",
		"-----BEGIN RSA PRIVATE KEY-----\\nMIIE\\n-----END RSA PRIVATE KEY----- -----BEGIN PRIVATE KEY-----\nQUJD",
		"jo&#64;example.com %6A%6F%40%65%78%2E%63%6F j%C3%B6rg%40m%C3%BCller.de 用户@例子.广告",
		`"Jo Bloggs" <jo@example.com> Zoë O'Brien <zoe@example.org>`,
		"ip:198.51.100.23x nginx/1.25.3.4 curl/198.51.100.23 rv:1.9.0.2 v1.2.3.4",
		"4111.1111.1111.1111 4111_1111_1111_1111 4111\t1111\t1111\t1111 card4111111111111111x",
	} {
		f.Add([]byte(s))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := s.Scan(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		prevEnd := 0
		for _, fd := range fs {
			if fd.Start < prevEnd || fd.End <= fd.Start || fd.End > len(b) {
				t.Fatalf("finding %+v out of order or bounds (prev end %d, len %d) in %q", fd, prevEnd, len(b), b)
			}
			prevEnd = fd.End
			text := string(b[fd.Start:fd.End])
			switch fd.Type {
			case IPv6:
				addr := text
				if i := strings.IndexByte(addr, '%'); i >= 0 {
					addr = addr[:i]
				}
				if a, err := netip.ParseAddr(addr); err != nil || !a.Is6() {
					t.Fatalf("ipv6 finding %q does not parse: %v", text, err)
				}
			case IPv4:
				if strings.Contains(text, ".") && !leadingZero(text) {
					if a, err := netip.ParseAddr(text); err != nil || !a.Is4() {
						t.Fatalf("ipv4 finding %q does not parse: %v", text, err)
					}
				}
			}
		}
		// Scanning is deterministic.
		again, _ := s.Scan(nil, b)
		if len(again) != len(fs) {
			t.Fatalf("second scan found %d, first %d", len(again), len(fs))
		}
	})
}

func leadingZero(ip string) bool {
	for _, o := range strings.Split(ip, ".") {
		if len(o) > 1 && o[0] == '0' {
			return true
		}
	}
	return false
}
