package faultproxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// echoServer answers every line with the same line until the client closes.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func newProxy(t *testing.T) *Proxy {
	t.Helper()
	p, err := Listen("127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, p *Proxy) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// roundTrip writes a line and reads it back within timeout.
func roundTrip(c net.Conn, r *bufio.Reader, line string, timeout time.Duration) (string, error) {
	c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	s, err := r.ReadString('\n')
	return strings.TrimSuffix(s, "\n"), err
}

// failsFast checks that a connection to addr fails, at connect or at the
// first round trip, with a reset or EOF rather than a timeout.
func failsFast(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil // reset during the handshake
	}
	defer c.Close()
	if _, err := roundTrip(c, bufio.NewReader(c), "a", 5*time.Second); err == nil || os.IsTimeout(err) {
		return fmt.Errorf("want a reset or EOF, got %v", err)
	}
	return nil
}

func TestForward(t *testing.T) {
	p := newProxy(t)
	c, r := dial(t, p)
	for _, line := range []string{"hello", "world"} {
		got, err := roundTrip(c, r, line, 5*time.Second)
		if err != nil || got != line {
			t.Fatalf("round trip %q: got %q, %v", line, got, err)
		}
	}
	// The byte counters move after each copy's write returns, which may be
	// after the echo came back: wait for them.
	if st, ok := waitStats(p, func(st Stats) bool {
		return st.Accepted == 1 && st.Open == 1 && st.BytesUp == 12 && st.BytesDown == 12
	}); !ok {
		t.Errorf("stats %+v", st)
	}
}

// waitStats waits up to five seconds for the proxy's counters to satisfy
// want: they move in the copying goroutines, after what the client sees.
func waitStats(p *Proxy, want func(Stats) bool) (Stats, bool) {
	st := p.Stats()
	for deadline := time.Now().Add(5 * time.Second); !want(st) && time.Now().Before(deadline); st = p.Stats() {
		time.Sleep(5 * time.Millisecond)
	}
	return st, want(st)
}

func TestStallHoldsBytesUntilResume(t *testing.T) {
	p := newProxy(t)
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, "warm", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Stall()
	_, err := roundTrip(c, r, "held", 300*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("stalled round trip: want a timeout, got %v", err)
	}
	if st := p.Stats(); st.Open != 1 {
		t.Fatalf("a stall must keep the connection open: %+v", st)
	}
	p.Resume()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := r.ReadString('\n')
	if err != nil || got != "held\n" {
		t.Fatalf("after resume: got %q, %v", got, err)
	}
}

func TestLatency(t *testing.T) {
	p := newProxy(t)
	c, r := dial(t, p)
	p.SetLatency(100 * time.Millisecond)
	start := time.Now()
	if _, err := roundTrip(c, r, "slow", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// Two directions, 100 ms each: at least 200 ms (a lower bound only).
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("round trip took %v, want at least 200ms", d)
	}
}

func TestResetAll(t *testing.T) {
	p := newProxy(t)
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, "a", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p.ResetAll(); n != 1 {
		t.Fatalf("ResetAll closed %d connections, want 1", n)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := r.ReadString('\n')
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after ResetAll: want ECONNRESET, got %v", err)
	}
	if st, ok := waitStats(p, func(st Stats) bool { return st.Reset == 1 && st.Open == 0 }); !ok {
		t.Errorf("stats %+v", st)
	}
}

func TestDropAll(t *testing.T) {
	p := newProxy(t)
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, "a", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p.DropAll(); n != 1 {
		t.Fatalf("DropAll closed %d connections, want 1", n)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadString('\n'); !errors.Is(err, io.EOF) {
		t.Fatalf("read after DropAll: want EOF, got %v", err)
	}
	// New connections still work.
	c2, r2 := dial(t, p)
	if got, err := roundTrip(c2, r2, "b", 5*time.Second); err != nil || got != "b" {
		t.Fatalf("new connection after DropAll: %q, %v", got, err)
	}
}

func TestRefuse(t *testing.T) {
	p := newProxy(t)
	p.Refuse(true)
	if err := failsFast(p.Addr()); err != nil {
		t.Fatalf("refused connection: %v", err)
	}
	p.Refuse(false)
	c2, r2 := dial(t, p)
	if got, err := roundTrip(c2, r2, "b", 5*time.Second); err != nil || got != "b" {
		t.Fatalf("after Refuse(false): %q, %v", got, err)
	}
	if st, ok := waitStats(p, func(st Stats) bool { return st.Refused == 1 && st.Accepted == 1 }); !ok {
		t.Errorf("stats %+v", st)
	}
}

func TestUpstreamDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, err := Listen("127.0.0.1:0", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := failsFast(p.Addr()); err != nil {
		t.Fatalf("upstream down: %v", err)
	}
}

func TestCloseEndsConnections(t *testing.T) {
	p, err := Listen("127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, "a", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Stall()
	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while stalled")
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Error("still listening after Close")
	}
}
