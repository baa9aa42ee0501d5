package rules

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scrubd/scrubd/rules/keyring"
)

func compileTest(t testing.TB, policy string) *Engine {
	t.Helper()
	p := Default()
	if policy != "" {
		var err error
		p, err = Parse([]byte(policy), "test")
		if err != nil {
			t.Fatal(err)
		}
	}
	e, err := Compile(p, TestKeyring())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// pseudo is the pseudonym the test keyring gives value as type typ.
func pseudo(typ, value string) string {
	return string(TestKeyring().Pseudonym(nil, typ, []byte(value)))
}

func scrub(t *testing.T, e *Engine, in string) (string, *Result) {
	t.Helper()
	var res Result
	out, err := e.Scrub(nil, []byte(in), &res)
	if err != nil {
		t.Fatalf("Scrub(%q): %v", in, err)
	}
	return string(out), &res
}

func TestScrubFormats(t *testing.T) {
	e := compileTest(t, "")
	tests := []struct {
		name   string
		in     string
		want   string
		format Format
	}{
		{"text ip", "Failed password for root from 218.25.17.234 port 40262 ssh2",
			"Failed password for root from 218.25.17.0 port 40262 ssh2", FormatText},
		{"text ipv6", "peer [2001:db8:85a3:8d3:1319:8a2e:370:7348]:443 closed",
			"peer [2001:db8:85a3::]:443 closed", FormatText},
		{"text mapped", "from ::ffff:203.0.113.9", "from ::ffff:203.0.113.0", FormatText},
		{"zone kept", "link fe80::1ff:fe23:4567:890a%eth0 up", "link fe80::%eth0 up", FormatText},
		{"unspecified zone bracketed", "link ::1%eth0 up %::0%0::", "link [::%eth0] up %[::%0]::", FormatText},
		{"text dashed", "host c-73-15-200-3.hsd1.example.net", "host c-73-15-200-0.hsd1.example.net", FormatText},
		{"text email", "mail to a.b@example.com sent", "mail to " + pseudo("email", "a.b@example.com") + " sent", FormatText},
		{"email case and encoding", "to=A.B%40Example.com", "to=" + pseudo("email", "a.b@example.com"), FormatLogfmt},
		{"text card", "paid 4111-1111-1111-1111 ok", "paid [credit_card] ok", FormatText},
		{"logfmt field rule", `level=info uid=42 msg="from 10.0.0.7"`,
			`level=info uid=` + pseudo("account_id", "42") + ` msg="from 10.0.0.0"`, FormatLogfmt},
		{"logfmt quoted field", `user.email="x@example.org" a=1`,
			`user.email="` + pseudo("email", "x@example.org") + `" a=1`, FormatLogfmt},
		{"query string", "GET /p?uid=7&q=1 HTTP/1.1", "GET /p?uid=" + pseudo("account_id", "7") + "&q=1 HTTP/1.1", FormatText},
		{"json nested", `{"user":{"id":"u1","email":"e@example.com"},"n":1}`,
			`{"user":{"id":"` + pseudo("account_id", "u1") + `","email":"` + pseudo("email", "e@example.com") + `"},"n":1}`, FormatJSON},
		{"json numeric id", `{"uid": 12345, "ok": true}`, `{"uid": "` + pseudo("account_id", "12345") + `", "ok": true}`, FormatJSON},
		{"json null id", `{"uid":null}`, `{"uid":null}`, FormatJSON},
		{"json free text", `{"msg":"login from 198.51.100.23"}`, `{"msg":"login from 198.51.100.0"}`, FormatJSON},
		{"json array", `{"ips":["10.1.1.1","10.2.2.2"]}`, `{"ips":["10.1.1.0","10.2.2.0"]}`, FormatJSON},
		{"json secret", `{"password":"hunter2","x":1}`, `{"password":"[secret]","x":1}`, FormatJSON},
		{"json escaped", `{"msg":"a\u0040example.com said \"hi\""}`,
			`{"msg":"` + pseudo("email", "a@example.com") + ` said \"hi\""}`, FormatJSON},
		{"json key with email", `{"a@example.com":1}`, `{"` + pseudo("email", "a@example.com") + `":1}`, FormatJSON},
		{"json card number", `{"pan":4111111111111111}`, `{"pan":"[credit_card]"}`, FormatJSON},
		{"json whitespace kept", "{ \"a\" : [ 1 , 2 ] }", "{ \"a\" : [ 1 , 2 ] }", FormatJSON},
		{"top-level array", `[{"uid":1}]`, `[{"uid":"` + pseudo("account_id", "1") + `"}]`, FormatJSON},
		{"log prefix in brackets is text", `[Sun Dec 04 04:51:18 2005] [error] [client 24.147.151.74] denied`,
			`[Sun Dec 04 04:51:18 2005] [error] [client 24.147.151.0] denied`, FormatText},
		{"go struct dump is text", `{ID:42 Email:jo@example.com}`, `{ID:42 Email:` + pseudo("email", "jo@example.com") + `}`, FormatText},
		{"access log", `83.149.9.216 - bob [17/May/2015:10:05:03 +0000] "GET /a?email=x%40example.com HTTP/1.1" 200 2030 "-" "Mozilla/5.0"`,
			`83.149.9.0 - ` + pseudo("account_id", "bob") + ` [17/May/2015:10:05:03 +0000] "GET /a?email=` + pseudo("email", "x@example.com") + ` HTTP/1.1" 200 2030 "-" "Mozilla/5.0"`, FormatAccess},
		{"access log common", `2001:db8::5 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.0" 304 -`,
			`2001:db8:: - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.0" 304 -`, FormatAccess},
		{"user agent versions", `{"ua":"Mozilla/5.0 (Windows; U; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4 via 10.1.2.3"}`,
			`{"ua":"Mozilla/5.0 (Windows; U; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4 via 10.1.2.0"}`, FormatJSON},
		{"pem key in a multi-line record", "loaded key\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nQUJDREVG\n-----END RSA PRIVATE KEY-----\nok",
			"loaded key\n-----BEGIN RSA PRIVATE KEY-----[secret]-----END RSA PRIVATE KEY-----\nok", FormatText},
		{"url user-info", `connect redis://app:pw@cache:6379`, `connect redis://` + pseudo("account_id", "app") + `:[secret]@cache:6379`, FormatText},
		{"user agent addresses", `{"ua":"curl/8.5.0 via/198.51.100.23 rv:203.0.113.9"}`, `{"ua":"curl/8.5.0 via/198.51.100.0 rv:203.0.113.0"}`, FormatJSON},
		{"versions elsewhere are versions", `{"msg":"Firefox/2.0.0.4 nginx/1.25.3.4"}`, `{"msg":"Firefox/2.0.0.4 nginx/1.25.3.4"}`, FormatJSON},
		{"addresses after a product token", `{"msg":"curl/198.51.100.23 db01/10.0.0.5"}`, `{"msg":"curl/198.51.100.0 db01/10.0.0.0"}`, FormatJSON},
		{"bad utf8 and escape bytes", "a\x1b[31mb\x1b[0m \xff 10.0.0.1", "a\x1b[31mb\x1b[0m \xff 10.0.0.0", FormatText},
		{"empty", "", "", FormatText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res := scrub(t, e, tt.in)
			if got != tt.want {
				t.Errorf("Scrub(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if res.Format != tt.format {
				t.Errorf("format %q, want %q", res.Format, tt.format)
			}
			if tt.format == FormatJSON && !json.Valid([]byte(got)) {
				t.Errorf("output is not valid JSON: %s", got)
			}
			// Scrubbing twice changes nothing.
			if again, _ := scrub(t, e, got); again != got {
				t.Errorf("not idempotent:\n once  %q\n twice %q", got, again)
			}
		})
	}
}

func TestScrubActions(t *testing.T) {
	e := compileTest(t, `
name: actions
default_fields: false
detectors:
  ipv4: {action: truncate_ip, prefix: 16}
  email: {action: mask, keep_first: 1, keep_last: 4}
  phone: {action: drop_field}
  iban: {action: keep}
fields:
  - {path: "debug", action: drop_field}
  - {path: "trace.*", action: redact, name: trace}
  - {path: "internal", action: drop_record, values: ["yes"]}
  - {path: "note", action: keep}
  - {path: "user.**", action: pseudonymize, name: account_id}
  - {path: "tags", action: drop_field}
`)
	tests := []struct {
		name, in, want string
		dropped        bool
	}{
		{"prefix 16", "ip 10.20.30.40", "ip 10.20.0.0", false},
		{"mask", "to jo@example.com", "to j*********.com", false},
		{"keep detector", "iban DE89370400440532013000", "iban DE89370400440532013000", false},
		{"drop field json", `{"a":1,"debug":{"x":[1,2]},"b":2}`, `{"a":1,"b":2}`, false},
		{"drop first field", `{"debug":1,"b":2}`, `{"b":2}`, false},
		{"drop last field", `{"b":2,"debug":1}`, `{"b":2}`, false},
		{"drop field logfmt", `a=1 debug=x b=2`, `a=1 b=2`, false},
		{"detector drop_field in json", `{"a":1,"tel":"call +14155552671"}`, `{"a":1}`, false},
		{"detector drop_field in text", `call +14155552671 now`, `call [phone] now`, false},
		{"redact glob", `{"trace":{"id":"abc","span":7}}`, `{"trace":{"id":"[trace]","span":"[trace]"}}`, false},
		{"drop record value", `{"internal":"YES","x":1}`, "", true},
		{"drop record other value", `{"internal":"no","x":1}`, `{"internal":"no","x":1}`, false},
		{"keep allow-list", `{"note":"10.1.2.3"}`, `{"note":"10.1.2.3"}`, false},
		{"forced container", `{"user":{"a":"x","b":[1,null]}}`,
			`{"user":{"a":"` + pseudo("account_id", "x") + `","b":["` + pseudo("account_id", "1") + `",null]}}`, false},
		{"drop array field", `{"tags":["a","b"],"k":1}`, `{"k":1}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res := scrub(t, e, tt.in)
			if got != tt.want || res.Dropped != tt.dropped {
				t.Errorf("Scrub(%q) = %q dropped=%v, want %q dropped=%v", tt.in, got, res.Dropped, tt.want, tt.dropped)
			}
		})
	}
}

func TestScrubFindingsOffsets(t *testing.T) {
	e := compileTest(t, "")
	in := `{"m":"x a\u0040b.io y","uid":7,"ip":"10.0.0.1"}`
	_, res := scrub(t, e, in)
	var got []string
	for i, f := range res.Findings {
		got = append(got, string(f.Type)+"="+in[f.Start:f.End]+"/"+string(res.Actions[i]))
	}
	want := []string{`email=a\u0040b.io/pseudonymize`, "account_id=7/pseudonymize", "ipv4=10.0.0.1/truncate_ip"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestScrubFailsClosed(t *testing.T) {
	e := compileTest(t, `
limits: {max_record_bytes: 100, max_depth: 3}
custom:
  - {name: evil, pattern: "^(a+)+$", action: redact, timeout: 20ms}
`)
	secret := strings.Repeat("a", 40) + "!"
	tests := []struct {
		name   string
		in     string
		reason Reason
	}{
		{"too large", strings.Repeat("x", 101), ReasonTooLarge},
		{"too deep", `{"a":{"b":{"c":{"d":1}}}}`, ReasonTooDeep},
		{"too deep arrays", `[[[[1]]]]`, ReasonTooDeep},
		{"catastrophic regexp", secret, ReasonDetectorTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			out, err := e.Scrub([]byte("prefix"), []byte(tt.in), &res)
			if err == nil {
				t.Fatalf("Scrub succeeded: %q", out)
			}
			if string(out) != "prefix" {
				t.Errorf("output grew on failure: %q", out)
			}
			if got := ReasonOf(err); got != tt.reason {
				t.Errorf("reason %q, want %q (err %v)", got, tt.reason, err)
			}
			if strings.Contains(err.Error(), "aaaa") {
				t.Errorf("error quotes the record: %v", err)
			}
			var re *RecordError
			if !errors.As(err, &re) {
				t.Errorf("error is not a *RecordError: %T", err)
			}
		})
	}
	// Depth 3 is allowed.
	if _, err := e.Scrub(nil, []byte(`{"a":{"b":{"c":1}}}`), &Result{}); err != nil {
		t.Errorf("depth 3: %v", err)
	}
}

func TestPseudonymsStableAndRotating(t *testing.T) {
	k1 := []byte(strings.Repeat("1", 32))
	k2 := []byte(strings.Repeat("2", 32))
	old, err := keyring.New("k1", map[string][]byte{"k1": k1})
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keyring.New("k2", map[string][]byte{"k1": k1, "k2": k2})
	if err != nil {
		t.Fatal(err)
	}
	v := []byte("a@example.com")
	p1 := string(old.Pseudonym(nil, "email", v))
	if again := string(old.Pseudonym(nil, "email", v)); again != p1 {
		t.Errorf("not deterministic: %s %s", p1, again)
	}
	p2 := string(rotated.Pseudonym(nil, "email", v))
	if p1 == p2 || !strings.HasPrefix(p1, "email_k1_") || !strings.HasPrefix(p2, "email_k2_") {
		t.Errorf("rotation: %s %s", p1, p2)
	}
	if p, _ := rotated.PseudonymWith(nil, "k1", "email", v); string(p) != p1 {
		t.Errorf("PseudonymWith(k1) = %s, want %s", p, p1)
	}
	if !rotated.IsPseudonym("email", []byte(p1)) || !rotated.IsPseudonym("email", []byte(p2)) {
		t.Error("rotated keyring does not recognise old and new pseudonyms")
	}
	if old.IsPseudonym("email", []byte(p2)) {
		t.Error("old keyring recognises a pseudonym of a key it does not hold")
	}
	if p := string(old.Pseudonym(nil, "account_id", v)); p[len("account_id_k1_"):] == p1[len("email_k1_"):] {
		t.Error("types share pseudonyms")
	}
}

func TestKeyringErrors(t *testing.T) {
	short := map[string][]byte{"k1": []byte("short")}
	if _, err := keyring.New("k1", short); err == nil {
		t.Error("short key accepted")
	}
	long := []byte(strings.Repeat("x", 32))
	if _, err := keyring.New("K1", map[string][]byte{"K1": long}); err == nil {
		t.Error("upper-case key id accepted")
	}
	if _, err := keyring.New("k9", map[string][]byte{"k1": long}); err == nil {
		t.Error("missing active key accepted")
	}
	if _, err := keyring.New("", map[string][]byte{"k1": long, "k2": long}); err == nil {
		t.Error("two keys without an active one accepted")
	}
}

func TestLoadKeyring(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/k1", strings.Repeat("a", 32)+"\n")
	writeFile(t, dir+"/.hidden", "x")
	env := map[string]string{"KEY2": strings.Repeat("b", 40)}
	kr, random, err := LoadKeyring(KeysConfig{Dir: dir, Env: map[string]string{"k2": "KEY2"}, Active: "k2"}, func(k string) string { return env[k] })
	if err != nil || random {
		t.Fatalf("LoadKeyring: %v random=%v", err, random)
	}
	if diff := cmp.Diff([]string{"k1", "k2"}, kr.IDs()); diff != "" {
		t.Error(diff)
	}
	if kr.ActiveID() != "k2" {
		t.Errorf("active %q", kr.ActiveID())
	}
	if _, _, err := LoadKeyring(KeysConfig{Env: map[string]string{"k3": "NOPE"}}, func(string) string { return "" }); err == nil {
		t.Error("unset environment variable accepted")
	}
	kr, random, err = LoadKeyring(KeysConfig{}, func(string) string { return "" })
	if err != nil || !random || kr == nil {
		t.Errorf("no keys: %v random=%v", err, random)
	}
}

func TestPseudonymNoAllocs(t *testing.T) {
	kr := TestKeyring()
	dst := make([]byte, 0, 64)
	v := []byte("a@example.com")
	kr.Pseudonym(dst, "email", v) // warm the pool
	if n := testing.AllocsPerRun(100, func() { dst = kr.Pseudonym(dst[:0], "email", v) }); n != 0 {
		t.Errorf("Pseudonym allocates %v times", n)
	}
}

func TestNormalize(t *testing.T) {
	for _, tt := range []struct{ typ, in, want string }{
		{"phone", "+1 (415) 555-2671", "+14155552671"},
		{"phone", "0044 20 7946 0958", "+442079460958"},
		{"phone", "%2B4915123456789", "+4915123456789"},
		{"phone", "%2b1 415 555 2671", "+14155552671"},
		{"email", "Jo.Doe%40Example.COM", "jo.doe@example.com"},
		{"mac", "00-1A-2B-3C-4D-5E", "001a2b3c4d5e"},
		{"account_id", "Bob", "Bob"},
	} {
		// Appending after other bytes must not change the result.
		got := normalize([]byte("prefix"), tt.typ, []byte(tt.in))
		if string(got) != "prefix"+tt.want {
			t.Errorf("normalize(%s, %q) = %q, want %q", tt.typ, tt.in, got[6:], tt.want)
		}
	}
}

// TestPhoneCueRegions: detectors.phone.cue_regions replaces the default cue
// regions: with [US] (and regions [US]) a cued Chinese mobile number is left
// alone and a cued US number in one block is found; only phone takes the key.
func TestPhoneCueRegions(t *testing.T) {
	const line = "手机 13812345678 tel 4155552671"
	var res Result
	def := compileTest(t, "")
	if out, err := def.Scrub(nil, []byte(line), &res); err != nil || strings.Contains(string(out), "13812345678") {
		t.Fatalf("default cue regions: %q, %v; want the Chinese mobile number scrubbed", out, err)
	}
	us := compileTest(t, "detectors:\n  phone: {action: redact, regions: [US], cue_regions: [US]}\n")
	out, err := us.Scrub(nil, []byte(line), &res)
	if err != nil || !strings.Contains(string(out), "13812345678") || strings.Contains(string(out), "4155552671") {
		t.Fatalf("cue_regions [US]: %q, %v; want the Chinese number kept and the US one scrubbed", out, err)
	}
	p, err := Parse([]byte("detectors:\n  email: {action: redact, cue_regions: [US]}\n"), "test")
	if err == nil {
		err = p.Validate()
	}
	if err == nil || !strings.Contains(err.Error(), "only phone takes cue_regions") {
		t.Fatalf("cue_regions on email: %v, want refused", err)
	}
}

// TestPlaceholders: a value that is a placeholder this engine writes
// ("[address]", "[account_id]") is left as it is by every rule, so that
// scrubbing twice changes nothing; a bracketed word that is no type of the
// engine ("[jdoe]") is a value like any other and meets its rule.
func TestPlaceholders(t *testing.T) {
	e := compileTest(t, "")
	for _, tt := range []struct{ in, want string }{
		{"dob: [address]", "dob: [address]"},
		{"user: [account_id]", "user: [account_id]"},
		{`{"user":"[ipv4]","dob":"[person]"}`, `{"user":"[ipv4]","dob":"[person]"}`},
		{"lat: [coordinates]", "lat: [coordinates]"},
		{"user: [jdoe]", "user: " + pseudo("account_id", "[jdoe]")},
		{`{"user":"[jdoe]"}`, `{"user":"` + pseudo("account_id", "[jdoe]") + `"}`},
		{"dob: [jdoe]", "dob: [birth_date]"},
	} {
		var res Result
		out, err := e.Scrub(nil, []byte(tt.in), &res)
		if err != nil || string(out) != tt.want {
			t.Errorf("Scrub(%q) = %q, %v; want %q", tt.in, out, err, tt.want)
		}
	}
}
