package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/detectors"
)

// TestNearJSON walks each near-JSON form with the default policy: the field
// rules of nested paths apply, and every byte that is not replaced is
// written as it was.
func TestNearJSON(t *testing.T) {
	e := compileTest(t, "")
	uid := func(v string) string { return `"` + pseudo("account_id", v) + `"` }
	mail := pseudo("email", "jo@example.com")
	tests := []struct{ name, in, want string }{
		{"trailing comma in object", `{"user":{"id":"u-99"},}`, `{"user":{"id":` + uid("u-99") + `},}`},
		{"trailing comma nested", `{"user":{"id":"u-99",},"n":1}`, `{"user":{"id":` + uid("u-99") + `,},"n":1}`},
		{"trailing comma in array", `{"ids":[1,2,],"uid":"a"}`, `{"ids":[1,2,],"uid":` + uid("a") + `}`},
		{"trailing comma with spaces", "{ \"uid\" : 7 , }", "{ \"uid\" : " + uid("7") + " , }"},
		{"trailing comma in top array", `[{"uid":1},]`, `[{"uid":` + uid("1") + `},]`},
		{"leading zeros", `{"user":{"id":007},"n":0012}`, `{"user":{"id":` + uid("007") + `},"n":0012}`},
		{"plus sign and exponent", `{"n":+1,"m":-01.50e+03,"uid":+42}`, `{"n":+1,"m":-01.50e+03,"uid":` + uid("+42") + `}`},
		{"NaN and infinities", `{"a":NaN,"b":Infinity,"c":-Infinity,"d":+Infinity,"uid":NaN}`,
			`{"a":NaN,"b":Infinity,"c":-Infinity,"d":+Infinity,"uid":NaN}`},
		{"concatenated documents", `{"user":{"id":"a"}}{"user":{"id":"b"}}`,
			`{"user":{"id":` + uid("a") + `}}{"user":{"id":` + uid("b") + `}}`},
		{"documents with a space", `{"uid":"a"} {"email":"jo@example.com"}`, `{"uid":` + uid("a") + `} {"email":"` + mail + `"}`},
		{"ndjson in one value", "{\"uid\":\"a\"}\n{\"uid\":\"b\"}\n", "{\"uid\":" + uid("a") + "}\n{\"uid\":" + uid("b") + "}\n"},
		{"ndjson with crlf", "{\"uid\":\"a\"}\r\n[{\"uid\":\"b\"}]\r\n", "{\"uid\":" + uid("a") + "}\r\n[{\"uid\":" + uid("b") + "}]\r\n"},
		{"byte order mark", "\xef\xbb\xbf{\"uid\":\"a\"}", "\xef\xbb\xbf{\"uid\":" + uid("a") + "}"},
		{"raw tab kept when clean", "{\"msg\":\"a\tb\",\"uid\":\"a\"}", "{\"msg\":\"a\tb\",\"uid\":" + uid("a") + "}"},
		{"raw tab escaped when scrubbed", "{\"msg\":\"to\tjo@example.com\"}", `{"msg":"to\t` + mail + `"}`},
		{"raw NUL in a string is JSON, not binary", "{\"m\":\"a\x00\x00b\",\"uid\":\"a\"}", "{\"m\":\"a\x00\x00b\",\"uid\":" + uid("a") + "}"},
		{"raw newline in value", "{\"msg\":\"line1\nfrom 10.1.2.3\"}", `{"msg":"line1\nfrom 10.1.2.0"}`},
		{"unknown escape kept when clean", `{"path":"C:\Users\jo"}`, `{"path":"C:\Users\jo"}`},
		{"unknown escape made valid when scrubbed", `{"path":"C:\Users\jo@example.com"}`, `{"path":"C:\\Users\\` + mail + `"}`},
		{"bad unicode escape", `{"m":"\u12 10.1.2.3"}`, `{"m":"\\u12 10.1.2.0"}`},
		{"forms together", "{\"user\":{\"id\":0042,},\"note\":NaN,}\n{\"uid\":\"b\",}",
			"{\"user\":{\"id\":" + uid("0042") + ",},\"note\":NaN,}\n{\"uid\":" + uid("b") + ",}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res := scrub(t, e, tt.in)
			if got != tt.want {
				t.Errorf("Scrub(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if res.Format != FormatJSON {
				t.Errorf("format %q, want json", res.Format)
			}
			if again, _ := scrub(t, e, got); again != got {
				t.Errorf("not idempotent:\n once  %q\n twice %q", got, again)
			}
		})
	}
}

