// Package compacted is scrubd's one loader of tables kept in compacted
// topics (privacy requests, the vault, the aggregates changelog). It reads a
// topic the way a table is loaded from its
// compacted changelog: every partition from its oldest offset, with
// read_committed, outside any consumer group, up to the end offsets the
// partitions had when reading started (the snapshot), and then, if asked,
// on as new records arrive.
//
// It tells when the snapshot has been read. Offsets taken by transaction
// markers and by records of aborted transactions are never handed to a
// read_committed reader, so "the last offset handed over is the end offset
// minus one" cannot tell it; after a partition has been quiet for a while,
// a probe fetch finds out whether anything but markers and aborted records
// is left before its end offset.
//
// Probes and follow checks go over a client of their own: on the
// partition consumers' connections they would wait behind the consumers'
// long-poll fetches (Consumer.MaxWaitTime) and hold the consumers' fetches
// back in turn, and a reader probing its quiet partitions could then go for
// many seconds without being handed a record.
package compacted

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/record"
)

// Options configure a Read.
type Options struct {
	// Client is the connection to the cluster. Its configuration must read
	// committed records only (Consumer.IsolationLevel = ReadCommitted) and
	// speak Kafka 0.11 or later. Read does not close it.
	Client sarama.Client
	// Topic is the topic read.
	Topic string
	// Partitions are the partitions read; nil means all of them and, when
	// following, those added later.
	Partitions []int32
	// Follow keeps reading after the snapshot until the context ends;
	// without it Read returns once the snapshot is read.
	Follow bool
	// Logger receives partition-level events, never record contents.
	Logger *slog.Logger
	// Quiet is how long a partition that has not reached its snapshot end
	// must have handed over nothing before it is probed (default 250 ms).
	Quiet time.Duration
	// Refresh is how often partitions added to the topic are looked for
	// while following (default one minute).
	Refresh time.Duration
	// From gives the offset to start each partition at instead of its
	// oldest (an offset below the oldest starts at the oldest).
	From map[int32]int64
	// Ends, when set, is called with the snapshot end offsets once they
	// are known, before any record is handed over.
	Ends func(map[int32]int64)
	// OnError, when set, is called on the reading goroutine for every
	// error Read recovers from by itself: a failed fetch of a partition,
	// and a partition consumer that stopped and is resumed. Errors that
	// end Read are returned instead.
	OnError func(partition int32, err error)
	// Check is how often, while following after the snapshot, the
	// partitions' end offsets are read again to tell whether the reader
	// keeps up; zero turns the checks off. A check runs beside the reading,
	// never delaying a record.
	Check time.Duration
	// Status, when set, is called on the reading goroutine with the result
	// of each check.
	Status func(Status)
}

// Status is the result of one follow check.
type Status struct {
	// Behind is the number of partitions that still hold a record, below
	// the end offset the previous check read, that has not been handed
	// over: the reader is more than one check interval behind on them. A
	// partition whose remaining offsets are only transaction markers and
	// aborted records is not behind.
	Behind int
	// Lag is the offsets between each partition's next offset and its end
	// offset (the last stable offset), summed; transaction markers and
	// aborted records count.
	Lag int64
	// Err is why the check failed (the brokers did not answer); Behind and
	// Lag are zero then.
	Err error
}

// Handler receives each record, in offset order per partition, on the
// goroutine that called Read. Replay is true for records before the
// snapshot end of their partition. A Handler error stops Read.
// Each call gets a record of its own, which the Handler may keep.
type Handler func(r *record.Record, replay bool) error

// ErrNoTopic reports that the topic does not exist.
var ErrNoTopic = errors.New("topic does not exist")

// part is the reading state of one partition.
type part struct {
	id       int32
	next     int64 // offset after the last record handed over
	end      int64 // snapshot end; reached when next >= end
	reached  bool
	active   time.Time // last record or start
	probed   time.Time
	probedAt int64 // next when last probed
	stopping chan struct{}
	restarts int
	checkEnd int64 // end offset read by the last follow check
	clear    int64 // offsets below this hold nothing left to hand over
}

