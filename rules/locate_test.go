package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLocation checks that each finding is located at its JSON path,
// access-log field or free text, and that nothing is located unless asked.
func TestLocation(t *testing.T) {
	e := compileTest(t, "")
	type loc struct{ Type, Place, Path string }
	tests := []struct {
		name string
		in   string
		want []loc
	}{
		{"json nested", `{"user":{"mail":"a.b@example.com","tags":[{"ip":"203.0.113.9"}]},"msg":"from 198.51.100.7"}`,
			[]loc{{"email", "json", "user.mail"}, {"ipv4", "json", "user.tags.ip"}, {"ipv4", "json", "msg"}}},
		{"json dotted keys", `{"by.mail":{"a.b@example.com":{"ip\\":"203.0.113.9"}}}`,
			[]loc{{"email", "json", `by\.mail`}, {"ipv4", "json", `by\.mail.a\.b@example\.com.ip\\`}}},
		{"json field rule", `{"user_id":"u-1234"}`, []loc{{"account_id", "json", "user_id"}}},
		{"access", `203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /?mail=a.b@example.com HTTP/1.0" 200 2326 "-" "curl/8.1"`,
			[]loc{{"ipv4", "access", "remote_addr"}, {"email", "access", "request"}}},
		{"text", "Failed password for root from 218.25.17.234 port 40262 ssh2", []loc{{"ipv4", "text", ""}}},
		{"not json after all", `[INFO] from 218.25.17.234`, []loc{{"ipv4", "text", ""}}},
	}
	var res Result
	res.Locate = true
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.Scrub(nil, []byte(tt.in), &res); err != nil {
				t.Fatal(err)
			}
			var got []loc
			for i, f := range res.Findings {
				place, path, ok := res.Location(i)
				if !ok {
					t.Fatalf("finding %d not located", i)
				}
				got = append(got, loc{string(f.Type), place.String(), string(path)})
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("locations (-want +got):\n%s", d)
			}
		})
	}
	var plain Result
	if _, err := e.Scrub(nil, []byte(`{"ip":"203.0.113.9"}`), &plain); err != nil {
		t.Fatal(err)
	}
	if len(plain.Findings) != 1 {
		t.Fatalf("findings: %v", plain.Findings)
	}
	if _, _, ok := plain.Location(0); ok {
		t.Error("located without Locate")
	}
}

// TestLocateNoAllocs checks that locating findings with a reused Result
// allocates nothing once the buffers have grown.
func TestLocateNoAllocs(t *testing.T) {
	e := compileTest(t, "")
	ses := e.NewSession()
	rec := []byte(`{"user":{"mail":"a.b@example.com"},"client":"203.0.113.9"}`)
	var res Result
	res.Locate = true
	dst := make([]byte, 0, 1024)
	n := testing.AllocsPerRun(100, func() {
		dst, _ = ses.Scrub(dst[:0], rec, &res)
	})
	if n != 0 {
		t.Errorf("%v allocations per scrub", n)
	}
	if len(res.Findings) != 2 {
		t.Errorf("findings: %v", res.Findings)
	}
}

// BenchmarkLocate scrubs the shared NGINX Plus JSON corpus and the Apache
// corpus with Locate on: compare with BenchmarkScrubNginxJSON and
// BenchmarkScrubApache, which leave it off.
func BenchmarkLocate(b *testing.B) {
	for _, name := range []string{"nginxplus_json_logs", "apache_logs"} {
		b.Run(name, func(b *testing.B) {
			lines, total := loadLines(b, "../../shared/corpora/access-logs/"+name)
			e := compileTest(b, "")
			var res Result
			res.Locate = true
			dst := make([]byte, 0, 64<<10)
			b.SetBytes(total)
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					dst, _ = e.Scrub(dst[:0], l, &res)
				}
			}
		})
	}
}

// FuzzLocate checks that locating findings changes nothing else: the same
// output and findings with Locate on as off, each finding located, at a
// place that fits the record's format.
func FuzzLocate(f *testing.F) {
	for _, s := range []string{
		`{"a":{"b.c":"jo@example.com"},"d":["203.0.113.9"]}`, `{"x\\":1,"jo@example.com":{"ip":"203.0.113.9"}}`,
		`203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /?m=jo@example.com HTTP/1.0" 200 1 "-" "UA"`,
		"level=info ip=203.0.113.9 msg=\"jo@example.com\"", "from 203.0.113.9", `{"a":`, "",
	} {
		f.Add([]byte(s))
	}
	e := compileTest(f, "")
	f.Fuzz(func(t *testing.T, in []byte) {
		var plain, located Result
		located.Locate = true
		out1, err1 := e.Scrub(nil, in, &plain)
		out2, err2 := e.Scrub(nil, in, &located)
		if (err1 == nil) != (err2 == nil) || string(out1) != string(out2) {
			t.Fatalf("Locate changed the result: %v %v\n%q\n%q", err1, err2, out1, out2)
		}
		if err1 != nil {
			return
		}
		if d := cmp.Diff(plain.Findings, located.Findings); d != "" {
			t.Fatalf("Locate changed the findings:\n%s", d)
		}
		for i := range located.Findings {
			place, path, ok := located.Location(i)
			if !ok {
				t.Fatalf("finding %d not located", i)
			}
			switch {
			case place == PlaceJSON && located.Format != FormatJSON,
				place == PlaceAccess && located.Format != FormatAccess,
				place == PlaceText && len(path) > 0:
				t.Fatalf("finding %d at %v %q in a %s record", i, place, path, located.Format)
			}
		}
		if _, _, ok := located.Location(len(located.Findings)); ok {
			t.Fatal("a location past the findings")
		}
	})
}
