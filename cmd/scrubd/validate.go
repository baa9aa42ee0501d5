package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/scrubd/scrubd/rules"
)

// cmdValidate implements `scrubd validate --config FILE`: exit 0 when the
// policy is valid, 78 when not, with every problem and its line. A run
// configuration is valid only when `scrubd run` would accept its keys: it
// needs HMAC keys or keys.ephemeral.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "policy `file` to check")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *config == "" {
		fmt.Fprintln(stderr, "scrubd validate: --config is required")
		return exitUsage
	}
	p, err := loadPolicy(*config, os.Getenv)
	if err == nil {
		// Keys are part of a valid configuration.
		if data, _ := os.ReadFile(*config); isRunConfig(data) {
			_, _, err = rules.LoadServiceKeyring(p.Keys, os.Getenv, &rules.EphemeralKey{})
		} else {
			_, _, err = rules.LoadKeyring(p.Keys, os.Getenv)
		}
	}
	if err != nil {
		// A file that does not parse, a policy with problems and keys that
		// do not load are all an invalid configuration.
		fmt.Fprintf(stderr, "scrubd validate: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(stdout, "%s: valid (policy %s)\n", *config, p.Version())
	return exitOK
}

// cmdTest implements `scrubd test --config FILE`: it runs the policy's test
// cases and prints a diff for each failure.
func cmdTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "policy `file` whose tests to run")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *config == "" {
		fmt.Fprintln(stderr, "scrubd test: --config is required")
		return exitUsage
	}
	p, err := loadPolicy(*config, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd test: %v\n", err)
		return exitInvalid
	}
	results, err := rules.RunTests(p)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd test: %v\n", err)
		return exitInvalid
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
		return exitFailed
	}
	return exitOK
}
