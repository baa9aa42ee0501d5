package rules

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/scrubd/scrubd/bench/gen"
)

// text is a line of a log with personal data in it, as the payloads below
// carry it.
const text = `{"uid":"u-4711","email":"jo@example.com","msg":"login from 203.0.113.77"}`

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstded(t testing.TB, b []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

func zipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("log.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// avroString appends s as Avro writes a string: its length as a zigzag
// varint, then its bytes.
func avroString(dst []byte, s string) []byte {
	dst = binary.AppendVarint(dst, int64(len(s)))
	return append(dst, s...)
}

// protoString appends s as Protobuf writes a string field.
func protoString(dst []byte, field int, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(field<<3|2))
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func utf16le(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// TestSniffOpaque checks that compressed, Confluent-framed and binary
// payloads fail closed with unsupported_encoding, with what they are in the
// error and nothing of their content.
func TestSniffOpaque(t *testing.T) {
	// An int field (42), an optional field that is null (union branch 0),
	// then strings, as most records have: the NUL shows in the first bytes.
	// (Strings alone, with no NUL or two odd control bytes in the first 32
	// bytes, would pass as text.)
	avro := avroString(avroString(avroString([]byte{0x54, 0x00}, "u-4711"), "jo@example.com"), "203.0.113.77")
	proto := protoString(protoString(protoString(nil, 1, "u-4711"), 2, "jo@example.com"), 3, "203.0.113.77")
	proto = append(proto, 0x20, 0x96, 0x01, 0x28, 0x01) // two varint fields
	random := make([]byte, 300)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	bz2 := append([]byte("BZh91AY&SY"), 0x8a, 0x12, 0x3c, 0x01)
	tests := []struct {
		name, what string
		in         []byte
	}{
		{"gzip", "gzip", gzipped(t, []byte(text))},
		{"zstd", "zstd", zstded(t, []byte(text))},
		{"lz4 frame", "lz4", append([]byte("\x04\x22\x4d\x18\x64\x40\xa7"), text...)},
		{"lz4 legacy", "lz4", append([]byte("\x02\x21\x4c\x18\x10\x00\x00\x00"), text...)},
		{"snappy framing", "snappy", append([]byte("\xff\x06\x00\x00sNaPpY\x01\x1c\x00\x00"), text...)},
		{"bzip2", "bzip2", bz2},
		{"bzip2 empty stream", "bzip2", []byte("BZh9\x17\x72\x45\x38\x50\x90\x00\x00\x00\x00")},
		{"xz", "xz", []byte("\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46")},
		{"zip", "zip", zipped(t, []byte(text))},
		{"avro container file", "Avro", append([]byte("Obj\x01\x04\x14avro.codec\x08null"), avro...)},
		{"confluent avro", "Confluent", append([]byte{0, 0, 0, 0, 42}, avro...)},
		{"confluent protobuf", "Confluent", append([]byte{0, 0, 0, 1, 7, 0}, proto...)},
		{"raw avro", "binary", avro},
		{"raw protobuf", "binary", proto},
		{"random bytes", "binary", random},
		{"utf-16 text", "binary", utf16le(text)},
		{"nul after text", "binary", []byte("login ok\x00\x00\x00\x01 from 203.0.113.77")},
		{"control bytes in text", "binary", []byte("\x15\x03\x03\x00\x02" + text)},
		{"bell first", "binary", []byte("\x07 203.0.113.77")},
	}
	e := compileTest(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			out, err := e.Scrub([]byte("prefix"), tt.in, &res)
			if ReasonOf(err) != ReasonUnsupportedEncoding {
				t.Fatalf("Scrub(%q) = %q, %v; want unsupported_encoding", tt.in, out, err)
			}
			if string(out) != "prefix" {
				t.Errorf("output grew on failure: %q", out)
			}
			if !strings.Contains(err.Error(), tt.what) {
				t.Errorf("error %q does not say %s", err, tt.what)
			}
			for _, v := range []string{"u-4711", "jo@", "203.0"} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error quotes the record: %v", err)
				}
			}
		})
	}
}

