package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules"
)

// newShadow compiles the candidate policy of shadow.policy_file with the
// active keyring, so that their outputs compare.
func newShadow(cfg *config.Config, keys *rules.Keyring, reg prometheus.Registerer) (*shadow.Shadow, error) {
	if cfg.Shadow.PolicyFile == "" {
		return nil, nil
	}
	pol, err := rules.Load(cfg.Resolve(cfg.Shadow.PolicyFile))
	if err != nil {
		return nil, fmt.Errorf("%w: shadow policy: %w", config.ErrInvalid, err)
	}
	eng, err := rules.Compile(pol, keys)
	if err != nil {
		return nil, fmt.Errorf("%w: shadow policy: %w", config.ErrInvalid, err)
	}
	return shadow.New(eng, reg, nil)
}

// newVault loads the master keys of vault.master_keys.
func newVault(cfg *config.Config, reg prometheus.Registerer) (*vault.Vault, error) {
	if !cfg.Vault.Enabled {
		return nil, nil
	}
	mk, err := vault.LoadMasterKeys(vault.KeyConfig{
		Active: cfg.Vault.MasterKeys.Active, Dir: cfg.Vault.MasterKeys.Dir, Files: cfg.Vault.MasterKeys.Files,
	}, cfg.Dir())
	if err != nil {
		return nil, fmt.Errorf("%w: vault master keys: %w", config.ErrInvalid, err)
	}
	return vault.New(vault.Options{
		Master: mk, Topic: cfg.Topics.Vault, Partitions: cfg.Topics.Create.Partitions, Registerer: reg,
	})
}

// newPrivacySet creates the set of suppressed subjects.
func newPrivacySet(cfg *config.Config, pol *rules.Policy, keys *rules.Keyring, log *slog.Logger, reg prometheus.Registerer) (*privacy.Set, error) {
	if !cfg.Privacy.Enabled {
		return nil, nil
	}
	set, err := privacy.NewSet(keys, privacy.SetOptions{Registerer: reg})
	if err != nil {
		return nil, err
	}
	if err := set.Types().CheckSubjects(pol.Subjects); err != nil {
		log.Warn("privacy request types that the policy's subjects cannot match", "err", err)
	}
	return set, nil
}

// startPrivacy starts reading the privacy topic into set and waits until it
// has caught up: no record may be processed before the requests already
// made apply. Rejected requests are dead-lettered and erasures tombstone
// the vault, both through the pipeline's next transaction.
func startPrivacy(ctx context.Context, cfg *config.Config, set *privacy.Set, p *pipeline.Pipeline, log *slog.Logger, reg prometheus.Registerer) (*privacy.Reader, error) {
	base, err := kafka.Base(cfg)
	if err != nil {
		return nil, err
	}
	rd, err := privacy.StartReader(privacy.ReaderOptions{
		Conn: compacted.Conn{Brokers: cfg.Kafka.Brokers, Config: base}, Topic: cfg.Privacy.Topic, Set: set,
		Logger: log.With("component", "privacy"), Registerer: reg,
		OnRejected: func(r privacy.Rejected) {
			log.Warn("privacy request rejected", "partition", r.Record.Partition, "offset", r.Record.Offset, "reason", r.Reason)
			if !r.Replay {
				p.RejectRequest(r.Record, string(r.Reason))
			}
		},
		OnEvent: func(e privacy.Event) {
			if e.Erased() {
				p.Erase(e.Pseudonyms)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	log.Info("reading privacy requests", "topic", cfg.Privacy.Topic)
	start := time.Now()
	if err := rd.WaitReady(ctx); err != nil {
		rd.Close()
		return nil, fmt.Errorf("read privacy requests: %w", err)
	}
	log.Info("privacy requests loaded", "subjects", set.Len(), "took", time.Since(start))
	return rd, nil
}

// onHangup reloads on SIGHUP until ctx ends.
func onHangup(ctx context.Context, reload func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-hup:
				reload()
			case <-ctx.Done():
				return
			}
		}
	}()
}
