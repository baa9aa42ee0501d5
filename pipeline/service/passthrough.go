package service

import (
	"fmt"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/decision"
	"github.com/scrubd/scrubd/rules"
)

// PassthroughEnv must be set to PassthroughConsent for a passthrough build
// (go build -tags passthrough) to start: such a binary writes records
// unscrubbed to the clean topic, so one deployed by mistake refuses to run
// instead of leaking personal data.
const (
	PassthroughEnv     = "SCRUBD_PASSTHROUGH"
	PassthroughConsent = "i-know-records-are-not-scrubbed"
)

// passthrough is the Scrubber of a passthrough build: it copies value, key
// and headers as they are, so that a benchmark measures the Kafka loop (the
// client, transactions, batching, the decision's headers) without the
// engine. It never finds anything, so the Result the pipeline hands it
// stays as the pipeline made it.
type passthrough struct{ version string }

func (p passthrough) Scrub(dst, rec []byte, _ *rules.Result) ([]byte, error) {
	return append(dst, rec...), nil
}

func (p passthrough) ScrubText(dst, text []byte, _ *rules.Result) ([]byte, error) {
	return append(dst, text...), nil
}

func (p passthrough) ScrubKey(dst, key []byte, _ *rules.Result) ([]byte, error) {
	return append(dst, key...), nil
}

func (p passthrough) ScrubHeader(h rules.Header, _ *rules.Result) (rules.Header, bool, error) {
	return h, true, nil
}

func (p passthrough) Version() string { return p.version }

// scrubberOf returns what the pipeline scrubs with: eng, or in a
// passthrough build, once cfg and the environment allow it to start, a copy
// that keeps eng's version.
func scrubberOf(cfg *config.Config, eng *rules.Engine, getenv func(string) string) (decision.Scrubber, error) {
	if !passthroughBuild {
		return eng, nil
	}
	if getenv(PassthroughEnv) != PassthroughConsent {
		return nil, fmt.Errorf("%w: this is a passthrough build, which does not scrub; set %s=%s to run it for a benchmark",
			config.ErrInvalid, PassthroughEnv, PassthroughConsent)
	}
	if cfg.GeoIP.Database != "" || cfg.Aggregates.Enabled || cfg.Shadow.PolicyFile != "" || cfg.Vault.Enabled || cfg.Privacy.Enabled {
		// They need the engine itself (its profiles, policy or keys), which
		// a passthrough build leaves out.
		return nil, fmt.Errorf("%w: a passthrough build runs without the engine: geoip, aggregates, shadow, vault and privacy must be off", config.ErrInvalid)
	}
	return passthrough{version: eng.Version()}, nil
}
