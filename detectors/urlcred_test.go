package detectors

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScanURLCred(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"redis", "connecting to redis://default:s3cretPa55@cache.internal:6379/0",
			[]string{"account_id:default", "secret:s3cretPa55"}},
		{"postgres", "dsn=postgres://appuser:hunter2pw@db.example.com:5432/orders",
			[]string{"account_id:appuser", "secret:hunter2pw"}},
		{"mongodb+srv", "mongodb+srv://jdoe:Tr0ub4dor@cluster0.ab1cd.mongodb.net/test?retryWrites=true",
			[]string{"account_id:jdoe", "secret:Tr0ub4dor"}},
		{"host without a dot", "amqp://guest:guestpw@rabbit:5672/", []string{"account_id:guest", "secret:guestpw"}},
		{"ftp", "ftp://anna:ftp-pass-9@ftp.example.org/pub", []string{"account_id:anna", "secret:ftp-pass-9"}},
		{"https", "GET https://bob:b0bspass@api.example.com/v1", []string{"account_id:bob", "secret:b0bspass"}},
		{"host is an address", "redis://u1:pw@198.51.100.23:6379", []string{"account_id:u1", "secret:pw", "ipv4:198.51.100.23"}},
		{"password only", "redis://:onlypass@cache:6379", []string{"secret:onlypass"}},
		{"user only", "ftp://anna@ftp.example.org/pub", []string{"account_id:anna"}},
		{"at in password", "postgres://u:p@ss@db.example.com/x", []string{"account_id:u", "secret:p@ss"}},
		{"escapes and sub-delims", "amqp://svc%40corp:p%3Ass!$&'()*+,;=word@mq", []string{"account_id:svc%40corp", "secret:p%3Ass!$&'()*+,;=word"}},
		{"password like a phone", "redis://default:+14155552671@cache", []string{"account_id:default", "secret:+14155552671"}},
		{"password like a card", "redis://svc:4111111111111111@cache", []string{"account_id:svc", "secret:4111111111111111"}},
		{"jdbc", "jdbc:mysql://root:R00tPw@127.0.0.1:3306/db", []string{"account_id:root", "secret:R00tPw", "ipv4:127.0.0.1"}},
		{"json", `{"dsn":"amqp://guest:guestpw@rabbit/"}`, []string{"account_id:guest", "secret:guestpw"}},
		{"two urls", "a=redis://u:p@h b=redis://v:q@i", []string{"account_id:u", "secret:p", "account_id:v", "secret:q"}},

		// Look-alikes.
		{"path at", "https://medium.com/@user/post and s3://bucket/key@v2", nil},
		{"digest", "docker://registry/image@sha256:abc", nil},
		{"no scheme", "//u:p@h and :u:p@h", nil},
		{"one letter scheme", "c://u:p@h", nil},
		{"scrubbed", "redis://account_id_k1_abc:[secret]@cache", []string{"account_id:account_id_k1_abc"}},
		{"no host", "redis://u:p@ /x", nil},
		{"email", "mail jo@example.com", []string{"email:jo@example.com"}},
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

// FuzzURLCred checks matchURLCred on arbitrary bytes around an '@': spans in
// bounds and in order, after a "scheme://", free of the bytes that end a
// user-info, and a user name without ':'.
func FuzzURLCred(f *testing.F) {
	for _, s := range []string{
		"redis://u:p@h", "postgres://u:p@ss@db/x", "x+y.z-1://:p@h", "ftp://anna@h", "a://u:p@", "://u@h",
		"c://u:p@h", "\xffr://u\x00:p@h",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for at := range b {
			if b[at] != '@' {
				continue
			}
			c, ok := matchURLCred(b, at, 0)
			if !ok {
				continue
			}
			if !(0 <= c.scheme && c.scheme+5 <= c.start && c.start <= c.userSt && c.userSt <= c.userEnd &&
				c.userEnd <= c.passSt && c.passSt <= c.passEnd && c.passEnd == c.at && c.at >= at && c.at+1 < len(b)) {
				t.Fatalf("matchURLCred(%q, %d) = %+v: spans out of order", b, at, c)
			}
			if !bytes.Equal(b[c.start-3:c.start], []byte("://")) || b[c.at] != '@' {
				t.Fatalf("matchURLCred(%q, %d) = %+v: no scheme:// or '@'", b, at, c)
			}
			for _, x := range b[c.start:c.at] {
				if x != '@' && userinfoStop[x] {
					t.Fatalf("matchURLCred(%q, %d) = %+v: stop byte %q in the user-info", b, at, c, x)
				}
			}
			if bytes.IndexByte(b[c.userSt:c.userEnd], ':') >= 0 {
				t.Fatalf("matchURLCred(%q, %d) = %+v: ':' in the user name", b, at, c)
			}
		}
	})
}
