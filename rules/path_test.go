package rules

import (
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
