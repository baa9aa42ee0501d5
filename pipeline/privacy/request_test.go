package privacy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// secret is the subject of the malformed requests below: no error may
// quote it.
const secret = "jo.secret@example.com"

func TestParseRequest(t *testing.T) {
	ts := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want Request
	}{
		{"all members", `{"subject":"jo@example.com","type":"email","action":"erase","ts":"2026-01-02T15:04:05Z"}`,
			Request{Type: "email", Action: Erase, TS: ts, Subject: []byte("jo@example.com")}},
		{"no ts", `{"subject":"42","type":"user_id","action":"restrict"}`,
			Request{Type: "user_id", Action: Restrict, Subject: []byte("42")}},
		{"any order, white space", " {\n \"action\" : \"withdraw_consent\" ,\"type\":\"phone\",\t\"subject\":\"+4915112345678\"}\n ",
			Request{Type: "phone", Action: WithdrawConsent, Subject: []byte("+4915112345678")}},
		{"escapes", `{"subject":"j\u00f6\/x\ud83d\ude00","type":"device_id","action":"restore"}`,
			Request{Type: "device_id", Action: Restore, Subject: []byte("jö/x😀")}},
		{"fractional ts with offset", `{"subject":"a","type":"user_id","action":"erase","ts":"2026-01-02T16:04:05.5+01:00"}`,
			Request{Type: "user_id", Action: Erase, TS: ts.Add(500 * time.Millisecond), Subject: []byte("a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequest([]byte(tt.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != tt.want.Type || got.Action != tt.want.Action || !got.TS.Equal(tt.want.TS) || string(got.Subject) != string(tt.want.Subject) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			sub := got.Subject
			got.Wipe()
			if got.Subject != nil || strings.Trim(string(sub), "\x00") != "" {
				t.Error("Wipe left the subject")
			}
		})
	}
}

func TestParseRequestErrors(t *testing.T) {
	s := `"` + secret + `"`
	tests := []struct {
		name, in string
		reason   Reason
	}{
		{"empty", ``, ReasonMalformed},
		{"array", `[` + s + `]`, ReasonMalformed},
		{"string", s, ReasonMalformed},
		{"unterminated", `{"subject":` + s, ReasonMalformed},
		{"trailing comma", `{"subject":` + s + `,"type":"email","action":"erase",}`, ReasonMalformed},
		{"trailing data", `{"subject":` + s + `,"type":"email","action":"erase"} {}`, ReasonMalformed},
		{"single quotes", `{'subject':` + s + `}`, ReasonMalformed},
		{"bad escape", `{"subject":"jo\x","type":"email","action":"erase"}`, ReasonMalformed},
		{"lone surrogate", `{"subject":"\ud83d","type":"email","action":"erase"}`, ReasonMalformed},
		{"raw newline in string", "{\"subject\":\"a\nb\",\"type\":\"email\",\"action\":\"erase\"}", ReasonMalformed},
		{"invalid utf-8", "{\"subject\":\"\xff\",\"type\":\"email\",\"action\":\"erase\"}", ReasonMalformed},
		{"too large", `{"subject":"` + strings.Repeat("a", MaxRequestBytes) + `"}`, ReasonTooLarge},
		{"unknown member", `{"subject":` + s + `,"type":"email","action":"erase","reason":"x"}`, ReasonUnknownField},
		{"member name in another case", `{"Subject":` + s + `,"type":"email","action":"erase"}`, ReasonUnknownField},
		{"member named by the subject", `{` + s + `:1,"subject":` + s + `,"type":"email","action":"erase"}`, ReasonUnknownField},
		{"duplicate subject", `{"subject":"a@b.c","subject":` + s + `,"type":"email","action":"erase"}`, ReasonDuplicateField},
		{"duplicate action", `{"subject":` + s + `,"type":"email","action":"restore","action":"erase"}`, ReasonDuplicateField},
		{"no subject", `{"type":"email","action":"erase"}`, ReasonMissingSubject},
		{"empty subject", `{"subject":"","type":"email","action":"erase"}`, ReasonMissingSubject},
		{"numeric subject", `{"subject":42,"type":"user_id","action":"erase"}`, ReasonBadSubject},
		{"null subject", `{"subject":null,"type":"user_id","action":"erase"}`, ReasonBadSubject},
		{"subject with spaces", `{"subject":" ` + secret + `","type":"email","action":"erase"}`, ReasonBadSubject},
		{"subject with control", `{"subject":"` + secret + `\u0007","type":"email","action":"erase"}`, ReasonBadSubject},
		{"long subject", `{"subject":"` + strings.Repeat("a", MaxSubjectBytes+1) + `","type":"user_id","action":"erase"}`, ReasonBadSubject},
		{"no type", `{"subject":` + s + `,"action":"erase"}`, ReasonBadType},
		{"unknown type", `{"subject":` + s + `,"type":"account_id","action":"erase"}`, ReasonBadType},
		{"type holding the subject", `{"subject":` + s + `,"type":` + s + `,"action":"erase"}`, ReasonBadType},
		{"type in capitals", `{"subject":` + s + `,"type":"EMAIL","action":"erase"}`, ReasonBadType},
		{"no action", `{"subject":` + s + `,"type":"email"}`, ReasonBadAction},
		{"unknown action", `{"subject":` + s + `,"type":"email","action":"delete"}`, ReasonBadAction},
		{"action holding the subject", `{"subject":` + s + `,"type":"email","action":` + s + `}`, ReasonBadAction},
		{"object action", `{"subject":` + s + `,"type":"email","action":{"x":[1,2.5e3,true,null]}}`, ReasonBadAction},
		{"bad ts", `{"subject":` + s + `,"type":"email","action":"erase","ts":"yesterday"}`, ReasonBadTS},
		{"ts holding the subject", `{"subject":` + s + `,"type":"email","action":"erase","ts":` + s + `}`, ReasonBadTS},
		{"numeric ts", `{"subject":` + s + `,"type":"email","action":"erase","ts":1767366245}`, ReasonBadTS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(tt.in), nil)
			if err == nil {
				t.Fatalf("accepted: %+v", req)
			}
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("error %T is not a *RequestError", err)
			}
			if re.Reason != tt.reason || ReasonOf(err) != tt.reason {
				t.Errorf("reason %q, want %q (%v)", re.Reason, tt.reason, err)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "example") {
				t.Errorf("error quotes the request: %v", err)
			}
			if req.Subject != nil {
				t.Error("rejected request keeps a subject")
			}
		})
	}
}

func TestParseRequestCustomTypes(t *testing.T) {
	types := Types{"imei": {"imei"}, "user_id": {"account_id", "username"}}
	if err := types.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRequest([]byte(`{"subject":"x","type":"imei","action":"erase"}`), types); err != nil {
		t.Error(err)
	}
	_, err := ParseRequest([]byte(`{"subject":"x","type":"email","action":"erase"}`), types)
	if ReasonOf(err) != ReasonBadType || !strings.Contains(err.Error(), "imei, user_id") {
		t.Errorf("err = %v", err)
	}
}

func TestTypesValidate(t *testing.T) {
	for _, bad := range []Types{{}, {"Email": {"email"}}, {"email": nil}, {"email": {"e-mail"}}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if err := DefaultTypes().CheckSubjects([]string{"account_id", "email", "phone", "device_id"}); err != nil {
		t.Error(err)
	}
	if err := DefaultTypes().CheckSubjects([]string{"email"}); err == nil || !strings.Contains(err.Error(), "account_id, device_id, phone") {
		t.Errorf("err = %v", err)
	}
}
