package main

import (
	"context"
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

const runUsage = `Usage: scrubd run --config FILE

Runs the Kafka sidecar: reads the input topics, scrubs every record and writes
the clean, dead-letter (and residency, aggregates) topics, with metrics and
health on http.addr. Every key can be overridden by a SCRUBD_<PATH> variable
(SCRUBD_KAFKA_BROKERS=a:9092,b:9092). There is no default broker: without
--config, SCRUBD_KAFKA_BROKERS is required. SIGHUP reloads the policy;
SIGTERM or SIGINT stops cleanly.
Exit 0 after a stop, 78 when the configuration is invalid, 1 on a failure.
`

// cmdRun implements `scrubd run --config FILE`: the Kafka sidecar. It exits
// 0 after a clean stop on SIGTERM or SIGINT, whether Kafka answered or
// not, 78 when the configuration is invalid and 1 on a runtime failure.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", runUsage, stderr)
	path := fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)")
	rest, code, stop := parseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if noArgs(fs, rest) {
		return exitUsage
	}
	if *path == "" && os.Getenv("SCRUBD_KAFKA_BROKERS") == "" {
		fmt.Fprintln(stderr, "scrubd run: no --config and no SCRUBD_KAFKA_BROKERS: scrubd does not guess where Kafka is; "+
			"give --config FILE (deploy/examples/scrubd.yaml is a complete one) or set SCRUBD_KAFKA_BROKERS=host:port")
		return exitInvalid
	}
	cfg, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return fail(stderr, "run", err)
	}
	log := newLogger(stderr, cfg.Log)
	defer flushSarama()
	svc, err := newService(*path, cfg, log, os.Getenv, os.Hostname, false)
	if err != nil {
		log.Error("scrubd run: setup failed", "err", message(err))
		return exitCode(err)
	}
	if err := svc.run(ctx); err != nil {
		log.Error("scrubd run: stopped with an error", "err", err)
		return exitFailed
	}
	return exitOK
}

// loadConfig loads and validates the run configuration: the one way every
// command reads one. Any error is an invalid configuration, with the line
// of each problem.
func loadConfig(path string, getenv func(string) string) (*config.Config, error) {
	cfg, err := config.LoadValid(path, getenv)
	return cfg, invalid(err)
}

// service is a pipeline with its HTTP listener.
type service struct {
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

// close releases what newService opened, for a service that is not run
// (scrubd validate).
func (s *service) close() { closeGeo(s.geo, s.log) }

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
	svc := &service{cfg: cfg, log: log, reg: reg, state: state, geo: geo, policyVersion: eng.Version()}
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

// listen opens the HTTP listener of metrics and health checks.
func (s *service) listen() error {
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

// run serves HTTP and runs the pipeline until ctx ends, then stops both
// within the shutdown timeout.
func (s *service) run(ctx context.Context) error {
	if s.srv == nil {
		if err := s.listen(); err != nil {
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
