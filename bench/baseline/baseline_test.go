package baseline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/bench/gen"
	"github.com/scrubd/scrubd/detectors"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// found is a match as the table tests write it: the type and the text.
type found struct {
	Type detectors.Type
	Text string
}

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []found
	}{
		{"clean", `2026-03-02 08:00:00.585  INFO 1 --- [nio-8080-exec-78] c.z.hikari.HikariDataSource : Order 8360381 created in 214 ms`, nil},
		{"version numbers", `Chrome/122.0.6261.95 Safari/537.36 v1.2.3.4.5 10.0.0`, nil},
		{"ipv4", `Failed password for invalid user admin from 203.0.113.77 port 52144 ssh2`, []found{{detectors.IPv4, "203.0.113.77"}}},
		{"ipv4 port", `Accepted socket connection from /10.10.34.11:54340`, []found{{detectors.IPv4, "10.10.34.11"}}},
		{"ipv4 out of range", `at 256.1.1.1 and 1.2.3.999`, nil},
		{"dashed", `Mar  2 08:00:00 ip-10-238-69-25 sshd[8376]: x`, []found{{detectors.IPv4, "10-238-69-25"}}},
		{"dashed domain", `reverse 1-2-3-4.dsl.example.net ok`, []found{{detectors.IPv4, "1-2-3-4"}}},
		{"ipv6", `client [2001:db8:85a3::8a2e:370:7334]:443 closed`, []found{{detectors.IPv6, "2001:db8:85a3::8a2e:370:7334"}}},
		{"ipv6 mapped", `::ffff:203.0.113.7 - - [x]`, []found{{detectors.IPv6, "::ffff:203.0.113.7"}}},
		{"ipv6 full", `ip=2A03:2880:9CEC:00FF:DCEA:F100:1F3E:0C9F reason=x`, []found{{detectors.IPv6, "2A03:2880:9CEC:00FF:DCEA:F100:1F3E:0C9F"}}},
		{"ipv6 zone", `neighbour fe80::1c2d:3eff:fe4f:5061%eth0 reachable`, []found{{detectors.IPv6, "fe80::1c2d:3eff:fe4f:5061%eth0"}}},
		{"not ipv6", `std::map at 10:05:03 and dead::beef`, nil},
		{"email", `Password reset link sent to Jane.Doe+shop@gmail.com.`, []found{{detectors.Email, "Jane.Doe+shop@gmail.com"}}},
		{"email encoded", `GET /lookup?email=jane.doe%40gmail.com HTTP/1.1`, []found{{detectors.Email, "jane.doe%40gmail.com"}}},
		{"asset", `GET /images/logo@2x.png HTTP/1.1`, nil},
		{"phone e164", `sms sent to +442079460958 ok`, []found{{detectors.Phone, "+442079460958"}}},
		{"phone intl", `Sending SMS to +44 20 7946 0958 failed`, []found{{detectors.Phone, "+44 20 7946 0958"}}},
		{"phone nanp", `call (415) 555-2671 now`, []found{{detectors.Phone, "(415) 555-2671"}}},
		{"phone national", `Rückruf 030 1234567 bitte`, []found{{detectors.Phone, "030 1234567"}}},
		{"phone invalid", `order +1 000-000-0000 total`, nil},
		{"card", `Charge failed for card 4111 1111 1111 1111 exp 12/28`, []found{{detectors.CreditCard, "4111 1111 1111 1111"}}},
		{"card compact", `pan=4242424242424242;`, []found{{detectors.CreditCard, "4242424242424242"}}},
		{"card bad luhn", `id 4111111111111112 x`, nil},
		{"iban", `Mandate created for IBAN DE89 3704 0044 0532 0130 00 (x)`, []found{{detectors.IBAN, "DE89 3704 0044 0532 0130 00"}}},
		{"iban compact", `iban=GB82WEST12345698765432`, []found{{detectors.IBAN, "GB82WEST12345698765432"}}},
		{"iban bad check", `iban=GB83WEST12345698765432`, nil},
		{"mac", `mac 00:1a:2b:3c:4d:5e and 00-1A-2B-3C-4D-5F and 001a.2b3c.4d60`, []found{{detectors.MAC, "00:1a:2b:3c:4d:5e"}, {detectors.MAC, "00-1A-2B-3C-4D-5F"}, {detectors.MAC, "001a.2b3c.4d60"}}},
		{"imei", `device 35-209900-176148-1 and 352099001761481`, []found{{detectors.IMEI, "35-209900-176148-1"}, {detectors.IMEI, "352099001761481"}}},
		{"imei bad luhn", `device 352099001761482`, nil},
		{"uuid", `session 3f2a1b9c-0d4e-4f5a-8b6c-7d8e9f0a1b2c for`, []found{{detectors.UUID, "3f2a1b9c-0d4e-4f5a-8b6c-7d8e9f0a1b2c"}}},
		{"jwt", `token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end`, []found{{detectors.JWT, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}}},
		{"bearer", `> Authorization: Bearer abcDEF123456ghi`, []found{{detectors.Secret, "Bearer abcDEF123456ghi"}}},
		{"bearer prose", `uses Bearer authentication`, nil},
		{"password", `user=app password=Hunter2! dbname=shop`, []found{{detectors.Secret, "Hunter2!"}}},
		{"password json", `{"db_password": "s3cr3t", "x": 1}`, []found{{detectors.Secret, "s3cr3t"}}},
		{"password placeholder", `password=[redacted] token=null`, nil},
		{"aws key", `Using static credentials AKIAIOSFODNN7EXAMPLE from env`, []found{{detectors.Secret, "AKIAIOSFODNN7EXAMPLE"}}},
		{"field uid", `method=GET uid=123456789 status=200`, []found{{"account_id", "123456789"}}},
		{"field json", `{"user_id":987654321,"device_id":"abc123def4567890"}`, []found{{"account_id", "987654321"}, {"device_id", "abc123def4567890"}}},
		{"field query", `GET /unsubscribe?uid=123456789&list=news HTTP/1.1`, []found{{"account_id", "123456789"}}},
		{"remote user", `203.0.113.9 - jdoe42 [02/Mar/2026:08:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8.5.0"`, []found{{detectors.IPv4, "203.0.113.9"}, {"account_id", "jdoe42"}}},
		{"field wins over detector", `email=jane@example.com`, []found{{detectors.Email, "jane@example.com"}}},
	}
	s := New(testKey)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []found
			for _, m := range s.Find([]byte(tt.line)) {
				got = append(got, found{m.Type, tt.line[m.Start:m.End]})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Find(%q) mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		line string
		want string // "<p:type>" stands for a pseudonym of that type
	}{
		{`from 203.0.113.77 port 22`, `from 203.0.113.0 port 22`},
		{`[2001:db8:85a3:1234::5]:443`, `[2001:db8:85a3::]:443`},
		{`::ffff:203.0.113.7 -`, `::ffff:203.0.113.0 -`},
		{`host ip-10-1-2-3 up`, `host ip-10-1-2-0 up`},
		{`card 4111-1111-1111-1111 declined`, `card [credit_card] declined`},
		{`to jane@example.com`, `to <p:email>`},
		{`{"uid":"123456789","ok":true}`, `{"uid":"<p:account_id>","ok":true}`},
		{`nothing here`, `nothing here`},
	}
	s := New(testKey)
	for _, tt := range tests {
		got := string(s.Scrub([]byte(tt.line)))
		want := tt.want
		for _, typ := range []string{"email", "account_id"} {
			if p := "<p:" + typ + ">"; strings.Contains(want, p) {
				i := strings.Index(want, p)
				// A pseudonym: the type, the key id "b" and 24 letters g-v.
				if len(got) < i+len(typ)+3+24 || got[i:i+len(typ)+3] != typ+"_b_" {
					t.Errorf("Scrub(%q) = %q, want a %s pseudonym at %d", tt.line, got, typ, i)
					continue
				}
				for _, c := range got[i+len(typ)+3 : i+len(typ)+27] {
					if c < 'g' || c > 'v' {
						t.Errorf("Scrub(%q) = %q: pseudonym has %q", tt.line, got, c)
					}
				}
				got = got[:i] + p + got[i+len(typ)+27:]
			}
		}
		if got != want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.line, got, want)
		}
	}
	// Deterministic under one key, different under another.
	a := New(testKey).Scrub([]byte("to jane@example.com"))
	b := New(testKey).Scrub([]byte("to jane@example.com"))
	c := New(bytes.Repeat([]byte("k"), 32)).Scrub([]byte("to jane@example.com"))
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Errorf("pseudonyms: same key %q %q, other key %q", a, b, c)
	}
}

// TestCoverageOnGeneratedLogs checks that the baseline is a fair opponent:
// it finds nearly all personal data the generator plants. The misses it is
// allowed are the ones its doc comment lists (nested JSON paths).
func TestCoverageOnGeneratedLogs(t *testing.T) {
	s := New(testKey)
	g := gen.New(1)
	seeds, hit := 0, 0
	missed := map[detectors.Type]int{}
	for _, r := range g.Records(5000, gen.DefaultMix) {
		ms := s.Find(r.Line)
		for _, sd := range r.Seeds {
			seeds++
			covered := false
			for _, m := range ms {
				if m.Start <= sd.Start && sd.End <= m.End {
					covered = true
					break
				}
			}
			if covered {
				hit++
			} else {
				missed[sd.Type]++
			}
		}
	}
	recall := float64(hit) / float64(seeds)
	t.Logf("baseline covers %d of %d seeded values (%.2f%%); missed by type: %v", hit, seeds, 100*recall, missed)
	if recall < 0.9 {
		t.Errorf("baseline covers %.2f%% of seeded values, want at least 90%%", 100*recall)
	}
}
