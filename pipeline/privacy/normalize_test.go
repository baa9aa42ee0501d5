package privacy

import (
	"slices"
	"testing"
)

// TestPseudonymsMatchRules checks that a request's subject, written as a
// person would write it, gets the pseudonyms rules gives the same
// identifier found in records: each record is scrubbed, and the pseudonym
// of its subject must be among the request's.
func TestPseudonymsMatchRules(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	tests := []struct {
		name, typ, subject, record string
	}{
		{"email field", "email", "Jo.Doe@Example.COM", `{"email":"jo.doe@example.com"}`},
		{"email in text", "email", "jo.doe@example.com", `login by JO.DOE@EXAMPLE.COM from 10.1.2.3`},
		{"percent-encoded email in a URL", "email", "jo.doe@example.com", `GET /reset?user=jo.doe%40example.com HTTP/1.1`},
		{"percent-encoded request", "email", "jo.doe%40example.com", `{"email":"Jo.Doe@example.com"}`},
		{"phone field", "phone", "+44 20 7946 0958", `{"phone":"+442079460958"}`},
		{"phone with 00", "phone", "0044 20 7946 0958", `{"msisdn":"+44-20-7946-0958"}`},
		{"phone in text", "phone", "+4915112345678", `call +49 151 12345678 failed`},
		{"numeric user id", "user_id", "42", `{"uid":42}`},
		{"string user id", "user_id", "acct-42", `{"user":{"id":"acct-42"}}`},
		{"access log user", "user_id", "frank", `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`},
		{"device id", "device_id", "38400000-8cf0-11bd-b23e-10b96e4ef00d", `{"idfa":"38400000-8cf0-11bd-b23e-10b96e4ef00d"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := DefaultTypes().Pseudonyms(keys, tt.typ, []byte(tt.subject))
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 2 {
				t.Fatalf("%d pseudonyms, want one per key", len(ps))
			}
			res := scrub(t, e, tt.record)
			found := false
			for _, s := range res.Subjects {
				if slices.Contains(ps, string(res.Pseudonym(s))) {
					found = true
				}
			}
			if !found {
				var got []string
				for _, s := range res.Subjects {
					got = append(got, string(res.Pseudonym(s)))
				}
				t.Errorf("record subjects %v, request pseudonyms %v", got, ps)
			}
		})
	}
}

// TestPseudonymsDiffer checks that other values and other types do not
// match: the equivalence above is not an artefact of matching everything.
func TestPseudonymsDiffer(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	res := scrub(t, e, `{"uid":42,"email":"jo@example.com","device_id":"42"}`)
	for _, c := range []struct{ typ, subject string }{{"user_id", "43"}, {"email", "jo@example.org"}, {"phone", "+4915112345678"}} {
		ps, err := DefaultTypes().Pseudonyms(keys, c.typ, []byte(c.subject))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Subjects {
			if slices.Contains(ps, string(res.Pseudonym(s))) {
				t.Errorf("%s %s matches %s", c.typ, c.subject, res.Pseudonym(s))
			}
		}
	}
	// user_id 42 matches the uid but not device_id 42.
	ps, _ := DefaultTypes().Pseudonyms(keys, "user_id", []byte("42"))
	for _, s := range res.Subjects {
		if slices.Contains(ps, string(res.Pseudonym(s))) != (s.Type == "account_id") {
			t.Errorf("user_id 42 vs %s %s", s.Type, res.Pseudonym(s))
		}
	}
}

func TestPseudonymsRejectUnmatchable(t *testing.T) {
	keys := twoKeys(t)
	for _, c := range []struct{ typ, subject string }{
		{"phone", "020 7946 0958"}, // national form
		{"phone", "call me"},
		{"email", "jo.example.com"},
		{"email", "@example.com"},
		{"fax", "1"},
	} {
		if _, err := DefaultTypes().Pseudonyms(keys, c.typ, []byte(c.subject)); err == nil {
			t.Errorf("%s %q accepted", c.typ, c.subject)
		}
	}
}

func TestRecordKey(t *testing.T) {
	a, err := DefaultTypes().RecordKey("email", []byte("Jo@Example.COM"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DefaultTypes().RecordKey("email", []byte("jo%40example.com"))
	// printf %s jo@example.com | sha256sum: what docs/privacy.md tells
	// shell users to compute.
	const want = "email:f4e19df2e6c609fbd59a42b9063d0fadf44260218531ea21ad8c575f205c0453"
	if a != want || b != want {
		t.Errorf("keys %s, %s; want %s", a, b, want)
	}
	if _, err := DefaultTypes().RecordKey("phone", []byte("020 7946 0958")); err == nil {
		t.Error("national phone number accepted")
	}
}
