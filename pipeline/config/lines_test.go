package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/rules"
)

// TestLoadValidLines: every problem of a run configuration names the line
// of its key, or the variable that set it; a key the file leaves out (the
// empty default broker list) has no line.
func TestLoadValidLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scrubd.yaml")
	data := "kafka:\n" + //          1
		"  group: g\n" + //          2
		"topics:\n" + //             3
		"  input: [a, logs.clean]\n" + // 4
		"http: {addr: nope}\n" + //  5
		"delivery: maybe\n" + //     6
		"batch:\n" + //              7
		"  max_records: -1\n" + //   8
		"log: {format: xml}\n" //    9
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SCRUBD_SHUTDOWN_TIMEOUT": "-1s"}
	_, err := LoadValid(path, func(k string) string { return env[k] })
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("want a *ValidationError, got %v", err)
	}
	for _, want := range []string{
		"line 1: kafka.brokers: at least one broker is required (kafka.brokers in the configuration file or SCRUBD_KAFKA_BROKERS=host:port,...)",
		`line 4: topics.input[1]: "logs.clean" is also an output topic`,
		`line 5: http.addr: "nope" is not [host]:port`,
		`line 6: delivery: "maybe" is not exactly_once or at_least_once`,
		"line 8: batch.max_records: must be at least 1",
		`line 9: log.format: "xml" is not json or text`,
		"shutdown.timeout: must be positive (set by SCRUBD_SHUTDOWN_TIMEOUT)",
	} {
		if !slices.Contains(ve.Problems, want) {
			t.Errorf("no problem %q in\n%v", want, ve.Problems)
		}
	}
	if len(ve.Problems) != 7 {
		t.Errorf("%d problems, want 7: %v", len(ve.Problems), ve.Problems)
	}
}

func TestPathSegments(t *testing.T) {
	for path, want := range map[string][]string{
		"delivery":                 {"delivery"},
		"kafka.brokers[2]":         {"kafka", "brokers", "2"},
		"topics.residency.EEA":     {"topics", "residency", "EEA"},
		"a.b[1][0].c":              {"a", "b", "1", "0", "c"},
		"kafka.sasl.password_file": {"kafka", "sasl", "password_file"},
	} {
		if got := pathSegments(path); !slices.Equal(got, want) {
			t.Errorf("pathSegments(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestInlinePolicyLines: problems of an inline policy name their lines in
// the run configuration, not in the policy re-encoded on its own.
func TestInlinePolicyLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scrubd.yaml")
	data := "kafka:\n" + //                   1
		"  brokers: [127.0.0.1:9092]\n" + //   2
		"# a comment\n" + //                   3
		"policy:\n" + //                       4
		"  keys: {ephemeral: true}\n" + //     5
		"  detectors:\n" + //                  6
		"    ipv4: {prefix: 99}\n" + //        7
		"  fields:\n" + //                     8
		"    - {path: x, action: shred}\n" //  9
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadValid(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.LoadPolicy()
	var ve *rules.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("want 2 policy problems, got %v", err)
	}
	if ve.Problems[0].Line != 7 || ve.Problems[1].Line != 9 {
		t.Errorf("lines %d and %d, want 7 and 9: %v", ve.Problems[0].Line, ve.Problems[1].Line, err)
	}
}

// FuzzLocate: any problem text over any document is located without a
// panic, and keeps its text: a line prefix or a variable suffix is all
// that is added.
func FuzzLocate(f *testing.F) {
	f.Add("kafka.brokers[0]: bad", "kafka:\n  brokers: [a]\n")
	f.Add("topics.residency.EEA: x", "topics: {residency: {EEA: y}}\n")
	f.Add("a[1][: y", "a: [[1, 2]]\n")
	f.Fuzz(func(t *testing.T, problem, doc string) {
		got := locate(problem, parseTree([]byte(doc)), func(k string) string {
			if k == "SCRUBD_KAFKA_BROKERS" {
				return "x:1"
			}
			return ""
		})
		if !strings.Contains(got, problem) {
			t.Fatalf("locate(%q) = %q lost the problem", problem, got)
		}
	})
}
