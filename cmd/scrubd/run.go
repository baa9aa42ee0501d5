package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/health"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/reload"
	"github.com/scrubd/scrubd/rules"
)

// cmdRun implements `scrubd run --config FILE`: the Kafka sidecar. It exits
// 0 after a clean stop on SIGTERM or SIGINT, 78 when the configuration is
// invalid and 1 on a runtime failure.
func cmdRun(ctx context.Context, args []string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cfg, err := loadConfig(*path, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd run: %v\n", err)
		return exitInvalid
	}
	log := newLogger(stderr, cfg.Log.Level)
	svc, err := newService(*path, cfg, log, os.Getenv, os.Hostname, false)
	if err != nil {
		log.Error("scrubd run: setup failed", "err", err)
		if errors.Is(err, errInvalid) {
			return exitInvalid
		}
		return exitFailed
	}
	if err := svc.run(ctx); err != nil {
		log.Error("scrubd run: stopped with an error", "err", err)
		return exitFailed
	}
	return exitOK
}

// errInvalid marks setup errors that come from the configuration.
var errInvalid = errors.New("invalid configuration")

// loadConfig loads and validates the configuration.
func loadConfig(path string, getenv func(string) string) (*config.Config, error) {
	cfg, err := config.Load(path, getenv)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// service is a pipeline with its HTTP listener.
type service struct {
	cfg        *config.Config
	log        *slog.Logger
	p          *pipeline.Pipeline
	reg        *prometheus.Registry
	state      *health.State
	geo        *geoip.Reader    // nil: geo is off
	reloader   *reload.Reloader // nil: no file to reload from
	privacySet *privacy.Set     // nil: privacy requests are off
}

// newService loads the policy, keys and dead-letter key the configuration
// names and creates the pipeline. A policy without HMAC keys is refused
// unless it sets keys.ephemeral; demo allows the ephemeral key whatever the
// policy says.
func newService(path string, cfg *config.Config, log *slog.Logger, getenv func(string) string, hostname func() (string, error), demo bool) (*service, error) {
	pol, err := cfg.LoadPolicy()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalid, err)
	}
	ks := &keySource{getenv: getenv, demo: demo}
	keys, ephemeral, err := ks.load(pol)
	if err != nil {
		return nil, fmt.Errorf("%w: load keys: %w", errInvalid, err)
	}
	if ephemeral {
		log.Warn("keys.ephemeral: pseudonyms use a random key of this process; they change at every restart and differ between instances")
	}
	eng, err := rules.Compile(pol, keys)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalid, err)
	}
	var sealer *pipeline.Sealer
	if cfg.DeadLetter.KeyFile != "" {
		if sealer, err = pipeline.LoadSealer(cfg.Resolve(cfg.DeadLetter.KeyFile)); err != nil {
			return nil, fmt.Errorf("%w: %w", errInvalid, err)
		}
	} else {
		log.Warn("no dead_letter.key_file: dead letters carry no payload")
	}
	txnID, err := cfg.TransactionalIDOrDefault(hostname)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalid, err)
	}
	reg := prometheus.NewRegistry()
	if err := kafka.Announce(cfg, log, reg); err != nil {
		return nil, err
	}
	state := health.NewState(time.Now, 30*time.Second)
	geo, err := openGeo(cfg, log, reg)
	if err != nil {
		return nil, err
	}
	opts := pipeline.Options{
		Config: cfg, Scrubber: eng, Sealer: sealer, TransactionalID: txnID,
		Logger: log, Registerer: reg,
		Known: pipeline.KnownLabels(pol), Version: version, State: state,
		ShadowTopic: cfg.Shadow.Topic, ShadowInterval: cfg.Shadow.Interval.D(),
	}
	if geo != nil {
		opts.Geo = geo
	}
	svc := &service{cfg: cfg, log: log, reg: reg, state: state, geo: geo}
	if svc.reloader, err = newReloader(path, cfg, pol, eng, ks, log, reg); err != nil {
		closeGeo(geo, log)
		return nil, err
	}
	opts.Policies = svc.reloader
	if opts.Shadow, err = newShadow(cfg, keys, reg); err != nil {
		closeGeo(geo, log)
		return nil, err
	}
	if opts.Vault, err = newVault(cfg, reg); err != nil {
		closeGeo(geo, log)
		return nil, err
	}
	if svc.privacySet, err = newPrivacySet(cfg, pol, keys, log, reg); err != nil {
		closeGeo(geo, log)
		return nil, err
	}
	opts.Privacy = svc.privacySet
	p, err := pipeline.New(opts)
	if err != nil {
		closeGeo(geo, log)
		return nil, err
	}
	svc.p = p
	log.Info("starting", "version", version, "policy", eng.Version(), "delivery", cfg.Delivery,
		"transactional_id", txnID, "group", cfg.Kafka.Group, "input", cfg.Topics.Input,
		"clean", cfg.Topics.Clean, "dead_letter", cfg.Topics.DeadLetter, "residency", cfg.Topics.Residency,
		"geoip", cfg.GeoIP.Database != "", "aggregates", cfg.Aggregates.Enabled,
		"privacy", cfg.Privacy.Enabled, "vault", cfg.Vault.Enabled, "shadow", cfg.Shadow.PolicyFile != "")
	return svc, nil
}

// run serves HTTP and runs the pipeline until ctx ends, then stops both
// within the shutdown timeout.
func (s *service) run(ctx context.Context) error {
	h := s.cfg.HTTP
	srv, err := health.ListenWith(h.ListenAddr(), health.Handler(s.reg, s.state), s.log,
		health.Timeouts{Read: h.ReadTimeout.D(), Write: h.WriteTimeout.D(), Idle: h.IdleTimeout.D()})
	if err != nil {
		return err
	}
	s.log.Info("http listening", "addr", srv.Addr())
	if s.reloader != nil {
		s.reloader.Start(ctx)
		defer s.reloader.Stop()
	}
	onHangup(ctx, func() {
		s.log.Info("SIGHUP: reloading the policy and the GeoIP database")
		if s.reloader != nil {
			_ = s.reloader.Reload()
		}
		if s.geo != nil {
			if err := s.geo.Reload(); err != nil {
				s.log.Warn("geoip reload", "err", err)
			}
		}
	})
	if s.privacySet != nil {
		rd, err := startPrivacy(ctx, s.cfg, s.privacySet, s.p, s.log, s.reg)
		if err != nil {
			_ = srv.Shutdown(context.Background())
			closeGeo(s.geo, s.log)
			return err
		}
		defer rd.Close()
	}
	done := make(chan error, 1)
	go func() { done <- s.p.Run(ctx) }()
	var runErr error
	select {
	case runErr = <-done:
	case <-ctx.Done():
		s.log.Info("stopping", "timeout", s.cfg.Shutdown.Timeout.D())
		grace := s.cfg.Shutdown.Timeout.D() + 5*time.Second
		select {
		case runErr = <-done:
		case <-time.After(grace):
			runErr = fmt.Errorf("pipeline did not stop within %v", grace)
		}
	}
	closeGeo(s.geo, s.log)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn("http shutdown", "err", err)
	}
	if runErr == nil {
		s.log.Info("stopped cleanly")
	}
	return runErr
}
