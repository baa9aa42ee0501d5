// Package reload keeps a compiled scrubbing policy current: it rebuilds the
// engine when the policy or key files change on disk (including the symlink
// swap Kubernetes does for ConfigMap and Secret volumes) or on demand (the
// process's SIGHUP), and swaps it in atomically. An invalid new policy is
// refused: the old engine stays, and the failure is logged and counted.
//
// Readers call Current between batches, so that every record of a batch is
// scrubbed under one policy.
package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/rules"
)

// DefaultInterval is how often the watched files are checked when
// Options.Interval is zero.
const DefaultInterval = 5 * time.Second

// A Build function loads and compiles the policy from its files. It is
// called once by New and again for every reload.
type Build func() (*rules.Engine, error)

// Options configure a Reloader.
type Options struct {
	// Build makes a new engine. Required.
	Build   Build
	Initial *rules.Engine
	// Files are watched for changes: the policy file and the key files or
	// directories. A change of any (content, inode, or the target of a
	// symlink along the path) triggers a reload.
	Files []string
	// Interval is the polling period; zero means DefaultInterval.
	Interval time.Duration
	// Logger receives reload outcomes (never policy content).
	Logger *slog.Logger
	// Registerer receives the metrics; nil means none.
	Registerer prometheus.Registerer
	// OnSwap, when set, is called after a new engine is in place.
	OnSwap func(old, new *rules.Engine)
}

// A Reloader holds the current engine.
type Reloader struct {
	opts    Options
	current atomic.Pointer[rules.Engine]
	mu      sync.Mutex // serialises reloads
	seen    string     // fingerprint of the watched files at the last load attempt

	reloads  *prometheus.CounterVec
	lastOK   prometheus.Gauge
	version  *prometheus.GaugeVec
	done     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// New builds the first engine. It fails when that build fails: a process
// must not start without a valid policy.
func New(opts Options) (*Reloader, error) {
	if opts.Build == nil {
		return nil, errors.New("reload: no build function")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{opts: opts, done: make(chan struct{})}
	r.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "scrubd", Subsystem: "policy", Name: "reloads_total",
		Help: "Policy reloads by outcome: success (a new policy is in force), failure (refused; the old one stays).",
	}, []string{"outcome"})
	r.lastOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "scrubd", Subsystem: "policy", Name: "last_reload_success_timestamp_seconds",
		Help: "When the policy in force was loaded, in seconds since the epoch.",
	})
	r.version = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "scrubd", Subsystem: "policy", Name: "info",
		Help: "The policy in force: 1 for its version.",
	}, []string{"version"})
	r.reloads.WithLabelValues("success")
	r.reloads.WithLabelValues("failure")
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{r.reloads, r.lastOK, r.version} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("reload: register metrics: %w", err)
			}
		}
	}
	r.seen = fingerprint(opts.Files)
	e := opts.Initial
	if e == nil {
		var err error
		if e, err = opts.Build(); err != nil {
			return nil, err
		}
	}
	r.swap(e)
	return r, nil
}

// Current returns the engine in force. Call it once per batch.
func (r *Reloader) Current() *rules.Engine { return r.current.Load() }

// Reload rebuilds the engine now (for SIGHUP). On failure the old engine
// stays and the error says why.
func (r *Reloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = fingerprint(r.opts.Files)
	return r.reloadLocked("signal")
}

func (r *Reloader) reloadLocked(cause string) error {
	e, err := r.opts.Build()
	if err != nil {
		r.reloads.WithLabelValues("failure").Inc()
		r.opts.Logger.Error("policy reload refused; the policy in force stays", "cause", cause,
			"policy", r.Current().Version(), "error", err)
		return fmt.Errorf("reload policy: %w", err)
	}
	old := r.Current()
	if old != nil && old.Version() == e.Version() && old.Keyring().Equal(e.Keyring()) {
		r.opts.Logger.Info("policy files changed but the policy did not", "cause", cause, "policy", e.Version())
	}
	// Counted before the swap, so that whoever sees the new engine sees
	// its reload counted too.
	r.reloads.WithLabelValues("success").Inc()
	r.swap(e)
	r.opts.Logger.Info("policy reloaded", "cause", cause, "policy", e.Version(), "previous", old.Version())
	if r.opts.OnSwap != nil {
		r.opts.OnSwap(old, e)
	}
	return nil
}

func (r *Reloader) swap(e *rules.Engine) {
	if old := r.current.Swap(e); old != nil {
		r.version.DeleteLabelValues(old.Version())
	}
	r.version.WithLabelValues(e.Version()).Set(1)
	r.lastOK.SetToCurrentTime()
}

// Start polls the watched files until ctx ends or Stop is called, reloading
// when they change. It returns at once; Stop waits for the goroutine.
func (r *Reloader) Start(ctx context.Context) {
	if len(r.opts.Files) == 0 {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.opts.Interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-r.done:
				return
			case <-t.C:
				r.poll()
			}
		}
	}()
}

// poll reloads when the watched files' fingerprint changed since the last
// attempt. A refused version is not retried until the files change again.
func (r *Reloader) poll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	fp := fingerprint(r.opts.Files)
	if fp == r.seen {
		return
	}
	r.seen = fp
	_ = r.reloadLocked("file change")
}

// Stop ends the polling goroutine and waits for it.
func (r *Reloader) Stop() {
	r.stopOnce.Do(func() { close(r.done) })
	r.wg.Wait()
}

// fingerprint identifies the current state of files: for each, what its path
// resolves to (following symlinks, as Kubernetes' ..data swap changes) and
// that file's size, modification time and inode; for a directory, the same
// for each entry.
func fingerprint(files []string) string {
	var parts []string
	for _, f := range files {
		parts = append(parts, fileID(f))
		if st, err := os.Stat(f); err == nil && st.IsDir() {
			entries, _ := os.ReadDir(f)
			for _, e := range entries {
				parts = append(parts, fileID(f+"/"+e.Name()))
			}
		}
	}
	sort.Strings(parts)
	return fmt.Sprint(parts)
}
