package rules

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtract(t *testing.T) {
	e := compileTest(t, "")
	tests := []struct {
		name string
		in   string
		want map[Extract]string
		ip   string
	}{
		{"json", `{"ts":"2026-11-29T10:00:00Z","event":"page_view","path":"/p/1","ua":"Mozilla/5.0","status":200,"client":{"ip":"203.0.113.9"},"age":12}`,
			map[Extract]string{ExtractTimestamp: "2026-11-29T10:00:00Z", ExtractEvent: "page_view", ExtractPath: "/p/1", ExtractUserAgent: "Mozilla/5.0", ExtractStatus: "200", ExtractClientIP: "203.0.113.9", ExtractAge: "12"},
			"203.0.113.9"},
		{"json xff list", `{"x_forwarded_for":"198.51.100.7, 10.0.0.1"}`, map[Extract]string{ExtractClientIP: "198.51.100.7, 10.0.0.1"}, "198.51.100.7"},
		{"json xff array", `{"x_forwarded_for":["[2001:db8::5]:443","10.0.0.1"]}`, map[Extract]string{ExtractClientIP: "[2001:db8::5]:443"}, "2001:db8::5"},
		{"json escaped", `{"event":"sign\u0020up"}`, map[Extract]string{ExtractEvent: "sign up"}, ""},
		{"logfmt", `ts=2026-11-29T10:00:00Z ip=10.1.2.3:5000 event=login status=401`,
			map[Extract]string{ExtractTimestamp: "2026-11-29T10:00:00Z", ExtractClientIP: "10.1.2.3:5000", ExtractEvent: "login", ExtractStatus: "401"}, "10.1.2.3"},
		{"access", `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"`,
			map[Extract]string{ExtractClientIP: "83.149.9.216", ExtractTimestamp: "17/May/2015:10:05:03 +0000", ExtractPath: "GET /a HTTP/1.1", ExtractStatus: "200", ExtractUserAgent: "curl/8"}, "83.149.9.216"},
		{"first wins", `{"ip":"10.0.0.1","nested":{"ip":"10.0.0.2"}}`, map[Extract]string{ExtractClientIP: "10.0.0.1"}, "10.0.0.1"},
		{"not from inside a json string", `{"msg":"ip=10.0.0.9"}`, map[Extract]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []string{"extract", "scrub"} {
				var res Result
				if mode == "extract" {
					if err := e.Extract([]byte(tt.in), &res); err != nil {
						t.Fatal(err)
					}
				} else if _, err := e.Scrub(nil, []byte(tt.in), &res); err != nil {
					t.Fatal(err)
				}
				got := map[Extract]string{}
				for x := Extract(0); x < numExtract; x++ {
					if v := res.Extracted(x); v != nil {
						got[x] = string(v)
					}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", mode, diff)
				}
				ip, ok := res.ClientIP()
				if tt.ip == "" && ok || tt.ip != "" && (!ok || ip != netip.MustParseAddr(tt.ip)) {
					t.Errorf("%s: ClientIP() = %v, %v; want %q", mode, ip, ok, tt.ip)
				}
			}
		})
	}
}

func TestMinors(t *testing.T) {
	e := compileTest(t, "")
	for in, want := range map[string]bool{
		`{"age":12,"x":1}`:            true,
		`{"age":"15"}`:                true,
		`{"age":16}`:                  false,
		`{"user":{"is_minor":true}}`:  true,
		`{"is_minor":false,"age":30}`: false,
		`age=9 event=x`:               true,
		`{"x":1}`:                     false,
	} {
		var res Result
		if _, err := e.Scrub(nil, []byte(in), &res); err != nil {
			t.Fatal(err)
		}
		if res.Minor != want {
			t.Errorf("%s: Minor = %v, want %v", in, res.Minor, want)
		}
	}
}