// TestNearJSONFindings checks that findings in near-JSON point at the values
// in the input, in every document.
func TestNearJSONFindings(t *testing.T) {
	e := compileTest(t, "")
	in := "{\"uid\":007,}\n{\"m\":\"a\\q jo@example.com\"} [\"10.0.0.1\",]"
	_, res := scrub(t, e, in)
	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Type)+"="+in[f.Start:f.End])
	}
	want := []string{"account_id=007", "email=jo@example.com", "ipv4=10.0.0.1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// TestNearJSONActions checks the actions that change the structure, and the
// geo member, on near-JSON.
func TestNearJSONActions(t *testing.T) {
	e := compileTest(t, `
default_fields: false
fields:
  - {path: "debug", action: drop_field}
  - {path: "kind", action: drop_record, values: [healthcheck]}
`)
	tests := []struct {
		name, in, want string
		geo            bool
		dropped        bool
	}{
		{"drop last member before trailing comma", `{"a":1,"debug":2,}`, `{"a":1,}`, false, false},
		{"drop only member before trailing comma", `{"debug":2,}`, `{}`, false, false},
		{"geo after trailing comma", `{"a":1,}`, `{"a":1,"geo":{"country":"DE","jurisdiction":"EEA"}}`, true, false},
		{"geo in an emptied object", `{"geo":{"city":"Berlin"},}`, `{"geo":{"country":"DE","jurisdiction":"EEA"}}`, true, false},
		{"geo in every document", "{\"a\":1}\n{\"b\":2,}",
			"{\"a\":1,\"geo\":{\"country\":\"DE\",\"jurisdiction\":\"EEA\"}}\n{\"b\":2,\"geo\":{\"country\":\"DE\",\"jurisdiction\":\"EEA\"}}", true, false},
		{"drop record from a later document", "{\"kind\":\"x\"}\n{\"kind\":\"healthcheck\"}", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			var opt Options
			if tt.geo {
				opt.Geo = &Geo{Country: "DE", Jurisdiction: "EEA"}
			}
			out, err := e.ScrubWith(nil, []byte(tt.in), &res, opt)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want || res.Dropped != tt.dropped {
				t.Errorf("Scrub(%q) = %q dropped=%v, want %q dropped=%v", tt.in, out, res.Dropped, tt.want, tt.dropped)
			}
		})
	}
}

// TestInvalidJSONFailsClosed checks records that open like JSON but cannot
// be walked: they fail closed with invalid_json, their error names no
// content, and with on_invalid_json: text they are scanned as text instead.
func TestInvalidJSONFailsClosed(t *testing.T) {
	strict := compileTest(t, "")
	lax := compileTest(t, "on_invalid_json: text\n")
	tests := []struct{ name, in, text string }{
		{"cut short", `{"msg": "from 10.9.8.7`, `{"msg": "from 10.9.8.0`},
		{"cut after a comma", `{"uid":"5", `, `{"uid":"` + pseudo("account_id", "5") + `", `},
		{"text after the document", `{"user":{"id":"u-99"}} sent to 10.1.2.3`, `{"user":{"id":"u-99"}} sent to 10.1.2.0`},
		{"scalar after the document", `{"a":1} 42`, `{"a":1} 42`},
		{"single-quoted value", `{"to": 'jo@example.com'}`, `{"to": '` + pseudo("email", "jo@example.com") + `'}`},
		{"unquoted key later", `{"a":1, b:2}`, `{"a":1, b:2}`},
		{"comment", `{"a":1} // 10.1.2.3`, `{"a":1} // 10.1.2.0`},
		{"block comment", `{"a":/* x */1}`, `{"a":/* x */1}`},
		{"missing comma", `{"a":1 "b":2}`, `{"a":1 "b":2}`},
		{"double comma", `[1,,2]`, `[1,,2]`},
		{"comma only", `[,]`, `[,]`},
		{"unescaped quote", `{"msg":"he said "hi" to jo@example.com"}`, `{"msg":"he said "hi" to ` + pseudo("email", "jo@example.com") + `"}`},
		{"hex number", `[1, 0x1F]`, `[1, 0x1F]`},
		{"python literal", `{"ok": True}`, `{"ok": True}`},
		{"ruby nil", `[1, nil]`, `[1, nil]`},
		{"unclosed array", `[{"a":1},`, `[{"a":1},`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			out, err := strict.Scrub([]byte("prefix"), []byte(tt.in), &res)
			if ReasonOf(err) != ReasonInvalidJSON {
				t.Fatalf("Scrub(%q) = %q, %v; want invalid_json", tt.in, out, err)
			}
			if string(out) != "prefix" {
				t.Errorf("output grew on failure: %q", out)
			}
			for _, word := range []string{"10.", "jo@", "u-99", "msg", "hi"} {
				if strings.Contains(err.Error(), word) {
					t.Errorf("error quotes the record: %v", err)
				}
			}
			got, res2 := scrub(t, lax, tt.in)
			if got != tt.text || res2.Format == FormatJSON {
				t.Errorf("on_invalid_json: text: %q (%s), want %q as text", got, res2.Format, tt.text)
			}
		})
	}
}

