package bench

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/keyring"
)

var updateDigest = flag.Bool("update", false, "rewrite testdata/scrub.digest")

// digestFile holds, for each policy and input set, the SHA-256 of
// everything scrubbing wrote and reported. It was made by the engine as it
// was before the speed work of the rules engine and line I/O: a change that
// alters one byte of any output, finding, action, location, extract or
// subject changes a digest.
const digestFile = "testdata/scrub.digest"

// digestKey is the fixed HMAC key of the digests, so that pseudonyms are
// the same on every run.
var digestKey = []byte("scrubd-digest-key-0123456789abcdef")

// digestSeeds are the seeds of the generated workloads the digests cover.
var digestSeeds = []uint64{1, 2, 3, 17}

// TestScrubDigest scrubs the generated workloads of several seeds, the
// shared access-log corpora when present, the repository's sample logs,
// leak corpora and fuzz corpora, with every policy file the repository
// holds, and compares a digest of all that scrubbing reported with the one
// recorded in testdata. Refresh it with `go test ./bench -run ScrubDigest
// -update` only for a change meant to alter scrubbed output, and say why in
// the commit.
func TestScrubDigest(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the scrub digests in -short mode")
	}
	kr, err := keyring.New("d1", map[string][]byte{"d1": digestKey})
	if err != nil {
		t.Fatal(err)
	}
	policies := digestPolicies(t)
	inputs := digestInputs(t)
	got := map[string]string{}
	for _, p := range policies {
		e, err := rules.Compile(p.policy, kr)
		if err != nil {
			t.Fatalf("compile %s: %v", p.name, err)
		}
		for _, in := range inputs {
			if in.corpus && p.name != "default" && p.name != "examples/nginx-access.yaml" {
				continue // the large corpora: with the policies made for them
			}
			got[p.name+" "+in.name] = digestOf(e, in.lines, p.name == "default")
		}
	}
	if *updateDigest {
		var b strings.Builder
		b.WriteString("# SHA-256 of scrubbing, by policy and input: see TestScrubDigest.\n")
		for _, k := range sortedKeys(got) {
			fmt.Fprintf(&b, "%s %s\n", k, got[k])
		}
		if err := os.WriteFile(digestFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readDigests(t)
	for k, v := range want {
		if _, ok := got[k]; !ok && !strings.Contains(k, " corpus:") && !strings.Contains(k, " "+fuzzInput) {
			t.Errorf("%s: recorded, not computed", k)
		} else if ok && got[k] != v {
			t.Errorf("%s: digest %s, recorded %s: scrubbing changed", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			if strings.Contains(k, " "+fuzzInput) {
				t.Logf("%s: a fuzz corpus file saved after the digests were recorded", k)
				continue
			}
			t.Errorf("%s: not recorded (run with -update)", k)
		}
	}
}

// A digestPolicy is a policy the digests are computed with.
type digestPolicy struct {
	name   string
	policy *rules.Policy
}

func digestPolicies(t *testing.T) []digestPolicy {
	ps := []digestPolicy{{"default", rules.Default()}}
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../rules/testdata/policy.yaml", "../rules/testdata/reference.yaml", "../cmd/scrubd/testdata/policy.yaml")
	for _, f := range files {
		p, err := rules.Load(f)
		if err != nil {
			t.Fatalf("load %s: %v", f, err)
		}
		ps = append(ps, digestPolicy{strings.TrimPrefix(f, "../"), p})
	}
	return ps
}

// A digestInput is a named set of records.
type digestInput struct {
	name   string
	lines  [][]byte
	corpus bool
}

func digestInputs(t *testing.T) []digestInput {
	var ins []digestInput
	for _, seed := range digestSeeds {
		for _, w := range Generated(seed, 1000) {
			ins = append(ins, digestInput{name: fmt.Sprintf("gen:%d:%s", seed, w.Name), lines: w.Lines})
		}
	}
	if dir, err := CorporaDir(); err == nil {
		for _, c := range Corpora {
			w, err := LoadLines(c.Name, filepath.Join(dir, c.Path))
			if err != nil {
				continue // a corpus not present
			}
			ins = append(ins, digestInput{name: "corpus:" + c.Name, lines: w.Lines, corpus: true})
		}
	} else if !errors.Is(err, ErrNoCorpora) {
		t.Fatal(err)
	}
	for _, glob := range []string{"../cmd/scrubd/testdata/logs/*", "../cmd/scrubd/testdata/leaks/*.txt"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		var lines [][]byte
		for _, f := range files {
			if strings.HasSuffix(f, ".golden") {
				continue
			}
			w, err := LoadLines(f, f)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, w.Lines...)
		}
		ins = append(ins, digestInput{name: "files:" + glob[3:], lines: lines})
	}
	// Each fuzz corpus file is an input of its own, so that a file saved
	// later (a fuzz find kept as a regression) adds an input without
	// changing the recorded ones.
	ins = append(ins, fuzzCorpus(t)...)
	ins = append(ins, digestInput{name: "edge", lines: edgeRecords()})
	return ins
}

// fuzzCorpus returns the []byte arguments of the rules package's fuzz
// corpora, the records the fuzzers found worth keeping: one input per file,
// named "fuzz:<target>/<file>".
func fuzzCorpus(t *testing.T) []digestInput {
	files, err := filepath.Glob("../rules/testdata/fuzz/*/*")
	if err != nil {
		t.Fatal(err)
	}
	var ins []digestInput
	for _, f := range files {
		var recs [][]byte
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l := sc.Text()
			if s, ok := strings.CutPrefix(l, "[]byte("); ok && strings.HasSuffix(s, ")") {
				if v, err := strconv.Unquote(s[:len(s)-1]); err == nil {
					recs = append(recs, []byte(v))
				}
			}
		}
		ins = append(ins, digestInput{name: fuzzInput + filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f), lines: recs})
	}
	return ins
}

