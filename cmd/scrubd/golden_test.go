package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scrubd/scrubd/cmd/internal/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestScrubGolden runs `scrubd scrub` and `scrubd scrub --findings` over the
// sample logs in testdata/logs and compares with the golden files next to
// them. Refresh them with `go test ./cmd/scrubd -run Golden -update`, then
// read the diff.
func TestScrubGolden(t *testing.T) {
	logs, err := filepath.Glob("testdata/logs/*.*")
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, l := range logs {
		if !strings.HasSuffix(l, ".golden") {
			inputs = append(inputs, l)
		}
	}
	if len(inputs) < 8 {
		t.Fatalf("only %d sample logs", len(inputs))
	}
	// The records of the sample logs that fail closed on purpose: the JSON
	// log ends with a record cut short.
	failing := map[string]string{"app.jsonl": "scrubd scrub: line 6: record failed closed: invalid_json"}
	for _, in := range inputs {
		for _, mode := range []string{"scrub", "findings"} {
			t.Run(filepath.Base(in)+"/"+mode, func(t *testing.T) {
				args := []string{"scrub", "--config", "testdata/policy.yaml"}
				if mode == "findings" {
					args = append(args, "--findings")
				}
				args = append(args, in)
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), args, nil, &stdout, &stderr)
				switch fail, ok := failing[filepath.Base(in)]; {
				case ok && (code != cli.ExitFailed || !strings.Contains(stderr.String(), fail)):
					t.Fatalf("exit %d, want %d and %q: %s", code, cli.ExitFailed, fail, stderr.String())
				case !ok && strings.HasSuffix(in, ".jsonl") && code != cli.ExitOK:
					t.Fatalf("exit %d: %s", code, stderr.String())
				}
				golden := in + "." + mode + ".golden"
				if *update {
					if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", golden, diff)
				}
				inLines := bytes.Count(mustRead(t, in), []byte("\n"))
				if outLines := bytes.Count(stdout.Bytes(), []byte("\n")); outLines != inLines {
					t.Errorf("%d output lines for %d input lines", outLines, inLines)
				}
			})
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