// TestOnInvalidJSONValidate checks the values the policy switch takes.
func TestOnInvalidJSONValidate(t *testing.T) {
	for v, ok := range map[string]bool{"fail": true, "text": true, "drop": false, "TEXT": false} {
		p, err := Parse([]byte("on_invalid_json: "+v+"\n"), "test")
		if err != nil {
			t.Fatal(err)
		}
		err = p.Validate()
		if ok != (err == nil) {
			t.Errorf("on_invalid_json: %s: %v", v, err)
		}
		if err != nil && !strings.Contains(err.Error(), "on_invalid_json") {
			t.Errorf("problem does not name the key: %v", err)
		}
	}
}

// TestOpensLikeJSON checks which records that start with a bracket are JSON
// to the engine: log lines that start with a bracketed prefix, and the
// object dumps of other languages, are text.
func TestOpensLikeJSON(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{"a":1`, true},
		{`{ "a" : x`, true},
		{`{}x`, true},
		{`[]x`, true},
		{`[1, x`, true},
		{`[ "a" ,`, true},
		{`[{"a": x`, true},
		{`[[[1,`, true},
		{`[NaN,`, true},
		{"\xef\xbb\xbf{\"a\":", true},
		{`{"a"=>1}`, false},
		{`{"a" b c}`, false},
		{`{ID:42 Name:jo}`, false},
		{`{a=1, b=2}`, false},
		{`{'a': 1}`, false},
		{`[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok`, false},
		{`[2024-01-01 12:00:00] local.ERROR: boom`, false},
		{`[12:00:01] INFO start`, false},
		{`[main] INFO Server started`, false},
		{`[0] worker ready`, false},
		{`["main"] INFO`, false},
		{`[{a:1}]`, false},
		{`[-] x`, false},
		{`[nil, 1]`, false},
		{`[0x1F, 2]`, false},
		{`[`, false},
		{`{`, false},
		{`[ "unclosed`, false},
	}
	for _, tt := range tests {
		rec := []byte(tt.in)
		i := skipWS(rec, skipBOM(rec))
		if got := opensLikeJSON(rec, i); got != tt.want {
			t.Errorf("opensLikeJSON(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// nothingPolicy finds and replaces nothing: every detector off, no field
// rules. Walking a record with it shows what the walker itself writes.
var nothingPolicy = func() string {
	var b strings.Builder
	b.WriteString("default_fields: false\ndetectors:\n")
	for _, t := range detectors.Builtin {
		fmt.Fprintf(&b, "  %s: {enabled: false}\n", t)
	}
	return b.String()
}()

// addTrailingCommas returns the JSON document doc with a comma before every
// closing bracket or brace that follows a member or element.
func addTrailingCommas(doc []byte) []byte {
	var out []byte
	inString, escaped := false, false
	last := byte(0) // the last byte outside strings that is not whitespace
	for _, c := range doc {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				last = '"'
			}
		case c == '"':
			inString = true
		case c == '}' || c == ']':
			if last != '{' && last != '[' && last != ',' && last != 0 {
				out = append(out, ',')
			}
			last = c
		case c != ' ' && c != '\t' && c != '\n' && c != '\r':
			last = c
		}
		out = append(out, c)
	}
	return out
}

// jsonStream reports whether in is one or more JSON documents, each an
// object or an array, with only whitespace between and around them, as
// encoding/json's Decoder reads a stream.
func jsonStream(in []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(in))
	n := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return n > 0
		}
		if err != nil || len(v) == 0 || v[0] != '{' && v[0] != '[' {
			return false
		}
		n++
	}
}

// FuzzNearJSON checks the near-JSON walker against encoding/json and
// against itself:
//   - every stream of JSON documents that encoding/json reads is walked;
//   - a record walked with a policy that replaces nothing comes out byte
//     for byte as it went in (when its strings are valid UTF-8, which the
//     walker otherwise makes valid);
//   - adding trailing commas to a valid document changes its scrubbed form
//     only by those commas, and two documents in one record are scrubbed
//     as each alone;
//   - the output is at most a bounded multiple of the input, and scrubbing
//     it again changes nothing.
func FuzzNearJSON(f *testing.F) {
	seeds := []string{
		`{"user":{"id":"u-99"},}`, `[1,2,]`, `{"n":007,"m":+1.5e3}`, `{"a":NaN,"b":-Infinity}`,
		`{"a":1}{"b":2}`, "{\"a\":1}\n{\"uid\":\"x\"}\n", "\xef\xbb\xbf[\"a\"]", "{\"m\":\"a\tb\"}",
		`{"p":"C:\Users\x"}`, `{"m":"\u00e9 jo@example.com"}`, `[{"uid":[1,2,{"x":null}]}]`,
		`{"a":1} x`, `{"a":`, `[,]`, "{\"ip\":\"10.1.2.3\",\"email\":\"jo@example.com\",}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	def := compileTest(f, "")
	nothing := compileTest(f, nothingPolicy)
	f.Fuzz(func(t *testing.T, in []byte) {
		var res Result
		out, err := nothing.Scrub(nil, in, &res)
		if jsonStream(in) && sniffOpaque(in) == "" && err != nil {
			t.Fatalf("a JSON stream was not walked: %v\n%q", err, in)
		}
		if err == nil && res.Format == FormatJSON && utf8.Valid(in) && !bytes.Equal(out, in) {
			t.Fatalf("walked with nothing to replace, the record changed:\n in %q\nout %q", in, out)
		}
		out, err = def.Scrub(nil, in, &res)
		if err != nil {
			return
		}
		if res.Format == FormatJSON && len(out) > 64*len(in)+64 {
			t.Fatalf("output of %d bytes for %d bytes of input", len(out), len(in))
		}
		if !res.Dropped {
			again, err := def.Scrub(nil, out, &res)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("not idempotent (%v):\n in %q\n once %q\ntwice %q", err, in, out, again)
			}
		}
		if !json.Valid(in) || in[0] != '{' && in[0] != '[' {
			return
		}
		once, err := def.Scrub(nil, in, &res)
		if err != nil || res.Dropped {
			return
		}
		commas := addTrailingCommas(in)
		got, err := def.Scrub(nil, commas, &res)
		if err != nil {
			t.Fatalf("with trailing commas: %v\n%q", err, commas)
		}
		if want := addTrailingCommas(once); !bytes.Equal(got, want) {
			t.Fatalf("trailing commas changed the scrubbing:\n in %q\ngot %q\nwant %q", commas, got, want)
		}
		two := append(append(bytes.Clone(in), '\n'), in...)
		got, err = def.Scrub(nil, two, &res)
		if err != nil {
			t.Fatalf("two documents: %v\n%q", err, two)
		}
		if want := append(append(bytes.Clone(once), '\n'), once...); !bytes.Equal(got, want) {
			t.Fatalf("two documents scrubbed unlike one:\n in %q\ngot %q\nwant %q", two, got, want)
		}
	})
}