// item is what a partition's forwarder passes to the reading loop.
type item struct {
	p      int32
	msg    *sarama.ConsumerMessage
	err    error
	closed bool // the partition consumer stopped on its own
}

// Read reads the topic as opts say, calling handle for every record and
// caughtUp once, when every partition's snapshot end has been reached. It
// returns nil when the snapshot is read (without Follow) or when ctx ends
// (with Follow), and an error when the topic cannot be read or handle
// fails.
func Read(ctx context.Context, opts Options, handle Handler, caughtUp func()) error {
	r, err := newReader(opts)
	if err != nil {
		return err
	}
	defer r.stopAll()
	return r.run(ctx, handle, caughtUp)
}

type reader struct {
	opts     Options
	log      *slog.Logger
	consumer sarama.Consumer
	parts    map[int32]*part
	items    chan item
	wg       sync.WaitGroup
	// probes is the client of probes and follow checks, made when first
	// needed; see the package comment.
	probeMu     sync.Mutex
	probes      sarama.Client
	probesEnded bool // stopAll ran: no new probe client
	// progressed is when the catching up was last logged.
	progressed time.Time
}

// progressEvery is how often a reader still catching up says how far it is.
const progressEvery = 10 * time.Second

func newReader(opts Options) (*reader, error) {
	if opts.Client == nil || opts.Topic == "" {
		return nil, errors.New("compacted: a client and a topic are required")
	}
	conf := opts.Client.Config()
	if conf.Consumer.IsolationLevel != sarama.ReadCommitted {
		return nil, errors.New("compacted: the client must read committed records only (Consumer.IsolationLevel)")
	}
	if !conf.Version.IsAtLeast(sarama.V0_11_0_0) {
		return nil, errors.New("compacted: read_committed needs Kafka version 0.11 or later")
	}
	if opts.Quiet <= 0 {
		opts.Quiet = 250 * time.Millisecond
	}
	if opts.Refresh <= 0 {
		opts.Refresh = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := sarama.NewConsumerFromClient(opts.Client)
	if err != nil {
		return nil, fmt.Errorf("compacted: consumer: %w", err)
	}
	return &reader{
		opts: opts, log: opts.Logger.With("topic", opts.Topic), consumer: c,
		parts: map[int32]*part{}, items: make(chan item, 256),
	}, nil
}

// partitions lists the partitions to read.
func (r *reader) partitions() ([]int32, error) {
	if r.opts.Partitions != nil {
		return r.opts.Partitions, nil
	}
	if err := r.opts.Client.RefreshMetadata(r.opts.Topic); err != nil {
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return nil, fmt.Errorf("compacted: %s: %w", r.opts.Topic, ErrNoTopic)
		}
		return nil, fmt.Errorf("compacted: metadata of %s: %w", r.opts.Topic, err)
	}
	ps, err := r.opts.Client.Partitions(r.opts.Topic)
	if err != nil {
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return nil, fmt.Errorf("compacted: %s: %w", r.opts.Topic, ErrNoTopic)
		}
		return nil, fmt.Errorf("compacted: partitions of %s: %w", r.opts.Topic, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("compacted: %s: %w", r.opts.Topic, ErrNoTopic)
	}
	return ps, nil
}

