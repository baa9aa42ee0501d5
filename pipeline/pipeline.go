package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/decision"
	"github.com/scrubd/scrubd/pipeline/health"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/metrics"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules"
)

// Options are the dependencies of a Pipeline.
type Options struct {
	// Config is the validated configuration.
	Config *config.Config
	// Scrubber scrubs records; usually a *rules.Engine.
	Scrubber decision.Scrubber
	// Sealer encrypts dead-letter payloads; nil leaves them out.
	Sealer *Sealer
	// TransactionalID is the producer's transactional id (exactly once).
	TransactionalID string
	// Logger receives the pipeline's logs; never record content.
	Logger *slog.Logger
	// Registerer receives the pipeline's metrics.
	Registerer prometheus.Registerer
	// Known lists label values exported at 0 (finding types, actions).
	Known metrics.Known
	// Geo looks up the country of client addresses, usually a
	// *geoip.Reader; nil turns geo off: no geo member or headers, no
	// jurisdiction profiles, no residency routing. Geo needs a Scrubber
	// that implements decision.Profiles, as *rules.Engine does.
	Geo decision.Locator
	// Policies, when set, supplies the engine in force for each batch
	// (policy hot reload, see the reload package); Scrubber must then be
	// its first engine, for the metrics and the aggregates' setup.
	Policies decision.PolicySource
	// Privacy suppresses the records of subjects who withdrew consent or
	// asked for restriction or erasure; nil turns privacy requests off.
	Privacy *privacy.Set
	// Vault writes the identity vault in the outputs' transactions; nil
	// turns it off (exactly once only).
	Vault *vault.Vault
	// Shadow scrubs every record with a candidate policy too and counts
	// the differences; nil turns shadow mode off.
	Shadow *shadow.Shadow
	// ShadowTopic receives Shadow's summaries every ShadowInterval; empty
	// means metrics only.
	ShadowTopic    string
	ShadowInterval time.Duration
	// Version is scrubd's version, for scrubd_build_info.
	Version string
	// State receives liveness and readiness; nil creates one.
	State *health.State
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Pipeline consumes the input topics with a consumer group, scrubs every
// record and commits the outputs with the consumer offsets. Create it with
// New and run it once with Run.
type Pipeline struct {
	cfg     *config.Config
	opts    Options
	log     *slog.Logger
	m       *metrics.Metrics
	state   *health.State
	now     func() time.Time
	budget  *budget
	produce metrics.StageMetrics

	views  *decision.Views
	dec    *decision.Decider
	commit committer
	client sarama.Client // the consumer group's client; restores read with it
	agg    *aggregator   // nil: aggregates are off

	generation atomic.Int32
	hardStop   chan struct{}
	// shadowAt is when the last shadow summary was taken (Unix ns).
	shadowAt atomic.Int64
	// outbox holds records that ride with the next transaction.
	outbox outbox

	// testBeforeCommit, when set, runs in every transaction after its
	// records are sent and before CommitTxn.
	testBeforeCommit func()
}

// New checks the options and creates the metrics; it connects to nothing.
func New(opts Options) (*Pipeline, error) {
	if opts.Config == nil || opts.Scrubber == nil || opts.Logger == nil || opts.Registerer == nil {
		return nil, errors.New("pipeline: Config, Scrubber, Logger and Registerer are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.State == nil {
		opts.State = health.NewState(opts.Now, 30*time.Second)
	}
	if _, ok := opts.Scrubber.(decision.Profiles); opts.Geo != nil && !ok {
		return nil, errors.New("pipeline: Geo needs a Scrubber with jurisdiction profiles (a *rules.Engine)")
	}
	known := opts.Known
	known.Reasons = slices.Clone(known.Reasons)
	for _, r := range wire.Reasons() {
		known.Reasons = append(known.Reasons, string(r))
	}
	known.CleanTopics = append([]string{opts.Config.Topics.Clean}, slices.Sorted(maps.Values(opts.Config.Topics.Residency))...)
	m, err := metrics.New(opts.Registerer, metrics.Opts{Version: opts.Version, Policy: opts.Scrubber.Version(), Delivery: opts.Config.Delivery}, known)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	p := &Pipeline{
		cfg: opts.Config, opts: opts, log: opts.Logger, m: m, state: opts.State, now: opts.Now,
		budget:   newBudget(opts.Config.Batch.MaxInFlightBytes),
		views:    decision.NewViews(opts.Scrubber, opts.Policies),
		produce:  m.Stage(metrics.StageProduce),
		hardStop: make(chan struct{}),
	}
	p.generation.Store(-1)
	if opts.Config.Aggregates.Enabled && opts.Config.Delivery != config.ExactlyOnce {
		p.log.Warn("aggregates are off: they need delivery exactly_once, which checkpoints their state in the transactions", "delivery", opts.Config.Delivery)
	} else if opts.Config.Aggregates.Enabled {
		var pol *rules.Policy
		if e, ok := opts.Scrubber.(interface{ Policy() *rules.Policy }); ok {
			pol = e.Policy()
		}
		if p.agg, err = newAggregator(opts.Config, opts.Scrubber, pol, opts.Scrubber.Version(), m.Aggregate); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Metrics returns the pipeline's metrics.
func (p *Pipeline) Metrics() *metrics.Metrics { return p.m }

// State returns the pipeline's liveness and readiness.
func (p *Pipeline) State() *health.State { return p.state }

// maxMessageBytes is the producer's largest record batch per partition,
// and so its largest record: kafka.max_message_bytes, which must not
// exceed the topics' max.message.bytes. A larger batch would be refused by
// the broker and abort every transaction holding it, again and again; a
// record whose output is larger is dead-lettered (output_too_large).
func (p *Pipeline) maxMessageBytes() int {
	return p.cfg.Kafka.MaxMessageBytes
}

// Run runs the pipeline until ctx is canceled, then stops in order: it
// stops fetching, lets each partition's submitted batch commit or abort,
// closes the producer, leaves the group and closes the client, all within
// shutdown.timeout. It returns nil after a clean stop.
func (p *Pipeline) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	runDone := make(chan struct{})
	defer close(runDone)
	// Liveness: the loop beats while Run runs, whatever Kafka does.
	p.state.Beat()
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.state.Beat()
			case <-runDone:
				return
			}
		}
	})
	// Draining and the hard deadline.
	wg.Go(func() {
		select {
		case <-ctx.Done():
		case <-runDone:
			return
		}
		p.state.SetDraining(true)
		p.m.Ready.Set(0)
		t := time.NewTimer(p.cfg.Shutdown.Timeout.D())
		defer t.Stop()
		select {
		case <-t.C:
			p.log.Error("shutdown deadline passed; abandoning open work", "timeout", p.cfg.Shutdown.Timeout.D())
			close(p.hardStop)
		case <-runDone:
		}
	})
	err := p.run(ctx)
	select {
	case <-p.hardStop:
		if err == nil {
			err = errors.New("shutdown deadline passed")
		}
	default:
	}
	return err
}

