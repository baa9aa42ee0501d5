// Package service assembles what `scrubd run` runs: the policy and its
// keys, the pipeline with its features (GeoIP, reload, shadow, vault,
// privacy requests) and the HTTP listener of metrics and health checks.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/health"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/metrics"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/reload"
)

// A Service is a pipeline with its HTTP listener.
type Service struct {
	cfg        *config.Config
	log        *slog.Logger
	p          *pipeline.Pipeline
	srv        *health.Server // nil until listen
	reg        *prometheus.Registry
	state      *health.State
	geo        *geoip.Reader    // nil: geo is off
	reloader   *reload.Reloader // nil: no file to reload from
	privacySet *privacy.Set     // nil: privacy requests are off
	// policyVersion is the version of the policy at the start.
	policyVersion string
}

// Close releases what New opened, for a service that is not run (scrubd
// validate).
func (s *Service) Close() { closeGeo(s.geo, s.log) }

// Options are what a Service is made of.
type Options struct {
	// Path is the configuration file, reloaded on change; empty (the demo):
	// nothing to reload from.
	Path   string
	Config *config.Config
	Logger *slog.Logger
	// Getenv reads the environment (os.Getenv), Hostname names the host
	// (os.Hostname) for the default transactional id.
	Getenv   func(string) string
	Hostname func() (string, error)
	// Demo allows the ephemeral key whatever the policy says.
	Demo bool
	// Version is the build's version, exported and logged.
	Version string
}

// New loads the policy, keys and dead-letter key the configuration names
// and creates the pipeline. A policy without HMAC keys is refused unless it
// sets keys.ephemeral or o.Demo. Every error of the configuration is an
// invalid configuration (config.ErrInvalid).
func New(o Options) (*Service, error) {
	path, cfg, log, getenv, hostname, demo, version := o.Path, o.Config, o.Logger, o.Getenv, o.Hostname, o.Demo, o.Version
	pol, err := cfg.LoadPolicy()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	ks := &keySource{getenv: getenv, demo: demo}
	eng, ephemeral, err := ks.compile(pol)
	if err != nil {
		return nil, err
	}
	if ephemeral {
		log.Warn("keys.ephemeral: pseudonyms use a random key of this process; they change at every restart and differ between instances")
	}
	keys := eng.Keyring()
	var sealer *pipeline.Sealer
	if cfg.DeadLetter.KeyFile != "" {
		if sealer, err = pipeline.LoadSealer(cfg.Resolve(cfg.DeadLetter.KeyFile)); err != nil {
			return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
		}
	} else {
		log.Warn("no dead_letter.key_file: dead letters carry no payload")
	}
	txnID, err := cfg.TransactionalIDOrDefault(hostname)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	if err := checkKafka(cfg, txnID); err != nil {
		return nil, err
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
	svc := &Service{cfg: cfg, log: log, reg: reg, state: state, geo: geo, policyVersion: eng.Version()}
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

// Listen opens the HTTP listener of metrics and health checks. Run opens it
// when it is not open yet.
func (s *Service) Listen() error {
	h := s.cfg.HTTP
	srv, err := health.ListenWith(h.ListenAddr(), health.Handler(s.reg, s.state), s.log,
		health.Timeouts{Read: h.ReadTimeout.D(), Write: h.WriteTimeout.D(), Idle: h.IdleTimeout.D()})
	if err != nil {
		return err
	}
	s.log.Info("http listening", "addr", srv.Addr())
	s.srv = srv
	return nil
}

// Run serves HTTP and runs the pipeline until ctx ends, then stops both
// within the shutdown timeout.
func (s *Service) Run(ctx context.Context) error {
	if s.srv == nil {
		if err := s.Listen(); err != nil {
			closeGeo(s.geo, s.log)
			return err
		}
	}
	srv := s.srv
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
			if ctx.Err() != nil {
				// Stopped while waiting for Kafka: a stop like any other.
				s.log.Info("stopped before the privacy requests were read", "last_err", err)
				return nil
			}
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

// PolicyVersion is the version of the policy at the start.
func (s *Service) PolicyVersion() string { return s.policyVersion }

// Addr is the address of the HTTP listener, once Listen has opened it.
func (s *Service) Addr() string { return s.srv.Addr() }

// State is the service's liveness and readiness.
func (s *Service) State() *health.State { return s.state }

// Metrics are the pipeline's metrics.
func (s *Service) Metrics() *metrics.Metrics { return s.p.Metrics() }

// Registry holds every metric the service exports.
func (s *Service) Registry() *prometheus.Registry { return s.reg }