func TestSubjects(t *testing.T) {
	e := compileTest(t, `
detectors:
  email: {action: redact}
`)
	in := `{"uid":42,"msg":"mail Jo@Example.com","device_id":"d-1","phone":"+14155552671","ip":"10.0.0.1"}`
	var res Result
	out, err := e.Scrub(nil, []byte(in), &res)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var values []string
	for _, s := range res.Subjects {
		got = append(got, s.Type+"="+string(res.Pseudonym(s)))
		values = append(values, string(res.SubjectValue(s)))
	}
	if diff := cmp.Diff([]string{"42", "jo@example.com", "d-1", "+14155552671"}, values); diff != "" {
		t.Errorf("subject values (-want +got):\n%s", diff)
	}
	want := []string{
		"account_id=" + pseudo("account_id", "42"),
		"email=" + pseudo("email", "jo@example.com"), // redacted, still a subject
		"device_id=" + pseudo("device_id", "d-1"),
		"phone=" + pseudo("phone", "+14155552671"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("subjects (-want +got):\n%s\noutput %s", diff, out)
	}
	// A scrubbed record names the same subjects.
	var again Result
	if _, err := e.Scrub(nil, out, &again); err != nil {
		t.Fatal(err)
	}
	if len(again.Subjects) < 3 || string(again.Pseudonym(again.Subjects[0])) != string(res.Pseudonym(res.Subjects[0])) {
		t.Errorf("re-scrubbed subjects differ")
	}
}

func TestJurisdictionProfiles(t *testing.T) {
	e := compileTest(t, `
jurisdictions:
  countries: {CH: EEA}
  profiles:
    US: {detectors: {ipv4: {prefix: 16}, ipv6: {prefix: 32}}}
    EEA: {detectors: {ipv4: {prefix: 24}}}
tests:
  - {name: us, input: '{"ip":"203.0.113.77"}', country: US, output: '{"ip":"203.0.0.0","geo":{"country":"US","jurisdiction":"US"}}'}
  - {name: gb, input: 'from 203.0.113.77', country: gb, output: 'from 203.0.113.0'}
  - {name: own geo replaced, input: '{"geo":{"city":"Bern"},"a":1}', country: CH, output: '{"a":1,"geo":{"country":"CH","jurisdiction":"EEA"}}'}
  - {name: empty object, input: '{}', country: SE, output: '{"geo":{"country":"SE","jurisdiction":"EEA"}}'}
  - {name: by jurisdiction, input: 'x 2001:db8:85a3:1::1', jurisdiction: US, output: 'x 2001:db8::'}
`)
	for c, j := range map[string]string{"DE": "EEA", "no": "EEA", "GB": "UK", "US": "US", "CN": "CN", "SG": "SG", "BR": "OTHER", "CH": "EEA", "": "OTHER"} {
		if got := e.Jurisdiction(c); got != j {
			t.Errorf("Jurisdiction(%q) = %q, want %q", c, got, j)
		}
	}
	if diff := cmp.Diff([]string{"EEA", "US"}, e.Jurisdictions()); diff != "" {
		t.Error(diff)
	}
	results, err := RunTests(e.Policy())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.Pass {
			t.Errorf("%s: want %q got %q", r.Name, r.Want, r.Got)
		}
	}
}

func TestValidateSections(t *testing.T) {
	p, err := Parse([]byte(`
extract: {nope: [a], path: ["a..b"]}
subjects: [Bad]
minors: {below_age: 200}
jurisdictions:
  countries: {XXX: EEA, DE: eea}
  profiles:
    us: {detectors: {ipv4: {prefix: 64}, fingerprint: {action: redact}}}
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = p.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"extract.nope", "extract.path[0]", "subjects[0]", "minors.below_age", "jurisdictions.countries.XXX", "jurisdictions.countries.DE", "jurisdictions.profiles.us", "jurisdictions.profiles.us.detectors.ipv4.prefix", "jurisdictions.profiles.us.detectors.fingerprint"} {
		if !strings.Contains(err.Error(), w+":") {
			t.Errorf("no problem at %s:\n%v", w, err)
		}
	}
}
