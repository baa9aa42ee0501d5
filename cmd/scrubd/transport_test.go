package main

import (
	"bytes"
	"context"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlainWithoutTLSRefused: `scrubd validate` and `scrubd run` exit 78
// with a line naming the key when SASL PLAIN is configured without TLS.
func TestPlainWithoutTLSRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "password"), []byte("s3cret\n"), 0o600)
	cfg := filepath.Join(dir, "scrubd.yaml")
	os.WriteFile(cfg, []byte("kafka:\n  brokers: [kafka:9092]\n  sasl: {mechanism: PLAIN, username: scrubd, password_file: password}\n"), 0o600)
	for _, verb := range []string{"validate", "run"} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{verb, "--config", cfg}, nil, &stdout, &stderr)
		if code != cli.ExitInvalid || !strings.Contains(stdout.String()+stderr.String(), "kafka.sasl.mechanism: PLAIN sends the secret in clear: it needs kafka.tls") {
			t.Errorf("%s: exit %d\nstdout %s\nstderr %s", verb, code, stdout.String(), stderr.String())
		}
		if strings.Contains(stdout.String()+stderr.String(), "s3cret") {
			t.Errorf("%s printed the password", verb)
		}
	}
}
