package rules

import (
	"bytes"
	"strings"
	"testing"
)

func TestPathPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		path    string
		want    bool
	}{
		{"uid", "uid", true},
		{"uid", "UID", true},
		{"uid", "user.uid", false},
		{"**.uid", "uid", true},
		{"**.uid", "a.b.uid", true},
		{"**.uid", "a.uid.b", false},
		{"user.*.email", "user.home.email", true},
		{"user.*.email", "user.email", false},
		{"user.*.email", "user.a.b.email", false},
		{"user.**.email", "user.a.b.email", true},
		{"user.**", "user", true},
		{"user.**", "user.x.y", true},
		{"user.**", "users.x", false},
		{"**.*_id", "device_id", true},
		{"**.*_id", "x.Device_ID", true},
		{"**.*_id", "id", false},
		{"*password*", "db_Password_hash", true},
		{"*password*", "passwd", false},
		{"user*", "username", true},
		{"user*", "nouser", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"headers.authorization", "headers.Authorization", true},
		{"**.a.**.b", "x.a.y.z.b", true},
		{"**.a.**.b", "x.a", false},
		// Canonical keys: case, '_' and '-' do not count in literals.
		{"**.user_id", "userId", true},
		{"**.user_id", "User-Id", true},
		{"**.user_id", "USER_ID", true},
		{"**.user_id", "userid", true},
		{"**.user_id", "user__id", true},
		{"**.user_id", "users_id", false},
		{"**.userid", "user_id", true},
		{"**.userId", "user-id", true},
		{"**.x-api-key", "X_API_KEY", true},
		{"**.x-api-key", "xApiKey", true},
		{"user.id", "User.ID", true},
		{"**.user.id", "customer.user.Id", true},
		// Globs with a separator match word by word.
		{"**.*_id", "userId", true},
		{"**.*_id", "X-User-Id", true},
		{"**.*_id", "UserID", true},
		{"**.*_id", "paid", false},
		{"**.*_id", "android", false},
		{"**.*_id", "userid", false},
		{"**.*_id", "_id", false},
		{"**.*_token", "accessToken", true},
		{"**.*_token", "access-token", true},
		{"**.*_token", "accesstoken", false},
		{"user_*", "userName", true},
		{"user_*", "username", false},
		{"*_password_*", "dbPasswordHash", true},
		{"*_password_*", "password_hash", false},
		{"*_http_*", "getHTTPServer", true},
		// Globs without one match the key without separators.
		{"*token", "csrf-token", true},
		{"*password*", "db-pass-word", true},
		{"user*", "User_Name", true},
		{"u?er_name", "userName", true},
	}
	for _, tt := range tests {
		pp, err := compilePath(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		var path [][]byte
		for _, s := range strings.Split(tt.path, ".") {
			path = append(path, []byte(s))
		}
		if got := pp.match(path); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
	for _, bad := range []string{"", "a..b", "a.**x", "**.**"} {
		if _, err := compilePath(bad); err == nil {
			t.Errorf("compilePath(%q) succeeded", bad)
		}
	}
}

func TestKeyForms(t *testing.T) {
	tests := []struct{ key, canonical, words string }{
		{"userId", "userid", "user_id"},
		{"user_id", "userid", "user_id"},
		{"User-Id", "userid", "user_id"},
		{"X-User-Id", "xuserid", "x_user_id"},
		{"UserID", "userid", "user_id"},
		{"HTTPServer", "httpserver", "http_server"},
		{"ipv4Addr", "ipv4addr", "ipv4_addr"},
		{"__a--b__", "ab", "a_b"},
		{"*_id", "*id", "*_id"},
		{"user_*", "user*", "user_*"},
		{"", "", ""},
	}
	for _, tc := range tests {
		if got := string(canonicalKey(nil, tc.key)); got != tc.canonical {
			t.Errorf("canonicalKey(%q) = %q, want %q", tc.key, got, tc.canonical)
		}
		if got := string(keyWords(nil, tc.key)); got != tc.words {
			t.Errorf("keyWords(%q) = %q, want %q", tc.key, got, tc.words)
		}
	}
}

// TestPathIndexHeaders: the index finds rules by canonical key, and a last
// key written as an extension header ("X-...") meets the rule of its name
// when no rule names it whole.
func TestPathIndexHeaders(t *testing.T) {
	var x pathIndex
	for _, p := range []string{"**.user_id", "**.email", "**.x-api-key", "**.*_token", "a.b"} {
		pp, err := compilePath(p)
		if err != nil {
			t.Fatal(err)
		}
		x.add(pp)
	}
	tests := []struct {
		path string
		want int
	}{
		{"X-User-Id", 0},
		{"x_user_id", 0},
		{"headers.X-User-Id", 0},
		{"userId", 0},
		{"X-Email", 1},
		{"X-Api-Key", 2},
		{"Api-Key", -1},
		{"X-Refresh-Token", 3},
		{"x-x-email", 1},
		{"X-", -1},
		{"x", -1},
		{"X-Request-Id", -1},
		{"A.B", 4},
		{"a.X-b", 4},
		{"a.X-c", -1},
	}
	for _, tc := range tests {
		var path [][]byte
		for _, s := range strings.Split(tc.path, ".") {
			path = append(path, []byte(s))
		}
		if got := x.first(path); got != tc.want {
			t.Errorf("first(%q) = %d, want %d", tc.path, got, tc.want)
		}
		if got := bytes.Join(path, []byte(".")); string(got) != tc.path {
			t.Errorf("first changed the path to %q", got)
		}
	}
}
