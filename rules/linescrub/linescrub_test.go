package linescrub

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/zstd"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// engine compiles the built-in policy, or the policy file named, with the
// test keyring.
func engine(t testing.TB, policy string) *rules.Engine {
	t.Helper()
	p := rules.Default()
	if policy != "" {
		var err error
		if p, err = rules.Load(policy); err != nil {
			t.Fatal(err)
		}
	}
	return rulestest.Compile(t, p)
}

// scrub runs a Scrubber with e over the files named ("-" or none: stdin)
// as `scrubd scrub` does, with GOMAXPROCS workers unless o names a number,
// and returns the records failed closed, the output, stderr and the error.
func scrub(t *testing.T, e *rules.Engine, o Options, stdin io.Reader, files ...string) (failed int, stdout, stderr string, err error) {
	t.Helper()
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	inputs, closeAll, err := OpenInputs(files, stdin)
	defer closeAll()
	if err != nil {
		return 0, "", "", err
	}
	var out, errb bytes.Buffer
	s := New(e, o, &errb)
	failed, err = s.Run(context.Background(), inputs, &out)
	if serr := s.WriteStats(&errb, files); err == nil {
		err = serr
	}
	return failed, out.String(), errb.String(), err
}

// scrubString scrubs in with the built-in policy.
func scrubString(t *testing.T, in string, o Options, files ...string) (failed int, stdout, stderr string, err error) {
	t.Helper()
	return scrub(t, engine(t, ""), o, strings.NewReader(in), files...)
}

