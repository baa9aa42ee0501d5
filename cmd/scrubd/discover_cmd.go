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

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/discover"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/rules"
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
		if err := discoverFiles(ctx, s, sources, stdin); err != nil {
			fmt.Fprintf(stderr, "scrubd discover: %v\n", err)
			return cli.ExitFailed
		}
	}
	rep := s.Tally().Report(sources)
	if *htmlOut != "" {
		if err := writeFileWith(*htmlOut, rep.WriteHTML); err != nil {
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

// discoverFiles samples the lines of the files, "-" being standard input,
// one after the other until the sample is full.
func discoverFiles(ctx context.Context, s *discover.Sampler, names []string, stdin io.Reader) error {
	for _, name := range names {
		if s.Full() {
			return nil
		}
		if err := discoverFile(ctx, s, name, stdin); err != nil {
			return err
		}
	}
	return nil
}

func discoverFile(ctx context.Context, s *discover.Sampler, name string, stdin io.Reader) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	dr, release, err := linescrub.Decompress(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	defer release()
	if err := s.ReadLines(ctx, dr); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// discoverTopic samples a topic. A run configuration in --config gives the
// client settings (TLS, SASL, version) and, without --brokers, the brokers.
// Reaching the timeout is not an error: what was read is reported.
func discoverTopic(ctx context.Context, s *discover.Sampler, configFile, brokers, topic, from string, timeout time.Duration, stderr io.Writer) (int, error) {
	sc := sarama.NewConfig()
	sc.ClientID = "scrubd-discover"
	var addrs []string
	if configFile != "" {
		if data, err := os.ReadFile(configFile); err == nil && config.IsRunConfig(data) {
			cfg, err := config.LoadValid(configFile, os.Getenv)
			if err != nil {
				return cli.ExitInvalid, err
			}
			if sc, err = kafka.Base(cfg); err != nil {
				return cli.ExitInvalid, err
			}
			addrs = cfg.Kafka.Brokers
		}
	}
	if brokers != "" {
		addrs = strings.Split(brokers, ",")
	}
	if len(addrs) == 0 {
		return cli.ExitUsage, errors.New("--topic needs --brokers or a run configuration in --config")
	}
	sc.Consumer.Return.Errors = true
	kafka.NewLogger(stderr, config.Log{Level: "warn", Format: "text"})
	client, err := sarama.NewClient(addrs, sc)
	if err != nil {
		return cli.ExitFailed, fmt.Errorf("connect: %w", err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fromOffset := kafka.SampleNewest
	if from == "oldest" {
		fromOffset = kafka.SampleOldest
	}
	var headers []rules.Header
	err = kafka.Sample(ctx, client, topic, int(s.Limit()), fromOffset, func(m *sarama.ConsumerMessage) {
		headers = headers[:0]
		for _, h := range m.Headers {
			headers = append(headers, rules.Header{Name: h.Key, Value: h.Value})
		}
		s.Message(m.Key, m.Value, headers)
	})
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "scrubd discover: stopped after %v; reporting the %d records read\n", timeout, s.Tally().Records())
		err = nil
	}
	if err != nil {
		return cli.ExitFailed, err
	}
	return cli.ExitOK, nil
}

// writeFileWith writes a file with write, removing it when write fails.
func writeFileWith(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