// TestSniffText checks text that holds the bytes the binary rules look at,
// or starts like a signature, is still scrubbed.
func TestSniffText(t *testing.T) {
	tests := []struct{ name, in string }{
		{"ansi colours", "\x1b[32mINFO\x1b[0m \x1b[1mlogin\x1b[0m from 203.0.113.77"},
		{"tabs", "2026-01-02\t12:00:00\tINFO\tlogin from 203.0.113.77\tok"},
		{"cjk", "用户登录成功，来自 203.0.113.77，邮箱 jo@example.com"},
		{"emoji and accents", "🚀 déploiement réussi pour 203.0.113.77 — naïve café"},
		{"latin-1", "Benutzer M\xfcller angemeldet von 203.0.113.77"},
		{"crlf", "login from 203.0.113.77\r"},
		{"form feed", "\fpage 2: login from 203.0.113.77"},
		{"fix message", "8=FIX.4.2\x019=178\x0135=D\x0149=CLIENT\x0156=BROKER\x011=ACC-4711\x0111=ord-1\x0155=IBM\x0154=1\x0138=100\x0140=1\x0110=128\x01"},
		{"hl7 over mllp", "\x0bMSH|^~\\&|LAB|HOSP|||202601021200||ORU^R01|1|P|2.5\rPID|1||4711||Doe^Jane||19800101|F\r\x1c\r"},
		{"stx etx framing", "\x02STATUS ok from 203.0.113.77\x03"},
		{"separators", "a\x1fb\x1ec\x1dd\x1ce from 203.0.113.77"},
		{"one stray bell in a long line", "job 42 finished\x07 after 3.2s; 17 files from 203.0.113.77 copied to /srv/backup/2026-01-02 without errors"},
		{"starts like zstd", "(pid 4711) login from 203.0.113.77"},
		{"starts like zip", "PKCS#11 token inserted by 203.0.113.77"},
		{"starts like bzip2", "BZh9 is the bzip2 header; see 203.0.113.77"},
		{"stack trace value", "java.lang.IllegalStateException: boom\n\tat com.example.Foo.bar(Foo.java:42)\n\tat com.example.Main.main(Main.java:7)\n"},
		{"windows line", "2026-01-02 12:00:00, Info CBS Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\amd64\r"},
	}
	e := compileTest(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if what := sniffOpaque([]byte(tt.in)); what != "" {
				t.Fatalf("sniffOpaque(%q) = %q, want text", tt.in, what)
			}
			var res Result
			if _, err := e.Scrub(nil, []byte(tt.in), &res); err != nil {
				t.Fatalf("Scrub(%q): %v", tt.in, err)
			}
		})
	}
}

// TestSniffRealLogs runs the encoding check and the near-JSON decision over
// real and generated logs: the golden sample logs of ten formats, 20,000
// generated lines and 2,000 generated multi-line values, and the shared
// corpora when present. None may be flagged as opaque or as invalid JSON.
func TestSniffRealLogs(t *testing.T) {
	e := compileTest(t, "")
	var res Result
	// The golden JSON log ends with a record cut short on purpose.
	const cutShort = "../cmd/scrubd/testdata/logs/app.jsonl:6"
	check := func(src string, rec []byte) {
		t.Helper()
		if what := sniffOpaque(rec); what != "" {
			t.Errorf("%s: %s: %q", src, what, rec)
		}
		_, err := e.Scrub(nil, rec, &res)
		switch r := ReasonOf(err); {
		case src == cutShort && r != ReasonInvalidJSON:
			t.Errorf("%s: %v, want invalid_json: %q", src, err, rec)
		case src == cutShort:
		case r == ReasonInvalidJSON || r == ReasonUnsupportedEncoding:
			t.Errorf("%s: %v: %q", src, err, rec)
		}
	}
	lines := 0
	scan := func(path string) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		s := bufio.NewScanner(f)
		s.Buffer(make([]byte, 1<<20), 1<<24)
		for n := 1; s.Scan(); n++ {
			check(path+":"+strconv.Itoa(n), bytes.TrimSuffix(s.Bytes(), []byte("\r")))
			lines++
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
	}
	golden, _ := filepath.Glob("../cmd/scrubd/testdata/logs/*")
	for _, p := range golden {
		if !strings.HasSuffix(p, ".golden") {
			scan(p)
		}
	}
	g := gen.New(14)
	for n := range 20000 {
		check("generated line "+strconv.Itoa(n), g.Line(g.Next(gen.DefaultMix)))
		lines++
	}
	for n := range 2000 {
		var v []byte
		for range 1 + n%5 {
			v = append(g.AppendLine(v, gen.Text), '\n')
		}
		check("generated value "+strconv.Itoa(n), v)
	}
	corpora := []string{
		"../../shared/corpora/access-logs/apache_logs",
		"../../shared/corpora/access-logs/nginxplus_json_logs",
		"../../shared/corpora/pii-spans/synth_dataset_v2.json",
	}
	for _, p := range corpora {
		if _, err := os.Stat(p); err != nil {
			t.Logf("corpus %s absent, skipped", p)
			continue
		}
		scan(p)
	}
	t.Logf("%d lines and 2000 multi-line values checked", lines)
}