func (r *reader) run(ctx context.Context, handle Handler, caughtUp func()) error {
	ps, err := r.partitions()
	if err != nil {
		return err
	}
	ends, err := stableEnds(r.opts.Client, r.opts.Topic, ps)
	if err != nil {
		return fmt.Errorf("compacted: %s: %w", r.opts.Topic, err)
	}
	if r.opts.Ends != nil {
		r.opts.Ends(maps.Clone(ends))
	}
	now := time.Now()
	r.progressed = now
	for _, p := range ps {
		if err := r.startPartition(p, ends[p], now); err != nil {
			return err
		}
	}
	done := false
	check := func() bool {
		if done {
			return false
		}
		for _, pt := range r.parts {
			if !pt.reached {
				return false
			}
		}
		done = true
		r.log.Debug("snapshot read", "partitions", len(r.parts))
		if caughtUp != nil {
			caughtUp()
		}
		return true
	}
	if check() && !r.opts.Follow {
		return nil
	}
	tick := time.NewTicker(r.opts.Quiet / 2)
	defer tick.Stop()
	refresh := time.NewTicker(r.opts.Refresh)
	defer refresh.Stop()
	var checkTick <-chan time.Time
	if r.opts.Follow && r.opts.Check > 0 {
		ct := time.NewTicker(r.opts.Check)
		defer ct.Stop()
		checkTick = ct.C
	}
	// At most one check runs at a time; its goroutine never blocks on
	// sending, so Read may return while one is running.
	checks := make(chan checkResult, 1)
	checking := false
	for {
		select {
		case <-checkTick:
			if done && !checking {
				checking = true
				go r.followCheck(r.checkInput(), checks)
			}
		case res := <-checks:
			checking = false
			r.applyCheck(res)
		case <-ctx.Done():
			if r.opts.Follow {
				return nil
			}
			return ctx.Err()
		case it := <-r.items:
			pt := r.parts[it.p]
			switch {
			case it.msg != nil:
				replay := it.msg.Offset < pt.end
				pt.next = it.msg.Offset + 1
				pt.active = time.Now()
				pt.restarts = 0
				rec := kafka.Record(it.msg)
				if err := handle(&rec, replay); err != nil {
					return err
				}
				if !pt.reached && pt.next >= pt.end {
					pt.reached = true
				}
				if !pt.reached && pt.end-pt.next == 1 && pt.probedAt != pt.next {
					// One offset short of the end: most often the commit
					// marker of the transaction just read.
					if err := r.probe(pt, time.Now()); err != nil {
						r.log.Warn("probing partition end", "err", err)
					}
				}
			case it.err != nil:
				r.log.Warn("reading partition", "partition", it.p, "err", it.err)
				r.onError(it.p, it.err)
			case it.closed:
				r.onError(it.p, errConsumerStopped)
				if err := r.restartPartition(ctx, pt); err != nil {
					return err
				}
			}
		case <-tick.C:
			if done {
				continue
			}
			if err := r.probeQuiet(); err != nil {
				r.log.Warn("probing partition ends", "err", err)
			}
			r.logProgress(time.Now())
		case <-refresh.C:
			if r.opts.Follow && r.opts.Partitions == nil {
				r.addPartitions()
			}
		}
		if check() && !r.opts.Follow {
			return nil
		}
	}
}

// checkIn is what a follow check needs to know of one partition.
type checkIn struct {
	id            int32
	next, prevEnd int64
	clear         int64
}

// checkResult is what a follow check found.
type checkResult struct {
	status Status
	ends   map[int32]int64
	clear  map[int32]int64
}

// checkInput copies the partitions' state for a follow check.
func (r *reader) checkInput() []checkIn {
	in := make([]checkIn, 0, len(r.parts))
	for _, pt := range r.parts {
		in = append(in, checkIn{id: pt.id, next: pt.next, prevEnd: pt.checkEnd, clear: pt.clear})
	}
	return in
}

// followCheck reads the end offsets of the partitions in and finds those
// behind, on its own goroutine (it only talks to the brokers), and sends
// what it found to out.
func (r *reader) followCheck(in []checkIn, out chan<- checkResult) {
	ids := make([]int32, len(in))
	for i, p := range in {
		ids[i] = p.id
	}
	cl, err := r.probeClient()
	if err != nil {
		out <- checkResult{status: Status{Err: fmt.Errorf("compacted: check %s: %w", r.opts.Topic, err)}}
		return
	}
	ends, err := stableEnds(cl, r.opts.Topic, ids)
	if err != nil {
		out <- checkResult{status: Status{Err: fmt.Errorf("compacted: check %s: %w", r.opts.Topic, err)}}
		return
	}
	res := checkResult{ends: ends, clear: map[int32]int64{}}
	for _, p := range in {
		res.status.Lag += max(0, ends[p.id]-p.next)
		known := max(p.next, p.clear)
		if p.prevEnd <= known {
			continue
		}
		live, err := dataBefore(cl, r.opts.Topic, p.id, known, p.prevEnd)
		if err != nil {
			out <- checkResult{status: Status{Err: fmt.Errorf("compacted: check %s: %w", r.opts.Topic, err)}}
			return
		}
		if live {
			res.status.Behind++
		} else {
			res.clear[p.id] = p.prevEnd
		}
	}
	out <- res
}

