// Command scrubd is a PII-scrubbing log pipeline sidecar: it reads log
// records, truncates IP addresses and masks or pseudonymizes identifiers, and
// writes clean records. See the README for the subcommands.
package main

import (
	"context"
	"fmt"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=..."
// (`make build` stamps `git describe`). Left at "dev", `scrubd version`
// reads the build information instead (see cli.Version).
var version = "dev"

const usage = `scrubd scrubs personal data from log records.

Usage:
  scrubd scrub    [--config FILE] [--findings] [--stats] [--workers N] [FILE|-]...
  scrubd discover [--config FILE] [--sample N] [--format table|json] [--html FILE] [FILE|-... | --topic T]
  scrubd validate --config FILE
  scrubd test     --config FILE
  scrubd run      --config FILE
  scrubd topics   --config FILE
  scrubd vault    export|rewrap --config FILE --master-keys DIR ...
  scrubd privacy  compact-requests --config FILE [--min-age D] [--dry-run]
  scrubd version
  scrubd help     [COMMAND]

Run "scrubd help COMMAND" or "scrubd COMMAND -h" for a command's flags.
The demo is its own binary: scrubd-demo (make demo, or go run ./cmd/scrubd-demo).
Exit codes: 0 ok, 1 failure, 2 bad command line, 78 invalid configuration.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// A command is a verb of the command line.
type command func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// commands are the verbs with their functions; help and version are
// answered by run itself.
var commands = map[string]command{
	"scrub":    cmdScrub,
	"discover": cmdDiscover,
	"validate": func(_ context.Context, a []string, _ io.Reader, o, e io.Writer) int { return cmdValidate(a, o, e) },
	"test":     func(_ context.Context, a []string, _ io.Reader, o, e io.Writer) int { return cmdTest(a, o, e) },
	"run":      func(c context.Context, a []string, _ io.Reader, o, e io.Writer) int { return cmdRun(c, a, o, e) },
	"demo":     func(_ context.Context, _ []string, _ io.Reader, _, e io.Writer) int { return cmdDemo(e) },
	"topics":   func(c context.Context, a []string, _ io.Reader, o, e io.Writer) int { return cmdTopics(c, a, o, e) },
	"vault":    func(c context.Context, a []string, _ io.Reader, o, e io.Writer) int { return cmdVault(c, a, o, e) },
	"privacy":  func(c context.Context, a []string, _ io.Reader, o, e io.Writer) int { return cmdPrivacy(c, a, o, e) },
}

// run dispatches a command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return cli.ExitUsage
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "version", "--version", "-version":
		return cmdVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		return cmdHelp(rest, stdout, stderr)
	}
	if c, ok := commands[verb]; ok {
		return c(ctx, rest, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "scrubd: unknown command %q\n\n%s", verb, usage)
	return cli.ExitUsage
}

// cmdHelp implements `scrubd help [COMMAND]`: the overview, or the usage
// text and flags of one command, on stdout.
func cmdHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return cli.ExitOK
	}
	if len(args) > 1 {
		fmt.Fprintln(stderr, "scrubd help: one command at a time")
		return cli.ExitUsage
	}
	if args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return cli.ExitOK
	}
	if c, ok := commands[args[0]]; ok {
		// Every command answers -h with its usage on stdout and exit 0.
		return c(context.Background(), []string{"-h"}, nil, stdout, stderr)
	}
	if args[0] == "version" {
		return cmdVersion([]string{"-h"}, stdout, stderr)
	}
	fmt.Fprintf(stderr, "scrubd help: unknown command %q\n\n%s", args[0], usage)
	return cli.ExitUsage
}

// cmdDemo points `scrubd demo` to the demo's own binary, which keeps the
// embedded broker out of this one.
func cmdDemo(stderr io.Writer) int {
	fmt.Fprintln(stderr, "scrubd demo: the demo is its own binary, so that this one links no fake broker: "+
		"run make demo, or go run ./cmd/scrubd-demo [--duration D] [--rate N] [--config FILE]")
	return cli.ExitUsage
}