// TestScrubBadInput feeds the CLI the inputs that must fail closed or be
// scanned anyway, and checks that every line still gets its output line.
func TestScrubBadInput(t *testing.T) {
	huge := strings.Repeat("x", 10<<20) + " 10.1.2.3"
	in := strings.Join([]string{
		"ok 10.0.0.1",
		huge,
		"nul\x00 10.0.0.2 \x00",
		"bad utf8 \xff\xfe 10.0.0.3",
		`{"a": "unterminated 10.0.0.4`,
		strings.Repeat("[", 100) + strings.Repeat("]", 100),
		"\x1b[31mcolour\x1b[0m\ttab 10.0.0.6",
		"\x1f\x8b\x08\x00\x00\x00\x00\x00",
		`{"a":1,} {"ip":"10.0.0.7"}`,
		"last 10.0.0.5",
	}, "\n") + "\n"
	failed, out, errOut, err := scrubString(t, in, Options{})
	if failed != 5 || err != nil {
		t.Errorf("%d failed closed, error %v; want 5, nil", failed, err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{
		"ok 10.0.0.0",
		"",
		"",
		"bad utf8 \xff\xfe 10.0.0.0",
		"",
		"",
		"\x1b[31mcolour\x1b[0m\ttab 10.0.0.0",
		"",
		`{"a":1,} {"ip":"10.0.0.0"}`,
		"last 10.0.0.0",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d output lines, want %d", len(lines), len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: got %q, want %q", i+1, trunc(lines[i]), want[i])
		}
	}
	for _, w := range []string{
		"line 2: record failed closed: too_large", "line 3: record failed closed: unsupported_encoding: binary",
		"line 5: record failed closed: invalid_json", "line 6: record failed closed: too_deep",
		"line 8: record failed closed: unsupported_encoding: gzip",
	} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if strings.Contains(errOut, "10.1.2.3") || strings.Contains(errOut, "xxxx") || strings.Contains(errOut, "unterminated") {
		t.Error("stderr quotes record content")
	}
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func TestScrubFindingsContract(t *testing.T) {
	line := `client 203.0.113.77 sent mail to jo@example.com`
	failed, out, _, err := scrubString(t, line+"\n"+strings.Repeat("y", 2<<20)+"\n", Options{Findings: true})
	if failed != 1 || err != nil {
		t.Errorf("%d failed closed, error %v", failed, err)
	}
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var got struct {
		Findings []struct {
			Type       string
			Start, End int
		}
	}
	if err := json.Unmarshal([]byte(rows[0]), &got); err != nil {
		t.Fatal(err)
	}
	var spans []string
	for _, f := range got.Findings {
		spans = append(spans, fmt.Sprintf("%s:%s", f.Type, line[f.Start:f.End]))
	}
	if strings.Join(spans, ",") != "ipv4:203.0.113.77,email:jo@example.com" {
		t.Errorf("findings %v", spans)
	}
	if rows[1] != `{"findings":null,"error":"too_large"}` {
		t.Errorf("failed line: %s", rows[1])
	}
}

// TestScrubKeepsOrder checks that many lines scrubbed by several workers
// come out in input order.
func TestScrubKeepsOrder(t *testing.T) {
	var in strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&in, "seq=%d ip=10.%d.%d.%d\n", i, i%250, (i/250)%250, i%200)
	}
	failed, out, errOut, err := scrubString(t, in.String(), Options{Workers: 4})
	if failed != 0 || err != nil {
		t.Fatalf("%d failed closed, error %v: %s", failed, err, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 20000 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		want := fmt.Sprintf("seq=%d ip=10.%d.%d.0", i, i%250, (i/250)%250)
		if l != want {
			t.Fatalf("line %d: %q, want %q", i, l, want)
		}
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestScrubLineSplitting feeds lines of many lengths, with "\n" and "\r\n"
// ends, some over a small record limit, through readers that return
// everything at once or a few bytes at a time, and checks every output
// line, its line end, and the line numbers of the records that failed
// closed.
func TestScrubLineSplitting(t *testing.T) {
	dir := t.TempDir()
	const limit = 300
	policy := dir + "/policy.yaml"
	writeTestFile(t, policy, fmt.Sprintf("limits:\n  max_record_bytes: %d\n", limit))
	var in strings.Builder
	var want []string
	var tooLarge []int
	for i := range 5000 {
		n := (i * 37) % 700 // from 0 to 699 bytes of padding
		head := fmt.Sprintf("seq=%d ip=10.%d.%d.%d ", i, i%250, (i/250)%250, i%200)
		switch {
		case i%50 == 7:
			n = limit + 1 - len(head) // one byte over
		case i%50 == 8:
			n = limit - len(head) // just in
		case i%1000 == 9:
			n = 100 << 10 // longer than the reader's buffer
		}
		line := head + strings.Repeat("x", n)
		end, cr := "\n", ""
		if i%3 == 0 {
			end, cr = "\r\n", "\r" // kept in the output
		}
		in.WriteString(line + end)
		if len(line) > limit {
			want = append(want, cr)
			tooLarge = append(tooLarge, i+1)
		} else {
			want = append(want, fmt.Sprintf("seq=%d ip=10.%d.%d.0 %s", i, i%250, (i/250)%250, strings.Repeat("x", n))+cr)
		}
	}
	in.WriteString("last 10.9.9.9") // no line end
	want = append(want, "last 10.9.9.0")
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"half":     func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
		"data+EOF": func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) },
	}
	e := engine(t, policy)
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			failed, out, errOut, err := scrub(t, e, Options{Workers: 3}, mk(in.String()))
			if failed != len(tooLarge) || err != nil {
				t.Errorf("%d failed closed, error %v; want %d, nil", failed, err, len(tooLarge))
			}
			got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(got) != len(want) {
				t.Fatalf("%d output lines, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("line %d: got %q, want %q", i+1, trunc(got[i]), trunc(want[i]))
				}
			}
			msgs := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(msgs) != len(tooLarge) {
				t.Fatalf("%d stderr lines, want %d", len(msgs), len(tooLarge))
			}
			for k, n := range tooLarge {
				if w := fmt.Sprintf("scrubd scrub: line %d: record failed closed: too_large", n); !strings.HasPrefix(msgs[k], w) {
					t.Fatalf("stderr line %d: %q, want prefix %q", k+1, msgs[k], w)
				}
			}
		})
	}
}

// TestScrubFilesEndTheirLines checks that the last line of a file ends at
// the file's end: joined to the next file's first line, "msg=x" and
// "user_id=42" became the key "xuser_id", which no field rule names, and the
// output had a line fewer than the input.
func TestScrubFilesEndTheirLines(t *testing.T) {
	dir := t.TempDir()
	a, empty, b := dir+"/a.log", dir+"/empty.log", dir+"/b.log"
	writeTestFile(t, a, "first 10.0.0.1\nlevel=info msg=x")
	writeTestFile(t, empty, "")
	writeTestFile(t, b, "user_id=42 ok\r\nlast 10.0.0.2")
	failed, out, errOut, err := scrubString(t, "", Options{}, a, empty, b)
	if failed != 0 || err != nil {
		t.Fatalf("%d failed closed, error %v: %s", failed, err, errOut)
	}
	lines := strings.Split(out, "\n")
	if len(lines) != 5 || lines[4] != "" {
		t.Fatalf("%d output lines for 4 input lines: %q", len(lines)-1, out)
	}
	if lines[0] != "first 10.0.0.0" || lines[1] != "level=info msg=x" || lines[3] != "last 10.0.0.0" {
		t.Errorf("output %q", out)
	}
	if !strings.HasPrefix(lines[2], "user_id=account_id_") || !strings.HasSuffix(lines[2], " ok\r") {
		t.Errorf("line 3: %q, want a pseudonymized user_id and its CRLF", lines[2])
	}
}