func (p *Pipeline) run(ctx context.Context) error {
	ccfg, err := kafka.Consumer(p.cfg, p.opts.TransactionalID)
	if err != nil {
		return fmt.Errorf("consumer config: %w", err)
	}
	client, err := p.connect(ctx, ccfg)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped before Kafka answered: nothing was read, nothing
			// is lost, and a stop is a stop whether Kafka is up or not.
			p.log.Info("stopped before connecting to kafka", "last_err", err)
			return nil
		}
		return err
	}
	defer client.Close()
	p.client = client
	p.state.SetConnected(true)
	defer p.state.SetConnected(false)
	defer p.watchKafka(client, kafkaProbeInterval, kafkaStallAfter)()
	if p.dec, err = p.newDecider(client); err != nil {
		return err
	}
	closeCommitter, err := p.startCommitter(ctx)
	if err != nil {
		return err
	}
	group, err := sarama.NewConsumerGroupFromClient(p.cfg.Kafka.Group, client)
	if err != nil {
		closeCommitter()
		return fmt.Errorf("create consumer group: %w", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for err := range group.Errors() {
			p.log.Warn("consumer error", "err", err)
		}
	})
	h := &handler{p: p, env: &claimEnv{
		log: p.log, now: p.now, limits: p.cfg.Batch, budget: p.budget, dec: p.dec, views: p.views, aggs: p.agg,
		commit: p.commit, client: client, produce: p.produce, hardStop: p.hardStop,
		countScrubbed: p.countScrubbed, countCommitted: p.countCommitted, shadowSummary: p.shadowSummary,
	}}
	var runErr error
	for ctx.Err() == nil {
		p.updateReady()
		err := group.Consume(ctx, p.cfg.Topics.Input, h)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("consumer group session ended", "err", err)
			if errors.Is(err, sarama.ErrClosedConsumerGroup) {
				runErr = err
				break
			}
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
			}
		}
	}
	// Every claim has returned: no batch is submitted any more.
	closeCommitter()
	if err := group.Close(); err != nil {
		p.log.Warn("leave consumer group", "err", err)
	}
	wg.Wait()
	p.log.Info("pipeline stopped")
	return runErr
}