// looksBinaryNaive is looksBinary one byte at a time, for the fuzzer to
// compare with.
func looksBinaryNaive(b []byte) bool {
	odd := 0
	for i, c := range b {
		if c == 0 || i == 0 && ctlOdd[c] {
			return true
		}
		if ctlOdd[c] {
			odd++
		}
	}
	return odd >= 2
}

// FuzzSniffOpaque checks the encoding check on arbitrary bytes: it never
// panics, its word-at-a-time binary test agrees with a byte-at-a-time one,
// it reads only the window (bytes after it change nothing), and a record
// that starts with a compression signature is always opaque.
func FuzzSniffOpaque(f *testing.F) {
	for _, s := range []string{
		"plain text", "\x1b[31mred\x1b[0m", "a\tb\r\n", "\x00\x00\x00\x00\x01abc", "\x1f\x8b\x08",
		"BZh91AY&SY", "PK\x03\x04", "(\xb5/\xfd", "\x08\x96\x01", "日本語", "8=FIX\x019=1\x01",
		strings.Repeat("x", 300) + "\x00", "ab\x7fcd\x7fef", strings.Repeat("x", 26) + "\x07x\x07x",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		what := sniffOpaque(in)
		if len(in) == 0 {
			if what != "" {
				t.Fatalf("empty record is %q", what)
			}
			return
		}
		w := in[:min(len(in), sniffWindow)]
		if got, want := looksBinary(w), looksBinaryNaive(w); got != want {
			t.Fatalf("looksBinary(%q) = %v, byte at a time %v", w, got, want)
		}
		longer := append(bytes.Clone(in), "\x00\x00\x07\x07"...)
		if len(in) >= sniffWindow && sniffOpaque(longer) != what {
			t.Fatalf("bytes after the window changed the verdict on %q", in)
		}
		if sniffOpaque(append([]byte("\x1f\x8b"), in...)) == "" {
			t.Fatalf("gzip signature before %q not opaque", in)
		}
	})
}

// BenchmarkSniffOpaque measures the encoding check on generated lines of
// each kind, per line; compare with BenchmarkSniffScrub, the whole Scrub of
// the same lines, measured in the same run.
func BenchmarkSniffOpaque(b *testing.B) {
	for _, k := range gen.Kinds {
		g := gen.New(7)
		lines := make([][]byte, 1000)
		for i := range lines {
			lines[i] = g.Line(k)
		}
		b.Run(k.String(), func(b *testing.B) {
			n := 0
			for b.Loop() {
				for _, l := range lines {
					if sniffOpaque(l) != "" {
						n++
					}
				}
			}
			if n > 0 {
				b.Fatal("a generated line was found opaque")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
		})
	}
}

// BenchmarkSniffScrub is Scrub of the lines of BenchmarkSniffOpaque.
func BenchmarkSniffScrub(b *testing.B) {
	e := compileTest(b, "")
	for _, k := range gen.Kinds {
		g := gen.New(7)
		lines := make([][]byte, 1000)
		for i := range lines {
			lines[i] = g.Line(k)
		}
		b.Run(k.String(), func(b *testing.B) {
			var res Result
			dst := make([]byte, 0, 64<<10)
			for b.Loop() {
				for _, l := range lines {
					dst, _ = e.Scrub(dst[:0], l, &res)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
		})
	}
}
