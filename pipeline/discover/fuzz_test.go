package discover

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scrubd/scrubd/rules/rulestest"
)

// FuzzTally tallies arbitrary records: no panic, every finding counted once
// in its field and once in the totals, paths of valid UTF-8, and the JSON
// report valid.
func FuzzTally(f *testing.F) {
	for _, s := range []string{
		`{"a":{"b.c":"jo@example.com"},"d":["203.0.113.9"]}`, `{"x\\":1,"jo@example.com":{"ip":"203.0.113.9"}}`,
		`203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /?m=jo@example.com HTTP/1.0" 200 1 "-" "UA"`,
		"level=info ip=203.0.113.9 msg=\"jo@example.com\"", "from 203.0.113.9 user=\xff@example.com", `{"a":`,
		`{"\u00e9\ud800":"203.0.113.9","1":{"2":"jo@example.com"}}`,
	} {
		f.Add([]byte(s))
	}
	e := rulestest.Engine(f, "")
	f.Fuzz(func(t *testing.T, rec []byte) {
		s := NewSampler(e, 0)
		s.Record(rec)
		s.Record(rec)
		r := s.Tally().Report(nil)
		var inFields, inTotals int64
		for _, fl := range r.Fields {
			if !utf8.ValidString(fl.Path) || fl.Path == "" {
				t.Fatalf("path %q", fl.Path)
			}
			for _, tc := range fl.Types {
				inFields += tc.Count
				if tc.Records > 2 || tc.Share > 1 {
					t.Fatalf("%s %s: %+v", fl.Place, fl.Path, tc)
				}
			}
		}
		for _, tc := range r.Totals {
			inTotals += tc.Count
		}
		found := int64(len(s.res.Findings)) * 2
		if r.Records != 2 || inFields != found && len(r.Failed) == 0 || inTotals != inFields {
			t.Fatalf("records %d, %d findings, %d counted in fields, %d in totals", r.Records, found, inFields, inTotals)
		}
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil || !json.Valid(b.Bytes()) {
			t.Fatalf("json report: %v\n%s", err, b.String())
		}
	})
}

// FuzzSplitPath checks that keys escaped and joined as the engine does (see
// rules.Result.Location) split back into the same keys.
func FuzzSplitPath(f *testing.F) {
	f.Add("a", "b.c", `d\`)
	f.Add("", ".", `\.`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		keys := []string{a, b, c}
		var p []byte
		for i, k := range keys {
			if i > 0 {
				p = append(p, '.')
			}
			for _, ch := range []byte(k) {
				if ch == '.' || ch == '\\' {
					p = append(p, '\\')
				}
				p = append(p, ch)
			}
		}
		var got []string
		for _, k := range splitPath(p) {
			got = append(got, string(k))
		}
		if strings.Join(got, "\x00") != strings.Join(keys, "\x00") || len(got) != 3 {
			t.Fatalf("splitPath(%q) = %q, want %q", p, got, keys)
		}
	})
}
