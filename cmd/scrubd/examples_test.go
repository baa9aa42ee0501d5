package main

import (
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExamples: every policy in examples/ is valid, has test cases, and
// they all pass (`make examples` runs the same with the built binary).
func TestExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("%d example policies, want at least 5", len(files))
	}
	summary := regexp.MustCompile(`(?m)^([1-9][0-9]*) passed, 0 failed$`)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if code, _, errOut := runCmd(t, "", "validate", "--config", f); code != cli.ExitOK {
				t.Errorf("validate: exit %d\n%s", code, errOut)
			}
			code, out, errOut := runCmd(t, "", "test", "--config", f)
			if code != cli.ExitOK || !summary.MatchString(out) || strings.Contains(out, "FAIL") {
				t.Errorf("test: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}