// fuzzInput prefixes the names of the fuzz corpus inputs. A corpus file
// added or removed after the digests were recorded is noted, not failed:
// the recorded files must still scrub as they did.
const fuzzInput = "fuzz:"

// edgeRecords are records at the edges: near-JSON, invalid JSON, opaque
// payloads, whitespace.
func edgeRecords() [][]byte {
	recs := []string{
		``, ` `, `{}`, `[]`, "level=info uid=4 email=jo@example.com", "plain text jo@example.com 203.0.113.77",
		"\xef\xbb\xbf{\"email\":\"jo@example.com\"}", `{"a":1,}`, `[1,2,]`, `{"n":007,"m":+1,"x":NaN,"y":-Infinity}`,
		"{\"s\":\"tab\there\nnl jo@example.com\"}", `{"p":"C:\Users\jo"}`, `{"a":1}{"b":"jo@example.com"}`,
		"{\"a\":1}\n{\"email\":\"x@y.io\"}\n", `{"a":1} trailing`, `{ID:42 Name:jo}`, `{a=1, b=jo@example.com}`,
		`{'a': 1}`, `{"a"=>1}`, `[Sun Dec 04 04:47:44 2005] [error] client 203.0.113.7`, `[0] worker ready`,
		"\x1f\x8b\x08\x00\x00\x00\x00\x00", "\x28\xb5\x2f\xfd\x00\x00", "\x00\x00\x00\x00\x01\x02\x03", "bin\x00\x01\x02\x03\x04\x05\x06\x07\x08ary",
		`{"user":{"email":"JO@Example.com","phone":"+44 20 7946 0958","id":"u-1"},"geo":{"lat":48.8583701,"lon":2.294481}}`,
		`{"ip":"203.0.113.77","client_ip":"2001:db8::1","ts":"2026-01-01T00:00:00Z","event":"login","age":15}`,
		`{"a":"\"quoted\" \\ back \u00e9 \u0000"}`, `{"k\u0065y":"v","e\"k":"jo@example.com"}`,
		strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70),
	}
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = []byte(r)
	}
	return out
}

// digestOf scrubs lines with one Session of e, as a worker does, and
// returns the SHA-256 of everything it reported. With full, every record
// is scrubbed a second time with Locate set, a geo member, and as text.
func digestOf(e *rules.Engine, lines [][]byte, full bool) string {
	h := sha256.New()
	s := e.NewSession()
	var res rules.Result
	var out []byte
	for _, l := range lines {
		var err error
		out, err = s.Scrub(out[:0], l, &res)
		digestResult(h, out, err, &res)
	}
	if full {
		geo := &rules.Geo{Country: "FR", Jurisdiction: "eea"}
		res.Locate = true
		for _, l := range lines {
			var err error
			out, err = s.ScrubWith(out[:0], l, &res, rules.Options{Geo: geo})
			digestResult(h, out, err, &res)
			out, err = e.ScrubText(out[:0], l, &res)
			digestResult(h, out, err, &res)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digestResult writes one scrub's output and report to h.
func digestResult(h hash.Hash, out []byte, err error, res *rules.Result) {
	fmt.Fprintf(h, "out %d %q\n", len(out), out)
	if err != nil {
		fmt.Fprintf(h, "err %s %s\n", rules.ReasonOf(err), err)
		return
	}
	fmt.Fprintf(h, "fmt %s dropped %v minor %v\n", res.Format, res.Dropped, res.Minor)
	for i, f := range res.Findings {
		fmt.Fprintf(h, "f %s %d %d %v", f.Type, f.Start, f.End, res.Actions[i])
		if place, path, ok := res.Location(i); ok {
			fmt.Fprintf(h, " at %v %q", place, path)
		}
		h.Write([]byte{'\n'})
	}
	for _, s := range res.Subjects {
		fmt.Fprintf(h, "s %s %q %q\n", s.Type, res.Pseudonym(s), res.SubjectValue(s))
	}
	for x := rules.ExtractClientIP; x <= rules.ExtractMinor; x++ {
		if v := res.Extracted(x); v != nil {
			fmt.Fprintf(h, "x %s %q\n", x, v)
		}
	}
}

func readDigests(t *testing.T) map[string]string {
	b, err := os.ReadFile(digestFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		if i < 0 {
			t.Fatalf("%s: bad line %q", digestFile, l)
		}
		m[l[:i]] = l[i+1:]
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
