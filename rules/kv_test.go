package rules

import (
	"strings"
	"testing"
)

// TestCanonicalKeys: a field rule meets its key in every spelling, in JSON
// keys (through the walker's key memo, so each record is scrubbed twice),
// logfmt keys and query strings, and extension headers ("X-...") meet the
// rule of their name.
func TestCanonicalKeys(t *testing.T) {
	e := compileTest(t, "")
	acct := pseudo("account_id", "u-1")
	tests := []struct{ in, want string }{
		{`{"userId":"u-1"}`, `{"userId":"` + acct + `"}`},
		{`{"User-Id":"u-1"}`, `{"User-Id":"` + acct + `"}`},
		{`{"USER_ID":"u-1"}`, `{"USER_ID":"` + acct + `"}`},
		{`{"X-User-Id":"u-1"}`, `{"X-User-Id":"` + acct + `"}`},
		{`{"headers":{"x-account-id":"u-1"}}`, `{"headers":{"x-account-id":"` + acct + `"}}`},
		{`{"customerId":"u-1","accountID":"u-1"}`, `{"customerId":"` + acct + `","accountID":"` + acct + `"}`},
		{`userId=u-1 x_user_id=u-1 msg=ok`, `userId=` + acct + ` x_user_id=` + acct + ` msg=ok`},
		{`GET /a?User-Id=u-1&page=2`, `GET /a?User-Id=` + acct + `&page=2`},
		{`{"X-User-Email":"a@example.com"}`, `{"X-User-Email":"` + pseudo("email", "a@example.com") + `"}`},
		{`{"dbPasswordHash":"x","refreshToken":"abc"}`, `{"dbPasswordHash":"x","refreshToken":"[secret]"}`},
		// Not the same words: left to the detectors.
		{`{"paid":"u-1","userids_count":"u-1","X-Request-Id":"u-1"}`, `{"paid":"u-1","userids_count":"u-1","X-Request-Id":"u-1"}`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			for pass := 0; pass < 2; pass++ {
				if got, _ := scrub(t, e, tc.in); got != tc.want {
					t.Fatalf("pass %d: Scrub(%q) =\n%s\nwant\n%s", pass, tc.in, got, tc.want)
				}
			}
		})
	}
}

// kvPolicy rules the keys of the syntax tests: an account id, a person's
// name, an address and coordinates, with the default rules after them.
const kvPolicy = `
fields:
  - {path: "**.acct", name: account_id, action: pseudonymize}
`

