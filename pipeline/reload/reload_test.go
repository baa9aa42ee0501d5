package reload

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/rules"
)

// buildFrom returns a Build that loads the policy at path.
func buildFrom(path string) Build {
	return func() (*rules.Engine, error) {
		p, err := rules.Load(path)
		if err != nil {
			return nil, err
		}
		return rules.Compile(p, rules.TestKeyring())
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func scrubOne(t *testing.T, e *rules.Engine, in string) string {
	t.Helper()
	var res rules.Result
	out, err := e.Scrub(nil, []byte(in), &res)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// waitFor polls cond with a generous deadline: the machine may be loaded.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReloadOnFileChange(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	write(t, policy, "name: one\ndetectors: {ipv4: {prefix: 24}}\n")
	reg := prometheus.NewRegistry()
	r, err := New(Options{Build: buildFrom(policy), Files: []string{policy}, Interval: 2 * time.Millisecond, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Stop()
	if got := scrubOne(t, r.Current(), "10.1.2.3"); got != "10.1.2.0" {
		t.Fatalf("first policy: %q", got)
	}

	// A new valid policy is picked up.
	write(t, policy, "name: two\ndetectors: {ipv4: {prefix: 16}}\n")
	waitFor(t, "the new policy", func() bool { return strings.HasPrefix(r.Current().Version(), "two@") })
	if got := scrubOne(t, r.Current(), "10.1.2.3"); got != "10.1.0.0" {
		t.Errorf("second policy: %q", got)
	}
	if got := testutil.ToFloat64(r.reloads.WithLabelValues("success")); got != 1 {
		t.Errorf("successful reloads = %v", got)
	}

	// An invalid policy is refused and the old one stays.
	write(t, policy, "name: three\ndetectors: {ipv4: {prefix: 99}}\n")
	waitFor(t, "the refusal", func() bool { return testutil.ToFloat64(r.reloads.WithLabelValues("failure")) == 1 })
	if v := r.Current().Version(); !strings.HasPrefix(v, "two@") {
		t.Errorf("policy in force after a refused reload: %s", v)
	}
	// It is not retried while the files stay as they are.
	time.Sleep(50 * time.Millisecond)
	if got := testutil.ToFloat64(r.reloads.WithLabelValues("failure")); got != 1 {
		t.Errorf("failed reloads = %v, want 1", got)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

// TestReloadKubernetesSymlinkSwap mimics a ConfigMap volume: the file is a
// symlink through "..data", which the kubelet points at a new directory.
func TestReloadKubernetesSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, content string) {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "policy.yaml"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mk("..2026_11_29_1", "name: first\n")
	if err := os.Symlink("..2026_11_29_1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/policy.yaml", filepath.Join(dir, "policy.yaml")); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "policy.yaml")
	r, err := New(Options{Build: buildFrom(policy), Files: []string{policy}, Interval: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Stop()

	mk("..2026_11_29_2", "name: second\n")
	tmp := filepath.Join(dir, "..data_tmp")
	if err := os.Symlink("..2026_11_29_2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the swapped policy", func() bool { return strings.HasPrefix(r.Current().Version(), "second@") })
}

func TestReloadOnSignal(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	write(t, policy, "name: one\n")
	var swaps int
	r, err := New(Options{Build: buildFrom(policy), OnSwap: func(old, new *rules.Engine) { swaps++ }})
	if err != nil {
		t.Fatal(err)
	}
	write(t, policy, "name: two\n")
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Current().Version(), "two@") || swaps != 1 {
		t.Errorf("after Reload: %s, %d swaps", r.Current().Version(), swaps)
	}
	write(t, policy, "nope: [")
	if err := r.Reload(); err == nil {
		t.Error("a broken policy was accepted")
	}
	if !strings.HasPrefix(r.Current().Version(), "two@") {
		t.Errorf("policy in force: %s", r.Current().Version())
	}
}

func TestNewFailsWithoutAValidPolicy(t *testing.T) {
	if _, err := New(Options{Build: buildFrom(filepath.Join(t.TempDir(), "missing.yaml"))}); err == nil {
		t.Error("New succeeded without a policy")
	}
	if _, err := New(Options{}); err == nil {
		t.Error("New succeeded without a build function")
	}
}
