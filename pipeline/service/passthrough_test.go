package service

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules"
)

// A record, key and header with personal data in them, which the default
// policy changes.
const (
	personalRecord = `{"msg":"login","email":"jane.doe@example.com","client_ip":"203.0.113.7"}`
	personalID     = "jane.doe@example.com"
)

func personalHeader() rules.Header {
	return rules.Header{Name: []byte("x-user"), Value: []byte(personalID)}
}

// testEngine returns a configuration and the engine New would build from
// it (the default policy, an ephemeral key), with extra appended to the
// configuration file.
func testEngine(t *testing.T, extra string) (*config.Config, *rules.Engine) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scrubd.yaml")
	if err := os.WriteFile(path, []byte("kafka: {brokers: [127.0.0.1:1]}\npolicy: {keys: {ephemeral: true}}\n"+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	cfg, err := config.LoadValid(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := buildEngine(path, &keySource{getenv: getenv})()
	if err != nil {
		t.Fatal(err)
	}
	return cfg, eng
}

// TestPassthroughCopies: the passthrough Scrubber hands back value, key,
// text and headers byte for byte, and the version it was given.
func TestPassthroughCopies(t *testing.T) {
	p := passthrough{version: "v1"}
	var res rules.Result
	dst := []byte("prefix:")
	out, err := p.Scrub(dst, []byte(personalRecord), &res)
	if err != nil || !bytes.Equal(out, append([]byte("prefix:"), []byte(personalRecord)...)) {
		t.Errorf("Scrub = %q, %v", out, err)
	}
	if out, err := p.ScrubText(nil, []byte(personalRecord), &res); err != nil || !bytes.Equal(out, []byte(personalRecord)) {
		t.Errorf("ScrubText = %q, %v", out, err)
	}
	if out, err := p.ScrubKey(nil, []byte(personalID), &res); err != nil || !bytes.Equal(out, []byte(personalID)) {
		t.Errorf("ScrubKey = %q, %v", out, err)
	}
	h, ok, err := p.ScrubHeader(personalHeader(), &res)
	if err != nil || !ok || !bytes.Equal(h.Name, personalHeader().Name) || !bytes.Equal(h.Value, personalHeader().Value) {
		t.Errorf("ScrubHeader = %q=%q, %v, %v", h.Name, h.Value, ok, err)
	}
	if p.Version() != "v1" {
		t.Errorf("Version = %q", p.Version())
	}
	if res.Dropped || len(res.Findings) > 0 {
		t.Errorf("the result was changed: %+v", res)
	}
}