// TestScrubLineEnds checks that a scrubbed line ends as its input line did
// (every byte that is not replaced is kept), failed lines included, while
// --findings lines end with "\n".
func TestScrubLineEnds(t *testing.T) {
	in := "a 10.0.0.1\r\nb 10.0.0.2\n{\"cut\": \r\nc\r"
	failed, out, _, _ := scrubString(t, in, Options{})
	if want := "a 10.0.0.0\r\nb 10.0.0.0\n\r\nc\r\n"; out != want || failed != 1 {
		t.Errorf("scrub: %d failed closed, %q, want %q", failed, out, want)
	}
	_, out, _, _ = scrubString(t, in, Options{Findings: true})
	want := `{"findings":[{"type":"ipv4","start":2,"end":10}]}` + "\n" +
		`{"findings":[{"type":"ipv4","start":2,"end":10}]}` + "\n" +
		`{"findings":null,"error":"invalid_json"}` + "\n" +
		`{"findings":[]}` + "\n"
	if out != want {
		t.Errorf("--findings: %q, want %q", out, want)
	}
}

func gzipBytes(t *testing.T, members ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, m := range members {
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func zstdBytes(t *testing.T, frames ...string) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var out []byte
	for _, f := range frames {
		out = enc.EncodeAll([]byte(f), out)
	}
	return out
}

// TestScrubCompressedInput checks that gzip and zstd input, in files and on
// standard input, is read decompressed, whatever the file is called, and
// that a corrupt stream is an error naming the file.
func TestScrubCompressedInput(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"a.log.gz":   gzipBytes(t, "a 10.0.0.1\n", "b 10.0.0.2\n"), // two members, as zcat reads them
		"b.zst":      zstdBytes(t, "c 10.0.0.3\n", "d 10.0.0.4"),   // two frames, no final line end
		"c.log":      gzipBytes(t, "e 10.0.0.5\n"),                 // gzip under another name
		"d.gz":       []byte("f 10.0.0.6\n"),                       // plain text under a .gz name
		"corrupt.gz": append(gzipBytes(t, "g 10.0.0.7\n")[:20], "garbage"...),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := func(n string) string { return filepath.Join(dir, n) }
	failed, out, errOut, err := scrubString(t, "", Options{}, path("a.log.gz"), path("b.zst"), path("c.log"), path("d.gz"))
	if want := "a 10.0.0.0\nb 10.0.0.0\nc 10.0.0.0\nd 10.0.0.0\ne 10.0.0.0\nf 10.0.0.0\n"; failed != 0 || err != nil || out != want {
		t.Errorf("files: %d failed closed, error %v, %q, want %q (%s)", failed, err, out, want, errOut)
	}
	for name, tt := range map[string]struct {
		in   []byte
		want string
	}{
		"gzip": {files["a.log.gz"], "a 10.0.0.0\nb 10.0.0.0\n"},
		"zstd": {files["b.zst"], "c 10.0.0.0\nd 10.0.0.0\n"},
	} {
		failed, stdout, stderr, err := scrub(t, engine(t, ""), Options{}, bytes.NewReader(tt.in))
		if failed != 0 || err != nil || stdout != tt.want {
			t.Errorf("%s on standard input: %d failed closed, error %v, %q, want %q (%s)", name, failed, err, stdout, tt.want, stderr)
		}
	}
	if _, _, _, err := scrubString(t, "", Options{}, path("corrupt.gz")); err == nil || !strings.Contains(err.Error(), "corrupt.gz") {
		t.Errorf("corrupt gzip: error %v", err)
	}
	// Compressed bytes after text on standard input are not decompressed:
	// their first line fails closed.
	mixed := append([]byte("h 10.0.0.8\n"), files["a.log.gz"]...)
	failed, stdout, stderr, _ := scrub(t, engine(t, ""), Options{}, bytes.NewReader(mixed))
	if failed == 0 || !strings.HasPrefix(stdout, "h 10.0.0.0\n\n") || !strings.Contains(stderr, "line 2: record failed closed: unsupported_encoding") {
		t.Errorf("gzip after text: %d failed closed, %q, %s", failed, stdout, stderr)
	}
}
