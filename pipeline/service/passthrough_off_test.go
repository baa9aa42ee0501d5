//go:build !passthrough

package service

import (
	"bytes"
	"testing"

	"github.com/scrubd/scrubd/rules"
)

// TestDefaultBuildScrubs: a build without -tags passthrough scrubs with the
// engine, whatever the environment says.
func TestDefaultBuildScrubs(t *testing.T) {
	if passthroughBuild {
		t.Fatal("the default build is a passthrough build")
	}
	cfg, eng := testEngine(t, "")
	consent := func(k string) string {
		if k == PassthroughEnv {
			return PassthroughConsent
		}
		return ""
	}
	sc, err := scrubberOf(cfg, eng, consent)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := sc.(*rules.Engine); !ok || got != eng {
		t.Fatalf("scrubberOf = %T, want the engine", sc)
	}
	var res rules.Result
	out, err := sc.Scrub(nil, []byte(personalRecord), &res)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("jane.doe@example.com")) {
		t.Errorf("the e-mail address was not scrubbed: %s", out)
	}
}
