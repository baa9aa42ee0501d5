package main

import (
	"bytes"
	"context"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// pseudonyms matches the pseudonyms of the built-in policy's ephemeral
// key, which differs from run to run.
var pseudonyms = regexp.MustCompile(`[a-z_]+_[a-z0-9]+_[a-z]{24}`)

// TestScrubStats checks that --stats leaves the scrubbed output as it is,
// prints the findings by field and type on standard error, counting
// records that failed closed, and shows no value; and that a buffer gets
// no progress line.
func TestScrubStats(t *testing.T) {
	in, vals := discoverInput(40)
	in += `{"broken":` + "\n"
	for _, workers := range []string{"1", "3"} {
		code, plain, _ := runCmd(t, in, "scrub", "--workers", workers)
		scode, out, errOut := runCmd(t, in, "scrub", "--stats", "--workers", workers)
		if code != cli.ExitFailed || scode != cli.ExitFailed {
			t.Fatalf("workers %s: exit %d without --stats, %d with", workers, code, scode)
		}
		if pseudonyms.ReplaceAllString(out, "P") != pseudonyms.ReplaceAllString(plain, "P") {
			t.Fatalf("workers %s: the output changed with --stats", workers)
		}
		for _, want := range []string{
			"scrubd scrub: findings by field and type\n",
			"121 records (access 40, json 40, logfmt 40); 120 with findings; 0 dropped; 1 failed closed (invalid_json 1)\n",
			"json    user.email   email  40     40       33.1%",
			"access  remote_addr  ipv4   40     40       33.1%",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("workers %s: stderr lacks %q:\n%s", workers, want, errOut)
			}
		}
		if strings.Contains(errOut, "\r") {
			t.Error("a progress line on a buffer")
		}
		for _, v := range vals {
			if strings.Contains(errOut, v) {
				t.Errorf("stderr shows %q", v)
			}
		}
	}
}

func TestValidateAndTestCommands(t *testing.T) {
	if code, out, _ := runCmd(t, "", "validate", "--config", "../../rules/testdata/policy.yaml"); code != cli.ExitOK || !strings.Contains(out, "valid") {
		t.Errorf("validate good policy: exit %d %s", code, out)
	}
	code, _, errOut := runCmd(t, "", "validate", "--config", "../../rules/testdata/invalid.yaml")
	if code != cli.ExitInvalid || !strings.Contains(errOut, "line 3: detectors.ipv4.prefix") || strings.Count(errOut, "\n  line") < 10 {
		t.Errorf("validate bad policy: exit %d\n%s", code, errOut)
	}
	if code, _, _ := runCmd(t, "", "validate"); code != cli.ExitUsage {
		t.Errorf("validate without --config: exit %d", code)
	}
	if code, out, _ := runCmd(t, "", "test", "--config", "../../rules/testdata/policy.yaml"); code != cli.ExitOK || !strings.Contains(out, "3 passed, 0 failed") {
		t.Errorf("test: exit %d %s", code, out)
	}
	if code, _, _ := runCmd(t, "", "nope"); code != cli.ExitUsage {
		t.Errorf("unknown command: exit %d", code)
	}
	if code, out, _ := runCmd(t, "", "version"); code != cli.ExitOK || !strings.HasPrefix(out, "scrubd ") {
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
	if code != cli.ExitOK || out != "from 10.1.0.0\n" {
		t.Errorf("exit %d, out %q, stderr %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "", "validate", "--config", cfg); code != cli.ExitOK {
		t.Errorf("validate run config: exit %d: %s", code, errOut)
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
	if code != cli.ExitOK || out != want {
		t.Errorf("scrub a.log - --findings: exit %d\n%s\nwant\n%s%s", code, out, want, errOut)
	}
	if code, out, _ := runCmd(t, "from 10.1.2.3\n", "scrub", "-"); code != cli.ExitOK || out != "from 10.1.2.0\n" {
		t.Errorf("scrub -: exit %d %q", code, out)
	}
	for _, w := range []string{"0", "-3"} {
		code, out, errOut := runCmd(t, "x\n", "scrub", "--workers", w)
		if code != cli.ExitUsage || out != "" || !strings.Contains(errOut, "must be at least 1") {
			t.Errorf("--workers %s: exit %d %q %s", w, code, out, errOut)
		}
	}
	if code, out, errOut := runCmd(t, "ok 10.0.0.1\n{\"cut\": \n", "scrub"); code != cli.ExitFailed || out != "ok 10.0.0.0\n\n" || !strings.Contains(errOut, "scrubd scrub: 1 records failed closed") {
		t.Errorf("a record failing closed: exit %d %q %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "", "scrub", filepath.Join(dir, "missing.log")); code != cli.ExitFailed || !strings.Contains(errOut, "missing.log") {
		t.Errorf("missing file: exit %d %s", code, errOut)
	}
}
