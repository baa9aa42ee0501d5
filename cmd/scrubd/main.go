// Command scrubd is a PII-scrubbing log pipeline sidecar: it reads log
// records, truncates IP addresses and masks or pseudonymizes identifiers, and
// writes clean records. See the README for the subcommands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1  // records failed closed, test cases failed, runtime error
	exitUsage   = 2  // bad command line
	exitInvalid = 78 // EX_CONFIG: the configuration is invalid
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `scrubd scrubs personal data from log records.

Usage:
  scrubd scrub    [--config FILE] [--findings] [--stats] [--workers N] [FILE...]
  scrubd discover [--config FILE] [--sample N] [--format table|json] [--html FILE] [FILE... | --topic T]
  scrubd validate --config FILE
  scrubd test     --config FILE
  scrubd run      --config FILE
  scrubd demo     [--duration D]
  scrubd topics   --config FILE
  scrubd vault    export --config FILE --master-keys DIR --type TYPE --subject VALUE
  scrubd vault    rewrap --config FILE --master-keys DIR
  scrubd version

Run "scrubd <command> -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "scrub":
		return cmdScrub(ctx, rest, stdin, stdout, stderr)
	case "discover":
		return cmdDiscover(ctx, rest, stdin, stdout, stderr)
	case "validate":
		return cmdValidate(rest, stdout, stderr)
	case "test":
		return cmdTest(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "scrubd %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "topics":
		return cmdTopics(ctx, rest, stdout, stderr)
	case "vault":
		return cmdVault(ctx, rest, stdout, stderr)
	}
	fmt.Fprintf(stderr, "scrubd: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}