// connect creates the client, retrying until the brokers answer or ctx ends.
func (p *Pipeline) connect(ctx context.Context, cfg *sarama.Config) (sarama.Client, error) {
	for attempt := 1; ; attempt++ {
		client, err := sarama.NewClient(p.cfg.Kafka.Brokers, cfg)
		if err == nil {
			return client, nil
		}
		p.log.Warn("connect to kafka", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to kafka: %w", err)
		case <-time.After(min(time.Duration(attempt)*time.Second, 10*time.Second)):
		}
	}
}

// newDecider reads the output topics' partition counts and builds the
// record decision with the stages of the options.
func (p *Pipeline) newDecider(client sarama.Client) (*decision.Decider, error) {
	outs, err := newOutputs(client, p.cfg.Topics.Clean, p.cfg.Topics.Residency)
	if err != nil {
		return nil, err
	}
	dlqParts, err := topicPartitions(client, p.cfg.Topics.DeadLetter)
	if err != nil {
		return nil, err
	}
	if p.agg != nil {
		if err := p.agg.connect(client); err != nil {
			return nil, err
		}
	}
	if p.opts.Vault != nil {
		// A pseudonym's vault records go to a partition chosen from the
		// partition count the vault was made with: the topic must have it.
		n, err := topicPartitions(client, p.cfg.Topics.Vault)
		if err != nil {
			return nil, err
		}
		if n != p.opts.Vault.Partitions() {
			return nil, fmt.Errorf("vault topic %s has %d partitions, the vault expects %d (topics.create.partitions); a vault topic's partitions must never change",
				p.cfg.Topics.Vault, n, p.opts.Vault.Partitions())
		}
	}
	opts := decision.Options{
		Outputs: outs, DeadLetter: decision.Output{Topic: p.cfg.Topics.DeadLetter, Partitions: dlqParts},
		MaxOut: p.maxMessageBytes(), Geo: p.opts.Geo, Now: p.now,
	}
	// Typed nils must not reach the decision's interfaces: a stage that is
	// off is left out.
	if p.opts.Sealer != nil {
		opts.Sealer = p.opts.Sealer
	}
	if p.opts.Privacy != nil {
		opts.Privacy = privacyStage{p.opts.Privacy}
	}
	if p.opts.Shadow != nil {
		opts.Shadow = p.opts.Shadow
	}
	if p.agg != nil {
		opts.Aggregates, opts.CountMinors = p.agg.observer, p.agg.minors
	}
	return decision.New(opts)
}

