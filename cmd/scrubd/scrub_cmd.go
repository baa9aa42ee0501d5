package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules/linescrub"
)

const scrubUsage = `Usage: scrubd scrub [--config FILE] [--findings] [--stats] [--workers N] [FILE|-]...

Scrubs records, one per line, from the files (gzip and zstd are read
transparently) or from standard input ("-", or no file), and writes one output
line per input line, in order, on stdout. Flags may come before or after the
files. --config takes a policy file or a run configuration; without it the
built-in policy applies, with a random key for pseudonyms. A record that cannot
be scrubbed fails closed: its output line is empty and the exit code is 1.
Exit 0 when every record was scrubbed, 1 when one failed or a file could not
be read, 78 when the configuration is invalid.
`

// cmdScrub implements `scrubd scrub`: records one per line from files or
// standard input, one output line per input line, in order.
func cmdScrub(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("scrub", scrubUsage, stderr)
	path := fs.String("config", "", "policy `file` (or a run configuration holding one); default: the built-in policy")
	findings := fs.Bool("findings", false, "print the findings of each line as JSON instead of the scrubbed line")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "scrubbing goroutines, at least 1")
	stats := fs.Bool("stats", false, "at the end, print the findings by field and type on standard error (as scrubd discover does); on a terminal, show progress")
	files, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if *workers < 1 {
		fmt.Fprintf(stderr, "scrubd scrub: --workers %d: must be at least 1\n", *workers)
		return cli.ExitUsage
	}
	engine, err := config.LoadEngine(*path, os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "scrub", err)
	}
	inputs, closeAll, err := linescrub.OpenInputs(files, stdin)
	defer closeAll()
	if err != nil {
		return cli.Fail(stderr, "scrub", err)
	}
	bw := bufio.NewWriterSize(stdout, 256<<10)
	s := linescrub.New(engine, linescrub.Options{Findings: *findings, Workers: *workers, Stats: *stats}, stderr)
	failed, err := s.Run(ctx, inputs, bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if serr := s.WriteStats(stderr, fs.Args()); err == nil {
		err = serr
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrubd scrub: %v\n", err)
		return cli.ExitFailed
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "scrubd scrub: %d records failed closed (their output lines are empty)\n", failed)
		return cli.ExitFailed
	}
	return cli.ExitOK
}
