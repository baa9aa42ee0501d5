package health

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /metrics from g, and /healthz and /readyz from st.
func Handler(g prometheus.Gatherer, st *State) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if !st.Alive() {
			http.Error(w, "process loop stalled", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		ok, why := st.Ready()
		if !ok {
			http.Error(w, why, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, why)
	})
	return mux
}

// Server is the HTTP listener of a pipeline.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	log  *slog.Logger
	done chan error
}

// Timeouts bound the server's connections, so that slow or idle clients
// cannot hold goroutines and sockets open (slowloris).
type Timeouts struct {
	// Read bounds reading a request, headers and body.
	Read time.Duration
	// Write bounds writing a response.
	Write time.Duration
	// Idle closes keep-alive connections idle for this long.
	Idle time.Duration
}

// DefaultTimeouts are those of config.Default.
var DefaultTimeouts = Timeouts{Read: 10 * time.Second, Write: 30 * time.Second, Idle: 2 * time.Minute}

// Listen binds addr (":9790"; port 0 picks a free port) and serves h on it
// in a goroutine that Shutdown waits for, with DefaultTimeouts.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	return ListenWith(addr, h, log, DefaultTimeouts)
}

// ListenWith is Listen with the given timeouts.
func ListenWith(addr string, h http.Handler, log *slog.Logger, t Timeouts) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen http %s: %w", addr, err)
	}
	header := min(5*time.Second, t.Read)
	s := &Server{
		srv: &http.Server{Handler: h, ReadHeaderTimeout: header, ReadTimeout: t.Read,
			WriteTimeout: t.Write, IdleTimeout: t.Idle},
		ln:   ln,
		log:  log,
		done: make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops the server, waiting for open requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	if serr := <-s.done; err == nil && serr != nil {
		err = fmt.Errorf("serve http: %w", serr)
	}
	return err
}
