package main

import (
	"fmt"
	"io"
	"os"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/service"
	"github.com/scrubd/scrubd/rules"
)

const validateUsage = `Usage: scrubd validate --config FILE

Checks a policy file or a run configuration without starting anything.
A run configuration (a file with kafka:, topics:, policy:, policy_file: or
delivery: at the top) gets every check "scrubd run" makes before it connects:
its keys and values (with SCRUBD_ overrides), its policy, the HMAC keys, the
dead-letter key, the shadow policy, the vault master keys and the Kafka client
settings. Each problem names its line or the variable that set it.
Exit 0 when valid, 78 when not, 2 on a bad command line.
`

// cmdValidate implements `scrubd validate --config FILE`: exit 0 when the
// configuration is valid, 78 when not, with every problem and its line.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("validate", validateUsage, stderr)
	path := fs.String("config", "", "policy or run configuration `file` to check")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if cli.NoArgs(fs, rest) {
		return cli.ExitUsage
	}
	if *path == "" {
		fmt.Fprintln(stderr, "scrubd validate: --config is required")
		return cli.ExitUsage
	}
	policyVersion, err := service.Validate(*path, os.Getenv, stderr, version)
	if err != nil {
		return cli.Fail(stderr, "validate", err)
	}
	fmt.Fprintf(stdout, "%s: valid (policy %s)\n", *path, policyVersion)
	return cli.ExitOK
}

const testUsage = `Usage: scrubd test --config FILE

Runs the test cases of a policy (its tests: section, or the policy of a run
configuration) and prints a diff for each failure. Exit 0 when all pass, 1
when one fails or there are none, 78 when the policy is invalid.
`

// cmdTest implements `scrubd test --config FILE`: it runs the policy's test
// cases and prints a diff for each failure.
func cmdTest(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("test", testUsage, stderr)
	path := fs.String("config", "", "policy `file` whose tests to run")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if cli.NoArgs(fs, rest) {
		return cli.ExitUsage
	}
	if *path == "" {
		fmt.Fprintln(stderr, "scrubd test: --config is required")
		return cli.ExitUsage
	}
	p, err := config.ReadPolicy(*path, os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "test", err)
	}
	results, err := rules.RunTests(p)
	if err != nil {
		return cli.Fail(stderr, "test", config.Invalid(err))
	}
	failed := 0
	for _, r := range results {
		if r.Pass {
			fmt.Fprintf(stdout, "PASS  %s\n", r.Name)
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL  %s (line %d)\n  - want: %s\n  + got:  %s\n", r.Name, r.Line, r.Want, r.Got)
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 || len(results) == 0 {
		if len(results) == 0 {
			fmt.Fprintln(stderr, "scrubd test: the policy has no test cases")
		}
		return cli.ExitFailed
	}
	return cli.ExitOK
}