// startCommitter creates the producer and the committer of the delivery
// mode, and returns the function that stops them.
func (p *Pipeline) startCommitter(ctx context.Context) (func(), error) {
	pcfg, err := kafka.Producer(p.cfg, p.opts.TransactionalID, p.maxMessageBytes())
	if err != nil {
		return nil, fmt.Errorf("producer config: %w", err)
	}
	newProducer := func() (sarama.AsyncProducer, error) {
		return sarama.NewAsyncProducer(p.cfg.Kafka.Brokers, pcfg)
	}
	if p.cfg.Delivery == config.AtLeastOnce {
		prod, err := newProducer()
		if err != nil {
			return nil, fmt.Errorf("create idempotent producer: %w", err)
		}
		c := newAckCommitter(prod, p.log, p.m)
		c.start()
		p.commit = c
		p.setProducerReady(true)
		return func() {
			p.setProducerReady(false)
			if err := c.close(); err != nil {
				p.log.Warn("close producer", "err", err)
			}
		}, nil
	}
	c := newTxnCommitter(newProducer, p.cfg.Kafka.Group, p.log, p.m, p.now, p.setProducerReady)
	if p.cfg.Kafka.StaticMembership {
		id := p.opts.TransactionalID
		c.instanceID = &id
	}
	c.beforeCommit = p.testBeforeCommit
	env := outboxEnv{log: p.log, partitions: p.client.Partitions, dec: p.dec}
	c.extras = func() ([]*sarama.ProducerMessage, int) { return p.outbox.take(env) }
	c.extrasDone = p.outbox.done
	c.extrasWaiting = p.outbox.waiting
	c.committedOffset = p.committedOffset
	for attempt := 1; ; attempt++ {
		err := c.init()
		if err == nil {
			break
		}
		p.log.Warn("initialize transactional producer", "attempt", attempt, "transactional_id", p.opts.TransactionalID, "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(min(time.Duration(attempt)*time.Second, 10*time.Second)):
		}
	}
	c.start()
	p.commit = c
	return func() {
		if err := c.close(); err != nil {
			p.log.Warn("close producer", "err", err)
		}
	}, nil
}

func (p *Pipeline) setProducerReady(ready bool) {
	p.state.SetProducerReady(ready)
	p.updateReady()
}

func (p *Pipeline) updateReady() {
	ok, _ := p.state.Ready()
	if ok {
		p.m.Ready.Set(1)
	} else {
		p.m.Ready.Set(0)
	}
}

// noteGeneration counts a rebalance when a new generation is seen.
func (p *Pipeline) noteGeneration(gen int32) {
	if old := p.generation.Swap(gen); old != gen {
		p.m.Rebalances.Inc()
	}
	p.updateReady()
}

// countScrubbed adds a batch's findings and actions to the metrics.
func (p *Pipeline) countScrubbed(st *stats) {
	for t, n := range st.Findings {
		p.m.Findings.WithLabelValues(t).Add(float64(n))
	}
	for a, n := range st.Actions {
		p.m.Actions.WithLabelValues(a).Add(float64(n))
	}
}

// countCommitted adds a committed batch's outcomes to the metrics.
func (p *Pipeline) countCommitted(b *batch, now time.Time) {
	st := &b.stats
	p.m.Records.WithLabelValues(metrics.OutcomeClean).Add(float64(st.Clean))
	p.m.Records.WithLabelValues(metrics.OutcomeDropped).Add(float64(st.Dropped))
	p.m.Records.WithLabelValues(metrics.OutcomeDeadLettered).Add(float64(st.Dead))
	p.m.Records.WithLabelValues(metrics.OutcomeMinor).Add(float64(st.Minor))
	p.m.Records.WithLabelValues(metrics.OutcomeSuppressed).Add(float64(st.Suppressed))
	for r, n := range st.Reasons {
		p.m.DeadLetters.WithLabelValues(r).Add(float64(n))
	}
	for t, n := range st.Topics {
		p.m.CleanRecords.WithLabelValues(t).Add(float64(n))
	}
	if p.agg != nil {
		p.agg.count(&st.agg)
	}
	if b.records == 0 {
		return // an idle flush: no batch to observe
	}
	p.m.BatchRecords.Observe(float64(b.records))
	p.m.BatchBytes.Observe(float64(b.bytes))
	p.m.BatchDuration.Observe(now.Sub(b.started).Seconds())
}

// KnownLabels returns the finding types and actions a policy can report,
// for metrics exported at 0.
func KnownLabels(pol *rules.Policy) metrics.Known {
	var k metrics.Known
	seen := map[string]bool{}
	addType := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			k.FindingTypes = append(k.FindingTypes, t)
		}
	}
	for name, d := range pol.Detectors {
		if d == nil || d.Enabled == nil || *d.Enabled {
			addType(name)
		}
	}
	for _, c := range pol.Custom {
		addType(c.Name)
	}
	for _, f := range pol.Fields {
		addType(f.Name)
	}
	slices.Sort(k.FindingTypes)
	for _, a := range rules.Actions() {
		k.Actions = append(k.Actions, string(a))
	}
	return k
}
