package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReloadKeepsEphemeralKey: every engine a service builds from a policy
// with keys.ephemeral, at the start and at each reload, pseudonymizes with
// the same key; another process (keySource) has another.
func TestReloadKeepsEphemeralKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "scrubd.yaml")
	os.WriteFile(cfg, []byte("kafka: {brokers: [127.0.0.1:1]}\npolicy: {name: first, keys: {ephemeral: true}}\n"), 0o600)
	ks := &keySource{getenv: func(string) string { return "" }}
	build := buildEngine(cfg, ks)
	first, err := build()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, []byte("kafka: {brokers: [127.0.0.1:1]}\npolicy: {name: second, keys: {ephemeral: true}}\n"), 0o600)
	second, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if first.Version() == second.Version() {
		t.Fatal("the policy did not change")
	}
	p1 := first.Keyring().Pseudonym(nil, "account_id", []byte("42"))
	p2 := second.Keyring().Pseudonym(nil, "account_id", []byte("42"))
	if string(p1) != string(p2) {
		t.Errorf("the reload made another key: %s then %s", p1, p2)
	}
	other, err := buildEngine(cfg, &keySource{getenv: ks.getenv})()
	if err != nil {
		t.Fatal(err)
	}
	if p3 := other.Keyring().Pseudonym(nil, "account_id", []byte("42")); string(p3) == string(p1) {
		t.Error("two processes share an ephemeral key")
	}
	// A reload to a policy without keys and without ephemeral is refused.
	os.WriteFile(cfg, []byte("kafka: {brokers: [127.0.0.1:1]}\npolicy: {name: third}\n"), 0o600)
	if _, err := build(); err == nil || !strings.Contains(err.Error(), "no HMAC key configured") {
		t.Errorf("a policy without keys reloaded: %v", err)
	}
}
