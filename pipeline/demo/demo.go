// Package demo is `scrubd-demo`: the whole pipeline on an embedded
// Kafka-compatible broker with generated traffic and a live view. It is
// linked into its own binary only, so that the production binary carries
// neither the fake broker nor a second Kafka client.
package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/scrubd/scrubd/bench/gen"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/service"
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

// Options are the settings of a demo.
type Options struct {
	// Duration stops the demo after this long; 0: when ctx ends.
	Duration time.Duration
	// Rate is the number of generated records per second, at least 1.
	Rate int
	// Interval is how often the view refreshes, positive.
	Interval time.Duration
	// ConfigPath is an optional configuration file; its brokers and topics
	// are replaced by the demo's.
	ConfigPath string
	// Getenv reads the environment (os.Getenv).
	Getenv func(string) string
	// Version is the build's version.
	Version string
}

// Run runs the demo: an embedded Kafka-compatible broker, a generator of
// realistic raw logs, the full pipeline (aggregates on, in five-second
// windows) with its HTTP listener (default :9790, SCRUBD_ overrides
// apply), and a live view on stdout, until ctx ends or o.Duration. It
// needs no network. Errors of the configuration wrap config.ErrInvalid.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) error {
	// The demo brings its own broker: the configuration needs none.
	cfg, err := config.LoadValid(o.ConfigPath, demoEnv(o.Getenv))
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "scrubd-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := demoAggregates(cfg, tmp); err != nil {
		return err
	}
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	cluster, err := embedded.Start([]embedded.Topic{
		{Name: demoRaw, Partitions: 3}, {Name: demoClean, Partitions: 3}, {Name: demoDLQ, Partitions: 1},
		{Name: demoAggregate, Partitions: 1}, {Name: cfg.ChangelogTopic(), Partitions: 3},
	})
	if err != nil {
		return err
	}
	defer cluster.Close()
	demoTopics(cfg, cluster.Addrs())
	if err := cfg.Validate(); err != nil {
		return config.Invalid(err)
	}
	log := kafka.NewLogger(stderr, cfg.Log)
	defer kafka.FlushLogs()
	svc, err := service.New(service.Options{Config: cfg, Logger: log, Getenv: o.Getenv, Hostname: os.Hostname, Demo: true, Version: o.Version}) // an ephemeral key
	if err != nil {
		return err
	}
	// Listen before anything starts: a port in use fails the demo at once,
	// with the reason, rather than leaving a view that waits for Kafka.
	if err := svc.Listen(); err != nil {
		svc.Close()
		return err
	}
	fmt.Fprintf(stdout, "scrubd demo: embedded broker %v, %d records/s into %s, metrics on http://%s/metrics\n",
		cluster.Addrs(), o.Rate, demoRaw, svc.Addr())
	return runDemo(ctx, cluster.Addrs(), svc, o.Rate, o.Interval, stdout)
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
func runDemo(ctx context.Context, addrs []string, svc *service.Service, rate int, interval time.Duration, stdout io.Writer) error {
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
	runErr := svc.Run(ctx)
	wg.Wait()
	d.catchUp(svc, 5*time.Second)
	stopWatch()
	<-watched
	if err := <-genErr; err != nil && ctx.Err() == nil {
		return fmt.Errorf("generator: %w", err)
	}
	if runErr != nil {
		return runErr
	}
	d.summary(stdout, svc)
	return nil
}

// demoAggregates turns aggregates on with windows short enough to watch:
// five seconds, emitted after one more, or after three seconds without
// traffic; counted by country and jurisdiction (buckets large enough to
// pass k, distinct people, within seconds of starting), the countries from
// a database written into dir unless the configuration names one.
func demoAggregates(cfg *config.Config, dir string) error {
	cfg.Topics.Aggregates, cfg.Topics.AggregatesChangelog = demoAggregate, ""
	a := &cfg.Aggregates
	a.Enabled = true
	a.Window = config.Duration(5 * time.Second)
	a.AllowedLateness = config.Duration(time.Second)
	a.FlushAfter = config.Duration(3 * time.Second)
	a.K = min(a.K, 3)
	a.Dims = []string{"country", "jurisdiction"}
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
	g := gen.New(uint64(time.Now().UnixNano()))
	g.SetClock(time.Now())
	var seq int64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	perTick := max(1, rate/100)
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			g.SetClock(now)
		}
		for range perTick {
			seq++
			v := g.Line(g.Next(gen.DefaultMix))
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
