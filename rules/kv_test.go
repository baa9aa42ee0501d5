package rules

import (
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
