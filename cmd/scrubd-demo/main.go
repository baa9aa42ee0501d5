// Command scrubd-demo runs scrubd's whole pipeline on this machine, with no
// network: an embedded Kafka-compatible broker, generated traffic and a
// live view (pipeline/demo). It is a binary of its own so that the
// production binary, cmd/scrubd, links neither the fake broker nor a second
// Kafka client.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/demo"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Usage: scrubd-demo [--duration D] [--rate N] [--interval D] [--config FILE]

Runs everything on this machine, with no network: an embedded Kafka-compatible
broker, a generator of realistic raw logs, the full pipeline (aggregates in
five-second windows, countries from a generated GeoIP database) with metrics on
http.addr (default :9790; SCRUBD_HTTP_ADDR=127.0.0.1:0 picks a free port), and
a live view on stdout, until Ctrl-C or --duration. Pseudonyms use a random key.
Exit 0 after a stop, 78 when the configuration is invalid, 1 on a failure.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the command line, runs the demo and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("demo", usage, stderr)
	duration := fs.Duration("duration", 0, "stop after this long (0: until Ctrl-C)")
	rate := fs.Int("rate", 2000, "generated records per second")
	path := fs.String("config", "", "optional configuration `file` (its brokers and topics are replaced by the demo's)")
	interval := fs.Duration("interval", 2*time.Second, "how often the view refreshes")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if cli.NoArgs(fs, rest) {
		return cli.ExitUsage
	}
	if *rate < 1 || *interval <= 0 {
		fmt.Fprintln(stderr, "scrubd demo: --rate must be at least 1 and --interval positive")
		return cli.ExitUsage
	}
	err := demo.Run(ctx, demo.Options{
		Duration: *duration, Rate: *rate, Interval: *interval, ConfigPath: *path, Getenv: os.Getenv, Version: version,
	}, stdout, stderr)
	if err != nil {
		return cli.Fail(stderr, "demo", err)
	}
	return cli.ExitOK
}
