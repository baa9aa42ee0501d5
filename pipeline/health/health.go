// Package health tracks whether the pipeline is alive and ready, and serves
// /metrics, /healthz and /readyz on one HTTP listener.
//
// /healthz answers 200 while the process loop is alive (it is never tied to
// Kafka being reachable: a broker outage must not get the pod restarted).
// /readyz answers 200 only when the clients are connected, the consumer has
// joined its group and the producer is initialized, and 503 while draining.
package health

import (
	"sync"
	"time"
)

// State is the readiness of a pipeline. It is safe for concurrent use; the
// zero value is not ready and not alive. Create one with NewState.
type State struct {
	now      func() time.Time
	staleAge time.Duration

	mu        sync.Mutex
	beat      time.Time
	connected bool
	joined    bool
	producer  bool
	draining  bool
}

// NewState returns a State whose liveness expires staleAge after the last
// Beat, reading time from now.
func NewState(now func() time.Time, staleAge time.Duration) *State {
	return &State{now: now, staleAge: staleAge}
}

// Beat records that the process loop is alive.
func (s *State) Beat() {
	s.mu.Lock()
	s.beat = s.now()
	s.mu.Unlock()
}

// SetConnected records whether the Kafka clients are connected.
func (s *State) SetConnected(v bool) { s.set(&s.connected, v) }

// SetJoined records whether the consumer is a member of its group with an
// assignment.
func (s *State) SetJoined(v bool) { s.set(&s.joined, v) }

// SetProducerReady records whether the producer is initialized.
func (s *State) SetProducerReady(v bool) { s.set(&s.producer, v) }

// SetDraining records that the pipeline is stopping; it is then not ready.
func (s *State) SetDraining(v bool) { s.set(&s.draining, v) }

func (s *State) set(f *bool, v bool) {
	s.mu.Lock()
	*f = v
	s.mu.Unlock()
}

// Alive reports whether the loop beat within the stale age.
func (s *State) Alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.beat.IsZero() && s.now().Sub(s.beat) <= s.staleAge
}

// Ready reports whether the pipeline is ready, and if not, why (a fixed
// phrase).
func (s *State) Ready() (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.draining:
		return false, "draining"
	case !s.connected:
		return false, "not connected to Kafka"
	case !s.joined:
		return false, "not joined to the consumer group"
	case !s.producer:
		return false, "producer not initialized"
	}
	return true, "ready"
}
