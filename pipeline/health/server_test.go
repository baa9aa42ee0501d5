package health

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func listenTest(t *testing.T, to Timeouts) *Server {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	s, err := ListenWith("127.0.0.1:0", h, slog.New(slog.DiscardHandler), to)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

// closedWithin reports whether the server closes c within d (a read
// returns EOF or a reset rather than our own deadline).
func closedWithin(t *testing.T, c net.Conn, r *bufio.Reader, d time.Duration) bool {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, r)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

// TestReadTimeout: a client that sends half a request (slowloris) is cut
// off after the read timeout instead of holding the connection.
func TestReadTimeout(t *testing.T) {
	s := listenTest(t, Timeouts{Read: 300 * time.Millisecond, Write: time.Second, Idle: time.Minute})
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n")
	if !closedWithin(t, c, bufio.NewReader(c), 5*time.Second) {
		t.Fatal("a half-sent request held the connection past the read timeout")
	}
}

// TestIdleTimeout: a keep-alive connection is closed once idle, and kept
// while the timeout has not passed.
func TestIdleTimeout(t *testing.T) {
	for _, tc := range []struct {
		idle   time.Duration
		closed bool
	}{{300 * time.Millisecond, true}, {time.Minute, false}} {
		s := listenTest(t, Timeouts{Read: time.Minute, Write: time.Minute, Idle: tc.idle})
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		r := bufio.NewReader(c)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.TrimSpace(string(body)) != "ok" {
			t.Fatalf("body %q", body)
		}
		if got := closedWithin(t, c, r, 3*time.Second); got != tc.closed {
			t.Errorf("idle %v: closed %v, want %v", tc.idle, got, tc.closed)
		}
		c.Close()
	}
}

// TestListenTimeoutsSet checks that every timeout reaches the server.
func TestListenTimeoutsSet(t *testing.T) {
	to := Timeouts{Read: 7 * time.Second, Write: 8 * time.Second, Idle: 9 * time.Second}
	s := listenTest(t, to)
	if s.srv.ReadTimeout != to.Read || s.srv.WriteTimeout != to.Write || s.srv.IdleTimeout != to.Idle || s.srv.ReadHeaderTimeout != 5*time.Second {
		t.Errorf("server timeouts %v %v %v %v", s.srv.ReadTimeout, s.srv.WriteTimeout, s.srv.IdleTimeout, s.srv.ReadHeaderTimeout)
	}
}
