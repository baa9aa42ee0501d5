package main

import (
	"bytes"
	"context"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestValidateRunsRunChecks: every run configuration `scrubd run` refuses,
// `scrubd validate` refuses too, with exit 78 and the line of the problem;
// and what validate approves, run's setup accepts.
func TestValidateRunsRunChecks(t *testing.T) {
	dir := t.TempDir()
	const good = "kafka: {brokers: [127.0.0.1:9092]}\npolicy: {keys: {ephemeral: true}}\n"
	for _, tt := range []struct {
		name, content, want string
	}{
		{"delivery", good + "delivery: maybe\n", `line 3: delivery: "maybe" is not exactly_once or at_least_once`},
		{"batch", good + "batch:\n  max_records: -1\n", "line 4: batch.max_records: must be at least 1"},
		{"http", good + "http: {addr: nope}\n", `line 3: http.addr: "nope" is not [host]:port`},
		{"brokers", "kafka: {brokers: []}\npolicy: {keys: {ephemeral: true}}\n", "line 1: kafka.brokers: at least one broker is required"},
		{"log format", good + "log: {format: xml}\n", `line 3: log.format: "xml" is not json or text`},
		{"unknown key", good + "delivry: exactly_once\n", "field delivry not found"},
		{"no keys", "kafka: {brokers: [127.0.0.1:9092]}\n", "keys.ephemeral: true"},
		{"shadow policy", good + "shadow: {policy_file: missing.yaml}\n", "shadow policy"},
		{"dead letter key", good + "dead_letter: {key_file: missing.key}\n", "missing.key"},
		{"policy", "kafka: {brokers: [127.0.0.1:9092]}\npolicy: {keys: {ephemeral: true}, detectors: {ipv4: {prefix: 99}}}\n", "detectors.ipv4.prefix"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".yaml")
			writeTestFile(t, path, tt.content)
			code, _, errOut := runCmd(t, "", "validate", "--config", path)
			if code != cli.ExitInvalid || !strings.Contains(errOut, tt.want) {
				t.Errorf("validate: exit %d, want %d and %q in\n%s", code, cli.ExitInvalid, tt.want, errOut)
			}
			// run refuses it the same way, before connecting to anything
			// (the timeout stops a run that would start).
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			code = run(ctx, []string{"run", "--config", path}, nil, &out, &errb)
			if code != cli.ExitInvalid {
				t.Errorf("run: exit %d, want %d\n%s", code, cli.ExitInvalid, errb.String())
			}
		})
	}
	path := filepath.Join(dir, "good.yaml")
	writeTestFile(t, path, good)
	if code, out, errOut := runCmd(t, "", "validate", "--config", path); code != cli.ExitOK || !strings.Contains(out, "valid (policy ") {
		t.Errorf("validate good: exit %d\n%s%s", code, out, errOut)
	}
}

// TestValidateEnvOverride: a problem an environment variable caused names
// the variable, not a line of the file.
func TestValidateEnvOverride(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scrubd.yaml")
	writeTestFile(t, path, "kafka: {brokers: [127.0.0.1:9092]}\ndelivery: exactly_once\npolicy: {keys: {ephemeral: true}}\n")
	t.Setenv("SCRUBD_DELIVERY", "sometimes")
	code, _, errOut := runCmd(t, "", "validate", "--config", path)
	if code != cli.ExitInvalid || !strings.Contains(errOut, `delivery: "sometimes" is not exactly_once or at_least_once (set by SCRUBD_DELIVERY)`) {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}

// TestOneInvalidPath: each command exits 78 on an invalid configuration,
// whatever is wrong with it (a file that does not parse, a value out of
// range, a file that is not there), and says so the same way.
func TestOneInvalidPath(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.yaml")
	writeTestFile(t, broken, "kafka: [\n")
	missing := filepath.Join(dir, "missing.yaml")
	badPolicy := filepath.Join(dir, "policy.yaml")
	writeTestFile(t, badPolicy, "detectors: {ipv4: {prefix: 99}}\n")
	for _, args := range [][]string{
		{"validate", "--config", broken}, {"validate", "--config", missing}, {"validate", "--config", badPolicy},
		{"test", "--config", broken}, {"test", "--config", badPolicy},
		{"scrub", "--config", broken}, {"scrub", "--config", missing}, {"scrub", "--config", badPolicy},
		{"run", "--config", broken}, {"run", "--config", missing},
		{"topics", "--config", broken},
		{"vault", "export", "--config", broken, "--master-keys", dir, "--pseudonym", "p"},
	} {
		code, _, errOut := runCmd(t, "", args...)
		if code != cli.ExitInvalid || !strings.HasPrefix(errOut, "scrubd "+args[0]) || strings.Contains(errOut, "invalid configuration: ") {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, cli.ExitInvalid, errOut)
		}
	}
}

// TestRunWithoutConfig: no --config and no SCRUBD_KAFKA_BROKERS is refused
// with a message saying what to give; scrubd does not dial a default.
func TestRunWithoutConfig(t *testing.T) {
	t.Setenv("SCRUBD_KAFKA_BROKERS", "")
	code, _, errOut := runCmd(t, "", "run")
	if code != cli.ExitInvalid || !strings.Contains(errOut, "no --config and no SCRUBD_KAFKA_BROKERS") || !strings.Contains(errOut, "--config FILE") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
	// The example the message points to exists.
	if _, err := os.Stat(filepath.Join("..", "..", "deploy", "examples", "scrubd.yaml")); err != nil {
		t.Error(err)
	}
}
