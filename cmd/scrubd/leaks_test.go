package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Leak corpus markers: the personal values of a record are written between
// them. They are chosen so that no log format uses them. A record that
// starts with leakSame holds a look-alike: it must come out unchanged, with
// no finding.
const (
	leakOpen  = "⟦"
	leakClose = "⟧"
	leakSame  = "≡ "
)

// A leakCase is one record of the leak corpus with the spans of its personal
// values.
type leakCase struct {
	file   string
	line   int
	record string
	spans  [][2]int // byte offsets into record
	same   bool     // a look-alike: unchanged, no finding
}

// readLeakCorpus reads testdata/leaks/*.txt: one record per line, personal
// values between ⟦ and ⟧; lines starting with '#' and blank lines are
// comments. A line may carry several values; a record with none checks only
// that nothing breaks, unless it starts with "≡ " (a look-alike that must
// stay unchanged).
func readLeakCorpus(t *testing.T) []leakCase {
	t.Helper()
	files, err := filepath.Glob("testdata/leaks/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no leak corpus in testdata/leaks")
	}
	var cases []leakCase
	for _, f := range files {
		data := mustRead(t, f)
		for i, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
				continue
			}
			c := leakCase{file: filepath.Base(f), line: i + 1}
			if rest, ok := strings.CutPrefix(l, leakSame); ok {
				c.same, l = true, rest
			}
			var rec strings.Builder
			for {
				o := strings.Index(l, leakOpen)
				if o < 0 {
					rec.WriteString(l)
					break
				}
				e := strings.Index(l[o:], leakClose)
				if e < 0 {
					t.Fatalf("%s:%d: %s without %s", f, i+1, leakOpen, leakClose)
				}
				rec.WriteString(l[:o])
				start := rec.Len()
				rec.WriteString(l[o+len(leakOpen) : o+e])
				c.spans = append(c.spans, [2]int{start, rec.Len()})
				l = l[o+e+len(leakClose):]
			}
			c.record = rec.String()
			if strings.Contains(c.record, leakClose) {
				t.Fatalf("%s:%d: %s without %s", f, i+1, leakClose, leakOpen)
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// TestLeakCorpus runs the leak corpus through `scrubd scrub` with the
// built-in default policy, scrubbing and with --findings: no marked value
// may be left in the scrubbed line, and every byte of every marked value must
// lie inside a finding. A record that fails closed (an empty line) leaks
// nothing but is reported, so that the corpus stays a test of detection.
func TestLeakCorpus(t *testing.T) {
	cases := readLeakCorpus(t)
	var in bytes.Buffer
	for _, c := range cases {
		in.WriteString(c.record)
		in.WriteByte('\n')
	}
	scrubbed := runLeakScrub(t, in.Bytes(), false)
	found := runLeakScrub(t, in.Bytes(), true)
	if len(scrubbed) != len(cases) || len(found) != len(cases) {
		t.Fatalf("%d records gave %d scrubbed and %d findings lines", len(cases), len(scrubbed), len(found))
	}
	values, leaks := 0, 0
	for i, c := range cases {
		var fl struct {
			Findings []struct {
				Type       string
				Start, End int
			}
			Error string
		}
		if err := json.Unmarshal([]byte(found[i]), &fl); err != nil {
			t.Fatalf("%s:%d: findings line %q: %v", c.file, c.line, found[i], err)
		}
		if fl.Error != "" {
			t.Errorf("%s:%d: failed closed (%s): %q", c.file, c.line, fl.Error, c.record)
			continue
		}
		if c.same && (scrubbed[i] != c.record || len(fl.Findings) > 0) {
			t.Errorf("%s:%d: look-alike changed: %q became %q: %s", c.file, c.line, c.record, scrubbed[i], found[i])
		}
		for _, sp := range c.spans {
			values++
			v := c.record[sp[0]:sp[1]]
			leaked := false
			if strings.Contains(scrubbed[i], v) {
				leaked = true
				t.Errorf("%s:%d: %q left in the scrubbed record %q", c.file, c.line, v, scrubbed[i])
			}
			for p := sp[0]; p < sp[1]; p++ {
				covered := false
				for _, f := range fl.Findings {
					if f.Start <= p && p < f.End {
						covered = true
						break
					}
				}
				if !covered {
					leaked = true
					t.Errorf("%s:%d: byte %d of %q is in no finding: %s", c.file, c.line, p-sp[0], v, found[i])
					break
				}
			}
			if leaked {
				leaks++
			}
		}
	}
	t.Logf("leak corpus: %d records, %d personal values, %d leaked", len(cases), values, leaks)
}

// runLeakScrub runs `scrubd scrub` with the default policy over in and
// returns its output lines.
func runLeakScrub(t *testing.T, in []byte, findings bool) []string {
	t.Helper()
	args := []string{"scrub"}
	if findings {
		args = append(args, "--findings")
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, bytes.NewReader(in), &stdout, &stderr)
	if code != cli.ExitOK && code != cli.ExitFailed {
		t.Fatalf("scrubd scrub exit %d: %s", code, stderr.String())
	}
	out := strings.TrimSuffix(stdout.String(), "\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// TestLeakCorpusMarkers checks the corpus reader: markers are removed and the
// spans point at the values.
func TestLeakCorpusMarkers(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "testdata", "leaks"), 0o755); err != nil {
		t.Fatal(err)
	}
	body := "# comment\n\nfrom ⟦203.0.113.77⟧ to ⟦jo@example.com⟧\n≡ nginx/1.25.3.4\n"
	if err := os.WriteFile(filepath.Join(dir, "testdata", "leaks", "a.txt"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	cases := readLeakCorpus(t)
	if len(cases) != 2 {
		t.Fatalf("%d cases, want 2", len(cases))
	}
	if l := cases[1]; !l.same || l.record != "nginx/1.25.3.4" || len(l.spans) != 0 || cases[0].same {
		t.Fatalf("look-alike %+v after %+v", l, cases[0])
	}
	c := cases[0]
	if c.record != "from 203.0.113.77 to jo@example.com" || c.line != 3 {
		t.Fatalf("record %q line %d", c.record, c.line)
	}
	var got []string
	for _, sp := range c.spans {
		got = append(got, c.record[sp[0]:sp[1]])
	}
	if strings.Join(got, "|") != "203.0.113.77|jo@example.com" {
		t.Fatalf("values %q", got)
	}
}
