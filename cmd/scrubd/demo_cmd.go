package main

import (
	"context"
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

const demoUsage = `Usage: scrubd demo [--duration D] [--rate N] [--interval D] [--config FILE]

Runs everything on this machine, with no network: an embedded Kafka-compatible
broker, a generator of realistic raw logs, the full pipeline (aggregates in
five-second windows, countries from a generated GeoIP database) with metrics on
http.addr (default :9790; SCRUBD_HTTP_ADDR=127.0.0.1:0 picks a free port), and
a live view on stdout, until Ctrl-C or --duration. Pseudonyms use a random key.
`

// cmdDemo implements `scrubd demo`: an embedded Kafka-compatible broker, a
// generator of realistic raw logs, the full pipeline (aggregates on, in
// five-second windows) with its HTTP listener
// (default :9790, SCRUBD_ overrides apply), and a live view on stdout,
// until Ctrl-C or --duration. It needs no network.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", demoUsage, stderr)
	duration := fs.Duration("duration", 0, "stop after this long (0: until Ctrl-C)")
	rate := fs.Int("rate", 2000, "generated records per second")
	path := fs.String("config", "", "optional configuration `file` (its brokers and topics are replaced by the demo's)")
	interval := fs.Duration("interval", 2*time.Second, "how often the view refreshes")
	rest, code, stop := parseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if noArgs(fs, rest) {
		return exitUsage
	}
	if *rate < 1 || *interval <= 0 {
		fmt.Fprintln(stderr, "scrubd demo: --rate must be at least 1 and --interval positive")
		return exitUsage
	}
	// The demo brings its own broker: the configuration needs none.
	cfg, err := loadConfig(*path, demoEnv(os.Getenv))
	if err != nil {
		return fail(stderr, "demo", err)
	}
	tmp, err := os.MkdirTemp("", "scrubd-demo-")
	if err != nil {
		return fail(stderr, "demo", err)
	}
	defer os.RemoveAll(tmp)
	if err := demoAggregates(cfg, tmp); err != nil {
		return fail(stderr, "demo", err)
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	cluster, err := embedded.Start([]embedded.Topic{
		{Name: demoRaw, Partitions: 3}, {Name: demoClean, Partitions: 3}, {Name: demoDLQ, Partitions: 1},
		{Name: demoAggregate, Partitions: 1}, {Name: cfg.ChangelogTopic(), Partitions: 3},
	})
	if err != nil {
		return fail(stderr, "demo", err)
	}
	defer cluster.Close()
	demoTopics(cfg, cluster.Addrs())
	if err := cfg.Validate(); err != nil {
		return fail(stderr, "demo", invalid(err))
	}
	log := newLogger(stderr, cfg.Log)
	defer flushSarama()
	svc, err := newService("", cfg, log, os.Getenv, os.Hostname, true) // an ephemeral key
	if err != nil {
		return fail(stderr, "demo", err)
	}
	// Listen before anything starts: a port in use fails the demo at once,
	// with the reason, rather than leaving a view that waits for Kafka.
	if err := svc.listen(); err != nil {
		svc.close()
		return fail(stderr, "demo", err)
	}
	fmt.Fprintf(stdout, "scrubd demo: embedded broker %v, %d records/s into %s, metrics on http://%s/metrics\n",
		cluster.Addrs(), *rate, demoRaw, svc.srv.Addr())
	return runDemo(ctx, cluster.Addrs(), svc, *rate, *interval, stdout, stderr)
}

// demoEnv is getenv with a placeholder broker, replaced by the embedded
// one once it runs, so that a demo needs no broker configured.
func demoEnv(getenv func(string) string) func(string) string {
	return func(k string) string {
		if k == "SCRUBD_KAFKA_BROKERS" {
			return "embedded:0"
		}
		return getenv(k)
	}
}

// demoTopics points cfg at the embedded broker and the demo's topics, and
// sets the demo's logging: warnings only, on stderr, so that the view stays
// readable.
func demoTopics(cfg *config.Config, addrs []string) {
	cfg.Kafka.Brokers = addrs
	cfg.Kafka.TLS = cfg.Kafka.TLS.Disabled()
	cfg.Kafka.SASL = cfg.Kafka.SASL.Disabled()
	cfg.Topics.Input = []string{demoRaw}
	cfg.Topics.Clean, cfg.Topics.DeadLetter = demoClean, demoDLQ
	cfg.Topics.Residency = nil
	if cfg.Kafka.TransactionalID == "" {
		cfg.Kafka.TransactionalID = "scrubd-demo"
	}
	if cfg.Log.Level == "info" || cfg.Log.Level == "debug" {
		cfg.Log.Level = "warn"
	}
}

// runDemo runs the generator, the watcher, the view and the service until
// ctx ends, then prints the summary.
func runDemo(ctx context.Context, addrs []string, svc *service, rate int, interval time.Duration, stdout, stderr io.Writer) int {
	d := &demo{samples: map[int64][]byte{}, countries: map[string]int64{}}
	// The watcher reads on after the stop, until it has seen what the
	// pipeline committed, so that the summary does not count committed
	// records as missing.
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	var wg sync.WaitGroup
	genErr := make(chan error, 1)
	wg.Go(func() { genErr <- d.generate(ctx, addrs, rate) })
	watched := make(chan struct{})
	go func() { defer close(watched); d.watch(watchCtx, addrs) }()
	wg.Go(func() { d.view(ctx, stdout, svc, interval) })
	runErr := svc.run(ctx)
	wg.Wait()
	d.catchUp(svc, 5*time.Second)
	stopWatch()
	<-watched
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
// five seconds, emitted after one more, or after three seconds without
// traffic; counted by event, country and jurisdiction, the countries from
// a database written into dir unless the configuration names one.
func demoAggregates(cfg *config.Config, dir string) error {
	cfg.Topics.Aggregates, cfg.Topics.AggregatesChangelog = demoAggregate, ""
	a := &cfg.Aggregates
	a.Enabled = true
	a.Window = config.Duration(5 * time.Second)
	a.AllowedLateness = config.Duration(time.Second)
	a.FlushAfter = config.Duration(3 * time.Second)
	a.K = min(a.K, 5)
	a.Dims = []string{"event", "country", "jurisdiction"}
	if cfg.GeoIP.Database != "" {
		return nil
	}
	path, err := writeDemoGeoIP(dir)
	if err != nil {
		return fmt.Errorf("demo geoip database: %w", err)
	}
	cfg.GeoIP.Database = path
	return nil
}

// demo holds the state shared by the generator, the watcher and the view.
type demo struct {
	mu       sync.Mutex
	samples  map[int64][]byte // recent raw records by sequence number
	produced int64            // acknowledged by the broker
	cleaned  int64            // read from the clean topic
	dead     int64            // read from the dead-letter topic
	// countries sums the aggregates topic's counts by country.
	countries map[string]int64
	lastSeq   int64
	lastOut   []byte
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
			d.mu.Unlock()
			cl.Produce(ctx, &kgo.Record{Value: v, Headers: []kgo.RecordHeader{{Key: demoSeqHeader, Value: strconv.AppendInt(nil, seq, 10)}}}, d.acked)
		}
	}
}

// acked counts a generated record once the broker has it: a record the
// stop cut off before it was written was never in the stream.
func (d *demo) acked(_ *kgo.Record, err error) {
	if err == nil {
		d.mu.Lock()
		d.produced++
		d.mu.Unlock()
	}
}

// watch reads the clean, dead-letter and aggregates topics, read_committed,
// as a data team would.
func (d *demo) watch(ctx context.Context, addrs []string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(demoClean, demoDLQ, demoAggregate),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return
	}
	defer cl.Close()
	for ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			d.mu.Lock()
			defer d.mu.Unlock()
			switch r.Topic {
			case demoDLQ:
				d.dead++
				return
			case demoAggregate:
				d.countAggregate(r.Value)
				return
			}
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
