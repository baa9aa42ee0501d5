package discover

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestTallyGenerated checks the counts, shares and examples of generated
// records of every format against what the generator wrote.
func TestTallyGenerated(t *testing.T) {
	const n = 25
	c := genCorpus(n)
	e := rulestest.Engine(t, "")
	r := c.tally(t, e, c.records, 0).Report([]string{"generated"})
	total := int64(5*n + 1)
	if r.Records != total || r.Failed["invalid_json"] != 1 || r.RecordsWithFindings != 5*n {
		t.Fatalf("records %d, failed %v, with findings %d; want %d, invalid_json 1, %d", r.Records, r.Failed, r.RecordsWithFindings, total, 5*n)
	}
	if d := cmp.Diff(map[string]int64{"json": 2 * n, "logfmt": n, "access": n, "text": n}, r.Formats); d != "" {
		t.Errorf("formats (-want +got):\n%s", d)
	}
	firstEmail := Mask([]byte("user000.name@example.com"))
	firstIP := Mask([]byte("203.0.113.1"))
	want := []struct {
		place, path, typ string
		count            int64
		example          string
	}{
		{"json", "user.email", "email", n, firstEmail},
		{"json", "client_ip", "ipv4", n, firstIP},
		{"json", "msg", "credit_card", n, "9999 9999 9999 9999"},
		{"json", "by_mail", "email", n, firstEmail}, // the key itself
		{"json", "by_mail.[email].ip", "ipv4", n, firstIP},
		{"logfmt", "user_email", "email", n, firstEmail},
		{"logfmt", "msg", "ipv4", n, firstIP},
		{"access", "remote_addr", "ipv4", n, firstIP},
		{"access", "request", "email", n, firstEmail},
		{"text", NoField, "ipv4", n, firstIP},
	}
	if len(r.Fields) != len(want) {
		t.Errorf("%d fields, want %d: %+v", len(r.Fields), len(want), r.Fields)
	}
	for _, w := range want {
		f, ok := findField(r, w.place, w.path)
		if !ok {
			t.Errorf("no field %s %s", w.place, w.path)
			continue
		}
		if len(f.Types) != 1 {
			t.Errorf("%s %s: types %+v", w.place, w.path, f.Types)
			continue
		}
		tc := f.Types[0]
		share := float64(w.count) / float64(total)
		if tc.Type != w.typ || tc.Count != w.count || tc.Records != w.count || tc.Share != share || f.Records != w.count || tc.Example != w.example {
			t.Errorf("%s %s: %+v (field records %d); want %s count %d share %v example %q", w.place, w.path, tc, f.Records, w.typ, w.count, share, w.example)
		}
	}
	totals := map[string]int64{}
	for _, tc := range r.Totals {
		totals[tc.Type] = tc.Count
		if tc.Example != "" {
			t.Errorf("total %s has an example", tc.Type)
		}
	}
	if d := cmp.Diff(map[string]int64{"ipv4": 5 * n, "email": 4 * n, "credit_card": n}, totals); d != "" {
		t.Errorf("totals (-want +got):\n%s", d)
	}
	assertNoValues(t, r, c.values)
}

func findField(r *Report, place, path string) (Field, bool) {
	for _, f := range r.Fields {
		if f.Place == place && f.Path == path {
			return f, true
		}
	}
	return Field{}, false
}

// assertNoValues checks that no output of r shows any of values.
func assertNoValues(t *testing.T, r *Report, values []string) {
	t.Helper()
	var table, js, html bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"table": table.String(), "json": js.String(), "html": html.String()} {
		for _, v := range values {
			if strings.Contains(out, v) {
				t.Errorf("the %s output shows %q", name, v)
			}
		}
	}
}

// TestTallyMerge checks that tallies of parts of an input, merged, count
// what one tally of the whole input counts, examples included.
func TestTallyMerge(t *testing.T) {
	c := genCorpus(10)
	e := rulestest.Engine(t, "")
	whole := c.tally(t, e, c.records, 0).Report(nil)
	for _, cut := range []int{0, 1, 17, len(c.records)} {
		a := c.tally(t, e, c.records[:cut], 0)
		b := c.tally(t, e, c.records[cut:], cut)
		b.Merge(a) // the later part first: examples must still be the earliest
		if d := cmp.Diff(whole, b.Report(nil)); d != "" {
			t.Errorf("cut at %d (-whole +merged):\n%s", cut, d)
		}
	}
}

