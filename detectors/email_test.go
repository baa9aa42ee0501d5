package detectors

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestScanEmailShapes(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"entity decimal", "mail jo&#64;example.com now", []string{"email:jo&#64;example.com"}},
		{"entity hex", "mail jo.b&#x40;example.co.uk", []string{"email:jo.b&#x40;example.co.uk"}},
		{"entity hex upper", "mail jo&#X40;example.com", []string{"email:jo&#X40;example.com"}},
		{"entity named", "<a>jo&commat;example.org</a>", []string{"email:jo&commat;example.org"}},
		{"fully percent-encoded", "to=%6A%6F%40%65%78%61%6D%70%6C%65%2E%63%6F%6D&x=1", []string{"email:%6A%6F%40%65%78%61%6D%70%6C%65%2E%63%6F%6D"}},
		{"encoded domain dot", "to=jo%40example%2Ecom", []string{"email:jo%40example%2Ecom"}},
		{"encoded utf-8", "to=j%C3%B6rg%40m%C3%BCller.de&x=1", []string{"email:j%C3%B6rg%40m%C3%BCller.de"}},
		{"utf-8 local part", "from jörg@example.de ok", []string{"email:jörg@example.de"}},
		{"idn domain", "from jo@müller.de ok", []string{"email:jo@müller.de"}},
		{"cjk", "用户@例子.广告 注册", []string{"email:用户@例子.广告"}},
		{"cyrillic", "медведь@с-балалайкой.рф", []string{"email:медведь@с-балалайкой.рф"}},
		{"devanagari", "संपर्क@डाटामेल.भारत", []string{"email:संपर्क@डाटामेल.भारत"}},
		{"cjk around ascii", "请发邮件到jo@example.com谢谢", []string{"email:jo@example.com"}},
		{"quoted display name", `From: "Jo Bloggs" <jo.bloggs@example.com>`, []string{"person:Jo Bloggs", "email:jo.bloggs@example.com"}},
		{"display name", "To: Jo Bloggs <jo@example.com>, Zoë O'Brien-Smith <zoe@example.org>",
			[]string{"person:Jo Bloggs", "email:jo@example.com", "person:Zoë O'Brien-Smith", "email:zoe@example.org"}},
		{"name with a finding", `"Jo 198.51.100.7" <jo@example.com>`, []string{"person:Jo 198.51.100.7", "email:jo@example.com"}},

		// Left alone, or the address only.
		{"one word label", "Contact <jo@example.com>", []string{"email:jo@example.com"}},
		{"upper-case words", "ERROR Failed <jo@example.com>", []string{"email:jo@example.com"}},
		{"address as name", `"jo@example.com" <jo@example.com>`, []string{"email:jo@example.com", "email:jo@example.com"}},
		// A pseudonym glued after a dot: its type name is no top-level domain.
		{"pseudonym glued", "0000&#64;0000.email_r_ghijklmnopqrstuvghijklmn end", nil},
		{"pseudonym key id", "jo@host.email_k2_ghijklmnopqrstuvghijklmn", nil},
		{"underscore not a pseudonym", "jo@example.com_old jo@example.com_r_ghij", []string{"email:jo@example.com", "email:jo@example.com"}},
		{"body too short", "jo@example.email_r_ghijklmnopqrstuvghijklm x", []string{"email:jo@example.email"}},
		{"other entities", "a=1&amp;b=2&#65;&#x41;&lt;x@y&gt;", nil},
		{"java object", "com.example.Foo@6d06d69c and Foo&#64;6d06d69c", nil},
		{"asset", "icon%402x.png and icon&#64;2x.png", nil},
		{"encoded non-letter", "to=%E2%80%94%40example", nil},
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

// FuzzEmail checks the e-mail findings of the scanner on arbitrary bytes:
// decoded (percent escapes, the HTML entities of '@'), each is valid UTF-8
// with one '@' between a local part and a domain of two labels or more.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"jo&#64;example.com", "%6A%6F%40%65%78%61%6D%70%6C%65%2E%63%6F%6D", "j%C3%B6rg%40m%C3%BCller.de",
		"用户@例子.广告", "请发邮件到jo@example.com谢谢", `"Jo Bloggs" <jo@example.com>`, "a%C3@b.%C3%BC.de",
		"x&commat;y.zz\xff", "\xc3@\xbc.de",
	} {
		f.Add([]byte(s))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	entities := strings.NewReplacer("&#64;", "@", "&#x40;", "@", "&#X40;", "@", "&commat;", "@")
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := s.Scan(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range fs {
			if fd.Type != Email {
				continue
			}
			v := entities.Replace(string(b[fd.Start:fd.End]))
			d, err := url.PathUnescape(v)
			if err != nil {
				d = v // a '%' that is not an escape stays
			}
			at := strings.LastIndexByte(d, '@')
			if at <= 0 || !utf8.ValidString(d[:at]) {
				t.Fatalf("email finding %q (decoded %q): no local part", b[fd.Start:fd.End], d)
			}
			dom := d[at+1:]
			if !utf8.ValidString(dom) || !strings.Contains(dom, ".") || strings.HasPrefix(dom, ".") || strings.HasSuffix(dom, ".") {
				t.Fatalf("email finding %q (decoded %q): domain %q", b[fd.Start:fd.End], d, dom)
			}
		}
	})
}
