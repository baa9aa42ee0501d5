package geoip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Reader looks up the country of client IP addresses in a MaxMind-format
// database file and keeps the database current as the file changes. It is
// safe for concurrent use; lookups take no lock and never wait for a load.
//
// A nil *Reader is valid: every lookup on it returns OutcomeDisabled.
type Reader struct {
	db atomic.Pointer[database]

	opts       Options
	metrics    *metrics
	decoder    decoder
	cacheLimit int // records whose answers are cached; maxCachedRecords

	// mu serializes loads; it may be held for as long as a load takes.
	mu   sync.Mutex
	seen identity // identity of the file version last tried; guarded by mu

	// stateMu guards closed and makes "not closed, so store the new
	// database" atomic with respect to Close; it is held only briefly.
	stateMu sync.Mutex
	closed  bool

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// Open returns a Reader for the database file at opts.Path, registers its
// metrics on opts.Registerer and loads the file once before returning. A
// file that is missing or cannot be loaded is not an error: it is logged as
// a warning, counted in scrubd_geoip_reloads_total{outcome="failure"}, and
// lookups return OutcomeDisabled until a valid file appears.
//
// Unless opts.PollInterval is negative, Open starts a goroutine that checks
// the file every PollInterval and loads each new version. The goroutine runs
// until Close is called or ctx is done (ctx bounds the life of the Reader's
// reloading, not the Open call); after ctx is done the loaded database stays
// in use, unchanged.
//
// Open returns an error only for invalid options or when the metrics cannot
// be registered (for example a second Reader on one registry).
func Open(ctx context.Context, opts Options) (*Reader, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	r := &Reader{
		opts:       opts.withDefaults(),
		cacheLimit: maxCachedRecords,
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	r.metrics = newMetrics(r.ageSeconds)
	if r.opts.Registerer != nil {
		if err := r.metrics.register(r.opts.Registerer); err != nil {
			return nil, fmt.Errorf("open geoip reader: %w", err)
		}
	}
	r.mu.Lock()
	r.seen, _ = statIdentity(r.opts.Path)
	_ = r.loadLocked()
	r.mu.Unlock()
	if r.opts.PollInterval < 0 {
		close(r.done)
		return r, nil
	}
	go r.poll(ctx, r.done)
	return r, nil
}

// Lookup returns the country of addr as an upper-case ISO 3166-1 alpha-2
// code ("GB"), and the outcome of the lookup, which it also counts in
// scrubd_geoip_lookups_total. The country is empty unless the outcome is
// OutcomeHit.
//
// An IPv4-mapped IPv6 address is looked up as the IPv4 address it carries.
// An address that is not public (see [Public]) is never looked up and gives
// OutcomeSkipped, even when the database has an entry for it. The country is
// the one the database places the address in (geoip2's
// Country.Country.ISOCode), or, when the record has none, the country the
// address block is registered in (Country.RegisteredCountry.ISOCode).
//
// Lookup takes no lock and does not allocate: the country of each record of
// a country database is decoded once, when the database is loaded; the
// records of a larger (city) database are decoded into reused values.
func (r *Reader) Lookup(addr netip.Addr) (country string, outcome Outcome) {
	if r == nil {
		return "", OutcomeDisabled
	}
	country, outcome = r.lookup(addr.Unmap())
	r.metrics.lookups[outcome].Inc()
	return country, outcome
}

// lookup is Lookup without the counting; addr is unmapped.
func (r *Reader) lookup(addr netip.Addr) (string, Outcome) {
	if !Public(addr) {
		return "", OutcomeSkipped
	}
	db := r.db.Load()
	if db == nil {
		return "", OutcomeDisabled
	}
	if db.ipv4Only && addr.Is6() {
		return "", OutcomeMiss
	}
	res := db.mm.Lookup(addr)
	switch {
	case res.Err() != nil:
		return "", OutcomeError
	case !res.Found():
		return "", OutcomeMiss
	}
	a, ok := db.answers[res.Offset()]
	if !ok {
		a = r.decoder.decode(res)
	}
	return a.country, a.outcome
}

// Reload loads the database file now, whether or not it changed, and
// returns why it could not be loaded. On failure the database in use, if
// any, stays in use. It is meant for a SIGHUP handler; the Reader's own
// polling does not need it.
func (r *Reader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loadLocked()
}

// Close disables lookups (every lookup after Close returns
// OutcomeDisabled), unregisters the metrics, and stops the reloading
// goroutine, waiting for it until ctx is done. A load in progress is
// abandoned: its database is never used. Close may be called more than
// once; it returns ctx's error, wrapped, if the goroutine did not stop in
// time.
func (r *Reader) Close(ctx context.Context) error {
	if r == nil {
		return nil
	}
	r.stopOnce.Do(func() { close(r.stop) })
	r.stateMu.Lock()
	if !r.closed {
		r.closed = true
		r.db.Store(nil)
		r.metrics.loaded.Set(0)
		if r.opts.Registerer != nil {
			r.metrics.unregister(r.opts.Registerer)
		}
	}
	r.stateMu.Unlock()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close geoip reader: %w", ctx.Err())
	}
}

// Status describes the database a Reader is using.
type Status struct {
	// Loaded is true when a database is loaded and lookups are enabled.
	Loaded bool
	// Path is the database file, as given in Options.
	Path string
	// DatabaseType is the type named in the database's metadata, such as
	// "GeoLite2-Country"; empty when none is loaded.
	DatabaseType string
	// BuildTime is the build time recorded in the database's metadata.
	BuildTime time.Time
	// LoadedAt is when the database was loaded.
	LoadedAt time.Time
}

// Status returns what the Reader is using now. A nil Reader reports
// nothing loaded.
func (r *Reader) Status() Status {
	if r == nil {
		return Status{}
	}
	s := Status{Path: r.opts.Path}
	if db := r.db.Load(); db != nil {
		s.Loaded = true
		s.DatabaseType = db.dbType
		s.BuildTime = db.buildTime
		s.LoadedAt = db.loadedAt
	}
	return s
}

// ageSeconds returns the age of the loaded database's build time, and false
// when none is loaded.
func (r *Reader) ageSeconds() (float64, bool) {
	db := r.db.Load()
	if db == nil {
		return 0, false
	}
	return r.opts.Now().Sub(db.buildTime).Seconds(), true
}

// errClosed is returned by a load on a closed Reader.
var errClosed = errors.New("load geoip database: reader is closed")

// loadLocked loads the file, swaps the new database in, and logs and counts
// the outcome. r.mu must be held.
func (r *Reader) loadLocked() error {
	if r.isClosed() {
		return errClosed
	}
	old := r.db.Load()
	db, err := loadDatabase(r.opts.Path, r.opts.MaxSize, !r.opts.SkipVerify, r.cacheLimit)
	if err != nil {
		err = fmt.Errorf("load geoip database: %w", err)
		r.metrics.reloadFailure.Inc()
		if old != nil {
			r.opts.Logger.Warn("geoip database could not be reloaded; keeping the loaded one",
				slog.String("path", r.opts.Path), slog.Time("build_time", old.buildTime), slog.Any("error", err))
		} else {
			r.opts.Logger.Warn("geoip database unavailable; geo lookups disabled",
				slog.String("path", r.opts.Path), slog.Any("error", err))
		}
		return err
	}
	db.loadedAt = r.opts.Now()
	r.stateMu.Lock()
	if r.closed {
		r.stateMu.Unlock()
		return errClosed
	}
	r.db.Store(db)
	r.metrics.loaded.Set(1)
	r.stateMu.Unlock()
	r.seen = db.id
	r.metrics.reloadSuccess.Inc()
	r.opts.Logger.Info("geoip database loaded",
		slog.String("path", r.opts.Path), slog.String("type", db.dbType), slog.Time("build_time", db.buildTime))
	return nil
}

// isClosed reports whether Close has been called.
func (r *Reader) isClosed() bool {
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	return r.closed
}

// poll checks the file every PollInterval until Close or ctx is done, and
// closes done when it returns.
func (r *Reader) poll(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(r.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.stop:
			return
		case <-t.C:
			r.check()
		}
	}
}

// check loads the file if its identity differs from the version last tried.
// A version that failed to load is not tried again until it changes.
func (r *Reader) check() {
	id, _ := statIdentity(r.opts.Path)
	r.mu.Lock()
	defer r.mu.Unlock()
	if id == r.seen || r.isClosed() {
		return
	}
	r.seen = id
	_ = r.loadLocked()
}