// TestTallyMaxFields checks that records keyed by ever new keys make at
// most MaxFields fields, the rest counted together.
func TestTallyMaxFields(t *testing.T) {
	e := rulestest.Engine(t, "")
	var recs [][]byte
	for i := range MaxFields + 50 {
		recs = append(recs, fmt.Appendf(nil, `{"k%dx":"203.0.113.9"}`, i))
	}
	r := (&corpus{}).tally(t, e, recs, 0).Report(nil)
	if !r.FieldsTruncated || len(r.Fields) != MaxFields+1 {
		t.Fatalf("truncated %v, %d fields; want true, %d", r.FieldsTruncated, len(r.Fields), MaxFields+1)
	}
	if f, ok := findField(r, "json", OtherFields); !ok || f.Records != 50 {
		t.Errorf("other fields: %+v", f)
	}
}

// TestSanitize checks how paths are shown: keys holding personal data by
// their type, keys of digits as '*', long paths cut.
func TestSanitize(t *testing.T) {
	tl := New(rulestest.Engine(t, ""))
	tests := []struct {
		raw  string
		json bool
		want string
	}{
		{`by\.mail.a\.b@example\.com.ip`, true, `by\.mail.[email].ip`},
		{`items.12.ip`, true, `items.*.ip`},
		{`203\.0\.113\.9.count`, true, `[ipv4].count`},
		{`a\\b`, true, `a\\b`},
		{`user.jo@example.com`, false, `[email]`},
		{`42`, false, `*`},
		{strings.Repeat("k", 200), true, strings.Repeat("k", maxPathLen) + "…"},
		{"", true, ""},
	}
	for _, tt := range tests {
		if got := tl.safePath([]byte(tt.raw), tt.json); got != tt.want {
			t.Errorf("safePath(%q, %v) = %q, want %q", tt.raw, tt.json, got, tt.want)
		}
	}
}

// TestTextKeys checks which words before a '=' in text make a field.
func TestTextKeys(t *testing.T) {
	e := rulestest.Engine(t, "")
	for _, tt := range []struct{ rec, path string }{
		{"sshd: login user.ip=203.0.113.9 ok", "user.ip"},
		{"GET https://example.com/?next=203.0.113.9 done", NoField},
		{"java -Dhost=203.0.113.9 -jar x", NoField},
		{"from 203.0.113.9", NoField},
		{strings.Repeat("k", 65) + "=203.0.113.9", NoField},
	} {
		r := (&corpus{}).tally(t, e, [][]byte{[]byte(tt.rec)}, 0).Report(nil)
		if len(r.Fields) != 1 || r.Fields[0].Path != tt.path {
			t.Errorf("%q: fields %+v, want path %q", tt.rec, r.Fields, tt.path)
		}
	}
}

// TestTallyWithoutLocations checks that findings of a result scrubbed
// without Locate count as text rather than being lost.
func TestTallyWithoutLocations(t *testing.T) {
	e := rulestest.Engine(t, "")
	var res rules.Result
	rec := []byte(`{"ip":"203.0.113.9"}`)
	if _, err := e.Scrub(nil, rec, &res); err != nil {
		t.Fatal(err)
	}
	tl := New(e)
	tl.Add(0, rec, &res)
	r := tl.Report(nil)
	if len(r.Fields) != 1 || r.Fields[0].Place != "text" || r.Fields[0].Types[0].Count != 1 {
		t.Errorf("fields %+v", r.Fields)
	}
}

// BenchmarkTally scrubs generated records with locations on and tallies
// them, against BenchmarkScrubOnly, the same scrub without either: the
// difference is what --stats and discover add per record.
func BenchmarkTally(b *testing.B) {
	benchTally(b, true)
}

func BenchmarkScrubOnly(b *testing.B) {
	benchTally(b, false)
}

func benchTally(b *testing.B, tally bool) {
	c := genCorpus(200)
	e := rulestest.Engine(b, "")
	ses := e.NewSession()
	tl := New(e)
	var res rules.Result
	res.Locate = tally
	var size int64
	for _, r := range c.records {
		size += int64(len(r))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		for i, rec := range c.records {
			var err error
			out, err = ses.Scrub(out[:0], rec, &res)
			if tally {
				tl.Record(int64(i), rec, &res, err)
			}
		}
	}
}
