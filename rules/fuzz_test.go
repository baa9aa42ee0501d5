package rules

import (
	"bytes"
	"encoding/json"
	"testing"
)

// seeded are personal values the fuzzer places inside arbitrary records; none
// may survive scrubbing whole.
var seeded = []string{
	"203.0.113.77", "2001:db8:85a3::8a2e:370:7334", "jane.doe@example.com", "+14155552671",
	"4111111111111111", "DE89370400440532013000", "00:1a:2b:3c:4d:5e", "490154203237518",
	"3f2504e0-4f89-11d3-9a0c-0305e82c3301",
}

// FuzzScrub checks the engine on arbitrary records: no panic, findings in
// bounds and in order, valid JSON stays valid JSON, scrubbing twice changes
// nothing, and a seeded personal value placed in the record between spaces
// never survives.
func FuzzScrub(f *testing.F) {
	seeds := []string{
		`{"a":1}`, `{"uid":5,"m":"x"}`, `[1,"a",{"b":null}]`, `{"a":"\u0041\ud83d\ude00"}`,
		"level=info uid=4 msg=\"hi there\"", `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "UA"`,
		"plain text", "\x00\xff", `{"a":`, `{"x":[[[[[[[[[[[[1]]]]]]]]]]]]}`,
		"password=abc token=def", "a@b.co %40 mailto%3Ax%40y.com",
		"user: jdoe name: Toshimi Arata address: 12 Rue de la Paix, Paris; dob: 12 March 1990",
		"X-User-Id: 42\nX-Full-Name: toshimi arata\n<user_id>7</user_id> q=a%3D1%26uid%3D9",
		`{'uid' => 'u1', "lat" : 48.8583701, "gps": "48.8583701, 2.29"}`,
		`{"name":"Ana Lima","customer":{"name":"ana"},"zip":"75002","user":{"id":1}}`,
		"redis://default:s3cret@cache:6379 -----BEGIN RSA PRIVATE KEY-----\\nMIIE\\n-----END RSA PRIVATE KEY-----",
		`"Jo Bloggs" <jo&#64;example.com> %6A%6F%40%65%78%2E%63%6F 用户@例子.广告 pwd=x pass: y`,
		"ip:198.51.100.23x nginx/1.25.3.4 curl/198.51.100.23 card4111_1111_1111_1111x",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), uint16(len(s)/2))
	}
	e := compileTest(f, "")
	f.Fuzz(func(t *testing.T, in []byte, which uint8, at uint16) {
		var res Result
		out, err := e.Scrub(nil, in, &res)
		if err == nil {
			checkFindings(t, in, &res)
			// JSON records are objects and arrays; a bare JSON scalar is
			// scrubbed as text.
			if res.Format == FormatJSON && json.Valid(in) && !res.Dropped && !json.Valid(out) {
				t.Fatalf("valid JSON became invalid:\n in %q\nout %q", in, out)
			}
			if !res.Dropped {
				again, err := e.Scrub(nil, out, &res)
				// The binary check reads a window at the start: shortened
				// values can bring control characters that were past it
				// into it, and failing closed is right for such a record.
				moved := err != nil && ReasonOf(err) == ReasonUnsupportedEncoding && bytes.ContainsFunc(out, isControl)
				switch {
				case moved:
				case err != nil:
					t.Fatalf("scrubbing the output failed: %v", err)
				case !bytes.Equal(again, out) && !res.Dropped:
					t.Fatalf("not idempotent:\n in %q\n once %q\ntwice %q", in, out, again)
				}
			}
		}
		// Place a seeded value between spaces at a position in the input.
		seed := seeded[int(which)%len(seeded)]
		pos := int(at) % (len(in) + 1)
		rec := make([]byte, 0, len(in)+len(seed)+2)
		rec = append(rec, in[:pos]...)
		rec = append(rec, ' ')
		rec = append(rec, seed...)
		rec = append(rec, ' ')
		rec = append(rec, in[pos:]...)
		out, err = e.Scrub(nil, rec, &res)
		if err != nil || res.Dropped {
			return // failed closed or dropped: nothing reaches the output
		}
		// The inserted copy must be gone; the input may hold the seed's
		// digits inside a longer number of its own.
		if bytes.Count(out, []byte(seed)) > bytes.Count(in, []byte(seed)) {
			t.Fatalf("seeded value %q survived:\n in %q\nout %q", seed, rec, out)
		}
	})
}

func checkFindings(t *testing.T, in []byte, res *Result) {
	t.Helper()
	prev := 0
	for _, f := range res.Findings {
		if f.Start < prev || f.End < f.Start || f.End > len(in) {
			t.Fatalf("finding %+v out of order or bounds (prev end %d, len %d)", f, prev, len(in))
		}
		prev = f.Start
	}
	if len(res.Actions) != len(res.Findings) {
		t.Fatalf("%d actions for %d findings", len(res.Actions), len(res.Findings))
	}
}

// isControl reports whether r is a control character the binary check
// counts (its own table, ctlOdd).
func isControl(r rune) bool { return r < 0x80 && ctlOdd[r] }
