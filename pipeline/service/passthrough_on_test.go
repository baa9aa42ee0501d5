//go:build passthrough

package service

import (
	"bytes"
	"errors"
	"testing"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules"
)

// TestPassthroughBuild: a passthrough build refuses to start without the
// consent variable or with a feature that needs the engine, and otherwise
// copies records unchanged under the engine's version.
func TestPassthroughBuild(t *testing.T) {
	if !passthroughBuild {
		t.Fatal("-tags passthrough did not make a passthrough build")
	}
	consent := func(k string) string {
		if k == PassthroughEnv {
			return PassthroughConsent
		}
		return ""
	}
	cfg, eng := testEngine(t, "")
	if _, err := scrubberOf(cfg, eng, func(string) string { return "" }); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("without %s: err = %v, want an invalid configuration", PassthroughEnv, err)
	}
	aggCfg, aggEng := testEngine(t, "topics: {aggregates: logs.aggregates}\naggregates: {enabled: true}\n")
	if _, err := scrubberOf(aggCfg, aggEng, consent); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("with aggregates: err = %v, want an invalid configuration", err)
	}
	sc, err := scrubberOf(cfg, eng, consent)
	if err != nil {
		t.Fatal(err)
	}
	var res rules.Result
	if out, err := sc.Scrub(nil, []byte(personalRecord), &res); err != nil || !bytes.Equal(out, []byte(personalRecord)) {
		t.Errorf("Scrub = %q, %v; want the record unchanged", out, err)
	}
	if out, err := sc.ScrubKey(nil, []byte(personalID), &res); err != nil || !bytes.Equal(out, []byte(personalID)) {
		t.Errorf("ScrubKey = %q, %v; want the key unchanged", out, err)
	}
	if h, ok, err := sc.ScrubHeader(personalHeader(), &res); err != nil || !ok || !bytes.Equal(h.Value, personalHeader().Value) {
		t.Errorf("ScrubHeader = %q, %v, %v; want the header unchanged", h.Value, ok, err)
	}
	if sc.Version() != eng.Version() {
		t.Errorf("Version = %q, want the engine's %q", sc.Version(), eng.Version())
	}
}
