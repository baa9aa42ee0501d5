package pipeline

import (
	"testing"

	"github.com/IBM/sarama"
)

// TestBudget: takes succeed while bytes are available; a take the budget
// cannot cover fails unless forced, and a forced one may overdraw it; a
// give wakes the waiters and makes the bytes available again.
func TestBudget(t *testing.T) {
	b := newBudget(100)
	if !b.tryTake(60, false) || !b.tryTake(40, false) {
		t.Fatal("takes within the budget failed")
	}
	if b.tryTake(1, false) {
		t.Fatal("a take from a spent budget succeeded")
	}
	if !b.tryTake(500, true) {
		t.Fatal("a forced take failed")
	}
	w := b.wait()
	select {
	case <-w:
		t.Fatal("wait returned before any give")
	default:
	}
	b.give(0)
	select {
	case <-w:
		t.Fatal("a give of nothing woke the waiters")
	default:
	}
	b.give(500)
	select {
	case <-w:
	default:
		t.Fatal("a give did not wake the waiters")
	}
	if b.tryTake(1, false) {
		t.Fatal("the overdrawn budget lent bytes before they were all given back")
	}
	b.give(100)
	if !b.tryTake(100, false) || b.tryTake(1, false) {
		t.Fatal("the budget is not back to its size after every byte was given back")
	}
	if b.wait() == w {
		t.Fatal("a give left the old wait channel in place")
	}
}

// TestHeldCost: a held record costs its key, value, header names and values
// and the overhead, so that records whose bytes are all in headers, or that
// have none, still spend the budget.
func TestHeldCost(t *testing.T) {
	empty := &sarama.ConsumerMessage{}
	if got := heldCost(empty); got != recordOverhead {
		t.Errorf("an empty record costs %d, want the overhead %d", got, recordOverhead)
	}
	m := &sarama.ConsumerMessage{
		Key:   []byte("k1"),
		Value: []byte("value"),
		Headers: []*sarama.RecordHeader{
			{Key: []byte("trace"), Value: make([]byte, 1000)},
			nil,
			{Key: []byte("x"), Value: nil},
		},
	}
	if got, want := heldCost(m), 2+5+5+1000+1+recordOverhead; got != want {
		t.Errorf("cost %d, want %d", got, want)
	}
}
