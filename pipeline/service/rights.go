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
	"github.com/scrubd/scrubd/pipeline/reload"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules"
)

// keySource loads the HMAC keys of a service's policies, at the start and
// at every reload: the keys a policy configures or, when it configures none
// and sets keys.ephemeral (always in the demo), the process's one random
// key, which a reload therefore keeps.
type keySource struct {
	getenv    func(string) string
	ephemeral rules.EphemeralKey
	demo      bool
}

// load returns the keyring of pol, and whether it is the ephemeral one.
func (k *keySource) load(pol *rules.Policy) (*rules.Keyring, bool, error) {
	kc := pol.Keys
	if k.demo {
		kc.Ephemeral = true
	}
	return rules.LoadKeys(kc, rules.ServiceKeys, k.getenv, &k.ephemeral)
}

// compile compiles pol with its keys (load); ephemeral reports the
// process's random key.
func (k *keySource) compile(pol *rules.Policy) (e *rules.Engine, ephemeral bool, err error) {
	keys, ephemeral, err := k.load(pol)
	if err != nil {
		return nil, false, config.Invalid(fmt.Errorf("load keys: %w", err))
	}
	e, err = rules.Compile(pol, keys)
	return e, ephemeral, config.Invalid(err)
}

// buildEngine loads the configuration file again and compiles the policy it
// names with its keys: the reload package calls it for every reload, so
// that a changed inline policy, policy file or key file is picked up.
func buildEngine(path string, keys *keySource) reload.Build {
	return func() (*rules.Engine, error) {
		cfg, err := config.LoadValid(path, keys.getenv)
		if err != nil {
			return nil, err
		}
		pol, err := cfg.LoadPolicy()
		if err != nil {
			return nil, err
		}
		e, _, err := keys.compile(pol)
		return e, err
	}
}

// watchedFiles are the files whose change reloads the policy: the
// configuration, the policy file and the key files.
func watchedFiles(path string, cfg *config.Config, pol *rules.Policy) []string {
	files := []string{path}
	if cfg.PolicyFile != "" {
		files = append(files, cfg.Resolve(cfg.PolicyFile))
	}
	return append(files, pol.KeyPaths()...)
}

// newReloader starts from eng, the engine already built, and rebuilds on
// change. Only the policy reloads; a changed Kafka setting needs a restart.
// Without a configuration file (the demo) there is nothing to reload from:
// the reloader then only exports the policy metrics.
func newReloader(path string, cfg *config.Config, pol *rules.Policy, eng *rules.Engine, keys *keySource,
	log *slog.Logger, reg prometheus.Registerer) (*reload.Reloader, error) {
	if path == "" {
		return reload.New(reload.Options{Build: func() (*rules.Engine, error) { return eng, nil }, Initial: eng,
			Logger: log.With("component", "reload"), Registerer: reg})
	}
	build := buildEngine(path, keys)
	if cfg.Privacy.Enabled || cfg.Vault.Enabled {
		// Privacy requests and the vault hold pseudonyms made with the
		// keys of the start: a reload may change the policy, not the keys.
		build = func() (*rules.Engine, error) {
			e, err := buildEngine(path, keys)()
			if err != nil {
				return nil, err
			}
			if !eng.Keyring().Equal(e.Keyring()) {
				return nil, fmt.Errorf("the HMAC keys changed: with privacy requests or the vault on, rotating keys needs a restart")
			}
			return e, nil
		}
	}
	return reload.New(reload.Options{
		Build: build, Initial: eng,
		Files: watchedFiles(path, cfg, pol), Interval: cfg.Reload.Interval.D(),
		Logger: log.With("component", "reload"), Registerer: reg,
	})
}

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
