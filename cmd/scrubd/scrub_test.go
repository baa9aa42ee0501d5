package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/zstd"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
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
	code, out, errOut := runCmd(t, in, "scrub")
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
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
		"line 8: record failed closed: unsupported_encoding: gzip", "5 records failed closed",
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
	code, out, _ := runCmd(t, line+"\n"+strings.Repeat("y", 2<<20)+"\n", "scrub", "--findings")
	if code != exitFailed {
		t.Errorf("exit %d", code)
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
	code, out, errOut := runCmd(t, in.String(), "scrub", "--workers", "4")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
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

func TestValidateAndTestCommands(t *testing.T) {
	if code, out, _ := runCmd(t, "", "validate", "--config", "../../rules/testdata/policy.yaml"); code != exitOK || !strings.Contains(out, "valid") {
		t.Errorf("validate good policy: exit %d %s", code, out)
	}
	code, _, errOut := runCmd(t, "", "validate", "--config", "../../rules/testdata/invalid.yaml")
	if code != exitInvalid || !strings.Contains(errOut, "line 3: detectors.ipv4.prefix") || strings.Count(errOut, "\n  line") < 10 {
		t.Errorf("validate bad policy: exit %d\n%s", code, errOut)
	}
	if code, _, _ := runCmd(t, "", "validate"); code != exitUsage {
		t.Errorf("validate without --config: exit %d", code)
	}
	if code, out, _ := runCmd(t, "", "test", "--config", "../../rules/testdata/policy.yaml"); code != exitOK || !strings.Contains(out, "3 passed, 0 failed") {
		t.Errorf("test: exit %d %s", code, out)
	}
	if code, _, _ := runCmd(t, "", "nope"); code != exitUsage {
		t.Errorf("unknown command: exit %d", code)
	}
	if code, out, _ := runCmd(t, "", "version"); code != exitOK || !strings.HasPrefix(out, "scrubd ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// TestScrubWithRunConfig checks that --config takes a run configuration too,
// using the policy it holds.
func TestScrubWithRunConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/scrubd.yaml"
	writeTestFile(t, cfg, "kafka: {brokers: [127.0.0.1:9092]}\npolicy:\n  keys: {ephemeral: true}\n  detectors:\n    ipv4: {prefix: 16}\n")
	code, out, errOut := runCmd(t, "from 10.1.2.3\n", "scrub", "--config", cfg)
	if code != exitOK || out != "from 10.1.0.0\n" {
		t.Errorf("exit %d, out %q, stderr %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "", "validate", "--config", cfg); code != exitOK {
		t.Errorf("validate run config: exit %d: %s", code, errOut)
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
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"scrub", "--config", policy, "--workers", "3"}, mk(in.String()), &out, &errb)
			if code != exitFailed {
				t.Errorf("exit %d, want %d", code, exitFailed)
			}
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(got) != len(want) {
				t.Fatalf("%d output lines, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("line %d: got %q, want %q", i+1, trunc(got[i]), trunc(want[i]))
				}
			}
			msgs := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if len(msgs) != len(tooLarge)+1 {
				t.Fatalf("%d stderr lines, want %d", len(msgs), len(tooLarge)+1)
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
	code, out, errOut := runCmd(t, "", "scrub", a, empty, b)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
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
	code, out, _ := runCmd(t, in, "scrub")
	if want := "a 10.0.0.0\r\nb 10.0.0.0\n\r\nc\r\n"; out != want || code != exitFailed {
		t.Errorf("scrub: exit %d, %q, want %q", code, out, want)
	}
	_, out, _ = runCmd(t, in, "scrub", "--findings")
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
	code, out, errOut := runCmd(t, "", "scrub", path("a.log.gz"), path("b.zst"), path("c.log"), path("d.gz"))
	if want := "a 10.0.0.0\nb 10.0.0.0\nc 10.0.0.0\nd 10.0.0.0\ne 10.0.0.0\nf 10.0.0.0\n"; code != exitOK || out != want {
		t.Errorf("files: exit %d, %q, want %q (%s)", code, out, want, errOut)
	}
	for name, tt := range map[string]struct {
		in   []byte
		want string
	}{
		"gzip": {files["a.log.gz"], "a 10.0.0.0\nb 10.0.0.0\n"},
		"zstd": {files["b.zst"], "c 10.0.0.0\nd 10.0.0.0\n"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"scrub"}, bytes.NewReader(tt.in), &stdout, &stderr)
		if code != exitOK || stdout.String() != tt.want {
			t.Errorf("%s on standard input: exit %d, %q, want %q (%s)", name, code, stdout.String(), tt.want, stderr.String())
		}
	}
	code, _, errOut = runCmd(t, "", "scrub", path("corrupt.gz"))
	if code != exitFailed || !strings.Contains(errOut, "corrupt.gz") {
		t.Errorf("corrupt gzip: exit %d, stderr %q", code, errOut)
	}
	// Compressed bytes after text on standard input are not decompressed:
	// their first line fails closed.
	mixed := append([]byte("h 10.0.0.8\n"), files["a.log.gz"]...)
	var stdout, stderr bytes.Buffer
	code = run(context.Background(), []string{"scrub"}, bytes.NewReader(mixed), &stdout, &stderr)
	if code != exitFailed || !strings.HasPrefix(stdout.String(), "h 10.0.0.0\n\n") || !strings.Contains(stderr.String(), "line 2: record failed closed: unsupported_encoding") {
		t.Errorf("gzip after text: exit %d, %q, %s", code, stdout.String(), stderr.String())
	}
}

// TestScrubCommandLine: "-" is standard input, among files too; flags
// after file names apply; --workers below 1 is a usage error.
func TestScrubCommandLine(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.log")
	writeTestFile(t, a, "a from 10.1.2.3\n")
	code, out, errOut := runCmd(t, "stdin from 10.9.8.7\n", "scrub", a, "-", "--findings")
	want := `{"findings":[{"type":"ipv4","start":7,"end":15}]}` + "\n" + `{"findings":[{"type":"ipv4","start":11,"end":19}]}` + "\n"
	if code != exitOK || out != want {
		t.Errorf("scrub a.log - --findings: exit %d\n%s\nwant\n%s%s", code, out, want, errOut)
	}
	if code, out, _ := runCmd(t, "from 10.1.2.3\n", "scrub", "-"); code != exitOK || out != "from 10.1.2.0\n" {
		t.Errorf("scrub -: exit %d %q", code, out)
	}
	for _, w := range []string{"0", "-3"} {
		code, out, errOut := runCmd(t, "x\n", "scrub", "--workers", w)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "must be at least 1") {
			t.Errorf("--workers %s: exit %d %q %s", w, code, out, errOut)
		}
	}
	if code, _, errOut := runCmd(t, "", "scrub", filepath.Join(dir, "missing.log")); code != exitFailed || !strings.Contains(errOut, "missing.log") {
		t.Errorf("missing file: exit %d %s", code, errOut)
	}
}
