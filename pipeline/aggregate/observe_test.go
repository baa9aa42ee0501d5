package aggregate

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// uaParser compiles ua-parser's expressions once for the package's tests.
var uaParser = sync.OnceValues(func() (*UAParser, error) { return NewUAParser(64) })

func TestUAFamilies(t *testing.T) {
	ua, err := uaParser()
	if err != nil {
		t.Fatal(err)
	}
	always := func(string) bool { return true }
	for _, tt := range []struct{ in, browser, os string }{
		{"Mozilla/5.0 (Linux; Android 14; 23127PN0CG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36", "Chrome Mobile", "Android"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Mobile Safari", "iOS"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", "Firefox", "Windows"},
		{"curl/8.5.0", "curl", "Other"},
		{"definitely not a browser", "Other", "Other"},
	} {
		b, o := ua.Families([]byte(tt.in), always)
		if b != tt.browser || o != tt.os {
			t.Errorf("Families(%.40q) = %q, %q; want %q, %q", tt.in, b, o, tt.browser, tt.os)
		}
	}
	// A family that is not a plain token, or that the check rejects, is Other.
	b, _ := ua.Families([]byte("Mozilla/5.0 (Windows NT 10.0) Firefox/127.0 x"), func(string) bool { return false })
	if b != Other {
		t.Errorf("rejected family kept: %q", b)
	}
	if n := ua.cache.len(); n > 64 {
		t.Errorf("cache holds %d entries, more than its bound 64", n)
	}
}

func TestLRUEvicts(t *testing.T) {
	c := newLRU[int](2)
	c.add("a", 1)
	c.add("b", 2)
	if _, ok := c.get("a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.add("c", 3) // evicts b
	if _, ok := c.get("b"); ok {
		t.Error("b not evicted")
	}
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Error("a evicted instead of b")
	}
	if c.len() != 2 {
		t.Errorf("len %d", c.len())
	}
}

func TestTimeParser(t *testing.T) {
	p, err := NewTimeParser(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	for _, in := range []string{`"2023-11-14T22:13:20Z"`, "2023-11-14T23:13:20+01:00", "14/Nov/2023:22:13:20 +0000", "1700000000", "1700000000000", "2023-11-14 22:13:20"} {
		got, ok := p.Parse([]byte(in))
		if !ok || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "yesterday", "1e9", "-5", "NaN"} {
		if _, ok := p.Parse([]byte(in)); ok {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
	if _, err := NewTimeParser([]string{"rfc3339", "YYYY-MM-DD"}); err == nil {
		t.Error("a layout without a year was accepted")
	}
}

func TestObserve(t *testing.T) {
	eng := rulestest.Engine(t, "")
	ua, err := uaParser()
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := NewTimeParser(nil)
	o, err := NewObserver(AllDims, tp, ua, eng, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 3, 5, 8, 0, 0, 0, time.UTC)
	fallback := now.Add(-time.Minute)
	var s Scratch
	tests := []struct {
		name, rec string
		geo       Geo
		time      time.Time
		dims      []string
	}{
		{"json", `{"ts":"2024-03-05T07:08:09Z","event":"page_view","path":"/users/42/orders?x=1","status":200,"user_agent":"curl/8.5.0","email":"jo@example.com"}`,
			Geo{"GB", "UK"}, time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC),
			[]string{"page_view", "/users/{id}/orders", Unknown, "GB", "UK", "curl", "Other", "200"}},
		{"access log", `81.2.69.142 - - [05/Mar/2024:07:08:09 +0000] "GET /u/jo@example.com/p HTTP/1.1" 404 12 "-" "curl/8.5.0"`,
			Geo{"GB", "UK"}, time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC),
			[]string{Unknown, "/u/{id}/p", "GET", "GB", "UK", "curl", "Other", "404"}},
		{"unsafe event, no time", `{"event":"mail jo@example.com","path":"/a/b","status":"999"}`,
			Geo{}, fallback,
			[]string{Other, "/a/b", Unknown, Unknown, Unknown, Unknown, Unknown, Other}},
		{"future time", `{"ts":"2030-01-01T00:00:00Z","event":"x"}`,
			Geo{}, fallback,
			[]string{"x", Unknown, Unknown, Unknown, Unknown, Unknown, Unknown, Unknown}},
		{"event with an address", `{"event":"login_203.0.113.9"}`,
			Geo{}, fallback,
			[]string{Other, Unknown, Unknown, Unknown, Unknown, Unknown, Unknown, Unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res rules.Result
			if err := eng.Extract([]byte(tt.rec), &res); err != nil {
				t.Fatal(err)
			}
			obs := o.Observe(&res, tt.geo, fallback, now, &s)
			if obs.Time != tt.time.UnixMilli() {
				t.Errorf("time %v, want %v", time.UnixMilli(obs.Time).UTC(), tt.time)
			}
			if diff := cmp.Diff(tt.dims, obs.Dims); diff != "" {
				t.Errorf("dims (-want +got):\n%s", diff)
			}
			for _, d := range obs.Dims {
				if strings.Contains(d, "@") || strings.Contains(d, "42") || strings.Contains(d, "203.0") {
					t.Errorf("personal data in dimension %q", d)
				}
			}
		})
	}
}

// TestObserveDetectorSegments replaces a path segment in which a
// detector finds something that the template rules let through.
func TestObserveDetectorSegments(t *testing.T) {
	p, err := rules.Parse([]byte("custom:\n  - {name: codename, pattern: 'secretproject', action: redact}\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	eng := rulestest.Compile(t, p)
	tp, _ := NewTimeParser(nil)
	o, err := NewObserver([]Dim{DimPath}, tp, nil, eng, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var res rules.Result
	if err := eng.Extract([]byte(`{"path":"/p/secretproject/docs"}`), &res); err != nil {
		t.Fatal(err)
	}
	var s Scratch
	if got := o.Observe(&res, Geo{}, time.Now(), time.Now(), &s).Dims[0]; got != "/p/{id}/docs" {
		t.Errorf("path %q, want /p/{id}/docs", got)
	}
}

func TestAppendRecord(t *testing.T) {
	e := Emission{Start: t0, End: t0.Add(time.Minute), Correction: true}
	got := string(AppendRecord(nil, &e, []Dim{DimEvent, DimCountry}, Bucket{Dims: []string{"login", "GB"}, Count: 12}))
	want := `{"window_start":"2024-03-05T07:00:00Z","window_end":"2024-03-05T07:01:00Z","dims":{"event":"login","country":"GB"},"count":12,"correction":true}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestObserveSubject: records of one subject hash alike, of another
// differently, and a record without a subject has none.
func TestObserveSubject(t *testing.T) {
	eng := rulestest.Engine(t, "")
	tp, _ := NewTimeParser(nil)
	o, err := NewObserver([]Dim{DimEvent}, tp, nil, eng, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var s Scratch
	subject := func(rec string) uint64 {
		var res rules.Result
		if _, err := eng.Scrub(nil, []byte(rec), &res); err != nil {
			t.Fatal(err)
		}
		return o.Observe(&res, Geo{}, time.Now(), time.Now(), &s).Subject
	}
	jo1 := subject(`{"event":"login","email":"jo@example.com"}`)
	jo2 := subject(`{"event":"logout","email":"Jo@Example.com","status":200}`)
	al := subject(`{"event":"login","email":"al@example.com"}`)
	none := subject(`{"event":"login"}`)
	if jo1 == 0 || jo1 != jo2 || al == jo1 || al == 0 || none != 0 {
		t.Errorf("subjects jo %d %d, al %d, none %d", jo1, jo2, al, none)
	}
}
