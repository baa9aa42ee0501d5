package bench

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/detectors"
)

var updateFindings = flag.Bool("update-findings", false, "rewrite testdata/scan_findings.golden")

const findingsGolden = "testdata/scan_findings.golden"

// findingsDigest scans every line of w and returns the number of findings
// and a digest of all of them (line, type, span), so that a change to the
// scanner that moves, adds or drops a single finding changes the digest.
func findingsDigest(tb testing.TB, s *detectors.Scanner, w Workload) string {
	tb.Helper()
	h := sha256.New()
	var dst []detectors.Finding
	count := 0
	for i, l := range w.Lines {
		var err error
		dst, err = s.Scan(dst[:0], l)
		if err != nil {
			tb.Fatalf("scan %s line %d: %v", w.Name, i, err)
		}
		for _, f := range dst {
			fmt.Fprintf(h, "%d %s %d %d\n", i, f.Type, f.Start, f.End)
		}
		count += len(dst)
	}
	return fmt.Sprintf("%d %s", count, hex.EncodeToString(h.Sum(nil))[:32])
}

// TestScanFindingsGolden is the oracle of the scanner's speed work: the
// findings of Scan on the generated workloads of every format, for several
// seeds, and on the shared corpora when they are present, must stay what
// testdata/scan_findings.golden records. A change that is meant to change
// what is detected rewrites the file with -update-findings, and the diff of
// the file shows which workloads it touched; a change that is meant only to
// make the scan cheaper must leave it as it is.
func TestScanFindingsGolden(t *testing.T) {
	s := scanner(t)
	got := map[string]string{}
	for _, seed := range []uint64{1, 2, 3, 5, 8} {
		for _, w := range Generated(seed, 1000) {
			got[fmt.Sprintf("seed%d/%s", seed, w.Name)] = findingsDigest(t, s, w)
		}
	}
	dir, err := CorporaDir()
	corpora := err == nil
	if err != nil && !errors.Is(err, ErrNoCorpora) {
		t.Fatal(err)
	}
	if corpora {
		for _, c := range Corpora {
			w, err := LoadLines(c.Name, filepath.Join(dir, c.Path))
			if err != nil {
				corpora = false
				break
			}
			got["corpus/"+c.Name] = findingsDigest(t, s, w)
		}
	}
	if *updateFindings {
		if !corpora {
			t.Fatal("-update-findings needs the shared corpora")
		}
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var sb strings.Builder
		sb.WriteString("# Findings of detectors.Scanner.Scan per workload: count and digest (see TestScanFindingsGolden).\n")
		for _, k := range keys {
			fmt.Fprintf(&sb, "%s %s\n", k, got[k])
		}
		if err := os.WriteFile(findingsGolden, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readFindingsGolden(t)
	for k, g := range got {
		w, ok := want[k]
		if !ok {
			t.Errorf("%s: not in %s (run with -update-findings)", k, findingsGolden)
			continue
		}
		if g != w {
			t.Errorf("%s: findings (count digest) %s, golden %s", k, g, w)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok && !strings.HasPrefix(k, "corpus/") {
			t.Errorf("%s: in %s but not scanned", k, findingsGolden)
		}
	}
}

func readFindingsGolden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(findingsGolden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: bad line %q", findingsGolden, line)
		}
		want[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}
