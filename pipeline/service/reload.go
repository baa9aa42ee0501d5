package service

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/reload"
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
