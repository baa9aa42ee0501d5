package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/discover"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/rules/linescrub"
)

const discoverUsage = `Usage: scrubd discover [--config FILE] [--sample N] [--format table|json] [--html FILE] [FILE...]
       scrubd discover [--config FILE] [--sample N] [--format table|json] [--html FILE] --topic T [--brokers HOST:PORT,...] [--from newest|oldest]

Scrubs a sample of records with the policy, discarding the output, and reports
which fields (JSON paths, logfmt keys, access-log fields, free text) hold which
types of personal data: count, share of records, the action the policy takes
and a masked example (never the value). FILE "-" is standard input; no FILE and
no --topic reads standard input. Compressed input (gzip, zstd) is read
decompressed. --topic reads without joining a consumer group or committing
offsets. The JSON format is documented in docs/discover.md.
`

// cmdDiscover implements `scrubd discover`.
func cmdDiscover(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("discover", discoverUsage, stderr)
	path := fs.String("config", "", "policy `file` (or a run configuration holding one, whose kafka settings --topic uses); default: the built-in policy")
	sample := fs.Int64("sample", 10000, "records to read, `N`; 0 reads every record of the files (a topic: up to its end)")
	format := fs.String("format", "table", "output `format`: table or json")
	htmlOut := fs.String("html", "", "also write a self-contained HTML report to `file`")
	topic := fs.String("topic", "", "read a sample of Kafka `topic` instead of files")
	brokers := fs.String("brokers", "", "Kafka bootstrap `brokers`, comma-separated (default: the run configuration's)")
	from := fs.String("from", "newest", "with --topic, read each partition's `newest` or oldest records")
	timeout := fs.Duration("timeout", 30*time.Second, "with --topic, stop reading after this `duration` and report what was read")
	files, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if *format != "table" && *format != "json" || *sample < 0 || *from != "newest" && *from != "oldest" || *topic != "" && len(files) > 0 {
		fs.Usage()
		return cli.ExitUsage
	}
	engine, err := config.LoadEngine(*path, os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "discover", err)
	}
	s := discover.NewSampler(engine, *sample)
	var sources []string
	if *topic != "" {
		sources = []string{"topic " + *topic}
		code, err := discoverTopic(ctx, s, *path, *brokers, *topic, *from, *timeout, stderr)
		if code != cli.ExitOK {
			fmt.Fprintf(stderr, "scrubd discover: %v\n", err)
			return code
		}
	} else {
		sources = files
		if len(sources) == 0 {
			sources = []string{"-"}
		}
		if err := linescrub.Sample(ctx, s, sources, stdin); err != nil {
			fmt.Fprintf(stderr, "scrubd discover: %v\n", err)
			return cli.ExitFailed
		}
	}
	rep := s.Tally().Report(sources)
	if *htmlOut != "" {
		if err := rep.WriteHTMLFile(*htmlOut); err != nil {
			fmt.Fprintf(stderr, "scrubd discover: %v\n", err)
			return cli.ExitFailed
		}
	}
	bw := bufio.NewWriter(stdout)
	if *format == "json" {
		err = rep.WriteJSON(bw)
	} else {
		err = rep.WriteTable(bw)
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrubd discover: write: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}

// discoverTopic samples a topic. A run configuration in --config gives the
// client settings (TLS, SASL, version) and, without --brokers, the brokers.
// Reaching the timeout is not an error: what was read is reported.
func discoverTopic(ctx context.Context, s *discover.Sampler, configFile, brokers, topic, from string, timeout time.Duration, stderr io.Writer) (int, error) {
	cfg, err := config.LoadIfRun(configFile, os.Getenv)
	if err != nil {
		return cli.ExitInvalid, err
	}
	o := kafka.SampleOptions{Config: cfg, Topic: topic, Limit: int(s.Limit()), Oldest: from == "oldest", Timeout: timeout}
	if brokers != "" {
		o.Brokers = strings.Split(brokers, ",")
	}
	kafka.NewLogger(stderr, config.Log{Level: "warn", Format: "text"})
	err = kafka.SampleTopic(ctx, o, s.Message)
	switch {
	case errors.Is(err, kafka.ErrNoBrokers):
		return cli.ExitUsage, errors.New("--topic needs --brokers or a run configuration in --config")
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(stderr, "scrubd discover: stopped after %v; reporting the %d records read\n", timeout, s.Tally().Records())
	case config.IsInvalid(err):
		return cli.ExitInvalid, err
	case err != nil:
		return cli.ExitFailed, err
	}
	return cli.ExitOK, nil
}
