package aggregate

import (
	"strings"
	"testing"
)

func TestTemplate(t *testing.T) {
	tests := []struct {
		in, method, path string
	}{
		{"/api/v1/login", Unknown, "/api/v1/login"},
		{"/users/42/orders?page=2&email=jo@example.com", Unknown, "/users/{id}/orders"},
		{"GET /users/123456 HTTP/1.1", "GET", "/users/{id}"},
		{"POST /checkout/confirm HTTP/2.0", "POST", "/checkout/confirm"},
		{"BREW /pot HTTP/1.1", Other, "/pot"},
		{"https://shop.example.com/p/550e8400-e29b-41d4-a716-446655440000#top", Unknown, "/p/{id}"},
		{"//cdn.example.com/static/app.js", Unknown, "/static/app.js"},
		{"https://203.0.113.7", Unknown, "/"},
		{"/u/jo@example.com/profile", Unknown, "/u/{id}/profile"},
		{"/u/jo%40example.com", Unknown, "/u/{id}"},
		{"/s/deadbeefcafe", Unknown, "/s/{id}"},
		{"/s/cafe", Unknown, "/s/cafe"},
		{"/t/AbCdEfGhIjKlMnOpQr", Unknown, "/t/{id}"},
		{"/a/account_id_k_ghijklmnopqrstuvghijklmn", Unknown, "/a/{id}"},
		{"/x;jsessionid=ABC123/y", Unknown, "/x"},
		{"/" + strings.Repeat("a", 40), Unknown, "/{id}"},
		{"/1/2/3/4/5/6/7/8/9/10", Unknown, "/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{more}"},
		{"/a/b/", Unknown, "/a/b/"},
		{"checkout", Unknown, "/checkout"},
		{"", Unknown, "/"},
		{"/a//b///c/", Unknown, "/a/b/c/"},
		{"/V2/items", Unknown, "/V2/items"},
		{"/v2024/items", Unknown, "/{id}/items"},
		{"/files/résumé.pdf", Unknown, "/files/{id}"},
		// Names after collections of people.
		{"/users/alice/profile", Unknown, "/users/{name}/profile"},
		{"GET /Users/Alice.Smith/orders HTTP/1.1", "GET", "/Users/{name}/orders"},
		{"/u/bob", Unknown, "/u/{name}"},
		{"/api/v2/members/john-doe/avatar", Unknown, "/api/v2/members/{name}/avatar"},
		{"/profile/alice", Unknown, "/profile/{name}"},
		{"/customers/Ms_Jones", Unknown, "/customers/{name}"},
		{"/users/42/orders", Unknown, "/users/{id}/orders"},
		// ... and what stays: routes after them, and paths without them.
		{"/api/v2/orders", Unknown, "/api/v2/orders"},
		{"/users/me", Unknown, "/users/me"},
		{"/users/search", Unknown, "/users/search"},
		{"/account/settings/billing", Unknown, "/account/settings/billing"},
		{"/user/profile", Unknown, "/user/profile"},
		{"/users", Unknown, "/users"},
		{"/users/", Unknown, "/users/"},
		{"/products/alice-in-wonderland", Unknown, "/products/alice-in-wonderland"},
		{"/sort/by/date", Unknown, "/sort/by/date"},
		{"/home/about", Unknown, "/home/about"},
		{"/static/users/app.js", Unknown, "/static/users/{name}"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, p := Template([]byte(tt.in))
			if m != tt.method || p != tt.path {
				t.Errorf("Template(%q) = %q, %q; want %q, %q", tt.in, m, p, tt.method, tt.path)
			}
		})
	}
}

// FuzzTemplate checks that a template never carries the bytes that make
// up identifiers: digits outside API versions, '@', '%', '=', '?', and
// that it is short and starts with '/'.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"/api/v1/login",                        // plain
		"GET /users/42?x=1 HTTP/1.1",           // request line with query
		"https://h.example/a/b#c",              // URL with fragment
		"/u/jo@example.com",                    // e-mail segment
		"/a/b/c/d/e/f/g/h/i/j/k",               // too many segments
		"\x00/\xff\xfe/%41",                    // bytes that are not text
		"/v1/v22/v333/v4444",                   // versions and a number
		"OPTIONS * HTTP/1.1",                   // asterisk form
		"/p/email_k1_ghijklmnopqrstuvghijklmn", // a pseudonym
		"/users/alice/profile",                 // a name after a collection
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, p := Template([]byte(in))
		if m == "" || p == "" || p[0] != '/' {
			t.Fatalf("Template(%q) = %q, %q", in, m, p)
		}
		if len(p) > maxSegments*(maxSegmentLen+1)+len(moreSegments)+2 {
			t.Fatalf("template of %d bytes", len(p))
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == IDSegment || seg == moreSegments {
				continue
			}
			if strings.ContainsAny(seg, "@%=?#;\x00") || (strings.ContainsAny(seg, "0123456789") && !apiVersion([]byte(seg))) {
				t.Fatalf("Template(%q) kept segment %q", in, seg)
			}
		}
		if _, p2 := Template([]byte(p)); p2 != p && !strings.Contains(p, "{") {
			t.Fatalf("not idempotent: %q -> %q", p, p2)
		}
	})
}
