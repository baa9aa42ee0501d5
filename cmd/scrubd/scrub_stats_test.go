package main

import (
	"regexp"
	"strings"
	"testing"
)

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
		if code != exitFailed || scode != exitFailed {
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
