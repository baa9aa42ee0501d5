package main

import (
	"bufio"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as scrubd itself: with
// SCRUBD_TEST_MAIN=1 it is main(), signals and exit code included.
func TestMain(m *testing.M) {
	if os.Getenv("SCRUBD_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestUsageOfEveryVerb: `scrubd help X` and `scrubd X -h` print X's usage
// text and flags on stdout and exit 0; a bad flag prints it on stderr with
// exit 2.
func TestUsageOfEveryVerb(t *testing.T) {
	verbs := []string{"scrub", "validate", "test", "run", "topics", "vault", "version"}
	for _, v := range verbs {
		for _, args := range [][]string{{"help", v}, {v, "-h"}, {v, "--help"}} {
			code, out, errOut := runCmd(t, "", args...)
			if code != cli.ExitOK || !strings.Contains(out, "Usage: scrubd "+v) && !strings.Contains(out, "scrubd "+v+" ") {
				t.Errorf("%v: exit %d, stdout:\n%s\nstderr:\n%s", args, code, out, errOut)
			}
		}
	}
	for _, v := range []string{"scrub", "validate", "test", "run", "topics", "version"} {
		code, out, errOut := runCmd(t, "", v, "--no-such-flag")
		if code != cli.ExitUsage || out != "" || !strings.Contains(errOut, "flag provided but not defined: -no-such-flag") || !strings.Contains(errOut, "Usage: scrubd "+v) {
			t.Errorf("%s --no-such-flag: exit %d\nstdout %q\nstderr:\n%s", v, code, out, errOut)
		}
	}
	if code, out, errOut := runCmd(t, "", "demo", "--duration", "1s"); code != cli.ExitUsage || out != "" || !strings.Contains(errOut, "go run ./cmd/scrubd-demo") {
		t.Errorf("demo: exit %d, stdout %q, stderr %s; want exit 2 and a pointer to scrubd-demo", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "", "help"); code != cli.ExitOK || !strings.Contains(out, "scrubd help     [COMMAND]") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "", "help", "nope"); code != cli.ExitUsage {
		t.Errorf("help nope: exit %d", code)
	}
}

// TestRunSIGTERMWhileKafkaUnreachable: scrubd run against a port nothing
// listens on, sent SIGTERM while it retries, exits 0 like any stop.
func TestRunSIGTERMWhileKafkaUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	path := filepath.Join(t.TempDir(), "scrubd.yaml")
	writeTestFile(t, path, "kafka: {brokers: [127.0.0.1:1]}\nhttp: {addr: 127.0.0.1:0}\npolicy: {keys: {ephemeral: true}}\n")
	cmd := exec.Command(os.Args[0], "run", "--config", path)
	cmd.Env = append(os.Environ(), "SCRUBD_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Wait until it is retrying: its sarama client has failed to connect.
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log strings.Builder
	timeout := time.After(30 * time.Second)
wait:
	for {
		select {
		case l := <-lines:
			log.WriteString(l + "\n")
			if strings.Contains(l, "connection refused") {
				break wait
			}
		case <-timeout:
			t.Fatalf("no connection attempt:\n%s", log.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for l := range lines {
			log.WriteString(l + "\n")
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v, want 0\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("did not stop\n%s", log.String())
	}
	if !strings.Contains(log.String(), "stopped before connecting to kafka") {
		t.Errorf("the stop is not logged:\n%s", log.String())
	}
}

// TestParseFlagsAnywhere: flags after arguments work, "-" is an argument
// and "--" ends the flags.
func TestParseFlagsAnywhere(t *testing.T) {
	fs := cli.NewFlags("x", "Usage: scrubd x\n", io.Discard)
	b := fs.Bool("b", false, "")
	n := fs.Int("n", 0, "")
	rest, code, stop := cli.ParseFlags(fs, []string{"a", "-b", "-", "--n", "3", "c", "--", "-d", "e"}, io.Discard)
	if stop || code != cli.ExitOK || !*b || *n != 3 || strings.Join(rest, " ") != "a - c -d e" {
		t.Errorf("rest %q b %v n %d code %d stop %v", rest, *b, *n, code, stop)
	}
}

// TestVersion: `scrubd version` prints the version from the build
// information (cli.Version) when none was stamped.
func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "", "version")
	if code != cli.ExitOK || !strings.HasPrefix(out, "scrubd ") || !strings.Contains(out, " go1.") {
		t.Errorf("version: exit %d %q", code, out)
	}
}
