package geoip

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults applied to zero fields of [Options].
const (
	// DefaultPollInterval is how often the database file is checked for a
	// new version when Options.PollInterval is zero.
	DefaultPollInterval = 30 * time.Second
	// DefaultMaxSize is the largest database file loaded when
	// Options.MaxSize is zero. GeoLite2-Country is about 10 MB and
	// GeoLite2-City about 60 MB.
	DefaultMaxSize = 512 << 20
)

// Options configure a [Reader]. Only Path is required.
type Options struct {
	// Path is the database file: a MaxMind-format country or city database
	// (GeoIP2-Country, GeoLite2-Country, GeoIP2-City, GeoLite2-City,
	// DBIP-Country-Lite and the other types geoip2-golang accepts for
	// country lookups). A symbolic link is followed on every check, so a
	// Kubernetes volume path works.
	Path string

	// PollInterval is how often the file's identity (device, inode, size,
	// modification and change time) is checked; a change loads the file
	// again. Zero means DefaultPollInterval; a negative value disables
	// reloading (Reload still works).
	PollInterval time.Duration

	// MaxSize is the largest file, in bytes, that is loaded; a larger file
	// is a load failure. Zero means DefaultMaxSize. The whole file is held in
	// memory, twice for a moment while a new version replaces the old.
	MaxSize int64

	// SkipVerify turns off the full structural check (maxminddb's Verify)
	// that every file passes before it is used. The check is stricter than
	// the format requires; set this only for a database it wrongly rejects.
	SkipVerify bool

	// Logger receives a warning when geo is disabled or a new file cannot be
	// loaded, and an info line for each database loaded. Nil discards.
	Logger *slog.Logger

	// Registerer receives the Reader's metrics; Close unregisters them. Nil
	// means the metrics are kept but not exported.
	Registerer prometheus.Registerer

	// Now returns the current time, for scrubd_geoip_database_age_seconds and
	// Status. Nil means time.Now.
	Now func() time.Time
}

// errNoPath is returned by Validate when Options.Path is empty.
var errNoPath = errors.New("path is empty")

// Validate reports whether o can be used to open a Reader. It does not look
// at the file: a missing or broken file is not an error, it disables geo.
func (o Options) Validate() error {
	if o.Path == "" {
		return fmt.Errorf("geoip options: %w", errNoPath)
	}
	if o.MaxSize < 0 {
		return fmt.Errorf("geoip options: max size %d is negative", o.MaxSize)
	}
	return nil
}

// withDefaults returns o with every zero field given its default.
func (o Options) withDefaults() Options {
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxSize == 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
