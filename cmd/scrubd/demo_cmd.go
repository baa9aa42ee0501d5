package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/loggen"
)

// Demo topic names.
const (
	demoRaw       = "logs.raw"
	demoClean     = "logs.clean"
	demoDLQ       = "logs.dlq"
	demoAggregate = "logs.aggregates"
	// demoSeqHeader carries the generator's sequence number, so that the
	// view can show a record before and after scrubbing.
	demoSeqHeader = "demo-seq"
)

// cmdDemo implements `scrubd demo`: an embedded Kafka-compatible broker, a
// generator of realistic raw logs, the full pipeline (aggregates on, in
// ten-second windows) with its HTTP listener
// (default :9790, SCRUBD_ overrides apply), and a live view on stdout,
// until Ctrl-C or --duration. It needs no network.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 0, "stop after this long (0: until Ctrl-C)")
	rate := fs.Int("rate", 2000, "generated records per second")
	path := fs.String("config", "", "optional configuration `file` (its brokers and topics are replaced by the demo's)")
	interval := fs.Duration("interval", 2*time.Second, "how often the view refreshes")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cfg, err := loadConfig(*path, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd demo: %v\n", err)
		return exitInvalid
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	demoAggregates(cfg)
	cluster, err := embedded.Start([]embedded.Topic{
		{Name: demoRaw, Partitions: 3}, {Name: demoClean, Partitions: 3}, {Name: demoDLQ, Partitions: 1},
		{Name: demoAggregate, Partitions: 1}, {Name: cfg.ChangelogTopic(), Partitions: 3},
	})
	if err != nil {
		fmt.Fprintf(stderr, "scrubd demo: %v\n", err)
		return exitFailed
	}
	defer cluster.Close()
	cfg.Kafka.Brokers = cluster.Addrs()
	cfg.Kafka.TLS = cfg.Kafka.TLS.Disabled()
	cfg.Kafka.SASL = cfg.Kafka.SASL.Disabled()
	cfg.Topics.Input = []string{demoRaw}
	cfg.Topics.Clean, cfg.Topics.DeadLetter = demoClean, demoDLQ
	cfg.Topics.Residency = nil
	if cfg.Kafka.TransactionalID == "" {
		cfg.Kafka.TransactionalID = "scrubd-demo"
	}
	// Logs go to stderr at warning level so that the view stays readable.
	if cfg.Log.Level == "info" || cfg.Log.Level == "debug" {
		cfg.Log.Level = "warn"
	}
	log := newLogger(stderr, cfg.Log.Level)
	svc, err := newService("", cfg, log, os.Getenv, os.Hostname, true) // an ephemeral key
	if err != nil {
		fmt.Fprintf(stderr, "scrubd demo: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "scrubd demo: embedded broker %v, %d records/s into %s, metrics on %s/metrics\n",
		cluster.Addrs(), *rate, demoRaw, cfg.HTTP.Addr)

	d := &demo{samples: map[int64][]byte{}}
	var wg sync.WaitGroup
	genErr := make(chan error, 1)
	wg.Go(func() { genErr <- d.generate(ctx, cluster.Addrs(), *rate) })
	wg.Go(func() { d.watch(ctx, cluster.Addrs()) })
	wg.Go(func() { d.view(ctx, stdout, svc, *interval) })
	runErr := svc.run(ctx)
	wg.Wait()
	if err := <-genErr; err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "scrubd demo: generator: %v\n", err)
		return exitFailed
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "scrubd demo: %v\n", runErr)
		return exitFailed
	}
	d.summary(stdout, svc)
	return exitOK
}

// demoAggregates turns aggregates on with windows short enough to watch:
// ten seconds, emitted after two more, or after five seconds without
// traffic.
func demoAggregates(cfg *config.Config) {
	cfg.Topics.Aggregates, cfg.Topics.AggregatesChangelog = demoAggregate, ""
	a := &cfg.Aggregates
	a.Enabled = true
	a.Window = config.Duration(10 * time.Second)
	a.AllowedLateness = config.Duration(2 * time.Second)
	a.FlushAfter = config.Duration(5 * time.Second)
	a.K = min(a.K, 5)
}

// demo holds the state shared by the generator, the watcher and the view.
type demo struct {
	mu       sync.Mutex
	samples  map[int64][]byte // recent raw records by sequence number
	produced int64
	cleaned  int64
	lastSeq  int64
	lastOut  []byte
}

const demoSampleKeep = 8192

// generate produces generated records at rate per second until ctx ends.
func (d *demo) generate(ctx context.Context, addrs []string, rate int) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(demoRaw), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	g := loggen.New(uint64(time.Now().UnixNano()), time.Now())
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	perTick := max(1, rate/100)
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			g.Sync(now)
		}
		for range perTick {
			seq, v := g.Next()
			d.mu.Lock()
			d.samples[seq] = v
			delete(d.samples, seq-demoSampleKeep)
			d.produced++
			d.mu.Unlock()
			cl.Produce(ctx, &kgo.Record{Value: v, Headers: []kgo.RecordHeader{{Key: demoSeqHeader, Value: strconv.AppendInt(nil, seq, 10)}}}, nil)
		}
	}
}

// watch reads the clean topic, read_committed, as a data team would.
func (d *demo) watch(ctx context.Context, addrs []string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(demoClean), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return
	}
	defer cl.Close()
	for ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.cleaned++
			for _, h := range r.Headers {
				if h.Key == demoSeqHeader {
					if seq, err := strconv.ParseInt(string(h.Value), 10, 64); err == nil {
						d.lastSeq, d.lastOut = seq, r.Value
					}
				}
			}
		})
	}
}