// TestKVSyntaxes: each way of writing a pair in text meets the field rules,
// and the value ends where its syntax and type say.
func TestKVSyntaxes(t *testing.T) {
	e := compileTest(t, kvPolicy)
	a := pseudo("account_id", "u-44")
	p := pseudo("person", "Toshimi Arata")
	tests := []struct{ name, in, want string }{
		{"eq", `x acct=u-44 y`, `x acct=` + a + ` y`},
		{"eq spaced", `x acct = u-44 y`, `x acct = ` + a + ` y`},
		{"eq half spaced", `x acct =u-44 y`, `x acct =u-44 y`},
		{"eq quoted key", `x "acct"=u-44 y`, `x "acct"=` + a + ` y`},
		{"eq single quoted value", `x acct='u-44' y`, `x acct='` + a + `' y`},
		{"colon", `x acct: u-44 y`, `x acct: ` + a + ` y`},
		{"colon no space", `x acct:u-44 y`, `x acct:` + a + ` y`},
		{"colon spaced", `x acct : u-44 y`, `x acct : ` + a + ` y`},
		{"colon quoted", `{"acct" : "u-44"}`, `{"acct" : "` + a + `"}`},
		{"colon single quoted", `{'acct': 'u-44'}`, `{'acct': '` + a + `'}`},
		{"colon first", `acct: u-44`, `acct: ` + a},
		{"colon after a time", `2026-03-02 08:00:00 acct: u-44`, `2026-03-02 08:00:00 acct: ` + a},
		{"colon after a syslog time", `Jun 17 07:07:00 h acct:u-44`, `Jun 17 07:07:00 h acct:` + a},
		{"colon bracket", `[acct:u-44]`, `[acct:` + a + `]`},
		{"colon sentence", `logged in as acct: u-44.`, `logged in as acct: ` + a + `.`},
		{"arrow", `{acct => u-44}`, `{acct => ` + a + `}`},
		{"arrow quoted", `{"acct"=>"u-44"}`, `{"acct"=>"` + a + `"}`},
		{"arrow symbol", `{:acct => 'u-44'}`, `{:acct => '` + a + `'}`},
		{"xml", `<r><acct>u-44</acct></r>`, `<r><acct>` + a + `</acct></r>`},
		{"xml spaces", `<acct> u-44 </acct>`, `<acct> ` + a + ` </acct>`},
		{"xml namespace and attributes", `<ns:acct t="s">u-44</ns:acct>`, `<ns:acct t="s">` + a + `</ns:acct>`},
		{"xml unclosed", `<acct>u-44`, `<acct>u-44`},
		{"xml nested", `<acct><id>u-44</id></acct>`, `<acct><id>u-44</id></acct>`},
		{"header", `X-Acct: u-44`, `X-Acct: ` + a},
		{"header to the line end", "X-Full-Name: toshimi arata\nnext", "X-Full-Name: " + pseudo("person", "toshimi arata") + "\nnext"},
		{"pct", `q=acct%3Du-44&x=1`, `q=acct%3D` + a + `&x=1`},
		{"pct after encoded amp", `q=a%3D1%26acct%3Du-44%26b%3D2`, `q=a%3D1%26acct%3D` + a + `%26b%3D2`},
		{"pct lower case", `q=acct%3du-44`, `q=acct%3d` + a},
		{"pct json", `b=%7B%22acct%22%3A%22u-44%22%7D`, `b=%7B%22acct%22%3A%22` + a + `%22%7D`},
		{"pct json number", `b=%7B%22acct%22%3A1234%7D`, `b=%7B%22acct%22%3A` + pseudo("account_id", "1234") + `%7D`},
		{"pct bare colon", `u=acct%3Au-44`, `u=acct%3Au-44`},
		{"person words", `name: Toshimi Arata logged in`, `name: ` + p + ` logged in`},
		{"person comma", `by full_name=Toshimi Arata, ok`, `by full_name=` + p + `, ok`},
		{"person particle", `x contact_name: Maria de la Cruz said`, `x contact_name: ` + pseudo("person", "Maria de la Cruz") + ` said`},
		{"person line start", `contact_name: toshimi arata, then`, `contact_name: ` + pseudo("person", "toshimi arata") + `, then`},
		{"person line start guarded", `name: toshimi arata`, `name: toshimi arata`},
		{"person trailing particle", `x full_name: Ana de`, `x full_name: ` + pseudo("person", "Ana") + ` de`},
		{"address clause", `x address: 12 Rue de la Paix, Paris; ok`, `x address: [address]; ok`},
		{"address next key", `x address: 12 Rue de la Paix, Paris zip=75002`, `x address: [address] zip=[address]`},
		{"date words", `x dob: 12 March 1990, ok`, `x dob: [birth_date], ok`},
		{"date comma year", `x dob: March 12, 1990 ok`, `x dob: [birth_date] ok`},
		{"digit groups", `x ssn: 078 05 1120 ok`, `x ssn: [national_id] ok`},
		{"numbers", `x gps: 48.8583701, 2.294481 fix=3d`, `x gps: 48.86, 2.29 fix=3d`},
		{"numbers in brackets", `(lat: 48.8583701)`, `(lat: 48.86)`},
		{"auth scheme kept", `x Authorization: Bearer abc123 ok`, `x Authorization: Bearer [secret] ok`},
		{"auth scheme header", "Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: Basic [secret]"},
		{"auth no scheme", `x authorization=abc123 ok`, `x authorization=[secret] ok`},
		{"nothing personal", `acct=null acct: true acct=-`, `acct=null acct: true acct=-`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, res := scrub(t, e, tc.in)
			if got != tc.want {
				t.Fatalf("Scrub(%q) =\n %q\nwant\n %q", tc.in, got, tc.want)
			}
			checkFindings(t, []byte(tc.in), res)
			if again, _ := scrub(t, e, got); again != got {
				t.Fatalf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

// TestKVPrecision: text that looks like pairs but whose keys no rule names,
// or that are no pairs at all, is left as it is and reported as nothing.
func TestKVPrecision(t *testing.T) {
	e := compileTest(t, "")
	for _, in := range []string{
		"10:05:03 ERROR: connection reset by peer",
		"2024-03-01T10:05:03.123Z WARN [main] c.e.UserService: cache miss",
		"Caused by: java.io.IOException: Broken pipe",
		"\tat com.example.User.login(User.java:42)",
		"[main] INFO c.e.User: created",
		"[main] INFO com.example.Login: attempt",
		"GET http://example.com:8080/api?page=2 HTTP/1.1",
		"listening on [::]:8443 and localhost:9090",
		"if a == b && c != d && e <= f { x := 1 }",
		"<div class=\"user\">hello</div> <nil> <init> <user>",
		"progress 95% done, 100%3D ratio",
		"name=checkout-service level=info",
		"Name:         my-pod-7f9c",
		"{\"name\":\"checkout-service\",\"event\":{\"name\":\"page_view\"},\"service\":{\"name\":\"Redis\"}}",
		"{\"address\":\"db.internal:8080\",\"addr\":\":9092\",\"zip\":true,\"gps\":true}",
		"address: db.internal:8080 addr=:8080",
		"took too long: 5s; user: ; login=",
		"Host: example.com\nContent-Type: text/plain",
		"X-Request-Id: 7f3a-11",
	} {
		t.Run(in, func(t *testing.T) {
			got, res := scrub(t, e, in)
			if got != in || len(res.Findings) > 0 {
				t.Fatalf("Scrub(%q) = %q with findings %+v; want it unchanged", in, got, res.Findings)
			}
		})
	}
}

// TestDefaultFields: each family of the default identity rules, in JSON,
// logfmt and text, both sides of the guarded rules.
func TestDefaultFields(t *testing.T) {
	e := compileTest(t, "")
	tests := []struct{ in, want string }{
		{`{"name":"Toshimi Arata"}`, `{"name":"` + pseudo("person", "Toshimi Arata") + `"}`},
		{`{"name":"checkout-service"}`, `{"name":"checkout-service"}`},
		// A name in brackets, parentheses or angle brackets is still a name
		// (it was kept whole); a placeholder or one word is not.
		{`{"name":"[Maria Lopez]"}`, `{"name":"` + pseudo("person", "[Maria Lopez]") + `"}`},
		{`name: [John Smith] id=4`, `name: ` + pseudo("person", "[John Smith]") + ` id=4`},
		{`name=<Jane Doe>`, `name=` + pseudo("person", "<Jane Doe>")},
		{`full_name: [john smith]`, `full_name: ` + pseudo("person", "[john smith]")},
		{`msg="x" contact_name: (Ana Lima) ok`, `msg="x" contact_name: ` + pseudo("person", "(Ana Lima)") + ` ok`},
		{`{"name":"[person]","title":"(Redis)"}`, `{"name":"[person]","title":"(Redis)"}`},
		{`{"name":"[Payments]"}`, `{"name":"[Payments]"}`},
		{`{"name":"toshimi arata"}`, `{"name":"toshimi arata"}`},
		{`{"customer":{"name":"toshimi arata"}}`, `{"customer":{"name":"` + pseudo("person", "toshimi arata") + `"}}`},
		{`{"name":{"first":"Olu","last":"Adeyemi"}}`, `{"name":{"first":"` + pseudo("person", "Olu") + `","last":"` + pseudo("person", "Adeyemi") + `"}}`},
		{`{"firstName":"Olu","displayName":"olu"}`, `{"firstName":"` + pseudo("person", "Olu") + `","displayName":"` + pseudo("person", "olu") + `"}`},
		{`{"user":"jdoe","owner":7}`, `{"user":"` + pseudo("account_id", "jdoe") + `","owner":"` + pseudo("account_id", "7") + `"}`},
		{`{"user":{"name":"jdoe","email":"jd@example.com"}}`, `{"user":{"name":"` + pseudo("account_id", "jdoe") + `","email":"` + pseudo("email", "jd@example.com") + `"}}`},
		{`{"login":["jdoe",{"at":"x"}]}`, `{"login":["` + pseudo("account_id", "jdoe") + `",{"at":"x"}]}`},
		{`{"address":"12 Rue de la Paix","zip":"75002","city":"Paris"}`, `{"address":"[address]","zip":"[address]","city":"Paris"}`},
		{`{"address":{"street":"12 Rue de la Paix","postcode":"75002"}}`, `{"address":{"street":"[address]","postcode":"[address]"}}`},
		{`{"address":"db.internal:8080","zip":"gzip","postcode":true}`, `{"address":"db.internal:8080","zip":"gzip","postcode":true}`},
		{`{"dob":"1990-03-12","birthDate":19900312}`, `{"dob":"[birth_date]","birthDate":"[birth_date]"}`},
		{`{"ssn":"078-05-1120","passportNumber":"X1234567","driversLicense":"D1"}`, `{"ssn":"[national_id]","passportNumber":"[national_id]","driversLicense":"[national_id]"}`},
		{`{"lat":48.8583701,"lng":-0.12755,"accuracy":12.5}`, `{"lat":48.86,"lng":-0.13,"accuracy":12.5}`},
		{`{"coordinates":[2.294481,48.8583701],"gps":"Paris"}`, `{"coordinates":[2.29,48.86],"gps":"[coordinates]"}`},
		{`user=jdoe x_user_email=jd`, `user=` + pseudo("account_id", "jdoe") + ` x_user_email=` + pseudo("email", "jd")},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			for pass := 0; pass < 2; pass++ {
				if got, _ := scrub(t, e, tc.in); got != tc.want {
					t.Fatalf("pass %d: Scrub(%q) =\n %q\nwant\n %q", pass, tc.in, got, tc.want)
				}
			}
		})
	}
}

func TestShapes(t *testing.T) {
	tests := []struct {
		s    shape
		v    string
		want bool
	}{
		{shapePersonName, "Toshimi Arata", true},
		{shapePersonName, "ARATA Toshimi", true},
		{shapePersonName, "Maria de la Cruz", true},
		{shapePersonName, "Siobhan O'Brien", true},
		{shapePersonName, "Jean-Luc Picard", true},
		{shapePersonName, "J. R. Tolkien", true},
		{shapePersonName, "Toshimi+Arata", true},
		{shapePersonName, "Toshimi%20Arata", true},
		{shapePersonName, "Ōtani Shōhei", true},
		{shapePersonName, "山田 太郎", true},
		{shapePersonName, "Redis", false},
		{shapePersonName, "toshimi arata", false},
		{shapePersonName, "checkout-service", false},
		{shapePersonName, "GET HTTP", false},
		{shapePersonName, "Payment v2", false},
		{shapePersonName, "de Cruz", false},
		{shapePersonName, "Ana de", false},
		{shapePersonName, "Build 42 Done", false},
		{shapePersonName, "", false},
		{shapePostalAddress, "12 Rue de la Paix", true},
		{shapePostalAddress, "Flat 3,Baker Street", true},
		{shapePostalAddress, "10.0.0.1:8080", false},
		{shapePostalAddress, "localhost", false},
		{shapePostalAddress, "12 34", false},
		// What scrubbing leaves in a value of digits is no address: a
		// pseudonym or a redaction lends no letter (idempotence).
		{shapePostalAddress, "imei_test_mnpsopolkvsjrqgshlkgvpjs 0", false},
		{shapePostalAddress, "[address] 12", false},
		{shapePostalCode, "75002", true},
		{shapePostalCode, "SW1A 1AA", true},
		{shapePostalCode, "90210-1234", true},
		{shapePostalCode, "true", false},
		{shapePostalCode, "12", false},
		{shapePostalCode, "12345678901", false},
		{shapePostalCode, "750.02", false},
		{shapeScalar, "anything", true},
	}
	for _, tc := range tests {
		if got := tc.s.fits([]byte(tc.v)); got != tc.want {
			t.Errorf("%s.fits(%q) = %v, want %v", shapeNames[tc.s], tc.v, got, tc.want)
		}
	}
	p, err := Parse([]byte("fields:\n  - {path: a, action: redact, shape: person}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "fields[0].shape") {
		t.Errorf("Validate() = %v, want a problem at fields[0].shape", err)
	}
}

// TestTailFilter: the filter never turns away a key that a rule of the
// default policy (or of a policy with other kinds of patterns) matches,
// whatever its spelling.
func TestTailFilter(t *testing.T) {
	for _, policy := range []string{"", "fields:\n  - {path: \"a.*\", action: redact}\n", "fields:\n  - {path: \"x\", action: redact}\n",
		"fields:\n  - {path: \"**.*_ab\", action: redact}\n  - {path: \"**.ab\", action: redact}\n"} {
		e := compileTest(t, policy)
		var keys []string
		for _, pp := range append(append([]pathPattern(nil), e.fieldIdx.patterns...), e.extract.idx.patterns...) {
			l := pp.segs[len(pp.segs)-1]
			if l.kind == segLiteral || l.kind == segSuffix {
				keys = append(keys, l.s, "X-"+l.s, "pre_"+l.s, strings.ToUpper(l.s), l.s+"_", "a."+l.s)
			}
		}
		keys = append(keys, "userId", "User-Id", "X-User-Email", "accessToken", "a", "ab", "_", "a.b", "brokerId", "brokerAb", "xab", "X-ab", "Xab", "paid")
		for _, k := range keys {
			path := [][]byte{[]byte(k)}
			if i := strings.LastIndexByte(k, '.'); i >= 0 {
				path = [][]byte{[]byte(k[:i]), []byte(k[i+1:])}
			}
			matched := e.fieldIdx.first(path) >= 0
			turnedAway := func(f *tailFilter) bool {
				may, known := f.lettersEnd([]byte(k), len(k))
				return !f.mayEnd([]byte(k), len(k)) || known && !may
			}
			if matched && turnedAway(&e.fieldTail) {
				t.Errorf("policy %q: key %q matches a rule but the field filter turns it away", policy, k)
			}
			if (matched || e.extract.idx.first(path) >= 0) && turnedAway(&e.anyTail) {
				t.Errorf("policy %q: key %q matches but the filter of fields and extracts turns it away", policy, k)
			}
		}
	}
	e := compileTest(t, "")
	for _, k := range []string{"Error", "updated", "src", "highWatermark"} {
		if e.fieldTail.mayEnd([]byte(k), len(k)) {
			t.Errorf("key %q not turned away", k)
		}
	}
	for _, k := range []string{"Controller", "endOffset", "DataSource"} {
		if may, known := e.fieldTail.lettersEnd([]byte(k), len(k)); !known || may {
			t.Errorf("key %q not turned away by its last three letters", k)
		}
	}
}

// FuzzKVSpans checks the pair finder on arbitrary text: spans in order,
// inside the text, not overlapping, each with its key before its value.
func FuzzKVSpans(f *testing.F) {
	for _, s := range []string{
		"acct=1 acct: 2 <acct>3</acct> a%3Dacct%3D4 {'acct' => '5'}",
		"name: Toshimi Arata, address: 12 Rue de la Paix; dob: 12 March 1990",
		"X-Acct: x y z\nlat: 48.85, 2.29 ssn: 078 05 1120",
		"%22acct%22%3A%22x%22 \"acct\" : \"y\" <ns:acct a=\"1\">z</ns:acct>",
		"=:<% == :: </ %3 acct", "acct='unterminated", "acct=\"esc\\\"aped\"",
	} {
		f.Add([]byte(s))
	}
	e := compileTest(f, kvPolicy)
	f.Fuzz(func(t *testing.T, v []byte) {
		w := &walker{e: e}
		var res Result
		w.res = &res
		spans := w.kvSpans(nil, v)
		prev := 0
		for _, sp := range spans {
			if sp.keyStart < prev || sp.start < sp.keyStart || sp.end <= sp.start || sp.end > len(v) {
				t.Fatalf("span %+v out of order or bounds (previous end %d, length %d) in %q", sp, prev, len(v), v)
			}
			prev = sp.end
		}
	})
}

func TestLeadingTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"2026-03-02 08:00:00.019  INFO x", 17},
		{"[2026-03-02 08:00:00,077] INFO x", 18},
		{"2026-03-02T08:00:00.211Z WARN", 17},
		{"Jun 17 07:07:00 combo sshd", 13},
		{"Jun  7 07:07:00 combo sshd", 13},
		{"260302 080000 69 INFO", 0},
		{"user: x and more text here", 0},
		{"2026-03-02 user:jdoe more", 0},
		{"Jun 17 acct:x: more text", 0},
		{"2026-03-02 08:00:", 0},
		{"2026-03-02 08:00:0", 17},
		{"", 0},
	} {
		if got := leadingTime([]byte(tc.in)); got != tc.want {
			t.Errorf("leadingTime(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestValueSubjects: an account named by an e-mail address is the e-mail
// address's subject too, in text and in JSON, while the field rule decides
// the output.
func TestValueSubjects(t *testing.T) {
	e := compileTest(t, "")
	for _, in := range []string{`GET /r?user=jo.doe%40example.com HTTP/1.1`, `{"user":"Jo.Doe@example.com"}`, `login: jo.doe@example.com ok`} {
		out, res := scrub(t, e, in)
		if !strings.Contains(out, "account_id_test_") {
			t.Errorf("Scrub(%q) = %q: the field rule did not decide", in, out)
		}
		types := map[string]string{}
		for _, s := range res.Subjects {
			types[s.Type] = string(res.Pseudonym(s))
		}
		if types["email"] != pseudo("email", "jo.doe@example.com") || types["account_id"] == "" {
			t.Errorf("Scrub(%q) subjects %v, want an account and the e-mail address", in, types)
		}
	}
}

func TestAccessTimeLayout(t *testing.T) {
	for in, want := range map[string]bool{
		"10/Oct/2000:13:55:36 -0700": true,
		"17/May/2015:10:05:03 +0000": true,
		"10/Oct/2000:13:55:36 0700x": false,
		"uid=42/Oct/2000:13:55:36 -": false,
		"10/Oct/2000:13:55:36 -07":   false,
		"10/O=t/2000:13:55:36 -0700": false,
	} {
		if got := accessTimeLayout([]byte(in)); got != want {
			t.Errorf("accessTimeLayout(%q) = %v, want %v", in, got, want)
		}
	}
}
