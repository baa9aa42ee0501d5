package privacy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/record"
)

// DefaultTopic is the default privacy topic.
const DefaultTopic = "privacy.requests"

// Rejected is a privacy request that could not be applied.
type Rejected struct {
	// Record is the request's record; its value holds a raw identifier and
	// may only be written encrypted (a dead letter).
	Record *record.Record
	// Reason classifies the error, for the dead letter's headers.
	Reason Reason
	// Err describes it; it never contains any part of the record.
	Err error
	// Replay marks a record read while catching up at start, which was
	// already reported by an earlier run.
	Replay bool
}

// ReaderOptions configure a Reader.
type ReaderOptions struct {
	// Conn says how to reach the cluster. The Reader makes its own
	// client; it reads committed records only, whatever Conn.Config says.
	Conn compacted.Conn
	// Topic is the privacy topic (default DefaultTopic).
	Topic string
	// Set receives the requests.
	Set *Set
	// OnEvent, when set, is called for every subject a record changed or
	// confirmed, on the Reader's goroutine, in topic order per partition.
	// It must not block for long.
	OnEvent func(Event)
	// OnRejected, when set, is called for every request that could not be
	// applied, on the Reader's goroutine. It must not block for long.
	OnRejected func(Rejected)
	// Logger receives the Reader's events; never identifiers.
	Logger *slog.Logger
	// Registerer receives the Reader's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Quiet is how long a partition may hand over nothing before its end
	// is probed while catching up (default 250 ms).
	Quiet time.Duration
	// Check is how often, once caught up, the topic's end offsets are
	// read again to tell whether the Reader keeps up
	// (scrubd_privacy_reader_caught_up, _lag_records; default 15 s).
	Check time.Duration
}

// Reader keeps a Set up to date with the privacy topic. It reads every
// partition of the topic, outside any consumer group, from the oldest
// offset, with read_committed, and then follows it. It is ready once it has
// read every partition up to the end offsets it had at the start: records
// must not be processed before, since requests already made would not
// apply to them yet. When reading fails (the topic is missing, the brokers
// are unreachable) it logs the error and starts over after a pause;
// applying the topic again is harmless.
type Reader struct {
	opts   ReaderOptions
	log    *slog.Logger
	m      *readerMetrics
	ready  chan struct{}
	once   sync.Once
	cancel context.CancelFunc
	done   chan struct{}
	// behind is the last check's verdict; only the reading goroutine
	// uses it.
	behind bool
}

// StartReader starts a Reader. It returns an error only for invalid
// options; connection problems are retried in the background.
func StartReader(opts ReaderOptions) (*Reader, error) {
	if opts.Set == nil {
		return nil, errors.New("privacy reader: no set")
	}
	if err := opts.Conn.Check(); err != nil {
		return nil, fmt.Errorf("privacy reader: %w", err)
	}
	if opts.Topic == "" {
		opts.Topic = DefaultTopic
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Check <= 0 {
		opts.Check = 15 * time.Second
	}
	m, err := newReaderMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reader{
		opts: opts, log: opts.Logger.With("topic", opts.Topic), m: m,
		ready: make(chan struct{}), cancel: cancel, done: make(chan struct{}),
	}
	go r.run(ctx)
	return r, nil
}

// Ready returns a channel closed once the Reader has caught up with the
// topic as it was at the start. It stays closed afterwards.
func (r *Reader) Ready() <-chan struct{} { return r.ready }

// WaitReady waits until the Reader is ready or ctx ends.
func (r *Reader) WaitReady(ctx context.Context) error {
	select {
	case <-r.ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("privacy requests not loaded: %w", ctx.Err())
	case <-r.done:
		return errors.New("privacy reader closed before it was ready")
	}
}

// Close stops the Reader and waits for its goroutine. The Set keeps what
// it holds.
func (r *Reader) Close() error {
	r.cancel()
	<-r.done
	return nil
}

func (r *Reader) run(ctx context.Context) {
	defer close(r.done)
	failures := 0
	for {
		err := r.readOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		failures++
		r.m.errors.Inc()
		wait := min(250*time.Millisecond<<min(failures, 6), 15*time.Second)
		r.log.Error("reading privacy requests failed; retrying", "err", err, "after", wait.String(), "ready", r.isReady())
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

func (r *Reader) isReady() bool {
	select {
	case <-r.ready:
		return true
	default:
		return false
	}
}

// readOnce connects and reads until ctx ends or reading fails. The topic is
// read from its start each time, so the Reader is not caught up until it
// has read it to its end again.
func (r *Reader) readOnce(ctx context.Context) error {
	r.m.caughtUp.Set(0)
	client, err := compacted.Dial(r.opts.Conn)
	if err != nil {
		return err
	}
	defer client.Close()
	start := r.opts.Now()
	err = client.Read(ctx, compacted.Options{
		Topic: r.opts.Topic, Follow: true, Logger: r.log, Quiet: r.opts.Quiet,
		OnError: func(int32, error) { r.m.errors.Inc() },
		Check:   r.opts.Check, Status: r.status,
	}, r.handle, func() {
		r.m.caughtUp.Set(1)
		r.once.Do(func() {
			r.log.Info("privacy requests loaded", "suppressed_subjects", r.opts.Set.Len(), "took", r.opts.Now().Sub(start))
			close(r.ready)
		})
	})
	if err == nil && ctx.Err() == nil {
		err = errors.New("reading stopped")
	}
	return err
}

// status records the result of a follow check: caught up while no
// partition holds a request older than the previous check.
func (r *Reader) status(s compacted.Status) {
	if s.Err != nil {
		r.m.errors.Inc()
		r.m.caughtUp.Set(0)
		return
	}
	r.m.lag.Set(float64(s.Lag))
	if s.Behind > 0 {
		r.m.caughtUp.Set(0)
		if !r.behind {
			r.log.Warn("privacy requests wait to be read: the reader is behind", "partitions_behind", s.Behind, "lag", s.Lag)
		}
		r.behind = true
		return
	}
	if r.behind {
		r.log.Info("the privacy reader caught up again")
	}
	r.behind = false
	r.m.caughtUp.Set(1)
}

// handle applies one record.
func (r *Reader) handle(m *record.Record, replay bool) error {
	events, err := r.opts.Set.Apply(Record{
		Key: m.Key, Value: m.Value, Partition: m.Partition, Offset: m.Offset,
		Timestamp: m.Timestamp, Replay: replay,
	})
	switch {
	case err != nil:
		reason := ReasonOf(err)
		r.m.requests(noAction, outcomeRejected).Inc()
		r.m.rejected.WithLabelValues(string(reason)).Inc()
		if !replay {
			r.log.Warn("privacy request rejected", "partition", m.Partition, "offset", m.Offset, "reason", reason, "err", err)
		}
		if r.opts.OnRejected != nil {
			r.opts.OnRejected(Rejected{Record: m, Reason: reason, Err: err, Replay: replay})
		}
	case m.Value == nil:
		r.m.requests(noAction, outcomeTombstone).Inc()
	default:
		a := noAction
		if n := len(events); n > 0 {
			a = events[n-1].Action
			if !replay && !events[n-1].Time.IsZero() {
				r.m.applyLag.Observe(max(0, r.opts.Now().Sub(events[n-1].Time).Seconds()))
			}
		}
		r.m.requests(a, outcomeApplied).Inc()
	}
	if r.opts.OnEvent != nil {
		for _, ev := range events {
			r.opts.OnEvent(ev)
		}
	}
	return nil
}
