package pipeline

import (
	"sync"

	"github.com/IBM/sarama"
)

// budget bounds the bytes of records held between fetching and commit, over
// all partitions of an instance. Claims take from it without blocking and,
// when it is spent, stop reading their partitions until another claim's
// batch is committed and gives bytes back: a slow output pauses fetching
// instead of buffering.
type budget struct {
	mu      sync.Mutex
	avail   int
	changed chan struct{} // closed and replaced on every release
}

func newBudget(n int) *budget {
	return &budget{avail: n, changed: make(chan struct{})}
}

// tryTake takes n bytes if they are available, or unconditionally when
// force is set (a record larger than the whole budget must still pass when
// nothing else is held by its claim). It reports whether it took them.
func (b *budget) tryTake(n int, force bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.avail < n && !force {
		return false
	}
	b.avail -= n
	return true
}

// give returns n bytes and wakes the claims waiting for them.
func (b *budget) give(n int) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.avail += n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// wait returns a channel closed at the next give.
func (b *budget) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changed
}

// recordOverhead is what a held record costs beyond its key, value and
// headers: the consumed message and its place in the batch. It is a floor,
// not a measurement of every copy (BenchmarkRecordDecideMessage allocates
// about 1,200 bytes per record beyond the value, most of it freed before
// the record is held); with it, records without bytes are bounded too.
const recordOverhead = 256

// heldCost is what m takes from the budget while it is held: key, value,
// header names and values, and the per-record overhead.
func heldCost(m *sarama.ConsumerMessage) int {
	n := len(m.Key) + len(m.Value) + recordOverhead
	for _, h := range m.Headers {
		if h != nil {
			n += len(h.Key) + len(h.Value)
		}
	}
	return n
}
