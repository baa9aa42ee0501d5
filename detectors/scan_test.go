package detectors

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newTestScanner(t testing.TB) *Scanner {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// spans renders findings as "type:text" for readable diffs.
func spans(line string, fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Type)+":"+line[f.Start:f.End])
	}
	return out
}

func TestScanTable(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		name string
		line string
		want []string
	}{
		// IPv4 in the places real logs put it.
		{"plain", "client 203.0.113.77 connected", []string{"ipv4:203.0.113.77"}},
		{"port", "dial 10.1.2.3:9092 ok", []string{"ipv4:10.1.2.3"}},
		{"after slash", "Client /10.0.0.1:2181 closed", []string{"ipv4:10.0.0.1"}},
		{"brackets", "[192.168.1.10] up", []string{"ipv4:192.168.1.10"}},
		{"url", "GET http://198.51.100.4:8080/x?ip=192.0.2.9&a=1", []string{"ipv4:198.51.100.4", "ipv4:192.0.2.9"}},
		{"xff", "X-Forwarded-For: 203.0.113.5, 198.51.100.7,10.0.0.1", []string{"ipv4:203.0.113.5", "ipv4:198.51.100.7", "ipv4:10.0.0.1"}},
		{"cidr", "allow 10.20.0.0/16;", []string{"ipv4:10.20.0.0"}},
		{"sentence end", "from 8.8.8.8.", []string{"ipv4:8.8.8.8"}},
		{"embedded host", "host1.2.3.4.example.com", []string{"ipv4:1.2.3.4"}},
		{"nip.io", "app.10.0.0.1.nip.io", []string{"ipv4:10.0.0.1"}},
		{"dashed rdns", "pool 1-2-3-4.dsl.example.net", []string{"ipv4:1-2-3-4"}},
		{"comcast", "c-73-15-200-3.hsd1.ca.comcast.net", []string{"ipv4:73-15-200-3"}},
		{"aws", "node ip-10-0-12-7.ec2.internal and ip-10-0-0-1", []string{"ipv4:10-0-12-7", "ipv4:10-0-0-1"}},
		{"glued rdns", "rhost=d211-116-254-214.rev.krline.net ip72-204-174-15.ri.cox.net", []string{"ipv4:211-116-254-214", "ipv4:72-204-174-15"}},
		{"ifconfig", "inet6 addr:fe80::a00:27ff:fe4e:66a1/64 Scope:Link", []string{"ipv6:fe80::a00:27ff:fe4e:66a1"}},
		{"src key", "SRC:2001:db8::1 DST=2001:db8::2", []string{"ipv6:2001:db8::1", "ipv6:2001:db8::2"}},
		{"host name", "Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]", []string{"ipv4:10-105-160-95"}},
		{"sshd", "Failed password for root from 218.25.17.234 port 40262 ssh2", []string{"ipv4:218.25.17.234"}},
		{"leading zero octets", "ip=010.001.002.003", []string{"ipv4:010.001.002.003"}},
		{"five numbers", "oid 1.3.6.1.4.1.2021 and 1.2.3.4.5", nil},
		{"octet too big", "256.1.1.1 and 1.2.3.999", nil},
		{"version chrome", "Chrome/32.0.1700.77", nil},
		{"three parts", "Version/7.0.3 Safari", nil},
		{"glued letters", "1.2.3.4abc", nil},
		{"dashed date", "2015-05-17 and 10-11-12-13", nil},

		// IPv6, RFC 4291 section 2.2 and RFC 5952 forms.
		{"full", "a=2001:0db8:0000:0000:0008:0800:200c:417a b", []string{"ipv6:2001:0db8:0000:0000:0008:0800:200c:417a"}},
		{"compressed", "src 2001:db8::8:800:200c:417a", []string{"ipv6:2001:db8::8:800:200c:417a"}},
		{"upper", "SRC=2001:DB8:85A3::8A2E:370:7334", []string{"ipv6:2001:DB8:85A3::8A2E:370:7334"}},
		{"loopback", "listen [::1]:8080", []string{"ipv6:::1"}},
		{"unspecified prefix", "route ff02::/16", []string{"ipv6:ff02::"}},
		{"mapped", "from ::ffff:192.0.2.128 port", []string{"ipv6:::ffff:192.0.2.128"}},
		{"mixed", "0:0:0:0:0:0:13.1.68.3 here", []string{"ipv6:0:0:0:0:0:0:13.1.68.3"}},
		{"zone", "fe80::1ff:fe23:4567:890a%eth0 link", []string{"ipv6:fe80::1ff:fe23:4567:890a%eth0"}},
		{"zone url", "http://[fe80::1%25en0]:80/", []string{"ipv6:fe80::1%25en0"}},
		{"unspecified zoned", "bind ::%eth0 and ::%::1", []string{"ipv6:::1"}},
		{"bracket port", "[2001:db8::1]:443", []string{"ipv6:2001:db8::1"}},
		{"trailing colon", "peer 2001:db8::2: reset", []string{"ipv6:2001:db8::2"}},
		{"unbracketed port", "QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeader", []string{"ipv6:0:0:0:0:0:0:0:0"}},
		{"clock", "at 12:30:45 and 10:05:03.123", nil},
		{"scope", "std::map and Foo::Bar::baz and dead::beef", nil},
		{"timestamp", "2015-05-17T10:05:03Z", nil},

		// E-mail.
		{"email", "user john.doe+tag@example.co.uk logged in", []string{"email:john.doe+tag@example.co.uk"}},
		{"email key", "email=jane_d@example.org&x=1", []string{"email:jane_d@example.org"}},
		{"email pct", "/reset?to=jane%40example.com&x=1", []string{"email:jane%40example.com"}},
		{"email pct local", "to=mailto%3Ajo%40example.com", []string{"email:jo%40example.com"}},
		{"email pct plus", "/users/j.smith%2Bshop%40gmail.com/profile", []string{"email:j.smith%2Bshop%40gmail.com"}},
		{"microsecond time", "ts=2026-03-02T08:06:00.560000Z level=debug", nil},
		{"email idn tld", "a@b.xn--p1ai ok", []string{"email:a@b.xn--p1ai"}},
		{"email sentence", "Write to info@example.com.", []string{"email:info@example.com"}},
		{"retina asset", "GET /img/icon@2x.png", nil},
		{"no tld", "root@localhost and a@b", nil},

		// IBAN, also in lower case.
		{"iban", "pay DE89 3704 0044 0532 0130 00 now", []string{"iban:DE89 3704 0044 0532 0130 00"}},
		{"iban lower", "iban=gb82west12345698765432", []string{"iban:gb82west12345698765432"}},
		{"iban bad checksum", "DE89 3704 0044 0532 0130 01", nil},

		// MAC, UUID.
		{"mac colon", "wlan0 00:1A:2B:3C:4D:5E up", []string{"mac:00:1A:2B:3C:4D:5E"}},
		{"mac dash", "hw 00-1a-2b-3c-4d-5e", []string{"mac:00-1a-2b-3c-4d-5e"}},
		{"mac cisco", "mac 001a.2b3c.4d5e vlan", []string{"mac:001a.2b3c.4d5e"}},
		{"mac too long", "00:1a:2b:3c:4d:5e:6f", nil},
		{"uuid", "device=3F2504E0-4F89-11D3-9A0C-0305E82C3301;", []string{"uuid:3F2504E0-4F89-11D3-9A0C-0305E82C3301"}},
		{"uuid glued", "x3f2504e0-4f89-11d3-9a0c-0305e82c3301", nil},

		// Tokens and secrets.
		{"jwt", "auth eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
			[]string{"jwt:eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}},
		{"bearer", "Authorization: Bearer abc123.def-456", []string{"secret:abc123.def-456"}},
		{"basic", "Authorization: Basic dXNlcjpwYXNz", []string{"secret:dXNlcjpwYXNz"}},
		{"bearer prose", "use Bearer authentication here", nil},
		{"password kv", "login user=bob password=hunter2 ok", []string{"secret:hunter2"}},
		{"password json", `{"db_password": "s3cr=t x"}`, []string{"secret:s3cr=t x"}},
		{"api key header", "X-Api-Key: 9f8e7d6c5b4a", []string{"secret:9f8e7d6c5b4a"}},
		{"aws", "key AKIAIOSFODNN7EXAMPLE used", []string{"secret:AKIAIOSFODNN7EXAMPLE"}},
		{"github", "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 pushed", []string{"secret:ghp_abcdefghijklmnopqrstuvwxyz0123456789"}},
		{"placeholder", "password=[secret] token=*** secret=null", nil},
		{"bracketed password", "password=[hunter2]", []string{"secret:[hunter2"}},
		{"not a secret key", "PWD=/home/bob ; USER=root", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Scan(nil, []byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, spans(tt.line, got)); diff != "" {
				t.Errorf("Scan(%q) (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestScanDisabled(t *testing.T) {
	s, err := New(Options{Disabled: []Type{IPv4}})
	if err != nil {
		t.Fatal(err)
	}
	line := "from 10.0.0.1 to a@example.com"
	got, _ := s.Scan(nil, []byte(line))
	if diff := cmp.Diff([]string{"email:a@example.com"}, spans(line, got)); diff != "" {
		t.Error(diff)
	}
	if _, err := New(Options{Disabled: []Type{"nope"}}); err == nil {
		t.Error("disabling an unknown type must fail")
	}
}

// TestScanBadBytes checks that NUL bytes and invalid UTF-8 neither stop the
// scan nor hide what follows them.
func TestScanBadBytes(t *testing.T) {
	s := newTestScanner(t)
	line := "\x00\xff\xfe bad \xc3 10.0.0.1\x00a@example.com\x00"
	got, err := s.Scan(nil, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ipv4:10.0.0.1", "email:a@example.com"}
	if diff := cmp.Diff(want, spans(line, got)); diff != "" {
		t.Error(diff)
	}
}

func TestScanNoAllocs(t *testing.T) {
	s := newTestScanner(t)
	line := []byte(`2026-11-29T10:05:03.123Z INFO [main] request handled in 12.5ms status=200 bytes=203023 path=/api/v1/items?page=3 agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/32.0.1700.77"`)
	dst := make([]Finding, 0, 8)
	allocs := testing.AllocsPerRun(100, func() {
		dst, _ = s.Scan(dst[:0], line)
	})
	if len(dst) != 0 {
		t.Fatalf("unexpected findings: %v", spans(string(line), dst))
	}
	if allocs != 0 {
		t.Errorf("Scan allocated %v times on a line without findings", allocs)
	}
}

func TestCustomDetector(t *testing.T) {
	s, err := New(Options{Custom: []Custom{{Name: "order_id", Pattern: `ORD-\d{6}`}}})
	if err != nil {
		t.Fatal(err)
	}
	line := "order ORD-123456 by a@example.com é ORD-000001"
	got, err := s.Scan(nil, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"order_id:ORD-123456", "email:a@example.com", "order_id:ORD-000001"}
	if diff := cmp.Diff(want, spans(line, got)); diff != "" {
		t.Error(diff)
	}
}

func TestCustomDetectorTimeout(t *testing.T) {
	s, err := New(Options{Custom: []Custom{{Name: "evil", Pattern: `^(a+)+$`, Timeout: 20e6}}})
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Repeat("a", 40) + "!"
	_, err = s.Scan(nil, []byte(secret))
	if err == nil {
		t.Fatal("catastrophic pattern did not time out")
	}
	if !errorsIsTimeout(err) {
		t.Errorf("error %v does not wrap ErrTimeout", err)
	}
	if strings.Contains(err.Error(), "aaaa") {
		t.Errorf("error message quotes the input: %v", err)
	}
}

func TestCustomDetectorErrors(t *testing.T) {
	for _, c := range []Custom{{Name: "", Pattern: "x"}, {Name: "ipv4", Pattern: "x"}, {Name: "bad", Pattern: "("}} {
		if _, err := New(Options{Custom: []Custom{c}}); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
}
