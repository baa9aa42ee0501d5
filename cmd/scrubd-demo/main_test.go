package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scrubd/scrubd/cmd/internal/cli"
)

// TestDemo runs the demo briefly: records flow, the view shows
// findings and, once a five-second window has closed, the countries of the
// generated GeoIP database in the aggregates; the summary accounts for
// every generated record, committed or in flight.
func TestDemo(t *testing.T) {
	t.Setenv("SCRUBD_HTTP_ADDR", "127.0.0.1:0")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--duration", "9s", "--interval", "1s", "--rate", "300"}, &out, &errb)
	if code != cli.ExitOK {
		t.Fatalf("demo exited %d\n%s", code, errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "findings: ") || !strings.Contains(s, "email=") {
		t.Fatalf("demo output lacks findings:\n%s", s)
	}
	if !regexp.MustCompile(`aggregates: [1-9][0-9]* records counted`).MatchString(s) {
		t.Fatalf("demo output counts no aggregates:\n%s", s)
	}
	if !regexp.MustCompile(`countries:  .*\b(GB|DE|FR|AU|US|SE)=[1-9]`).MatchString(s) {
		t.Errorf("demo output shows no countries:\n%s", s)
	}
	m := regexp.MustCompile(`(\d+) records generated, (\d+) scrubbed and committed \((\d+) clean[^)]*\); (\d+) read back from logs.clean`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no summary:\n%s", s)
	}
	gen, committed, clean, read := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])
	if gen == 0 || committed > gen || read != clean {
		t.Errorf("generated %d, committed %d, clean %d, read back %d:\n%s", gen, committed, clean, read, s)
	}
	inFlight := regexp.MustCompile(`(\d+) records were still in flight at the stop`).FindStringSubmatch(s)
	switch {
	case committed < gen && (inFlight == nil || atoi(t, inFlight[1]) != gen-committed):
		t.Errorf("%d records not committed, but the summary does not explain them:\n%s", gen-committed, s)
	case committed == gen && inFlight != nil:
		t.Errorf("every record committed, yet some are said in flight:\n%s", s)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDemoPortInUse: a demo whose HTTP address is taken fails at once,
// with the reason, instead of waiting for Kafka.
func TestDemoPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("SCRUBD_HTTP_ADDR", ln.Addr().String())
	start := time.Now()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--duration", "60s"}, &out, &errb)
	if code != cli.ExitFailed || !strings.Contains(errb.String(), "address already in use") || strings.Contains(out.String(), "==") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v to fail", d)
	}
}

// TestDemoInvalidConfig: a configuration that does not parse exits 78, said
// the way scrubd's commands say it.
func TestDemoInvalidConfig(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(broken, []byte("kafka: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--config", broken}, &out, &errb)
	if code != cli.ExitInvalid || !strings.HasPrefix(errb.String(), "scrubd demo") || strings.Contains(errb.String(), "invalid configuration: ") {
		t.Errorf("exit %d, want %d\n%s", code, cli.ExitInvalid, errb.String())
	}
}

// TestDemoUsage: -h prints the usage on stdout with exit 0; a bad flag
// prints it on stderr with exit 2.
func TestDemoUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &out, &errb); code != cli.ExitOK || !strings.Contains(out.String(), "Usage: scrubd-demo") {
		t.Errorf("-h: exit %d\n%s", code, out.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"--no-such-flag"}, &out, &errb); code != cli.ExitUsage || out.Len() != 0 || !strings.Contains(errb.String(), "Usage: scrubd-demo") {
		t.Errorf("--no-such-flag: exit %d\n%s", code, errb.String())
	}
}