// applyCheck records what a follow check found and reports it.
func (r *reader) applyCheck(res checkResult) {
	if res.status.Err != nil {
		r.log.Warn("checking partition ends", "err", res.status.Err)
	} else {
		for id, end := range res.ends {
			if pt := r.parts[id]; pt != nil {
				pt.checkEnd = end
				pt.clear = max(pt.clear, res.clear[id])
			}
		}
	}
	if r.opts.Status != nil {
		r.opts.Status(res.status)
	}
}

// errConsumerStopped is what Options.OnError receives for a partition
// consumer that stopped on its own.
var errConsumerStopped = errors.New("compacted: partition consumer stopped")

// onError passes a recovered error to Options.OnError.
func (r *reader) onError(p int32, err error) {
	if r.opts.OnError != nil {
		r.opts.OnError(p, err)
	}
}

// probeQuiet probes the partitions that are behind their snapshot end and
// have been quiet for a while.
func (r *reader) probeQuiet() error {
	now := time.Now()
	var errs []error
	for _, pt := range r.parts {
		if pt.reached || now.Sub(pt.active) < r.opts.Quiet || now.Sub(pt.probed) < r.opts.Quiet {
			continue
		}
		if err := r.probe(pt, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// probe marks pt as having reached its snapshot end if nothing but
// transaction markers and aborted records is left before it.
func (r *reader) probe(pt *part, now time.Time) error {
	pt.probed, pt.probedAt = now, pt.next
	cl, err := r.probeClient()
	if err != nil {
		return err
	}
	live, err := dataBefore(cl, r.opts.Topic, pt.id, pt.next, pt.end)
	if err != nil {
		return err
	}
	if !live {
		r.log.Debug("partition end reached past markers", "partition", pt.id, "next", pt.next, "end", pt.end)
		pt.reached = true
	}
	return nil
}

// probeClient returns the client of probes and follow checks, connecting
// it the first time: to the brokers the reading client knows, with its
// configuration.
func (r *reader) probeClient() (sarama.Client, error) {
	r.probeMu.Lock()
	defer r.probeMu.Unlock()
	if r.probes != nil {
		return r.probes, nil
	}
	if r.probesEnded {
		return nil, errors.New("compacted: reader stopped")
	}
	var addrs []string
	for _, b := range r.opts.Client.Brokers() {
		addrs = append(addrs, b.Addr())
	}
	if len(addrs) == 0 {
		return nil, errors.New("compacted: no broker known to probe")
	}
	c, err := sarama.NewClient(addrs, r.opts.Client.Config())
	if err != nil {
		return nil, fmt.Errorf("compacted: probe client: %w", err)
	}
	r.probes = c
	return c, nil
}

// logProgress says, every progressEvery while the snapshot is being read,
// how many partitions and offsets are left, and the first partition left
// with its position: a reader that waits is then seen waiting, and on what.
func (r *reader) logProgress(now time.Time) {
	if now.Sub(r.progressed) < progressEvery {
		return
	}
	r.progressed = now
	var left int
	var offsets int64
	var first *part
	for _, pt := range r.parts {
		if pt.reached {
			continue
		}
		left++
		offsets += max(0, pt.end-pt.next)
		if first == nil || pt.id < first.id {
			first = pt
		}
	}
	if first == nil {
		return
	}
	r.log.Info("still reading the snapshot", "partitions_left", left, "offsets_left", offsets,
		"partition", first.id, "next", first.next, "end", first.end, "quiet_for", now.Sub(first.active).Round(time.Millisecond))
}

// startPartition starts reading partition p from its oldest offset, or
// from where Options.From says.
func (r *reader) startPartition(p int32, end int64, now time.Time) error {
	oldest, err := r.opts.Client.GetOffset(r.opts.Topic, p, sarama.OffsetOldest)
	if err != nil {
		return fmt.Errorf("compacted: oldest offset of partition %d: %w", p, err)
	}
	start, at := oldest, sarama.OffsetOldest
	if from, ok := r.opts.From[p]; ok && from > oldest {
		start, at = from, from
	}
	pt := &part{id: p, next: start, end: end, active: now}
	pt.reached = start >= end
	r.parts[p] = pt
	if pt.reached && !r.opts.Follow {
		return nil
	}
	return r.consume(pt, at)
}

// consume starts the partition consumer of pt at offset and its forwarder.
func (r *reader) consume(pt *part, offset int64) error {
	pc, err := r.consumer.ConsumePartition(r.opts.Topic, pt.id, offset)
	if errors.Is(err, sarama.ErrOffsetOutOfRange) && offset != sarama.OffsetOldest {
		pc, err = r.consumer.ConsumePartition(r.opts.Topic, pt.id, sarama.OffsetOldest)
	}
	if err != nil {
		return fmt.Errorf("compacted: consume partition %d: %w", pt.id, err)
	}
	pt.stopping = make(chan struct{})
	r.wg.Add(1)
	go r.forward(pt.id, pc, pt.stopping)
	return nil
}

// restartPartition resumes a partition whose consumer stopped on its own,
// after a pause that grows with repeated failures.
func (r *reader) restartPartition(ctx context.Context, pt *part) error {
	pt.restarts++
	wait := min(100*time.Millisecond<<min(pt.restarts, 6), 5*time.Second)
	r.log.Warn("partition consumer stopped; resuming", "partition", pt.id, "offset", pt.next, "after", wait.String())
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil
	}
	return r.consume(pt, pt.next)
}

// addPartitions starts reading partitions added to the topic since.
func (r *reader) addPartitions() {
	ps, err := r.partitions()
	if err != nil {
		r.log.Warn("looking for new partitions", "err", err)
		return
	}
	now := time.Now()
	for _, p := range ps {
		if _, ok := r.parts[p]; ok {
			continue
		}
		if err := r.startPartition(p, 0, now); err != nil {
			r.log.Warn("reading new partition", "partition", p, "err", err)
			delete(r.parts, p)
			continue
		}
		r.log.Info("reading new partition", "partition", p)
	}
}

// forward passes a partition consumer's records and errors to the reading
// loop until stop closes, then closes the consumer and drains it. When the
// consumer stops on its own it says so.
func (r *reader) forward(p int32, pc sarama.PartitionConsumer, stop chan struct{}) {
	defer r.wg.Done()
	msgs, errs := pc.Messages(), pc.Errors()
	stopped := false
	send := func(it item) {
		if stopped {
			return
		}
		select {
		case r.items <- it:
		case <-stop:
			stopped = true
			pc.AsyncClose()
		}
	}
	for msgs != nil || errs != nil {
		var stopC chan struct{}
		if !stopped {
			stopC = stop
		}
		select {
		case m, ok := <-msgs:
			if !ok {
				msgs = nil
				continue
			}
			send(item{p: p, msg: m})
		case e, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			send(item{p: p, err: e.Err})
		case <-stopC:
			stopped = true
			pc.AsyncClose()
		}
	}
	send(item{p: p, closed: true})
}

// stopAll stops every forwarder and waits for them and the consumer.
func (r *reader) stopAll() {
	for _, pt := range r.parts {
		if pt.stopping != nil {
			close(pt.stopping)
		}
	}
	r.wg.Wait()
	if err := r.consumer.Close(); err != nil {
		r.log.Debug("closing consumer", "err", err)
	}
	r.probeMu.Lock()
	defer r.probeMu.Unlock()
	r.probesEnded = true
	if r.probes != nil {
		if err := r.probes.Close(); err != nil {
			r.log.Debug("closing probe client", "err", err)
		}
	}
}
